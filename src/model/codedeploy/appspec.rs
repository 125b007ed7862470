//! The AppSpec the console writes for a new CodeDeploy deployment of an ECS service, and the
//! task definition one names.

use crate::model::TaskDefRef;

/// The AppSpec a new deployment of `task_def_arn` sends, as JSON (which AppSpec's YAML
/// reader takes too): the service's container and port behind the load balancer.
pub fn appspec(task_def_arn: &str, container: &str, port: u16) -> String {
    serde_json::json!({
        "version": 0.0,
        "Resources": [{
            "TargetService": {
                "Type": "AWS::ECS::Service",
                "Properties": {
                    "TaskDefinition": task_def_arn,
                    "LoadBalancerInfo": { "ContainerName": container, "ContainerPort": port }
                }
            }
        }]
    })
    .to_string()
}

/// The task definition an AppSpec names (JSON or YAML), if it names one.
pub fn appspec_task_def(content: &str) -> Option<String> {
    let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(content).ok()?;
    let resources = v.get("Resources")?.as_sequence()?;
    resources.iter().find_map(|r| {
        let props = r.as_mapping()?.values().next()?.get("Properties")?;
        props
            .get("TaskDefinition")?
            .as_str()
            .map(crate::model::text::clean)
    })
}

/// `arn:aws:ecs:REGION:ACCOUNT:task-definition/family:N`, in the service's account and region
/// (the AppSpec names a task definition by ARN).
pub fn task_def_arn(service_arn: &str, td: &TaskDefRef) -> String {
    let mut parts = service_arn.splitn(6, ':');
    let (partition, region, account) = (parts.nth(1), parts.nth(1), parts.next());
    match (partition, region, account) {
        (Some(p), Some(r), Some(a)) => format!("arn:{p}:ecs:{r}:{a}:task-definition/{td}"),
        _ => td.to_string(),
    }
}
