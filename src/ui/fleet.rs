//! The fleet view: one row per context (account × region), most urgent first; or, after `/`,
//! the services the search found in every context. Columns leave by priority, as the panes'
//! do, so it reads at 80x24.

use crate::model::cost::{Total, dollars};
use crate::model::fleet::Figures;
use crate::model::text::short_span;
use crate::model::{ApiError, ErrorKind};
use crate::state::fleet::{Hit, Member, Row, rows};
use crate::state::{Mode, State};
use crate::theme::Theme;
use crate::ui::format;
use crate::ui::widgets::columns::{Column, col, flex};
use crate::ui::widgets::table::{self, Spec};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

/// The context and what needs a person never leave; the cost estimate leaves first (its month
/// before its day), then the account.
const COLUMNS: [Column; 12] = [
    flex("CONTEXT", 0, 8),
    col("HOOKS", 0, 5),
    col("FAILING", 1, 7),
    col("ALARMS", 0, 6),
    col("ROLLING", 2, 7),
    col("FAILED 1H", 3, 9),
    col("SVCS", 3, 4),
    col("CREDS", 1, 5),
    col("AGE", 1, 3),
    col("ACCOUNT", 5, 7),
    col("~$/DAY", 6, 6),
    col("/MO", 7, 3),
];

const HIT_COLUMNS: [Column; 4] = [
    col("CONTEXT", 0, 8),
    col("CLUSTER", 2, 7),
    flex("SERVICE", 0, 8),
    col("IMAGE TAG", 1, 9),
];

pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    crate::ui::widgets::overlay::claim(f, area, theme);
    match &state.fleet.hits {
        Some(hits) => draw_hits(f, area, state, hits, theme),
        None => draw_rows(f, area, state, theme),
    }
}

fn block<'a>(title: String, bottom: Line<'a>, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(Style::new().fg(theme.accent))
        .title(Line::styled(
            title,
            Style::new().fg(theme.accent).add_modifier(Modifier::BOLD),
        ))
        .title_bottom(bottom)
}

fn draw_rows(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let rows = rows(state);
    let title = format!(" fleet ({}) · most urgent first ", rows.len());
    let selected = state.fleet.selected.min(rows.len().saturating_sub(1));
    let failed = rows.get(selected).and_then(|r| Some((r.member, r.error?)));
    let spec = Spec {
        columns: &COLUMNS,
        len: rows.len(),
        selected,
        sort: None,
        block: block(title, footnote(state, failed, theme), theme),
    };
    table::draw(f, area, theme, spec, |i| row(&rows[i], state, theme));
}

/// What the view must say under the rows: why other contexts have no figures, or that an SSO
/// session cannot be listed; why the selected context's last read failed (the CREDS cell has
/// one word, this line what to do); else the keys.
fn footnote(state: &State, failed: Option<(&Member, &ApiError)>, theme: &Theme) -> Line<'static> {
    let muted = Style::new().fg(theme.muted);
    if let Some(note) = &state.fleet.note {
        return Line::styled(format!(" {note} "), Style::new().fg(theme.warn));
    }
    if state.mode == Mode::FleetSearch {
        return Line::styled(format!(" find: {}▏", state.fleet.query), muted);
    }
    if let Some((m, e)) = failed {
        let line = format!(" {}: {} ", m.target.label(), e.message);
        return Line::styled(line, Style::new().fg(theme.warn));
    }
    if !state.fleet.polled && state.fleet.members.len() > 1 {
        return Line::styled(
            " contexts off screen are not polled: add [fleet] to the config ",
            Style::new().fg(theme.warn),
        );
    }
    Line::styled(
        " Enter go · / find a service, tag or sha · Esc back ",
        muted,
    )
}

fn row<'a>(r: &Row<'a>, state: &State, theme: &Theme) -> Vec<Line<'a>> {
    let name = r.member.target.label();
    let name = if r.on_screen {
        Line::from(vec![
            Span::raw(name),
            Span::styled(" ◂", Style::new().fg(theme.accent)),
        ])
    } else {
        Line::from(name)
    };
    let age = r
        .read_at
        .map_or("-".to_string(), |t| format::age(state.now, t));
    let mut cells = vec![name];
    cells.extend(counts(r.figures.as_ref(), state, theme));
    cells.push(creds(r, state, theme));
    cells.push(Line::from(age));
    cells.push(Line::from(if r.account.is_empty() {
        "?".to_string()
    } else {
        r.account.to_string()
    }));
    cells.extend(cost(r.cost.as_ref(), theme));
    cells
}

/// The estimate a day and a month; `≥` when some services' cost is not known (a floor), `?`
/// when none is (no prices cached, or not read yet).
fn cost(total: Option<&Total>, theme: &Theme) -> [Line<'static>; 2] {
    let muted = Style::new().fg(theme.muted);
    let Some(t) = total else {
        return [Line::styled("?", muted), Line::styled("?", muted)];
    };
    let floor = if t.unknown > 0 { "≥" } else { "" };
    [
        Line::styled(format!("{floor}{}", dollars(t.per_day())), muted),
        Line::styled(format!("{floor}{}", dollars(t.per_month())), muted),
    ]
}

/// HOOKS, FAILING, ALARMS, ROLLING, FAILED 1H and SVCS; blank until read (nothing is shown as
/// known before it is).
fn counts(f: Option<&Figures>, state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let Some(f) = f else {
        return (0..6).map(|_| Line::from("")).collect();
    };
    let loud = |n: usize| {
        let style = if n > 0 {
            Style::new().fg(theme.alarm).add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(theme.muted)
        };
        Line::styled(n.to_string(), style)
    };
    let hooks = match f.hook_expires {
        Some(at) => Line::styled(
            format!("{} · {}", f.hooks, short_span(at - state.now)),
            Style::new().fg(theme.alarm).add_modifier(Modifier::BOLD),
        ),
        None => loud(0),
    };
    vec![
        hooks,
        loud(f.failing),
        loud(f.firing),
        Line::from(f.rolling.to_string()),
        loud(f.failed_recently),
        Line::from(f.services.to_string()),
    ]
}

/// The credentials' state: expired, invalid or refused (the last read said so), when they
/// expire, or ok.
fn creds(r: &Row, state: &State, theme: &Theme) -> Line<'static> {
    let bad = Style::new().fg(theme.alarm);
    match (r.error, r.expiry) {
        // "expired" only when the answer said so: missing credentials are not expired ones.
        (Some(e), _) if e.kind == ErrorKind::Credentials => {
            let expired = e.message.to_lowercase().contains("expired");
            Line::styled(if expired { "expired" } else { "invalid" }, bad)
        }
        (Some(e), _) if matches!(e.kind, ErrorKind::AccessDenied(_)) => Line::styled("denied", bad),
        (Some(_), _) => Line::styled("error", Style::new().fg(theme.warn)),
        (None, Some(at)) if at <= state.now => Line::styled("expired", bad),
        (None, Some(at)) => Line::from(short_span(at - state.now)),
        (None, None) if r.read_at.is_some() => Line::from("ok"),
        (None, None) => Line::styled("-", Style::new().fg(theme.muted)),
    }
}

fn draw_hits(f: &mut Frame, area: Rect, state: &State, hits: &[Hit], theme: &Theme) {
    let title = format!(
        " fleet · {} found for {:?} in every context ",
        hits.len(),
        state.fleet.query
    );
    let bottom = Line::styled(
        " Enter go to its context · Esc back to the rows ",
        Style::new().fg(theme.muted),
    );
    let spec = Spec {
        columns: &HIT_COLUMNS,
        len: hits.len(),
        selected: state.fleet.selected.min(hits.len().saturating_sub(1)),
        sort: None,
        block: block(title, bottom, theme),
    };
    table::draw(f, area, theme, spec, |i| {
        let h = &hits[i];
        vec![
            Line::from(h.target.label()),
            Line::from(h.cluster.clone()),
            Line::from(h.service.clone()),
            Line::from(h.tags.join(" → ")),
        ]
    });
}
