//! The terminal pane: the exec session's screen (tui-term over the vt100 parser), beside the
//! current view on a wide terminal, below it on a narrow one. Its title says where the shell
//! runs and how it stands; its bottom edge, the keys.

use crate::state::exec::{Hold, Phase, Session};
use crate::state::{Mode, State};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders};
use tui_term::widget::{Cursor, PseudoTerminal};

/// The view's area and the terminal's, when a session is held in a pane.
pub fn split(body: Rect, state: &State) -> (Rect, Option<Rect>) {
    if state.exec.pane().is_none() {
        return (body, None);
    }
    if crate::state::exec::beside(body.width) {
        let [view, term] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(body);
        (view, Some(term))
    } else {
        let [view, term] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
        (view, Some(term))
    }
}

/// Draws the pane's session; returns the screen's inside (cols, rows).
pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> Option<(u16, u16)> {
    let s = state
        .exec
        .session
        .as_ref()
        .filter(|s| s.hold == Hold::Pane)?;
    let focused = state.mode == Mode::Terminal;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.terminal_border(focused))
        .title(title(s, theme))
        .title_bottom(Line::from(keys(state, s, focused, theme)).right_aligned());
    let inner = block.inner(area);
    let cursor = if focused && s.screen.scrolled == 0 {
        Cursor::default()
    } else {
        let mut c = Cursor::default();
        c.hide();
        c
    };
    let widget = PseudoTerminal::new(s.screen.screen())
        .block(block)
        .cursor(cursor)
        .style(theme.base());
    f.render_widget(widget, area);
    Some((inner.width, inner.height))
}

fn title(s: &Session, theme: &Theme) -> Line<'static> {
    let short: String = s.target.task_id.chars().take(8).collect();
    let mut spans = vec![
        Span::styled(
            format!(" exec {} ", s.command),
            Style::new().fg(theme.accent),
        ),
        Span::styled(
            format!("in {} of task {short} ", s.target.container),
            Style::new().fg(theme.muted),
        ),
        Span::styled(phase_word(&s.phase), theme.exec_phase(&s.phase)),
    ];
    if s.encrypted {
        spans.push(Span::styled(
            " · KMS-encrypted",
            Style::new().fg(theme.muted),
        ));
    }
    if s.screen.scrolled > 0 {
        spans.push(Span::styled(
            format!(" · {} lines back", s.screen.scrolled),
            Style::new().fg(theme.warn),
        ));
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

pub fn phase_word(p: &Phase) -> String {
    match p {
        Phase::Opening => "opening…".into(),
        Phase::Open => "open".into(),
        Phase::Reconnecting => "connection lost, resuming…".into(),
        Phase::Ended { code: Some(c), .. } => format!("ended: exit code {c}"),
        Phase::Ended { code: None, reason } if reason.is_empty() => "ended".into(),
        Phase::Ended { code: None, reason } => format!("ended: {reason}"),
        Phase::Failed { message, .. } => format!("failed: {message}"),
    }
}

fn keys(state: &State, s: &Session, focused: bool, theme: &Theme) -> Vec<Span<'static>> {
    let muted = Style::new().fg(theme.muted);
    let text = if s.phase.is_over() {
        match &s.phase {
            Phase::Failed { fix: Some(fix), .. } => format!(" {fix} "),
            _ => " E opens another session ".to_string(),
        }
    } else if focused {
        " typing into the session · Ctrl-] console keys · S-PgUp/S-PgDn scroll back ".to_string()
    } else {
        let key = |c| state.keys.key_for(crate::keys::Layer::Normal, &c);
        format!(
            " {} type · {} full screen ",
            key(crate::keys::Command::FocusTerminal),
            key(crate::keys::Command::FullScreen)
        )
    };
    vec![Span::styled(text, muted)]
}
