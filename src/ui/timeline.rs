//! The timeline view: a header with the 30-day figures and what could not be read, then one
//! line per entry, newest first; `Enter` opens an entry's detail.

use crate::model::timeline::markdown::stats_line;
use crate::model::timeline::{Entry, span_text, utc};
use crate::state::{ListArea, State};
use crate::theme::Theme;
use crate::ui::pane_block;
use crate::ui::widgets::columns::{Column, col, flex};
use crate::ui::widgets::table::{self, Spec};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// The time and what happened never leave the screen; who did it goes first.
const COLUMNS: [Column; 4] = [
    col("TIME (UTC)", 0, 14),
    col("KIND", 1, 7),
    flex("WHAT", 0, 20),
    col("WHO", 2, 8),
];

pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> ListArea {
    let head = header_lines(state, theme);
    let rows = (head.len() as u16).min(area.height.saturating_sub(3));
    let [top, list] = Layout::vertical([Constraint::Length(rows), Constraint::Min(3)]).areas(area);
    f.render_widget(
        Paragraph::new(head)
            .wrap(Wrap { trim: false })
            .style(theme.base()),
        top,
    );
    let v = &state.ctx.timeline;
    let t = &v.table;
    let name = v
        .service
        .as_ref()
        .map_or("(no service)".into(), ToString::to_string);
    let title = format!("timeline of {name} · last {}", span_text(v.span()));
    let spec = Spec {
        columns: &COLUMNS,
        len: t.len(),
        selected: t.selected,
        sort: None,
        block: pane_block(state, theme, title, Some((t.len(), t.items.len()))),
    };
    table::draw(f, list, theme, spec, |i| row(&t.items[t.view[i]], theme))
}

/// The figures, what is being read, and every source that could not be read.
fn header_lines(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let v = &state.ctx.timeline;
    let muted = Style::new().fg(theme.muted);
    let mut out = Vec::new();
    match &v.read {
        Some(t) => out.push(Line::styled(stats_line(t), Style::new().fg(theme.fg))),
        None => out.push(Line::styled("reading the timeline…", muted)),
    }
    if v.loading.is_some() && v.read.is_some() {
        out.push(Line::styled("reading again…", muted));
    }
    for g in v.read.iter().flat_map(|t| &t.gaps) {
        out.push(Line::from(vec![
            Span::styled("not read: ", theme.waiting()),
            Span::styled(format!("{}: {}", g.what, g.why), muted),
        ]));
    }
    out
}

/// `03-01 14:05:09`: the year only in the detail.
fn short_time(at: crate::model::At) -> String {
    utc(at).get(5..).unwrap_or_default().to_string()
}

fn row(e: &Entry, theme: &Theme) -> Vec<Line<'static>> {
    let style = theme.timeline_entry(e);
    vec![
        Line::styled(short_time(e.at), Style::new().fg(theme.muted)),
        Line::styled(e.kind.word(), style),
        Line::styled(e.text.clone(), style),
        Line::styled(
            if e.who.is_empty() {
                "-".to_string()
            } else {
                e.who.clone()
            },
            Style::new().fg(theme.muted),
        ),
    ]
}

/// The detail of the selected entry.
pub fn detail_lines(e: &Entry, theme: &Theme) -> Vec<Line<'static>> {
    let field = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!(" {k:<10}"), Style::new().fg(theme.muted)),
            Span::styled(v, Style::new().fg(theme.fg)),
        ])
    };
    let mut out = vec![
        field("when", format!("{} UTC", utc(e.at))),
        field("kind", e.kind.word().to_string()),
        Line::from(vec![
            Span::styled(format!(" {:<10}", "what"), Style::new().fg(theme.muted)),
            Span::styled(e.text.clone(), theme.timeline_entry(e)),
        ]),
    ];
    if !e.who.is_empty() {
        out.push(field("who", e.who.clone()));
    }
    if e.outside {
        out.push(field("from", "outside the console (CloudTrail)".into()));
    }
    out.extend(e.detail.iter().map(|d| field("", d.clone())));
    out
}
