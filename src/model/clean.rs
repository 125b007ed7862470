//! One sanitising step for everything a backend hands the console: every string of a domain
//! value goes through [`text::clean`](super::text::clean), so the state never holds a control
//! character, an escape sequence, a bidi override or a flag pair a terminal draws wider than
//! it is measured. Each impl names every field (no `..`), so a field added later does not
//! compile until it is cleaned here too.

use crate::model::text::{clean, is_safe};
use crate::model::{
    Alarm, AlarmSpec, BuildSource, ClusterExec, ContextInfo, Deployment, Image, LifecycleHook,
    LogLine, MetricSpec, NativeDeployment, Outcome, PastDeployment, Service, ServiceEvent,
    ServiceRevision, TargetGroupHealth, Task, TaskContainer, TaskDefRef, WeightedRoute, Workflow,
};

/// Cleans every string of a value in place.
pub trait Clean {
    fn clean(&mut self);

    /// The value, cleaned.
    fn cleaned(mut self) -> Self
    where
        Self: Sized,
    {
        self.clean();
        self
    }
}

impl Clean for String {
    fn clean(&mut self) {
        // Most strings are clean already: look before allocating.
        if !self.chars().all(is_safe) {
            *self = clean(self);
        }
    }
}

impl<T: Clean> Clean for Vec<T> {
    fn clean(&mut self) {
        self.iter_mut().for_each(Clean::clean);
    }
}

impl<T: Clean> Clean for Option<T> {
    fn clean(&mut self) {
        if let Some(v) = self {
            v.clean();
        }
    }
}

impl<T: Clean, E: Clean> Clean for Result<T, E> {
    fn clean(&mut self) {
        match self {
            Ok(v) => v.clean(),
            Err(e) => e.clean(),
        }
    }
}

impl Clean for super::BadBuildTag {
    fn clean(&mut self) {
        let super::BadBuildTag { tag: _, value, why } = self;
        value.clean();
        why.clean();
    }
}

impl Clean for super::github_names::NameError {
    fn clean(&mut self) {
        use super::github_names::NameError::*;
        match self {
            NotOwnerName(s) | Owner(s) | Repo(s) | Workflow(s) => s.clean(),
        }
    }
}

impl<T: Clean, U> Clean for (T, U) {
    fn clean(&mut self) {
        self.0.clean();
    }
}

impl Clean for TaskDefRef {
    fn clean(&mut self) {
        let TaskDefRef {
            family,
            revision: _,
        } = self;
        family.clean();
    }
}

impl Clean for ContextInfo {
    fn clean(&mut self) {
        let ContextInfo {
            name,
            profile,
            account,
            region,
            clusters,
            prod: _,
            caller_arn,
        } = self;
        for s in [name, profile, account, region, caller_arn] {
            s.clean();
        }
        clusters.clean();
    }
}

impl Clean for Deployment {
    fn clean(&mut self) {
        let Deployment {
            id,
            status: _,
            rollout_state: _,
            rollout_reason,
            task_def,
            desired: _,
            running: _,
            pending: _,
            failed_tasks: _,
            created_at: _,
            updated_at: _,
        } = self;
        id.clean();
        rollout_reason.clean();
        task_def.clean();
    }
}

impl Clean for ServiceRevision {
    fn clean(&mut self) {
        let ServiceRevision {
            arn,
            task_def,
            image_tag,
            image_digest,
            running: _,
            requested_production_weight: _,
            requested_test_weight: _,
        } = self;
        for s in [arn, image_tag, image_digest] {
            s.clean();
        }
        task_def.clean();
    }
}

impl Clean for LifecycleHook {
    fn clean(&mut self) {
        let LifecycleHook {
            id,
            stage: _,
            status: _,
            expires_at: _,
            timeout_action: _,
        } = self;
        id.clean();
    }
}

impl Clean for NativeDeployment {
    fn clean(&mut self) {
        let NativeDeployment {
            arn,
            strategy: _,
            status: _,
            lifecycle_stage: _,
            target,
            sources,
            hook,
            canary_percent: _,
            bake_ends_at: _,
            bake_minutes: _,
            triggered_alarms,
            rollback_reason,
            started_at: _,
            watched_alarms,
        } = self;
        arn.clean();
        target.clean();
        sources.clean();
        hook.clean();
        triggered_alarms.clean();
        rollback_reason.clean();
        watched_alarms.clean();
    }
}

impl Clean for ServiceEvent {
    fn clean(&mut self) {
        let ServiceEvent { at: _, message } = self;
        message.clean();
    }
}

impl Clean for TargetGroupHealth {
    fn clean(&mut self) {
        let TargetGroupHealth {
            target_group_arn,
            healthy: _,
            unhealthy: _,
            other: _,
            reasons,
            target_ids,
        } = self;
        target_group_arn.clean();
        reasons.clean();
        target_ids.clean();
    }
}

impl Clean for WeightedRoute {
    fn clean(&mut self) {
        let WeightedRoute {
            listener_arn,
            rule_arn,
            is_default: _,
            weights,
        } = self;
        listener_arn.clean();
        rule_arn.clean();
        weights.clean();
    }
}

impl Clean for Service {
    fn clean(&mut self) {
        let Service {
            cluster,
            name,
            arn,
            status: _,
            desired: _,
            running: _,
            pending: _,
            task_def,
            image_tag,
            created_at: _,
            strategy: _,
            circuit_breaker: _,
            deployments,
            native,
            events,
            canary_of,
            previous_task_def,
            cpu: _,
            mem: _,
            targets,
            target_groups,
            routes,
            routes_error,
            alternate_target_groups,
            watched_alarms,
            alarm_tags,
            history,
            build,
            controller: _,
            task_sets,
            codedeploy,
            tags,
            exec_enabled: _,
            footprint: _,
            cost_per_hour: _,
        } = self;
        for s in [cluster, name, arn, image_tag] {
            s.clean();
        }
        let typed: [&mut dyn Clean; 4] = [task_def, deployments, native, events];
        typed.into_iter().for_each(|c| c.clean());
        canary_of.clean();
        previous_task_def.clean();
        targets.clean();
        target_groups.clean();
        routes.clean();
        routes_error.clean();
        alternate_target_groups.clean();
        watched_alarms.clean();
        alarm_tags.clean();
        history.clean();
        build.clean();
        // Their impls are beside the types, in codedeploy.rs.
        task_sets.clean();
        codedeploy.clean();
        clean_pairs(tags);
    }
}

/// Keys and values both (a pair's `Clean` cleans only its first).
fn clean_pairs(pairs: &mut [(String, String)]) {
    for (k, v) in pairs {
        k.clean();
        v.clean();
    }
}

impl Clean for BuildSource {
    fn clean(&mut self) {
        let BuildSource { workflow, git_ref } = self;
        let Workflow { repo, workflow } = workflow;
        for s in [repo, workflow, git_ref] {
            s.clean();
        }
    }
}

impl Clean for PastDeployment {
    fn clean(&mut self) {
        let PastDeployment {
            id,
            revision,
            from,
            outcome,
            is_rollback: _,
            started_at: _,
            ended_at: _,
            reason,
        } = self;
        id.clean();
        revision.clean();
        from.clean();
        if let Outcome::RolledBack { to, .. } = outcome {
            to.clean();
        }
        reason.clean();
    }
}

impl Clean for Task {
    fn clean(&mut self) {
        let Task {
            id,
            arn,
            cluster,
            service,
            task_def,
            last_status: _,
            desired_status: _,
            health: _,
            started_at: _,
            stopped_at: _,
            stop_code,
            stop_reason,
            private_ip,
            exit_code: _,
            exec_enabled: _,
            platform_version,
            containers,
        } = self;
        for s in [
            id,
            arn,
            cluster,
            service,
            stop_code,
            stop_reason,
            private_ip,
            platform_version,
        ] {
            s.clean();
        }
        task_def.clean();
        containers.clean();
    }
}

impl Clean for TaskContainer {
    fn clean(&mut self) {
        let TaskContainer {
            name,
            runtime_id,
            exec_agent: _,
        } = self;
        name.clean();
        runtime_id.clean();
    }
}

impl Clean for ClusterExec {
    fn clean(&mut self) {
        let ClusterExec { kms_key, logging } = self;
        kms_key.clean();
        logging.clean();
    }
}

impl Clean for Image {
    fn clean(&mut self) {
        let Image {
            repository,
            tags,
            digest,
            pushed_at: _,
            size_bytes: _,
            findings: _,
            used_by,
        } = self;
        repository.clean();
        digest.clean();
        tags.clean();
        used_by.clean();
    }
}

impl Clean for Alarm {
    fn clean(&mut self) {
        let Alarm {
            name,
            kind: _,
            state: _,
            reason,
            updated_at: _,
            spec,
        } = self;
        name.clean();
        reason.clean();
        spec.clean();
    }
}

impl Clean for AlarmSpec {
    fn clean(&mut self) {
        let AlarmSpec {
            arn,
            metric,
            threshold: _,
            comparison: _,
            evaluation_periods: _,
            datapoints_to_alarm: _,
            rule,
            behind_load_balancer,
        } = self;
        arn.clean();
        metric.clean();
        rule.clean();
        behind_load_balancer.clean();
    }
}

impl Clean for MetricSpec {
    fn clean(&mut self) {
        let MetricSpec {
            namespace,
            name,
            statistic,
            dimensions,
            period_secs: _,
        } = self;
        for s in [namespace, name, statistic] {
            s.clean();
        }
        for (k, v) in dimensions {
            k.clean();
            v.clean();
        }
    }
}

impl Clean for LogLine {
    fn clean(&mut self) {
        let LogLine {
            at: _,
            task_id,
            revision: _,
            message,
        } = self;
        task_id.clean();
        message.clean();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::At;
    use crate::model::{AlarmKind, AlarmState};

    #[test]
    fn an_alarm_is_cleaned_whole() {
        let a = Alarm {
            name: "pay\u{202E}ments-5xx".into(),
            kind: AlarmKind::Metric,
            state: AlarmState::Alarm,
            reason: "Threshold \u{1b}[2JCrossed\u{202C}".into(),
            updated_at: At(0),
            spec: AlarmSpec {
                rule: Some("ALARM(\u{1b}]0;x\u{7}a)".into()),
                ..AlarmSpec::default()
            },
        }
        .cleaned();
        assert_eq!(a.name, "payments-5xx");
        assert_eq!(a.reason, "Threshold [2JCrossed");
        assert_eq!(a.spec.rule.as_deref(), Some("ALARM(]0;xa)"));
    }
}
