use super::widgets::table::{self, Spec};
use super::{format, pane_block};
use crate::model::{AlarmKind, AlarmState};
use crate::state::State;
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

const HEADER: &[&str] = &["NAME", "TYPE", "STATE", "REASON", "UPDATED"];

pub fn state_color(s: AlarmState, theme: &Theme) -> Color {
    match s {
        AlarmState::Ok => theme.ok,
        AlarmState::Alarm => theme.alarm,
        AlarmState::InsufficientData => theme.warn,
    }
}

pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) {
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
        let mut style = Style::new().fg(state_color(a.state, theme));
        if a.state == AlarmState::Alarm {
            style = style.add_modifier(Modifier::BOLD);
        }
        let kind = match a.kind {
            AlarmKind::Metric => "metric",
            AlarmKind::Composite => "composite",
        };
        Row::new(vec![
            Cell::from(a.name.clone()),
            Cell::from(Span::styled(kind, Style::new().fg(theme.muted))),
            Cell::from(Span::styled(a.state.label(), style)),
            Cell::from(a.reason.clone()),
            Cell::from(format::age(state.now, a.updated_at)),
        ])
    });
}
