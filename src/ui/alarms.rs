use super::widgets::table::{self, Spec};
use super::{format, pane_block};
use crate::model::AlarmKind;
use crate::state::{ListArea, State};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

const HEADER: &[&str] = &["NAME", "TYPE", "STATE", "REASON", "UPDATED"];

/// Draws the alarms table; returns where its rows are.
pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> ListArea {
    let t = &state.alarms;
    let widths = [
        Constraint::Length(24),
        Constraint::Length(9),
        Constraint::Length(17),
        Constraint::Fill(1),
        Constraint::Length(8),
    ];
    let spec = Spec {
        header: HEADER,
        widths: &widths,
        len: t.len(),
        selected: t.selected,
        block: pane_block(
            state,
            theme,
            "alarms".into(),
            Some((t.len(), t.items.len())),
        ),
    };
    table::draw(f, area, theme, spec, |i| {
        let a = &t.items[t.view[i]];
        let kind = match a.kind {
            AlarmKind::Metric => "metric",
            AlarmKind::Composite => "composite",
        };
        Row::new(vec![
            Cell::from(a.name.clone()),
            Cell::from(Span::styled(kind, Style::new().fg(theme.muted))),
            Cell::from(Span::styled(
                a.state.to_string(),
                theme.alarm_row_state(&a.state),
            )),
            Cell::from(a.reason.clone()),
            Cell::from(format::age(state.now, a.updated_at)),
        ])
    })
}
