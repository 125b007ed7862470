//! The subcommands, run instead of the console: each answers once on stdout and exits with
//! the status its documentation gives (`crate::commands`). Errors are one line on stderr.

use crate::app::cli::Cli;
use crate::commands::{
    self, Command, CommandError, ConfigCommand, audit, completions, config_check, config_schema,
    keys, man, status, wait,
};
use crate::model::text::clean;
use crate::workers::audit::Audit;
use clap::CommandFactory;
use std::process::ExitCode;

/// The longest line said on stderr, as the console's own start-up errors.
const LINE_MAX: usize = 400;

/// Runs `command` with the console's flags `cli` around it.
pub fn run(cli: &Cli, command: Command) -> ExitCode {
    match dispatch(cli, command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let line = crate::files::textfile::clip_middle(&clean(&e.to_string()), LINE_MAX);
            eprintln!("deckwatch: {line}");
            ExitCode::from(e.code())
        }
    }
}

fn dispatch(cli: &Cli, command: Command) -> Result<(), CommandError> {
    match command {
        Command::Completions { shell } => {
            completions::run(shell, &completions::completer(std::env::args_os().next()))
        }
        Command::Man => man::run(Cli::command()),
        Command::Config(ConfigCommand::Schema) => config_schema::run(),
        Command::Config(ConfigCommand::Check { file }) => {
            let (path, required) = match file {
                Some(f) => (f, true),
                None => cli.config_file(),
            };
            let themes = crate::config::default_dir().map(|d| d.join("themes"));
            config_check::run(&path, required, themes.as_deref())
        }
        Command::Keys(args) => {
            let (path, required) = match args.config {
                Some(f) => (f, true),
                None => cli.config_file(),
            };
            keys::run(&path, required)
        }
        Command::Audit(args) => audit::run(Audit::default_path().as_deref(), args.since, args.json),
        Command::Status(args) => {
            let runtime = runtime()?;
            let (fleet, cfg) = backend(cli, &args.target, &runtime)?;
            let analysis = cfg.analysis.analysis(&cfg.policies);
            runtime.block_on(status::run(fleet.as_ref(), &args, &analysis))
        }
        Command::Wait(args) => {
            let runtime = runtime()?;
            let (fleet, cfg) = backend(cli, &narrowed(cli, &args), &runtime)?;
            let spec = wait::Spec {
                service: args.service.clone(),
                until: args.until,
                timeout: args.timeout,
                every: std::time::Duration::from_secs(cfg.poll.fast_secs),
                rule: *cfg
                    .analysis
                    .analysis(&cfg.policies)
                    .rule_for(wait_service_name(&args.service)),
                clock: commands::verdict::Clock::wall(),
            };
            let done = runtime.block_on(wait::run(fleet.as_ref(), &spec))?;
            commands::output::print(&format!("✓ {done}\n"))
        }
    }
}

/// The service's own name in `NAME` or `CLUSTER/NAME`: what `[analysis.service.NAME]` names.
fn wait_service_name(arg: &str) -> &str {
    arg.rsplit_once('/').map_or(arg, |(_, name)| name)
}

/// `wait CLUSTER/NAME` reads that cluster only, unless clusters were named: one cluster's
/// services every poll rather than the whole region's.
fn narrowed(cli: &Cli, args: &commands::WaitArgs) -> commands::TargetArgs {
    let mut t = args.target.clone();
    if let Some((cluster, _)) = args.service.split_once('/')
        && t.clusters.is_empty()
        && cli.clusters().is_empty()
        && !t.demo
        && !cli.demo()
        && !cluster.is_empty()
    {
        t.clusters = vec![cluster.to_string()];
    }
    t
}

fn runtime() -> Result<tokio::runtime::Runtime, CommandError> {
    tokio::runtime::Runtime::new()
        .map_err(|e| CommandError::Failed(format!("cannot start the async runtime: {e}")))
}

fn backend(
    cli: &Cli,
    target: &commands::TargetArgs,
    runtime: &tokio::runtime::Runtime,
) -> Result<
    (
        std::sync::Arc<dyn crate::cloud::Fleet>,
        crate::config::Config,
    ),
    CommandError,
> {
    cli.one_shot_backend(target, runtime)
        .map_err(|e| CommandError::BadArgument(e.to_string()))
}
