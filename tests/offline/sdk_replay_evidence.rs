//! The evidence calls moto cannot serve, through the real SDK clients: response bodies shaped
//! as the AWS API references document them are replayed, and both the mapping and the requests
//! sent are checked.
//!
//! - load-balancer figures with percentiles (`GetMetricData` p50/p99 of `TargetResponseTime`),
//!   after `DescribeTargetGroups` names each target group's load balancer;
//! - composite alarms (their rule), metric alarms in full, and an alarm on a whole load
//!   balancer linked through `DescribeLoadBalancers` and `DescribeTargetGroups`;
//! - an alarm's state history (`DescribeAlarmHistory`);
//! - a native service's deployment history (`ListServiceDeployments`,
//!   `DescribeServiceRevisions`).

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_types::body::SdkBody;
use deckwatch::cloud::Fleet;
use deckwatch::cloud::aws::{AwsFleet, AwsOptions, Overrides};
use deckwatch::model::At;
use deckwatch::model::evidence::{AlbQuery, Judgement, judge_5xx, judge_p99};
use deckwatch::model::{
    AlarmKind, AlarmState, Comparison, Outcome, RollbackCause, ServiceKey, TaskDefRef,
};

const TG_CANARY: &str =
    "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/web-green/0a1b2c3d4e5f6a7b";
const TG_PRIMARY: &str =
    "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/web-blue/7b6a5f4e3d2c1b0a";
const LB: &str =
    "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/prod/50dc6c495c0c9188";

fn response(content_type: &str, body: &str) -> http::Response<SdkBody> {
    http::Response::builder()
        .status(200)
        .header("content-type", content_type)
        .body(SdkBody::from(body.to_string()))
        .expect("response")
}

fn xml(body: &str) -> ReplayEvent {
    event(response("text/xml", body))
}

fn json(body: &str) -> ReplayEvent {
    event(response("application/x-amz-json-1.1", body))
}

fn event(resp: http::Response<SdkBody>) -> ReplayEvent {
    let req = http::Request::builder()
        .uri("https://example.amazonaws.com/")
        .body(SdkBody::empty())
        .expect("request");
    ReplayEvent::new(req, resp)
}

async fn fleet(replay: &StaticReplayClient) -> AwsFleet {
    AwsFleet::connect_with(
        AwsOptions {
            profile: None,
            region: Some("us-west-2".into()),
            endpoint_url: None,
            clusters: vec!["example".into()],
            retries: false,
            events: None,
            sso: None,
        },
        Overrides {
            http_client: Some(SharedHttpClient::new(replay.clone())),
            credentials: Some(SharedCredentialsProvider::new(Credentials::new(
                "AKID", "SECRET", None, None, "replay",
            ))),
            ..Overrides::default()
        },
    )
    .await
    .expect("connect")
}

/// The bodies of the requests sent, as text.
fn bodies(replay: &StaticReplayClient) -> Vec<String> {
    replay
        .actual_requests()
        .map(|r| String::from_utf8_lossy(r.body().bytes().expect("in memory")).to_string())
        .collect()
}

fn target_groups_body() -> String {
    let member = |arn: &str, name: &str| {
        format!(
            "<member><TargetGroupArn>{arn}</TargetGroupArn><TargetGroupName>{name}</TargetGroupName>\
             <Protocol>HTTP</Protocol><Port>80</Port><TargetType>ip</TargetType>\
             <LoadBalancerArns><member>{LB}</member></LoadBalancerArns></member>"
        )
    };
    format!(
        r#"<DescribeTargetGroupsResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <DescribeTargetGroupsResult><TargetGroups>{}{}</TargetGroups></DescribeTargetGroupsResult>
  <ResponseMetadata><RequestId>70092c0e-f3a9-11e5-ae48-cff02092876b</RequestId></ResponseMetadata>
</DescribeTargetGroupsResponse>"#,
        member(TG_CANARY, "web-green"),
        member(TG_PRIMARY, "web-blue")
    )
}

/// One result of `GetMetricData`: an id and its values.
fn result(id: &str, values: &[f64]) -> String {
    let ts: String = values
        .iter()
        .map(|_| "<member>2024-06-01T12:00:00Z</member>")
        .collect();
    let vs: String = values
        .iter()
        .map(|v| format!("<member>{v}</member>"))
        .collect();
    format!(
        "<member><Id>{id}</Id><Label>{id}</Label><StatusCode>Complete</StatusCode>\
         <Timestamps>{ts}</Timestamps><Values>{vs}</Values></member>"
    )
}

fn metric_data_body(results: &[String]) -> String {
    let results = results.concat();
    format!(
        r#"<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
  <GetMetricDataResult><MetricDataResults>{results}</MetricDataResults><Messages/></GetMetricDataResult>
  <ResponseMetadata><RequestId>fa3d3a8e-0000-4c3a-8e27-d1b0f5c6a7e2</RequestId></ResponseMetadata>
</GetMetricDataResponse>"#
    )
}

/// Query 0 is the canary, 1 the primary: r requests and e 5xx in one call...
fn counts_body() -> String {
    metric_data_body(&[
        result("r0", &[1000.0]),
        result("e0", &[21.0]),
        result("r1", &[9000.0]),
        result("e1", &[18.0]),
    ])
}

/// ...and the percentiles a (p50) and b (p99), in seconds, in another.
fn percentiles_body() -> String {
    metric_data_body(&[
        result("a0", &[0.31]),
        result("b0", &[0.84]),
        result("a1", &[0.03]),
        result("b1", &[0.12]),
    ])
}

fn queries() -> [AlbQuery; 2] {
    let start = 1_717_243_200_000; // 2024-06-01T12:00:00Z
    let q = |tg: &str| AlbQuery {
        target_group: tg.into(),
        from: At(start + 30_000),
        until: At(start + 15 * 60_000),
    };
    [q(TG_CANARY), q(TG_PRIMARY)]
}

#[tokio::test]
async fn load_balancer_figures_with_percentiles_judge_the_canary() {
    let replay = StaticReplayClient::new(vec![
        xml(&target_groups_body()),
        xml(&counts_body()),
        xml(&percentiles_body()),
    ]);
    let fleet = fleet(&replay).await;
    let f = fleet.alb_figures(&queries()).await.expect("figures");
    assert_eq!((f[0].requests, f[0].errors_5xx), (1000.0, 21.0));
    assert_eq!((f[0].p50_ms, f[0].p99_ms), (Some(310.0), Some(840.0)));
    assert_eq!((f[1].requests, f[1].errors_5xx), (9000.0, 18.0));
    assert_eq!(f[1].p99_ms, Some(120.0));
    // 2.1% against 0.2%, 840 ms against 120 ms.
    assert_eq!(judge_5xx(&f[0], &f[1]), Judgement::Worse);
    assert_eq!(judge_p99(&f[0], &f[1]), Judgement::Worse);

    let sent = bodies(&replay);
    assert_eq!(
        sent.len(),
        3,
        "a describe, then counts and percentiles: {sent:#?}"
    );
    assert!(!sent[1].contains("Stat=p99"), "{}", sent[1]);
    assert!(!sent[2].contains("Stat=Sum"), "{}", sent[2]);
    assert!(
        sent[0].contains("Action=DescribeTargetGroups"),
        "{}",
        sent[0]
    );
    let get = format!("{}{}", sent[1], sent[2]);
    assert!(get.contains("Action=GetMetricData"), "{get}");
    // The window in whole minutes, one period covering it (15 minutes from 12:00).
    assert!(get.contains("StartTime=2024-06-01T12%3A00%3A00Z"), "{get}");
    assert!(get.contains("Period=900"), "{get}");
    for needle in [
        "Stat=p99",
        "Stat=p50",
        "Stat=Sum",
        "MetricName=HTTPCode_Target_5XX_Count",
        "MetricName=TargetResponseTime",
        "Value=targetgroup%2Fweb-green%2F0a1b2c3d4e5f6a7b",
        "Value=app%2Fprod%2F50dc6c495c0c9188",
        "Namespace=AWS%2FApplicationELB",
    ] {
        assert!(get.contains(needle), "{needle} not in {get}");
    }
}

#[tokio::test]
async fn counts_still_show_when_percentiles_cannot_be_had() {
    let html_500 = http::Response::builder()
        .status(500)
        .header("content-type", "text/html")
        .body(SdkBody::from(
            "<!doctype html><title>500 Internal Server Error</title>",
        ))
        .expect("response");
    let replay = StaticReplayClient::new(vec![
        xml(&target_groups_body()),
        xml(&counts_body()),
        event(html_500),
    ]);
    let fleet = fleet(&replay).await;
    let f = fleet.alb_figures(&queries()).await.expect("the counts");
    assert_eq!(judge_5xx(&f[0], &f[1]), Judgement::Worse);
    assert_eq!(judge_p99(&f[0], &f[1]), Judgement::Unknown);
    let why = f[0].percentiles_error.as_deref().unwrap_or_default();
    assert!(why.contains("cloudwatch:GetMetricData"), "{why}");
}

fn alarms_body() -> &'static str {
    r#"<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
  <DescribeAlarmsResult>
    <MetricAlarms>
      <member>
        <AlarmName>web-p99</AlarmName>
        <AlarmArn>arn:aws:cloudwatch:us-west-2:123456789012:alarm:web-p99</AlarmArn>
        <StateValue>ALARM</StateValue>
        <StateReason>Threshold Crossed: 2 out of the last 3 datapoints were greater than the threshold (1.0).</StateReason>
        <StateUpdatedTimestamp>2024-06-01T12:10:00.000Z</StateUpdatedTimestamp>
        <MetricName>TargetResponseTime</MetricName>
        <Namespace>AWS/ApplicationELB</Namespace>
        <ExtendedStatistic>p99</ExtendedStatistic>
        <Dimensions>
          <member><Name>TargetGroup</Name><Value>targetgroup/web-green/0a1b2c3d4e5f6a7b</Value></member>
          <member><Name>LoadBalancer</Name><Value>app/prod/50dc6c495c0c9188</Value></member>
        </Dimensions>
        <Period>60</Period>
        <EvaluationPeriods>3</EvaluationPeriods>
        <DatapointsToAlarm>2</DatapointsToAlarm>
        <Threshold>1.0</Threshold>
        <ComparisonOperator>GreaterThanThreshold</ComparisonOperator>
      </member>
      <member>
        <AlarmName>prod-alb-5xx</AlarmName>
        <AlarmArn>arn:aws:cloudwatch:us-west-2:123456789012:alarm:prod-alb-5xx</AlarmArn>
        <StateValue>OK</StateValue>
        <StateReason>Threshold not crossed</StateReason>
        <StateUpdatedTimestamp>2024-05-30T08:00:00.000Z</StateUpdatedTimestamp>
        <MetricName>HTTPCode_ELB_5XX_Count</MetricName>
        <Namespace>AWS/ApplicationELB</Namespace>
        <Statistic>Sum</Statistic>
        <Dimensions>
          <member><Name>LoadBalancer</Name><Value>app/prod/50dc6c495c0c9188</Value></member>
        </Dimensions>
        <Period>300</Period>
        <EvaluationPeriods>1</EvaluationPeriods>
        <Threshold>50.0</Threshold>
        <ComparisonOperator>GreaterThanOrEqualToThreshold</ComparisonOperator>
      </member>
    </MetricAlarms>
    <CompositeAlarms>
      <member>
        <AlarmName>web-health</AlarmName>
        <AlarmArn>arn:aws:cloudwatch:us-west-2:123456789012:alarm:web-health</AlarmArn>
        <AlarmRule>ALARM("web-p99") OR ALARM("arn:aws:cloudwatch:us-west-2:123456789012:alarm:prod-alb-5xx")</AlarmRule>
        <StateValue>ALARM</StateValue>
        <StateReason>arn:aws:cloudwatch:us-west-2:123456789012:alarm:web-p99 transitioned to ALARM</StateReason>
        <StateUpdatedTimestamp>2024-06-01T12:10:05.000Z</StateUpdatedTimestamp>
        <ActionsEnabled>true</ActionsEnabled>
      </member>
    </CompositeAlarms>
  </DescribeAlarmsResult>
  <ResponseMetadata><RequestId>f1c1b1a1-0000-4000-8000-000000000001</RequestId></ResponseMetadata>
</DescribeAlarmsResponse>"#
}

fn load_balancers_body() -> String {
    format!(
        r#"<DescribeLoadBalancersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <DescribeLoadBalancersResult><LoadBalancers><member>
    <LoadBalancerArn>{LB}</LoadBalancerArn><LoadBalancerName>prod</LoadBalancerName>
    <Type>application</Type><Scheme>internet-facing</Scheme>
  </member></LoadBalancers></DescribeLoadBalancersResult>
  <ResponseMetadata><RequestId>6581c0ac-f39f-11e5-bb98-57c8d4c0b0c3</RequestId></ResponseMetadata>
</DescribeLoadBalancersResponse>"#
    )
}

#[tokio::test]
async fn alarms_come_in_full_and_an_alarm_on_a_load_balancer_knows_its_target_groups() {
    let replay = StaticReplayClient::new(vec![
        xml(alarms_body()),
        xml(&load_balancers_body()),
        xml(&target_groups_body()),
    ]);
    let fleet = fleet(&replay).await;
    let alarms = fleet.alarms().await.expect("alarms");
    let names: Vec<&str> = alarms.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["web-p99", "prod-alb-5xx", "web-health"]);

    let p99 = &alarms[0];
    let m = p99.spec.metric.as_ref().expect("one metric");
    assert_eq!(
        (m.namespace.as_str(), m.name.as_str()),
        ("AWS/ApplicationELB", "TargetResponseTime")
    );
    assert_eq!(m.statistic, "p99", "the extended statistic");
    assert_eq!(
        m.dimension("TargetGroup"),
        Some("targetgroup/web-green/0a1b2c3d4e5f6a7b")
    );
    assert_eq!(m.period_secs, 60);
    assert_eq!(p99.spec.threshold, Some(1.0));
    assert_eq!(p99.spec.comparison, Some(Comparison::Greater));
    assert_eq!(p99.datapoints_text(), "2 of 3");
    assert!(
        p99.spec.behind_load_balancer.is_empty(),
        "its target group says enough"
    );

    // On the whole load balancer: linked through the target groups behind it.
    let lb = &alarms[1];
    assert_eq!(lb.spec.comparison, Some(Comparison::GreaterOrEqual));
    assert_eq!(lb.spec.behind_load_balancer, [TG_CANARY, TG_PRIMARY]);

    let c = &alarms[2];
    assert_eq!(
        (c.kind, &c.state),
        (AlarmKind::Composite, &AlarmState::Alarm)
    );
    assert_eq!(c.children(), ["web-p99", "prod-alb-5xx"]);
    assert!(c.spec.metric.is_none());

    let sent = bodies(&replay);
    assert!(
        sent[0].contains("AlarmTypes.member.1=MetricAlarm"),
        "{}",
        sent[0]
    );
    assert!(
        sent[0].contains("AlarmTypes.member.2=CompositeAlarm"),
        "{}",
        sent[0]
    );
    assert!(
        sent[1].contains("Action=DescribeLoadBalancers") && sent[1].contains("Names.member.1=prod"),
        "{}",
        sent[1]
    );
    assert!(sent[2].contains("LoadBalancerArn="), "{}", sent[2]);
}

#[tokio::test]
async fn alarm_history_gives_dated_state_changes_newest_first() {
    let item = |at: &str, from: &str, to: &str| {
        let data = format!(
            r#"{{"version":"1.0","oldState":{{"stateValue":"{from}","stateReason":"x"}},"newState":{{"stateValue":"{to}","stateReason":"y"}}}}"#
        )
        .replace('"', "&quot;");
        format!(
            "<member><AlarmName>web-p99</AlarmName><AlarmType>MetricAlarm</AlarmType>\
             <Timestamp>{at}</Timestamp><HistoryItemType>StateUpdate</HistoryItemType>\
             <HistorySummary>Alarm updated from {from} to {to}</HistorySummary>\
             <HistoryData>{data}</HistoryData></member>"
        )
    };
    let body = format!(
        r#"<DescribeAlarmHistoryResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
  <DescribeAlarmHistoryResult><AlarmHistoryItems>{}{}</AlarmHistoryItems></DescribeAlarmHistoryResult>
  <ResponseMetadata><RequestId>0f7e7c1a-0000-4000-8000-000000000002</RequestId></ResponseMetadata>
</DescribeAlarmHistoryResponse>"#,
        item("2024-06-01T12:10:00.000Z", "OK", "ALARM"),
        item("2024-06-01T09:00:00.000Z", "INSUFFICIENT_DATA", "OK"),
    );
    let replay = StaticReplayClient::new(vec![xml(&body)]);
    let fleet = fleet(&replay).await;
    let since = 1_717_200_000_000;
    let h = fleet
        .alarm_history("web-p99", At(since))
        .await
        .expect("history");
    assert_eq!(h.len(), 2);
    assert_eq!(
        (h[0].from.clone(), h[0].to.clone()),
        (AlarmState::Ok, AlarmState::Alarm)
    );
    assert_eq!(h[0].at, At(1_717_243_800_000));
    assert_eq!(h[0].summary, "Alarm updated from OK to ALARM");
    assert_eq!(h[1].to, AlarmState::Ok);
    let sent = &bodies(&replay)[0];
    assert!(sent.contains("Action=DescribeAlarmHistory"), "{sent}");
    assert!(sent.contains("AlarmName=web-p99"), "{sent}");
    assert!(sent.contains("HistoryItemType=StateUpdate"), "{sent}");
}

#[tokio::test]
async fn native_deployment_history_reads_outcomes_and_revisions() {
    let svc = "arn:aws:ecs:us-west-2:123456789012:service/example/web";
    let dep = |id: &str| {
        format!("arn:aws:ecs:us-west-2:123456789012:service-deployment/example/web/{id}")
    };
    let rev =
        |id: &str| format!("arn:aws:ecs:us-west-2:123456789012:service-revision/example/web/{id}");
    let list = serde_json::json!({
        "serviceDeployments": [
            { "serviceDeploymentArn": dep("c"), "serviceArn": svc, "clusterArn": "example",
              "startedAt": 1_717_243_000.0, "finishedAt": 1_717_243_900.0,
              "targetServiceRevisionArn": rev("9"), "status": "ROLLBACK_SUCCESSFUL",
              "statusReason": "Service deployment rolled back because alarm web-p99 was triggered." },
            { "serviceDeploymentArn": dep("b"), "serviceArn": svc, "clusterArn": "example",
              "startedAt": 1_717_150_000.0, "finishedAt": 1_717_151_000.0,
              "targetServiceRevisionArn": rev("8"), "status": "SUCCESSFUL" },
            { "serviceDeploymentArn": dep("a"), "serviceArn": svc, "clusterArn": "example",
              "startedAt": 1_717_000_000.0, "finishedAt": 1_717_001_000.0,
              "targetServiceRevisionArn": rev("7"), "status": "SUCCESSFUL" }
        ]
    });
    let td = |n: u32| format!("arn:aws:ecs:us-west-2:123456789012:task-definition/web:{n}");
    let revisions = serde_json::json!({
        "serviceRevisions": [
            { "serviceRevisionArn": rev("9"), "serviceArn": svc, "taskDefinition": td(9) },
            { "serviceRevisionArn": rev("8"), "serviceArn": svc, "taskDefinition": td(8) },
            { "serviceRevisionArn": rev("7"), "serviceArn": svc, "taskDefinition": td(7) }
        ],
        "failures": []
    });
    let replay =
        StaticReplayClient::new(vec![json(&list.to_string()), json(&revisions.to_string())]);
    let fleet = fleet(&replay).await;
    let key = ServiceKey {
        cluster: "example".into(),
        name: "web".into(),
    };
    let h = fleet.deployment_history(&key).await.expect("history");
    let web = |r: u32| TaskDefRef {
        family: "web".into(),
        revision: r,
    };
    assert_eq!(h.len(), 3);
    assert_eq!(h[0].revision, web(9));
    assert_eq!(
        h[0].outcome,
        Outcome::RolledBack {
            by: RollbackCause::Alarm,
            to: Some(web(8))
        }
    );
    assert_eq!(h[0].headline(), "ROLLED BACK by alarm · 9 → 8");
    assert_eq!(h[0].ended_at, Some(At(1_717_243_900_000)));
    assert_eq!(
        (h[1].outcome.clone(), h[1].from.clone()),
        (Outcome::Completed, Some(web(7)))
    );
    let sent = bodies(&replay);
    let list_req: serde_json::Value = serde_json::from_str(&sent[0]).expect("json");
    assert_eq!(list_req["service"], "web");
    assert_eq!(list_req["cluster"], "example");
    let revs: serde_json::Value = serde_json::from_str(&sent[1]).expect("json");
    assert_eq!(
        revs["serviceRevisionArns"].as_array().map(Vec::len),
        Some(3)
    );
}
