//! Drawing. Every function here reads the state and writes to the frame; none changes state.

pub mod activity;
mod alarms;
mod chrome;
mod confirm;
mod detail;
pub mod format;
mod images;
mod log_detail;
mod log_line;
mod logs;
mod overlays;
mod rollout;
mod services;
mod tasks;
pub mod widgets;

use crate::state::{Mode, Pane, State, Viewport};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders};

/// Draws the whole screen and returns how it was laid out.
pub fn draw(f: &mut Frame, state: &State, theme: &Theme) -> Viewport {
    let activity_rows = state.progress.as_ref().map_or(0, |p| {
        activity::height(p, &state.services.items, state.now, f.area().width)
    });
    let [header, tabs, body, activity, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(activity_rows),
        Constraint::Length(1),
    ])
    .areas(f.area());
    f.render_widget(Block::default().style(theme.base()), f.area());
    chrome::header(f, header, state, theme);
    chrome::tabs(f, tabs, state, theme);
    let list_rows = match state.pane {
        Pane::Services => services::draw(f, body, state, theme),
        Pane::Tasks => tasks::draw(f, body, state, theme),
        Pane::Images => images::draw(f, body, state, theme),
        Pane::Alarms => alarms::draw(f, body, state, theme),
        Pane::Logs => logs::draw(f, body, state, theme),
    };
    if let Some(p) = &state.progress {
        activity::draw(f, activity, p, &state.services.items, state.now, theme);
    }
    chrome::footer(f, footer, state, theme);
    match &state.mode {
        Mode::Help => overlays::help(f, body, state, theme),
        Mode::Palette(text) => overlays::palette(f, body, text, theme),
        Mode::Detail => detail::draw(f, body, state, theme),
        Mode::Confirm(plan, typed) => confirm::draw(f, body, state, plan, typed, theme),
        Mode::Scale(typed) => overlays::scale(f, body, state, typed, theme),
        Mode::Normal | Mode::Filter => {}
    }
    Viewport { list_rows }
}

/// A pane's frame: its title with the item count and filter, and on the bottom edge the data's
/// age or the error that keeps it stale.
pub fn pane_block<'a>(
    state: &State,
    theme: &Theme,
    title: String,
    counts: Option<(usize, usize)>,
) -> Block<'a> {
    let data = state.current();
    let (fetched, error, filter) = (data.fetched_at(), data.error(), data.filter());
    let mut top = vec![Span::styled(
        format!(" {title} "),
        Style::new().fg(theme.accent),
    )];
    if let Some((count, total)) = counts {
        let text = if count == total {
            format!("({total}) ")
        } else {
            format!("({count} of {total}) ")
        };
        top.push(Span::styled(text, Style::new().fg(theme.muted)));
    }
    if !filter.is_empty() {
        top.push(Span::styled(
            format!("/{filter} "),
            Style::new().fg(theme.warn),
        ));
    }
    let bottom = match (fetched, error) {
        (_, Some(e)) => {
            let age = fetched.map_or("no data yet".to_string(), |t| {
                format!("showing data {} old", format::age(state.now, t))
            });
            Span::styled(
                format!(" ⚠ {} ({age}) ", format::clip(&e.to_string(), 90)),
                Style::new().fg(theme.alarm),
            )
        }
        (None, None) => Span::styled(" loading… ".to_string(), Style::new().fg(theme.info)),
        (Some(t), None) => Span::styled(
            format!(" updated {} ago ", format::age(state.now, t)),
            Style::new().fg(theme.muted),
        ),
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(if error.is_some() {
            theme.alarm
        } else {
            theme.border
        }))
        .title(Line::from(top))
        .title_bottom(Line::from(bottom).right_aligned())
}
