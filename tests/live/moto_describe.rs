//! `:describe` against moto through the real SDK clients: what the view shows is the body moto
//! returned, laid out. Each test parses the shown lines back (JSON, or the XML's elements) and
//! compares their fields with what the SDK itself read from the same server, so nothing here
//! is a hard-coded answer.
//!
//! Run with `scripts/moto.sh cargo test --test live moto_describe`.

use crate::support::{moto, seed};
use aws_sdk_cloudwatch::types::StateValue;
use deckwatch::cloud::Fleet;
use deckwatch::model::{DescribeTarget, RawDoc, RawFormat, ServiceKey, TaskDefRef};
use seed::{Seeder, TaskDefSpec};
use serde_json::Value;

/// The shown lines read back as JSON: the layout must not have changed what was sent.
fn json(doc: &RawDoc) -> Value {
    assert_eq!(doc.format, RawFormat::Json);
    assert!(!doc.cut);
    serde_json::from_str(&doc.lines.join("\n")).expect("the shown lines are the JSON sent")
}

async fn seeded(prefix: &str) -> (Seeder, String, String, String) {
    let seed = Seeder::new(&moto::url()).await;
    let cluster = moto::unique(prefix);
    seed.cluster(&cluster).await;
    let family = format!("{cluster}-app");
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: "example/app:7",
            log_group: &format!("/ecs/{family}"),
            stream_prefix: "ecs",
        })
        .await;
    seed.service(&cluster, "app", &td, 1).await;
    (seed, cluster, family, td)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_a_task_and_a_task_definition_are_shown_as_moto_sent_them() {
    let (seed, cluster, family, td) = seeded("describe").await;
    let tasks = seed.run_tasks(&cluster, &td, "app", 1).await;
    let fleet = moto::fleet(&moto::url(), &[&cluster], Vec::new()).await;

    let key = ServiceKey {
        cluster: cluster.clone(),
        name: "app".into(),
    };
    let doc = fleet
        .describe_raw(&DescribeTarget::Service(key))
        .await
        .expect("describe service");
    assert_eq!(doc.operation, "ecs:DescribeServices");
    let shown = json(&doc);
    let sdk = seed
        .ecs
        .describe_services()
        .cluster(&cluster)
        .services("app")
        .send()
        .await
        .expect("sdk describe");
    let s = &sdk.services()[0];
    let v = &shown["services"][0];
    assert_eq!(v["serviceArn"].as_str(), s.service_arn());
    assert_eq!(v["taskDefinition"].as_str(), s.task_definition());
    assert_eq!(
        v["desiredCount"].as_i64(),
        Some(i64::from(s.desired_count()))
    );
    assert!(doc.bytes > 0);

    let doc = fleet
        .describe_raw(&DescribeTarget::Task {
            cluster: cluster.clone(),
            arn: tasks[0].clone(),
        })
        .await
        .expect("describe task");
    assert_eq!(doc.operation, "ecs:DescribeTasks");
    let v = json(&doc);
    assert_eq!(v["tasks"][0]["taskArn"].as_str(), Some(tasks[0].as_str()));
    assert_eq!(
        v["tasks"][0]["taskDefinitionArn"].as_str(),
        Some(td.as_str())
    );

    let doc = fleet
        .describe_raw(&DescribeTarget::TaskDef(TaskDefRef {
            family: family.clone(),
            revision: 1,
        }))
        .await
        .expect("describe task definition");
    assert_eq!(doc.operation, "ecs:DescribeTaskDefinition");
    let v = json(&doc);
    let def = &v["taskDefinition"];
    assert_eq!(def["family"].as_str(), Some(family.as_str()));
    assert_eq!(
        def["containerDefinitions"][0]["image"].as_str(),
        Some("example/app:7")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_is_shown_as_ecr_sent_it() {
    let seed = Seeder::new(&moto::url()).await;
    let repo = moto::unique("describe-img");
    seed.repo(&repo).await;
    let digest = seed.push_image(&repo, "v3", "describe", 1234).await;
    let fleet = moto::fleet(&moto::url(), &[], Vec::new()).await;
    let doc = fleet
        .describe_raw(&DescribeTarget::Image {
            repository: repo.clone(),
            digest: digest.clone(),
        })
        .await
        .expect("describe image");
    assert_eq!(doc.operation, "ecr:DescribeImages");
    let v = json(&doc);
    let image = &v["imageDetails"][0];
    assert_eq!(image["imageDigest"].as_str(), Some(digest.as_str()));
    assert_eq!(image["repositoryName"].as_str(), Some(repo.as_str()));
    assert_eq!(image["imageTags"][0].as_str(), Some("v3"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alarm_is_shown_as_the_xml_cloudwatch_sent() {
    let seed = Seeder::new(&moto::url()).await;
    let name = moto::unique("describe-alarm");
    seed.alarm(&name, StateValue::Alarm, "Threshold Crossed: <3 of 3>")
        .await;
    let fleet = moto::fleet(&moto::url(), &[], Vec::new()).await;
    let doc = fleet
        .describe_raw(&DescribeTarget::Alarm(name.clone()))
        .await
        .expect("describe alarm");
    assert_eq!(doc.operation, "cloudwatch:DescribeAlarms");
    assert_eq!(doc.format, RawFormat::Xml);
    let element = |tag: &str| {
        let open = format!("<{tag}>");
        doc.lines.iter().find_map(|l| {
            let l = l.trim();
            l.strip_prefix(&open)
                .and_then(|rest| rest.strip_suffix(&format!("</{tag}>")))
                .map(str::to_string)
        })
    };
    let sdk = seed
        .cw
        .describe_alarms()
        .alarm_names(&name)
        .send()
        .await
        .expect("sdk describe alarms");
    let a = &sdk.metric_alarms()[0];
    assert_eq!(element("AlarmName").as_deref(), a.alarm_name());
    assert_eq!(element("AlarmArn").as_deref(), a.alarm_arn());
    assert_eq!(element("StateValue").as_deref(), Some("ALARM"));
    assert_eq!(element("MetricName").as_deref(), a.metric_name());
    // The reason is shown as sent: its angle brackets stay escaped, as XML carries them.
    let reason = element("StateReason").expect("a StateReason element");
    assert!(reason.contains("&lt;3 of 3&gt;"), "{reason}");
    // One element per line, nested by two spaces.
    let depth = |tag: &str| {
        doc.lines
            .iter()
            .find(|l| l.trim_start().starts_with(&format!("<{tag}>")))
            .map(|l| l.len() - l.trim_start().len())
    };
    assert!(depth("AlarmName") > depth("MetricAlarms"));
}
