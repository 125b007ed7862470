//! Text wrapped under its own indent: a call or an outcome longer than the view goes on under
//! where it started, never under the job's number.

use ratatui::style::Style;
use ratatui::text::Line;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `prefix` then `text`, wrapped between words at `width` cells, each further row indented as
/// far as the prefix; a word longer than a row is broken between characters.
pub fn hanging(prefix: &str, text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    let indent = " ".repeat(prefix.width());
    let room = width.saturating_sub(indent.len()).max(1);
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    let mut used = 0;
    for word in text.split(' ') {
        let w = word.width();
        let gap = usize::from(used > 0);
        if used > 0 && used + gap + w > room {
            rows.push(std::mem::take(&mut row));
            used = 0;
        }
        if used > 0 {
            row.push(' ');
            used += 1;
        }
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw > room && used > 0 {
                rows.push(std::mem::take(&mut row));
                used = 0;
            }
            row.push(c);
            used += cw;
        }
    }
    rows.push(row);
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| {
            let lead = if i == 0 { prefix } else { indent.as_str() };
            Line::styled(format!("{lead}{r}"), style)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn rows_break_between_words_under_the_prefix_and_a_long_word_between_characters() {
        let l = hanging("  1. ", "ab cd efghijkl", 10, Style::new());
        assert_eq!(text(&l), vec!["  1. ab cd", "     efghi", "     jkl"]);
        assert_eq!(
            text(&hanging(" ", "short", 10, Style::new())),
            vec![" short"]
        );
        assert_eq!(text(&hanging(" ", "", 10, Style::new())), vec![" "]);
    }
}
