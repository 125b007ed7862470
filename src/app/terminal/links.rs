//! OSC 8 hyperlinks on the rows' names. ratatui's cells hold no links, so the frame is drawn
//! as it is, and then the cells of each name are written again through the backend with the
//! link's opening sequence before the first and its closing one after the last. The buffer
//! (and so every width and the next frame's diff) never sees the sequences; a cell the next
//! frame changes is drawn plainly and linked again after that frame.

use crate::state::links::LinkSpan;
use ratatui::backend::Backend;
use ratatui::buffer::{Buffer, Cell};
use unicode_width::UnicodeWidthStr;

/// The cells of one link, as they are to be written.
pub type Linked = Vec<(u16, u16, Cell)>;

fn open_seq(url: &str) -> String {
    format!("\u{1b}]8;;{url}\u{1b}\\")
}

const CLOSE: &str = "\u{1b}]8;;\u{1b}\\";

/// The cells of each span in `buf`, trailing blanks left out, with the link's sequences put
/// around them. A URL with any character outside printable ASCII is refused (the builders
/// encode everything, so this only guards the escape).
pub fn cells(buf: &Buffer, spans: &[LinkSpan]) -> Vec<Linked> {
    let area = buf.area;
    let mut out = Vec::new();
    for s in spans {
        if !s.url.bytes().all(|b| (0x21..0x7f).contains(&b)) || s.y >= area.bottom() {
            continue;
        }
        let end = s.x.saturating_add(s.width).min(area.right());
        let mut row: Linked = Vec::new();
        let mut skip = 0usize;
        for x in s.x..end {
            let Some(cell) = buf.cell((x, s.y)) else {
                break;
            };
            // The cell after a wide character is hidden behind it: never drawn over.
            if skip > 0 {
                skip -= 1;
                continue;
            }
            skip = cell.symbol().width().saturating_sub(1);
            row.push((x, s.y, cell.clone()));
        }
        while row
            .last()
            .is_some_and(|(_, _, c)| c.symbol().trim().is_empty())
        {
            row.pop();
        }
        let (Some(first), Some(last)) = (row.first().map(|c| c.0), row.last().map(|c| c.0)) else {
            continue;
        };
        for (x, _, cell) in row.iter_mut() {
            let mut symbol = cell.symbol().to_string();
            if *x == first {
                symbol.insert_str(0, &open_seq(&s.url));
            }
            if *x == last {
                symbol.push_str(CLOSE);
            }
            cell.set_symbol(&symbol);
        }
        out.push(row);
    }
    out
}

/// Writes the linked cells through the backend, after the frame.
pub fn write<B: Backend>(backend: &mut B, linked: &[Linked]) {
    if linked.is_empty() {
        return;
    }
    let cells = linked
        .iter()
        .flat_map(|row| row.iter().map(|(x, y, c)| (*x, *y, c)));
    if let Err(e) = backend.draw(cells).and_then(|()| backend.flush()) {
        tracing::warn!(error = ?e, "could not write the links");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn a_name_is_wrapped_in_its_link_and_trailing_blanks_are_left_out() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 2));
        buf.set_string(1, 1, "web 界x", ratatui::style::Style::default());
        let spans = [LinkSpan {
            x: 1,
            y: 1,
            width: 12,
            url: "https://h/a%20b".into(),
        }];
        let linked = cells(&buf, &spans);
        let row = &linked[0];
        let symbols: Vec<&str> = row.iter().map(|(_, _, c)| c.symbol()).collect();
        assert_eq!(
            symbols,
            [
                "\u{1b}]8;;https://h/a%20b\u{1b}\\w",
                "e",
                "b",
                " ",
                "界",
                "x\u{1b}]8;;\u{1b}\\"
            ]
        );
        let bad = [LinkSpan {
            url: "https://h/\u{1b}".into(),
            ..spans[0].clone()
        }];
        assert!(cells(&buf, &bad).is_empty());
    }
}
