//! The help overlay, drawn from the key map, and the command palette.

use super::widgets::overlay::{centered, popup};
use crate::keymap::{Action, BINDINGS, Scope};
use crate::state::{State, palette};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

pub fn help(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let muted = Style::new().fg(theme.muted);
    let mut lines = Vec::new();
    for b in BINDINGS {
        let mut scope = match b.scope {
            Scope::Global => String::new(),
            Scope::Only(p) => format!("  ({} pane)", p.title()),
        };
        if matches!(
            b.action,
            Action::Promote | Action::Abort | Action::Rollback | Action::Build
        ) {
            scope.push_str(" not in this version");
        }
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<8}", b.label), key),
            Span::styled(b.help, Style::new().fg(theme.fg)),
            Span::styled(scope, muted),
        ]));
    }
    lines.push(Line::from(vec![
        Span::styled(" Ctrl-C  ", key),
        Span::styled("quit, always", Style::new().fg(theme.fg)),
    ]));
    lines.push(Line::raw(""));
    let mut cmds = vec![Span::styled(" commands ", muted)];
    for (cmd, _) in palette::COMMANDS {
        cmds.push(Span::styled(format!(":{cmd} "), key));
    }
    lines.push(Line::from(cmds));
    if state.read_only {
        lines.push(Line::from(Span::styled(
            " read-only: every mutating action is refused",
            Style::new().fg(theme.warn),
        )));
    }
    let h = lines.len() as u16 + 2;
    popup(
        f,
        centered(area, 74, h),
        theme,
        "help · Esc to close",
        lines,
    );
}

pub fn palette(f: &mut Frame, area: Rect, text: &str, theme: &Theme) {
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let mut lines = vec![Line::from(vec![
        Span::styled(":", key),
        Span::styled(text.to_string(), Style::new().fg(theme.fg)),
        Span::styled("▏", key),
    ])];
    for (cmd, what) in palette::suggestions(text) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {cmd:<12}"), Style::new().fg(theme.fg)),
            Span::styled(*what, Style::new().fg(theme.muted)),
        ]));
    }
    let h = lines.len() as u16 + 2;
    let r = centered(area, 50, h);
    popup(f, Rect { y: area.y + 1, ..r }, theme, "command", lines);
}
