//! Who owns the demo's services, and who changed them from outside the console: a
//! CloudFormation stack for payments, a CDK stack for checkout, a stack the ECS console created
//! for search, Copilot for notifications, a Terraform tag on prod-core's api. And the calls
//! CloudTrail would have recorded: the pipeline's deploys, an on-call engineer's scale, and the
//! console's own calls (marked as such).

use crate::demo::world::World;
use crate::model::owner::{
    COPILOT_APP, COPILOT_ENV, COPILOT_SVC, ECS_CONSOLE_PREFIX, Stack, TemplateService,
    TemplateValue,
};
use crate::model::trail::TrailEvent;
use crate::model::{At, Ms, ServiceKey};

/// Calls the simulated CloudTrail keeps, at most.
pub const TRAIL_KEPT: usize = 1_000;

/// The tags a demo service carries.
pub fn tags(cluster: &str, name: &str) -> Vec<(String, String)> {
    let pairs: &[(&str, &str)] = match (cluster, name) {
        ("prod-core", "api") => &[("ManagedBy", "terraform"), ("team", "platform")],
        ("prod-edge", "notifications") => &[
            (COPILOT_APP, "acme"),
            (COPILOT_ENV, "prod"),
            (COPILOT_SVC, "notifications"),
        ],
        _ => &[],
    };
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The stack that lists the service named by `arn`, as CloudFormation would answer.
pub fn stack_of(arn: &str) -> Option<Stack> {
    let (cluster, name) = {
        let mut parts = arn.rsplit('/');
        let name = parts.next()?;
        (parts.next()?, name)
    };
    let literal = |v: &str| TemplateValue::Literal(v.into());
    let own_task_def = TemplateValue::Expression("Ref TaskDefinition".into());
    let stack = |name: String, cdk_path: Option<&str>, desired: TemplateValue| Stack {
        name,
        logical_id: "Service".into(),
        cdk_path: cdk_path.map(str::to_string),
        template: Ok(TemplateService {
            desired,
            task_def: own_task_def.clone(),
        }),
    };
    Some(match (cluster, name) {
        ("prod-core", "payments") => stack("payments-prod".into(), None, literal("4")),
        ("prod-core", "checkout") => stack(
            "CheckoutProd".into(),
            Some("CheckoutProd/Service/Service"),
            TemplateValue::Parameter {
                name: "DesiredCount".into(),
                value: Some("4".into()),
            },
        ),
        ("prod-core", "search") => stack(
            format!("{ECS_CONSOLE_PREFIX}search-prod-core-7f3a"),
            None,
            literal("2"),
        ),
        ("prod-edge", "notifications") => {
            stack("acme-prod-notifications".into(), None, literal("2"))
        }
        _ => return None,
    })
}

/// The pipeline's role, which deploys what GitHub Actions built.
pub fn pipeline(w: &World) -> String {
    format!("arn:aws:iam::{}:role/github-actions-deploy", w.account)
}

/// The demo's console user.
pub fn console_user(w: &World) -> String {
    format!("arn:aws:iam::{}:user/deckwatch-demo", w.account)
}

/// Records a call as CloudTrail would.
pub fn note(
    w: &mut World,
    at: At,
    key: &ServiceKey,
    name: &str,
    params: Vec<(String, String)>,
    who: String,
    by_console: bool,
) {
    let id = format!("{:016x}-{}", at.millis(), w.trail.len());
    w.trail.push_back((
        key.clone(),
        TrailEvent {
            id,
            at,
            name: name.into(),
            who,
            params,
            error: None,
            by_console,
        },
    ));
    while w.trail.len() > TRAIL_KEPT {
        w.trail.pop_front();
    }
}

fn param(k: &str, v: impl ToString) -> (String, String) {
    (k.to_string(), v.to_string())
}

/// The pipeline's deploy of service `i`'s new revision: its registration and the update.
pub fn note_pipeline_deploy(w: &mut World, i: usize) {
    let (key, td) = (w.services[i].svc.key(), w.services[i].svc.task_def.clone());
    crate::demo::builds::pipeline_run(w, i, td.revision);
    let (now, who) = (w.now, pipeline(w));
    let family = vec![param("family", &td.family)];
    note(
        w,
        now,
        &key,
        "RegisterTaskDefinition",
        family,
        who.clone(),
        false,
    );
    let update = vec![param("taskDefinition", &td)];
    note(w, now, &key, "UpdateService", update, who, false);
}

/// Before the demo opens, an on-call engineer scaled payments from the AWS console.
pub fn seed(w: &mut World) {
    let Some(i) = w.services.iter().position(|s| s.svc.name == "payments") else {
        return;
    };
    let key = w.services[i].svc.key();
    let who = format!("arn:aws:iam::{}:user/ops-oncall", w.account);
    let desired = w.services[i].svc.desired;
    let at = w.start - Ms::hours(3);
    note(
        w,
        at,
        &key,
        "UpdateService",
        vec![param("desiredCount", desired)],
        who,
        false,
    );
}

/// The events about `key` (or its `family`) in the span, newest first.
pub fn trail(w: &World, key: &ServiceKey, span: (At, At)) -> Vec<TrailEvent> {
    let mut out: Vec<TrailEvent> = w
        .trail
        .iter()
        .filter(|(k, e)| k == key && e.at >= span.0 && e.at <= span.1)
        .map(|(_, e)| e.clone())
        .collect();
    out.reverse();
    out
}

/// The console's own ECS call, as CloudTrail records it (its user agent names the console).
pub fn note_console(w: &mut World, key: &ServiceKey, call: &crate::model::AwsCall) {
    use crate::model::AwsCall;
    let (name, params) = match call {
        AwsCall::ContinueHook { proceed, .. } => (
            "ContinueServiceDeployment",
            vec![param(
                "action",
                if *proceed { "CONTINUE" } else { "ROLLBACK" },
            )],
        ),
        AwsCall::StopDeployment { .. } => {
            ("StopServiceDeployment", vec![param("stopType", "ROLLBACK")])
        }
        AwsCall::UpdateService {
            task_def,
            desired,
            force,
        } => {
            let mut p = Vec::new();
            if let Some(n) = desired {
                p.push(param("desiredCount", n));
            }
            if let Some(td) = task_def {
                p.push(param("taskDefinition", td));
            }
            if *force {
                p.push(param("forceNewDeployment", true));
            }
            ("UpdateService", p)
        }
        _ => return,
    };
    let (now, who) = (w.now, console_user(w));
    note(w, now, key, name, params, who, true);
}

/// The revisions of `family` registered since `since` (and the one before), newest first:
/// each registered two minutes after its image was pushed, by the pipeline.
pub fn revisions(
    w: &World,
    family: &str,
    since: At,
) -> Vec<crate::model::timeline::build::Registered> {
    let Some(s) = w.services.iter().find(|s| s.svc.task_def.family == family) else {
        return Vec::new();
    };
    let mut out: Vec<_> = w
        .images
        .iter()
        .filter(|i| i.repository == s.repo)
        .filter_map(|i| {
            let rev = i.tags.iter().find_map(|t| revision_of_tag(t))?;
            Some(crate::model::timeline::build::Registered {
                task_def: crate::model::TaskDefRef {
                    family: family.to_string(),
                    revision: rev,
                },
                at: (i.pushed_at + Ms::mins(2)).min(w.now),
                by: pipeline(w),
                images: vec![format!("{}:{}", i.repository, World::image_tag(rev))],
            })
        })
        .filter(|r| r.at <= w.now)
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.at));
    let keep = out.iter().take_while(|r| r.at >= since).count() + 1;
    out.truncate(keep);
    out
}

/// `v1.43.0` → 43.
fn revision_of_tag(tag: &str) -> Option<u32> {
    tag.strip_prefix("v1.")?.strip_suffix(".0")?.parse().ok()
}
