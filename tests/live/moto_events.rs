//! ECS's events on moto: an EventBridge rule delivers `put_events` to an SQS queue or a
//! CloudWatch Logs group, the console reads them and re-reads just the service each names.
//! Each test changes a service on moto, publishes the documented event shape, and checks that
//! the screen follows within that one event, that it was the event's re-read that brought it
//! (one DescribeServices, no ListServices), and what becomes of the messages.

use crate::support::counting::CallCounter;
use crate::support::eventbus::{self, Bus, Delivers};
use crate::support::headless::Headless;
use crate::support::moto;
use crate::support::seed::{Seeder, TaskDefSpec};
use deckwatch::cloud::aws::{AwsFleet, AwsOptions, Overrides};
use deckwatch::model::EventSource;
use deckwatch::state::feed::FeedMode;
use deckwatch::state::{Pane, State};
use deckwatch::workers::poller::Intervals;
use std::sync::Arc;
use std::time::Duration;

/// A quick pace, so a test that falls back to polling sees it within seconds; with events the
/// full refresh is five minutes away, longer than any of these tests.
const IV: Intervals = Intervals {
    fast: Duration::from_secs(2),
    normal: Duration::from_secs(2),
    logs: Duration::from_secs(1),
    alarms: Duration::from_secs(60),
    live_tail: true,
    reconcile: Duration::from_secs(300),
};

struct Setup {
    url: String,
    seed: Seeder,
    cluster: String,
    bus: Bus,
}

/// A cluster with the service `web` (desired 2) and an EventBridge rule for ECS's events.
async fn setup() -> Setup {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let cluster = moto::unique("events");
    seed.cluster(&cluster).await;
    let family = moto::unique("web");
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: "example/web:1",
            log_group: &format!("/ecs/{family}"),
            stream_prefix: "ecs",
        })
        .await;
    seed.service(&cluster, "web", &td, 2).await;
    let bus = Bus::new(&url).await;
    Setup {
        url,
        seed,
        cluster,
        bus,
    }
}

/// The console on the services pane, reading events from `source`, its SDK calls counted.
async fn console(s: &Setup, source: EventSource, counter: &CallCounter) -> Headless {
    let opts = AwsOptions {
        events: Some(source),
        ..moto::options(&s.url, &[&s.cluster])
    };
    let overrides = Overrides {
        interceptors: vec![counter.interceptor()],
        credentials: Some(moto::credentials()),
        ..Overrides::default()
    };
    let fleet = AwsFleet::connect_with(opts, overrides).await.unwrap();
    let console = Headless::start(Arc::new(fleet), Pane::Services, IV);
    console
        .wait_until("web on screen and the events arriving", |st| {
            desired(st) == Some(2) && st.ctx.feed.is_up()
        })
        .await;
    // The reconciliation that follows the events' start, then quiet.
    tokio::time::sleep(Duration::from_secs(3)).await;
    console
}

fn desired(st: &State) -> Option<u32> {
    st.ctx
        .services
        .items
        .iter()
        .find(|s| s.name == "web")
        .map(|s| s.desired)
}

async fn scale(s: &Setup, to: i32) {
    s.seed
        .ecs
        .update_service()
        .cluster(&s.cluster)
        .service("web")
        .desired_count(to)
        .send()
        .await
        .expect("update_service");
}

/// Changes web's desired count on moto, publishes `event`, and checks the screen follows with
/// one DescribeServices and no ListServices.
async fn change_then_announce(
    s: &Setup,
    console: &Headless,
    counter: &CallCounter,
    to: i32,
    (kind, (resources, detail)): (&str, (Vec<String>, serde_json::Value)),
) {
    let (listed, described) = (counter.get("ListServices"), counter.get("DescribeServices"));
    scale(s, to).await;
    s.bus.publish(kind, &resources, detail).await;
    console
        .wait_until(&format!("web at {to} after the {kind}"), |st| {
            desired(st) == Some(to as u32)
        })
        .await;
    assert_eq!(
        counter.get("ListServices"),
        listed,
        "a full refresh ran: the {kind} was not what brought the change"
    );
    assert_eq!(
        counter.get("DescribeServices"),
        described + 1,
        "the {kind} re-read just web"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_documented_event_shape_from_the_queue_brings_its_change_and_is_then_deleted() {
    let s = setup().await;
    let queue = s.bus.queue().await;
    s.bus.rule(Delivers::Queue(queue.clone())).await;
    let counter = CallCounter::default();
    let console = console(&s, EventSource::Queue(queue.clone()), &counter).await;

    // Changed on moto but not announced: nothing polls it in.
    scale(&s, 7).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(console.with(desired), Some(2), "polled, not announced");

    let c = &s.cluster;
    let shapes = [
        (
            "ECS Deployment State Change",
            eventbus::deployment(c, "web", "SERVICE_DEPLOYMENT_IN_PROGRESS"),
        ),
        (
            "ECS Service Action",
            eventbus::service_action(c, "web", "SERVICE_STEADY_STATE"),
        ),
        (
            "ECS Task State Change",
            eventbus::task(c, "web", "0123456789abcdef0123456789abcdef", "RUNNING"),
        ),
    ];
    for (i, shape) in shapes.into_iter().enumerate() {
        change_then_announce(&s, &console, &counter, 5 + i as i32, shape).await;
    }
    assert_eq!(console.with(|st| st.ctx.feed.counts.applied), 3);
    assert_eq!(console.with(|st| st.ctx.feed.counts.skipped), 0);
    // Applied, then deleted: nothing waits in the queue or in flight.
    for _ in 0..50 {
        if s.bus.queued(&queue).await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(s.bus.queued(&queue).await, 0, "a message was not deleted");
    assert!(counter.get("ReceiveMessage") >= 1);
    assert!(
        counter.get("DeleteMessageBatch") >= 1,
        "DeleteMessage, in batches"
    );
    // No tasks pane on screen: a task event reads no tasks.
    assert_eq!(counter.get("ListTasks"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_foreign_messages_are_skipped_counted_once_and_deleted() {
    let s = setup().await;
    let queue = s.bus.queue().await;
    s.bus.rule(Delivers::Queue(queue.clone())).await;
    let counter = CallCounter::default();
    let console = console(&s, EventSource::Queue(queue.clone()), &counter).await;

    // Not JSON, straight into the queue; and an ECS event of a type the console does not read.
    s.bus
        .sqs
        .send_message()
        .queue_url(&queue)
        .message_body("this is not an event")
        .send()
        .await
        .unwrap();
    let (resources, detail) = eventbus::service_action(&s.cluster, "web", "x");
    s.bus
        .publish("ECS Container Instance State Change", &resources, detail)
        .await;
    console
        .wait_until("two skipped", |st| st.ctx.feed.counts.skipped == 2)
        .await;
    let last = console.with(|st| st.ctx.feed.counts.last_skip.clone().unwrap_or_default());
    assert!(
        last.contains("foreign") || last.contains("malformed"),
        "{last}"
    );
    // Nothing re-read for them, and they are not counted again later.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(console.with(|st| st.ctx.feed.counts.skipped), 2);
    assert_eq!(console.with(|st| st.ctx.feed.counts.applied), 0);
    assert_eq!(
        s.bus.queued(&queue).await,
        0,
        "skipped messages are deleted"
    );
    // ReceiveMessage brought them; DeleteMessage (in a batch) took them out.
    assert!(counter.get("ReceiveMessage") >= 1);
    assert!(counter.get("DeleteMessageBatch") >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_through_a_log_group_bring_the_change_and_the_group_keeps_them() {
    let s = setup().await;
    let group = format!("/deckwatch/ecs-events/{}", moto::unique("g"));
    s.seed.log_group(&group).await;
    s.bus.rule(Delivers::LogGroup(group.clone())).await;
    let counter = CallCounter::default();
    let console = console(&s, EventSource::LogGroup(group.clone()), &counter).await;
    // moto's Live Tail ends at once: the group is read with FilterLogEvents.
    let how = console.with(|st| st.ctx.feed.mode.clone());
    assert!(
        matches!(&how, FeedMode::Up(h) if h.contains(&group)),
        "{how:?}"
    );
    let shape = (
        "ECS Deployment State Change",
        eventbus::deployment(&s.cluster, "web", "SERVICE_DEPLOYMENT_COMPLETED"),
    );
    change_then_announce(&s, &console, &counter, 4, shape).await;
    // Read again by the next polls, it is not applied again.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(console.with(|st| st.ctx.feed.counts.applied), 1);
    assert!(counter.get("FilterLogEvents") >= 2);
    assert_eq!(counter.get("DeleteMessageBatch"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_the_queue_falls_back_to_polling_and_says_so() {
    let s = setup().await;
    let queue = s.bus.queue().await;
    s.bus.rule(Delivers::Queue(queue.clone())).await;
    let counter = CallCounter::default();
    let console = console(&s, EventSource::Queue(queue.clone()), &counter).await;

    s.bus
        .sqs
        .delete_queue()
        .queue_url(&queue)
        .send()
        .await
        .unwrap();
    // The next ReceiveMessage fails: the queue does not exist.
    console
        .wait_until("the events said lost", |st| {
            matches!(st.ctx.feed.mode, FeedMode::Lost(_))
        })
        .await;
    let flash = console.with(|st| st.flash.clone().map(|(f, _)| f).unwrap_or_default());
    assert!(flash.contains("events lost, polling instead"), "{flash}");
    // Polling again: a change nobody announces (the queue is gone) reaches the screen, read by
    // a poll's DescribeServices. (Not counted by ListServices: a refresh already under way when
    // the scale lands may read it without listing again.)
    let described = counter.get("DescribeServices");
    scale(&s, 6).await;
    console
        .wait_until("web at 6, polled", |st| desired(st) == Some(6))
        .await;
    assert!(counter.get("DescribeServices") > described, "it was polled");
    assert!(console.with(|st| matches!(st.ctx.feed.mode, FeedMode::Lost(_))));
}
