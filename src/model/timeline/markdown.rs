//! `:export timeline`: the span's timeline as a Markdown post-mortem draft. Times are UTC;
//! every action names who took it, what it changed and the evidence it was decided on; what
//! could not be read is said, not left out.

use crate::model::timeline::{Entry, Kind, Timeline, duration_text, span_text, utc};

/// Where the draft was written from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub context: String,
    pub account: String,
    pub region: String,
    pub written_at: crate::model::At,
}

/// The draft, line by line.
pub fn draft(t: &Timeline, h: &Header) -> String {
    let mut out: Vec<String> = Vec::new();
    let service = t
        .service
        .as_ref()
        .map_or("(no service)".to_string(), ToString::to_string);
    out.push(format!("# Post-mortem draft: {service}"));
    out.push(String::new());
    out.push(format!(
        "- Context: {} (account {}, {})",
        h.context,
        or_unknown(&h.account),
        or_unknown(&h.region)
    ));
    out.push(format!(
        "- Span: {} UTC to {} UTC ({})",
        utc(t.from),
        utc(t.until),
        span_text(t.until - t.from)
    ));
    out.push(format!("- Written: {} UTC by deckwatch", utc(h.written_at)));
    out.push(format!("- {}", stats_line(t)));
    out.push(String::new());
    section_timeline(&mut out, t);
    section_actions(&mut out, t);
    section_alarms(&mut out, t);
    section_outside(&mut out, t);
    section_gaps(&mut out, t);
    out.push("## To fill in".into());
    out.push(String::new());
    for q in [
        "Impact",
        "Detection",
        "Root cause",
        "What went well",
        "What to change",
    ] {
        out.push(format!("- {q}:"));
    }
    out.push(String::new());
    out.join("\n")
}

fn or_unknown(s: &str) -> &str {
    if s.is_empty() { "unknown" } else { s }
}

/// `Deploys in 30 days: 3 · failed or rolled back: 33% · median time to restore: 2m 10s`.
pub fn stats_line(t: &Timeline) -> String {
    let s = &t.stats;
    let share = s.bad_percent().map_or("-".to_string(), |p| format!("{p}%"));
    let mttr = s.median_restore.map_or("-".to_string(), duration_text);
    let mut line = format!(
        "Deploys in 30 days: {} · failed or rolled back: {share} · median time to restore: {mttr}",
        s.deploys
    );
    if let Some(since) = s
        .known_since
        .filter(|at| t.until - *at < super::stats::WINDOW_MS)
    {
        line.push_str(&format!(" (deployments known since {} UTC)", utc(since)));
    }
    line
}

/// A table cell: pipes escaped, never a line break.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn section_timeline(out: &mut Vec<String>, t: &Timeline) {
    out.push("## Timeline (UTC, oldest first)".into());
    out.push(String::new());
    if t.entries.is_empty() {
        out.push("Nothing happened in the span, as far as the sources read tell.".into());
        out.push(String::new());
        return;
    }
    out.push("| time | kind | what | who |".into());
    out.push("|---|---|---|---|".into());
    for e in t.entries.iter().rev() {
        let mark = if e.bad { " ✗" } else { "" };
        out.push(format!(
            "| {} | {} | {}{mark} | {} |",
            utc(e.at),
            e.kind.word(),
            cell(&e.text),
            cell(&e.who)
        ));
    }
    out.push(String::new());
}

fn is_action(e: &Entry) -> bool {
    !e.outside && matches!(e.kind, Kind::Action | Kind::Scale | Kind::Hook)
}

fn section_actions(out: &mut Vec<String>, t: &Timeline) {
    out.push("## Actions taken from the console".into());
    out.push(String::new());
    let actions: Vec<&Entry> = t.entries.iter().rev().filter(|e| is_action(e)).collect();
    if actions.is_empty() {
        out.push("None in the span.".into());
        out.push(String::new());
    }
    for e in actions {
        out.push(format!("### {} UTC: {}", utc(e.at), e.text));
        out.push(String::new());
        out.push(format!("- Who: {}", or_unknown(&e.who)));
        for line in &e.detail {
            let (label, rest) = line.split_once(' ').unwrap_or((line, ""));
            let label = match label {
                "call" => "Call",
                "change" => "Change",
                "note" => "Evidence and notes when decided",
                "before" => "State when decided",
                other => other,
            };
            out.push(format!("- {label}: {rest}"));
        }
        out.push(String::new());
    }
}

fn section_alarms(out: &mut Vec<String>, t: &Timeline) {
    out.push("## Alarms".into());
    out.push(String::new());
    let alarms: Vec<&Entry> = t
        .entries
        .iter()
        .rev()
        .filter(|e| e.kind == Kind::Alarm)
        .collect();
    if alarms.is_empty() {
        out.push("No alarm changed state in the span.".into());
    } else {
        out.push("| time | change | reason |".into());
        out.push("|---|---|---|".into());
        for e in alarms {
            let why = e.detail.first().map_or("", String::as_str);
            out.push(format!(
                "| {} | {} | {} |",
                utc(e.at),
                cell(&e.text),
                cell(why)
            ));
        }
    }
    out.push(String::new());
}

fn section_outside(out: &mut Vec<String>, t: &Timeline) {
    out.push("## Changes made from outside the console".into());
    out.push(String::new());
    let outside: Vec<&Entry> = t.entries.iter().rev().filter(|e| e.outside).collect();
    if outside.is_empty() {
        out.push("None found in the span.".into());
    }
    for e in outside {
        out.push(format!(
            "- {} UTC: {} by {}",
            utc(e.at),
            e.text.trim_start_matches("outside the console: "),
            or_unknown(&e.who)
        ));
    }
    out.push(String::new());
}

fn section_gaps(out: &mut Vec<String>, t: &Timeline) {
    out.push("## What could not be read".into());
    out.push(String::new());
    if t.gaps.is_empty() {
        out.push("Every source was read.".into());
    }
    for g in &t.gaps {
        out.push(format!("- {}: {}", g.what, g.why));
    }
    out.push(String::new());
}
