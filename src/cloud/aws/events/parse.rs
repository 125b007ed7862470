//! The EventBridge envelope of ECS's events, read into `model::EcsEvent`: `source` `aws.ecs`
//! and one of the three detail types the console follows. Unknown fields are ignored (ECS adds
//! them over time); a message that is not JSON, or lacks what its type must carry, is
//! `Malformed`; another source, detail type, account or region is `Foreign`.

use crate::cloud::aws::parse::last_segment;
use crate::files::textfile::clip_middle;
use crate::model::text::clean;
use crate::model::{
    At, Clean, DeploymentEventName, EcsEvent, EventChange, EventLevel, ServiceRef, Skipped,
    TaskStatus,
};
use serde_json::{Map, Value};

/// The detail types read; every other one of `aws.ecs` is foreign.
pub const TASK: &str = "ECS Task State Change";
pub const DEPLOYMENT: &str = "ECS Deployment State Change";
pub const SERVICE_ACTION: &str = "ECS Service Action";

/// Characters of a message's own text an error quotes, at most.
const QUOTED: usize = 80;

/// The account and region a context's events must come from (either unknown: any).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    pub account: Option<String>,
    pub region: Option<String>,
}

type Fields = Map<String, Value>;

/// Reads one delivered message body.
pub fn parse(body: &str, expect: &Expect) -> Result<EcsEvent, Skipped> {
    let value: Value = serde_json::from_str(body).map_err(|e| {
        malformed(format!(
            "not JSON ({e}): {}",
            clip_middle(&clean(body), QUOTED)
        ))
    })?;
    let top = value
        .as_object()
        .ok_or_else(|| malformed("not a JSON object".into()))?;
    let source = text(top, "source")?;
    if source != "aws.ecs" {
        return Err(foreign(format!("source {source}")));
    }
    let kind = text(top, "detail-type")?;
    if ![TASK, DEPLOYMENT, SERVICE_ACTION].contains(&kind) {
        return Err(foreign(format!("detail-type {kind}")));
    }
    check_origin(top, expect)?;
    let detail = top
        .get("detail")
        .and_then(Value::as_object)
        .ok_or_else(|| malformed(format!("{kind} without a detail object")))?;
    let change = match kind {
        TASK => task(top, detail)?,
        DEPLOYMENT => deployment(top, detail)?,
        _ => service_action(top, detail)?,
    };
    let event = EcsEvent {
        id: text(top, "id")?.to_string(),
        at: time(top)?,
        change,
    };
    Ok(event.cleaned())
}

fn malformed(why: String) -> Skipped {
    Skipped::Malformed(clean(&why))
}

fn foreign(what: String) -> Skipped {
    Skipped::Foreign(clip_middle(&clean(&what), QUOTED))
}

/// A string field that must be there.
fn text<'a>(obj: &'a Fields, key: &str) -> Result<&'a str, Skipped> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(other) => Err(malformed(format!(
            "{key} is not a string: {}",
            clip_middle(&other.to_string(), QUOTED)
        ))),
        None => Err(malformed(format!("no {key}"))),
    }
}

/// A string field that may be missing.
fn opt_text<'a>(obj: &'a Fields, key: &str) -> &'a str {
    obj.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// Another account's or region's event (a queue shared across accounts) is not this
/// context's.
fn check_origin(top: &Fields, expect: &Expect) -> Result<(), Skipped> {
    let pairs = [
        ("account", expect.account.as_deref()),
        ("region", expect.region.as_deref()),
    ];
    for (key, wanted) in pairs {
        let got = opt_text(top, key);
        if let Some(w) = wanted
            && !got.is_empty()
            && got != w
        {
            return Err(foreign(format!("{key} {got}")));
        }
    }
    Ok(())
}

/// `time`, an ISO 8601 timestamp.
fn time(top: &Fields) -> Result<At, Skipped> {
    let t = text(top, "time")?;
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|d| At(d.timestamp_millis()))
        .map_err(|_| malformed(format!("time {:?} is not a timestamp", clip_middle(t, 40))))
}

/// The first ARN of `resources`.
fn resource(top: &Fields) -> Option<&str> {
    top.get("resources")?.as_array()?.first()?.as_str()
}

fn task(top: &Fields, d: &Fields) -> Result<EventChange, Skipped> {
    let task_arn = match opt_text(d, "taskArn") {
        "" => resource(top).ok_or_else(|| malformed("a task event naming no task".into()))?,
        arn => arn,
    };
    let cluster = last_segment(text(d, "clusterArn")?).to_string();
    let service = opt_text(d, "group")
        .strip_prefix("service:")
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let last = TaskStatus::parse(text(d, "lastStatus")?);
    let desired = match opt_text(d, "desiredStatus") {
        "" => last.clone(),
        s => TaskStatus::parse(s),
    };
    Ok(EventChange::Task {
        cluster,
        task_arn: task_arn.to_string(),
        service,
        last_status: last,
        desired_status: desired,
        version: d.get("version").and_then(Value::as_i64),
    })
}

/// The service of a service event: `resources[0]` is its ARN, `service/CLUSTER/NAME` (or
/// `service/NAME` in the old format, with `detail.clusterArn` naming the cluster when given).
fn service_of(top: &Fields, d: &Fields) -> Result<ServiceRef, Skipped> {
    let arn = resource(top).ok_or_else(|| malformed("a service event naming no service".into()))?;
    let path = arn
        .split_once(":service/")
        .map(|(_, p)| p)
        .ok_or_else(|| malformed(format!("{} is not a service ARN", clip_middle(arn, QUOTED))))?;
    let from_detail = Some(last_segment(opt_text(d, "clusterArn")))
        .filter(|c| !c.is_empty())
        .map(str::to_string);
    let (cluster, name) = match path.split_once('/') {
        Some((c, n)) => (Some(c.to_string()), n),
        None => (from_detail, path),
    };
    if name.is_empty() {
        return Err(malformed(format!("{arn} names no service")));
    }
    Ok(ServiceRef {
        cluster,
        name: name.to_string(),
    })
}

fn deployment(top: &Fields, d: &Fields) -> Result<EventChange, Skipped> {
    Ok(EventChange::Deployment {
        service: service_of(top, d)?,
        name: DeploymentEventName::parse(text(d, "eventName")?),
        level: EventLevel::parse(opt_text(d, "eventType")),
        deployment_id: opt_text(d, "deploymentId").to_string(),
        reason: opt_text(d, "reason").to_string(),
    })
}

fn service_action(top: &Fields, d: &Fields) -> Result<EventChange, Skipped> {
    Ok(EventChange::ServiceAction {
        service: service_of(top, d)?,
        name: text(d, "eventName")?.to_string(),
        level: EventLevel::parse(opt_text(d, "eventType")),
        reason: opt_text(d, "reason").to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The task state change event of the ECS developer guide, trimmed of fields not read.
    pub const TASK_EVENT: &str = r#"{
        "version": "0",
        "id": "3317b2af-7005-947d-b652-f55e762e571a",
        "detail-type": "ECS Task State Change",
        "source": "aws.ecs",
        "account": "111122223333",
        "time": "2020-01-23T17:57:58Z",
        "region": "us-west-2",
        "resources": ["arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad"],
        "detail": {
            "availabilityZone": "us-west-2c",
            "clusterArn": "arn:aws:ecs:us-west-2:111122223333:cluster/FargateCluster",
            "createdAt": "2020-01-23T17:57:34.402Z",
            "launchType": "FARGATE",
            "desiredStatus": "RUNNING",
            "group": "service:sample-fargate",
            "lastStatus": "RUNNING",
            "taskArn": "arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad",
            "taskDefinitionArn": "arn:aws:ecs:us-west-2:111122223333:task-definition/sample-fargate:1",
            "version": 4
        }
    }"#;

    const DEPLOYMENT_EVENT: &str = r#"{
        "version": "0",
        "id": "ddca6449-b258-46c0-8653-e0e3a6EXAMPLE",
        "detail-type": "ECS Deployment State Change",
        "source": "aws.ecs",
        "account": "111122223333",
        "time": "2020-05-23T12:31:14Z",
        "region": "us-west-2",
        "resources": ["arn:aws:ecs:us-west-2:111122223333:service/default/servicetest"],
        "detail": {
            "eventType": "ERROR",
            "eventName": "SERVICE_DEPLOYMENT_FAILED",
            "deploymentId": "ecs-svc/123",
            "updatedAt": "2020-05-23T11:11:11Z",
            "reason": "ECS deployment circuit breaker: task failed to start."
        }
    }"#;

    const ACTION_EVENT: &str = r#"{
        "version": "0",
        "id": "af3c496d-f4a8-65d1-70f4-a69d52e9b584",
        "detail-type": "ECS Service Action",
        "source": "aws.ecs",
        "account": "111122223333",
        "time": "2019-11-19T19:27:22Z",
        "region": "us-west-2",
        "resources": ["arn:aws:ecs:us-west-2:111122223333:service/default/servicetest"],
        "detail": {
            "eventType": "INFO",
            "eventName": "SERVICE_STEADY_STATE",
            "clusterArn": "arn:aws:ecs:us-west-2:111122223333:cluster/default",
            "createdAt": "2019-11-19T19:27:22.695Z"
        }
    }"#;

    fn here() -> Expect {
        Expect {
            account: Some("111122223333".into()),
            region: Some("us-west-2".into()),
        }
    }

    fn web(cluster: Option<&str>, name: &str) -> ServiceRef {
        ServiceRef {
            cluster: cluster.map(str::to_string),
            name: name.into(),
        }
    }

    #[test]
    fn the_documented_task_event_names_its_task_and_service() {
        let e = parse(TASK_EVENT, &here()).unwrap();
        assert_eq!(e.id, "3317b2af-7005-947d-b652-f55e762e571a");
        assert_eq!(e.at, At(1_579_802_278_000));
        let EventChange::Task {
            cluster,
            task_arn,
            service,
            last_status,
            version,
            ..
        } = &e.change
        else {
            panic!("{e:?}")
        };
        assert_eq!(cluster, "FargateCluster");
        assert!(task_arn.ends_with("/c13b4cb40f1f4fe4a2971f76ae5a47ad"));
        assert_eq!(service.as_deref(), Some("sample-fargate"));
        assert_eq!(*last_status, TaskStatus::Running);
        assert_eq!(*version, Some(4));
        assert_eq!(
            e.service(),
            Some(web(Some("FargateCluster"), "sample-fargate"))
        );
    }

    #[test]
    fn the_documented_deployment_and_service_action_events_name_their_service() {
        let e = parse(DEPLOYMENT_EVENT, &here()).unwrap();
        let EventChange::Deployment { name, level, .. } = &e.change else {
            panic!("{e:?}")
        };
        assert_eq!(*name, DeploymentEventName::Failed);
        assert_eq!(*level, EventLevel::Error);
        assert_eq!(e.service(), Some(web(Some("default"), "servicetest")));
        let e = parse(ACTION_EVENT, &here()).unwrap();
        let EventChange::ServiceAction { name, .. } = &e.change else {
            panic!("{e:?}")
        };
        assert_eq!(name, "SERVICE_STEADY_STATE");
        assert_eq!(e.service(), Some(web(Some("default"), "servicetest")));
    }

    #[test]
    fn an_old_format_service_arn_takes_the_cluster_from_the_detail_or_none() {
        let old = ACTION_EVENT.replace("service/default/servicetest", "service/servicetest");
        assert_eq!(
            parse(&old, &here()).unwrap().service(),
            Some(web(Some("default"), "servicetest"))
        );
        let bare = DEPLOYMENT_EVENT.replace("service/default/servicetest", "service/servicetest");
        assert_eq!(
            parse(&bare, &here()).unwrap().service(),
            Some(web(None, "servicetest"))
        );
    }

    #[test]
    fn other_sources_types_accounts_and_regions_are_foreign() {
        let ec2 = ACTION_EVENT.replace("\"aws.ecs\"", "\"aws.ec2\"");
        assert_eq!(
            parse(&ec2, &here()),
            Err(Skipped::Foreign("source aws.ec2".into()))
        );
        let instance = ACTION_EVENT.replace(SERVICE_ACTION, "ECS Container Instance State Change");
        assert!(matches!(
            parse(&instance, &here()),
            Err(Skipped::Foreign(_))
        ));
        let other = Expect {
            account: Some("999999999999".into()),
            region: None,
        };
        assert_eq!(
            parse(ACTION_EVENT, &other),
            Err(Skipped::Foreign("account 111122223333".into()))
        );
        assert!(parse(ACTION_EVENT, &Expect::default()).is_ok());
    }

    #[test]
    fn broken_messages_are_malformed_and_say_why() {
        for (body, why) in [
            ("not json at all", "not JSON"),
            ("[1, 2]", "not a JSON object"),
            (r#"{"detail-type": "x"}"#, "no source"),
            (
                &ACTION_EVENT.replace("\"eventName\": \"SERVICE_STEADY_STATE\",", ""),
                "no eventName",
            ),
            (
                &TASK_EVENT.replace("\"2020-01-23T17:57:58Z\"", "\"yesterday\""),
                "is not a timestamp",
            ),
            (
                &DEPLOYMENT_EVENT.replace("service/default/servicetest", "cluster/default"),
                "is not a service ARN",
            ),
        ] {
            match parse(body, &here()) {
                Err(Skipped::Malformed(m)) => assert!(m.contains(why), "{m} lacks {why}"),
                other => panic!("{body}: {other:?}"),
            }
        }
    }

    #[test]
    fn what_reaches_the_state_is_cleaned() {
        let evil = ACTION_EVENT.replace("servicetest", "web\\u001b[31m");
        let e = parse(&evil, &here()).unwrap();
        let s = e.service().unwrap();
        assert!(!s.name.contains('\u{1b}'), "{s:?}");
    }
}
