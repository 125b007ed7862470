//! Header, pane tabs and footer.

use super::format;
use crate::model::AlarmState;
use crate::state::{Mode, Pane, State};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn header(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let c = &state.context;
    let bg = if c.prod {
        state.accent.filter(|_| !theme.mono).unwrap_or(theme.prod)
    } else {
        theme.header_bg
    };
    let base = Style::new().fg(theme.header_fg).bg(bg);
    let mut spans = context_spans(state, base);
    if state.read_only {
        spans.push(Span::styled(
            " READ-ONLY ",
            Style::new()
                .fg(theme.bg)
                .bg(theme.warn)
                .add_modifier(Modifier::BOLD),
        ));
    }
    spans.push(age_span(state, theme, base));
    spans.push(Span::styled(
        format!(" {} UTC ", format::clock(state.now)),
        base,
    ));
    f.render_widget(Paragraph::new(Line::from(spans)).style(base), area);
}

/// Where the console points: context, PROD, profile, account, region and clusters.
fn context_spans(state: &State, base: Style) -> Vec<Span<'static>> {
    let c = &state.context;
    let bold = base.add_modifier(Modifier::BOLD);
    let mut spans = vec![
        Span::styled(" deckwatch ", bold),
        Span::styled(format!(" ctx {} ", or_dash(&c.name)), base),
    ];
    if c.prod {
        spans.push(Span::styled(
            " PROD ",
            bold.add_modifier(Modifier::REVERSED),
        ));
    }
    if c.profile != c.name {
        spans.push(Span::styled(
            format!(" profile {} ", or_dash(&c.profile)),
            base,
        ));
    }
    let account = if c.account.is_empty() {
        "…"
    } else {
        &c.account
    };
    spans.push(Span::styled(format!(" acct {account} "), base));
    spans.push(Span::styled(format!(" {} ", or_dash(&c.region)), base));
    let clusters = if c.clusters.is_empty() {
        "all".to_string()
    } else {
        c.clusters.join(",")
    };
    spans.push(Span::styled(
        format!(" clusters {} ", format::clip(&clusters, 32)),
        base,
    ));
    spans
}

/// How old the current pane's data is, or that it is stale.
fn age_span(state: &State, theme: &Theme, base: Style) -> Span<'static> {
    let (fetched, error) = (state.current().fetched_at(), state.current().error());
    let age = match (fetched, error) {
        (Some(t), None) => format!(" data {} old ", format::age(state.now, t)),
        (Some(t), Some(_)) => format!(" STALE {} ", format::age(state.now, t)),
        (None, Some(_)) => " NO DATA ".into(),
        (None, None) => " loading… ".into(),
    };
    let style = if error.is_some() {
        Style::new().fg(theme.bg).bg(theme.alarm)
    } else {
        base
    };
    Span::styled(age, style)
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() { "-" } else { s }
}

pub fn tabs(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut spans = Vec::new();
    for (i, pane) in Pane::ALL.iter().enumerate() {
        let label = format!(" {} {} ", i + 1, pane.title());
        let style = if *pane == state.pane {
            Style::new()
                .fg(theme.selected_fg)
                .bg(theme.selected_bg)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(theme.muted)
        };
        let style = if theme.mono && *pane == state.pane {
            style.add_modifier(Modifier::REVERSED)
        } else {
            style
        };
        spans.push(Span::styled(label, style));
        if *pane == Pane::Alarms {
            let firing = state
                .alarms
                .items
                .iter()
                .filter(|a| a.state == AlarmState::Alarm)
                .count();
            if firing > 0 {
                spans.push(Span::styled(
                    format!("{firing}!"),
                    Style::new().fg(theme.alarm).add_modifier(Modifier::BOLD),
                ));
            }
        }
        spans.push(Span::raw(" "));
    }
    if let Some(k) = &state.rollout
        && state.pane == Pane::Tasks
    {
        spans.push(Span::styled(
            format!(" ▸ {k} "),
            Style::new().fg(theme.accent),
        ));
    }
    if let (Pane::Logs, Some(k)) = (state.pane, &state.logs.target) {
        spans.push(Span::styled(
            format!(" ▸ {k} "),
            Style::new().fg(theme.accent),
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn footer(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let key = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let text = Style::new().fg(theme.muted);
    let hints = state.keys.mode_hints(state.layer());
    let line = match &state.mode {
        Mode::Filter => Line::from(vec![
            Span::styled(" /", key),
            Span::styled(
                state.current().filter().to_string(),
                Style::new().fg(theme.fg),
            ),
            Span::styled("▏", key),
            Span::styled(format!("  {hints}"), text),
        ]),
        Mode::Confirm(..) if state.context.prod => {
            Line::from(Span::styled(format!(" {hints}"), theme.waiting()))
        }
        Mode::Normal => match &state.flash {
            Some((msg, _)) => Line::from(Span::styled(format!(" {msg}"), theme.waiting())),
            None => {
                let mut spans = Vec::new();
                for b in state.keys.hints(state.layer(), state.pane) {
                    spans.push(Span::styled(format!(" {}", b.label), key));
                    spans.push(Span::styled(
                        format!(" {} ", b.hint.unwrap_or(b.help)),
                        text,
                    ));
                }
                Line::from(spans)
            }
        },
        _ => Line::from(Span::styled(format!(" {hints}"), text)),
    };
    f.render_widget(Paragraph::new(line), area);
}
