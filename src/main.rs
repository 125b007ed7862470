//! deckwatch: parse the command line, load config and themes, then run the console.

use clap::{CommandFactory, Parser};
use deckwatch::app::cli::{Cli, Setup, StartError};
use deckwatch::app::connector::{AwsContexts, ConfiguredContexts, Connector, DemoContexts};
use deckwatch::app::exit::Exit;
use deckwatch::app::{self, Runtime};
use deckwatch::budget::Budget;
use deckwatch::ci::pending::{self, PendingCi};
use deckwatch::ci::{Ci, ReadOnlyCi, github};
use deckwatch::cloud::aws::AwsOptions;
use deckwatch::demo::ci::SimCi;
use deckwatch::files::textfile::clip_middle;
use deckwatch::model::text::clean;
use deckwatch::workers::audit::Audit;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

/// The longest line said on stderr: a message that quotes what the user gave stays readable.
const LINE_MAX: usize = 400;

/// One line on stderr, cleaned of escapes and cut to a readable length, and exit status 2.
fn fail(msg: impl std::fmt::Display) -> ExitCode {
    say(&msg.to_string());
    ExitCode::from(2)
}

fn say(msg: &str) {
    eprintln!("deckwatch: {}", clip_middle(&clean(msg), LINE_MAX));
}

fn main() -> ExitCode {
    deckwatch::timing::mark_start();
    // A shell asking for completions (the script of `deckwatch completions SHELL` calls back).
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(deckwatch::commands::completions::VAR)
        .complete();
    if let Err(e) = color_eyre::install() {
        return fail(e);
    }
    let mut cli = Cli::parse();
    if let Some(command) = cli.command.take() {
        return deckwatch::app::one_shot::run(&cli, command);
    }
    let mut setup = match Setup::from(cli) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    for w in &setup.warnings {
        say(&format!("warning: {w}"));
    }
    // The console draws escape codes: into a file or a pipe they are only noise.
    if !std::io::stdout().is_terminal() {
        return fail(StartError::NoTerminal);
    }
    let _log_guard = deckwatch::app::logfile::init();
    for w in &setup.warnings {
        tracing::warn!("config: {w}");
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    let rt = match backends(&mut setup, &runtime) {
        Ok(rt) => rt,
        Err(e) => return fail(e),
    };
    let (state, mouse) = (setup.state, setup.mouse);
    let result = runtime.block_on(console(state, mouse, rt));
    // A token command still running goes with everything it started; the tasks still waiting
    // on AWS are dropped, not awaited: the console has ended.
    github::token::kill_running();
    runtime.shutdown_background();
    match result {
        Ok(Exit::CannotStart(msg)) => fail(msg),
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => fail(format!("{e:#}")),
    }
}

/// The console on the terminal, until it ends; the terminal is restored however it ends.
async fn console(
    state: deckwatch::state::State,
    mouse: bool,
    rt: Runtime,
) -> color_eyre::Result<Exit> {
    // try_init also restores the terminal on a panic, before color-eyre's report.
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            let _ = ratatui::try_restore();
            return Err(StartError::Terminal(e.to_string()).into());
        }
    };
    let mouse = deckwatch::app::terminal::MouseCapture::enable(mouse);
    let r = app::run(&mut terminal, state, rt).await;
    drop(mouse);
    ratatui::restore();
    r
}

/// The backends the console runs on: the first context's fleet, GitHub (or the demo's), the
/// audit log, and the connector later switches use.
///
/// Every context's backend, the first one included, is built the same way, without a call: the
/// console opens at once and checks the credentials inside (`workers::connect`), so a hung
/// endpoint never leaves a blank terminal. Read-only is enforced in the backends themselves
/// (they refuse every mutation).
fn backends(setup: &mut Setup, runtime: &tokio::runtime::Runtime) -> Result<Runtime, StartError> {
    let budget = Arc::new(Budget::new(setup.budget.clone()));
    let contexts = setup.contexts.clone();
    let (connector, (ci, no_ci)): (Arc<dyn Connector>, _) = match &setup.aws {
        None => {
            let demo = DemoContexts::new(contexts);
            // The demo's builds deploy into the world the console starts in.
            let world = demo.world(&setup.state.ctx.target);
            let ci: Arc<dyn Ci> = Arc::new(SimCi::new(world));
            (Arc::new(demo), (ci, None))
        }
        Some(opts) => {
            let aws = aws_contexts(setup, opts.clone(), contexts, &budget);
            let ci = github_ci(setup.github.clone(), budget.clone());
            (Arc::new(aws), (ci, Some(pending::READING.to_string())))
        }
    };
    let fleet = runtime
        .block_on(connector.connect(&setup.state.ctx.target))
        .map_err(StartError::Backend)?;
    setup.state.builds.unavailable = no_ci;
    let read_only = setup.state.ctx.read_only;
    let ci: Arc<dyn Ci> = if read_only {
        Arc::new(ReadOnlyCi(ci))
    } else {
        ci
    };
    // A read-only console sends nothing to AWS that writes, the team's audit records included.
    let team_group = setup.audit_group.clone().filter(|_| !read_only);
    let audit = Arc::new(Audit::new(Audit::default_path()).with_remote_group(team_group));
    Ok(Runtime {
        themes: setup.themes.clone(),
        no_color: setup.no_color,
        fleet,
        ci,
        intervals: setup.intervals,
        audit,
        connector,
        budget,
        fleet_polling: setup.fleet_polling,
        webhook: setup.webhook.clone(),
        // The demo's connector knows no SSO context (`FleetSources` says so in the view).
        sso: setup.sso.take().filter(|_| setup.aws.is_some()),
    })
}

/// The AWS connector. The SSO session's listing asks the process's budget, and fills the
/// registry the connector builds its contexts from.
fn aws_contexts(
    setup: &mut Setup,
    startup_options: AwsOptions,
    contexts: ConfiguredContexts,
    budget: &Arc<Budget>,
) -> AwsContexts {
    if let Some(listing) = &mut setup.sso {
        listing.env.budget = budget.clone();
    }
    AwsContexts {
        contexts,
        startup_options,
        budget: budget.clone(),
        cost_explorer: setup.cost_explorer,
        sso: setup
            .sso
            .as_ref()
            .map(|l| l.registry.clone())
            .unwrap_or_default(),
        http_client: None,
    }
}

/// The GitHub client, with the token from GH_TOKEN, GITHUB_TOKEN or the token command, read
/// once the screen is open (`PendingCi`). Without one, a stand-in that says how to set it (and
/// why, for the builds pane): the rest of the console works as before. Neither the command nor
/// what it says on stderr is logged.
fn github_ci(cfg: deckwatch::config::GithubConfig, budget: Arc<Budget>) -> Arc<dyn Ci> {
    Arc::new(PendingCi::new(async move {
        let env = |k: &str| std::env::var(k).ok();
        let base = github::api_url(env("GITHUB_API_URL"), cfg.api_url.as_deref());
        let made = match github::token::resolve(env, cfg.token_command.as_deref()).await {
            Ok((token, from)) => {
                tracing::info!(api = %base, token_from = %from, "GitHub token found");
                github::GitHub::new(&base, token, budget).map_err(|e| e.to_string())
            }
            Err(why) => Err(why.to_string()),
        };
        match made {
            Ok(gh) => (Arc::new(gh) as Arc<dyn Ci>, None),
            Err(why) => {
                tracing::warn!(%why, "builds pane off");
                pending::unavailable(why)
            }
        }
    }))
}
