//! The header's word on the connection to the backend: connecting, a call with no answer for a
//! while, a partial listing, and the team's audit log when it is missing or records wait.

use crate::state::State;
use crate::theme::Theme;
use crate::ui::format;
use ratatui::style::Style;
use ratatui::text::Span;

/// In place of the account while it is not known.
pub fn account(state: &State) -> String {
    let c = &state.ctx.info;
    if !c.account.is_empty() {
        c.account.clone()
    } else if state.ctx.connection.context_error.is_some() {
        "?".into()
    } else {
        "connecting…".into()
    }
}

/// How old the current pane's data is, or that it is stale or partial.
pub fn age(state: &State, theme: &Theme, base: Style) -> Span<'static> {
    let (fetched, error) = (state.current().fetched_at(), state.current().error());
    let age = match (fetched, error) {
        (Some(t), None) => format!(" data {} old ", format::age(state.now, t)),
        (Some(t), Some(e)) if e.partial => format!(" PARTIAL {} ", format::age(state.now, t)),
        (Some(t), Some(_)) => format!(" STALE {} ", format::age(state.now, t)),
        (None, Some(_)) => " NO DATA ".into(),
        (None, None) => " loading… ".into(),
    };
    let style = if error.is_some() {
        theme.connection_trouble()
    } else {
        base
    };
    Span::styled(age, style)
}

/// "no answer for 14s" on the current pane, and the team audit's trouble, if any.
pub fn warnings(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    if let Some(since) = state.ctx.connection.unanswered(state.ctx.pane, state.now) {
        let secs = (state.now - since).as_secs();
        spans.push(Span::styled(
            format!(" no answer for {secs}s "),
            theme.connection_trouble(),
        ));
    }
    if let Some(w) = state.ctx.connection.team_audit.warning() {
        spans.push(Span::styled(format!(" {w} "), theme.waiting()));
    }
    spans
}
