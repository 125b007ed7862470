//! Drawing. Every function here reads the state and writes to the frame; none changes state.

mod alarms;
mod builds;
pub mod chrome;
mod dialogs;
mod exec;
mod fleet;
pub mod format;
mod images;
mod jobs;
mod logs;
pub mod overlays;
mod rollout;
mod services;
mod tasks;
mod timeline;
pub mod widgets;

use crate::state::{Hits, ListArea, Mode, Pane, State, Viewport};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders};

/// Draws the whole screen and returns how it was laid out.
pub fn draw(f: &mut Frame, state: &State, theme: &Theme) -> Viewport {
    let activity_rows = chrome::activity::rows(state, f.area().width);
    let [header, tabs, body, activity, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(activity_rows),
        Constraint::Length(chrome::footer::height(state, f.area().width)),
    ])
    .areas(f.area());
    f.render_widget(Block::default().style(theme.base()), f.area());
    chrome::header(f, header, state, theme);
    let tabs = chrome::tabs(f, tabs, state, theme);
    // An exec session held in a pane takes half of the body, beside or below the view.
    let (body, terminal_area) = exec::terminal::split(body, state);
    let terminal = terminal_area.and_then(|a| exec::terminal::draw(f, a, state, theme));
    let (list, list_rows, scroll_limit) = draw_pane(f, body, state, theme);
    chrome::activity::draw_all(f, activity, state, theme);
    chrome::footer::draw(f, footer, state, theme);
    let (buttons, overlay_limit) = draw_mode(f, body, state, theme);
    Viewport {
        list_rows,
        scroll_limit,
        overlay_limit,
        terminal,
        links: match (list, state.ctx.pane) {
            (Some(l), _) => crate::state::links::spans(state, &l),
            (None, Pane::Logs) if !covered(state) => {
                logs::group_link(body, state, theme).into_iter().collect()
            }
            (None, _) => Vec::new(),
        },
        hits: Hits {
            tabs,
            list,
            buttons,
        },
    }
}

/// The fleet view covers the whole body: the pane under it is not drawn.
fn covered(state: &State) -> bool {
    matches!(state.mode, Mode::Fleet | Mode::FleetSearch)
}

/// The pane on screen: the list it drew (for clicks and links), the rows a page moves by, and
/// how far the rollout view scrolls. Under the fleet view nothing is drawn (a 5,000-row pane
/// costs more than the view over it) and the last frame's layout stands.
fn draw_pane(
    f: &mut Frame,
    body: Rect,
    state: &State,
    theme: &Theme,
) -> (Option<ListArea>, u16, usize) {
    if covered(state) {
        let max_scroll = state.ctx.rollout_view.max_scroll;
        return (None, state.viewport.list_rows, max_scroll);
    }
    // A list's rows can be clicked; the rollout view is a document that scrolls.
    let listed = |l: ListArea| (Some(l), l.rows.height, 0);
    match state.ctx.pane {
        Pane::Services => listed(services::draw(f, body, state, theme)),
        Pane::Tasks => listed(tasks::draw(f, body, state, theme)),
        Pane::Images => listed(images::draw(f, body, state, theme)),
        Pane::Alarms => listed(alarms::draw(f, body, state, theme)),
        // Log lines are not clicked; a page moves by the lines shown.
        Pane::Logs => (None, logs::draw(f, body, state, theme), 0),
        Pane::Builds => {
            let (list, rows) = builds::draw(f, body, state, theme);
            (list, rows, 0)
        }
        Pane::Timeline => listed(timeline::draw(f, body, state, theme)),
        Pane::Rollout => {
            let drawn = rollout::draw(f, body, state, theme);
            (None, drawn.rows, drawn.scroll_limit)
        }
    }
}

/// The dialog or overlay of the input mode over `body`: returns the dialog's buttons (for
/// clicks) and how far an overlay scrolls.
fn draw_mode(
    f: &mut Frame,
    body: Rect,
    state: &State,
    theme: &Theme,
) -> (Vec<(Rect, crate::keys::Command)>, usize) {
    let mut buttons = Vec::new();
    let mut overlay_limit = 0;
    match &state.mode {
        Mode::Help => overlay_limit = overlays::help(f, body, state, theme),
        Mode::Palette(text) => overlays::palette(f, body, text, theme),
        Mode::Detail => overlays::detail::draw(f, body, state, theme),
        Mode::Confirm(plan, typed) => {
            buttons = dialogs::confirm::draw(f, body, state, plan, typed, theme);
        }
        Mode::Scale(typed) => overlays::scale(f, body, state, typed, theme),
        Mode::Budget => overlays::budget::draw(f, body, state, theme),
        Mode::Diff(key) => overlays::diff::draw(f, body, state, key, theme),
        Mode::Events(key) => overlays::events::draw(f, body, state, key, theme),
        Mode::Build(form) => builds::dialog::draw(f, body, state, form, theme),
        Mode::Exec(dialog) => exec::dialog::draw(f, body, state, dialog, theme),
        Mode::Forwards | Mode::Describe | Mode::DescribeSearch => {
            overlay_limit = scrolled(f, body, state, theme);
        }
        Mode::Arm(d) => dialogs::arm::draw(f, body, state, d, theme),
        Mode::Fleet | Mode::FleetSearch => fleet::draw(f, body, state, theme),
        Mode::Jobs => overlay_limit = jobs::draw(f, body, state, theme),
        Mode::StopWatching(id) => jobs::stop_dialog(f, body, state, *id, theme),
        Mode::Normal | Mode::Filter | Mode::Terminal => {}
    }
    (buttons, overlay_limit)
}

/// The overlays over the whole body that scroll: `:forwards` and `:describe`; returns how far
/// the one on screen may scroll.
fn scrolled(f: &mut Frame, body: Rect, state: &State, theme: &Theme) -> usize {
    match state.mode {
        Mode::Forwards => exec::forwards::draw(f, body, state, theme),
        _ => overlays::describe(f, body, state, theme),
    }
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
            // As much of the error as the border holds: it may end with what to run.
            let room = usize::from(state.size.0).saturating_sub(age.chars().count() + 12);
            Span::styled(
                format!(" ⚠ {} ({age}) ", format::clip(&e.to_string(), room.max(40))),
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
