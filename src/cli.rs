//! The command line, and what it and the config file decide together before the screen opens.

use clap::Parser;
use deckwatch::cloud::aws::AwsOptions;
use deckwatch::config::{self, Config, ConfigError, Context};
use deckwatch::model::ContextInfo;
use deckwatch::state::{self, State};
use deckwatch::theme::{self, ThemeError, Themes};
use deckwatch::timing::now_ms;
use deckwatch::workers::poller::Intervals;
use std::path::PathBuf;
use std::time::Duration;

/// A terminal console for shipping to AWS ECS: services, tasks, images, alarms and logs.
#[derive(Parser, Debug)]
#[command(version, about)]
pub struct Cli {
    /// Run on the embedded demo fleet: no AWS account or network needed.
    #[arg(long)]
    demo: bool,
    /// AWS profile (default: AWS_PROFILE, then the context's profile).
    #[arg(long)]
    profile: Option<String>,
    /// AWS region (default: AWS_REGION, then the context's or profile's region).
    #[arg(long)]
    region: Option<String>,
    /// Send every AWS call to this endpoint, e.g. a local emulator.
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
    /// A cluster to show; repeat for more. Default: the context's, else all in the region.
    #[arg(long = "cluster", value_name = "NAME")]
    clusters: Vec<String>,
    /// Refuse every mutating action.
    #[arg(long)]
    read_only: bool,
    /// The config file (default: DECKWATCH_CONFIG, then the XDG config dir's config.toml).
    #[arg(long, value_name = "FILE", env = "DECKWATCH_CONFIG")]
    config: Option<PathBuf>,
    /// A context from the config file.
    #[arg(long, value_name = "NAME")]
    context: Option<String>,
    /// Theme: dark, light, high-contrast, or a theme file's name in the config dir's themes/.
    #[arg(long, value_name = "NAME")]
    theme: Option<String>,
}

/// Why the console cannot start: one line on stderr, exit 2.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("config error: {0}")]
    Config(#[from] ConfigError),
    #[error("theme error: {0}")]
    Theme(#[from] ThemeError),
    #[error("theme error: no theme named {name:?} (known: {known})")]
    NoTheme { name: String, known: String },
    #[error("config error: no context named {name:?} in {path}")]
    NoContext { name: String, path: String },
    #[error(
        "--profile, --region, --endpoint-url and --cluster choose an AWS account; they cannot be \
         combined with --demo, which runs the embedded demo fleet"
    )]
    AwsFlagsWithDemo,
}

/// Everything the console starts with.
pub struct Setup {
    pub state: State,
    pub themes: Themes,
    pub no_color: bool,
    pub read_only: bool,
    pub intervals: Intervals,
    pub audit_group: Option<String>,
    /// The API budget's rates from the config, over the defaults.
    pub budget: std::collections::HashMap<String, f64>,
    /// Where to connect; None runs the demo fleet.
    pub aws: Option<AwsOptions>,
}

impl Setup {
    /// Reads the config and themes and checks the flags against them; the error is one line.
    pub fn from(cli: Cli) -> Result<Self, StartError> {
        let (cfg, cfg_path) = load_config(&cli)?;
        let themes = Themes::load(config::default_dir().map(|d| d.join("themes")).as_deref())?;
        let theme_name = cli
            .theme
            .clone()
            .or(cfg.theme.clone())
            .unwrap_or_else(|| theme::DEFAULT.into());
        if themes.get(&theme_name).is_none() {
            return Err(StartError::NoTheme {
                name: theme_name,
                known: themes.names().join(", "),
            });
        }
        let ctx = match cli.context.clone().or(cfg.default_context.clone()) {
            Some(name) => Some(cfg.context(&name).cloned().ok_or_else(|| {
                let path = cfg_path.display().to_string();
                StartError::NoContext { name, path }
            })?),
            None => None,
        };
        cli.check_demo()?;
        let read_only = cli.read_only || cfg.read_only || ctx.as_ref().is_some_and(|c| c.read_only);
        let state = initial_state(&cli, &cfg, ctx.as_ref(), &themes, theme_name, read_only);
        Ok(Self {
            state,
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            themes,
            read_only,
            intervals: Intervals {
                fast: Duration::from_secs(cfg.poll.fast_secs),
                normal: Duration::from_secs(cfg.poll.normal_secs),
                logs: Duration::from_secs(cfg.logs.poll_secs),
                live_tail: cfg.logs.live_tail,
            },
            audit_group: cfg.audit_log_group.clone(),
            budget: cfg.budget_rates(),
            aws: (!cli.demo).then(|| cli.aws_options(ctx.as_ref())),
        })
    }
}

fn load_config(cli: &Cli) -> Result<(Config, PathBuf), ConfigError> {
    let (cfg, path) = match &cli.config {
        Some(p) => (Config::load(p, true), p.clone()),
        None => {
            let p = config::default_dir()
                .unwrap_or_default()
                .join("config.toml");
            (Config::load(&p, false), p)
        }
    };
    Ok((cfg?, path))
}

fn initial_state(
    cli: &Cli,
    cfg: &Config,
    ctx: Option<&Context>,
    themes: &Themes,
    theme: String,
    read_only: bool,
) -> State {
    // The config knows which contexts are production; the backend only fills in the rest.
    let default_name = if cli.demo { "demo" } else { "" };
    let context = ContextInfo {
        name: ctx.map_or(default_name.into(), |c| c.name.clone()),
        prod: ctx.is_some_and(|c| c.prod),
        ..Default::default()
    };
    let accent = ctx
        .and_then(|c| c.accent.as_deref())
        .and_then(|a| a.parse().ok());
    let options = state::Options {
        read_only,
        theme,
        themes: themes.names(),
        log_lines: cfg.logs.max_lines,
        log_bytes: cfg.logs.max_bytes,
        context,
        accent,
    };
    let mut state = State::new(options, now_ms());
    state.logs.osc52 = cfg.logs.osc52;
    state
}

impl Cli {
    /// The AWS flags choose an account, which the demo does not have.
    fn check_demo(&self) -> Result<(), StartError> {
        let aws_flags = self.profile.is_some()
            || self.region.is_some()
            || self.endpoint_url.is_some()
            || !self.clusters.is_empty();
        if self.demo && aws_flags {
            return Err(StartError::AwsFlagsWithDemo);
        }
        Ok(())
    }

    /// The flags, else the context's settings.
    fn aws_options(&self, ctx: Option<&Context>) -> AwsOptions {
        AwsOptions {
            profile: self.profile.clone().or(ctx.and_then(|c| c.profile.clone())),
            region: self.region.clone().or(ctx.and_then(|c| c.region.clone())),
            endpoint_url: self
                .endpoint_url
                .clone()
                .or(ctx.and_then(|c| c.endpoint_url.clone())),
            clusters: if self.clusters.is_empty() {
                ctx.map(|c| c.clusters.clone()).unwrap_or_default()
            } else {
                self.clusters.clone()
            },
            ..AwsOptions::default()
        }
    }
}

/// Logs go to a file in the XDG state dir, never to the terminal the console draws on.
pub fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dirs = directories::ProjectDirs::from("", "", "deckwatch")?;
    let dir = dirs
        .state_dir()
        .unwrap_or(dirs.data_local_dir())
        .to_path_buf();
    std::fs::create_dir_all(&dir).ok()?;
    let file = tracing_appender::rolling::never(&dir, "deckwatch.log");
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = tracing_subscriber::EnvFilter::try_from_env("DECKWATCH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .init();
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "deckwatch started");
    Some(guard)
}
