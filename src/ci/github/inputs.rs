//! A workflow file's `on.workflow_dispatch.inputs`: what the build dialog offers to edit.

use crate::model::text::clean;
use crate::model::{InputKind, WorkflowInput};
use serde_yaml_ng::Value;

/// Why a workflow file offers no inputs to dispatch.
#[derive(Debug, thiserror::Error)]
pub enum InputsError {
    #[error("not YAML: {0}")]
    NotYaml(#[from] serde_yaml_ng::Error),
    #[error("the workflow has no `on:`")]
    NoOn,
    #[error("the workflow has no workflow_dispatch trigger")]
    NoDispatch,
}

/// The dispatch inputs of a workflow file, in the file's order. Err when the file is not YAML
/// or the workflow cannot be dispatched (no `workflow_dispatch` trigger).
pub fn parse(yaml: &str) -> Result<Vec<WorkflowInput>, InputsError> {
    let doc: Value = serde_yaml_ng::from_str(yaml)?;
    let on = doc.get("on").ok_or(InputsError::NoOn)?;
    let dispatch = match on {
        Value::String(s) if s == "workflow_dispatch" => return Ok(Vec::new()),
        Value::Sequence(seq) if seq.iter().any(|v| v.as_str() == Some("workflow_dispatch")) => {
            return Ok(Vec::new());
        }
        Value::Mapping(m) => m.get("workflow_dispatch").ok_or(InputsError::NoDispatch)?,
        _ => return Err(InputsError::NoDispatch),
    };
    let Some(inputs) = dispatch.get("inputs").and_then(Value::as_mapping) else {
        return Ok(Vec::new());
    };
    Ok(inputs
        .iter()
        .filter_map(|(name, spec)| Some(input(name.as_str()?, spec)))
        .collect())
}

fn scalar(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => clean(s),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn input(name: &str, spec: &Value) -> WorkflowInput {
    let kind = match spec.get("type").and_then(Value::as_str).unwrap_or("string") {
        "choice" => InputKind::Choice(
            spec.get("options")
                .and_then(Value::as_sequence)
                .map(|o| o.iter().map(|v| scalar(Some(v))).collect())
                .unwrap_or_default(),
        ),
        "boolean" => InputKind::Boolean,
        "number" => InputKind::Number,
        "environment" => InputKind::Environment,
        _ => InputKind::String,
    };
    let mut default = scalar(spec.get("default"));
    if default.is_empty() {
        default = match &kind {
            InputKind::Boolean => "false".into(),
            InputKind::Choice(o) => o.first().cloned().unwrap_or_default(),
            _ => String::new(),
        };
    }
    WorkflowInput {
        name: clean(name),
        description: scalar(spec.get("description")),
        kind,
        default,
        required: spec
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_kind_of_input_in_order() {
        let yaml = r#"
name: build
on:
  push:
    branches: [main]
  workflow_dispatch:
    inputs:
      environment:
        description: Where to deploy
        type: environment
        required: true
      level:
        type: choice
        options: [info, debug]
      dry_run:
        type: boolean
        default: true
      retries:
        type: number
        default: 3
      note:
        description: "free text"
jobs: {}
"#;
        let inputs = parse(yaml).unwrap();
        let names: Vec<_> = inputs.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(
            names,
            ["environment", "level", "dry_run", "retries", "note"]
        );
        assert_eq!(inputs[0].kind, InputKind::Environment);
        assert!(inputs[0].required);
        assert_eq!(
            inputs[1].kind,
            InputKind::Choice(vec!["info".into(), "debug".into()])
        );
        assert_eq!(inputs[1].default, "info");
        assert_eq!(
            (inputs[2].kind.clone(), inputs[2].default.as_str()),
            (InputKind::Boolean, "true")
        );
        assert_eq!(inputs[3].default, "3");
        assert_eq!(inputs[4].kind, InputKind::String);
    }

    #[test]
    fn a_workflow_without_dispatch_says_so() {
        assert!(parse("on: push\njobs: {}\n").is_err());
        assert_eq!(
            parse("on: [push, workflow_dispatch]\n").unwrap(),
            Vec::new()
        );
    }
}
