//! A service's events: the rollout view's box, which keeps the newest rollback or failure in
//! sight, and `e` / `:events`, all of them (up to the 100 ECS keeps), scrollable.

use super::format;
use crate::model::history::EventMark;
use crate::model::{Service, ServiceEvent, ServiceKey};
use crate::state::State;
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// `12:04:10 ↩ (service payments) rolling back to …`, the marker and colour by what it says.
pub fn line(e: &ServiceEvent, theme: &Theme) -> Line<'static> {
    let mark = e.mark();
    let marker = match mark {
        EventMark::Rollback => "↩ ",
        EventMark::Failure => "✗ ",
        _ => "",
    };
    Line::from(vec![
        Span::styled(
            format!("{} ", format::clock(e.at)),
            Style::new().fg(theme.muted),
        ),
        Span::styled(format!("{marker}{}", e.message), theme.event(mark)),
    ])
}

/// The box's `n` lines: the newest events, but when the newest rollback or failure would not
/// fit, it takes the last line (marked), so routine events never push it out of sight.
pub fn box_lines(s: &Service, n: usize, theme: &Theme) -> Vec<Line<'static>> {
    if n == 0 {
        return Vec::new();
    }
    let marked = s
        .events
        .iter()
        .position(|e| matches!(e.mark(), EventMark::Rollback | EventMark::Failure));
    let mut lines: Vec<Line<'static>> = s.events.iter().take(n).map(|e| line(e, theme)).collect();
    if let Some(i) = marked.filter(|&i| i >= n) {
        lines.truncate(n - 1);
        let mut pinned = line(&s.events[i], theme);
        pinned.spans.push(Span::styled(
            format!("  ({} newer events · e: all)", i),
            Style::new().fg(theme.muted),
        ));
        lines.push(pinned);
    }
    lines
}

/// `e` / `:events`: every event of the service, newest first.
pub fn draw(f: &mut Frame, area: Rect, state: &State, key: &ServiceKey, theme: &Theme) {
    let Some(s) = state.services.items.iter().find(|s| s.key() == *key) else {
        return;
    };
    let lines: Vec<Line<'static>> = if s.events.is_empty() {
        vec![Line::from(Span::styled(
            "  no events",
            Style::new().fg(theme.muted),
        ))]
    } else {
        s.events.iter().map(|e| line(e, theme)).collect()
    };
    let title = format!("events of {key} ({}, newest first)", s.events.len());
    super::diff::scrolling(f, area, theme, &title, lines, state.evidence.scroll);
}
