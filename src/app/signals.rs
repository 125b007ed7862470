//! The signals that end the console: every one whose default action ends the process and that
//! can be caught. Each ends the loop instead, so the terminal is restored (raw mode off, the
//! alternate screen left, mouse reporting off) before the process exits with 128 + its number.
//!
//! Left out: the faults a thread raises on itself (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGSYS,
//! SIGTRAP, SIGABRT), which must not be answered later on the loop, and SIGKILL and SIGSTOP,
//! which cannot be caught. SIGPIPE is ignored by Rust's runtime: a terminal that went away
//! answers a write with an error, which ends the loop the same way.

use tokio::signal::unix::{SignalKind, signal};

fn ending_signals() -> Vec<i32> {
    #[allow(unused_mut)]
    let mut v = vec![
        libc::SIGHUP,
        libc::SIGINT,
        libc::SIGQUIT,
        libc::SIGTERM,
        libc::SIGUSR1,
        libc::SIGUSR2,
        libc::SIGALRM,
        libc::SIGVTALRM,
        libc::SIGPROF,
        libc::SIGXCPU,
        libc::SIGXFSZ,
        libc::SIGIO,
    ];
    #[cfg(target_os = "linux")]
    {
        v.extend([libc::SIGSTKFLT, libc::SIGPWR]);
        v.extend(libc::SIGRTMIN()..=libc::SIGRTMAX());
    }
    v
}

/// A listener for each of the signals that end the console.
pub(super) struct Signals(Vec<(i32, tokio::signal::unix::Signal)>);

impl Signals {
    /// Fails only when SIGTERM, SIGHUP or SIGINT cannot be listened for; another signal that
    /// cannot (a real-time one the platform reserves) is logged and left at its default.
    pub(super) fn new() -> std::io::Result<Self> {
        let mut listeners = Vec::new();
        for n in ending_signals() {
            match signal(SignalKind::from_raw(n)) {
                Ok(s) => listeners.push((n, s)),
                Err(e) if [libc::SIGTERM, libc::SIGHUP, libc::SIGINT].contains(&n) => {
                    return Err(e);
                }
                Err(e) => tracing::warn!(signal = n, error = %e, "signal not caught"),
            }
        }
        Ok(Self(listeners))
    }

    /// The number of the next signal.
    pub(super) async fn recv(&mut self) -> i32 {
        std::future::poll_fn(|cx| {
            for (n, s) in &mut self.0 {
                if s.poll_recv(cx).is_ready() {
                    return std::task::Poll::Ready(*n);
                }
            }
            std::task::Poll::Pending
        })
        .await
    }
}
