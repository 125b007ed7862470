//! The command line, and what it and the config file decide together before the screen opens.

use crate::app::connector::{AwsContexts, ConfiguredContexts, Connector, DemoContexts};
use crate::cloud::Fleet;
use crate::cloud::aws::AwsOptions;
use crate::commands::{self, TargetArgs};
use crate::config::aws_names::{check_endpoint_url, check_region};
use crate::config::{self, Config, ConfigError, Context};
use crate::files::textfile::clip_middle;
use crate::model::ContextInfo;
use crate::model::text::clean;
use crate::state::{self, ContextChoice, ContextChoices, State, Target};
use crate::theme::{self, ThemeError, Themes};
use crate::timing::now_ms;
use crate::workers::poller::Intervals;
use clap::Parser;
use clap_complete::ArgValueCandidates;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// A terminal console for shipping to AWS ECS: services, tasks, images, alarms and logs.
#[derive(Parser, Debug)]
#[command(version, about)]
pub struct Cli {
    /// A one-shot command; without one, the console runs.
    #[command(subcommand)]
    pub command: Option<commands::Command>,
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
    #[arg(long, value_name = "NAME", add = ArgValueCandidates::new(commands::completions::contexts))]
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
    /// A region or endpoint URL that no call could use, from a flag or the environment.
    #[error("{flag}: {why}")]
    BadAws {
        flag: &'static str,
        why: crate::config::aws_names::AwsNameError,
    },
    /// The first context's backend could not be built (no region, a profile that does not
    /// exist); the message says why.
    #[error("{}", .0.message)]
    Backend(crate::model::ApiError),
    #[error(
        "stdout is not a terminal: deckwatch draws a full-screen console, so run it in a \
         terminal without redirecting its output"
    )]
    NoTerminal,
    #[error("cannot use the terminal: {0}")]
    Terminal(String),
}

/// Everything the console starts with.
pub struct Setup {
    pub state: State,
    pub themes: Themes,
    pub no_color: bool,
    pub intervals: Intervals,
    pub audit_group: Option<String>,
    /// Said once the console starts: a theme file that cannot be used but is not chosen, a
    /// `[keys]` entry not applied.
    pub warnings: Vec<String>,
    /// The API budget's rates from the config, over the defaults.
    pub budget: std::collections::HashMap<crate::model::Op, f64>,
    /// Where to connect; None runs the demo fleet.
    pub aws: Option<AwsOptions>,
    /// Mouse clicks and wheel (`mouse = false` leaves the mouse to the terminal).
    pub mouse: bool,
    /// The contexts the console can switch between, for building their backends.
    pub contexts: crate::app::connector::ConfiguredContexts,
    /// `[github]`: the API's address and the token command.
    pub github: config::GithubConfig,
    /// How the fleet's contexts off screen are read; None: they are not.
    pub fleet_polling: Option<crate::workers::fleet::FleetPolling>,
    /// `[cost] explorer`: read what Cost Explorer billed.
    pub cost_explorer: bool,
    /// `[notify] webhook`, when notifications are on.
    pub webhook: Option<crate::model::notify::WebhookUrl>,
    /// `[fleet] sso_session`'s listing, to run once the console is up.
    pub sso: Option<crate::app::sso_discovery::SsoDiscovery>,
}

impl Setup {
    /// Reads the config and themes and checks the flags against them; the error is one line.
    pub fn from(cli: Cli) -> Result<Self, StartError> {
        let (mut cfg, cfg_path) = load_config(&cli)?;
        // The fleet's contexts are contexts like the config's: `:ctx` and `--context` reach
        // them, and the connectors build them the same way.
        let mut sources = crate::app::fleet_sources::FleetSources::of(&cfg, cli.demo);
        cfg.contexts.extend(sources.extra.iter().cloned());
        let (themes, theme_name) = chosen_theme(&cli, &cfg)?;
        let ctx = match cli.context.clone().or(cfg.default_context.clone()) {
            Some(name) => Some(cfg.context(&name).cloned().ok_or_else(|| {
                let path = cfg_path.display().to_string();
                StartError::NoContext { name, path }
            })?),
            None => None,
        };
        cli.check_demo()?;
        let aws = (!cli.demo).then(|| cli.aws_options(&cfg, ctx.as_ref()));
        if let Some(opts) = &aws {
            check_aws(&cli, opts)?;
        }
        let (mut state, contexts) = startup(&cli, &cfg, ctx.as_ref(), &themes, theme_name);
        state.fleet = sources.view(&contexts.choices);
        if let Some(listing) = &mut sources.sso {
            listing.taken = contexts
                .choices
                .list
                .iter()
                .map(|c| c.name.clone())
                .collect();
        }
        let warnings = crate::app::cli::install_keys(&mut state, &cfg);
        let warnings = themes
            .warnings()
            .into_iter()
            .chain(warnings.iter().map(ToString::to_string))
            .collect();
        Ok(Self {
            state,
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            themes,
            intervals: Intervals::of(&cfg),
            audit_group: cfg.audit_log_group.clone(),
            budget: cfg.budget_rates(),
            aws,
            warnings,
            mouse: cfg.mouse.unwrap_or(true),
            contexts,
            github: cfg.github.clone(),
            fleet_polling: sources.polling,
            cost_explorer: cfg.cost.explorer,
            webhook: cfg.notify.webhook.clone().filter(|_| cfg.notify.enabled),
            sso: sources.sso,
        })
    }
}

/// The themes, and the one the flag or the config chooses, which must exist and be usable.
fn chosen_theme(cli: &Cli, cfg: &Config) -> Result<(Themes, String), StartError> {
    let themes = Themes::load(config::default_dir().map(|d| d.join("themes")).as_deref())?;
    let theme_name = cli
        .theme
        .clone()
        .or(cfg.theme.clone())
        .unwrap_or_else(|| theme::DEFAULT.into());
    if let Some(e) = themes.broken(&theme_name) {
        return Err(StartError::Theme(e.clone()));
    }
    if themes.get(&theme_name).is_none() {
        return Err(StartError::NoTheme {
            name: clip_middle(&clean(&theme_name), 40),
            known: themes.names().join(", "),
        });
    }
    Ok((themes, theme_name))
}

impl Intervals {
    /// The poll intervals `[poll]`, `[logs]` and `[events]` set.
    fn of(cfg: &Config) -> Self {
        Intervals {
            fast: Duration::from_secs(cfg.poll.fast_secs),
            normal: Duration::from_secs(cfg.poll.normal_secs),
            logs: Duration::from_secs(cfg.logs.poll_secs),
            live_tail: cfg.logs.live_tail,
            alarms: Duration::from_secs(cfg.poll.alarms_secs),
            reconcile: cfg.reconcile(),
        }
    }
}

/// The region and endpoint the AWS backend would use, checked before the screen opens: the
/// flags (or the context's values, checked with the config), else `AWS_REGION` and
/// `AWS_ENDPOINT_URL`.
fn check_aws(cli: &Cli, opts: &AwsOptions) -> Result<(), StartError> {
    let from_env = |var: &str| std::env::var(var).ok().filter(|v| !v.is_empty());
    let region = match (&cli.region, &opts.region) {
        (Some(r), _) => Some(("--region", r.clone())),
        (None, Some(_)) => None,
        (None, None) => from_env("AWS_REGION").map(|r| ("AWS_REGION", r)),
    };
    if let Some((flag, r)) = region {
        check_region(&r).map_err(|why| StartError::BadAws { flag, why })?;
    }
    let url = match (&cli.endpoint_url, &opts.endpoint_url) {
        (Some(u), _) => Some(("--endpoint-url", u.clone())),
        (None, Some(_)) => None,
        (None, None) => from_env("AWS_ENDPOINT_URL").map(|u| ("AWS_ENDPOINT_URL", u)),
    };
    if let Some((flag, u)) = url {
        check_endpoint_url(&u).map_err(|why| StartError::BadAws { flag, why })?;
    }
    Ok(())
}

fn load_config(cli: &Cli) -> Result<(Config, PathBuf), ConfigError> {
    let (path, required) = cli.config_file();
    Ok((Config::load(&path, required)?, path))
}

/// The state the console starts in, and what the connector knows of the contexts.
fn startup(
    cli: &Cli,
    cfg: &Config,
    ctx: Option<&Context>,
    themes: &Themes,
    theme: String,
) -> (State, ConfiguredContexts) {
    let region = cli.region.clone().or(ctx.and_then(|c| c.region.clone()));
    let info = startup_context(cli, ctx);
    let choices = choices(cfg, &info.name, region.clone(), cli);
    let contexts = ConfiguredContexts {
        startup: info.name.clone(),
        configured: cfg.resolved_contexts(),
        choices: choices.clone(),
    };
    let options = state::Options {
        theme,
        themes: themes.names(),
        log_lines: cfg.logs.max_lines,
        log_bytes: cfg.logs.max_bytes,
        context: info,
        region,
        accent: ctx
            .and_then(|c| c.accent.as_deref())
            .and_then(|a| a.parse().ok()),
        choices,
    };
    let mut state = State::new(options, now_ms());
    state.ctx.logs.osc52 = cfg.logs.osc52;
    state.iac.terraform_tags = cfg
        .iac
        .terraform_tags
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    state.github_deployments = cfg.github.deployments;
    state.analysis = cfg.analysis.analysis(&cfg.policies);
    state.links = cfg.ui.links.unwrap_or_else(terminal_links);
    state.notify.settings = cfg.notify.clone();
    state.os_user = std::env::var("USER")
        .ok()
        .map(|u| crate::model::text::clean(u.trim()))
        .filter(|u| !u.is_empty());
    state.exec = state::exec::ExecState::new(cfg.exec.clone(), cfg.forwards.clone());
    state.builds.mapping = build_mapping(cfg);
    (state, contexts)
}

/// Who the console starts as: the config knows which contexts are production; the backend
/// only fills in the rest. Without a context, the console's own is named after the demo or the
/// profile, so `:ctx` can come back to it.
fn startup_context(cli: &Cli, ctx: Option<&Context>) -> ContextInfo {
    ContextInfo {
        name: ctx.map_or_else(|| cli.default_context_name(), |c| c.name.clone()),
        prod: ctx.is_some_and(|c| c.prod),
        ..Default::default()
    }
}

/// The builds pane's services → workflows, from the config's `[[build]]`s.
fn build_mapping(cfg: &Config) -> Vec<(String, crate::model::BuildSource)> {
    cfg.builds
        .iter()
        .map(|b| {
            let source = crate::model::BuildSource {
                workflow: crate::model::Workflow {
                    repo: b.repo.trim().to_string(),
                    workflow: b.workflow.trim().to_string(),
                },
                git_ref: b.git_ref.clone().unwrap_or_else(|| "main".into()),
            };
            (b.service.trim().to_string(), source)
        })
        .collect()
}

/// The contexts `:ctx` offers: the config's, and the one the console starts in (in the region
/// it starts in), which may not be in the config; every one read-only with `--read-only` or
/// the config's top `read_only`.
fn choices(cfg: &Config, startup: &str, region: Option<String>, cli: &Cli) -> ContextChoices {
    let mut list: Vec<ContextChoice> = cfg
        .contexts
        .iter()
        .map(|c| ContextChoice {
            name: c.name.clone(),
            region: c.region.clone(),
            prod: c.prod,
            read_only: c.read_only,
            accent: c.accent.as_deref().and_then(|a| a.parse().ok()),
        })
        .collect();
    match list.iter_mut().find(|c| c.name == startup) {
        Some(c) => c.region = region,
        None => list.insert(
            0,
            ContextChoice {
                name: startup.to_string(),
                region,
                ..ContextChoice::default()
            },
        ),
    }
    ContextChoices {
        list,
        read_only_everywhere: cli.read_only || cfg.read_only,
    }
}

impl Cli {
    /// Without a context, the console's own is named after the demo or the profile.
    fn default_context_name(&self) -> String {
        if self.demo {
            "demo".to_string()
        } else {
            self.profile
                .clone()
                .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
                .unwrap_or_else(|| "default".into())
        }
    }

    /// Whether the console's own flags ask for the demo fleet.
    pub fn demo(&self) -> bool {
        self.demo
    }

    /// The clusters the console's own flags name.
    pub fn clusters(&self) -> &[String] {
        &self.clusters
    }

    /// The config file and whether it must exist (it was named).
    pub fn config_file(&self) -> (PathBuf, bool) {
        match &self.config {
            Some(p) => (p.clone(), true),
            None => (
                config::default_dir()
                    .unwrap_or_default()
                    .join("config.toml"),
                false,
            ),
        }
    }

    /// A subcommand's own flags over the console's (`deckwatch --context prod status` and
    /// `deckwatch status --context prod` mean the same).
    fn with_target(&self, t: &TargetArgs) -> Cli {
        Cli {
            command: None,
            demo: self.demo || t.demo,
            profile: t.profile.clone().or(self.profile.clone()),
            region: t.region.clone().or(self.region.clone()),
            endpoint_url: t.endpoint_url.clone().or(self.endpoint_url.clone()),
            clusters: if t.clusters.is_empty() {
                self.clusters.clone()
            } else {
                t.clusters.clone()
            },
            read_only: true,
            config: t.config.clone().or(self.config.clone()),
            context: t.context.clone().or(self.context.clone()),
            theme: None,
        }
    }

    /// The backend a one-shot command reads (`status`, `wait`), chosen as the console chooses
    /// its own, read-only whatever the config says, with the config it was chosen from.
    pub fn one_shot_backend(
        &self,
        t: &TargetArgs,
        runtime: &tokio::runtime::Runtime,
    ) -> Result<(Arc<dyn Fleet>, Config), StartError> {
        let cli = self.with_target(t);
        let (cfg, cfg_path) = load_config(&cli)?;
        let ctx = match cli.context.clone().or(cfg.default_context.clone()) {
            Some(name) => Some(cfg.context(&name).cloned().ok_or_else(|| {
                let path = cfg_path.display().to_string();
                StartError::NoContext { name, path }
            })?),
            None => None,
        };
        cli.check_demo()?;
        let name = ctx
            .as_ref()
            .map_or_else(|| cli.default_context_name(), |c| c.name.clone());
        let region = cli
            .region
            .clone()
            .or(ctx.as_ref().and_then(|c| c.region.clone()));
        let contexts = ConfiguredContexts {
            startup: name.clone(),
            configured: cfg.contexts.clone(),
            // A one-shot command changes nothing, in whichever context.
            choices: ContextChoices {
                list: Vec::new(),
                read_only_everywhere: true,
            },
        };
        let connector: Box<dyn Connector> = if cli.demo {
            Box::new(DemoContexts::new(contexts))
        } else {
            let opts = cli.aws_options(&cfg, ctx.as_ref());
            check_aws(&cli, &opts)?;
            let budget = Arc::new(crate::budget::Budget::new(cfg.budget_rates()));
            Box::new(AwsContexts {
                contexts,
                startup_options: opts,
                budget,
                // The one-shot commands never read Cost Explorer, nor list an SSO session.
                cost_explorer: false,
                sso: Default::default(),
                http_client: None,
            })
        };
        let target = Target {
            generation: 0,
            name,
            region,
        };
        let fleet = runtime
            .block_on(connector.connect(&target))
            .map_err(StartError::Backend)?;
        Ok((fleet, cfg))
    }

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
    fn aws_options(&self, cfg: &Config, ctx: Option<&Context>) -> AwsOptions {
        AwsOptions {
            events: cfg.events_of(ctx),
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

/// Puts the config's keys in effect: the key table with `[keys]` over the defaults, and the
/// first warning in the footer. Returns every warning, for the log.
pub fn install_keys(state: &mut State, config: &Config) -> Vec<crate::keys::Warning> {
    let (keys, warnings) = crate::keys::Keymap::with_overrides(&config.keys);
    state.keys = keys;
    if let Some(first) = warnings.first() {
        let more = match warnings.len() - 1 {
            0 => String::new(),
            n => format!(" (and {n} more in the log)"),
        };
        state.flash(format!("config: {first}{more}"));
    }
    warnings
}

/// Whether the terminal is one that draws OSC 8 links or ignores them: the Linux console and
/// a dumb terminal would print the sequence, so links default to off there.
fn terminal_links() -> bool {
    !matches!(std::env::var("TERM").as_deref(), Ok("linux" | "dumb"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::Command;

    fn target_of(args: &[&str]) -> (Cli, TargetArgs) {
        let mut cli = Cli::parse_from(args);
        let t = match cli.command.take() {
            Some(Command::Status(a)) => a.target,
            Some(Command::Wait(a)) => a.target,
            other => panic!("{other:?}"),
        };
        (cli, t)
    }

    #[test]
    fn one_shot_backends_refuse_every_mutation_whatever_the_config_says() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("c.toml");
        std::fs::write(&cfg, "read_only = false\n[[context]]\nname = \"live\"\n").unwrap();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let c = cfg.to_str().unwrap();
        for args in [
            vec!["deckwatch", "--demo", "status"],
            vec![
                "deckwatch",
                "wait",
                "web",
                "--demo",
                "--config",
                c,
                "--context",
                "live",
            ],
        ] {
            let (cli, t) = target_of(&args);
            let (fleet, _) = cli.one_shot_backend(&t, &runtime).unwrap();
            assert!(fleet.read_only(), "{args:?}");
        }
    }

    #[test]
    fn a_subcommand_s_flags_go_over_the_console_s() {
        let (cli, t) = target_of(&[
            "deckwatch",
            "--context",
            "a",
            "--region",
            "eu-west-1",
            "status",
            "--context",
            "b",
        ]);
        let merged = cli.with_target(&t);
        assert_eq!(merged.context.as_deref(), Some("b"));
        assert_eq!(merged.region.as_deref(), Some("eu-west-1"));
        assert!(merged.read_only);
    }
}
