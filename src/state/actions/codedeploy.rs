//! Planning for CODE_DEPLOY services, beside `plan.rs`: the same keys act through CodeDeploy.
//! `P` reroutes a deployment waiting for it (ContinueDeployment READY_WAIT) or ends the wait
//! before the original is terminated (TERMINATION_WAIT); `A` and `R` during a deployment stop
//! it with the traffic rolled back; `R` after one deploys the last stable revision from an
//! AppSpec the console writes. Every dialog names the deployment and its configuration.

use crate::model::codedeploy::{appspec, task_def_arn};
use crate::model::{
    ActionPlan, At, AwsCall, CdDeployment, CdWait, Change, CodeDeploy, Mutation, Refusal, Service,
    TrafficShape, Verb,
};

fn plan(s: &Service, verb: Verb, call: AwsCall, changes: Vec<Change>) -> ActionPlan {
    ActionPlan::single(s, verb, Mutation::Aws(call), changes)
}

/// The CodeDeploy side a plan acts through; None for a service ECS deploys itself.
pub fn of(s: &Service) -> Option<Result<&CodeDeploy, Refusal>> {
    if s.controller != crate::model::DeploymentController::CodeDeploy {
        return None;
    }
    Some(
        s.codedeploy
            .as_ref()
            .ok_or_else(|| Refusal::NoCodeDeployGroup(s.name.clone())),
    )
}

/// `d-ABC (Ready, waiting for reroute)`.
fn deployment_text(d: &CdDeployment) -> String {
    format!("{} ({}, {})", d.id, d.status, d.stage())
}

/// What the configuration does, for the row that names it: `unchanged: canary 10% for 5m,
/// then the rest`.
fn config_text(config: &str) -> String {
    format!("unchanged: {}", TrafficShape::of(config).text())
}

fn weight_text(d: &CdDeployment) -> String {
    d.replacement_weight()
        .map_or_else(|| "unknown".into(), |w| format!("{w:.0}%"))
}

/// Which revision each side runs, from the service's task sets.
fn original_revision(s: &Service, d: &CdDeployment) -> String {
    let set = d
        .original()
        .and_then(|o| s.task_sets.iter().find(|t| t.id == o.id));
    set.map_or_else(|| s.task_def.to_string(), |t| t.task_def.to_string())
}

/// `14:05:12 UTC`: when a wait ends by itself (the rollout view counts it down).
fn at_text(at: At) -> String {
    chrono::DateTime::from_timestamp_millis(at.millis()).map_or_else(
        || at.millis().to_string(),
        |t| t.format("%H:%M:%S UTC").to_string(),
    )
}

pub fn promote(s: &Service, cd: &CodeDeploy) -> Result<ActionPlan, Refusal> {
    let Some(d) = cd.in_flight() else {
        return Err(Refusal::CodeDeployWaitsForNothing {
            service: s.name.clone(),
            deployment: "(none in flight)".into(),
        });
    };
    let Some(wait) = d.waiting() else {
        return Err(Refusal::CodeDeployWaitsForNothing {
            service: s.name.clone(),
            deployment: deployment_text(d),
        });
    };
    let ends = d.wait_ends_at(&cd.group).map(at_text);
    let m = AwsCall::ContinueCodeDeploy {
        deployment_id: d.id.clone(),
        wait,
    };
    let mut changes = vec![
        Change::new("CodeDeploy deployment", deployment_text(d), "continued"),
        Change::new("configuration", &d.config, config_text(&d.config)),
    ];
    match wait {
        CdWait::Reroute => {
            changes.push(Change::new(
                "production traffic on the replacement",
                weight_text(d),
                format!(
                    "moved by the configuration ({})",
                    TrafficShape::of(&d.config).text()
                ),
            ));
            changes.push(Change::new(
                "task definition",
                original_revision(s, d),
                &d.task_def,
            ));
            changes.push(Change::new(
                "wait for reroute",
                ends.map_or("no limit read".into(), |at| format!("until {at}")),
                "ended now",
            ));
        }
        CdWait::Termination => changes.push(Change::new(
            "original task set (termination wait)",
            ends.map_or("kept".into(), |at| format!("kept until {at}")),
            "terminated now: the traffic is already on the replacement",
        )),
    }
    Ok(plan(s, Verb::Promote, m, changes))
}

/// Abort or roll back a deployment in flight: StopDeployment, the traffic back on the
/// original.
pub fn stop(s: &Service, cd: &CodeDeploy, verb: Verb) -> Result<ActionPlan, Refusal> {
    let d = cd
        .in_flight()
        .ok_or_else(|| Refusal::NoRollout(s.name.clone()))?;
    let m = AwsCall::StopCodeDeploy {
        deployment_id: d.id.clone(),
    };
    let changes = vec![
        Change::new(
            "CodeDeploy deployment",
            deployment_text(d),
            "Stopped, rolled back",
        ),
        Change::new("configuration", &d.config, config_text(&d.config)),
        Change::new(
            "production traffic on the replacement",
            weight_text(d),
            "0%: all back on the original",
        ),
        Change::new("task definition", &d.task_def, original_revision(s, d)),
    ];
    Ok(plan(s, verb, m, changes))
}

/// After a deployment: a new CodeDeploy deployment of the last stable revision.
pub fn redeploy_stable(s: &Service, cd: &CodeDeploy) -> Result<ActionPlan, Refusal> {
    if let Some(here) = s.rolled_back_here() {
        return Err(Refusal::AlreadyRolledBack {
            current: s.task_def.clone(),
            from: here.failed.revision_text(),
            how: here.by.text().to_string(),
        });
    }
    let target = match (s.last_stable(), &s.previous_task_def) {
        (Some(t), _) => t,
        (None, None) => return Err(Refusal::NoEarlierRevision(s.task_def.family.clone())),
        (None, Some(_)) => return Err(Refusal::NoStableRevision(s.task_def.family.clone())),
    };
    let g = &cd.group;
    let spec = appspec(
        &task_def_arn(&s.arn, &target.revision),
        &g.container,
        g.port,
    );
    let m = AwsCall::CreateCodeDeploy {
        application: g.application.clone(),
        group: g.name.clone(),
        appspec: spec,
    };
    let changes = vec![
        Change::new("task definition", &s.task_def, &target.revision),
        Change::new(
            "CodeDeploy deployment",
            "none in flight",
            format!("a new one in {}/{}", g.application, g.name),
        ),
        Change::new("configuration", &g.config, config_text(&g.config)),
    ];
    let mut out = plan(s, Verb::Rollback, m, changes);
    out.notes = target.why;
    Ok(out)
}

/// A deploy of a registered revision (`D`): CreateDeployment instead of UpdateService, and
/// the row that says so added to `changes`.
pub fn deploy_registered(
    s: &Service,
    cd: &CodeDeploy,
    mut changes: Vec<Change>,
) -> (Mutation, Vec<Change>) {
    let g = &cd.group;
    changes.push(Change::new(
        "CodeDeploy deployment",
        "none in flight",
        format!("a new one in {}/{} ({})", g.application, g.name, g.config),
    ));
    let m = Mutation::Aws(AwsCall::CreateCodeDeployToRegistered {
        application: g.application.clone(),
        group: g.name.clone(),
        service_arn: s.arn.clone(),
        container: g.container.clone(),
        port: g.port,
        family: s.task_def.family.clone(),
    });
    (m, changes)
}
