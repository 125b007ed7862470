//! ECS's events on moto: an EventBridge rule for `source` `aws.ecs` delivering to an SQS queue
//! or a CloudWatch Logs group, and the three documented event shapes published through
//! `put_events`, as ECS would send them after a change.

#![allow(dead_code)] // each test binary uses a part of the helpers

use super::moto;
use aws_sdk_eventbridge::types::{PutEventsRequestEntry, Target};
use aws_sdk_sqs::types::QueueAttributeName;

pub struct Bus {
    pub events: aws_sdk_eventbridge::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub rule: String,
    /// An event bus of the test's own: ECS publishes on the default bus, but the tests share
    /// one moto, and each must see only its own events.
    pub name: String,
}

/// Where a rule delivers.
pub enum Delivers {
    Queue(String),
    LogGroup(String),
}

impl Bus {
    pub async fn new(url: &str) -> Self {
        let sdk = moto::sdk_config(url).await;
        let events = aws_sdk_eventbridge::Client::new(&sdk);
        let name = moto::unique("bus");
        events
            .create_event_bus()
            .name(&name)
            .send()
            .await
            .expect("create_event_bus");
        Self {
            events,
            sqs: aws_sdk_sqs::Client::new(&sdk),
            logs: aws_sdk_cloudwatchlogs::Client::new(&sdk),
            rule: moto::unique("ecs-events"),
            name,
        }
    }

    /// A queue; returns its URL.
    pub async fn queue(&self) -> String {
        let out = self
            .sqs
            .create_queue()
            .queue_name(moto::unique("deckwatch-events"))
            .send()
            .await
            .expect("create_queue");
        out.queue_url().expect("queue url").to_string()
    }

    pub async fn queue_arn(&self, url: &str) -> String {
        let out = self
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("get_queue_attributes");
        out.attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn))
            .expect("queue arn")
            .clone()
    }

    /// Messages in the queue, visible and in flight.
    pub async fn queued(&self, url: &str) -> usize {
        let out = self
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .expect("get_queue_attributes");
        out.attributes()
            .map(|a| {
                a.values()
                    .filter_map(|v| v.parse::<usize>().ok())
                    .sum::<usize>()
            })
            .unwrap_or(0)
    }

    /// The rule for ECS's events, delivering to `to`.
    pub async fn rule(&self, to: Delivers) {
        self.events
            .put_rule()
            .name(&self.rule)
            .event_bus_name(&self.name)
            .event_pattern(r#"{"source": ["aws.ecs"]}"#)
            .send()
            .await
            .expect("put_rule");
        let arn = match to {
            Delivers::Queue(url) => self.queue_arn(&url).await,
            Delivers::LogGroup(g) => format!(
                "arn:aws:logs:{}:{}:log-group:{g}",
                moto::REGION,
                moto::ACCOUNT
            ),
        };
        let target = Target::builder()
            .id("deckwatch")
            .arn(arn)
            .build()
            .expect("target");
        self.events
            .put_targets()
            .rule(&self.rule)
            .event_bus_name(&self.name)
            .targets(target)
            .send()
            .await
            .expect("put_targets");
    }

    /// Publishes one event as ECS would: `aws.ecs`, `kind`, the resources and the detail.
    pub async fn publish(&self, kind: &str, resources: &[String], detail: serde_json::Value) {
        let entry = PutEventsRequestEntry::builder()
            .event_bus_name(&self.name)
            .source("aws.ecs")
            .detail_type(kind)
            .set_resources(Some(resources.to_vec()))
            .detail(detail.to_string())
            .build();
        let out = self
            .events
            .put_events()
            .entries(entry)
            .send()
            .await
            .expect("put_events");
        assert_eq!(out.failed_entry_count(), 0, "{out:?}");
    }
}

fn arn(kind: &str, path: &str) -> String {
    format!(
        "arn:aws:ecs:{}:{}:{kind}/{path}",
        moto::REGION,
        moto::ACCOUNT
    )
}

/// `ECS Deployment State Change` of service `cluster/name`, as the ECS guide shows it.
pub fn deployment(cluster: &str, name: &str, event: &str) -> (Vec<String>, serde_json::Value) {
    (
        vec![arn("service", &format!("{cluster}/{name}"))],
        serde_json::json!({
            "eventType": "INFO",
            "eventName": event,
            "clusterArn": arn("cluster", cluster),
            "deploymentId": "ecs-svc/1234567890123456789",
            "updatedAt": "2026-12-06T12:00:00Z",
            "reason": "ECS deployment ecs-svc/1234567890123456789 in progress."
        }),
    )
}

/// `ECS Service Action` of service `cluster/name`.
pub fn service_action(cluster: &str, name: &str, event: &str) -> (Vec<String>, serde_json::Value) {
    (
        vec![arn("service", &format!("{cluster}/{name}"))],
        serde_json::json!({
            "eventType": "INFO",
            "eventName": event,
            "clusterArn": arn("cluster", cluster),
            "createdAt": "2026-12-06T12:00:00.000Z"
        }),
    )
}

/// `ECS Task State Change` of a task of service `cluster/name`.
pub fn task(
    cluster: &str,
    name: &str,
    task_id: &str,
    last: &str,
) -> (Vec<String>, serde_json::Value) {
    let task_arn = arn("task", &format!("{cluster}/{task_id}"));
    (
        vec![task_arn.clone()],
        serde_json::json!({
            "clusterArn": arn("cluster", cluster),
            "taskArn": task_arn,
            "group": format!("service:{name}"),
            "lastStatus": last,
            "desiredStatus": "RUNNING",
            "launchType": "FARGATE",
            "taskDefinitionArn": arn("task-definition", "web:1"),
            "createdAt": "2026-12-06T12:00:00.000Z",
            "updatedAt": "2026-12-06T12:00:01.000Z",
            "version": 3
        }),
    )
}
