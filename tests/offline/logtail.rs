//! The log worker on tokio's paused clock, against a scripted backend: each Live Tail session
//! is a channel the test feeds, FilterLogEvents answers from a store. Live, the fallback to
//! polling and back, reconnects with their gap filled once, the three-hour replacement with its
//! overlap, sampling, new tasks attributed, the 15 s sources, backlog progress and `Esc`, and
//! coming back to the pane without reading the backlog again.

use async_trait::async_trait;
use deckwatch::cloud::{Fleet, LiveStream};
use deckwatch::model::At;
use deckwatch::model::Ms;
use deckwatch::model::{
    Alarm, ApiResult, AwsCall, ContextInfo, GroupSpec, Image, LiveEnd, LiveQuery, LiveUpdate,
    LogPage, LogQuery, LogSources, LogTag, LogTarget, RawEvent, Service, ServiceKey, Task,
};
use deckwatch::state::logs::{BacklogEnd, LogFollow, LogStart, TailMode, TailStatus};
use deckwatch::state::{Msg, Pane, Watch};
use deckwatch::workers::logtail::{self, LIVE_RETRY, OVERLAP, ROTATE_AFTER, TailConfig};
use futures::StreamExt;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

type Item = Result<LiveUpdate, LiveEnd>;

/// A backend whose Live Tail sessions and FilterLogEvents answers the test controls.
#[derive(Default)]
struct Fake {
    /// What each StartLiveTail gives, in turn: a session fed by the test, or why none.
    sessions: Mutex<VecDeque<Result<mpsc::UnboundedReceiver<Item>, LiveEnd>>>,
    /// Events FilterLogEvents finds (filtered by the query's window).
    store: Mutex<Vec<RawEvent>>,
    /// When set, every page holds one event and a token for the next.
    one_per_page: bool,
    owners: Mutex<Vec<(String, Option<LogTag>)>>,
    live_calls: AtomicUsize,
    page_calls: AtomicUsize,
    sources_calls: AtomicUsize,
    owners_calls: AtomicUsize,
}

const GROUP: &str = "/ecs/web";

fn tag(task: &str, revision: u32) -> LogTag {
    LogTag {
        task: task.into(),
        revision,
        side: deckwatch::model::LogSide::Primary,
    }
}

fn ev(task: &str, at: i64, msg: &str) -> RawEvent {
    RawEvent {
        group: GROUP.into(),
        stream: format!("ecs/app/{task}"),
        at: At(at),
        ingested: At(at + 100),
        message: msg.into(),
    }
}

#[async_trait]
impl Fleet for Fake {
    async fn context(&self) -> ApiResult<ContextInfo> {
        Ok(ContextInfo::default())
    }
    async fn services(&self) -> ApiResult<Vec<Service>> {
        Ok(Vec::new())
    }
    async fn tasks(&self, _: Option<&ServiceKey>) -> ApiResult<Vec<Task>> {
        Ok(Vec::new())
    }
    async fn images(&self) -> ApiResult<Vec<Image>> {
        Ok(Vec::new())
    }
    async fn alarms(&self) -> ApiResult<Vec<Alarm>> {
        Ok(Vec::new())
    }
    async fn act(&self, _: &ServiceKey, _: &AwsCall) -> ApiResult<()> {
        Ok(())
    }
    async fn log_sources(&self, _: &LogTarget) -> ApiResult<LogSources> {
        self.sources_calls.fetch_add(1, Ordering::SeqCst);
        Ok(LogSources {
            groups: vec![GroupSpec {
                group: GROUP.into(),
                prefixes: vec!["ecs/app/".into()],
            }],
            streams: vec![(GROUP.into(), "ecs/app/t1".into(), tag("t1", 42))],
            attribute: true,
        })
    }
    async fn log_owners(
        &self,
        _: &LogTarget,
        streams: &[(String, String)],
    ) -> ApiResult<Vec<Option<LogTag>>> {
        self.owners_calls.fetch_add(1, Ordering::SeqCst);
        let known = self.owners.lock().unwrap();
        Ok(streams
            .iter()
            .map(|(_, s)| {
                known
                    .iter()
                    .find(|(k, _)| s.ends_with(k.as_str()))
                    .and_then(|(_, t)| t.clone())
            })
            .collect())
    }
    async fn log_page(&self, q: &LogQuery, token: Option<String>) -> ApiResult<LogPage> {
        self.page_calls.fetch_add(1, Ordering::SeqCst);
        if self.one_per_page {
            // A page takes time, as over the network.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let skip: usize = token.and_then(|t| t.parse().ok()).unwrap_or(0);
        let found: Vec<RawEvent> = self
            .store
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.at >= q.from && q.to.is_none_or(|t| e.at < t))
            .cloned()
            .collect();
        if !self.one_per_page {
            return Ok(LogPage {
                events: found,
                ..LogPage::default()
            });
        }
        Ok(LogPage {
            events: found.get(skip).cloned().into_iter().collect(),
            next: (skip + 1 < found.len()).then(|| (skip + 1).to_string()),
            undecodable: Vec::new(),
        })
    }
    async fn live_tail(&self, _: &LiveQuery) -> Result<LiveStream, LiveEnd> {
        self.live_calls.fetch_add(1, Ordering::SeqCst);
        let next = self.sessions.lock().unwrap().pop_front();
        match next {
            Some(Ok(rx)) => {
                Ok(futures::stream::unfold(
                    rx,
                    |mut rx| async move { Some((rx.recv().await?, rx)) },
                )
                .boxed())
            }
            Some(Err(e)) => Err(e),
            None => Err(LiveEnd::Unavailable("no more scripted sessions".into())),
        }
    }
}

impl Fake {
    /// A session for the next StartLiveTail; the test feeds it through the sender.
    fn session(&self) -> mpsc::UnboundedSender<Item> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.sessions.lock().unwrap().push_back(Ok(rx));
        tx
    }

    fn no_session(&self, why: LiveEnd) {
        self.sessions.lock().unwrap().push_back(Err(why));
    }

    fn calls(n: &AtomicUsize) -> usize {
        n.load(Ordering::SeqCst)
    }
}

/// What the worker sent the loop.
#[derive(Default)]
struct Seen {
    lines: Vec<(LogTag, String)>,
    statuses: Vec<TailStatus>,
    backlog: Vec<deckwatch::state::logs::Backlog>,
    failures: Vec<String>,
}

struct Run {
    fake: Arc<Fake>,
    watch: watch::Sender<Watch>,
    seen: Arc<Mutex<Seen>>,
    _refresh: watch::Sender<u64>,
}

fn follow(start: LogStart, generation: u64) -> Watch {
    Watch {
        pane: Pane::Logs,
        service: None,
        partner: None,
        fast: false,
        acting: false,
        sort: None,
        logs: Some(LogFollow {
            target: LogTarget::service(ServiceKey {
                cluster: "c".into(),
                name: "web".into(),
            }),
            pattern: None,
            start,
            generation,
            cancel_backlog: false,
        }),
    }
}

fn start(fake: Fake, start: LogStart, live: bool) -> Run {
    let fake = Arc::new(fake);
    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let (watch, watch_rx) = watch::channel(follow(start, 1));
    let (refresh, refresh_rx) = watch::channel(0u64);
    let cfg = TailConfig {
        poll: Duration::from_secs(2),
        live,
    };
    tokio::spawn(logtail::run(fake.clone(), tx, watch_rx, refresh_rx, cfg));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let s = seen.clone();
    tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            let mut s = s.lock().unwrap();
            match m {
                Msg::LogFeed(_, chunk, _) => {
                    for (i, l) in chunk.lines.iter().enumerate() {
                        let t = chunk.tags[l.tag as usize].clone();
                        s.lines.push((t, chunk.text_of(i).to_string()));
                    }
                }
                Msg::LogStatus(_, st) => s.statuses.push(st),
                Msg::LogBacklog(_, b) => s.backlog.push(b),
                Msg::Failed(_, e, _) => s.failures.push(e.message),
                _ => {}
            }
        }
    });
    Run {
        fake,
        watch,
        seen,
        _refresh: refresh,
    }
}

impl Run {
    fn messages(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .lines
            .iter()
            .map(|(_, m)| m.clone())
            .collect()
    }
    fn status(&self) -> TailStatus {
        self.seen
            .lock()
            .unwrap()
            .statuses
            .last()
            .cloned()
            .unwrap_or_default()
    }
}

async fn wait(secs: f64) {
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
}

fn now() -> i64 {
    deckwatch::timing::now_ms().millis()
}

fn updates(events: Vec<RawEvent>, sampled: bool) -> Item {
    Ok(LiveUpdate::Events { events, sampled })
}

fn started() -> Item {
    Ok(LiveUpdate::Started {
        session: "s".into(),
    })
}

#[tokio::test(start_paused = true)]
async fn unavailable_live_falls_back_to_polling_and_goes_live_when_it_can() {
    let fake = Fake::default();
    let t0 = now();
    fake.store
        .lock()
        .unwrap()
        .push(ev("t1", t0 - 1_000, "old line"));
    fake.no_session(LiveEnd::Unavailable(
        "the endpoint does not serve Live Tail (HTTP 404)".into(),
    ));
    let live = fake.session();
    let run = start(fake, LogStart::Recent, true);
    wait(5.0).await;
    match run.status().mode {
        TailMode::Polling { every, why } => {
            assert_eq!(every, Ms::secs(2));
            assert!(why.contains("does not serve Live Tail"), "{why}");
        }
        other => panic!("not polling: {other:?}"),
    }
    run.fake
        .store
        .lock()
        .unwrap()
        .push(ev("t1", now(), "polled line"));
    wait(3.0).await;
    assert_eq!(run.messages(), vec!["old line", "polled line"]);
    assert_eq!(Fake::calls(&run.fake.live_calls), 1);
    // After LIVE_RETRY, live again.
    live.send(started()).unwrap();
    wait(LIVE_RETRY.as_secs_f64()).await;
    assert_eq!(Fake::calls(&run.fake.live_calls), 2);
    assert_eq!(run.status().mode, TailMode::Live);
    live.send(updates(vec![ev("t1", now(), "live line")], false))
        .unwrap();
    wait(0.1).await;
    assert_eq!(run.messages().last().unwrap(), "live line");
    // Nothing was read twice.
    assert_eq!(run.messages().len(), 3, "{:?}", run.messages());
}

#[tokio::test(start_paused = true)]
async fn a_broken_session_reconnects_shows_its_age_and_fills_the_gap_once() {
    let fake = Fake::default();
    let t0 = now();
    let first = fake.session();
    let second = fake.session();
    let run = start(fake, LogStart::Recent, true);
    first.send(started()).unwrap();
    let (e1, e2) = (ev("t1", t0 + 1, "one"), ev("t1", t0 + 2, "two"));
    first
        .send(updates(vec![e1.clone(), e2.clone()], false))
        .unwrap();
    wait(0.5).await;
    assert_eq!(run.status().mode, TailMode::Live);
    // The store now has what the session gave and one more, written while it was down.
    let e3 = ev("t1", t0 + 3, "three, in the gap");
    run.fake.store.lock().unwrap().extend([e1, e2, e3.clone()]);
    first
        .send(Err(LiveEnd::Broken("connection reset".into())))
        .unwrap();
    wait(0.5).await;
    let st = run.status();
    assert!(st.disconnected_since.is_some(), "{st:?}");
    assert!(matches!(st.mode, TailMode::Polling { .. }), "{st:?}");
    // The poll while down brought the gap's line; the new session repeats it, once.
    second.send(started()).unwrap();
    second
        .send(updates(vec![e3, ev("t1", t0 + 4, "four")], false))
        .unwrap();
    wait(2.0).await;
    let st = run.status();
    assert_eq!((st.mode, st.disconnected_since), (TailMode::Live, None));
    assert_eq!(
        run.messages(),
        vec!["one", "two", "three, in the gap", "four"]
    );
}

#[tokio::test(start_paused = true)]
async fn sessions_are_replaced_before_three_hours_with_an_overlap_and_no_repeats() {
    let fake = Fake::default();
    let first = fake.session();
    let second = fake.session();
    let run = start(fake, LogStart::Recent, true);
    first.send(started()).unwrap();
    wait(1.0).await;
    assert_eq!(Fake::calls(&run.fake.live_calls), 1);
    wait(ROTATE_AFTER.as_secs_f64() - 2.0).await;
    assert_eq!(Fake::calls(&run.fake.live_calls), 1, "not before its time");
    wait(2.0).await;
    assert_eq!(Fake::calls(&run.fake.live_calls), 2, "replaced before 3 h");
    // In the overlap both sessions give the same event: it shows once.
    let e = ev("t1", now(), "in both sessions");
    second.send(started()).unwrap();
    first.send(updates(vec![e.clone()], false)).unwrap();
    second.send(updates(vec![e], false)).unwrap();
    wait(1.0).await;
    assert_eq!(
        run.messages()
            .iter()
            .filter(|m| *m == "in both sessions")
            .count(),
        1
    );
    assert!(
        !first.is_closed(),
        "the old session runs through the overlap"
    );
    wait(OVERLAP.as_secs_f64()).await;
    assert!(first.is_closed(), "and is closed after it");
    assert!(!second.is_closed());
}

#[tokio::test(start_paused = true)]
async fn a_timeout_starts_the_next_session_at_once_and_sampling_is_counted() {
    let fake = Fake::default();
    let first = fake.session();
    let second = fake.session();
    let run = start(fake, LogStart::Recent, true);
    first.send(started()).unwrap();
    first.send(updates(Vec::new(), true)).unwrap();
    first.send(Err(LiveEnd::Timeout)).unwrap();
    second.send(started()).unwrap();
    second.send(updates(Vec::new(), true)).unwrap();
    wait(0.2).await;
    assert_eq!(Fake::calls(&run.fake.live_calls), 2);
    let st = run.status();
    assert_eq!(st.mode, TailMode::Live);
    assert_eq!(st.sampled, 2);
    assert_eq!(st.disconnected_since, None, "a timeout is not a disconnect");
}

#[tokio::test(start_paused = true)]
async fn a_new_task_is_attributed_with_one_lookup_and_other_streams_are_dropped() {
    let fake = Fake::default();
    fake.owners
        .lock()
        .unwrap()
        .push(("t2".into(), Some(tag("t2", 44))));
    let s = fake.session();
    let run = start(fake, LogStart::Recent, true);
    s.send(started()).unwrap();
    let t = now();
    let other = RawEvent {
        stream: "ecs/worker/t9".into(),
        ..ev("t9", t, "another container's")
    };
    s.send(updates(
        vec![ev("t1", t, "known"), ev("t2", t + 1, "new task"), other],
        false,
    ))
    .unwrap();
    s.send(updates(vec![ev("t2", t + 2, "new task again")], false))
        .unwrap();
    wait(3.0).await;
    let lines = run.seen.lock().unwrap().lines.clone();
    let got: Vec<(&str, u32, &str)> = lines
        .iter()
        .map(|(t, m)| (t.task.as_str(), t.revision, m.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("t1", 42, "known"),
            ("t2", 44, "new task"),
            ("t2", 44, "new task again")
        ]
    );
    assert_eq!(Fake::calls(&run.fake.owners_calls), 1);
}

#[tokio::test(start_paused = true)]
async fn the_streams_are_listed_at_most_every_15_s() {
    let fake = Fake::default();
    let s = fake.session();
    let run = start(fake, LogStart::Recent, true);
    s.send(started()).unwrap();
    for _ in 0..60 {
        s.send(updates(Vec::new(), false)).unwrap();
        wait(1.0).await;
    }
    let n = Fake::calls(&run.fake.sources_calls);
    assert!((4..=5).contains(&n), "{n} listings in 60 s");
    // Polling: the same.
    let fake = Fake::default();
    let run = start(fake, LogStart::Recent, false);
    wait(60.0).await;
    let n = Fake::calls(&run.fake.sources_calls);
    assert!((4..=5).contains(&n), "{n} listings in 60 s while polling");
    let pages = Fake::calls(&run.fake.page_calls);
    assert!((30..=32).contains(&pages), "{pages} polls in 60 s at 2 s");
}

#[tokio::test(start_paused = true)]
async fn a_backlog_shows_its_progress_and_esc_stops_it() {
    let mut fake = Fake {
        one_per_page: true,
        ..Fake::default()
    };
    let t0 = now();
    fake.store = Mutex::new(
        (0..50)
            .map(|i| ev("t1", t0 - 3_000_000 + i * 1000, &format!("line {i}")))
            .collect(),
    );
    let run = start(fake, LogStart::Since(At(t0 - 3_600_000)), false);
    // One page a call; stop after some.
    loop {
        wait(0.001).await;
        if run.seen.lock().unwrap().backlog.len() >= 5 {
            break;
        }
    }
    let mut w = follow(LogStart::Since(At(t0 - 3_600_000)), 1);
    w.logs.as_mut().unwrap().cancel_backlog = true;
    run.watch.send(w).unwrap();
    wait(1.0).await;
    let b = run.seen.lock().unwrap().backlog.clone();
    let last = b.last().unwrap();
    assert_eq!(last.end, Some(BacklogEnd::Cancelled));
    assert!(last.lines < 50 && last.lines >= 5, "{last:?}");
    assert_eq!(last.pages, last.lines);
    assert!(last.label.starts_with("since "), "{last:?}");
    assert!(b.windows(2).all(|p| p[0].lines <= p[1].lines));
}

#[tokio::test(start_paused = true)]
async fn coming_back_to_the_pane_goes_on_without_reading_the_backlog_again() {
    let fake = Fake::default();
    let t0 = now();
    fake.store
        .lock()
        .unwrap()
        .push(ev("t1", t0 - 60_000, "backlog line"));
    let run = start(fake, LogStart::Recent, false);
    wait(3.0).await;
    assert_eq!(run.messages(), vec!["backlog line"]);
    let mut away = follow(LogStart::Recent, 1);
    away.logs = None;
    run.watch.send(away).unwrap();
    wait(30.0).await;
    let calls = Fake::calls(&run.fake.page_calls);
    // Longer than the repeat filter remembers.
    wait(200.0).await;
    assert_eq!(
        Fake::calls(&run.fake.page_calls),
        calls,
        "no reads while away"
    );
    run.fake
        .store
        .lock()
        .unwrap()
        .push(ev("t1", now(), "while away"));
    run.watch.send(follow(LogStart::Recent, 1)).unwrap();
    wait(3.0).await;
    assert_eq!(run.messages(), vec!["backlog line", "while away"]);
    assert!(run.seen.lock().unwrap().failures.is_empty());
}
