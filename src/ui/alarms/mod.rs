pub(crate) mod detail;

use crate::model::{Alarm, AlarmKind, At};
use crate::state::table::columns::AlarmColumn;
use crate::state::{ListArea, State};
use crate::theme::Theme;
use crate::ui::widgets::columns::{Column, col, flex, long};
use crate::ui::widgets::table::{self, Spec};
use crate::ui::{format, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;

/// The alarms table's columns: the name and the state never leave the screen.
const COLUMNS: [Column<AlarmColumn>; 5] = [
    flex("NAME", 0, 12).sorts(AlarmColumn::Name),
    col("TYPE", 4, 6).sorts(AlarmColumn::Type),
    col("STATE", 0, 5).sorts(AlarmColumn::State),
    long("REASON", 2, 30),
    col("UPDATED", 3, 7).sorts(AlarmColumn::Updated),
];

/// Draws the alarms table; returns where its rows are.
pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme) -> ListArea {
    let t = &state.ctx.alarms;
    let spec = Spec {
        columns: &COLUMNS,
        len: t.len(),
        selected: t.selected,
        sort: table::sort_of(t.sort.as_ref(), &COLUMNS),
        block: pane_block(
            state,
            theme,
            "alarms".into(),
            Some((t.len(), t.items.len())),
        ),
    };
    table::draw(f, area, theme, spec, |i| {
        row(&t.items[t.view[i]], state.now, theme)
    })
}

fn row(a: &Alarm, now: At, theme: &Theme) -> Vec<Line<'static>> {
    let kind = match a.kind {
        AlarmKind::Metric => "metric",
        AlarmKind::Composite => "composite",
    };
    vec![
        Line::from(a.name.clone()),
        Line::styled(kind, Style::new().fg(theme.muted)),
        Line::styled(a.state.to_string(), theme.alarm_row_state(&a.state)),
        Line::from(a.reason.clone()),
        Line::from(format::age(now, a.updated_at)),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_column_that_sorts_is_headed_by_its_sort_word() {
        crate::ui::widgets::table::assert_columns_agree(&super::COLUMNS, &[]);
    }
}
