//! What a drawn frame shows, as text: a row, the whole screen, and the theme the screens are
//! drawn in. Shared by the snapshot and screen tests.

use deckwatch::state::{Msg, State, Viewport, update};
use deckwatch::theme::{Theme, Themes};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
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

/// The console drawn at `w`×`h` in the dark theme, the frame's layout handed back as the loop
/// does; the terminal and its text.
pub fn render_at(s: &mut State, w: u16, h: u16) -> (Terminal<TestBackend>, String) {
    let _ = update(s, Msg::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut vp = Viewport::default();
    t.draw(|f| vp = deckwatch::ui::draw(f, s, &dark())).unwrap();
    let _ = update(s, Msg::Layout(vp));
    let text = screen(t.backend().buffer());
    (t, text)
}
