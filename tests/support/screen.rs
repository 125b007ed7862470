//! What a drawn frame shows, as text: a row, the whole screen, and the theme the screens are
//! drawn in. Shared by the snapshot and screen tests.

use deckwatch::theme::{Theme, Themes};
use ratatui::buffer::Buffer;

/// The dark theme, the default one.
pub fn dark() -> Theme {
    Themes::load(None).unwrap().get("dark").unwrap()
}

/// Row `y` of the frame, every cell's symbol.
pub fn row(buf: &Buffer, y: u16) -> String {
    (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()
}

/// The whole frame, a line per row.
pub fn screen(buf: &Buffer) -> String {
    (0..buf.area.height)
        .map(|y| row(buf, y))
        .collect::<Vec<_>>()
        .join("\n")
}
