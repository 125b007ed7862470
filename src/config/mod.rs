//! The config file: where it lives, what it may say, and one clear error when it is wrong.

pub mod analysis;
pub mod aws_names;
pub mod fleet;

use crate::config::aws_names::{check_endpoint_url, check_region};
use crate::files::textfile::{self, TextFileError, clip_quoted};
use crate::files::toml_place::{Seg, line_col, locate};
pub use crate::model::notify::NotifyConfig;
use crate::model::{EventSource, Op};
use crate::toml_path;
use serde::Deserialize;
use std::path::{Path, PathBuf};

mod every_error;
pub use every_error::{Checked, parse_every_error};

#[derive(Debug, Clone, Deserialize, PartialEq, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "deckwatch config")]
pub struct Config {
    /// Theme name; `--theme` wins over it.
    pub theme: Option<String>,
    /// The context used when `--context` is not given.
    pub default_context: Option<String>,
    /// Refuse every mutating action, in every context.
    #[serde(default)]
    pub read_only: bool,
    /// A CloudWatch Logs group that also receives every audit record (AWS only), so the whole
    /// on-call team sees who promoted what.
    pub audit_log_group: Option<String>,
    /// The log pane's buffer and how logs are followed.
    #[serde(default)]
    pub logs: LogsConfig,
    /// How often the panes are polled.
    #[serde(default)]
    pub poll: PollConfig,
    /// `[[context]]`: named places to point the console at.
    #[serde(default, rename = "context")]
    pub contexts: Vec<Context>,
    /// Calls a second allowed per operation, over the defaults (half of each published rate),
    /// e.g. `"logs:FilterLogEvents" = 12.5` in a region whose limit is 25. Each name is checked
    /// to be an operation deckwatch calls (`model::Op`); `budget_rates` gives them typed.
    #[serde(default)]
    pub budget: std::collections::HashMap<String, f64>,
    /// `[keys.MODE]`: an action's keys, over the defaults (`deckwatch keys` prints them).
    #[serde(default)]
    pub keys: crate::keys::KeysConfig,
    /// Clicks and the wheel; false leaves the mouse to the terminal (its own selection).
    pub mouse: Option<bool>,
    /// `[ui]`: how the screen draws what it shows.
    #[serde(default)]
    pub ui: UiConfig,
    /// `[notify]`: the bell and desktop notifications (OSC 9 / OSC 777) when a job ends or a
    /// watched service's deployment fails.
    #[serde(default)]
    pub notify: NotifyConfig,
    /// `[github]`: where the GitHub API is and how to get a token.
    #[serde(default)]
    pub github: GithubConfig,
    /// Which workflow builds which service (`[[build]]`); a service without one may say it in
    /// its tags `deckwatch:repo`, `deckwatch:workflow` and `deckwatch:ref`.
    #[serde(default, rename = "build")]
    pub builds: Vec<BuildConfig>,
    /// `[iac]`: the tag conventions that say Terraform manages a service.
    #[serde(default)]
    pub iac: IacConfig,
    /// `[cost]`: the billed cost from Cost Explorer beside the estimate (off: $0.01 a call).
    #[serde(default)]
    pub cost: CostConfig,
    /// `[exec]`: ECS Exec sessions.
    #[serde(default)]
    pub exec: crate::exec::settings::ExecConfig,
    /// Named port forwards (`[[forward]]`), started with `:pf NAME`.
    #[serde(default, rename = "forward")]
    pub forwards: Vec<crate::exec::settings::ForwardConfig>,
    /// `[events]`: ECS's own events, from an SQS queue or a CloudWatch Logs group an
    /// EventBridge rule feeds; every context's unless it has `[context.events]` of its own.
    #[serde(default)]
    pub events: EventsConfig,
    /// `[analysis]`: the thresholds of the canary verdict, and `[analysis.service.NAME]`.
    #[serde(default)]
    pub analysis: analysis::AnalysisConfig,
    /// `[[policy]]`: what an armed policy may do for a service's rollout (`:arm`).
    #[serde(default, rename = "policy")]
    pub policies: Vec<analysis::PolicyConfig>,
    /// `[fleet]`: the contexts the fleet view watches beyond `[[context]]` (profiles of the AWS
    /// config by glob, in the regions named) and how often it reads those off screen. Without
    /// it, only the context on screen is read.
    pub fleet: Option<fleet::FleetConfig>,
}

/// `[iac]`: how the console recognises infrastructure as code that owns a service, beyond
/// what AWS says (CloudFormation stacks, CDK metadata, Copilot's tags).
#[derive(Debug, Clone, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct IacConfig {
    /// Tags (`key = value`) that mean Terraform manages the service; default
    /// `{ ManagedBy = "terraform" }`. The value is compared ignoring case.
    pub terraform_tags: std::collections::BTreeMap<String, String>,
}

impl Default for IacConfig {
    fn default() -> Self {
        Self {
            terraform_tags: [("ManagedBy".to_string(), "terraform".to_string())].into(),
        }
    }
}

/// `[cost]`: the COST column's estimate needs nothing; the billed cost does.
#[derive(Debug, Clone, Deserialize, PartialEq, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CostConfig {
    /// Read what Cost Explorer billed each service yesterday, once an hour, and show it beside
    /// the estimate. Each Cost Explorer request costs $0.01, and the figures exist only with
    /// split cost allocation data for ECS turned on and the tags `aws:ecs:clusterName` and
    /// `aws:ecs:serviceName` activated. Default false: no Cost Explorer call is made.
    pub explorer: bool,
}

/// `[ui]`: how the screen draws what it shows.
#[derive(Debug, Clone, Deserialize, PartialEq, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UiConfig {
    /// Names of services, tasks, alarms and runs become OSC 8 links to the AWS console or
    /// GitHub; false turns them off. Default: on, but for TERM=linux and TERM=dumb.
    pub links: Option<bool>,
}

/// `[events]`: where ECS's events come from, and how often the full refresh comes while they
/// do.
#[derive(Debug, Clone, Deserialize, PartialEq, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventsConfig {
    /// The SQS queue the rule feeds (one per console): `https://sqs.REGION.amazonaws.com/…`.
    pub queue_url: Option<String>,
    /// Or the CloudWatch Logs group the rule writes to (shared by many consoles).
    pub log_group: Option<String>,
    /// Seconds between the full refreshes while events arrive (default 300).
    pub reconcile_secs: Option<u64>,
}

/// The default of `[events] reconcile_secs`.
pub const RECONCILE_SECS: u64 = 300;

/// `[context.events]`: a context's own events source; with neither key, the context is
/// polled only.
#[derive(Debug, Clone, Deserialize, PartialEq, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContextEvents {
    /// The SQS queue an EventBridge rule feeds for this context.
    pub queue_url: Option<String>,
    /// Or the CloudWatch Logs group the rule writes to.
    pub log_group: Option<String>,
}

/// The events source of a queue URL or a log group, whichever is set.
fn source_of(queue_url: &Option<String>, log_group: &Option<String>) -> Option<EventSource> {
    match (queue_url, log_group) {
        (Some(q), _) => Some(EventSource::Queue(q.trim().to_string())),
        (None, Some(g)) => Some(EventSource::LogGroup(g.trim().to_string())),
        (None, None) => None,
    }
}

/// Why an `[events]` queue URL or log group cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum BadSource {
    #[error("set queue_url or log_group, not both")]
    Both,
    #[error(
        "queue_url = {0:?}: expected the queue's URL, e.g. \
         https://sqs.eu-west-1.amazonaws.com/123456789012/deckwatch-events"
    )]
    QueueUrl(String),
    #[error("log_group = {0:?}: expected a log group name")]
    LogGroup(String),
}

/// Why a queue URL or log group cannot be used, if it cannot.
fn check_source(queue_url: &Option<String>, log_group: &Option<String>) -> Result<(), BadSource> {
    if queue_url.is_some() && log_group.is_some() {
        return Err(BadSource::Both);
    }
    if let Some(q) = queue_url {
        let q = q.trim();
        let scheme = q.starts_with("https://") || q.starts_with("http://");
        if !scheme || q.len() < 12 || q.chars().any(char::is_whitespace) {
            return Err(BadSource::QueueUrl(q.to_string()));
        }
    }
    if let Some(g) = log_group
        && (g.trim().is_empty() || g.len() > 512)
    {
        return Err(BadSource::LogGroup(g.clone()));
    }
    Ok(())
}

/// `[github]`: where the GitHub API is and how to get a token.
#[derive(Debug, Clone, Deserialize, PartialEq, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GithubConfig {
    /// The API base, e.g. `https://github.example.com/api/v3` for GitHub Enterprise Server;
    /// `GITHUB_API_URL` wins over it. Default `https://api.github.com`.
    pub api_url: Option<String>,
    /// A command printing a token, run when GH_TOKEN and GITHUB_TOKEN are unset; default
    /// `gh auth token` when `gh` is on PATH.
    pub token_command: Option<String>,
    /// A deploy or promote of an image built by a known run also creates a GitHub Deployment
    /// (environment = the context's name) and its statuses. Default false.
    #[serde(default)]
    pub deployments: bool,
}

/// One `[[build]]` entry.
#[derive(Debug, Clone, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildConfig {
    /// A service name, or `cluster/service`.
    pub service: String,
    /// `owner/name`.
    pub repo: String,
    /// The workflow file name (`build.yml`) or its numeric id.
    pub workflow: String,
    /// The ref the build dialog starts with; default `main`.
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LogsConfig {
    /// Lines kept in the log buffer.
    #[schemars(range(min = 1, max = MAX_LOG_LINES))]
    pub max_lines: usize,
    /// Bytes kept in the log buffer.
    #[schemars(range(min = 65_536, max = MAX_LOG_BYTES))]
    pub max_bytes: usize,
    /// FilterLogEvents calls a second (the account's limit is shared and 5 to 25 by region):
    /// the API budget's rate for `logs:FilterLogEvents`.
    pub filter_tps: Option<f64>,
    /// Seconds between FilterLogEvents polls when Live Tail is not in use.
    #[schemars(range(min = 1))]
    pub poll_secs: u64,
    /// Follow with Live Tail (billed per session-minute) when the endpoint allows it.
    pub live_tail: bool,
    /// `y` copies a line through the terminal (OSC 52).
    pub osc52: bool,
}

impl Default for LogsConfig {
    fn default() -> Self {
        Self {
            max_lines: 200_000,
            max_bytes: 64 * 1024 * 1024,
            filter_tps: None,
            poll_secs: 2,
            live_tail: true,
            osc52: true,
        }
    }
}

/// The most lines and bytes the log buffer may be given.
pub const MAX_LOG_LINES: usize = 50_000_000;
pub const MAX_LOG_BYTES: usize = 16 << 30;

#[derive(Debug, Clone, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PollConfig {
    /// Seconds between polls while a visible service is rolling out.
    #[schemars(range(min = 1))]
    pub fast_secs: u64,
    /// Seconds between polls otherwise.
    #[schemars(range(min = 1))]
    pub normal_secs: u64,
    /// Seconds between alarm polls while neither the alarms pane nor a rollout is on screen.
    #[schemars(range(min = 1))]
    pub alarms_secs: u64,
}

impl Default for PollConfig {
    fn default() -> Self {
        Self {
            fast_secs: 2,
            normal_secs: 10,
            alarms_secs: 60,
        }
    }
}

/// A named place to point the console at.
#[derive(Debug, Clone, Deserialize, PartialEq, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// The name `--context` and `:ctx` use.
    pub name: String,
    /// The AWS profile.
    pub profile: Option<String>,
    /// The AWS region, e.g. `eu-west-1`.
    pub region: Option<String>,
    /// The clusters to show; empty: every cluster of the region.
    #[serde(default)]
    pub clusters: Vec<String>,
    /// Send every AWS call to this endpoint, e.g. a local emulator.
    pub endpoint_url: Option<String>,
    /// Production: the header takes the prod colour.
    #[serde(default)]
    pub prod: bool,
    /// Refuse every mutating action in this context.
    #[serde(default)]
    pub read_only: bool,
    /// A colour for this context's header, overriding the theme's prod colour.
    pub accent: Option<String>,
    /// This context's events source, over `[events]`; empty: polled only.
    pub events: Option<ContextEvents>,
}

/// What is wrong with a config (or theme) file, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `origin:line:column: message`, the way compilers report.
    #[error("{origin}:{line}:{column}: {message}")]
    At {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
    /// The file could not be read.
    #[error("{origin}: {cause}")]
    Read { origin: String, cause: String },
}

impl ConfigError {
    /// A TOML syntax or type error, placed in `text`. A value the message quotes is cut, so a
    /// 10 MB string is not echoed whole.
    pub fn from_toml(origin: &str, text: &str, e: &toml::de::Error) -> Self {
        let message = crate::model::text::clean(&clip_quoted(e.message().trim(), QUOTED_MAX));
        match e.span() {
            Some(span) => Self::at(origin, text, span.start, message),
            None => ConfigError::Invalid {
                origin: origin.into(),
                message,
            },
        }
    }

    /// An error at byte `offset` of `text`.
    pub fn at(origin: &str, text: &str, offset: usize, message: String) -> Self {
        let (line, column) = line_col(text, offset);
        ConfigError::At {
            origin: origin.into(),
            line,
            column,
            message,
        }
    }

    /// An error found after parsing, placed at the key `path` names when it is in `text`.
    pub fn at_key(origin: &str, text: &str, path: &[Seg], message: String) -> Self {
        match locate(text, path) {
            Some(offset) => Self::at(origin, text, offset, message),
            None => ConfigError::Invalid {
                origin: origin.into(),
                message,
            },
        }
    }

    /// The file could not be read as text.
    pub fn read(origin: &str, e: &TextFileError) -> Self {
        ConfigError::Read {
            origin: origin.into(),
            cause: e.to_string(),
        }
    }
}

/// Characters of a value an error message quotes, at most.
const QUOTED_MAX: usize = 60;

/// A value checked after parsing is wrong: where it is and why.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Wrong {
    path: Vec<Seg>,
    message: String,
}

fn wrong(path: Vec<Seg>, message: String) -> Wrong {
    Wrong {
        path,
        message: clip_quoted(&message, QUOTED_MAX),
    }
}

/// Why a `[budget]` name is not taken: the operation it differs from only in case, else the
/// operations of its API, or the APIs, to choose from.
fn unknown_op(name: &str) -> String {
    if let Some(op) = Op::near(name) {
        return format!(
            "[budget] {name:?} is not an operation deckwatch calls (did you mean \"{op}\"?)"
        );
    }
    let prefix = name.split_once(':').map_or(name, |(p, _)| p);
    let same_api: Vec<&str> = Op::ALL
        .iter()
        .filter(|op| op.api().prefix() == prefix)
        .map(|op| op.operation())
        .collect();
    let known = if same_api.is_empty() {
        let mut apis: Vec<&str> = Op::ALL.iter().map(|op| op.api().prefix()).collect();
        apis.dedup();
        format!(
            "operations are named API:Operation, for the APIs {}",
            apis.join(", ")
        )
    } else {
        format!("{prefix}'s are {}", same_api.join(", "))
    };
    format!("[budget] {name:?} is not an operation deckwatch calls ({known})")
}

/// The lowest rate a config may give an operation: one call every 100 s. Below it a poller
/// would wait for ever (`1e-300` is a positive number).
pub const MIN_RATE: f64 = 0.01;

/// Why `what = rate` is not a rate a poller can live with.
fn check_rate(what: &str, rate: f64) -> Option<String> {
    if !rate.is_finite() || rate <= 0.0 {
        return Some(format!(
            "{what} = {rate:?}: a rate must be a positive number of calls a second"
        ));
    }
    if rate < MIN_RATE {
        return Some(format!(
            "{what} = {rate:?}: at least {MIN_RATE} calls a second (one every 100 s), or the \
             poller that needs it waits for ever"
        ));
    }
    None
}

/// The config file's default place: `$XDG_CONFIG_HOME/deckwatch/config.toml` on Linux.
pub fn default_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "deckwatch").map(|d| d.config_dir().to_path_buf())
}

impl Context {
    /// Its own events source (`[context.events]`), after `resolved_contexts`.
    pub fn events_source(&self) -> Option<EventSource> {
        self.events
            .as_ref()
            .and_then(|e| source_of(&e.queue_url, &e.log_group))
    }
}

impl Config {
    pub fn parse(origin: &str, text: &str) -> Result<Self, ConfigError> {
        let mut cfg: Config =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(origin, text, &e))?;
        cfg.keys.locate(origin, text);
        match cfg.problems(origin, text).into_iter().next() {
            Some(w) => Err(ConfigError::at_key(origin, text, &w.path, w.message)),
            None => Ok(cfg),
        }
    }

    /// Every value that parses but cannot be used (`config check` lists them all; the
    /// console stops at the first). `origin` and `text` place a second thing's first place.
    fn problems(&self, origin: &str, text: &str) -> Vec<Wrong> {
        let mut out = self.check_contexts();
        if let Some(d) = &self.default_context
            && self.context(d).is_none()
        {
            out.push(wrong(
                toml_path!["default_context"],
                format!("default_context = {d:?}, but no [[context]] has that name"),
            ));
        }
        out.extend(self.budget_problems());
        out.extend(self.build_problems());
        out.extend(self.builds_given_twice(origin, text));
        out.extend(self.interval_and_buffer_problems());
        out
    }

    /// A poll interval of 0, a log buffer too small or too large.
    fn interval_and_buffer_problems(&self) -> Vec<Wrong> {
        let mut out = Vec::new();
        let intervals = [
            ("fast_secs", self.poll.fast_secs),
            ("normal_secs", self.poll.normal_secs),
            ("alarms_secs", self.poll.alarms_secs),
        ];
        for (key, _) in intervals.iter().filter(|(_, secs)| *secs == 0) {
            out.push(wrong(
                toml_path!["poll", *key],
                format!("poll.{key} = 0: poll intervals must be at least 1 second"),
            ));
        }
        if self.logs.max_lines == 0 || self.logs.max_bytes < 64 * 1024 {
            let key = if self.logs.max_lines == 0 {
                "max_lines"
            } else {
                "max_bytes"
            };
            out.push(wrong(
                toml_path!["logs", key],
                "logs.max_lines must be at least 1 and logs.max_bytes at least 65536".into(),
            ));
        }
        out.extend(self.check_logs().err());
        out.extend(self.check_exec().err());
        out.extend(self.check_events().err());
        out.extend(self.check_analysis());
        if let Some(f) = &self.fleet {
            let problems = f.problems();
            out.extend(
                problems
                    .into_iter()
                    .map(|(key, m)| wrong(toml_path!["fleet", key], m)),
            );
        }
        out
    }

    fn check_analysis(&self) -> Vec<Wrong> {
        let a = &self.analysis;
        let mut out: Vec<Wrong> = a
            .top()
            .problem()
            .map(|(key, m)| wrong(toml_path!["analysis", key], format!("[analysis] {m}")))
            .into_iter()
            .collect();
        for (i, p) in self.policies.iter().enumerate() {
            if p.service.trim().is_empty() || (p.on_pass.is_none() && p.on_fail.is_none()) {
                let message = format!(
                    "[[policy]] for {:?}: name the service and set on_pass = \"continue\", \
                     on_fail = \"abort\" or both",
                    p.service
                );
                out.push(wrong(toml_path!["policy", i, "service"], message));
            }
        }
        let mut names: Vec<&String> = a.service.keys().collect();
        names.sort();
        for name in names {
            if let Some((key, m)) = a.service[name].problem() {
                let message = format!("[analysis.service.{name}] {m}");
                out.push(wrong(
                    toml_path!["analysis", "service", name.as_str(), key],
                    message,
                ));
            }
        }
        out
    }

    fn check_events(&self) -> Result<(), Wrong> {
        let e = &self.events;
        check_source(&e.queue_url, &e.log_group)
            .map_err(|m| wrong(toml_path!["events"], format!("[events] {m}")))?;
        if e.reconcile_secs.is_some_and(|s| s < 10) {
            let message = "[events] reconcile_secs must be at least 10".to_string();
            return Err(wrong(toml_path!["events", "reconcile_secs"], message));
        }
        for (i, c) in self.contexts.iter().enumerate() {
            if let Some(ce) = &c.events {
                check_source(&ce.queue_url, &ce.log_group).map_err(|m| {
                    wrong(
                        toml_path!["context", i, "events"],
                        format!("context {:?}: [context.events] {m}", c.name),
                    )
                })?;
            }
        }
        Ok(())
    }

    fn check_exec(&self) -> Result<(), Wrong> {
        use crate::exec::settings::{MAX_SCROLLBACK, check};
        check(&self.forwards)
            .map_err(|(i, key, message)| wrong(toml_path!["forward", i, key], message))?;
        if self.exec.scrollback > MAX_SCROLLBACK {
            let message = format!("exec.scrollback may be at most {MAX_SCROLLBACK}");
            return Err(wrong(toml_path!["exec", "scrollback"], message));
        }
        Ok(())
    }

    /// `[budget]` names operations deckwatch calls, each at a rate it can live with: a rate
    /// near zero would starve the poller that needs it for good.
    fn budget_problems(&self) -> Vec<Wrong> {
        let mut names: Vec<&String> = self.budget.keys().collect();
        names.sort();
        let mut out = Vec::new();
        for name in names {
            let at = toml_path!["budget", name.as_str()];
            if Op::parse(name).is_none() {
                out.push(wrong(at, unknown_op(name)));
            } else if let Some(m) = check_rate(&format!("[budget] {name:?}"), self.budget[name]) {
                out.push(wrong(at, m));
            }
        }
        out
    }

    /// The `[logs]` limits and rate, reported at the `[logs]` table.
    fn check_logs(&self) -> Result<(), Wrong> {
        let l = &self.logs;
        let bad = |message: String| Err(wrong(toml_path!["logs"], message));
        if l.max_lines > MAX_LOG_LINES || l.max_bytes > MAX_LOG_BYTES {
            return bad(format!(
                "logs.max_lines may be at most {MAX_LOG_LINES} and logs.max_bytes at most \
                 {MAX_LOG_BYTES} (16 GiB)"
            ));
        }
        if let Some(tps) = l.filter_tps {
            if let Some(message) = check_rate("logs.filter_tps", tps) {
                return bad(message);
            }
            if self.budget.contains_key(Op::LogsFilterLogEvents.name()) {
                return bad(format!(
                    "logs.filter_tps and [budget] \"{}\" set the same rate: keep one",
                    Op::LogsFilterLogEvents
                ));
            }
        }
        if l.poll_secs == 0 {
            return bad("logs.poll_secs must be at least 1".into());
        }
        Ok(())
    }

    /// Each `[[build]]` names a service, a repository GitHub could have and a workflow file
    /// (or id): its values become a request's path.
    fn build_problems(&self) -> Vec<Wrong> {
        use crate::model::github_names::{check_workflow, split_repo};
        let mut out = Vec::new();
        for (i, b) in self.builds.iter().enumerate() {
            let at = |key: &str| toml_path!["build", i, key];
            if b.service.trim().is_empty() {
                out.push(wrong(
                    at("service"),
                    "a [[build]] has an empty service".into(),
                ));
            }
            if let Err(why) = split_repo(b.repo.trim()) {
                let message = format!("[[build]] for {:?}: repo {why}", b.service);
                out.push(wrong(at("repo"), message));
            }
            if let Err(why) = check_workflow(b.workflow.trim()) {
                let message = format!("[[build]] for {:?}: workflow {why}", b.service);
                out.push(wrong(at("workflow"), message));
            }
        }
        out
    }

    /// Two `[[build]]` entries for one service: the second is placed, the first named in the
    /// message, so both places are on the one line.
    fn builds_given_twice(&self, origin: &str, text: &str) -> Vec<Wrong> {
        let mut out = Vec::new();
        for (i, b) in self.builds.iter().enumerate() {
            let service = b.service.trim();
            let Some(first) = self.builds[..i]
                .iter()
                .position(|o| o.service.trim() == service)
            else {
                continue;
            };
            let first_path = toml_path!["build", first, "service"];
            let place = locate(text, &first_path).map(|offset| line_col(text, offset));
            let there = match place {
                Some((line, column)) => format!("{origin}:{line}:{column}"),
                None => format!("[[build]] number {}", first + 1),
            };
            let message =
                format!("[[build]] for {service:?} is given twice: here and at {there}; keep one");
            out.push(wrong(toml_path!["build", i, "service"], message));
        }
        out
    }

    fn check_contexts(&self) -> Vec<Wrong> {
        let mut out = Vec::new();
        let mut names: Vec<&str> = Vec::new();
        for (i, c) in self.contexts.iter().enumerate() {
            let at = |key: &str| toml_path!["context", i, key];
            if c.name.trim().is_empty() {
                out.push(wrong(at("name"), "a [[context]] has an empty name".into()));
            } else if names.contains(&c.name.as_str()) {
                let message = format!("two contexts are named {:?}", c.name);
                out.push(wrong(at("name"), message));
            }
            names.push(&c.name);
            if let Some(a) = &c.accent
                && a.parse::<ratatui::style::Color>().is_err()
            {
                let message = format!("context {:?}: accent {a:?} is not a colour", c.name);
                out.push(wrong(at("accent"), message));
            }
            if let Some(Err(why)) = c.region.as_deref().map(check_region) {
                out.push(wrong(at("region"), format!("context {:?}: {why}", c.name)));
            }
            if let Some(Err(why)) = c.endpoint_url.as_deref().map(check_endpoint_url) {
                let message = format!("context {:?}: {why}", c.name);
                out.push(wrong(at("endpoint_url"), message));
            }
        }
        out
    }

    /// Reads `path`. A missing file is an error only when `required` (it was named by the
    /// user). Only a regular file of at most 1 MiB of UTF-8 is read.
    pub fn load(path: &Path, required: bool) -> Result<Self, ConfigError> {
        let origin = crate::model::text::clean(&path.display().to_string());
        match textfile::read(path) {
            Ok(text) => Self::parse(&origin, &text),
            Err(e) if e.not_found() && !required => Ok(Self::default()),
            Err(e) => Err(ConfigError::read(&origin, &e)),
        }
    }

    pub fn context(&self, name: &str) -> Option<&Context> {
        self.contexts.iter().find(|c| c.name == name)
    }

    /// Where the events of context `ctx` (None: the console without a context) come from:
    /// its `[context.events]`, else `[events]`; None: polled only.
    pub fn events_of(&self, ctx: Option<&Context>) -> Option<EventSource> {
        match ctx.and_then(|c| c.events.as_ref()) {
            Some(own) => source_of(&own.queue_url, &own.log_group),
            None => source_of(&self.events.queue_url, &self.events.log_group),
        }
    }

    /// The contexts, each with its events source written out (`[events]` where it has none of
    /// its own), so a context switch needs no other part of the config.
    pub fn resolved_contexts(&self) -> Vec<Context> {
        let top = ContextEvents {
            queue_url: self.events.queue_url.clone(),
            log_group: self.events.log_group.clone(),
        };
        self.contexts
            .iter()
            .map(|c| Context {
                events: Some(c.events.clone().unwrap_or_else(|| top.clone())),
                ..c.clone()
            })
            .collect()
    }

    /// How often the full refresh comes while events arrive.
    pub fn reconcile(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.events.reconcile_secs.unwrap_or(RECONCILE_SECS))
    }

    /// The API budget's rates: `[budget]`, with `logs.filter_tps` as FilterLogEvents' rate.
    /// The names were checked when the file was read; one that names no operation is left out.
    pub fn budget_rates(&self) -> std::collections::HashMap<Op, f64> {
        let mut rates: std::collections::HashMap<Op, f64> = self
            .budget
            .iter()
            .filter_map(|(name, rate)| Some((Op::parse(name)?, *rate)))
            .collect();
        if let Some(tps) = self.logs.filter_tps {
            rates.insert(Op::LogsFilterLogEvents, tps);
        }
        rates
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_config_parses() {
        let text = include_str!("../../config.example.toml");
        let cfg = Config::parse("config.example.toml", text).unwrap();
        assert!(cfg.contexts.iter().any(|c| c.prod));
        // [events]: polling where no source is set, prod's own queue.
        assert_eq!(cfg.reconcile(), std::time::Duration::from_secs(300));
        assert_eq!(cfg.events_of(cfg.context("staging")), None);
        assert!(matches!(
            cfg.events_of(cfg.context("prod")),
            Some(EventSource::Queue(q)) if q.ends_with("/deckwatch-events")
        ));
    }

    #[test]
    fn an_unknown_key_names_file_line_and_column() {
        let err = Config::parse("c.toml", "theme = \"dark\"\n\n[poll]\nfast_sec = 3\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("c.toml:4:1: unknown field `fast_sec`"),
            "{err}"
        );
    }

    #[test]
    fn a_type_error_names_file_line_and_column() {
        let err = Config::parse("c.toml", "[logs]\nmax_lines = \"many\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.toml:2:13:"), "{err}");
        assert!(err.contains("invalid type"), "{err}");
    }

    #[test]
    fn default_context_must_exist() {
        let err = Config::parse("c.toml", "default_context = \"prod\"\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "c.toml:1:1: default_context = \"prod\", but no [[context]] has that name"
        );
    }

    #[test]
    fn budget_names_are_operations_and_an_unknown_one_is_an_error_at_its_key() {
        let text = "[budget]\n\"ecs:DescribeTasks\" = 5\n\"github:GetWorkflowRun\" = 0.5\n";
        let cfg = Config::parse("c.toml", text).unwrap();
        let rates = cfg.budget_rates();
        assert_eq!(rates.get(&Op::EcsDescribeTasks), Some(&5.0));
        assert_eq!(rates.get(&Op::GitHubGetWorkflowRun), Some(&0.5));
        let e = Config::parse("c.toml", "[budget]\n\"ecs:DescribeTask\" = 5\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("c.toml:2:1: [budget] \"ecs:DescribeTask\" is not an operation"),
            "{e}"
        );
        assert!(e.contains("ecs's are ListClusters, ListServices,"), "{e}");
        let e = Config::parse("c.toml", "[budget]\n\"ec2:RunInstances\" = 5\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("for the APIs ecs, ecr, cloudwatch, logs,"),
            "{e}"
        );
    }

    #[test]
    fn filter_tps_is_the_budget_rate_of_filter_log_events() {
        let cfg = Config::parse("c.toml", "[logs]\nfilter_tps = 12.5\n").unwrap();
        assert_eq!(
            cfg.budget_rates().get(&Op::LogsFilterLogEvents),
            Some(&12.5)
        );
        let both = "[logs]\nfilter_tps = 2\n[budget]\n\"logs:FilterLogEvents\" = 3\n";
        assert!(Config::parse("c.toml", both).is_err());
        assert!(Config::parse("c.toml", "[logs]\nfilter_tps = 0\n").is_err());
        let d = Config::default();
        assert!(d.logs.max_lines >= 200_000 && d.logs.max_bytes >= 64 << 20);
    }

    #[test]
    fn events_come_from_the_context_or_the_top_and_one_source_at_most() {
        let text = r#"
[events]
queue_url = "https://sqs.eu-west-1.amazonaws.com/1/q"
reconcile_secs = 120

[[context]]
name = "a"

[[context]]
name = "b"
[context.events]
log_group = "/deckwatch/ecs-events"

[[context]]
name = "c"
[context.events]
"#;
        let cfg = Config::parse("c.toml", text).unwrap();
        assert_eq!(cfg.events.reconcile_secs, Some(120));
        let q = Some(EventSource::Queue(
            "https://sqs.eu-west-1.amazonaws.com/1/q".into(),
        ));
        assert_eq!(cfg.events_of(None), q);
        assert_eq!(cfg.events_of(cfg.context("a")), q);
        assert_eq!(
            cfg.events_of(cfg.context("b")),
            Some(EventSource::LogGroup("/deckwatch/ecs-events".into()))
        );
        assert_eq!(cfg.events_of(cfg.context("c")), None);
        let both = "[events]\nqueue_url = \"https://q.example/1\"\nlog_group = \"g\"\n";
        let err = Config::parse("c.toml", both).unwrap_err().to_string();
        assert!(err.contains("not both"), "{err}");
        let bad = "[[context]]\nname = \"x\"\n[context.events]\nqueue_url = \"my-queue\"\n";
        let err = Config::parse("c.toml", bad).unwrap_err().to_string();
        assert!(
            err.starts_with("c.toml:3:") && err.contains("queue's URL"),
            "{err}"
        );
        assert!(Config::parse("c.toml", "[events]\nreconcile_secs = 1\n").is_err());
    }

    #[test]
    fn a_missing_optional_file_is_the_default() {
        let cfg = Config::load(Path::new("/nonexistent/deckwatch.toml"), false).unwrap();
        assert_eq!(cfg, Config::default());
        assert!(Config::load(Path::new("/nonexistent/deckwatch.toml"), true).is_err());
    }
}
