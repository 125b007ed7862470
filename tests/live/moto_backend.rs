//! The AWS backend against moto server: seed through the SDK, then check that every `Fleet`
//! method returns the right domain models, and that a refresh makes the minimum of calls.
//!
//! Run with `scripts/moto.sh cargo test` (these tests fail without `DECKWATCH_MOTO_URL`).
//! Every test uses its own uniquely named clusters, repositories, alarms and log groups, so
//! they share one moto server and run in parallel without resetting it.

use crate::support::{counting, moto, seed};
use aws_sdk_cloudwatch::types::StateValue;
use counting::CallCounter;
use deckwatch::cloud::Fleet;
use deckwatch::model::At;
use deckwatch::model::{
    AlarmKind, AlarmState, DeploymentStatus, GroupSpec, LogQuery, LogTarget, ServiceKey, Strategy,
};
use seed::{Seeder, TaskDefSpec, now_ms, task_id};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fleet_reads_every_pane_from_moto() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let cluster = moto::unique("dw");
    let repo = moto::unique("web");
    let group = format!("/ecs/{repo}");
    seed.cluster(&cluster).await;

    // Two images; the service runs v2, the worker still runs v1.
    let uri = seed.repo(&repo).await;
    let d1 = seed
        .push_image(&repo, "v1", &format!("{repo}-1"), 1111)
        .await;
    let d2 = seed
        .push_image(&repo, "v2", &format!("{repo}-2"), 2222)
        .await;
    let web_family = format!("{repo}-web");
    let worker_family = format!("{repo}-worker");
    let image_v1 = format!("{uri}:v1");
    let image_v2 = format!("{uri}:v2");
    let td_web_1 = seed
        .task_def(TaskDefSpec {
            family: &web_family,
            container: "app",
            image: &image_v1,
            log_group: &group,
            stream_prefix: "ecs",
        })
        .await;
    let td_web_2 = seed
        .task_def(TaskDefSpec {
            family: &web_family,
            container: "app",
            image: &image_v2,
            log_group: &group,
            stream_prefix: "ecs",
        })
        .await;
    let td_worker = seed
        .task_def(TaskDefSpec {
            family: &worker_family,
            container: "worker",
            image: &image_v1,
            log_group: &group,
            stream_prefix: "ecs",
        })
        .await;
    assert!(
        td_web_1.ends_with(":1") && td_web_2.ends_with(":2"),
        "{td_web_1} {td_web_2}"
    );

    seed.service(&cluster, "web", &td_web_2, 2).await;
    seed.service(&cluster, "worker", &td_worker, 1).await;
    let web_tasks = seed.run_tasks(&cluster, &td_web_2, "web", 3).await;
    let worker_tasks = seed.run_tasks(&cluster, &td_worker, "worker", 1).await;
    seed.stop_task(
        &cluster,
        &web_tasks[2],
        "Essential container in task exited",
    )
    .await;

    let alarm_high = format!("{repo}-cpu-high");
    let alarm_ok = format!("{repo}-5xx");
    seed.alarm(
        &alarm_high,
        StateValue::Alarm,
        "Threshold Crossed: 1 datapoint [95.0]",
    )
    .await;
    seed.alarm(&alarm_ok, StateValue::Ok, "Threshold not crossed")
        .await;

    let now = now_ms();
    let minute = now - now.rem_euclid(60_000);
    let cpu: Vec<(i64, f64)> = (1..=5)
        .map(|i| (minute - (6 - i) * 60_000 + 1_000, 10.0 * i as f64))
        .collect();
    let mem: Vec<(i64, f64)> = (1..=5)
        .map(|i| (minute - (6 - i) * 60_000 + 1_000, 50.0 + i as f64))
        .collect();
    seed.metric(&cluster, "web", "CPUUtilization", &cpu).await;
    seed.metric(&cluster, "web", "MemoryUtilization", &mem)
        .await;

    seed.log_group(&group).await;
    let t0 = task_id(&web_tasks[0]);
    let t1 = task_id(&web_tasks[1]);
    let s0 = format!("ecs/app/{t0}");
    let s1 = format!("ecs/app/{t1}");
    // The stopped task's stream: its last line says why it stopped.
    let t2 = task_id(&web_tasks[2]);
    let s2 = format!("ecs/app/{t2}");
    seed.log_stream(&group, &s0).await;
    seed.log_stream(&group, &s1).await;
    seed.log_stream(&group, &s2).await;
    // A worker stream in the same group must not show up in web's logs.
    let sw = format!("ecs/worker/{}", task_id(&worker_tasks[0]));
    seed.log_stream(&group, &sw).await;
    let base = now - 60_000;
    seed.log_events(
        &group,
        &s0,
        &[(base, "GET /health 200"), (base + 2_000, "GET /orders 200")],
    )
    .await;
    seed.log_events(&group, &s1, &[(base + 1_000, "GET /health 200 (t1)")])
        .await;
    seed.log_events(&group, &s2, &[(base + 1_500, "fatal: out of memory")])
        .await;
    seed.log_events(&group, &sw, &[(base + 500, "worker tick")])
        .await;

    let counter = CallCounter::default();
    let fleet = moto::fleet(&url, &[&cluster], vec![counter.interceptor()]).await;

    // context
    let ctx = fleet.context().await.expect("context");
    assert_eq!(ctx.account, moto::ACCOUNT);
    assert_eq!(ctx.region, moto::REGION);
    assert_eq!(ctx.clusters, vec![cluster.clone()]);

    // services
    let services = fleet.services().await.expect("services");
    assert_eq!(services.len(), 2, "{services:#?}");
    let web = services
        .iter()
        .find(|s| s.name == "web")
        .expect("web service");
    assert_eq!(web.cluster, cluster);
    assert!(
        web.arn.ends_with(&format!("service/{cluster}/web")),
        "{}",
        web.arn
    );
    assert_eq!(web.status.to_string(), "ACTIVE");
    assert_eq!(web.desired, 2);
    assert_eq!(web.task_def.family, web_family);
    assert_eq!(web.task_def.revision, 2);
    assert_eq!(web.image_tag, "v2");
    assert_eq!(web.strategy, Strategy::Rolling);
    assert!(web.native.is_none());
    // moto drops deploymentConfiguration, so no circuit breaker comes back (its mapping is
    // covered by the unit tests of `services`).
    assert_eq!(web.circuit_breaker, None);
    let primary = web.primary().expect("primary deployment");
    assert_eq!(primary.status, DeploymentStatus::Primary);
    assert_eq!(primary.task_def.revision, 2);
    assert_eq!(primary.desired, 2);
    assert!(primary.id.starts_with("ecs-svc/"), "{}", primary.id);
    // CPU and memory come from their own worker, never with the rows.
    assert!(web.cpu.is_empty() && web.mem.is_empty());
    let worker = services
        .iter()
        .find(|s| s.name == "worker")
        .expect("worker service");
    assert_eq!(worker.image_tag, "v1");
    let util = fleet
        .utilisation(&[web.key(), worker.key()])
        .await
        .expect("utilisation");
    assert_eq!(util[0].cpu, vec![10.0, 20.0, 30.0, 40.0, 50.0]);
    assert_eq!(util[0].mem, vec![51.0, 52.0, 53.0, 54.0, 55.0]);
    assert!(util[1].cpu.is_empty(), "worker has no datapoints");

    // tasks of one service: two running, one stopped
    let web_key = ServiceKey {
        cluster: cluster.clone(),
        name: "web".into(),
    };
    let tasks = fleet.tasks(Some(&web_key)).await.expect("tasks");
    assert_eq!(tasks.len(), 3, "{tasks:#?}");
    assert!(
        tasks
            .iter()
            .all(|t| t.service == "web" && t.cluster == cluster)
    );
    let running: Vec<_> = tasks
        .iter()
        .filter(|t| t.desired_status.as_str() == "RUNNING")
        .collect();
    assert_eq!(running.len(), 2);
    for t in &running {
        assert_eq!(t.task_def.revision, 2);
        assert_eq!(t.last_status.to_string(), "RUNNING");
        assert!(
            t.private_ip.split('.').count() == 4,
            "private ip {:?}",
            t.private_ip
        );
        assert!(web_tasks.contains(&t.arn));
        assert_eq!(t.id, task_id(&t.arn));
    }
    let stopped = tasks
        .iter()
        .find(|t| t.desired_status.as_str() == "STOPPED")
        .expect("stopped task");
    assert_eq!(stopped.id, task_id(&web_tasks[2]));
    assert_eq!(stopped.stop_reason, "Essential container in task exited");
    // Running first, then stopped.
    assert_eq!(tasks[2].desired_status.to_string(), "STOPPED");

    // tasks of every service
    let all = fleet.tasks(None).await.expect("all tasks");
    assert_eq!(all.len(), 4);
    assert_eq!(all.iter().filter(|t| t.service == "worker").count(), 1);

    // images, joined to the services through their task definitions
    let images = fleet.images().await.expect("images");
    let mine: Vec<_> = images.iter().filter(|i| i.repository == repo).collect();
    assert_eq!(mine.len(), 2, "{mine:#?}");
    let v1 = mine
        .iter()
        .find(|i| i.tags == vec!["v1".to_string()])
        .expect("v1");
    let v2 = mine
        .iter()
        .find(|i| i.tags == vec!["v2".to_string()])
        .expect("v2");
    assert_eq!(v1.digest, d1);
    assert_eq!(v2.digest, d2);
    assert!(v1.digest.starts_with("sha256:"));
    assert_eq!(v1.size_bytes, 1111);
    assert_eq!(v2.size_bytes, 2222);
    assert!(v1.pushed_at > At(0));
    // moto leaves out the scan summary from describe_images.
    assert_eq!(v1.findings, None);
    assert_eq!(v1.used_by, vec!["worker".to_string()]);
    assert_eq!(v2.used_by, vec!["web".to_string()]);

    // alarms, both states
    let alarms = fleet.alarms().await.expect("alarms");
    let high = alarms
        .iter()
        .find(|a| a.name == alarm_high)
        .expect("alarm in ALARM");
    assert_eq!(high.state, AlarmState::Alarm);
    assert_eq!(high.kind, AlarmKind::Metric);
    assert_eq!(high.reason, "Threshold Crossed: 1 datapoint [95.0]");
    assert!(high.updated_at > At(0));
    let ok = alarms
        .iter()
        .find(|a| a.name == alarm_ok)
        .expect("alarm in OK");
    assert_eq!(ok.state, AlarmState::Ok);

    // logs: where they are (the group, the container's stream prefix, the tasks' streams,
    // the stopped task's too, the worker's not), then a read by prefix, in time order.
    let target = LogTarget::service(web_key.clone());
    let sources = fleet.log_sources(&target).await.expect("log sources");
    assert_eq!(
        sources.groups,
        vec![GroupSpec {
            group: group.clone(),
            prefixes: vec!["ecs/app/".into()],
        }]
    );
    let mut streams: Vec<(&str, &str, u32)> = sources
        .streams
        .iter()
        .map(|(_, s, t)| (s.as_str(), t.task.as_str(), t.revision))
        .collect();
    streams.sort();
    let mut want = vec![
        (s0.as_str(), t0.as_str(), 2),
        (s1.as_str(), t1.as_str(), 2),
        (s2.as_str(), t2.as_str(), 2),
    ];
    want.sort();
    assert_eq!(streams, want);
    let q = LogQuery {
        group: sources.groups[0].clone(),
        from: At(base - 1),
        to: None,
        pattern: None,
    };
    let page = fleet.log_page(&q, None).await.expect("logs");
    let got: Vec<(&str, &str)> = page
        .events
        .iter()
        .map(|e| (e.message.as_str(), e.stream.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("GET /health 200", s0.as_str()),
            ("GET /health 200 (t1)", s1.as_str()),
            ("fatal: out of memory", s2.as_str()),
            ("GET /orders 200", s0.as_str()),
        ]
    );
    assert_eq!(page.next, None);

    // Every pane's reads went to moto through the real clients.
    for op in [
        "GetCallerIdentity",
        "ListServices",
        "DescribeServices",
        "DescribeTaskDefinition",
        "ListTaskDefinitions",
        "ListTasks",
        "DescribeTasks",
        "DescribeRepositories",
        "DescribeImages",
        "DescribeAlarms",
        "GetMetricData",
        "FilterLogEvents",
    ] {
        assert!(
            counter.get(op) > 0,
            "{op} was not sent: {:?}",
            counter.snapshot()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_refresh_of_25_services_makes_the_minimum_of_calls() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let cluster = moto::unique("count");
    seed.cluster(&cluster).await;
    let family = moto::unique("count-app");
    let group = format!("/ecs/{family}");
    let spec = |image| TaskDefSpec {
        family: &family,
        container: "app",
        image,
        log_group: &group,
        stream_prefix: "ecs",
    };
    let td1 = seed.task_def(spec("example/app:1")).await;
    let td2 = seed.task_def(spec("example/app:2")).await;
    for i in 0..25 {
        let td = if i % 2 == 0 { &td1 } else { &td2 };
        seed.service(&cluster, &format!("svc-{i:02}"), td, 1).await;
    }
    for i in 0..25 {
        let td = if i % 2 == 0 { &td1 } else { &td2 };
        seed.run_tasks(&cluster, td, &format!("svc-{i:02}"), 1)
            .await;
    }

    let counter = CallCounter::default();
    let fleet = moto::fleet(&url, &[&cluster], vec![counter.interceptor()]).await;

    let services = fleet.services().await.expect("services");
    assert_eq!(services.len(), 25);
    let calls = counter.snapshot();
    assert_eq!(counter.get("ListServices"), 1, "{calls:?}");
    assert_eq!(counter.get("DescribeServices"), 3, "{calls:?}");
    assert_eq!(counter.get("DescribeTaskDefinition"), 2, "{calls:?}");
    // CPU and memory are the metrics worker's: a refresh never waits for GetMetricData.
    assert_eq!(counter.get("GetMetricData"), 0, "{calls:?}");
    // Rolling services never ask for native deployments.
    assert_eq!(counter.get("ListServiceDeployments"), 0, "{calls:?}");
    assert_eq!(counter.get("DescribeServiceDeployments"), 0, "{calls:?}");
    // Where a rollback would go: one list per family and revision in use.
    assert_eq!(counter.get("ListTaskDefinitions"), 2, "{calls:?}");
    assert_eq!(calls.values().sum::<usize>(), 8, "{calls:?}");
    let on = |i: usize| {
        services
            .iter()
            .find(|s| s.name == format!("svc-{i:02}"))
            .unwrap()
    };
    assert_eq!(
        on(1).previous_task_def.as_ref().map(|t| t.revision),
        Some(1),
        "svc on :2 rolls back to :1"
    );
    assert_eq!(on(0).previous_task_def, None, "nothing below :1");

    // A second refresh describes no task definition again: their ARNs are immutable.
    counter.reset();
    fleet.services().await.expect("services again");
    assert_eq!(
        counter.get("DescribeTaskDefinition"),
        0,
        "{:?}",
        counter.snapshot()
    );
    assert_eq!(counter.get("DescribeServices"), 3);
    assert_eq!(
        counter.get("ListTaskDefinitions"),
        0,
        "the previous revisions are cached"
    );

    // The tasks of all 25 services: one list per desired status, one describe.
    counter.reset();
    let tasks = fleet.tasks(None).await.expect("tasks");
    assert_eq!(tasks.len(), 25);
    let calls = counter.snapshot();
    assert_eq!(counter.get("ListTasks"), 2, "{calls:?}");
    assert_eq!(counter.get("DescribeTasks"), 1, "{calls:?}");
    assert_eq!(calls.values().sum::<usize>(), 3, "{calls:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_load_reports_each_cluster_as_it_is_read() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let family = moto::unique("parts");
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: "nginx:1",
            log_group: &format!("/ecs/{family}"),
            stream_prefix: "ecs",
        })
        .await;
    let clusters: Vec<String> = (0..3)
        .map(|i| moto::unique(&format!("dw-part{i}")))
        .collect();
    for (i, c) in clusters.iter().enumerate() {
        seed.cluster(c).await;
        for n in 0..=i {
            seed.service(c, &format!("svc-{n}"), &td, 1).await;
        }
    }
    let names: Vec<&str> = clusters.iter().map(String::as_str).collect();
    let fleet = moto::fleet(&url, &names, Vec::new()).await;

    let parts = std::sync::Mutex::new(Vec::new());
    let sink = |rows: Vec<deckwatch::model::Service>, done: usize, total: usize| {
        parts.lock().unwrap().push((rows.len(), done, total));
    };
    let all = fleet
        .services_in_parts(&sink)
        .await
        .expect("services in parts");
    let parts = parts.into_inner().unwrap();
    // Two parts (the third cluster completes the whole list), each larger than the last.
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert_eq!((parts[0].1, parts[0].2), (1, 3));
    assert_eq!((parts[1].1, parts[1].2), (2, 3));
    assert!(
        parts[0].0 >= 1 && parts[0].0 < parts[1].0 && parts[1].0 < 6,
        "{parts:?}"
    );
    // The whole list is what services() returns, in the same order.
    let keys = |v: &[deckwatch::model::Service]| v.iter().map(|s| s.key()).collect::<Vec<_>>();
    assert_eq!(all.len(), 6);
    assert_eq!(keys(&all), keys(&fleet.services().await.expect("services")));
}
