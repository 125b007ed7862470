use super::*;
use crate::model::At;
use crate::model::{
    Deployment, DeploymentStatus, RolloutState, ServiceRef, ServiceStatus, Strategy, TaskDefRef,
};

/// A settled service: one completed deployment, every desired task running.
fn row(cluster: &str, name: &str) -> Service {
    let task_def = TaskDefRef {
        family: name.into(),
        revision: 3,
    };
    let primary = Deployment {
        id: "ecs-svc/1".into(),
        status: DeploymentStatus::Primary,
        rollout_state: RolloutState::Completed,
        rollout_reason: String::new(),
        task_def: task_def.clone(),
        desired: 2,
        running: 2,
        pending: 0,
        failed_tasks: 0,
        created_at: At(0),
        updated_at: At(0),
    };
    Service {
        cluster: cluster.into(),
        name: name.into(),
        arn: arn(cluster, name),
        status: ServiceStatus::Active,
        desired: 2,
        running: 2,
        pending: 0,
        task_def,
        image_tag: "v3".into(),
        created_at: At(0),
        strategy: Strategy::Rolling,
        circuit_breaker: None,
        deployments: vec![primary],
        native: None,
        events: Vec::new(),
        canary_of: None,
        previous_task_def: None,
        cpu: Vec::new(),
        mem: Vec::new(),
        targets: Vec::new(),
        target_groups: Vec::new(),
        routes: Vec::new(),
        routes_error: None,
        alternate_target_groups: Vec::new(),
        watched_alarms: Vec::new(),
        alarm_tags: Vec::new(),
        history: Vec::new(),
        build: None,
        controller: Default::default(),
        task_sets: Vec::new(),
        codedeploy: None,
        exec_enabled: false,
        tags: Vec::new(),
        footprint: Default::default(),
        cost_per_hour: None,
    }
}

fn arn(cluster: &str, name: &str) -> String {
    format!("arn:aws:ecs:us-east-1:1:service/{cluster}/{name}")
}

fn entry(s: Service) -> Entry {
    Entry {
        row: s,
        images: Vec::new(),
        read_at: Instant::now(),
    }
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("s{i:02}")).collect()
}

fn rotation(cover_secs: u64) -> ServicesAsk {
    ServicesAsk {
        cover: Duration::from_secs(cover_secs),
        ..ServicesAsk::everything()
    }
}

/// Known reads `n` settled services of cluster `c` at the start.
fn loaded(c: &str, n: usize) -> Known {
    let known = Known::default();
    let arns: Vec<String> = names(n).iter().map(|s| arn(c, s)).collect();
    let plan = known.plan(
        c,
        Some(arns.clone()),
        &ServicesAsk::everything(),
        Instant::now(),
    );
    assert_eq!(plan.describe, arns, "a first read describes every service");
    let read = names(n).iter().map(|s| entry(row(c, s))).collect();
    known.store(c, &plan.describe, read, Instant::now());
    known
}

#[tokio::test(start_paused = true)]
async fn the_rotation_reads_every_settled_service_within_its_cover_in_full_calls() {
    let known = loaded("c", 25);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut calls = 0;
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_secs(10)).await;
        let plan = known.plan("c", None, &rotation(60), Instant::now());
        assert_eq!(plan.describe.len() % DESCRIBE_BATCH, 0, "{plan:?}");
        calls += plan.describe.len() / DESCRIBE_BATCH;
        for a in &plan.describe {
            *seen.entry(a.clone()).or_default() += 1;
        }
        let read = plan
            .describe
            .iter()
            .map(|a| entry(row("c", super::super::parse::last_segment(a))))
            .collect();
        known.store("c", &plan.describe, read, Instant::now());
    }
    assert_eq!(seen.len(), 25, "every service read within the cover");
    // 25 services a minute, 10 a call: 3 calls would do; the rounding costs at most one more.
    assert!(calls <= 4, "{calls} calls in a minute");
}

#[tokio::test(start_paused = true)]
async fn moving_changed_new_and_gone_services_are_read_at_once_and_nothing_else() {
    let known = loaded("c", 30);
    tokio::time::sleep(Duration::from_secs(1)).await;
    // One starts moving.
    let mut moving = row("c", "s03");
    moving.running = 1;
    known.store("c", &[arn("c", "s03")], vec![entry(moving)], Instant::now());
    let only_moving = ServicesAsk {
        list: false,
        rotate: false,
        ..ServicesAsk::everything()
    };
    let plan = known.plan("c", None, &only_moving, Instant::now());
    assert_eq!(
        plan.describe.len(),
        10,
        "one call: s03 and nine others filling it"
    );
    assert!(plan.describe.contains(&arn("c", "s03")));
    // An event names s07, and s99 that was created since the list was read.
    let event = ServicesAsk::changed(
        vec![
            ServiceRef::of(&ServiceKey {
                cluster: "c".into(),
                name: "s07".into(),
            }),
            ServiceRef {
                cluster: Some("c".into()),
                name: "s99".into(),
            },
        ],
        Vec::new(),
    );
    let plan = known.plan("c", None, &event, Instant::now());
    assert!(plan.describe.contains(&arn("c", "s07")));
    assert!(plan.describe.contains(&"s99".to_string()), "{plan:?}");
    assert_eq!(plan.describe.len(), 10);
    // A fresh list without s00 and with s30: s30 is read, s00 dropped.
    let mut listed: Vec<String> = names(31).iter().skip(1).map(|s| arn("c", s)).collect();
    listed.sort();
    let plan = known.plan("c", Some(listed), &only_moving, Instant::now());
    assert!(plan.describe.contains(&arn("c", "s30")));
    assert!(!plan.describe.contains(&arn("c", "s00")));
    assert!(known.rows("c").iter().all(|r| r.name != "s00"));
}

#[tokio::test(start_paused = true)]
async fn a_service_asked_for_and_not_found_is_gone() {
    let known = loaded("c", 3);
    let rows = known.store("c", &[arn("c", "s01")], Vec::new(), Instant::now());
    let left: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(left, ["s00", "s02"]);
}

#[tokio::test(start_paused = true)]
async fn focus_health_is_read_once_when_settled_and_again_while_it_moves() {
    let known = Known::default();
    let s = row("c", "web");
    let focus = vec![s.key()];
    let every = Duration::from_secs(6);
    assert!(known.health_due(&focus, &s, every, Instant::now()));
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert!(
        !known.health_due(&focus, &s, every, Instant::now()),
        "settled"
    );
    let mut moving = s.clone();
    moving.running = 1;
    assert!(known.health_due(&focus, &moving, every, Instant::now()));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!known.health_due(&focus, &moving, every, Instant::now()));
    // Another focus reads it again at once.
    assert!(known.health_due(&[], &s, every, Instant::now()));
}
