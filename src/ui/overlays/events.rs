//! A service's events: the rollout view's box, which keeps the newest rollback or failure in
//! sight, and `e` / `:events`, all of them (up to the 100 ECS keeps), scrollable.

use crate::model::history::EventMark;
use crate::model::{ServiceEvent, ServiceKey};
use crate::state::State;
use crate::theme::Theme;
use crate::ui::format;
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

/// `e` / `:events`: every event of the service, newest first.
pub fn draw(f: &mut Frame, area: Rect, state: &State, key: &ServiceKey, theme: &Theme) {
    let Some(s) = state.ctx.service(key) else {
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
    crate::ui::overlays::diff::scrolling(f, area, theme, &title, lines, state.ctx.evidence.scroll);
}
