//! Cleaning (see `model::clean`): each impl names every field, so a new one must be cleaned.

use super::{CdDeployment, CdEvent, CdGroup, CdTaskSet, CodeDeploy, TaskSet};
use crate::model::Clean;

impl Clean for TaskSet {
    fn clean(&mut self) {
        let TaskSet {
            id,
            arn,
            status: _,
            task_def,
            image_tag,
            desired: _,
            running: _,
            pending: _,
            scale_percent: _,
            stability: _,
            target_groups,
            external_id,
            created_at: _,
        } = self;
        for s in [id, arn, image_tag, external_id] {
            s.clean();
        }
        task_def.clean();
        target_groups.clean();
    }
}

impl Clean for CdGroup {
    fn clean(&mut self) {
        let CdGroup {
            application,
            name,
            config,
            container,
            port: _,
            target_groups,
            ready_wait: _,
            termination_wait: _,
            auto_rollback: _,
        } = self;
        for s in [application, name, config, container] {
            s.clean();
        }
        target_groups.clean();
    }
}

impl Clean for CdTaskSet {
    fn clean(&mut self) {
        let CdTaskSet {
            id,
            label: _,
            target_group,
            weight: _,
            desired: _,
            running: _,
            pending: _,
        } = self;
        id.clean();
        target_group.clean();
    }
}

impl Clean for CdEvent {
    fn clean(&mut self) {
        let CdEvent {
            name,
            status: _,
            started_at: _,
            ended_at: _,
        } = self;
        name.clean();
    }
}

impl Clean for CdDeployment {
    fn clean(&mut self) {
        let CdDeployment {
            id,
            status: _,
            config,
            task_def,
            sets,
            events,
            termination_wait_started: _,
            created_at: _,
            completed_at: _,
            error,
            rollback,
            creator,
        } = self;
        for s in [id, config, creator] {
            s.clean();
        }
        task_def.clean();
        sets.clean();
        events.clean();
        error.clean();
        rollback.clean();
    }
}

impl Clean for CodeDeploy {
    fn clean(&mut self) {
        let CodeDeploy { group, deployment } = self;
        group.clean();
        deployment.clean();
    }
}
