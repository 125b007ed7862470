//! The demo's task definitions in full: one container per family, its image the revision's,
//! a release variable that changes with every revision, and the secrets the service needs. A
//! bad revision of `payments` lost its `PAYMENTS_API_KEY`, which is why its tasks fail.

use crate::demo::world::World;
use crate::model::TaskDefRef;
use crate::model::taskdef::{ContainerDef, HealthCheck, LogConfig, PortMapping, TaskDefinition};

fn kv(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    v.sort();
    v
}

/// The one container of a revision; `bad` lost the payments key.
fn container(w: &World, repo: &str, family: &str, revision: u32, bad: bool) -> ContainerDef {
    let tag = World::image_tag(revision);
    let secret = |name: &str| {
        format!(
            "arn:aws:secretsmanager:{}:{}:secret:{repo}/{name}",
            w.region, w.account
        )
    };
    let mut secrets = vec![("DB_PASSWORD", secret("db-password"))];
    if family == "payments" && !bad {
        secrets.push(("PAYMENTS_API_KEY", secret("payments-api-key")));
    }
    ContainerDef {
        name: "app".into(),
        image: format!(
            "{}.dkr.ecr.{}.amazonaws.com/{repo}:{tag}",
            w.account, w.region
        ),
        environment: kv(&[
            ("RELEASE", tag.clone()),
            ("LOG_LEVEL", "info".into()),
            ("DB_HOST", format!("{repo}-db.internal")),
        ]),
        secrets: kv(&secrets),
        command: vec!["/app/server".into(), "--port=8080".into()],
        entry_point: Vec::new(),
        ports: vec![PortMapping {
            container_port: Some(8080),
            host_port: Some(8080),
            protocol: "tcp".into(),
            name: "http".into(),
        }],
        health_check: Some(HealthCheck {
            command: vec!["CMD-SHELL".into(), "curl -fs localhost:8080/healthz".into()],
            interval_secs: Some(15),
            timeout_secs: Some(5),
            retries: Some(3),
            start_period_secs: Some(10),
        }),
        log: Some(LogConfig {
            driver: "awslogs".into(),
            options: kv(&[
                ("awslogs-group", format!("/ecs/{repo}")),
                ("awslogs-region", w.region.clone()),
                ("awslogs-stream-prefix", "ecs".into()),
            ]),
            secret_options: Vec::new(),
        }),
        cpu: None,
        memory: None,
    }
}

/// The task definition `td`, or None when its family has no such revision registered.
pub fn describe(w: &World, td: &TaskDefRef) -> Option<TaskDefinition> {
    let family: Vec<_> = w
        .services
        .iter()
        .filter(|o| o.svc.task_def.family == td.family)
        .collect();
    let latest = family.iter().map(|o| o.latest_revision).max()?;
    if td.revision == 0 || td.revision > latest {
        return None;
    }
    let bad = family
        .iter()
        .any(|o| o.bad_revisions.contains(&td.revision));
    Some(TaskDefinition {
        task_def: td.clone(),
        cpu: "512".into(),
        memory: "1024".into(),
        containers: vec![container(w, &family[0].repo, &td.family, td.revision, bad)],
    })
}
