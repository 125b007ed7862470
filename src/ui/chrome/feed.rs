//! The header's word on ECS's events: `events 12s` (the newest event's age) while they
//! arrive, `polling` without them, `polling, events lost` when the source cannot be read; and
//! how many messages were skipped. `:budget` says more (`lines`).

use crate::state::State;
use crate::state::feed::FeedMode;
use crate::theme::Theme;
use crate::ui::format;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The header's part.
pub fn span(state: &State, theme: &Theme, base: Style) -> Span<'static> {
    let f = &state.ctx.feed;
    let mut word = match (&f.mode, f.counts.newest) {
        (FeedMode::Up(_), Some(at)) => format!("events {}", format::age(state.now, at)),
        (FeedMode::Up(_), None) => "events".to_string(),
        (FeedMode::Off, _) => "polling".to_string(),
        (FeedMode::Lost(_), _) => "polling, events lost".to_string(),
    };
    if f.counts.skipped > 0 {
        word.push_str(&format!(" · {} skipped", f.counts.skipped));
    }
    let style = match f.mode {
        FeedMode::Lost(_) => theme.connection_trouble(),
        _ => base,
    };
    Span::styled(format!(" {word} "), style)
}

/// `:budget`'s lines on the events: where they come from, what was applied and skipped.
pub fn lines(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let f = &state.ctx.feed;
    let muted = Style::new().fg(theme.muted);
    let head = match &f.mode {
        FeedMode::Off => " ECS events: none ([events] not set): every pane is polled".to_string(),
        FeedMode::Up(how) => format!(" ECS events: from {how}; the services are reconciled slowly"),
        FeedMode::Lost(why) => format!(" ECS events lost, polling meanwhile: {why}"),
    };
    let mut lines = vec![Line::styled(head, Style::new().fg(theme.fg))];
    if f.mode != FeedMode::Off {
        lines.push(Line::styled(
            format!(
                " {} applied, {} skipped{}",
                f.counts.applied,
                f.counts.skipped,
                f.counts
                    .last_skip
                    .as_ref()
                    .map_or(String::new(), |w| format!(" (last: {w})"))
            ),
            muted,
        ));
    }
    lines
}
