//! Mouse capture: on while the console runs (unless the config turns it off), and off again on
//! every way out: a normal quit, `Ctrl-C`, every signal that ends a process and can be caught
//! (SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, …: all return through the loop),
//! an error, and a panic. Left on, the shell the user returns to would receive mouse codes.

pub mod clipboard;
pub mod links;
pub mod notify;
pub mod opener;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use std::io::{Write, stdout};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the console turned mouse capture on, so a hand-over can turn it back on after.
static CAPTURING: AtomicBool = AtomicBool::new(false);

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
            CAPTURING.store(true, Ordering::SeqCst);
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
            CAPTURING.store(false, Ordering::SeqCst);
        }
    }
}

/// An exec session takes the whole terminal: the console leaves the alternate screen (raw
/// mode stays: the remote's terminal does the line editing), stops the mouse, and writes
/// `first` (the session's screen so far).
pub fn hand_over(first: &[u8]) -> std::io::Result<()> {
    let mut out = stdout();
    if CAPTURING.load(Ordering::SeqCst) {
        crossterm::execute!(out, DisableMouseCapture)?;
    }
    crossterm::execute!(out, LeaveAlternateScreen)?;
    out.write_all(first)?;
    out.flush()
}

/// Output of the session holding the terminal.
pub fn write_through(bytes: &[u8]) -> std::io::Result<()> {
    let mut out = stdout();
    out.write_all(bytes)?;
    out.flush()
}

/// The console takes the terminal back: the alternate screen, the mouse as it was, and the
/// screen cleared and the cursor hidden for the next frame, which the caller draws whole.
pub fn take_back() -> std::io::Result<()> {
    let mut out = stdout();
    // Attributes the session left set would colour the console's frame.
    out.write_all(b"\x1b[0m")?;
    crossterm::execute!(
        out,
        EnterAlternateScreen,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
        crossterm::cursor::Hide
    )?;
    if CAPTURING.load(Ordering::SeqCst) {
        crossterm::execute!(out, EnableMouseCapture)?;
    }
    Ok(())
}
