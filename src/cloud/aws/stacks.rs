//! Who owns a service, asked of CloudFormation: `DescribeStackResources` with the service's
//! ARN as the physical id (ECS services carry no `aws:cloudformation:*` tags), then the stack's
//! template (`GetTemplate`: CDK's `aws:cdk:path` metadata and what it sets desiredCount and the
//! task definition to), and the stack's parameters (`DescribeStacks`) when the template takes
//! a value from one. Kept for half an hour per service.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::model::owner::{Stack, TemplateService, TemplateValue};
use crate::model::{ApiError, ApiResult, ErrorKind, Op};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an answer is kept.
const KEPT: Duration = Duration::from_secs(30 * 60);
/// Services whose answer is kept, at most.
const KEPT_MAX: usize = 20_000;

#[derive(Default)]
pub struct StackCache(Mutex<HashMap<String, (Option<Stack>, Instant)>>);

impl StackCache {
    fn get(&self, arn: &str) -> Option<Option<Stack>> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(arn)
            .filter(|(_, at)| at.elapsed() < KEPT)
            .map(|(s, _)| s.clone())
    }

    fn put(&self, arn: &str, s: Option<Stack>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= KEPT_MAX {
            map.retain(|_, (_, at)| at.elapsed() < KEPT);
        }
        map.insert(arn.to_string(), (s, Instant::now()));
    }
}

/// The stack that lists the service with ARN `arn`, or None when no stack does.
pub async fn stack_of(
    cfn: &aws_sdk_cloudformation::Client,
    gate: &CallGate,
    cache: &StackCache,
    arn: &str,
) -> ApiResult<Option<Stack>> {
    if let Some(known) = cache.get(arn) {
        return Ok(known);
    }
    let listed = cfn
        .describe_stack_resources()
        .physical_resource_id(arn)
        .send()
        .within(gate, Op::CloudFormationDescribeStackResources)
        .await;
    let out = match listed {
        Ok(out) => out,
        // CloudFormation answers a ValidationError when no stack lists the resource.
        Err(e) if no_stack(&e) => {
            cache.put(arn, None);
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let found = out
        .stack_resources()
        .iter()
        .find(|r| r.physical_resource_id() == Some(arn))
        .or_else(|| out.stack_resources().first());
    let Some(r) = found else {
        cache.put(arn, None);
        return Ok(None);
    };
    let name = r.stack_name().unwrap_or_default().to_string();
    let logical = r.logical_resource_id().unwrap_or_default().to_string();
    let (cdk_path, template) = match template_of(cfn, gate, &name, &logical).await {
        Ok((path, t)) => (path, Ok(t)),
        Err(e) => (None, Err(e)),
    };
    let stack = Stack {
        name,
        logical_id: logical,
        cdk_path,
        template,
    };
    cache.put(arn, Some(stack.clone()));
    Ok(Some(stack))
}

fn no_stack(e: &ApiError) -> bool {
    e.kind == ErrorKind::Other && e.message.contains("does not exist")
}

/// CDK's path and the service's properties, from the stack's template (JSON or YAML).
async fn template_of(
    cfn: &aws_sdk_cloudformation::Client,
    gate: &CallGate,
    stack: &str,
    logical: &str,
) -> ApiResult<(Option<String>, TemplateService)> {
    let out = cfn
        .get_template()
        .stack_name(stack)
        .send()
        .within(gate, Op::CloudFormationGetTemplate)
        .await?;
    let body = out.template_body().unwrap_or_default();
    let doc = parse_template(body)
        .map_err(|e| ApiError::new(ErrorKind::Unreadable, format!("template of {stack}: {e}")))?;
    let resource = &doc["Resources"][logical];
    let cdk_path = resource["Metadata"]["aws:cdk:path"]
        .as_str()
        .map(str::to_string);
    let props = &resource["Properties"];
    let mut t = TemplateService {
        desired: value_of(&props["DesiredCount"], &doc),
        task_def: value_of(&props["TaskDefinition"], &doc),
    };
    if needs_parameters(&t) {
        let params = parameters(cfn, gate, stack).await?;
        for v in [&mut t.desired, &mut t.task_def] {
            if let TemplateValue::Parameter { name, value } = v {
                *value = params.get(name.as_str()).cloned();
            }
        }
    }
    Ok((cdk_path, t))
}

fn needs_parameters(t: &TemplateService) -> bool {
    [&t.desired, &t.task_def]
        .iter()
        .any(|v| matches!(v, TemplateValue::Parameter { value: None, .. }))
}

/// A template as JSON, whether it was written in JSON or in YAML (CloudFormation's short
/// forms such as `!Ref X` read as `{"Ref": "X"}`).
/// Err is YAML's word on it: JSON is YAML too.
pub fn parse_template(body: &str) -> Result<Value, serde_yaml_ng::Error> {
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        return Ok(v);
    }
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(body)?;
    Ok(yaml_to_json(yaml))
}

fn yaml_to_json(v: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(n).unwrap_or(Value::Null),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(m) => Value::Object(
            m.into_iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), yaml_to_json(v))))
                .collect(),
        ),
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let name = tag.trim_start_matches('!');
            let key = if name == "Ref" {
                "Ref".to_string()
            } else {
                format!("Fn::{name}")
            };
            let mut o = serde_json::Map::new();
            o.insert(key, yaml_to_json(t.value));
            Value::Object(o)
        }
    }
}

/// One property's value: a literal, a parameter, or an expression shown as it is written.
fn value_of(v: &Value, doc: &Value) -> TemplateValue {
    match v {
        Value::Null => TemplateValue::Unset,
        Value::String(s) => TemplateValue::Literal(s.clone()),
        Value::Number(n) => TemplateValue::Literal(n.to_string()),
        Value::Object(o) => match o.get("Ref").and_then(Value::as_str) {
            Some(name) if doc["Parameters"].get(name).is_some() => TemplateValue::Parameter {
                name: name.to_string(),
                value: None,
            },
            Some(name) => TemplateValue::Expression(format!("Ref {name}")),
            None => TemplateValue::Expression(crate::model::text::clean(&v.to_string())),
        },
        other => TemplateValue::Expression(other.to_string()),
    }
}

/// A stack's parameters: each one's value, by its name.
type Parameters = HashMap<String, String>;

/// The stack's parameters as it was last deployed.
async fn parameters(
    cfn: &aws_sdk_cloudformation::Client,
    gate: &CallGate,
    stack: &str,
) -> ApiResult<Parameters> {
    let out = cfn
        .describe_stacks()
        .stack_name(stack)
        .send()
        .within(gate, Op::CloudFormationDescribeStacks)
        .await?;
    Ok(out
        .stacks()
        .iter()
        .flat_map(|s| s.parameters())
        .filter_map(|p| {
            let value = p.resolved_value().or(p.parameter_value())?;
            Some((p.parameter_key()?.to_string(), value.to_string()))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_templates_read_with_their_short_forms() {
        let body = "Parameters:\n  Count:\n    Type: Number\nResources:\n  Svc:\n    Type: AWS::ECS::Service\n    Metadata:\n      aws:cdk:path: App/Svc/Resource\n    Properties:\n      DesiredCount: !Ref Count\n      TaskDefinition: !Ref TaskDef\n";
        let doc = parse_template(body).unwrap();
        let r = &doc["Resources"]["Svc"];
        assert_eq!(r["Metadata"]["aws:cdk:path"], "App/Svc/Resource");
        assert_eq!(
            value_of(&r["Properties"]["DesiredCount"], &doc),
            TemplateValue::Parameter {
                name: "Count".into(),
                value: None
            }
        );
        assert_eq!(
            value_of(&r["Properties"]["TaskDefinition"], &doc),
            TemplateValue::Expression("Ref TaskDef".into())
        );
        let json =
            parse_template(r#"{"Resources":{"S":{"Properties":{"DesiredCount":4}}}}"#).unwrap();
        assert_eq!(
            value_of(&json["Resources"]["S"]["Properties"]["DesiredCount"], &json),
            TemplateValue::Literal("4".into())
        );
        assert_eq!(value_of(&Value::Null, &json), TemplateValue::Unset);
    }
}
