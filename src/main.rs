//! deckwatch: parse the command line, load config and themes, then run the console.

use clap::Parser;
use deckwatch::cloud::aws::{AwsFleet, AwsOptions};
use deckwatch::cloud::{ErrorKind, Fleet, ReadOnly, sim::SimFleet};
use deckwatch::config::{self, Config};
use deckwatch::model::ContextInfo;
use deckwatch::state::{self, State};
use deckwatch::theme::{self, Themes};
use deckwatch::workers::audit::Audit;
use deckwatch::workers::poller::{Intervals, now_ms};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// A terminal console for shipping to AWS ECS: services, tasks, images, alarms and logs.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
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

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("deckwatch: {msg}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    if let Err(e) = color_eyre::install() {
        return fail(e);
    }
    let cli = Cli::parse();
    let config_dir = config::default_dir();
    let (cfg, cfg_path) = match &cli.config {
        Some(p) => (Config::load(p, true), p.clone()),
        None => {
            let p = config_dir.clone().unwrap_or_default().join("config.toml");
            (Config::load(&p, false), p)
        }
    };
    let cfg = match cfg {
        Ok(c) => c,
        Err(e) => return fail(format!("config error: {e}")),
    };
    let themes = match Themes::load(config_dir.as_ref().map(|d| d.join("themes")).as_deref()) {
        Ok(t) => t,
        Err(e) => return fail(format!("theme error: {e}")),
    };
    let theme_name = cli
        .theme
        .clone()
        .or(cfg.theme.clone())
        .unwrap_or_else(|| theme::DEFAULT.into());
    if themes.get(&theme_name).is_none() {
        return fail(format!(
            "theme error: no theme named {theme_name:?} (known: {})",
            themes.names().join(", ")
        ));
    }
    let ctx_name = cli.context.clone().or(cfg.default_context.clone());
    let ctx = match &ctx_name {
        Some(n) => match cfg.context(n) {
            Some(c) => Some(c.clone()),
            None => {
                return fail(format!(
                    "config error: no context named {n:?} in {}",
                    cfg_path.display()
                ));
            }
        },
        None => None,
    };
    if cli.demo
        && (cli.profile.is_some()
            || cli.region.is_some()
            || cli.endpoint_url.is_some()
            || !cli.clusters.is_empty())
    {
        return fail(
            "--profile, --region, --endpoint-url and --cluster choose an AWS account; they cannot be \
             combined with --demo, which runs the embedded demo fleet",
        );
    }
    let _log_guard = init_logging();
    let read_only = cli.read_only || cfg.read_only || ctx.as_ref().is_some_and(|c| c.read_only);
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    // The config knows which contexts are production; the backend only fills in the rest.
    let default_name = if cli.demo { "demo" } else { "" };
    let context = ContextInfo {
        name: ctx.as_ref().map_or(default_name.into(), |c| c.name.clone()),
        prod: ctx.as_ref().is_some_and(|c| c.prod),
        ..Default::default()
    };
    let accent = ctx
        .as_ref()
        .and_then(|c| c.accent.as_deref())
        .and_then(|a| a.parse().ok());
    let state = State::new(
        state::Options {
            read_only,
            theme: theme_name,
            themes: themes.names(),
            log_lines: cfg.logs.max_lines,
            log_bytes: cfg.logs.max_bytes,
            context,
            accent,
        },
        now_ms(),
    );
    let iv = Intervals {
        fast: Duration::from_secs(cfg.poll.fast_secs),
        normal: Duration::from_secs(cfg.poll.normal_secs),
        logs: Duration::from_secs(1),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    let fleet: Arc<dyn Fleet> = if cli.demo {
        Arc::new(SimFleet::new(now_ms()))
    } else {
        let opts = AwsOptions {
            profile: cli
                .profile
                .clone()
                .or(ctx.as_ref().and_then(|c| c.profile.clone())),
            region: cli
                .region
                .clone()
                .or(ctx.as_ref().and_then(|c| c.region.clone())),
            endpoint_url: cli
                .endpoint_url
                .clone()
                .or(ctx.as_ref().and_then(|c| c.endpoint_url.clone())),
            clusters: if cli.clusters.is_empty() {
                ctx.as_ref().map(|c| c.clusters.clone()).unwrap_or_default()
            } else {
                cli.clusters.clone()
            },
            ..AwsOptions::default()
        };
        match runtime.block_on(connect(opts)) {
            Ok(f) => f,
            Err(e) => return fail(e),
        }
    };
    // Read-only is enforced at the lowest layer: the backend itself refuses every mutation.
    let fleet: Arc<dyn Fleet> = if read_only {
        Arc::new(ReadOnly(fleet))
    } else {
        fleet
    };
    let result = runtime.block_on(async {
        // ratatui::init restores the terminal on panic too, before color-eyre's report.
        let mut terminal = ratatui::init();
        let audit = Arc::new(
            Audit::new(Audit::default_path()).with_remote_group(cfg.audit_log_group.clone()),
        );
        let r = deckwatch::app::run(&mut terminal, state, themes, no_color, fleet, iv, audit).await;
        ratatui::restore();
        r
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format!("{e:#}")),
    }
}

/// Builds the AWS backend and checks the credentials once before the screen takes over, so a
/// missing or expired login is one clear line on stderr rather than a console of errors.
async fn connect(opts: AwsOptions) -> Result<Arc<dyn Fleet>, String> {
    let fleet = AwsFleet::connect(opts).await.map_err(|e| e.message)?;
    match fleet.context().await {
        Err(e) if e.kind == ErrorKind::Credentials => Err(e.message),
        Err(e) => {
            // Anything else (an unreachable endpoint, a denied STS call) is shown in the console,
            // which keeps retrying.
            tracing::warn!(error = %e, "context lookup failed; starting anyway");
            Ok(Arc::new(fleet))
        }
        Ok(_) => Ok(Arc::new(fleet)),
    }
}

/// Logs go to a file in the XDG state dir, never to the terminal the console draws on.
fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
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
