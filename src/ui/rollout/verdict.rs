//! The verdict's line beside a rollout: `verdict FAIL: canary 5xx 2.1% > primary 0.2% × 2 +
//! 0.5 pt over 412 requests · 3 reads agree · newest minute 14:03 UTC`, then the whole service's alarms that
//! fire, and the short word the services table shows.

use crate::model::evidence::Sides;
use crate::model::verdict::{Judged, Verdict};
use crate::model::{At, Ms, Service};
use crate::state::State;
use crate::state::rollout::verdict::{Kept, firing, judge_sides, kept_for, rule_of, soak_of};
use crate::theme::Theme;
use crate::ui::format;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// `14:03`: the minute a time falls in, UTC.
fn minute(at: At) -> String {
    chrono::DateTime::from_timestamp_millis(at.millis())
        .map_or_else(|| "?".into(), |t| t.format("%H:%M").to_string())
}

/// The verdict for `sides`: the kept read's when it is for them, else what the alarms alone
/// say (no figures read yet, or none to read).
fn verdict_of<'a>(state: &'a State, sides: &Sides) -> (Judged, Option<&'a Kept>) {
    let kept = state
        .ctx
        .evidence
        .verdicts
        .get(&sides.primary.service)
        .filter(|k| k.sides == *sides);
    match kept {
        Some(k) => (k.judged.clone(), Some(k)),
        None => (judge_sides(state, sides, None, state.now), None),
    }
}

/// `· 3 reads agree · newest minute 14:03 UTC, read 5s ago`.
fn streak_text(now: At, k: &Kept) -> String {
    let reads = match k.streak.reads {
        1 => "1 read".to_string(),
        n => format!("{n} reads agree"),
    };
    format!(
        " · {reads} · newest minute {} UTC, read {} ago",
        minute(k.minute_end() - Ms::MINUTE),
        format::age(now, k.read_at)
    )
}

/// The verdict with its rule (and the soak, unless a hook line says it), and the whole
/// service's firing alarms beside it.
pub fn lines(state: &State, s: &Service, sides: &Sides, theme: &Theme) -> Vec<Line<'static>> {
    let (judged, kept) = verdict_of(state, sides);
    let muted = Style::new().fg(theme.muted);
    let names = (sides.canary.role.label(), sides.primary.role.label());
    let mut spans = vec![Span::styled("  verdict  ", muted)];
    let armed = state.ctx.evidence.armed.as_ref();
    if armed.is_some_and(|a| a.service == sides.primary.service || a.service == s.key()) {
        spans.push(Span::styled("AUTO ", theme.auto()));
    }
    spans.extend([Span::styled(
        judged.text(rule_of(state, sides), names),
        theme.verdict(judged.verdict),
    )]);
    if let Some(k) = kept {
        spans.push(Span::styled(streak_text(state.now, k), muted));
    }
    let hook_says_it = s.native.as_ref().is_some_and(|n| n.hook.is_some());
    if let Some(soak) = soak_of(state, s).filter(|_| !hook_says_it) {
        spans.push(Span::styled(format!(" · {}", soak.text()), muted));
    }
    let mut out = vec![Line::from(spans)];
    let (_, whole) = firing(state, sides);
    if !whole.is_empty() {
        out.push(Line::from(vec![
            Span::styled("  beside   ", muted),
            Span::styled(
                format!("the whole service's alarms FIRING {}", whole.join(", ")),
                Style::new().fg(theme.alarm),
            ),
        ]));
    }
    out
}

/// The services table's word for `s`: the verdict of its rollout's last read (with its age
/// once over a minute), or None when no read judged the rollout it is in.
pub fn cell(state: &State, s: &Service, theme: &Theme) -> Option<Line<'static>> {
    let k = kept_for(state, s)?;
    // Only while its rollout is in flight.
    state.ctx.sides_of(s)?;
    let v: Verdict = k.judged.verdict;
    let age = state.now - k.read_at;
    let text = if age >= Ms::MINUTE {
        format!("{v} {}", format::age(state.now, k.read_at))
    } else {
        v.to_string()
    };
    Some(Line::styled(text, theme.verdict(v)))
}
