//! Writing a subcommand's answer: whole lines to stdout, and columns aligned by the width the
//! terminal gives each character.

use super::CommandError;
use std::io::Write;
use unicode_width::UnicodeWidthStr;

/// Writes `text` to stdout. A reader that went away (`deckwatch status | head -1`) ends the
/// output quietly: there is nobody left to tell.
pub fn print(text: &str) -> Result<(), CommandError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(CommandError::from),
    }
}

/// Rows with their columns padded to the widest cell, two spaces apart; the last column is
/// not padded. Nothing is cut: a script or a chat message has the room.
pub fn align(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < row.len() {
                line.push_str(&" ".repeat(widths[c] - cell.width() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_by_display_width() {
        let rows = vec![
            vec!["NAME".to_string(), "STATE".into(), "X".into()],
            vec!["payments ⚠".to_string(), "ROLLED BACK".into(), "1".into()],
            vec!["日本".to_string(), "".into(), "2".into()],
        ];
        let text = align(&rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "NAME        STATE        X");
        assert_eq!(lines[1], "payments ⚠  ROLLED BACK  1");
        assert_eq!(lines[2], "日本                     2");
    }
}
