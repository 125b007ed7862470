//! `:budget`: what the process-wide API budget allowed in the last minute, per operation and
//! per pane (or worker), and how ECS's events arrive.

use crate::model::OpReport;
use crate::state::State;
use crate::theme::Theme;
use crate::ui::format;
use crate::ui::widgets::overlay::{centered, popup, wrapped_height};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// The columns after the operation's name: calls, rate (`5.0 of 5.0`), waited, throttled,
/// with their gaps.
const FIGURES: usize = 1 + 8 + 1 + 13 + 8 + 1 + 9;

pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let muted = Style::new().fg(theme.muted);
    let head = Style::new().fg(theme.muted).add_modifier(Modifier::BOLD);
    // The names as wide as the longest, cut (with …) only when the screen has no room for it.
    let longest = state.budget.iter().map(|o| o.label().chars().count()).max();
    let room = usize::from(area.width).saturating_sub(3 + FIGURES).max(12);
    let name_w = longest.unwrap_or(0).clamp("OPERATION".len(), room);
    let w = ((name_w + FIGURES + 3) as u16).max(84).min(area.width);
    let mut lines = vec![Line::styled(
        format!(
            " {:<name_w$} {:>8} {:>11} {:>8} {:>9}",
            "OPERATION", "CALLS/MIN", "RATE/S NOW", "WAITED", "THROTTLED"
        ),
        head,
    )];
    if state.budget.is_empty() {
        lines.push(Line::styled(" no calls yet", muted));
    }
    lines.extend(state.budget.iter().map(|op| op_row(op, name_w, theme)));
    lines.push(Line::raw(""));
    lines.extend(by_caller(state, theme));
    lines.push(Line::raw(""));
    lines.extend(crate::ui::chrome::feed::lines(state, theme));
    lines.push(github_quota(state, theme));
    lines.push(Line::styled(
        " Each operation may use half of its published rate ([budget] in the config changes it);",
        muted,
    ));
    lines.push(Line::styled(
        " throttling halves it for the whole console until calls succeed again.",
        muted,
    ));
    let h = wrapped_height(&lines, w);
    let close = state
        .keys
        .key_for(crate::keys::Layer::Overlay, &crate::keys::Command::Cancel);
    let title = format!("API budget · {close} to close");
    popup(f, centered(area, w, h), theme, &title, lines);
}

/// One operation's row: its name, calls, rate (in the warning colour while throttling keeps it
/// below the configured one), waits and throttles.
fn op_row(op: &OpReport, name_w: usize, theme: &Theme) -> Line<'static> {
    let muted = Style::new().fg(theme.muted);
    // Slowed down by throttling: the rate now is below the one configured.
    let slowed = op.rate + 1e-9 < op.max_rate;
    let rate = Style::new().fg(if slowed { theme.warn } else { theme.fg });
    Line::from(vec![
        Span::styled(
            format!(" {:<name_w$} ", format::clip(op.op.name(), name_w)),
            Style::new().fg(theme.fg),
        ),
        Span::styled(
            format!("{:>8} ", op.calls_last_minute),
            Style::new().fg(theme.fg),
        ),
        Span::styled(format!("{:>5.1} of {:<4.1}", op.rate, op.max_rate), rate),
        Span::styled(format!("{:>8} ", op.deferred), muted),
        Span::styled(
            format!("{:>9}", op.throttled),
            Style::new().fg(if op.throttled > 0 {
                theme.alarm
            } else {
                theme.muted
            }),
        ),
    ])
}

/// A pane or worker, its calls a minute, and its calls by operation.
type Caller<'a> = (&'static str, usize, Vec<(&'a str, usize)>);

/// Calls a minute per pane or worker, with its busiest operations.
fn by_caller(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let head = Style::new().fg(theme.muted).add_modifier(Modifier::BOLD);
    let mut callers: Vec<Caller> = Vec::new();
    for op in &state.budget {
        for (who, n) in &op.by_caller {
            let short = op.op.operation();
            match callers.iter_mut().find(|(c, _, _)| c == who) {
                Some((_, total, ops)) => {
                    *total += n;
                    ops.push((short, *n));
                }
                None => callers.push((who, *n, vec![(short, *n)])),
            }
        }
    }
    callers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut lines = vec![Line::styled(
        format!(
            " {:<12} {:>9}  BUSIEST OPERATIONS",
            "PANE/WORKER", "CALLS/MIN"
        ),
        head,
    )];
    for (who, total, mut ops) in callers {
        ops.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let busiest: Vec<String> = ops
            .iter()
            .take(3)
            .map(|(o, n)| format!("{o} {n}"))
            .collect();
        lines.push(Line::styled(
            format!(" {who:<12} {total:>9}  {}", busiest.join(", ")),
            Style::new().fg(theme.fg),
        ));
    }
    lines
}

/// GitHub's own hourly quota, as its last answer gave it (the budget above paces the calls).
fn github_quota(state: &State, theme: &Theme) -> Line<'static> {
    let b = &state.builds;
    if let Some(until) = b.waiting_until.filter(|u| *u > state.now) {
        return Line::styled(
            format!(
                " GitHub: rate-limited, no call before {} UTC ({})",
                format::clock(until),
                format::countdown(state.now, until)
            ),
            Style::new().fg(theme.alarm),
        );
    }
    match b.rate {
        Some(r) => Line::styled(
            format!(
                " GitHub quota: {} of {} left this hour, resets {} UTC",
                r.remaining,
                r.limit,
                format::clock(r.reset_at)
            ),
            Style::new().fg(if r.is_low() { theme.warn } else { theme.fg }),
        ),
        None => Line::styled(
            " GitHub quota: not known yet (no GitHub answer so far)",
            Style::new().fg(theme.muted),
        ),
    }
}
