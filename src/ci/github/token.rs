//! The GitHub token: where it comes from, and a type that never prints it.
//!
//! A token command (`[github] token_command`, or `gh auth token`) runs once the screen is open
//! (see `ci::pending`), in a process group of its own, so that it and every process it started
//! are killed together when it takes too long and when the console ends. What it prints on
//! stderr may hold a secret ("token ghp_… expired") and its command line may hold one too:
//! neither is logged nor shown. Only one line of at most 1 KiB, with no control character, is
//! taken as a token.

use std::fmt;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;
use tokio::io::AsyncReadExt;

/// A token. `Debug` and `Display` show `***`, so it cannot reach a log line, the audit log or
/// the screen by accident; only the HTTP layer calls `expose`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub(super) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// What the builds pane says when there is no token.
pub const HOW_TO_SET: &str = "no GitHub token: set GH_TOKEN or GITHUB_TOKEN, set [github] \
     token_command in the config, or log in with `gh auth login` (deckwatch then runs `gh auth token`)";

/// How long a token command may take.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest token taken, in bytes.
pub const TOKEN_MAX: usize = 1024;

/// Where the token came from, as the log may say it: never the command itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    Env(&'static str),
    /// `[github] token_command`.
    Command,
    /// `gh auth token`, the default command.
    GhCli,
}

impl fmt::Display for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Env(var) => f.write_str(var),
            TokenSource::Command => f.write_str("token_command"),
            TokenSource::GhCli => f.write_str("gh auth token"),
        }
    }
}

/// Why there is no token. The command's own words (its stderr, its command line) are never
/// part of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("{HOW_TO_SET}")]
    NoSource,
    #[error("{0} could not be started ({1}); {HOW_TO_SET}")]
    Start(TokenSource, std::io::ErrorKind),
    #[error("{0} failed (exit {1}); {HOW_TO_SET}")]
    Failed(TokenSource, i32),
    #[error("{0} was ended by signal {1}; {HOW_TO_SET}")]
    Killed(TokenSource, i32),
    #[error("{0} timed out after {1} s; {HOW_TO_SET}")]
    TimedOut(TokenSource, u64),
    #[error("{0} printed no token; {HOW_TO_SET}")]
    Empty(TokenSource),
    #[error("{0} printed more than one line; it must print the token alone")]
    Lines(TokenSource),
    #[error("{0} printed more than {TOKEN_MAX} bytes, which is no token")]
    TooLong(TokenSource),
    #[error("{0} printed a control character or text that is not UTF-8, which is no token")]
    NotText(TokenSource),
}

/// The token, tried in this order: `GH_TOKEN`, `GITHUB_TOKEN`, then `command` (the config's
/// `[github] token_command`), which defaults to `gh auth token` when `gh` is on PATH.
pub async fn resolve(
    env: impl Fn(&str) -> Option<String>,
    command: Option<&str>,
) -> Result<(Secret, TokenSource), TokenError> {
    resolve_within(env, command, COMMAND_TIMEOUT).await
}

/// [`resolve`], the command given `limit` to answer.
pub async fn resolve_within(
    env: impl Fn(&str) -> Option<String>,
    command: Option<&str>,
    limit: Duration,
) -> Result<(Secret, TokenSource), TokenError> {
    for var in ["GH_TOKEN", "GITHUB_TOKEN"] {
        if let Some(t) = env(var)
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
        {
            return Ok((Secret(t), TokenSource::Env(var)));
        }
    }
    let (command, source) = match command {
        Some(c) => (c, TokenSource::Command),
        None if on_path("gh", env("PATH").as_deref()) => ("gh auth token", TokenSource::GhCli),
        None => return Err(TokenError::NoSource),
    };
    let token = run(command, source, limit).await?;
    Ok((token, source))
}

/// Runs `command` in a process group of its own and takes its one line of output.
async fn run(command: &str, source: TokenSource, limit: Duration) -> Result<Secret, TokenError> {
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| TokenError::Start(source, e.kind()))?;
    // Killed with everything it started when this goes: at the end, on a timeout, or when
    // the console ends while it runs.
    let _group = child.id().map(Group::new);
    let mut stdout = child
        .stdout
        .take()
        .ok_or(TokenError::Start(source, std::io::ErrorKind::BrokenPipe))?;
    let work = async {
        let mut out = Vec::new();
        // The token and a line end ("\r\n" at most); one byte more is too long, and nothing
        // past it is read.
        let read = (&mut stdout)
            .take(TOKEN_MAX as u64 + 3)
            .read_to_end(&mut out)
            .await;
        if read.is_err() || out.len() > TOKEN_MAX + 2 {
            return Err(TokenError::TooLong(source));
        }
        let status = child
            .wait()
            .await
            .map_err(|e| TokenError::Start(source, e.kind()))?;
        Ok((out, status))
    };
    let (out, status) = tokio::time::timeout(limit, work)
        .await
        .map_err(|_| TokenError::TimedOut(source, limit.as_secs()))??;
    if !status.success() {
        use std::os::unix::process::ExitStatusExt;
        return Err(match (status.code(), status.signal()) {
            (Some(code), _) => TokenError::Failed(source, code),
            (None, Some(sig)) => TokenError::Killed(source, sig),
            (None, None) => TokenError::Failed(source, -1),
        });
    }
    token_of(&out, source)
}

/// The one line a token command printed, as a token.
fn token_of(out: &[u8], source: TokenSource) -> Result<Secret, TokenError> {
    let text = std::str::from_utf8(out).map_err(|_| TokenError::NotText(source))?;
    let line = text.strip_suffix('\n').unwrap_or(text);
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.contains('\n') {
        return Err(TokenError::Lines(source));
    }
    let token = line.trim();
    if token.is_empty() {
        return Err(TokenError::Empty(source));
    }
    if token.len() > TOKEN_MAX {
        return Err(TokenError::TooLong(source));
    }
    if token.chars().any(char::is_control) {
        return Err(TokenError::NotText(source));
    }
    Ok(Secret(token.to_string()))
}

fn on_path(exe: &str, path: Option<&str>) -> bool {
    path.unwrap_or_default()
        .split(':')
        .filter(|d| !d.is_empty())
        .any(|d| std::path::Path::new(d).join(exe).is_file())
}

/// The process groups of token commands still running, for [`kill_running`].
static RUNNING: Mutex<Vec<i32>> = Mutex::new(Vec::new());

/// A token command's process group, killed whole when this is dropped.
struct Group(i32);

impl Group {
    fn new(pid: u32) -> Self {
        let id = pid as i32;
        RUNNING.lock().unwrap_or_else(|e| e.into_inner()).push(id);
        Group(id)
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        RUNNING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|g| *g != self.0);
        kill_group(self.0);
    }
}

fn kill_group(id: i32) {
    if id > 1 {
        // SAFETY: killpg only sends a signal; a group that is gone answers ESRCH.
        unsafe {
            libc::killpg(id, libc::SIGKILL);
        }
    }
}

/// Kills every token command still running, with what it started: the console is ending (a
/// quit, SIGTERM, SIGINT) and the task waiting for it may never run again.
pub fn kill_running() {
    let groups = std::mem::take(&mut *RUNNING.lock().unwrap_or_else(|e| e.into_inner()));
    groups.into_iter().for_each(kill_group);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_environment_comes_first_then_the_command() {
        let env = |k: &str| (k == "GITHUB_TOKEN").then(|| "ghp_two".to_string());
        let (t, from) = resolve(env, Some("echo ghp_cmd")).await.unwrap();
        assert_eq!(
            (t.expose(), from),
            ("ghp_two", TokenSource::Env("GITHUB_TOKEN"))
        );
        let (t, from) = resolve(|_| None, Some("echo ghp_cmd")).await.unwrap();
        assert_eq!((t.expose(), from), ("ghp_cmd", TokenSource::Command));
        let e = resolve(|_| None, Some("exit 1")).await.unwrap_err();
        assert!(
            e.to_string().starts_with("token_command failed (exit 1); "),
            "{e}"
        );
        assert!(e.to_string().contains("GH_TOKEN"), "{e}");
        let e = resolve(|_| None, None).await.unwrap_err();
        assert_eq!(e.to_string(), HOW_TO_SET);
        assert_eq!(format!("{t:?} {t}"), "Secret(***) ***");
    }

    async fn cmd(c: &str) -> Result<(Secret, TokenSource), TokenError> {
        resolve(|_| None, Some(c)).await
    }

    #[tokio::test]
    async fn only_one_short_line_of_text_is_a_token() {
        assert!(matches!(
            cmd("printf 'ghp_a\\nghp_b\\n'").await,
            Err(TokenError::Lines(_))
        ));
        assert!(matches!(cmd("echo").await, Err(TokenError::Empty(_))));
        assert!(matches!(
            cmd("printf 'ghp_\\033[2J'").await,
            Err(TokenError::NotText(_))
        ));
        // 50 MB is not read: the command is stopped after the first KiB.
        let big = cmd("head -c 50000000 /dev/zero | tr '\\0' a").await;
        assert!(matches!(big, Err(TokenError::TooLong(_))), "{big:?}");
        let (t, _) = cmd(&format!("printf '{}\\r\\n'", "a".repeat(TOKEN_MAX)))
            .await
            .unwrap();
        assert_eq!(t.expose().len(), TOKEN_MAX);
        assert!(matches!(
            cmd(&format!("echo {}", "a".repeat(TOKEN_MAX + 1))).await,
            Err(TokenError::TooLong(_))
        ));
    }

    #[tokio::test]
    async fn the_command_and_its_stderr_are_never_said() {
        let e = cmd("echo 'token ghp_leaked expired' >&2; echo ghp_half; exit 3")
            .await
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("token_command failed (exit 3)"), "{e}");
        assert!(!e.contains("ghp_"), "{e}");
        assert!(!e.contains("echo"), "{e}");
    }

    /// Gone, or a zombie nobody reaps yet: either way no longer running.
    fn gone(pid: i32) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat
                .rsplit(')')
                .next()
                .is_some_and(|r| r.trim_start().starts_with('Z')),
        }
    }

    #[tokio::test]
    async fn a_command_that_hangs_is_killed_with_what_it_started() {
        let dir = tempfile::tempdir().unwrap();
        let pids = dir.path().join("pids");
        let c = format!(
            "sleep 600 & echo $! > {0}; echo $$ >> {0}; wait",
            pids.display()
        );
        let e = resolve_within(|_| None, Some(&c), Duration::from_millis(500))
            .await
            .unwrap_err();
        assert_eq!(e, TokenError::TimedOut(TokenSource::Command, 0));
        assert!(
            e.to_string()
                .starts_with("token_command timed out after 0 s"),
            "{e}"
        );
        let pids: Vec<i32> = std::fs::read_to_string(&pids)
            .unwrap()
            .lines()
            .map(|l| l.trim().parse().unwrap())
            .collect();
        assert_eq!(pids.len(), 2, "the shell and its sleep");
        // The signal is delivered at once; this only waits for the kernel to finish the kill.
        for _ in 0..500 {
            if pids.iter().all(|p| gone(*p)) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        for p in pids {
            assert!(gone(p), "{p} still runs");
        }
    }
}
