//! deckwatch: parse the command line, load config and themes, then run the console.

mod cli;

use clap::Parser;
use cli::{Cli, Setup, StartError};
use deckwatch::app::{self, Runtime};
use deckwatch::cloud::aws::{AwsFleet, AwsOptions, Overrides};
use deckwatch::cloud::{Fleet, ReadOnly, sim::SimFleet};
use deckwatch::exit::Exit;
use deckwatch::model::text::clean;
use deckwatch::textfile::clip_middle;
use deckwatch::timing::now_ms;
use deckwatch::workers::audit::Audit;
use deckwatch::workers::budget::Budget;
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
    if let Err(e) = color_eyre::install() {
        return fail(e);
    }
    let setup = match Setup::from(Cli::parse()) {
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
    let _log_guard = deckwatch::logfile::init();
    for w in &setup.warnings {
        tracing::warn!("{w}");
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    let fleet = match fleet(&setup, &runtime) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    // A read-only console sends nothing to AWS that writes, the team's audit records included.
    let team_group = setup.audit_group.clone().filter(|_| !setup.read_only);
    let audit = Arc::new(Audit::new(Audit::default_path()).with_remote_group(team_group));
    let rt = Runtime {
        themes: setup.themes,
        no_color: setup.no_color,
        fleet,
        intervals: setup.intervals,
        audit,
    };
    let state = setup.state;
    let result = runtime.block_on(async {
        // try_init also restores the terminal on a panic, before color-eyre's report.
        let mut terminal = match ratatui::try_init() {
            Ok(t) => t,
            Err(e) => {
                let _ = ratatui::try_restore();
                return Err(StartError::Terminal(e.to_string()).into());
            }
        };
        let r = app::run(&mut terminal, state, rt).await;
        ratatui::restore();
        r
    });
    // The tasks still waiting on AWS are dropped, not awaited: the console has ended.
    runtime.shutdown_background();
    match result {
        Ok(Exit::CannotStart(msg)) => fail(msg),
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => fail(format!("{e:#}")),
    }
}

/// The demo fleet, or the AWS backend; wrapped read-only when asked, at the lowest layer, so
/// the backend itself refuses every mutation.
fn fleet(setup: &Setup, runtime: &tokio::runtime::Runtime) -> Result<Arc<dyn Fleet>, String> {
    let budget = Arc::new(Budget::new(setup.budget.clone()));
    let fleet: Arc<dyn Fleet> = match &setup.aws {
        None => Arc::new(SimFleet::new(now_ms())),
        Some(opts) => runtime.block_on(connect(opts.clone(), budget))?,
    };
    Ok(if setup.read_only {
        Arc::new(ReadOnly(fleet))
    } else {
        fleet
    })
}

/// Builds the AWS backend. No call is made yet: the console opens at once and checks the
/// credentials inside (`workers::connect`), so a hung endpoint never leaves a blank terminal.
async fn connect(opts: AwsOptions, budget: Arc<Budget>) -> Result<Arc<dyn Fleet>, String> {
    let overrides = Overrides {
        budget,
        ..Overrides::default()
    };
    let fleet = AwsFleet::connect_with(opts, overrides)
        .await
        .map_err(|e| e.message)?;
    Ok(Arc::new(fleet))
}
