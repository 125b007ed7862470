//! A table that builds only the rows that fit: with 10k items a frame costs what a screenful
//! costs.

use crate::state::ListArea;
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Row, Table};

/// The first row shown so that `selected` is on screen, for `height` rows.
pub fn offset(selected: usize, height: usize) -> usize {
    if height == 0 {
        0
    } else {
        selected.saturating_sub(height - 1)
    }
}

pub struct Spec<'a> {
    pub header: &'a [&'a str],
    pub widths: &'a [Constraint],
    pub len: usize,
    pub selected: usize,
    pub block: Block<'a>,
}

/// Draws `spec`, calling `row(i)` only for the visible items. Returns where the rows are (as
/// many as fit) and which item the first one shows.
pub fn draw<'a>(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    spec: Spec<'a>,
    mut row: impl FnMut(usize) -> Row<'a>,
) -> ListArea {
    let inner_height = area.height.saturating_sub(3) as usize; // borders + header
    let first = offset(spec.selected, inner_height);
    let last = (first + inner_height).min(spec.len);
    let rows: Vec<Row> = (first..last)
        .map(|i| {
            let r = row(i);
            if i == spec.selected {
                r.style(theme.selected())
            } else {
                r
            }
        })
        .collect();
    let header = Row::new(spec.header.iter().map(|h| Line::from(*h)))
        .style(Style::new().fg(theme.muted).add_modifier(Modifier::BOLD));
    let table = Table::new(rows, spec.widths.to_vec())
        .header(header)
        .block(spec.block)
        .column_spacing(1)
        .style(theme.base());
    f.render_widget(table, area);
    // Inside the border, below the header row.
    let rows = Rect {
        x: area.x.saturating_add(1),
        y: area.y.saturating_add(2),
        width: area.width.saturating_sub(2),
        height: inner_height as u16,
    };
    ListArea { rows, first }
}

#[cfg(test)]
mod tests {
    #[test]
    fn offset_keeps_the_selection_in_view() {
        assert_eq!(super::offset(0, 10), 0);
        assert_eq!(super::offset(9, 10), 0);
        assert_eq!(super::offset(10, 10), 1);
        assert_eq!(super::offset(5, 0), 0);
    }
}
