//! The command line around the console: completions, the man page, the config's check and
//! schema, the key table, and the one-shot `status`, `wait` and `audit` for scripts and chat.
//! One file per subcommand; none of them changes anything in AWS (their backends are wrapped
//! read-only), and none opens the screen.

pub mod audit;
pub mod completions;
pub mod config_check;
pub mod config_schema;
pub mod duration;
pub mod keys;
pub mod man;
pub mod output;
pub mod status;
pub mod status_view;
pub mod verdict;
pub mod wait;
pub mod wait_judge;
pub mod wait_verdict;

use crate::model::ApiError;
use clap::{Args, Subcommand, ValueEnum};
use clap_complete::ArgValueCandidates;
use std::path::PathBuf;

/// What each subcommand does, with its flags. No subcommand runs the console.
#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Print the completion script of a shell; context names complete from the config.
    ///
    /// The script calls deckwatch back for every completion, so completions follow the config
    /// and the installed version. bash: `source <(deckwatch completions bash)` in ~/.bashrc;
    /// zsh: `source <(deckwatch completions zsh)` in ~/.zshrc; fish: `deckwatch completions
    /// fish | source` in ~/.config/fish/config.fish.
    Completions {
        /// The shell.
        shell: Shell,
    },
    /// Print the man page (roff) to stdout: `deckwatch man | man -l -`.
    Man,
    /// Check the config file, or print its JSON Schema.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the key table in effect (the defaults with the config's [keys] over them) as the
    /// TOML [keys] accepts.
    Keys(KeysArgs),
    /// Print the services once and exit: counts, rollout, the canary's verdict with its rule,
    /// hook and countdown, the last outcome and firing alarms.
    Status(StatusArgs),
    /// Follow one service's rollout, a line per change, until it reaches a state.
    ///
    /// Exit status: 0 the state was reached, 1 the rollout failed or was rolled back (or, with
    /// --until pass, the verdict stayed FAIL), 2 a bad
    /// argument (flags, config, no such service), 3 the timeout passed, 4 credentials or AWS
    /// errors.
    Wait(WaitArgs),
    /// Print the local audit log readably: who did what, where, and how it ended.
    Audit(AuditArgs),
}

#[derive(Subcommand, Debug, Clone)]
pub enum ConfigCommand {
    /// Read the config file and its themes and print every error and warning with
    /// file:line:column. Exit status 1 when there is an error, 0 otherwise.
    Check {
        /// The config file (default: --config, DECKWATCH_CONFIG, then the XDG config dir's
        /// config.toml).
        file: Option<PathBuf>,
    },
    /// Print the JSON Schema of the config file, for editors to complete and check it.
    Schema,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

/// Where the config is, for the subcommands that read it.
#[derive(Args, Debug, Clone, Default)]
pub struct KeysArgs {
    /// The config file (default: DECKWATCH_CONFIG, then the XDG config dir's config.toml).
    #[arg(long, value_name = "FILE", env = "DECKWATCH_CONFIG")]
    pub config: Option<PathBuf>,
}

/// Which account and region to read: the console's own flags.
#[derive(Args, Debug, Clone, Default)]
pub struct TargetArgs {
    /// Read the embedded demo fleet: no AWS account or network needed.
    #[arg(long)]
    pub demo: bool,
    /// AWS profile (default: AWS_PROFILE, then the context's profile).
    #[arg(long)]
    pub profile: Option<String>,
    /// AWS region (default: AWS_REGION, then the context's or profile's region).
    #[arg(long)]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint, e.g. a local emulator.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// A cluster to read; repeat for more. Default: the context's, else all in the region.
    #[arg(long = "cluster", value_name = "NAME")]
    pub clusters: Vec<String>,
    /// The config file (default: DECKWATCH_CONFIG, then the XDG config dir's config.toml).
    #[arg(long, value_name = "FILE", env = "DECKWATCH_CONFIG")]
    pub config: Option<PathBuf>,
    /// A context from the config file.
    #[arg(long, value_name = "NAME", add = ArgValueCandidates::new(completions::contexts))]
    pub context: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct StatusArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Only this service: NAME, or CLUSTER/NAME when several clusters have one of that name.
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
    /// JSON instead of aligned text (the shape is versioned: "version": 1).
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct WaitArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// The service: NAME, or CLUSTER/NAME when several clusters have one of that name.
    pub service: String,
    /// What to wait for.
    #[arg(long, value_enum, default_value_t = Until::Stable)]
    pub until: Until,
    /// Give up after this long (s, m, h or d: 90s, 15m, 1h30m); exit status 3.
    #[arg(long, default_value = "15m", value_parser = duration::parse)]
    pub timeout: std::time::Duration,
}

/// The state `wait` waits for.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// The rollout completed and the service is steady: one deployment, every desired task
    /// running (a native deployment: SUCCESSFUL, its revision running the desired count).
    Stable,
    /// A native deployment waits at a lifecycle hook (the PAUSE gate before production
    /// traffic), or got past it.
    Hook,
    /// The rollout finished: the rolling deployment COMPLETED (old tasks may still drain), or
    /// the native deployment SUCCESSFUL.
    Done,
    /// The canary's verdict: PASS held as long as an armed policy would wait
    /// (`[analysis] pass_minutes`); FAIL in `fails_to_abort` reads in a row exits 1.
    Pass,
}

#[derive(Args, Debug, Clone)]
pub struct AuditArgs {
    /// Only the records of this last while (s, m, h or d: 90m, 24h, 7d).
    #[arg(long, default_value = "24h", value_parser = duration::parse)]
    pub since: std::time::Duration,
    /// JSON instead of text (the shape is versioned: "version": 1).
    #[arg(long)]
    pub json: bool,
}

/// How a subcommand ended, when not well: the message for stderr and the exit status.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// A flag, the config or a name given does not fit: exit status 2.
    #[error("{0}")]
    BadArgument(String),
    /// What was checked or followed went wrong (config errors, a failed rollout): 1.
    #[error("{0}")]
    Failed(String),
    /// `wait`'s timeout passed: 3.
    #[error("{0}")]
    TimedOut(String),
    /// Credentials, permissions or AWS itself: 4.
    #[error("{0}")]
    Cloud(#[from] ApiError),
    /// The output could not be written: 1.
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

impl CommandError {
    /// The exit status a script reads.
    pub fn code(&self) -> u8 {
        match self {
            CommandError::BadArgument(_) => 2,
            CommandError::Failed(_) | CommandError::Output(_) => 1,
            CommandError::TimedOut(_) => 3,
            CommandError::Cloud(_) => 4,
        }
    }
}
