//! Mouse capture: on while the console runs (unless the config turns it off), and off again on
//! every way out: a normal quit, `Ctrl-C`, SIGTERM and SIGHUP (all return through the loop),
//! an error, and a panic. Left on, the shell the user returns to would receive mouse codes.

pub mod clipboard;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use std::io::stdout;
use std::sync::Once;

/// Mouse capture for as long as this lives.
pub struct MouseCapture {
    on: bool,
}

impl MouseCapture {
    /// Turns capture on when `on`. Call after the screen is set up (`ratatui::init`), so the
    /// panic hook set here turns capture off before ratatui's restores the screen.
    pub fn enable(on: bool) -> Self {
        if on {
            static HOOK: Once = Once::new();
            HOOK.call_once(|| {
                let previous = std::panic::take_hook();
                std::panic::set_hook(Box::new(move |info| {
                    disable();
                    previous(info);
                }));
            });
            if let Err(e) = crossterm::execute!(stdout(), EnableMouseCapture) {
                tracing::warn!(error = %e, "mouse capture could not be turned on");
            }
        }
        Self { on }
    }
}

fn disable() {
    let _ = crossterm::execute!(stdout(), DisableMouseCapture);
}

impl Drop for MouseCapture {
    fn drop(&mut self) {
        if self.on {
            disable();
        }
    }
}
