//! A table that builds only the rows that fit: with 10k items a frame costs what a screenful
//! costs. Its columns share the width by priority and content (`columns::fit`).

use crate::state::ListArea;
use crate::state::table::Sort;
use crate::state::table::columns::NoColumn;
use crate::theme::Theme;
use crate::ui::widgets::columns::{self, Column};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row, Table};
use unicode_width::UnicodeWidthChar;

/// The first row shown so that `selected` is on screen, for `height` rows.
pub fn offset(selected: usize, height: usize) -> usize {
    if height == 0 {
        0
    } else {
        selected.saturating_sub(height - 1)
    }
}

/// Where the table's sort column is among `cols`, and whether it runs descending.
pub fn sort_of<C: PartialEq>(sort: Option<&Sort<C>>, cols: &[Column<C>]) -> Option<(usize, bool)> {
    let sort = sort?;
    let i = cols
        .iter()
        .position(|c| c.sorts.as_ref() == Some(&sort.column))?;
    Some((i, sort.desc))
}

/// The gap between columns.
const SPACING: u16 = 1;

pub struct Spec<'a, C = NoColumn> {
    pub columns: &'a [Column<C>],
    pub len: usize,
    pub selected: usize,
    pub block: Block<'a>,
    /// The sorted column and whether it runs descending, marked in its header.
    pub sort: Option<(usize, bool)>,
}

/// Draws `spec`, calling `row(i)` only for the visible items; each row gives one line per
/// column. Returns where the rows are (as many as fit) and which item the first one shows.
pub fn draw<'a, C>(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    spec: Spec<'a, C>,
    mut row: impl FnMut(usize) -> Vec<Line<'a>>,
) -> ListArea {
    let inner_height = area.height.saturating_sub(3) as usize; // borders + header
    let first = offset(spec.selected, inner_height);
    let last = (first + inner_height).min(spec.len);
    let rows: Vec<(usize, Vec<Line<'a>>)> = (first..last).map(|i| (i, row(i))).collect();
    let headers: Vec<String> = spec
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| match spec.sort {
            Some((s, desc)) if s == i => format!("{} {}", c.header, if desc { "▼" } else { "▲" }),
            _ => c.header.to_string(),
        })
        .collect();
    let widths = widths(spec.columns, &headers, &rows, area.width.saturating_sub(2));
    let shown: Vec<usize> = (0..widths.len()).filter(|&i| widths[i] > 0).collect();
    let pick = |cells: Vec<Line<'a>>| -> Vec<Cell<'a>> {
        let mut cells: Vec<Option<Line<'a>>> = cells.into_iter().map(Some).collect();
        shown
            .iter()
            .map(|&i| {
                let line = cells.get_mut(i).and_then(Option::take).unwrap_or_default();
                Cell::from(clip_line(line, widths[i] as usize))
            })
            .collect()
    };
    let body: Vec<Row> = rows
        .into_iter()
        .map(|(i, cells)| {
            let r = Row::new(pick(cells));
            if i == spec.selected {
                r.style(theme.selected())
            } else {
                r
            }
        })
        .collect();
    let header = Row::new(shown.iter().map(|&i| Line::from(headers[i].clone())))
        .style(Style::new().fg(theme.muted).add_modifier(Modifier::BOLD));
    let constraints: Vec<Constraint> = shown
        .iter()
        .map(|&i| Constraint::Length(widths[i]))
        .collect();
    let table = Table::new(body, constraints)
        .header(header)
        .block(spec.block)
        .column_spacing(SPACING)
        .style(theme.base());
    f.render_widget(table, area);
    let name_width = shown.first().map_or(0, |&i| widths[i]);
    list_area(area, inner_height as u16, first, name_width)
}

/// Each column's width in `inner_width`, from its header and the widest of `rows`' values.
fn widths<C>(
    cols: &[Column<C>],
    headers: &[String],
    rows: &[(usize, Vec<Line>)],
    inner_width: u16,
) -> Vec<u16> {
    let mut wants: Vec<u16> = headers.iter().map(|h| h.chars().count() as u16).collect();
    for (_, cells) in rows {
        for (w, cell) in wants.iter_mut().zip(cells) {
            *w = (*w).max(cell.width() as u16);
        }
    }
    columns::fit(cols, &wants, inner_width, SPACING)
}

/// `line` cut to `width` cells, ending in `…` (in the style of the text it cuts) when cut.
pub fn clip_line(line: Line<'_>, width: usize) -> Line<'_> {
    if line.width() <= width {
        return line;
    }
    let mut room = width.saturating_sub(1);
    let mut spans = Vec::new();
    let mut last_style = line.style;
    for span in line.spans {
        if room == 0 {
            break;
        }
        last_style = span.style;
        let mut kept = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if w > room {
                room = 0;
                break;
            }
            room -= w;
            kept.push(c);
        }
        spans.push(Span::styled(kept, span.style));
    }
    if width > 0 {
        spans.push(Span::styled("…", last_style));
    }
    Line::from(spans).style(line.style)
}

/// Where a bordered table's rows are, below its header, for clicks.
fn list_area(area: Rect, rows: u16, first: usize, name_width: u16) -> ListArea {
    let rows = Rect {
        x: area.x.saturating_add(1),
        y: area.y.saturating_add(2),
        width: area.width.saturating_sub(2),
        height: rows,
    };
    ListArea {
        rows,
        first,
        name_width,
    }
}

/// Each column that sorts is headed by its sort column's header (the word `:sort` takes), and
/// every sort column but those in `unshown` has a column to mark.
#[cfg(test)]
pub fn assert_columns_agree<C: crate::state::table::SortColumn>(cols: &[Column<C>], unshown: &[C]) {
    for c in cols {
        if let Some(s) = c.sorts {
            assert_eq!(c.header, s.header(), "{s:?}");
        }
    }
    for s in C::ALL {
        let marked = cols.iter().any(|c| c.sorts == Some(*s));
        assert_eq!(marked, !unshown.contains(s), "{s:?}");
    }
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

    #[test]
    fn a_cut_value_ends_in_an_ellipsis_within_its_width() {
        use ratatui::style::{Color, Style};
        use ratatui::text::{Line, Span};
        let red = Style::new().fg(Color::Red);
        let line = Line::from(vec![Span::raw("payments "), Span::styled("⚠3", red)]);
        let cut = super::clip_line(line.clone(), 10);
        assert_eq!(cut.to_string(), "payments …");
        assert_eq!(
            super::clip_line(line.clone(), 11).to_string(),
            "payments ⚠3"
        );
        let wide = Line::from("日本語のサービス");
        let cut = super::clip_line(wide, 6);
        assert!(cut.width() <= 6, "{cut}");
        assert!(cut.to_string().ends_with('…'));
    }
}
