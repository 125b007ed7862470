//! `:describe` in the demo: the simulated world written as JSON shaped like the describe
//! call's answer (the field names and nesting of ECS, ECR and CloudWatch's JSON forms, and of
//! GitHub's run), laid out by the same code as a real answer.

use crate::demo::world::World;
use crate::model::{
    AlarmKind, ApiError, ApiResult, At, DescribeTarget, ErrorKind, Op, RawDoc, RawFormat, Run,
};
use serde_json::{Value, json};

/// Seconds since the epoch, as ECS's JSON writes times.
fn secs(at: At) -> f64 {
    at.millis() as f64 / 1000.0
}

fn missing(what: String) -> ApiError {
    ApiError::new(ErrorKind::Other, format!("{what}: not in the demo world"))
}

/// The document `target` describes, or why there is none.
pub fn describe(w: &World, target: &DescribeTarget) -> ApiResult<RawDoc> {
    let (op, body) = match target {
        DescribeTarget::Service(k) => (Op::EcsDescribeServices, service(w, k)?),
        DescribeTarget::Task { arn, .. } => (Op::EcsDescribeTasks, task(w, arn)?),
        DescribeTarget::TaskDef(td) => {
            let def = crate::demo::taskdefs::describe(w, td)
                .ok_or_else(|| missing(format!("task definition {td}")))?;
            (Op::EcsDescribeTaskDefinition, taskdef(w, &def))
        }
        DescribeTarget::Image { repository, digest } => {
            (Op::EcrDescribeImages, image(w, repository, digest)?)
        }
        DescribeTarget::Alarm(name) => (Op::CloudWatchDescribeAlarms, alarm(w, name)?),
        DescribeTarget::Run(r) => {
            let run = w.builds.runs.iter().find(|x| x.id == r.id);
            let run = run.ok_or_else(|| missing(format!("run {}", r.id)))?;
            (Op::GitHubGetWorkflowRun, run_json(&run.to_run(w.now)))
        }
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    Ok(RawDoc::from_body(op, RawFormat::Json, &bytes))
}

fn service(w: &World, key: &crate::model::ServiceKey) -> ApiResult<Value> {
    let s = w.services.iter().map(|s| &s.svc).find(|s| s.key() == *key);
    let s = s.ok_or_else(|| missing(format!("service {key}")))?;
    let arn_of = |td: &crate::model::TaskDefRef| {
        format!(
            "arn:aws:ecs:{}:{}:task-definition/{td}",
            w.region, w.account
        )
    };
    let deployments: Vec<Value> = s
        .deployments
        .iter()
        .map(|d| {
            json!({
                "id": d.id, "status": d.status.as_str(), "taskDefinition": arn_of(&d.task_def),
                "desiredCount": d.desired, "runningCount": d.running, "pendingCount": d.pending,
                "failedTasks": d.failed_tasks, "createdAt": secs(d.created_at),
                "updatedAt": secs(d.updated_at), "rolloutState": d.rollout_state.as_str(),
                "rolloutStateReason": d.rollout_reason,
            })
        })
        .collect();
    let events: Vec<Value> = s
        .events
        .iter()
        .map(|e| json!({"createdAt": secs(e.at), "message": e.message}))
        .collect();
    Ok(json!({"services": [{
        "serviceArn": s.arn, "serviceName": s.name,
        "clusterArn": format!("arn:aws:ecs:{}:{}:cluster/{}", w.region, w.account, s.cluster),
        "status": s.status.as_str(), "desiredCount": s.desired, "runningCount": s.running,
        "pendingCount": s.pending, "taskDefinition": arn_of(&s.task_def),
        "deploymentController": {"type": s.controller.as_str()},
        "deployments": deployments, "events": events, "createdAt": secs(s.created_at),
        "enableExecuteCommand": s.exec_enabled,
    }], "failures": []}))
}

fn task(w: &World, arn: &str) -> ApiResult<Value> {
    let tasks = w.tasks();
    let t = tasks.iter().find(|t| t.arn == arn);
    let t = t.ok_or_else(|| missing(format!("task {arn}")))?;
    let containers: Vec<Value> = t
        .containers
        .iter()
        .map(|c| json!({"name": c.name, "runtimeId": c.runtime_id, "lastStatus": t.last_status.as_str()}))
        .collect();
    Ok(json!({"tasks": [{
        "taskArn": t.arn,
        "clusterArn": format!("arn:aws:ecs:{}:{}:cluster/{}", w.region, w.account, t.cluster),
        "group": format!("service:{}", t.service),
        "taskDefinitionArn": format!("arn:aws:ecs:{}:{}:task-definition/{}", w.region, w.account, t.task_def),
        "lastStatus": t.last_status.as_str(), "desiredStatus": t.desired_status.as_str(),
        "healthStatus": t.health.as_str(), "startedAt": t.started_at.map(secs),
        "stoppedAt": t.stopped_at.map(secs), "stopCode": t.stop_code, "stoppedReason": t.stop_reason,
        "platformVersion": t.platform_version, "enableExecuteCommand": t.exec_enabled,
        "containers": containers, "launchType": "FARGATE",
    }], "failures": []}))
}

fn taskdef(w: &World, def: &crate::model::TaskDefinition) -> Value {
    let containers: Vec<Value> = def
        .containers
        .iter()
        .map(|c| {
            let env: Vec<Value> = c
                .environment
                .iter()
                .map(|(k, v)| json!({"name": k, "value": v}))
                .collect();
            json!({"name": c.name, "image": c.image, "environment": env,
                   "command": c.command, "entryPoint": c.entry_point, "essential": true})
        })
        .collect();
    json!({"taskDefinition": {
        "taskDefinitionArn": format!("arn:aws:ecs:{}:{}:task-definition/{}", w.region, w.account, def.task_def),
        "family": def.task_def.family, "revision": def.task_def.revision, "status": "ACTIVE",
        "cpu": def.cpu, "memory": def.memory, "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"], "containerDefinitions": containers,
    }, "tags": []})
}

fn image(w: &World, repository: &str, digest: &str) -> ApiResult<Value> {
    let images = w.images();
    let i = images
        .iter()
        .find(|i| i.repository == repository && i.digest == digest);
    let i = i.ok_or_else(|| missing(format!("image {repository}@{digest}")))?;
    Ok(json!({"imageDetails": [{
        "registryId": w.account, "repositoryName": i.repository, "imageDigest": i.digest,
        "imageTags": i.tags, "imageSizeInBytes": i.size_bytes, "imagePushedAt": secs(i.pushed_at),
        "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json",
    }]}))
}

fn alarm(w: &World, name: &str) -> ApiResult<Value> {
    let a = w.alarms.iter().find(|a| a.name == name);
    let a = a.ok_or_else(|| missing(format!("alarm {name}")))?;
    let mut one = json!({
        "AlarmName": a.name, "AlarmArn": a.spec.arn, "StateValue": a.state.as_str(),
        "StateReason": a.reason, "StateUpdatedTimestamp": secs(a.updated_at),
    });
    if let Some(m) = &a.spec.metric {
        one["MetricName"] = json!(m.name);
        one["Namespace"] = json!(m.namespace);
        one["Statistic"] = json!(m.statistic);
        one["Period"] = json!(m.period_secs);
        one["EvaluationPeriods"] = json!(a.spec.evaluation_periods);
        one["Threshold"] = json!(a.spec.threshold);
    }
    if let Some(rule) = &a.spec.rule {
        one["AlarmRule"] = json!(rule);
    }
    Ok(match a.kind {
        AlarmKind::Metric => json!({"MetricAlarms": [one], "CompositeAlarms": []}),
        AlarmKind::Composite => json!({"MetricAlarms": [], "CompositeAlarms": [one]}),
    })
}

/// A run as GitHub's REST API writes one.
fn run_json(r: &Run) -> Value {
    json!({
        "id": r.id, "name": r.name, "run_number": r.number, "run_attempt": r.attempt,
        "status": r.status.as_str(), "conclusion": r.conclusion.as_ref().map(|c| c.as_str().to_string()),
        "head_branch": r.branch, "head_sha": r.head_sha, "event": r.event,
        "actor": {"login": r.actor}, "html_url": r.html_url,
        "repository": {"full_name": r.workflow.repo},
    })
}
