//! deckwatch: parse the command line, load config and themes, then run the console.

mod cli;

use clap::Parser;
use cli::{Cli, Setup};
use deckwatch::app::{self, Runtime};
use deckwatch::ci::{Ci, NoCi, ReadOnlyCi, github, sim::SimCi};
use deckwatch::cloud::aws::{AwsFleet, AwsOptions, Overrides};
use deckwatch::cloud::{ErrorKind, Fleet, ReadOnly, sim::SimFleet};
use deckwatch::timing::now_ms;
use deckwatch::workers::audit::Audit;
use deckwatch::workers::budget::Budget;
use std::process::ExitCode;
use std::sync::Arc;

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("deckwatch: {msg}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    if let Err(e) = color_eyre::install() {
        return fail(e);
    }
    let setup = match Setup::from(Cli::parse()) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let _log_guard = cli::init_logging();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    let budget = Arc::new(Budget::new(setup.budget.clone()));
    let (fleet, (ci, no_ci)): (Arc<dyn Fleet>, _) = match &setup.aws {
        None => {
            let sim = Arc::new(SimFleet::new(now_ms()));
            (
                sim.clone(),
                (Arc::new(SimCi::new(sim)) as Arc<dyn Ci>, None),
            )
        }
        Some(opts) => match runtime.block_on(connect(opts.clone(), budget.clone())) {
            Ok(f) => (
                f,
                runtime.block_on(github_ci(&setup.github, budget.clone())),
            ),
            Err(e) => return fail(e),
        },
    };
    let mut setup = setup;
    setup.state.builds.unavailable = no_ci;
    let ci: Arc<dyn Ci> = if setup.read_only {
        Arc::new(ReadOnlyCi(ci))
    } else {
        ci
    };
    // Read-only is enforced at the lowest layer: the backend itself refuses every mutation.
    let fleet: Arc<dyn Fleet> = if setup.read_only {
        Arc::new(ReadOnly(fleet))
    } else {
        fleet
    };
    let audit = Arc::new(Audit::new(Audit::default_path()).with_remote_group(setup.audit_group));
    let rt = Runtime {
        themes: setup.themes,
        no_color: setup.no_color,
        fleet,
        ci,
        intervals: setup.intervals,
        audit,
    };
    let result = runtime.block_on(async {
        // ratatui::init restores the terminal on panic too, before color-eyre's report.
        let mut terminal = ratatui::init();
        let r = app::run(&mut terminal, setup.state, rt).await;
        ratatui::restore();
        r
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format!("{e:#}")),
    }
}

/// The GitHub client, with the token from GH_TOKEN, GITHUB_TOKEN or the token command. Without
/// one, a stand-in that says how to set it (and why, for the builds pane): the rest of the
/// console works as before.
async fn github_ci(
    cfg: &deckwatch::config::GithubConfig,
    budget: Arc<Budget>,
) -> (Arc<dyn Ci>, Option<String>) {
    let env = |k: &str| std::env::var(k).ok();
    let base = github::api_url(env("GITHUB_API_URL"), cfg.api_url.as_deref());
    let made = match github::token::resolve(env, cfg.token_command.as_deref()).await {
        Ok((token, from)) => {
            tracing::info!(api = %base, token_from = %from, "GitHub token found");
            github::GitHub::new(&base, token, budget).map_err(|e| e.to_string())
        }
        Err(why) => Err(why),
    };
    match made {
        Ok(gh) => (Arc::new(gh), None),
        Err(why) => {
            tracing::warn!(%why, "builds pane off");
            (Arc::new(NoCi { why: why.clone() }), Some(why))
        }
    }
}

/// Builds the AWS backend and checks the credentials once before the screen takes over, so a
/// missing or expired login is one clear line on stderr rather than a console of errors.
async fn connect(opts: AwsOptions, budget: Arc<Budget>) -> Result<Arc<dyn Fleet>, String> {
    let overrides = Overrides {
        budget,
        ..Overrides::default()
    };
    let fleet = AwsFleet::connect_with(opts, overrides)
        .await
        .map_err(|e| e.message)?;
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
