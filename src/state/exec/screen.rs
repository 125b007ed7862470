//! The interactive session's screen: a vt100 parser of the remote's output, with scrollback.
//! The output arrives cleaned of invisible and bidi characters (the worker's edge); terminal
//! control sequences are the parser's to interpret, and only the cells it keeps are drawn, so
//! nothing the remote sends reaches the real terminal.

use tui_term::vt100;

pub struct Screen {
    parser: vt100::Parser,
    /// Rows scrolled back from the bottom.
    pub scrolled: usize,
    scrollback: usize,
}

impl std::fmt::Debug for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (rows, cols) = self.parser.screen().size();
        write!(f, "Screen({cols}x{rows}, {} back)", self.scrolled)
    }
}

impl Screen {
    pub fn new(cols: u16, rows: u16, scrollback: usize) -> Self {
        Self {
            parser: vt100::Parser::new(rows.max(1), cols.max(1), scrollback),
            scrolled: 0,
            scrollback,
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        self.parser.process(bytes);
        // New output shows the bottom, as a terminal does.
        self.scrolled = 0;
        self.parser.screen_mut().set_scrollback(0);
    }

    /// (cols, rows).
    pub fn size(&self) -> (u16, u16) {
        let (rows, cols) = self.parser.screen().size();
        (cols, rows)
    }

    /// True when the size changed.
    pub fn resize(&mut self, cols: u16, rows: u16) -> bool {
        let (cols, rows) = (cols.max(1), rows.max(1));
        if self.size() == (cols, rows) {
            return false;
        }
        self.parser.screen_mut().set_size(rows, cols);
        true
    }

    /// Scrolls back (positive) or forward through the kept lines.
    pub fn scroll(&mut self, rows: isize) {
        let wanted = (self.scrolled as isize + rows).clamp(0, self.scrollback as isize) as usize;
        self.parser.screen_mut().set_scrollback(wanted);
        // The parser stops at the lines it has.
        self.scrolled = self.parser.screen().scrollback();
    }

    pub fn screen(&self) -> &vt100::Screen {
        self.parser.screen()
    }

    /// The whole screen as text, for tests and the plain view.
    pub fn text(&self) -> String {
        self.parser.screen().contents()
    }

    /// Bytes that draw this screen on a real terminal: what full screen starts with.
    pub fn formatted(&self) -> Vec<u8> {
        self.parser.screen().contents_formatted()
    }

    pub fn application_cursor(&self) -> bool {
        self.parser.screen().application_cursor()
    }
}
