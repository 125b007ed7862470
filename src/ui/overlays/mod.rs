//! The help overlay, drawn from the key map, and the command palette.

pub(crate) mod budget;
mod describe;

pub use describe::draw as describe;
pub(crate) mod detail;
pub mod diff;
pub(crate) mod events;

use crate::keys::{Command, Reach};
use crate::state::State;
use crate::theme::Theme;
use crate::ui::widgets::overlay::{centered, popup, popup_scrolled, wrapped_height};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// The help, drawn from the keys in effect; returns how far it may scroll (it scrolls when the
/// terminal is too short for it).
pub fn help(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> usize {
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let muted = Style::new().fg(theme.muted);
    let mut lines = Vec::new();
    let width = 90.min(area.width);
    for b in state.keys.normal() {
        if b.reach == Reach::Pane(crate::state::Pane::Logs) {
            continue;
        }
        let scope = match b.reach {
            Reach::Everywhere => String::new(),
            Reach::RolloutView => "  (rollout view)".into(),
            Reach::Pane(p) => format!("  ({} pane)", p.title()),
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<8}", b.label), key),
            Span::styled(b.help, Style::new().fg(theme.fg)),
            Span::styled(scope, muted),
        ]));
    }
    lines.extend(logs_key_lines(state, width, theme));
    lines.push(Line::from(vec![
        Span::styled(" Ctrl-C  ", key),
        Span::styled("quit, always", Style::new().fg(theme.fg)),
    ]));
    lines.push(Line::raw(""));
    lines.extend(command_lines(width, theme));
    if state.ctx.read_only {
        lines.push(Line::from(Span::styled(
            " read-only: every mutating action is refused",
            Style::new().fg(theme.warn),
        )));
    }
    let full = wrapped_height(&lines, width);
    let rect = centered(area, width, full);
    let limit = full.saturating_sub(rect.height) as usize;
    let scroll = state.help_scroll.min(limit);
    let key = |c| state.keys.key_for(crate::keys::Layer::Overlay, &c);
    let close = key(Command::Cancel);
    let title = if limit > 0 {
        let (down, up) = (key(Command::Down), key(Command::Up));
        format!("help · {down}/{up} scroll ({scroll}/{limit}) · {close} to close")
    } else {
        format!("help · {close} to close")
    };
    popup_scrolled(f, rect, theme, &title, lines, scroll as u16);
    limit
}

/// The logs pane's own keys, sharing lines so the help fits the screen; a key and its text
/// are never split.
fn logs_key_lines(state: &State, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let muted = Style::new().fg(theme.muted);
    let mut lines: Vec<Line> = vec![Line::from(Span::styled(" logs pane ", muted))];
    let logs = state
        .keys
        .normal()
        .iter()
        .filter(|b| b.reach == Reach::Pane(crate::state::Pane::Logs));
    for b in logs {
        let item = [
            Span::styled(format!(" {} ", b.label), key),
            Span::styled(format!("{} ·", b.help), Style::new().fg(theme.fg)),
        ];
        let used = lines.last().map_or(0, Line::width);
        if used + item.iter().map(Span::width).sum::<usize>() > width.saturating_sub(3) as usize {
            lines.push(Line::from(Span::raw("          ")));
        }
        if let Some(l) = lines.last_mut() {
            l.spans.extend(item);
        }
    }
    lines
}

/// The palette's words, wrapped between words, never inside one.
fn command_lines(width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let mut cmds: Vec<Line> = vec![Line::from(Span::styled(
        " commands ",
        Style::new().fg(theme.muted),
    ))];
    for word in crate::keys::WORDS {
        let item = Span::styled(format!(":{} ", word.usage()), key);
        let used = cmds.last().map_or(0, Line::width);
        if used + item.width() > width.saturating_sub(3) as usize {
            cmds.push(Line::from(Span::raw("          ")));
        }
        if let Some(l) = cmds.last_mut() {
            l.spans.push(item);
        }
    }
    cmds
}

pub fn palette(f: &mut Frame, area: Rect, text: &str, theme: &Theme) {
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let mut lines = vec![Line::from(vec![
        Span::styled(":", key),
        Span::styled(text.to_string(), Style::new().fg(theme.fg)),
        Span::styled("▏", key),
    ])];
    for word in crate::keys::suggestions(text) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<12}", word.usage()), Style::new().fg(theme.fg)),
            Span::styled(word.help, Style::new().fg(theme.muted)),
        ]));
    }
    let h = lines.len() as u16 + 2;
    let r = centered(area, 50, h);
    popup(f, Rect { y: area.y + 1, ..r }, theme, "command", lines);
}

pub fn scale(f: &mut Frame, area: Rect, state: &State, typed: &str, theme: &Theme) {
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let target = state.ctx.action_target();
    let now = target.map_or(String::from("?"), |s| s.desired.to_string());
    let lines = vec![Line::from(vec![
        Span::styled(
            format!(" desired count (now {now}): "),
            Style::new().fg(theme.fg),
        ),
        Span::styled(typed.to_string(), key),
        Span::styled("▏", key),
    ])];
    let name = target.map_or(String::new(), |s| s.key().to_string());
    popup(
        f,
        centered(area, 60, 3),
        theme,
        &format!("scale {name}"),
        lines,
    );
}
