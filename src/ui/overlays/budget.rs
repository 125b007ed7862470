//! `:budget`: what the process-wide API budget allowed in the last minute, per operation.

use crate::state::State;
use crate::theme::Theme;
use crate::ui::format;
use crate::ui::widgets::overlay::{centered, popup};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let muted = Style::new().fg(theme.muted);
    let head = Style::new().fg(theme.muted).add_modifier(Modifier::BOLD);
    let mut lines = vec![Line::styled(
        format!(
            " {:<36} {:>8} {:>11} {:>8} {:>9}",
            "OPERATION", "CALLS/MIN", "RATE/S NOW", "WAITED", "THROTTLED"
        ),
        head,
    )];
    if state.budget.is_empty() {
        lines.push(Line::styled(" no calls yet", muted));
    }
    for op in &state.budget {
        // Slowed down by throttling: the rate now is below the one configured.
        let slowed = op.rate + 1e-9 < op.max_rate;
        let rate = Style::new().fg(if slowed { theme.warn } else { theme.fg });
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<36} ", op.op), Style::new().fg(theme.fg)),
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
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(github_quota(state, theme));
    lines.push(Line::styled(
        " Each operation may use half of its published rate ([budget] in the config changes it);",
        muted,
    ));
    lines.push(Line::styled(
        " throttling halves it for the whole console until calls succeed again.",
        muted,
    ));
    let h = lines.len() as u16 + 2;
    let w = 84.min(area.width);
    let close = state
        .keys
        .key_for(crate::keys::Layer::Overlay, &crate::keys::Command::Cancel);
    let title = format!("API budget · {close} to close");
    popup(f, centered(area, w, h), theme, &title, lines);
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
