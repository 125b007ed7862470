//! Running the real binary's subcommands: a home of its own, no inherited environment, and a
//! guard against a hang (a bound, not a figure: nothing here asserts a time).

#![allow(dead_code)] // each test binary uses a part of the helpers

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a run may take before the test calls it hung.
pub const HANG: Duration = Duration::from_secs(120);

/// A home directory of the test's own, with the XDG directories under it.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp home"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Where the console reads its config by default.
    pub fn config_file(&self) -> PathBuf {
        self.path().join("config/deckwatch/config.toml")
    }

    /// Where the console writes its audit log.
    pub fn audit_file(&self) -> PathBuf {
        self.path().join("data/deckwatch/audit.jsonl")
    }

    /// Writes `name` under the home and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("make dirs");
        }
        std::fs::write(&p, text).expect("write file");
        p
    }

    /// The binary with this home and only `env` besides.
    pub fn command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_deckwatch"));
        c.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_STATE_HOME", self.path().join("state"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            c.env(k, v);
        }
        c
    }

    /// Runs to the end (killing it, and failing, if it hangs).
    pub fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Ran {
        let mut child = self.command(args, env).spawn().expect("run deckwatch");
        let start = Instant::now();
        while child.try_wait().expect("wait").is_none() {
            if start.elapsed() > HANG {
                let _ = child.kill();
                panic!("deckwatch {args:?} hung");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ran(child.wait_with_output().expect("output"))
    }
}

/// What a run printed and how it ended.
pub struct Ran(pub Output);

impl Ran {
    pub fn code(&self) -> Option<i32> {
        self.0.status.code()
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    /// Asserts the exit status, showing both outputs when it is not.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code(),
            Some(code),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
}

/// A run followed line by line while it goes (`wait`), so a test can change the world after
/// a line appears.
pub struct Following {
    child: Child,
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Following {
    pub fn start(mut c: Command) -> Self {
        let mut child = c.spawn().expect("run deckwatch");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line containing `text` and returns it.
    pub fn line_with(&mut self, text: &str) -> String {
        let deadline = Instant::now() + HANG;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    self.seen.push(l.clone());
                    if l.contains(text) {
                        return l;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    panic!("no line with {text:?}; lines so far: {:#?}", self.seen);
                }
            }
        }
    }

    /// Waits for the end; the exit status, every line printed, and stderr.
    pub fn finish(mut self) -> (Option<i32>, Vec<String>, String) {
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                break s;
            }
            if start.elapsed() > HANG {
                let _ = self.child.kill();
                panic!("deckwatch hung; lines: {:#?}", self.seen);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.seen.push(l);
        }
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut err);
        }
        (status.code(), std::mem::take(&mut self.seen), err)
    }
}

impl Drop for Following {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
