//! The header and the pane tabs.

pub mod activity;
pub mod badges;
mod connection;
pub mod feed;
pub(crate) mod footer;

use crate::model::AlarmState;
use crate::state::{Pane, State};
use crate::theme::Theme;
use crate::ui::format;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Another context needs attention: said on every pane, never dropped.
fn fleet_badge(state: &State, theme: &Theme) -> Option<Span<'static>> {
    let badge = crate::state::fleet::badge(state)?;
    let loud = Style::new()
        .fg(theme.bg)
        .bg(theme.alarm)
        .add_modifier(Modifier::BOLD);
    Some(Span::styled(format!(" fleet: {badge} "), loud))
}

pub fn header(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let c = &state.ctx.info;
    let bg = if c.prod {
        state
            .ctx
            .accent
            .filter(|_| !theme.mono)
            .unwrap_or(theme.prod)
    } else {
        theme.header_bg
    };
    let base = Style::new().fg(theme.header_fg).bg(bg);
    // (priority, span): 0 always shows; on a narrow terminal the highest numbers go first, so
    // the data's age and the stale badge stay while the list of clusters goes.
    let mut parts = context_parts(state, base);
    if state.ctx.read_only {
        let ro = Style::new()
            .fg(theme.bg)
            .bg(theme.warn)
            .add_modifier(Modifier::BOLD);
        parts.push((0, Span::styled(" READ-ONLY ", ro)));
    }
    parts.extend(fleet_badge(state, theme).map(|b| (0, b)));
    // Connecting, failed, and credentials about to expire: never dropped; nor are the data's
    // age and the connection's trouble (no answer, the team audit).
    parts.extend(
        crate::ui::chrome::badges::spans(state, theme)
            .into_iter()
            .map(|b| (0, b)),
    );
    parts.push((0, crate::ui::chrome::connection::age(state, theme, base)));
    parts.push((1, crate::ui::chrome::feed::span(state, theme, base)));
    parts.extend(
        crate::ui::chrome::connection::warnings(state, theme)
            .into_iter()
            .map(|w| (0, w)),
    );
    parts.push((
        3,
        Span::styled(format!(" {} UTC ", format::clock(state.now)), base),
    ));
    let width = area.width as usize;
    while parts.iter().map(|(_, s)| s.width()).sum::<usize>() > width {
        let Some(worst) = parts
            .iter()
            .enumerate()
            .filter(|(_, (p, _))| *p > 0)
            .max_by_key(|(i, (p, _))| (*p, *i))
            .map(|(i, _)| i)
        else {
            break;
        };
        parts.remove(worst);
    }
    let spans: Vec<Span> = parts.into_iter().map(|(_, s)| s).collect();
    f.render_widget(Paragraph::new(Line::from(spans)).style(base), area);
}

/// Where the console points: context, PROD, profile, account, region and clusters, each with
/// the priority it keeps on a narrow terminal.
fn context_parts(state: &State, base: Style) -> Vec<(u8, Span<'static>)> {
    let c = &state.ctx.info;
    let bold = base.add_modifier(Modifier::BOLD);
    let mut parts = vec![
        (4, Span::styled(" deckwatch ", bold)),
        (0, Span::styled(format!(" ctx {} ", or_dash(&c.name)), base)),
    ];
    if c.prod {
        parts.push((
            0,
            Span::styled(" PROD ", bold.add_modifier(Modifier::REVERSED)),
        ));
    }
    if c.profile != c.name {
        let profile = format!(" profile {} ", or_dash(&c.profile));
        parts.push((5, Span::styled(profile, base)));
    }
    let account = crate::ui::chrome::connection::account(state);
    parts.push((2, Span::styled(format!(" acct {account} "), base)));
    parts.push((1, Span::styled(format!(" {} ", or_dash(&c.region)), base)));
    let clusters = if c.clusters.is_empty() {
        "all".to_string()
    } else {
        c.clusters.join(",")
    };
    parts.push((6, Span::styled(format!(" clusters {clusters} "), base)));
    parts
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() { "-" } else { s }
}

/// The alarms tab's count of firing alarms, if any. Alarms are polled on every pane; when the
/// last poll failed, the count is the last one known and says so.
fn firing(state: &State, theme: &Theme) -> Option<Span<'static>> {
    let firing = state
        .ctx
        .alarms
        .items
        .iter()
        .filter(|a| a.state == AlarmState::Alarm)
        .count();
    // Alarms are polled on every pane; when the last poll failed, the count is the last one
    // known and says so.
    if state.ctx.alarms.error.is_some() {
        Some(Span::styled(format!("{firing}?"), theme.waiting()))
    } else if firing > 0 {
        Some(Span::styled(
            format!("{firing}!"),
            Style::new().fg(theme.alarm).add_modifier(Modifier::BOLD),
        ))
    } else {
        None
    }
}

/// Draws the pane tabs; returns where each tab is, for clicks.
pub fn tabs(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> Vec<(Rect, Pane)> {
    let mut spans = Vec::new();
    let mut hits = Vec::new();
    let mut x = area.x;
    for (i, pane) in Pane::TABS.iter().enumerate() {
        let label = format!(" {} {} ", i + 1, pane.title());
        let width = (label.chars().count() as u16).min(area.right().saturating_sub(x));
        hits.push((Rect { x, width, ..area }.intersection(area), *pane));
        let style = if *pane == state.ctx.pane {
            Style::new()
                .fg(theme.selected_fg)
                .bg(theme.selected_bg)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(theme.muted)
        };
        let style = if theme.mono && *pane == state.ctx.pane {
            style.add_modifier(Modifier::REVERSED)
        } else {
            style
        };
        spans.push(Span::styled(label, style));
        if *pane == Pane::Alarms {
            spans.extend(firing(state, theme));
        }
        spans.push(Span::raw(" "));
        x = area
            .x
            .saturating_add(spans.iter().map(Span::width).sum::<usize>() as u16);
    }
    if let Some(k) = &state.ctx.rollout
        && state.ctx.pane == Pane::Rollout
    {
        spans.push(Span::styled(
            format!(" ▸ rollout of {k} "),
            Style::new().fg(theme.accent),
        ));
    }
    if let (Pane::Logs, Some(k)) = (state.ctx.pane, &state.ctx.logs.target) {
        spans.push(Span::styled(
            format!(" ▸ {k} "),
            Style::new().fg(theme.accent),
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
    hits
}
