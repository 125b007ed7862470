//! One log line as the logs pane and the rollout view show it: its time, its task and
//! revision tag, and its message (a JSON object compactly, as `level msg key=val`), coloured by
//! level, with the filter's matches highlighted. Only lines on screen are ever formatted.

use crate::model::{At, Format, Level, LogTag, Ms};
use crate::state::logs::search::Needle;
use crate::state::logs::{LogRef, Stamps};
use crate::theme::Theme;
use crate::ui::format;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use serde_json::Value;
use unicode_width::UnicodeWidthChar;

/// How lines are drawn: the same for every line of a frame.
pub struct LineLook<'a> {
    pub theme: &'a Theme,
    pub stamps: Stamps,
    pub now: At,
    /// The filter's terms, highlighted where they occur.
    pub needles: &'a [Needle],
}

/// Keys a JSON line's compact form leaves out: the line's own time is shown before it.
const TIME_KEYS: &[&str] = &["time", "timestamp", "ts", "@timestamp", "datetime"];
const LEVEL_KEYS: &[&str] = &[
    "level",
    "lvl",
    "severity",
    "levelname",
    "log.level",
    "loglevel",
];
const MESSAGE_KEYS: &[&str] = &["msg", "message", "text", "event"];

/// `level msg key=val …` for a JSON object, or None when the text is not one.
pub fn compact_json(text: &str) -> Option<String> {
    let Value::Object(map) = serde_json::from_str::<Value>(text).ok()? else {
        return None;
    };
    let pick =
        |keys: &'static [&'static str]| keys.iter().find_map(|k| map.get(*k).map(|v| (*k, v)));
    let mut out = String::new();
    let level = pick(LEVEL_KEYS);
    let msg = pick(MESSAGE_KEYS);
    for (_, v) in level.iter().chain(msg.iter()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&plain(v));
    }
    for (k, v) in &map {
        let k = k.as_str();
        if TIME_KEYS.contains(&k)
            || level.is_some_and(|l| l.0 == k)
            || msg.is_some_and(|m| m.0 == k)
        {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        let v = plain(v);
        if v.contains(' ') {
            out.push_str(&format!("{k}={v:?}"));
        } else {
            out.push_str(&format!("{k}={v}"));
        }
    }
    Some(out)
}

/// A JSON value as text: strings without their quotes, the rest as compact JSON.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The message as shown on one line: JSON compacted, newlines marked.
pub fn shown_message(l: &LogRef<'_>) -> String {
    let text = match l.meta.format() {
        Format::Json => compact_json(l.message),
        _ => None,
    };
    let text = text.unwrap_or_else(|| l.message.to_string());
    // Cleaned at ingest but for newlines, kept for the detail view.
    let text = if text.contains(['\n', '\r', '\t']) {
        text.replace("\r\n", " ↵ ")
            .replace(['\n', '\r'], " ↵ ")
            .replace('\t', " ")
    } else {
        text
    };
    crate::model::text::clean(&text)
}

/// The time before a line, as the pane's setting says.
pub fn stamp(at: At, stamps: Stamps, now: At) -> Option<String> {
    match stamps {
        Stamps::Utc => Some(format::clock(at)),
        Stamps::Local => Some(
            chrono::DateTime::from_timestamp_millis(at.millis())
                .map(|t| {
                    t.with_timezone(&chrono::Local)
                        .format("%H:%M:%S")
                        .to_string()
                })
                .unwrap_or_else(|| "--:--:--".into()),
        ),
        Stamps::Relative => Some(format!("{:>8}", relative(now - at))),
        Stamps::Off => None,
    }
}

/// `-12s`, `-3m05s`, `-2h10m`, `-3d`: how long before now.
fn relative(ms: Ms) -> String {
    let s = ms.as_secs().max(0);
    match s {
        0..60 => format!("-{s}s"),
        60..3600 => format!("-{}m{:02}s", s / 60, s % 60),
        3600..86_400 => format!("-{}h{:02}m", s / 3600, s / 60 % 60),
        _ => format!("-{}d", s / 86_400),
    }
}

/// `abcd1234 r43`: the task's first 8 characters and the revision (`r?` when unknown; a plain
/// log group's streams have no revision).
pub fn tag_label(t: &LogTag, group: bool) -> String {
    let task: String = t.task.chars().take(8).collect();
    match (t.revision, group) {
        (0, true) => format!("{task:<8}"),
        (0, false) => format!("{task:<8} r?  "),
        (r, _) => format!("{task:<8} r{r:<3}"),
    }
}

/// The spans of one line.
pub fn spans(l: &LogRef<'_>, look: &LineLook<'_>, group: bool) -> Vec<Span<'static>> {
    let t = look.theme;
    let mut out = Vec::new();
    if let Some(s) = stamp(l.at, look.stamps, look.now) {
        out.push(Span::styled(format!("{s} "), t.log_quiet()));
    }
    let tag = tag_label(l.tag, group);
    marked(&mut out, &tag, t.log_revision(l.tag), look);
    out.push(Span::raw(" "));
    let level = l.meta.level();
    marked(&mut out, &shown_message(l), t.log_level(level), look);
    out
}

/// Pushes `text` in `style`, with the filter's matches in the match style.
fn marked(out: &mut Vec<Span<'static>>, text: &str, style: Style, look: &LineLook<'_>) {
    let bytes = text.as_bytes();
    let mut hits: Vec<(usize, usize)> = Vec::new();
    for n in look.needles.iter().filter(|n| !n.is_empty()) {
        let mut from = 0;
        while let Some(at) = n.find(bytes, from) {
            let end = char_end(text, at + n.len());
            hits.push((at, end));
            from = end.max(at + 1);
        }
    }
    if hits.is_empty() {
        out.push(Span::styled(text.to_string(), style));
        return;
    }
    hits.sort_unstable();
    let mut at = 0;
    for (s, e) in hits {
        let s = s.max(at);
        if s >= e || !text.is_char_boundary(s) {
            continue;
        }
        if s > at {
            out.push(Span::styled(text[at..s].to_string(), style));
        }
        out.push(Span::styled(text[s..e].to_string(), look.theme.log_match()));
        at = e;
    }
    if at < text.len() {
        out.push(Span::styled(text[at..].to_string(), style));
    }
}

/// The first character boundary at or after `i`.
fn char_end(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Cuts spans into rows of at most `width` cells (characters, not words, as `less` does).
pub fn wrap(spans: Vec<Span<'static>>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in spans {
        let mut piece = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width && used > 0 {
                if !piece.is_empty() {
                    row.push(Span::styled(std::mem::take(&mut piece), span.style));
                }
                rows.push(Line::from(std::mem::take(&mut row)));
                used = 0;
            }
            piece.push(c);
            used += w;
        }
        if !piece.is_empty() {
            row.push(Span::styled(piece, span.style));
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(Line::from(row));
    }
    rows
}

/// The line pretty-printed, for `Enter`: a JSON object indented, other text on its own lines.
pub fn pretty(message: &str) -> Vec<String> {
    if let Ok(v @ Value::Object(_)) = serde_json::from_str::<Value>(message)
        && let Ok(text) = serde_json::to_string_pretty(&v)
    {
        return text.lines().map(crate::model::text::clean).collect();
    }
    message.lines().map(crate::model::text::clean).collect()
}

/// A level's name for the detail view.
pub fn level_name(l: Level) -> &'static str {
    match l {
        Level::Unknown => "-",
        Level::Trace => "trace",
        Level::Debug => "debug",
        Level::Info => "info",
        Level::Warn => "warn",
        Level::Error => "error",
        Level::Fatal => "fatal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_compacted_level_then_message_then_pairs_in_their_order() {
        let text = r#"{"time":"2026-01-01T00:00:00Z","level":"error","msg":"db down","user":"u1","retry":3,"ctx":{"a":1}}"#;
        assert_eq!(
            compact_json(text).unwrap(),
            r#"error db down user=u1 retry=3 ctx={"a":1}"#
        );
        assert_eq!(compact_json("not json"), None);
        assert_eq!(compact_json("[1,2]"), None);
    }

    #[test]
    fn wrapping_never_exceeds_the_width_even_with_wide_characters() {
        let rows = wrap(vec![Span::raw("ab日本語cd".to_string())], 3);
        let widths: Vec<usize> = rows.iter().map(|r| r.width()).collect();
        assert!(widths.iter().all(|w| *w <= 3), "{widths:?}");
        let text: String = rows
            .iter()
            .flat_map(|r| r.spans.iter().map(|s| s.content.to_string()))
            .collect();
        assert_eq!(text, "ab日本語cd");
    }

    #[test]
    fn relative_times() {
        assert_eq!(relative(Ms(5_000)), "-5s");
        assert_eq!(relative(Ms(185_000)), "-3m05s");
        assert_eq!(relative(Ms(7_800_000)), "-2h10m");
    }
}
