//! The alarms and images panes' data where moto cannot serve it, through the fleet and the real
//! SDK clients, on answers shaped as the AWS API reference documents them: composite alarms
//! (moto has no PutCompositeAlarm) and scan findings (moto's DescribeImages has no
//! `imageScanFindingsSummary`). The requests sent are checked too.

use crate::support::replay::replay_fleet;
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use deckwatch::cloud::Fleet;
use deckwatch::model::At;
use deckwatch::model::{AlarmKind, AlarmState, Findings};
use serde_json::json;

const ACCOUNT: &str = "123456789012";

fn answer(content_type: &str, body: String) -> ReplayEvent {
    let req = http::Request::builder()
        .uri("https://example.amazonaws.com/")
        .body(SdkBody::empty())
        .expect("request");
    let resp = http::Response::builder()
        .status(200)
        .header("content-type", content_type)
        .body(SdkBody::from(body))
        .expect("response");
    ReplayEvent::new(req, resp)
}

fn json_answer(body: serde_json::Value) -> ReplayEvent {
    answer("application/x-amz-json-1.1", body.to_string())
}

fn bodies(replay: &StaticReplayClient) -> Vec<String> {
    replay
        .actual_requests()
        .map(|r| String::from_utf8_lossy(r.body().bytes().expect("in memory")).to_string())
        .collect()
}

/// DescribeAlarms (awsQuery) in two pages: a metric alarm, then a composite one.
fn alarm_pages() -> [String; 2] {
    let metric = format!(
        r#"<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
  <DescribeAlarmsResult>
    <CompositeAlarms/>
    <MetricAlarms>
      <member>
        <AlarmName>web-5xx</AlarmName>
        <AlarmArn>arn:aws:cloudwatch:us-west-2:{ACCOUNT}:alarm:web-5xx</AlarmArn>
        <StateValue>ALARM</StateValue>
        <StateReason>Threshold Crossed: 1 out of the last 1 datapoints [42.0 (26/11/26 10:00:00)] was greater than the threshold (10.0).</StateReason>
        <StateUpdatedTimestamp>2026-11-26T10:01:00.000Z</StateUpdatedTimestamp>
        <MetricName>HTTPCode_Target_5XX_Count</MetricName>
        <Namespace>AWS/ApplicationELB</Namespace>
        <Statistic>Sum</Statistic>
        <Period>60</Period>
        <EvaluationPeriods>1</EvaluationPeriods>
        <Threshold>10.0</Threshold>
        <ComparisonOperator>GreaterThanThreshold</ComparisonOperator>
      </member>
    </MetricAlarms>
    <NextToken>page-2</NextToken>
  </DescribeAlarmsResult>
  <ResponseMetadata><RequestId>11111111-1111-4111-8111-111111111111</RequestId></ResponseMetadata>
</DescribeAlarmsResponse>"#
    );
    let composite = format!(
        r#"<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
  <DescribeAlarmsResult>
    <CompositeAlarms>
      <member>
        <ActionsEnabled>true</ActionsEnabled>
        <AlarmActions/>
        <AlarmArn>arn:aws:cloudwatch:us-west-2:{ACCOUNT}:alarm:web-health</AlarmArn>
        <AlarmConfigurationUpdatedTimestamp>2026-11-20T09:00:00.000Z</AlarmConfigurationUpdatedTimestamp>
        <AlarmName>web-health</AlarmName>
        <AlarmRule>ALARM("web-5xx") OR ALARM("web-p99")</AlarmRule>
        <InsufficientDataActions/>
        <OKActions/>
        <StateReason>arn:aws:cloudwatch:us-west-2:{ACCOUNT}:alarm:web-5xx transitioned to ALARM at Thursday 26 November, 2026 10:01:00 UTC</StateReason>
        <StateReasonData>{{"triggeringAlarms":[{{"arn":"arn:aws:cloudwatch:us-west-2:{ACCOUNT}:alarm:web-5xx","state":{{"value":"ALARM"}}}}]}}</StateReasonData>
        <StateUpdatedTimestamp>2026-11-26T10:01:30.000Z</StateUpdatedTimestamp>
        <StateValue>ALARM</StateValue>
      </member>
    </CompositeAlarms>
    <MetricAlarms/>
  </DescribeAlarmsResult>
  <ResponseMetadata><RequestId>22222222-2222-4222-8222-222222222222</RequestId></ResponseMetadata>
</DescribeAlarmsResponse>"#
    );
    [metric, composite]
}

#[tokio::test]
async fn composite_alarms_come_through_the_fleet_with_the_metric_ones() {
    let [page1, page2] = alarm_pages();
    let replay =
        StaticReplayClient::new(vec![answer("text/xml", page1), answer("text/xml", page2)]);
    let fleet = replay_fleet(&replay, None).await;
    let alarms = fleet.alarms().await.expect("alarms");

    assert_eq!(alarms.len(), 2, "{alarms:?}");
    assert_eq!(alarms[0].name, "web-5xx");
    assert_eq!(alarms[0].kind, AlarmKind::Metric);
    let c = &alarms[1];
    assert_eq!(c.name, "web-health");
    assert_eq!(c.kind, AlarmKind::Composite);
    assert_eq!(c.state, AlarmState::Alarm);
    assert!(
        c.reason.contains("web-5xx transitioned to ALARM"),
        "{}",
        c.reason
    );
    assert_eq!(c.updated_at, At(1_795_687_290_000));

    // Both alarm types asked for (without them only metric alarms come back), every page.
    let sent = bodies(&replay);
    assert_eq!(sent.len(), 2);
    for body in &sent {
        assert!(body.contains("Action=DescribeAlarms"), "{body}");
        assert!(body.contains("AlarmTypes.member.1=MetricAlarm"), "{body}");
        assert!(
            body.contains("AlarmTypes.member.2=CompositeAlarm"),
            "{body}"
        );
    }
    assert!(sent[1].contains("NextToken=page-2"), "{}", sent[1]);
}

#[tokio::test]
async fn scan_findings_come_through_the_fleet_and_join_their_service() {
    let repo_uri = format!("{ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/web");
    let td = format!("arn:aws:ecs:us-west-2:{ACCOUNT}:task-definition/web:8");
    let svc = format!("arn:aws:ecs:us-west-2:{ACCOUNT}:service/example/web");
    let replay = StaticReplayClient::new(vec![
        json_answer(json!({ "repositories": [{
            "repositoryArn": format!("arn:aws:ecr:us-west-2:{ACCOUNT}:repository/web"),
            "registryId": ACCOUNT,
            "repositoryName": "web",
            "repositoryUri": repo_uri,
            "createdAt": 1_700_000_000.0,
            "imageTagMutability": "IMMUTABLE",
            "imageScanningConfiguration": { "scanOnPush": true }
        }]})),
        json_answer(json!({ "imageDetails": [
            {
                "registryId": ACCOUNT,
                "repositoryName": "web",
                "imageDigest": format!("sha256:{}", "8".repeat(64)),
                "imageTags": ["v8"],
                "imageSizeInBytes": 52_428_800,
                "imagePushedAt": 1_795_680_000.0,
                "imageScanStatus": { "status": "COMPLETE", "description": "The scan was completed successfully." },
                "imageScanFindingsSummary": {
                    "imageScanCompletedAt": 1_795_680_060.0,
                    "vulnerabilitySourceUpdatedAt": 1_795_600_000.0,
                    "findingSeverityCounts": { "CRITICAL": 1, "HIGH": 3, "MEDIUM": 7, "LOW": 2, "INFORMATIONAL": 4, "UNDEFINED": 1 }
                },
                "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "artifactMediaType": "application/vnd.docker.container.image.v1+json"
            },
            {
                "registryId": ACCOUNT,
                "repositoryName": "web",
                "imageDigest": format!("sha256:{}", "7".repeat(64)),
                "imageTags": ["v7"],
                "imageSizeInBytes": 52_000_000,
                "imagePushedAt": 1_795_000_000.0
            }
        ]})),
        // No services read yet: the images are joined to them through their task definitions.
        json_answer(json!({ "serviceArns": [svc] })),
        json_answer(json!({ "services": [{
            "serviceArn": svc,
            "serviceName": "web",
            "clusterArn": format!("arn:aws:ecs:us-west-2:{ACCOUNT}:cluster/example"),
            "status": "ACTIVE",
            "desiredCount": 2, "runningCount": 2, "pendingCount": 0,
            "taskDefinition": td,
            "deployments": [],
            "events": []
        }], "failures": [] })),
        json_answer(json!({ "taskDefinition": {
            "taskDefinitionArn": td,
            "family": "web",
            "revision": 8,
            "containerDefinitions": [{ "name": "app", "image": format!("{repo_uri}:v8") }]
        }})),
    ]);
    let fleet = replay_fleet(&replay, None).await;
    let images = fleet.images().await.expect("images");

    let v8 = images.iter().find(|i| i.tags == ["v8"]).expect("v8");
    assert_eq!(
        v8.findings,
        Some(Findings {
            critical: 1,
            high: 3,
            medium: 7,
            low: 2,
            informational: 5,
        }),
        "UNDEFINED counts with informational"
    );
    assert_eq!(v8.used_by, vec!["web".to_string()]);
    assert_eq!(v8.size_bytes, 52_428_800);
    let v7 = images.iter().find(|i| i.tags == ["v7"]).expect("v7");
    assert_eq!(v7.findings, None, "never scanned");
    assert!(v7.used_by.is_empty());

    let targets: Vec<String> = replay
        .actual_requests()
        .map(|r| {
            r.headers()
                .get("x-amz-target")
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(
        targets,
        vec![
            "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories",
            "AmazonEC2ContainerRegistry_V20150921.DescribeImages",
            "AmazonEC2ContainerServiceV20141113.ListServices",
            "AmazonEC2ContainerServiceV20141113.DescribeServices",
            "AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition",
        ]
    );
}
