use super::widgets::table::{self, Spec};
use super::{format, pane_block, rollout};
use crate::model::{Millis, Service};
use crate::state::{ListArea, State};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

const HEADER: &[&str] = &[
    "NAME", "CLUSTER", "STATUS", "D/R/P", "ROLLOUT", "TASK DEF", "IMAGE", "AGE", "CPU", "MEM",
];
const SPARK: usize = 7;

/// Draws the services table; returns where its rows are.
pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> ListArea {
    let t = &state.services;
    let widths = [
        Constraint::Fill(1),
        Constraint::Length(10),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(23),
        Constraint::Length(15),
        Constraint::Length(8),
        Constraint::Length(4),
        Constraint::Length(SPARK as u16 + 4),
        Constraint::Length(SPARK as u16 + 4),
    ];
    let spec = Spec {
        header: HEADER,
        widths: &widths,
        len: t.len(),
        selected: t.selected,
        block: pane_block(
            state,
            theme,
            match state.services_loading {
                Some((done, total)) => format!("services · {done} of {total} clusters read…"),
                None => "services".into(),
            },
            Some((t.len(), t.items.len())),
        ),
    };
    table::draw(f, area, theme, spec, |i| {
        row(&t.items[t.view[i]], state.now, theme)
    })
}

fn row(s: &Service, now: Millis, theme: &Theme) -> Row<'static> {
    let counts = Style::new().fg(if s.running < s.desired {
        theme.warn
    } else {
        theme.fg
    });
    Row::new(vec![
        Cell::from(s.name.clone()),
        Cell::from(Span::styled(
            s.cluster.clone(),
            Style::new().fg(theme.muted),
        )),
        Cell::from(Span::styled(
            s.status.to_string(),
            theme.service_status(&s.status),
        )),
        Cell::from(Span::styled(
            format!("{}/{}/{}", s.desired, s.running, s.pending),
            counts,
        )),
        Cell::from(rollout::summary(s, now, theme)),
        Cell::from(s.task_def.to_string()),
        Cell::from(format::clip(&s.image_tag, 8)),
        Cell::from(Span::styled(
            format::age(now, s.created_at),
            Style::new().fg(theme.muted),
        )),
        metric_cell(&s.cpu, theme.info, theme),
        metric_cell(&s.mem, theme.canary, theme),
    ])
}

/// A sparkline of the last points and the latest value, or a dash when there are none.
fn metric_cell(points: &[f64], color: ratatui::style::Color, theme: &Theme) -> Cell<'static> {
    let Some(last) = points.last() else {
        return Cell::from(Span::styled("-", Style::new().fg(theme.muted)));
    };
    Cell::from(Line::from(vec![
        Span::styled(format::sparkline(points, SPARK), Style::new().fg(color)),
        Span::styled(format!("{last:>3.0}%"), Style::new().fg(theme.fg)),
    ]))
}
