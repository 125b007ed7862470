//! What the demo's services write: some JSON (as structured loggers do), some logfmt, some
//! plain text, so the logs pane shows each the way it would on a real fleet.

use crate::model::At;

/// How a demo service writes its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Json,
    Logfmt,
}

pub fn style_of(service: &str) -> Style {
    match service {
        "payments" | "checkout" | "notifications" => Style::Json,
        "api" | "search" | "search-canary" | "auth" => Style::Logfmt,
        _ => Style::Plain,
    }
}

/// What a line says, before it is written in a service's style.
pub enum Said<'a> {
    Request {
        path: &'a str,
        code: u32,
        ms: u64,
    },
    Info(&'a str),
    /// (level, message, key, value) of a failure.
    Failure(&'a Failure),
}

pub struct Failure {
    pub level: &'static str,
    pub msg: &'static str,
    pub key: &'static str,
    pub value: &'static str,
}

pub const FAILURES: &[Failure] = &[
    Failure {
        level: "ERROR",
        msg: "upstream connect error: connection refused",
        key: "upstream",
        value: "db-primary:5432",
    },
    Failure {
        level: "ERROR",
        msg: "health check returned 503",
        key: "path",
        value: "/healthz",
    },
    Failure {
        level: "ERROR",
        msg: "panic: missing env PAYMENTS_API_KEY",
        key: "component",
        value: "config",
    },
    Failure {
        level: "WARN",
        msg: "retrying request to ledger",
        key: "attempt",
        value: "3/3",
    },
];

pub fn write(style: Style, said: &Said<'_>, at: At) -> String {
    let (level, msg, pairs) = parts(said);
    match style {
        Style::Plain => {
            let rest: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{level} {msg} {}", rest.join(" "))
                .trim_end()
                .to_string()
        }
        Style::Logfmt => {
            let mut s = format!("level={} msg={msg:?}", level.to_lowercase());
            for (k, v) in &pairs {
                s.push_str(&format!(" {k}={v}"));
            }
            s
        }
        Style::Json => {
            let mut map = serde_json::Map::new();
            let time = chrono::DateTime::from_timestamp_millis(at.millis()).unwrap_or_default();
            map.insert("time".into(), time.to_rfc3339().into());
            map.insert("level".into(), level.to_lowercase().into());
            map.insert("msg".into(), msg.into());
            for (k, v) in pairs {
                let value = v.parse::<u64>().map_or(v.clone().into(), Into::into);
                map.insert(k.to_string(), value);
            }
            serde_json::Value::Object(map).to_string()
        }
    }
}

fn parts(said: &Said<'_>) -> (&'static str, String, Vec<(&'static str, String)>) {
    match said {
        Said::Request { path, code, ms } => (
            if *code >= 500 { "WARN" } else { "INFO" },
            format!("GET {path}"),
            vec![
                ("status", code.to_string()),
                ("duration_ms", ms.to_string()),
            ],
        ),
        Said::Info(m) => ("INFO", m.to_string(), Vec::new()),
        Said::Failure(f) => (
            f.level,
            f.msg.to_string(),
            vec![(f.key, f.value.to_string())],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, Level, LineMeta};

    #[test]
    fn each_style_reads_back_with_its_level_and_format() {
        let f = &FAILURES[0];
        for (style, format) in [
            (Style::Plain, Format::Plain),
            (Style::Json, Format::Json),
            (Style::Logfmt, Format::Logfmt),
        ] {
            let line = write(style, &Said::Failure(f), At(1_790_000_000_000));
            let m = LineMeta::read(line.as_bytes());
            assert_eq!((m.level(), m.format()), (Level::Error, format), "{line}");
        }
    }
}
