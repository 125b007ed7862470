//! How the console ended, and the exit status a shell expects of it.

/// Why the loop ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// The user quit (`q`, `:q`, `Ctrl-C` as a key).
    Quit,
    /// A signal asked the console to end (SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, …: every
    /// one that ends a process and can be caught), by number.
    Signal(i32),
    /// The console could not go on: missing or expired credentials at the first check. The
    /// line says what to run; it is printed once the terminal is restored.
    CannotStart(String),
}

impl Exit {
    /// 0 for a quit, 128 + the signal's number as shells report a process a signal ended, 2 for
    /// a console that could not start (as for bad flags or config).
    pub fn code(&self) -> u8 {
        match self {
            Exit::Quit => 0,
            Exit::Signal(n) => u8::try_from(128 + n).unwrap_or(1),
            Exit::CannotStart(_) => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_exit_as_shells_expect() {
        assert_eq!(Exit::Signal(15).code(), 143);
        assert_eq!(Exit::Signal(1).code(), 129);
        assert_eq!(Exit::Signal(2).code(), 130);
        assert_eq!(Exit::Quit.code(), 0);
        assert_eq!(Exit::CannotStart("x".into()).code(), 2);
    }
}
