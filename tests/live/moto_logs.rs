//! The log worker against moto through the real SDK clients: moto's Live Tail sends what it
//! holds and closes at once, which is not a session to follow, so the worker falls back to
//! FilterLogEvents polling and says why; `:since` reads the
//! backlog from then, a server-side pattern (plain terms: moto ignores other patterns) keeps
//! only its lines, a stopped task's last lines are there with its tag, and the calls a minute
//! with the logs pane open are counted.

use crate::support::{counting, moto, seed};
use counting::CallCounter;
use deckwatch::cloud::Fleet;
use deckwatch::model::At;
use deckwatch::model::Ms;
use deckwatch::model::{LogTarget, ServiceKey};
use deckwatch::state::logs::{BacklogEnd, LogFollow, LogStart, TailMode};
use deckwatch::state::{Msg, Pane, Watch};
use deckwatch::workers::logtail::{self, TailConfig};
use seed::{Seeder, TaskDefSpec, now_ms, task_id};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// A service `web` with two running tasks and one stopped a moment ago, each with lines:
/// (cluster, the three task ids, the follow's target).
async fn seeded(url: &str) -> (String, Vec<String>, LogTarget) {
    moto::freeze_tasks(url);
    let seed = Seeder::new(url).await;
    let cluster = moto::unique("logs");
    let family = moto::unique("logs-web");
    let group = format!("/ecs/{family}");
    seed.cluster(&cluster).await;
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: "nginx:1",
            log_group: &group,
            stream_prefix: "ecs",
        })
        .await;
    seed.service(&cluster, "web", &td, 2).await;
    let arns = seed.run_tasks(&cluster, &td, "web", 3).await;
    seed.stop_task(&cluster, &arns[2], "Essential container in task exited")
        .await;
    let ids: Vec<String> = arns.iter().map(|a| task_id(a)).collect();
    seed.log_group(&group).await;
    let now = now_ms();
    for (i, id) in ids.iter().enumerate() {
        let stream = format!("ecs/app/{id}");
        seed.log_stream(&group, &stream).await;
        let old = format!("ERROR three hours ago {i}");
        let info = format!("INFO served {i}");
        let err = format!("ERROR upstream refused {i}");
        seed.log_events(
            &group,
            &stream,
            &[
                (now - 3 * 3_600_000, &old),
                (now - 60_000, &info),
                (now - 50_000, &err),
            ],
        )
        .await;
    }
    let last = format!("ecs/app/{}", ids[2]);
    seed.log_events(&group, &last, &[(now - 40_000, "fatal: out of memory")])
        .await;
    let target = LogTarget::service(ServiceKey {
        cluster: cluster.clone(),
        name: "web".into(),
    });
    (cluster, ids, target)
}

struct Seen {
    lines: Vec<(String, u32, String)>,
    modes: Vec<TailMode>,
    backlog_done: bool,
}

/// Runs the worker on `fleet` for `target` until `done` says so or `limit` passes.
async fn follow(
    fleet: Arc<dyn Fleet>,
    target: LogTarget,
    pattern: Option<&str>,
    start: LogStart,
    limit: Duration,
    done: impl Fn(&Seen) -> bool,
) -> Seen {
    let (tx, mut rx) = mpsc::channel(1024);
    let w = Watch {
        pane: Pane::Logs,
        service: None,
        partner: None,
        fast: false,
        acting: false,
        sort: None,
        logs: Some(LogFollow {
            target,
            pattern: pattern.map(str::to_string),
            start,
            generation: 1,
            cancel_backlog: false,
        }),
    };
    let (_w, watch_rx) = watch::channel(w);
    let (_r, refresh_rx) = watch::channel(0u64);
    let cfg = TailConfig {
        poll: Duration::from_secs(2),
        live: true,
    };
    let worker = tokio::spawn(logtail::run(fleet, tx, watch_rx, refresh_rx, cfg));
    let mut seen = Seen {
        lines: Vec::new(),
        modes: Vec::new(),
        backlog_done: false,
    };
    let deadline = tokio::time::Instant::now() + limit;
    while !done(&seen) && tokio::time::Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(500), rx.recv()).await {
            Ok(Some(Msg::LogFeed(_, chunk, _))) => {
                for (i, l) in chunk.lines.iter().enumerate() {
                    let t = &chunk.tags[l.tag as usize];
                    seen.lines
                        .push((t.task.clone(), t.revision, chunk.text_of(i).to_string()));
                }
            }
            Ok(Some(Msg::LogStatus(_, st))) => seen.modes.push(st.mode),
            Ok(Some(Msg::LogBacklog(_, b))) => seen.backlog_done |= b.end == Some(BacklogEnd::Done),
            Ok(Some(Msg::Failed(_, e, _))) => panic!("the follow failed: {e}"),
            _ => {}
        }
    }
    worker.abort();
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn since_with_a_pattern_polls_moto_and_keeps_the_stopped_task_s_last_line() {
    let url = moto::url();
    let (cluster, ids, target) = seeded(&url).await;
    let fleet: Arc<dyn Fleet> = Arc::new(moto::fleet(&url, &[&cluster], Vec::new()).await);
    let since = LogStart::Since(At(now_ms() - 2 * 3_600_000));
    let polling = |s: &Seen| matches!(s.modes.last(), Some(TailMode::Polling { .. }));
    let seen = follow(
        fleet,
        target,
        Some("ERROR"),
        since,
        Duration::from_secs(30),
        |s| s.backlog_done && polling(s),
    )
    .await;
    // moto does not serve Live Tail: polling, and the title says why.
    match seen.modes.last() {
        Some(TailMode::Polling { every, why }) => {
            assert_eq!(*every, Ms::secs(2));
            assert!(why.contains("Live Tail"), "{why}");
        }
        other => panic!("not polling: {other:?} ({:?})", seen.modes),
    }
    let mut got: Vec<(String, u32, String)> = seen.lines.clone();
    got.sort();
    let mut want: Vec<(String, u32, String)> = (0..3)
        .map(|i| (ids[i].clone(), 1, format!("ERROR upstream refused {i}")))
        .collect();
    want.sort();
    // Only the pattern's lines, none from before `since`, each tagged with its task.
    assert_eq!(got, want, "{:?}", seen.lines);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_task_s_last_lines_are_followed() {
    let url = moto::url();
    let (cluster, ids, target) = seeded(&url).await;
    let fleet: Arc<dyn Fleet> = Arc::new(moto::fleet(&url, &[&cluster], Vec::new()).await);
    let seen = follow(
        fleet,
        target,
        None,
        LogStart::Recent,
        Duration::from_secs(30),
        |s| s.lines.iter().any(|(_, _, m)| m.contains("out of memory")),
    )
    .await;
    let last = seen
        .lines
        .iter()
        .find(|(_, _, m)| m == "fatal: out of memory")
        .expect("the stopped task's last line");
    assert_eq!((last.0.as_str(), last.1), (ids[2].as_str(), 1));
    assert!(
        !seen
            .lines
            .iter()
            .any(|(_, _, m)| m.contains("three hours ago"))
    );
}

/// The logs pane left open for 30 s on moto: the calls it makes, by operation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_logs_pane_makes_few_calls_a_minute() {
    let url = moto::url();
    let (cluster, _, target) = seeded(&url).await;
    let counter = CallCounter::default();
    let fleet: Arc<dyn Fleet> =
        Arc::new(moto::fleet(&url, &[&cluster], vec![counter.interceptor()]).await);
    let secs = 30;
    let seen = follow(
        fleet,
        target,
        None,
        LogStart::Recent,
        Duration::from_secs(secs),
        |_| false,
    )
    .await;
    let calls = counter.snapshot();
    let per_minute = |op: &str| counter.get(op) * 60 / secs as usize;
    let ecs: usize = ["ListTasks", "DescribeTasks", "DescribeServices"]
        .iter()
        .map(|op| per_minute(op))
        .sum();
    let total: usize = calls.values().sum::<usize>() * 60 / secs as usize;
    println!("logs pane on moto, calls a minute: total {total}, ECS {ecs}, {calls:?} in {secs} s");
    // The streams are listed at most every 15 s (2 ListTasks, 1 DescribeTasks, 1
    // DescribeServices each): at most 3 listings in 30 s. Before, ListTasks and DescribeTasks
    // ran every second.
    assert!(counter.get("ListTasks") <= 6, "{calls:?}");
    assert!(counter.get("DescribeTasks") <= 3, "{calls:?}");
    assert!(counter.get("DescribeServices") <= 3, "{calls:?}");
    assert!(ecs <= 24, "{ecs} ECS calls a minute: {calls:?}");
    // FilterLogEvents: the backlog, the catch-up when a session opened, then one every 2 s;
    // and one StartLiveTail: moto's session ends at once, so it polls and tries again only
    // after a minute.
    assert!(
        counter.get("FilterLogEvents") <= secs as usize / 2 + 3,
        "{calls:?}"
    );
    assert_eq!(counter.get("StartLiveTail"), 1, "{calls:?}");
    // What moto's session did: it ended at once, so the pane polls and says why.
    let polled = seen.modes.iter().find_map(|m| match m {
        TailMode::Polling { why, .. } => Some(why.clone()),
        _ => None,
    });
    let why = polled.expect("the pane fell back to polling after StartLiveTail");
    assert!(!why.is_empty(), "{:?}", seen.modes);
    assert!(counter.get("FilterLogEvents") >= 1, "{calls:?}");
    // About one call a second, the one-time lookups (STS, the task definition) included.
    assert!(total <= 64, "{total} calls a minute: {calls:?}");
}
