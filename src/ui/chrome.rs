//! Header, pane tabs and footer.

use super::format;
use crate::keymap;
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
    let bold = base.add_modifier(Modifier::BOLD);
    let mut spans = vec![
        Span::styled(" deckwatch ", bold),
        Span::styled(
            format!(" ctx {} ", if c.name.is_empty() { "-" } else { &c.name }),
            base,
        ),
    ];
    if c.prod {
        spans.push(Span::styled(
            " PROD ",
            bold.add_modifier(Modifier::REVERSED),
        ));
    }
    let account = if c.account.is_empty() {
        "…"
    } else {
        &c.account
    };
    if c.profile != c.name {
        spans.push(Span::styled(
            format!(" profile {} ", or_dash(&c.profile)),
            base,
        ));
    }
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
    if state.read_only {
        spans.push(Span::styled(
            " READ-ONLY ",
            Style::new()
                .fg(theme.bg)
                .bg(theme.warn)
                .add_modifier(Modifier::BOLD),
        ));
    }
    let (fetched, error) = state.freshness();
    let age = match (fetched, error) {
        (Some(t), None) => format!(" data {} old ", format::age(state.now, t)),
        (Some(t), Some(_)) => format!(" STALE {} ", format::age(state.now, t)),
        (None, Some(_)) => " NO DATA ".into(),
        (None, None) => " loading… ".into(),
    };
    let age_style = if error.is_some() {
        Style::new().fg(theme.bg).bg(theme.alarm)
    } else {
        base
    };
    spans.push(Span::styled(age, age_style));
    spans.push(Span::styled(
        format!(" {} UTC ", format::clock(state.now)),
        base,
    ));
    f.render_widget(Paragraph::new(Line::from(spans)).style(base), area);
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
    if let Some(k) = &state.scope
        && state.pane == Pane::Tasks
    {
        spans.push(Span::styled(
            format!(" ▸ {k} "),
            Style::new().fg(theme.accent),
        ));
    }
    if let (Pane::Logs, Some(k)) = (state.pane, &state.logs.service) {
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
    let line = match &state.mode {
        Mode::Filter => Line::from(vec![
            Span::styled(" /", key),
            Span::styled(
                crate::state::current_filter(state).to_string(),
                Style::new().fg(theme.fg),
            ),
            Span::styled("▏", key),
            Span::styled("  Enter keep · Esc clear", text),
        ]),
        Mode::Palette(_) => {
            Line::from(Span::styled(" Enter run · Tab complete · Esc cancel", text))
        }
        Mode::Help | Mode::Detail => Line::from(Span::styled(" Esc close", text)),
        Mode::Confirm(..) if state.context.prod => Line::from(Span::styled(
            " PROD: type the service name, then Enter · Esc cancel",
            Style::new().fg(theme.warn),
        )),
        Mode::Confirm(..) => Line::from(Span::styled(" y confirm · any other key cancels", text)),
        Mode::Scale(_) => Line::from(Span::styled(" digits, Enter · Esc cancel", text)),
        Mode::Normal => match &state.flash {
            Some((msg, _)) => {
                Line::from(Span::styled(format!(" {msg}"), Style::new().fg(theme.warn)))
            }
            None => {
                let mut spans = Vec::new();
                for b in keymap::hints(state.pane) {
                    spans.push(Span::styled(format!(" {}", b.label), key));
                    spans.push(Span::styled(
                        format!(" {} ", b.hint.unwrap_or(b.help)),
                        text,
                    ));
                }
                Line::from(spans)
            }
        },
    };
    f.render_widget(Paragraph::new(line), area);
}
