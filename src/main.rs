//! deckwatch: parse the command line, load config and themes, then run the console.

mod cli;

use clap::Parser;
use cli::{Cli, Setup};
use deckwatch::app::{self, Runtime};
use deckwatch::contexts::{AwsContexts, Connector, DemoContexts};
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
    let contexts = setup.contexts.clone();
    // Every context's backend, the first one included, is built the same way: with its
    // credentials checked before the screen takes over, and read-only enforced in the backend
    // itself (it refuses every mutation).
    let connector: Arc<dyn Connector> = match &setup.aws {
        None => Arc::new(DemoContexts::new(contexts)),
        Some(opts) => Arc::new(AwsContexts {
            contexts,
            startup_options: opts.clone(),
            budget: budget.clone(),
        }),
    };
    let fleet = match runtime.block_on(connector.connect(&setup.state.contexts.current)) {
        Ok(f) => f,
        Err(e) => return fail(e.message),
    };
    let audit = Arc::new(Audit::new(Audit::default_path()).with_remote_group(setup.audit_group));
    let rt = Runtime {
        themes: setup.themes,
        no_color: setup.no_color,
        fleet,
        intervals: setup.intervals,
        audit,
        connector,
        budget,
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
