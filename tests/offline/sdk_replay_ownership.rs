//! Who owns a service and who changed it from outside the console, through the real SDK
//! clients on answers shaped as the AWS API references document them (moto has no CloudTrail,
//! and its DescribeStackResources takes no PhysicalResourceId):
//!
//! - CloudTrail `LookupEvents`, one event name a call, matched to the service by the request's
//!   parameters, the caller named, the console's own calls told apart by their user agent;
//! - CloudFormation `DescribeStackResources` by the service's ARN, `GetTemplate` (CDK's
//!   metadata and the template's desiredCount) and `DescribeStacks` (the parameter's value),
//!   and what the stack then does to a scale; and the answer when no stack lists the service.

use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use deckwatch::cloud::Fleet;
use deckwatch::model::At;
use deckwatch::model::ServiceKey;
use deckwatch::model::owner::{Change, Owner, TemplateValue, consequence};
use deckwatch::model::trail::CHANGING_CALLS;

use crate::support::replay::replay_fleet;

const SERVICE_ARN: &str = "arn:aws:ecs:us-west-2:123456789012:service/example/payments";

fn answer(status: u16, content_type: &str, body: &str) -> ReplayEvent {
    let req = http::Request::builder()
        .uri("https://example.amazonaws.com/")
        .body(SdkBody::empty())
        .expect("request");
    let resp = http::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(SdkBody::from(body.to_string()))
        .expect("response");
    ReplayEvent::new(req, resp)
}

fn bodies(replay: &StaticReplayClient) -> Vec<String> {
    replay
        .actual_requests()
        .map(|r| String::from_utf8_lossy(r.body().bytes().expect("in memory")).to_string())
        .collect()
}

/// One event of LookupEvents' documented shape, its CloudTrailEvent a JSON string.
fn event(id: &str, name: &str, time: u64, user: &str, params: &str, agent: &str) -> String {
    let record = format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/{user}","userName":"{user}"}},"eventTime":"2026-03-01T12:00:00Z","eventSource":"ecs.amazonaws.com","eventName":"{name}","awsRegion":"us-west-2","userAgent":"{agent}","requestParameters":{params},"responseElements":null,"readOnly":false,"eventType":"AwsApiCall"}}"#
    );
    format!(
        r#"{{"EventId":"{id}","EventName":"{name}","ReadOnly":"false","AccessKeyId":"AKIAEXAMPLE","EventTime":{time},"EventSource":"ecs.amazonaws.com","Username":"{user}","Resources":[],"CloudTrailEvent":{}}}"#,
        serde_json::Value::String(record)
    )
}

#[tokio::test]
async fn cloudtrail_names_who_changed_the_service_from_outside() {
    let json = "application/x-amz-json-1.1";
    let scale = event(
        "e-1",
        "UpdateService",
        1_772_366_400,
        "bob",
        r#"{"cluster":"example","service":"payments","desiredCount":6}"#,
        "console.amazonaws.com",
    );
    let other = event(
        "e-2",
        "UpdateService",
        1_772_366_500,
        "bob",
        r#"{"cluster":"example","service":"api","desiredCount":2}"#,
        "console.amazonaws.com",
    );
    let mine = event(
        "e-3",
        "UpdateService",
        1_772_366_600,
        "alice",
        r#"{"cluster":"example","service":"arn:aws:ecs:us-west-2:123456789012:service/example/payments","forceNewDeployment":true}"#,
        "aws-sdk-rust/1.3 os/linux app/deckwatch",
    );
    let register = event(
        "e-4",
        "RegisterTaskDefinition",
        1_772_366_300,
        "ci",
        r#"{"family":"payments","containerDefinitions":[]}"#,
        "aws-cli/2",
    );
    let mut events = vec![answer(
        200,
        json,
        &format!(r#"{{"Events":[{scale},{other},{mine}]}}"#),
    )];
    events.push(answer(200, json, &format!(r#"{{"Events":[{register}]}}"#)));
    for _ in 2..CHANGING_CALLS.len() {
        events.push(answer(200, json, r#"{"Events":[]}"#));
    }
    let replay = StaticReplayClient::new(events);
    let fleet = replay_fleet(&replay, None).await;
    let key = ServiceKey {
        cluster: "example".into(),
        name: "payments".into(),
    };
    let got = fleet
        .trail(
            &key,
            "payments",
            (At(1_772_360_000_000), At(1_772_370_000_000)),
        )
        .await
        .unwrap();
    // Newest first; the other service's call is not the payments service's.
    let ids: Vec<&str> = got.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["e-3", "e-1", "e-4"]);
    assert_eq!(got[1].who, "arn:aws:iam::123456789012:user/bob");
    assert_eq!(got[1].summary(), "UpdateService desiredCount=6");
    assert!(got[1].is_scale() && !got[1].by_console);
    assert!(got[0].by_console, "the console's own call is told apart");
    assert_eq!(got[2].summary(), "RegisterTaskDefinition family=payments");
    // One LookupEvents a name, in the span, by EventName.
    let sent = bodies(&replay);
    assert_eq!(sent.len(), CHANGING_CALLS.len());
    for (body, name) in sent.iter().zip(CHANGING_CALLS) {
        assert!(body.contains(r#""AttributeKey":"EventName""#), "{body}");
        assert!(
            body.contains(&format!(r#""AttributeValue":"{name}""#)),
            "{body}"
        );
        assert!(body.contains(r#""StartTime":1772360000"#), "{body}");
    }
}

const CFN_NS: &str = "http://cloudformation.amazonaws.com/doc/2010-05-15/";

fn xml(body: String) -> ReplayEvent {
    answer(200, "text/xml", &body)
}

#[tokio::test]
async fn a_cdk_stack_owns_the_service_and_its_next_update_resets_the_count() {
    let resources = format!(
        r#"<DescribeStackResourcesResponse xmlns="{CFN_NS}"><DescribeStackResourcesResult><StackResources><member><StackId>arn:aws:cloudformation:us-west-2:123456789012:stack/payments-prod/6a1f0f30-0000-11ee-8c52-0a1b2c3d4e5f</StackId><StackName>payments-prod</StackName><LogicalResourceId>Service9571FDD8</LogicalResourceId><PhysicalResourceId>{SERVICE_ARN}</PhysicalResourceId><ResourceType>AWS::ECS::Service</ResourceType><Timestamp>2026-02-01T10:00:00Z</Timestamp><ResourceStatus>UPDATE_COMPLETE</ResourceStatus></member></StackResources></DescribeStackResourcesResult><ResponseMetadata><RequestId>b9b4b068-3a41-11e5-94eb-example</RequestId></ResponseMetadata></DescribeStackResourcesResponse>"#
    );
    let template = r#"{"Parameters":{"DesiredCount":{"Type":"Number","Default":2}},"Resources":{"Service9571FDD8":{"Type":"AWS::ECS::Service","Metadata":{"aws:cdk:path":"PaymentsProd/Service/Service"},"Properties":{"DesiredCount":{"Ref":"DesiredCount"},"TaskDefinition":{"Ref":"TaskDef54694570"}}}}}"#;
    let template = template
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;");
    let get_template = format!(
        r#"<GetTemplateResponse xmlns="{CFN_NS}"><GetTemplateResult><TemplateBody>{template}</TemplateBody><StagesAvailable><member>Original</member><member>Processed</member></StagesAvailable></GetTemplateResult><ResponseMetadata><RequestId>b9b4b068-3a41-11e5-94eb-example</RequestId></ResponseMetadata></GetTemplateResponse>"#
    );
    let stacks = format!(
        r#"<DescribeStacksResponse xmlns="{CFN_NS}"><DescribeStacksResult><Stacks><member><StackName>payments-prod</StackName><StackId>arn:aws:cloudformation:us-west-2:123456789012:stack/payments-prod/6a1f0f30-0000-11ee-8c52-0a1b2c3d4e5f</StackId><CreationTime>2026-02-01T10:00:00Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus><Parameters><member><ParameterKey>DesiredCount</ParameterKey><ParameterValue>4</ParameterValue></member></Parameters></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>b9b4b068-3a41-11e5-94eb-example</RequestId></ResponseMetadata></DescribeStacksResponse>"#
    );
    let replay = StaticReplayClient::new(vec![xml(resources), xml(get_template), xml(stacks)]);
    let fleet = replay_fleet(&replay, None).await;
    let stack = fleet.stack_of(SERVICE_ARN).await.unwrap().expect("a stack");
    assert_eq!(stack.name, "payments-prod");
    assert_eq!(
        stack.cdk_path.as_deref(),
        Some("PaymentsProd/Service/Service")
    );
    let t = stack.template.as_ref().unwrap();
    assert_eq!(
        t.desired,
        TemplateValue::Parameter {
            name: "DesiredCount".into(),
            value: Some("4".into())
        }
    );
    let owner = Owner::Stack(stack.clone());
    assert_eq!(owner.label(), "cdk payments-prod");
    assert_eq!(
        consequence(&owner, &Change::Desired(8)).unwrap(),
        "stack payments-prod (CDK: PaymentsProd/Service/Service) owns this service: its next update sets desiredCount back to 4"
    );
    let sent = bodies(&replay);
    assert!(
        sent[0].contains("Action=DescribeStackResources"),
        "{}",
        sent[0]
    );
    assert!(
        sent[0].contains("PhysicalResourceId=arn%3Aaws%3Aecs%3Aus-west-2%3A123456789012%3Aservice%2Fexample%2Fpayments"),
        "{}",
        sent[0]
    );
    assert!(sent[1].contains("Action=GetTemplate") && sent[1].contains("StackName=payments-prod"));
    assert!(sent[2].contains("Action=DescribeStacks"));
    // Kept: a second ask sends nothing (the replay has no answer left to give).
    assert_eq!(fleet.stack_of(SERVICE_ARN).await.unwrap(), Some(stack));
}

#[tokio::test]
async fn no_stack_listing_the_service_is_no_owner_not_an_error() {
    let error = format!(
        r#"<ErrorResponse xmlns="{CFN_NS}"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack for {SERVICE_ARN} does not exist</Message></Error><RequestId>b9b4b068-3a41-11e5-94eb-example</RequestId></ErrorResponse>"#
    );
    let replay = StaticReplayClient::new(vec![answer(400, "text/xml", &error)]);
    let fleet = replay_fleet(&replay, None).await;
    assert_eq!(fleet.stack_of(SERVICE_ARN).await.unwrap(), None);
    // One DescribeStackResources, and nothing more asked of a service no stack lists.
    let sent = bodies(&replay);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains("Action=DescribeStackResources"));
}
