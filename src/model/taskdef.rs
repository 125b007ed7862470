//! Task definitions in full, and what changed between two revisions, field by field: per
//! container its image, environment (names only; secrets by their ARN), command and ports,
//! health check and log configuration, then the task's cpu and memory.

use crate::model::TaskDefRef;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortMapping {
    pub container_port: Option<i32>,
    pub host_port: Option<i32>,
    pub protocol: String,
    pub name: String,
}

impl std::fmt::Display for PortMapping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let port = |p: Option<i32>| p.map_or("-".to_string(), |p| p.to_string());
        write!(f, "{}", port(self.container_port))?;
        if self.host_port.is_some() && self.host_port != self.container_port {
            write!(f, "→{}", port(self.host_port))?;
        }
        if !self.protocol.is_empty() {
            write!(f, "/{}", self.protocol)?;
        }
        if !self.name.is_empty() {
            write!(f, " ({})", self.name)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HealthCheck {
    pub command: Vec<String>,
    pub interval_secs: Option<i32>,
    pub timeout_secs: Option<i32>,
    pub retries: Option<i32>,
    pub start_period_secs: Option<i32>,
}

impl std::fmt::Display for HealthCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = |v: Option<i32>, unit: &str| v.map_or("-".to_string(), |v| format!("{v}{unit}"));
        write!(
            f,
            "{} every {} timeout {} retries {} start {}",
            self.command.join(" "),
            n(self.interval_secs, "s"),
            n(self.timeout_secs, "s"),
            n(self.retries, ""),
            n(self.start_period_secs, "s"),
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogConfig {
    pub driver: String,
    /// (name, value), sorted by name.
    pub options: Vec<(String, String)>,
    /// (name, secret ARN), sorted by name.
    pub secret_options: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerDef {
    pub name: String,
    pub image: String,
    /// (name, value), sorted by name. Values are compared, never shown.
    pub environment: Vec<(String, String)>,
    /// (name, `valueFrom` ARN), sorted by name.
    pub secrets: Vec<(String, String)>,
    pub command: Vec<String>,
    pub entry_point: Vec<String>,
    pub ports: Vec<PortMapping>,
    pub health_check: Option<HealthCheck>,
    pub log: Option<LogConfig>,
    pub cpu: Option<i32>,
    pub memory: Option<i32>,
}

/// One revision of a task definition, as `DescribeTaskDefinition` gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskDefinition {
    pub task_def: TaskDefRef,
    pub cpu: String,
    pub memory: String,
    pub containers: Vec<ContainerDef>,
}

/// How one field differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldChange {
    Added(String),
    Removed(String),
    Changed { from: String, to: String },
}

/// One difference: the container it is in (empty for the task's own fields), the field, and
/// how it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    pub container: String,
    pub field: String,
    pub change: FieldChange,
}

fn line(container: &str, field: &str, change: FieldChange) -> DiffLine {
    DiffLine {
        container: container.to_string(),
        field: field.to_string(),
        change,
    }
}

/// `tag v1.2 · digest sha256:…` of an image reference: what a reader compares.
pub fn image_text(image: &str) -> String {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    let tag = last.rsplit_once(':').map(|(_, t)| t);
    match (tag, digest) {
        (Some(t), Some(d)) => format!("{t} @ {d}"),
        (Some(t), None) => t.to_string(),
        (None, Some(d)) => format!("@ {d}"),
        (None, None) => "latest".into(),
    }
}

fn changed(container: &str, field: &str, a: String, b: String, out: &mut Vec<DiffLine>) {
    if a != b {
        let change = match (a.is_empty(), b.is_empty()) {
            (true, false) => FieldChange::Added(b),
            (false, true) => FieldChange::Removed(a),
            _ => FieldChange::Changed { from: a, to: b },
        };
        out.push(line(container, field, change));
    }
}

/// Named entries (environment, secrets, log options): added, removed and changed names.
/// `show` says how an entry's value reads in the diff (`None`: the name alone).
fn named(
    container: &str,
    field: &str,
    a: &[(String, String)],
    b: &[(String, String)],
    show: fn(&str, &str) -> String,
    out: &mut Vec<DiffLine>,
) {
    for (name, va) in a {
        match b.iter().find(|(n, _)| n == name) {
            None => out.push(line(container, field, FieldChange::Removed(show(name, va)))),
            Some((_, vb)) if vb != va => out.push(line(
                container,
                field,
                FieldChange::Changed {
                    from: show(name, va),
                    to: show(name, vb),
                },
            )),
            Some(_) => {}
        }
    }
    for (name, vb) in b {
        if !a.iter().any(|(n, _)| n == name) {
            out.push(line(container, field, FieldChange::Added(show(name, vb))));
        }
    }
}

/// Environment values may hold anything: a changed one is named, its values are not shown.
fn env_name(name: &str, _value: &str) -> String {
    name.to_string()
}

fn with_value(name: &str, value: &str) -> String {
    format!("{name}={value}")
}

fn join(v: &[String]) -> String {
    v.join(" ")
}

fn container_diff(a: &ContainerDef, b: &ContainerDef, out: &mut Vec<DiffLine>) {
    let c = b.name.as_str();
    changed(c, "image", image_text(&a.image), image_text(&b.image), out);
    if a.image != b.image && image_text(&a.image) == image_text(&b.image) {
        changed(c, "image", a.image.clone(), b.image.clone(), out);
    }
    named(
        c,
        "environment",
        &a.environment,
        &b.environment,
        env_name,
        out,
    );
    named(c, "secret", &a.secrets, &b.secrets, with_value, out);
    changed(c, "command", join(&a.command), join(&b.command), out);
    changed(
        c,
        "entry point",
        join(&a.entry_point),
        join(&b.entry_point),
        out,
    );
    let ports = |v: &[PortMapping]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    changed(
        c,
        "ports",
        ports(&a.ports).join(", "),
        ports(&b.ports).join(", "),
        out,
    );
    let hc = |h: &Option<HealthCheck>| h.as_ref().map_or(String::new(), ToString::to_string);
    changed(
        c,
        "health check",
        hc(&a.health_check),
        hc(&b.health_check),
        out,
    );
    log_diff(c, a.log.as_ref(), b.log.as_ref(), out);
    let n = |v: Option<i32>| v.map_or(String::new(), |v| v.to_string());
    changed(c, "cpu", n(a.cpu), n(b.cpu), out);
    changed(c, "memory", n(a.memory), n(b.memory), out);
}

fn log_diff(c: &str, a: Option<&LogConfig>, b: Option<&LogConfig>, out: &mut Vec<DiffLine>) {
    let empty = LogConfig::default();
    let (a, b) = (a.unwrap_or(&empty), b.unwrap_or(&empty));
    changed(c, "log driver", a.driver.clone(), b.driver.clone(), out);
    named(c, "log option", &a.options, &b.options, with_value, out);
    named(
        c,
        "log secret",
        &a.secret_options,
        &b.secret_options,
        with_value,
        out,
    );
}

/// What changed from `a` to `b`: the task's cpu and memory, then each container of either
/// (matched by name; a container only in one is added or removed whole).
pub fn diff(a: &TaskDefinition, b: &TaskDefinition) -> Vec<DiffLine> {
    let mut out = Vec::new();
    changed("", "cpu", a.cpu.clone(), b.cpu.clone(), &mut out);
    changed("", "memory", a.memory.clone(), b.memory.clone(), &mut out);
    for cb in &b.containers {
        match a.containers.iter().find(|ca| ca.name == cb.name) {
            Some(ca) => container_diff(ca, cb, &mut out),
            None => out.push(line(
                "",
                "container",
                FieldChange::Added(format!("{} ({})", cb.name, image_text(&cb.image))),
            )),
        }
    }
    for ca in &a.containers {
        if !b.containers.iter().any(|cb| cb.name == ca.name) {
            out.push(line(
                "",
                "container",
                FieldChange::Removed(format!("{} ({})", ca.name, image_text(&ca.image))),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn app(image: &str) -> ContainerDef {
        ContainerDef {
            name: "app".into(),
            image: image.into(),
            environment: kv(&[("DB_HOST", "db1"), ("MODE", "live")]),
            secrets: kv(&[(
                "PAYMENTS_API_KEY",
                "arn:aws:secretsmanager:eu:1:secret:pay-key",
            )]),
            command: vec!["serve".into()],
            ports: vec![PortMapping {
                container_port: Some(8080),
                host_port: Some(8080),
                protocol: "tcp".into(),
                name: String::new(),
            }],
            ..Default::default()
        }
    }

    fn revision(r: u32, c: ContainerDef) -> TaskDefinition {
        TaskDefinition {
            task_def: TaskDefRef {
                family: "payments".into(),
                revision: r,
            },
            cpu: "256".into(),
            memory: "512".into(),
            containers: vec![c],
        }
    }

    #[test]
    fn a_diff_names_every_field_that_changed_and_hides_env_values() {
        let a = revision(42, app("repo/payments:v1.42.0"));
        let mut c = app("repo/payments:v1.43.0");
        c.secrets.clear();
        c.environment = kv(&[("DB_HOST", "db2"), ("FEATURE_X", "on")]);
        c.command = vec!["serve".into(), "--fast".into()];
        c.ports[0].container_port = Some(9090);
        let mut b = revision(43, c);
        b.memory = "1024".into();
        let d = diff(&a, &b);
        let text: Vec<String> = d
            .iter()
            .map(|l| format!("{}|{}|{:?}", l.container, l.field, l.change))
            .collect();
        assert_eq!(
            text,
            [
                r#"|memory|Changed { from: "512", to: "1024" }"#,
                r#"app|image|Changed { from: "v1.42.0", to: "v1.43.0" }"#,
                r#"app|environment|Changed { from: "DB_HOST", to: "DB_HOST" }"#,
                r#"app|environment|Removed("MODE")"#,
                r#"app|environment|Added("FEATURE_X")"#,
                r#"app|secret|Removed("PAYMENTS_API_KEY=arn:aws:secretsmanager:eu:1:secret:pay-key")"#,
                r#"app|command|Changed { from: "serve", to: "serve --fast" }"#,
                r#"app|ports|Changed { from: "8080/tcp", to: "9090→8080/tcp" }"#,
            ]
        );
        assert!(!text.iter().any(|t| t.contains("db1") || t.contains("live")));
        assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn images_read_as_tag_and_digest() {
        assert_eq!(image_text("1.dkr.ecr/x/web:v2"), "v2");
        assert_eq!(image_text("web@sha256:ab"), "@ sha256:ab");
        assert_eq!(image_text("web:v2@sha256:ab"), "v2 @ sha256:ab");
        assert_eq!(image_text("localhost:5000/web"), "latest");
        // Same tag from another registry: the whole reference is shown.
        let a = revision(1, app("a.example/web:v1"));
        let b = revision(2, app("b.example/web:v1"));
        let d = diff(&a, &b);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].field, "image");
    }

    #[test]
    fn containers_only_in_one_revision_are_added_or_removed_whole() {
        let a = revision(1, app("web:v1"));
        let mut b = revision(2, app("web:v1"));
        b.containers[0].name = "proxy".into();
        let d = diff(&a, &b);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].change, FieldChange::Added("proxy (v1)".into()));
        assert_eq!(d[1].change, FieldChange::Removed("app (v1)".into()));
    }
}
