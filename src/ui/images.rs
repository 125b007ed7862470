use super::widgets::table::{self, Spec};
use super::{format, pane_block};
use crate::model::Findings;
use crate::state::{ListArea, State};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

const HEADER: &[&str] = &[
    "REPOSITORY",
    "TAG",
    "DIGEST",
    "PUSHED",
    "SIZE",
    "FINDINGS C/H/M/L",
    "USED BY",
];

/// Findings by severity, the worst in the alarm colour.
pub fn findings_line(f: Option<Findings>, theme: &Theme) -> Line<'static> {
    let Some(f) = f else {
        return Line::from(Span::styled("not scanned", Style::new().fg(theme.muted)));
    };
    let part = |n: u32, label: &str, style: Style| {
        Span::styled(
            format!("{label}{n} "),
            if n == 0 {
                Style::new().fg(theme.muted)
            } else {
                style
            },
        )
    };
    Line::from(vec![
        part(
            f.critical,
            "C",
            Style::new().fg(theme.alarm).add_modifier(Modifier::BOLD),
        ),
        part(f.high, "H", Style::new().fg(theme.alarm)),
        part(f.medium, "M", Style::new().fg(theme.warn)),
        part(f.low, "L", Style::new().fg(theme.fg)),
    ])
}

/// Draws the images table; returns where its rows are.
pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> ListArea {
    let t = &state.images;
    let widths = [
        Constraint::Length(16),
        Constraint::Length(10),
        Constraint::Length(19),
        Constraint::Length(6),
        Constraint::Length(9),
        Constraint::Length(17),
        Constraint::Fill(1),
    ];
    let spec = Spec {
        header: HEADER,
        widths: &widths,
        len: t.len(),
        selected: t.selected,
        block: pane_block(
            state,
            theme,
            "images".into(),
            Some((t.len(), t.items.len())),
        ),
    };
    table::draw(f, area, theme, spec, |i| {
        let img = &t.items[t.view[i]];
        let in_use = !img.used_by.is_empty();
        Row::new(vec![
            Cell::from(img.repository.clone()),
            Cell::from(
                img.tags
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "<untagged>".into()),
            ),
            Cell::from(Span::styled(
                img.short_digest().to_string(),
                Style::new().fg(theme.muted),
            )),
            Cell::from(format::age(state.now, img.pushed_at)),
            Cell::from(format::bytes(img.size_bytes)),
            Cell::from(findings_line(img.findings, theme)),
            Cell::from(Span::styled(
                img.used_by.join(", "),
                Style::new().fg(if in_use { theme.ok } else { theme.muted }),
            )),
        ])
    })
}
