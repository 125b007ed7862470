//! `deckwatch config schema`: a JSON Schema of the config file, from the same structs the file
//! is read into (`config::Config`, derived with schemars) and, for `[keys]`, from the key table
//! itself, so editors complete and check exactly what deckwatch accepts.

use super::{CommandError, output};
use crate::config::Config;
use crate::keys::Keymap;
use crate::keys::{KeysConfig, Section, action_name};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Map, Value, json};
use std::borrow::Cow;

/// The config's schema, as JSON.
pub fn schema() -> Value {
    schemars::schema_for!(Config).to_value()
}

pub fn run() -> Result<(), CommandError> {
    let text = serde_json::to_string_pretty(&schema())
        .map_err(|e| CommandError::Failed(format!("the schema does not serialise: {e}")))?;
    output::print(&format!("{text}\n"))
}

/// `[keys.MODE]`: per mode, the actions of the key table, each a key name or a list of them.
impl JsonSchema for KeysConfig {
    fn schema_name() -> Cow<'static, str> {
        "KeysConfig".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let map = Keymap::default();
        let mut modes = Map::new();
        for section in Section::ALL {
            let mut actions = Map::new();
            for b in map
                .layer(section.layer())
                .iter()
                .filter(|b| section.owns(b))
            {
                if let Some(name) = action_name(&b.command) {
                    let keys = json!({
                        "description": b.help,
                        "anyOf": [
                            {"type": "string"},
                            {"type": "array", "items": {"type": "string"}}
                        ]
                    });
                    actions.insert(name.to_string(), keys);
                }
            }
            modes.insert(
                section.name().to_string(),
                json!({
                    "type": "object",
                    "description": format!(
                        "Keys of {} mode: an action's key (\"P\", \"ctrl-d\", \"PgDn\") or a list of them.",
                        section.name()
                    ),
                    "properties": actions,
                    "additionalProperties": false
                }),
            );
        }
        json_schema!({
            "type": "object",
            "description": "[keys.MODE]: per mode, an action's keys over the defaults (`deckwatch keys` prints them).",
            "properties": modes,
            "additionalProperties": false
        })
    }
}

/// One key of the config as the man page and the docs list it: its TOML path (`logs.max_lines`,
/// `context[].name`), its type and its description.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyDoc {
    pub path: String,
    pub kind: String,
    pub description: String,
    pub default: Option<String>,
}

/// Every key the schema describes, depth first in the structs' order (`[keys]` by mode, not
/// by action: the man page's KEYS section lists those).
pub fn key_docs() -> Vec<KeyDoc> {
    let root = schema();
    let mut out = Vec::new();
    walk(&root, &root, "", &mut out);
    out
}

fn walk(root: &Value, node: &Value, prefix: &str, out: &mut Vec<KeyDoc>) {
    let Some(props) = resolve(root, node)["properties"].as_object() else {
        return;
    };
    for (name, raw) in props {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let field = resolve(root, raw);
        let kind = kind_of(root, field);
        let description = raw["description"]
            .as_str()
            .or(field["description"].as_str())
            .unwrap_or_default()
            .replace('\n', " ");
        let default = raw
            .get("default")
            .filter(|d| !d.is_object() && !d.is_null())
            .map(Value::to_string);
        out.push(KeyDoc {
            path: path.clone(),
            kind: kind.clone(),
            description,
            default,
        });
        if path == "keys" {
            continue;
        }
        if kind == "table" {
            walk(root, field, &path, out);
        } else if kind == "array of tables" {
            walk(
                root,
                resolve(root, &field["items"]),
                &format!("{path}[]"),
                out,
            );
        }
    }
}

/// The schema a `$ref` points at, or the node itself; a nullable `anyOf` gives its value.
fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    if let Some(r) = node["$ref"].as_str() {
        let pointer = r.trim_start_matches('#');
        return root.pointer(pointer).unwrap_or(node);
    }
    node
}

fn kind_of(root: &Value, field: &Value) -> String {
    let types: Vec<&str> = match &field["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let main = types.iter().find(|t| **t != "null").copied().unwrap_or("");
    match main {
        "object" if field.get("properties").is_some() => "table".into(),
        "object" => "table of numbers".into(),
        "array" => {
            let items = resolve(root, &field["items"]);
            if items.get("properties").is_some() {
                "array of tables".into()
            } else {
                "array of strings".into()
            }
        }
        "integer" => "integer".into(),
        "number" => "number".into(),
        "boolean" => "boolean".into(),
        "string" => "string".into(),
        _ if field.get("anyOf").is_some() => "string or array".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_of_the_structs_is_documented_with_its_kind() {
        let docs = key_docs();
        let find = |p: &str| {
            docs.iter()
                .find(|d| d.path == p)
                .unwrap_or_else(|| panic!("no {p} in {docs:#?}"))
        };
        assert_eq!(find("logs.max_lines").kind, "integer");
        assert_eq!(find("logs.max_lines").default.as_deref(), Some("200000"));
        assert_eq!(find("context").kind, "array of tables");
        assert_eq!(find("context[].name").kind, "string");
        assert_eq!(find("context[].clusters").kind, "array of strings");
        assert_eq!(find("build[].ref").kind, "string");
        assert_eq!(find("budget").kind, "table of numbers");
        assert_eq!(find("keys").kind, "table");
        assert_eq!(find("read_only").kind, "boolean");
        assert!(find("poll.fast_secs").description.contains("rolling out"));
        assert!(docs.iter().all(|d| !d.description.is_empty()), "{docs:#?}");
    }

    #[test]
    fn the_keys_schema_lists_each_mode_s_actions() {
        let s = schema();
        let keys = resolve(&s, &s["properties"]["keys"]);
        let normal = &keys["properties"]["normal"]["properties"];
        assert!(normal.get("promote").is_some(), "{keys:#}");
        assert!(normal.get("follow").is_none(), "follow is in [keys.logs]");
        assert!(
            keys["properties"]["logs"]["properties"]
                .get("follow")
                .is_some()
        );
    }
}
