//! deckwatch: parse the command line, load config and themes, then run the console.

mod cli;

use clap::Parser;
use cli::{Cli, Setup};
use deckwatch::app::{self, Runtime};
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
    for w in &setup.warnings {
        tracing::warn!("config: {w}");
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    let budget = Arc::new(Budget::new(setup.budget.clone()));
    let fleet: Arc<dyn Fleet> = match &setup.aws {
        None => Arc::new(SimFleet::new(now_ms())),
        Some(opts) => match runtime.block_on(connect(opts.clone(), budget.clone())) {
            Ok(f) => f,
            Err(e) => return fail(e),
        },
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
        intervals: setup.intervals,
        audit,
    };
    let result = runtime.block_on(async {
        // ratatui::init restores the terminal on panic too, before color-eyre's report.
        let mut terminal = ratatui::init();
        let mouse = deckwatch::terminal::MouseCapture::enable(setup.mouse);
        let r = app::run(&mut terminal, setup.state, rt).await;
        drop(mouse);
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
