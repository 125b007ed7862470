#![allow(dead_code)]
//! The real binary in a pseudo-terminal, its screen read through a VT100 parser.

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a screen may take to show what a test waits for. A bound against hanging, not a
/// performance check: the slowest debug build on a loaded machine is far inside it.
const PATIENCE: Duration = Duration::from_secs(60);

/// The most raw output a console keeps for `raw_contains` (the newest bytes).
const RAW_KEPT: usize = 4 << 20;

type Watched = Arc<Mutex<Vec<(String, bool)>>>;

pub struct Console {
    parser: Arc<Mutex<vt100::Parser>>,
    /// The bytes the program wrote, before the parser read them (bounded by `RAW_KEPT`).
    raw: Arc<Mutex<Vec<u8>>>,
    /// Texts asked for with `watch`, and whether the screen has shown them since.
    watched: Watched,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    home: tempfile::TempDir,
}

impl Console {
    /// Starts deckwatch at 120×40 with a fresh home, so no user config or theme leaks in.
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Self {
        Self::spawn_sized(args, env, 120, 40)
    }

    /// Starts deckwatch on a `cols`×`rows` terminal.
    pub fn spawn_sized(args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Self {
        Self::spawn_command_sized(env!("CARGO_BIN_EXE_deckwatch"), args, env, cols, rows)
    }

    /// Starts `program` (deckwatch, or a wrapper that runs it) the same way.
    pub fn spawn_command(program: &str, args: &[&str], env: &[(&str, &str)]) -> Self {
        Self::spawn_command_sized(program, args, env, 120, 40)
    }

    fn spawn_command_sized(
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
        cols: u16,
        rows: u16,
    ) -> Self {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let home = tempfile::tempdir().expect("temp home");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env_clear();
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env("XDG_STATE_HOME", home.path().join("state"));
        cmd.env("XDG_DATA_HOME", home.path().join("data"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn deckwatch");
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(rows).unwrap(),
            NonZeroU16::new(cols).unwrap(),
            0,
        )));
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let sink = parser.clone();
        let raw = Arc::new(Mutex::new(Vec::new()));
        let raw_sink = raw.clone();
        let watched: Watched = Arc::default();
        let watch_sink = watched.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                {
                    let mut kept = raw_sink.lock().unwrap();
                    kept.extend_from_slice(&buf[..n]);
                    let over = kept.len().saturating_sub(RAW_KEPT);
                    kept.drain(..over);
                }
                let mut parser = sink.lock().unwrap();
                parser.process(&buf[..n]);
                // Each state the screen passes through is looked at here, so a message shown
                // for a few seconds is caught however late the test looks.
                let mut watched = watch_sink.lock().unwrap();
                if watched.iter().any(|(_, seen)| !seen) {
                    let screen = parser.screen().contents();
                    for (text, seen) in watched.iter_mut() {
                        *seen |= screen.contains(text.as_str());
                    }
                }
            }
        });
        let writer = pair.master.take_writer().expect("pty writer");
        Console {
            parser,
            raw,
            watched,
            writer,
            child,
            master: pair.master,
            home,
        }
    }

    /// Whether the program wrote `needle` (escape sequences included) among its last bytes.
    /// From now on, notes whether the screen shows `text` at any moment (a flash that goes
    /// after a few seconds); `wait_seen` waits for it.
    pub fn watch(&self, text: &str) {
        self.watched.lock().unwrap().push((text.to_string(), false));
    }

    /// Waits until the screen has shown `text` since `watch(text)`.
    pub fn wait_seen(&self, text: &str) {
        let seen = || {
            let watched = self.watched.lock().unwrap();
            watched.iter().any(|(t, seen)| t == text && *seen)
        };
        self.eventually(&format!("{text:?} on the screen"), seen);
    }

    pub fn raw_contains(&self, needle: &str) -> bool {
        let raw = self.raw.lock().unwrap();
        raw.windows(needle.len()).any(|w| w == needle.as_bytes())
    }

    /// Forgets the bytes written so far, so `raw_contains` sees only what comes after.
    pub fn clear_raw(&self) {
        self.raw.lock().unwrap().clear();
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// The console's home, with its XDG config, state and data dirs under it.
    pub fn home(&self) -> &std::path::Path {
        self.home.path()
    }

    /// The screen's cells, for colours: `cell(row, col)`.
    pub fn cell(&self, row: u16, col: u16) -> Option<vt100::Cell> {
        self.parser.lock().unwrap().screen().cell(row, col).cloned()
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("deckwatch has a pid")
    }

    /// The terminal's size changes (the console gets SIGWINCH), and so does the screen read.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.parser.lock().unwrap().set_size(
            NonZeroU16::new(rows).unwrap(),
            NonZeroU16::new(cols).unwrap(),
        );
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the pty");
    }

    /// Whether the console asked the terminal for mouse events.
    pub fn mouse_captured(&self) -> bool {
        self.parser.lock().unwrap().screen().mouse_protocol_mode() != vt100::MouseProtocolMode::None
    }

    /// A left click at column `x`, row `y` (from 0), as a terminal in SGR mouse mode sends it.
    pub fn click(&mut self, x: u16, y: u16) {
        self.send(&format!(
            "\x1b[<0;{};{}M\x1b[<0;{};{}m",
            x + 1,
            y + 1,
            x + 1,
            y + 1
        ));
    }

    /// Where `text` first shows on the screen: (column, row), from 0.
    pub fn find(&self, text: &str) -> Option<(u16, u16)> {
        let screen = self.screen();
        screen.lines().enumerate().find_map(|(y, line)| {
            let byte = line.find(text)?;
            Some((line[..byte].chars().count() as u16, y as u16))
        })
    }

    /// Whether the terminal is in raw mode (no line editing, no echo), as the console left it:
    /// the terminal settings are shared by both ends of the pseudo-terminal.
    pub fn raw_mode(&self) -> bool {
        let fd = self.master.as_raw_fd().expect("the pty's descriptor");
        // SAFETY: tcgetattr fills the zeroed struct given; the descriptor is the open master.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::tcgetattr(fd, &mut t) }, 0, "tcgetattr");
        t.c_lflag & (libc::ICANON | libc::ECHO) == 0
    }

    pub fn alternate_screen(&self) -> bool {
        self.parser.lock().unwrap().screen().alternate_screen()
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
        // Give the console a moment so a lone ESC is read as the Esc key, not a sequence start.
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Confirms the dialog on screen: `y`, or for a promote before its canary's soak is over
    /// the word it asks for (`early`) and Enter. Returns whether it was early.
    pub fn confirm(&mut self) -> bool {
        let early = self.screen().contains("· type early and Enter to confirm");
        if early {
            self.send("early");
            self.send("\r");
        } else {
            self.send("y");
        }
        early
    }

    /// Waits until the whole screen passes `ok`.
    pub fn wait_for_screen(&self, what: &str, ok: impl Fn(&str) -> bool) {
        self.wait_until(what, ok);
    }

    /// The console has not exited.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) {
        self.wait_within(PATIENCE, what, ok);
    }

    /// For what takes a while on the demo's clock (a build runs about 50 s): three minutes.
    pub fn wait_until_long(&self, what: &str, ok: impl Fn(&str) -> bool) {
        self.wait_within(PATIENCE * 3, what, ok);
    }

    fn wait_within(&self, patience: Duration, what: &str, ok: impl Fn(&str) -> bool) {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return;
            }
            assert!(
                start.elapsed() < patience,
                "gave up waiting for {what}; the screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until `ok` holds of something other than the screen (what a server received, a
    /// file), with the same patience as a screen.
    pub fn eventually(&self, what: &str, ok: impl Fn() -> bool) {
        let start = Instant::now();
        while !ok() {
            assert!(
                start.elapsed() < PATIENCE,
                "gave up waiting for {what}; the screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_for(&self, text: &str) {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text));
    }

    pub fn wait_gone(&self, text: &str) {
        self.wait_until(&format!("{text:?} to go"), |s| !s.contains(text));
    }

    pub fn wait_exit(&mut self) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for deckwatch") {
                // Let the reader drain the last bytes (the terminal restore).
                std::thread::sleep(Duration::from_millis(200));
                return status;
            }
            if start.elapsed() > PATIENCE {
                let _ = self.child.kill();
                panic!("deckwatch did not exit; the screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}
