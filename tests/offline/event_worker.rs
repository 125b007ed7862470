//! The event worker against a queue that answers from the test, on tokio's paused clock: a
//! message is deleted only after the re-read of what it names reached the loop, never when
//! the re-read failed; a malformed message is counted once however often it comes; losing the
//! queue is said and has the pollers poll, and its return is said too.

use async_trait::async_trait;
use deckwatch::cloud::Fleet;
use deckwatch::model::At;
use deckwatch::model::{
    Alarm, AwsCall, ContextInfo, Delivery, EcsEvent, EventAck, EventChange, EventLevel,
    EventSource, Image, LogPage, LogQuery, LogSources, LogTarget, Service, ServiceKey, ServiceRef,
    Skipped, Task,
};
use deckwatch::model::{ApiError, ApiResult, ErrorKind};
use deckwatch::state::Msg;
use deckwatch::state::feed::FeedReport;
use deckwatch::workers::events::{self, FeedConfig, Links, Moved, Reread};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// A queue: each receive takes the next batch (or an error), or waits 20 s and brings none.
#[derive(Default)]
struct Queue {
    batches: Mutex<VecDeque<ApiResult<Vec<Delivery>>>>,
    deleted: Mutex<Vec<String>>,
}

fn nope() -> ApiError {
    ApiError::new(ErrorKind::Other, "not in this test")
}

#[async_trait]
impl Fleet for Queue {
    async fn context(&self) -> ApiResult<ContextInfo> {
        Err(nope())
    }
    async fn services(&self) -> ApiResult<Vec<Service>> {
        Err(nope())
    }
    async fn tasks(&self, _: Option<&ServiceKey>) -> ApiResult<Vec<Task>> {
        Err(nope())
    }
    async fn images(&self) -> ApiResult<Vec<Image>> {
        Err(nope())
    }
    async fn alarms(&self) -> ApiResult<Vec<Alarm>> {
        Err(nope())
    }
    async fn log_sources(&self, _: &LogTarget) -> ApiResult<LogSources> {
        Err(nope())
    }
    async fn log_page(&self, _: &LogQuery, _: Option<String>) -> ApiResult<LogPage> {
        Err(nope())
    }
    async fn act(&self, _: &ServiceKey, _: &AwsCall) -> ApiResult<()> {
        Err(nope())
    }
    fn event_source(&self) -> Option<EventSource> {
        Some(EventSource::Queue("https://sqs.test/1/q".into()))
    }
    async fn receive_events(&self) -> ApiResult<Vec<Delivery>> {
        let next = self.batches.lock().unwrap().pop_front();
        match next {
            Some(b) => b,
            None => {
                tokio::time::sleep(Duration::from_secs(20)).await;
                Ok(Vec::new())
            }
        }
    }
    async fn events_applied(&self, acks: &[EventAck]) -> ApiResult<usize> {
        let mut d = self.deleted.lock().unwrap();
        d.extend(acks.iter().map(|a| a.0.clone()));
        Ok(0)
    }
}

fn web() -> ServiceRef {
    ServiceRef {
        cluster: Some("prod".into()),
        name: "web".into(),
    }
}

fn announcing_web(id: &str) -> Delivery {
    Delivery {
        id: id.into(),
        event: Ok(EcsEvent {
            id: format!("ev-{id}"),
            at: At(1_790_000_000_000),
            change: EventChange::ServiceAction {
                service: web(),
                name: "SERVICE_STEADY_STATE".into(),
                level: EventLevel::Info,
                reason: String::new(),
            },
        }),
        ack: Some(EventAck(format!("receipt-{id}"))),
    }
}

fn malformed(id: &str) -> Delivery {
    Delivery {
        id: id.into(),
        event: Err(Skipped::Malformed("not JSON".into())),
        ack: Some(EventAck(format!("receipt-{id}"))),
    }
}

struct Run {
    queue: Arc<Queue>,
    rereads: mpsc::Receiver<Reread>,
    live: watch::Receiver<bool>,
    msgs: mpsc::Receiver<Msg>,
}

fn start(batches: Vec<ApiResult<Vec<Delivery>>>) -> Run {
    start_with(batches, false)
}

fn start_with(batches: Vec<ApiResult<Vec<Delivery>>>, read_only: bool) -> Run {
    let queue = Arc::new(Queue {
        batches: Mutex::new(batches.into()),
        ..Queue::default()
    });
    let fleet: Arc<dyn Fleet> = if read_only {
        Arc::new(deckwatch::cloud::ReadOnly(queue.clone()))
    } else {
        queue.clone()
    };
    let (reread, rereads) = mpsc::channel(8);
    let (live_tx, live) = watch::channel(false);
    let links = Links {
        reread,
        moved: Arc::new(watch::channel(Moved::default()).0),
        live: live_tx,
    };
    let (tx, msgs) = mpsc::channel(64);
    let cfg = FeedConfig {
        poll: Duration::from_secs(2),
        live_tail: true,
    };
    tokio::spawn(events::run(fleet, tx, links, cfg));
    Run {
        queue,
        rereads,
        live,
        msgs,
    }
}

fn deleted(r: &Run) -> Vec<String> {
    r.queue.deleted.lock().unwrap().clone()
}

/// The reports the worker sent so far.
fn reports(r: &mut Run) -> Vec<FeedReport> {
    let mut out = Vec::new();
    while let Ok(m) = r.msgs.try_recv() {
        if let Msg::Feed(f) = m {
            out.push(f);
        }
    }
    out
}

#[tokio::test(start_paused = true)]
async fn a_message_is_deleted_only_once_what_it_names_reached_the_loop() {
    let mut r = start(vec![Ok(vec![announcing_web("1"), malformed("2")])]);
    let ask = r.rereads.recv().await.expect("web is read again");
    assert_eq!(ask.services, vec![web()]);
    // The re-read has not reached the loop yet: nothing is deleted, however long it takes.
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert!(deleted(&r).is_empty(), "{:?}", deleted(&r));
    ask.done.send(true).unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(deleted(&r), ["receipt-1", "receipt-2"]);
    assert!(
        *r.live.borrow(),
        "events arrive: the pollers only reconcile"
    );
    let counts = reports(&mut r)
        .into_iter()
        .filter_map(|f| match f {
            FeedReport::Counts(c) => Some(c),
            _ => None,
        })
        .next_back()
        .expect("counts reported");
    assert_eq!((counts.applied, counts.skipped), (1, 1));
    assert_eq!(counts.newest, Some(At(1_790_000_000_000)));
}

#[tokio::test(start_paused = true)]
async fn a_message_whose_re_read_failed_stays_in_the_queue() {
    let mut r = start(vec![Ok(vec![announcing_web("1")])]);
    let ask = r.rereads.recv().await.unwrap();
    ask.done.send(false).unwrap();
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert!(deleted(&r).is_empty(), "{:?}", deleted(&r));
}

#[tokio::test(start_paused = true)]
async fn a_malformed_message_delivered_again_is_counted_once_and_deleted_again() {
    let mut r = start(vec![Ok(vec![malformed("7")]), Ok(vec![malformed("7")])]);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(deleted(&r), ["receipt-7", "receipt-7"]);
    let skipped: Vec<u64> = reports(&mut r)
        .into_iter()
        .filter_map(|f| match f {
            FeedReport::Counts(c) => Some(c.skipped),
            _ => None,
        })
        .collect();
    assert_eq!(skipped, [1], "counted once, reported once");
    assert!(r.rereads.try_recv().is_err(), "nothing to read again");
}

#[tokio::test(start_paused = true)]
async fn losing_the_queue_is_said_and_the_pollers_poll_until_it_is_back() {
    let gone = ApiError::new(ErrorKind::Other, "QueueDoesNotExist: no such queue");
    let mut r = start(vec![Ok(Vec::new()), Err(gone), Ok(Vec::new())]);
    tokio::time::sleep(Duration::from_millis(10)).await;
    // Up at the first answer, then lost at the next.
    let seen = reports(&mut r);
    assert!(
        matches!(&seen[..], [FeedReport::Up(_), FeedReport::Lost(why)] if why.contains("QueueDoesNotExist")),
        "{seen:?}"
    );
    assert!(!*r.live.borrow(), "lost: the pollers poll");
    // Retried after the backoff: back.
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert!(*r.live.borrow());
    assert!(matches!(&reports(&mut r)[..], [FeedReport::Up(_)]));
}

#[tokio::test(start_paused = true)]
async fn a_read_only_console_deletes_nothing_from_its_queue() {
    let mut r = start_with(vec![Ok(vec![announcing_web("1"), malformed("2")])], true);
    let ask = r
        .rereads
        .recv()
        .await
        .expect("web is read again all the same");
    ask.done.send(true).unwrap();
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert!(deleted(&r).is_empty(), "{:?}", deleted(&r));
}

/// A log group followed with Live Tail: the session's updates come from the test.
struct Group {
    updates: Mutex<Option<mpsc::Receiver<deckwatch::model::LiveUpdate>>>,
    polls: Mutex<usize>,
}

#[async_trait]
impl Fleet for Group {
    async fn context(&self) -> ApiResult<ContextInfo> {
        Err(nope())
    }
    async fn services(&self) -> ApiResult<Vec<Service>> {
        Err(nope())
    }
    async fn tasks(&self, _: Option<&ServiceKey>) -> ApiResult<Vec<Task>> {
        Err(nope())
    }
    async fn images(&self) -> ApiResult<Vec<Image>> {
        Err(nope())
    }
    async fn alarms(&self) -> ApiResult<Vec<Alarm>> {
        Err(nope())
    }
    async fn log_sources(&self, _: &LogTarget) -> ApiResult<LogSources> {
        Err(nope())
    }
    async fn log_page(&self, _: &LogQuery, _: Option<String>) -> ApiResult<LogPage> {
        *self.polls.lock().unwrap() += 1;
        Ok(LogPage::default())
    }
    async fn act(&self, _: &ServiceKey, _: &AwsCall) -> ApiResult<()> {
        Err(nope())
    }
    fn event_source(&self) -> Option<EventSource> {
        Some(EventSource::LogGroup("/deckwatch/ecs-events".into()))
    }
    async fn live_tail(
        &self,
        _: &deckwatch::model::LiveQuery,
    ) -> Result<deckwatch::cloud::LiveStream, deckwatch::model::LiveEnd> {
        use futures::StreamExt;
        let rx = self.updates.lock().unwrap().take();
        match rx {
            Some(rx) => Ok(tokio_stream_of(rx).map(Ok).boxed()),
            None => Err(deckwatch::model::LiveEnd::Unavailable(
                "one session only".into(),
            )),
        }
    }
    /// The log group's messages are the EventBridge envelope, as the rule writes them.
    fn read_event(&self, message: &str) -> Result<EcsEvent, Skipped> {
        match message {
            "web" => announcing_web("x").event,
            other => Err(Skipped::Malformed(other.into())),
        }
    }
    async fn events_applied(&self, acks: &[EventAck]) -> ApiResult<usize> {
        panic!("a log group has nothing to delete: {acks:?}")
    }
}

fn tokio_stream_of<T: Send + 'static>(
    mut rx: mpsc::Receiver<T>,
) -> impl futures::Stream<Item = T> + Send {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

fn line(stream: &str, at: i64, message: &str) -> deckwatch::model::RawEvent {
    deckwatch::model::RawEvent {
        group: "/deckwatch/ecs-events".into(),
        stream: stream.into(),
        at: At(at),
        ingested: At(at),
        message: message.into(),
    }
}

#[tokio::test(start_paused = true)]
async fn a_log_group_is_followed_live_and_each_event_applied_once() {
    use deckwatch::model::LiveUpdate;
    let (session, updates) = mpsc::channel(8);
    let group = Arc::new(Group {
        updates: Mutex::new(Some(updates)),
        polls: Mutex::new(0),
    });
    let (reread, mut rereads) = mpsc::channel(8);
    let (live_tx, live) = watch::channel(false);
    let links = Links {
        reread,
        moved: Arc::new(watch::channel(Moved::default()).0),
        live: live_tx,
    };
    let (tx, mut msgs) = mpsc::channel(64);
    let cfg = FeedConfig {
        poll: Duration::from_secs(2),
        live_tail: true,
    };
    tokio::spawn(events::run(group.clone(), tx, links, cfg));
    session
        .send(LiveUpdate::Started {
            session: "s".into(),
        })
        .await
        .unwrap();
    let batch = vec![line("a", 1, "web"), line("b", 2, "garbage")];
    session
        .send(LiveUpdate::Events {
            events: batch.clone(),
            sampled: false,
        })
        .await
        .unwrap();
    let ask = rereads.recv().await.unwrap();
    assert_eq!(ask.services, vec![web()]);
    ask.done.send(true).unwrap();
    // The same lines again (a session overlapping the last): neither applied nor counted.
    session
        .send(LiveUpdate::Events {
            events: batch,
            sampled: false,
        })
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(rereads.try_recv().is_err());
    assert!(*live.borrow());
    let mut reports = Vec::new();
    while let Ok(Msg::Feed(f)) = msgs.try_recv() {
        reports.push(f);
    }
    assert!(
        matches!(&reports[0], FeedReport::Up(how) if how.ends_with("live")),
        "{reports:?}"
    );
    let last = reports
        .iter()
        .rev()
        .find_map(|f| match f {
            FeedReport::Counts(c) => Some(c.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!((last.applied, last.skipped), (1, 1));
    // The read that fills the gap before the session: one FilterLogEvents.
    assert_eq!(*group.polls.lock().unwrap(), 1);
}
