//! The console's state and its reducer. `update` is pure: it never waits and never calls AWS;
//! it changes the state and returns the effects for the loop to carry out. Each kind of message
//! has its own handler: keys in `keys`, commands in `commands`, data in `data`.

pub mod actions;
pub mod back_stack;
pub mod builds;
pub mod connection;
pub mod context;
pub mod contexts;
pub mod cost;
mod data;
pub mod describe;
pub mod exec;
pub mod feed;
pub mod fleet;
pub mod fleet_sso;
mod input;
pub mod jobs;
pub mod jobs_view;
pub mod links;
pub mod logs;
mod msg;
pub mod notify;
pub mod owners;
mod panes;
pub mod rollout;
pub mod table;
pub mod timeline;

pub use crate::model::Pane;
pub use connection::{Connection, ConnectionEvent, TeamAudit};
pub use context::Context;
pub use contexts::{ContextChoice, ContextChoices, Target};
pub use input::mouse::{Hits, ListArea};
pub use msg::{Effect, Msg, Viewport, Watch};
pub use panes::PaneData;

use crate::keys::{Keymap, Layer};
use crate::model::{ActionPlan, At, ContextInfo, Ms, Service, ServiceKey};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Typing a filter for the current pane.
    Filter,
    /// Typing a `:` command.
    Palette(String),
    Help,
    /// The selected item's detail, over the pane.
    Detail,
    /// An action waiting for the user's word, with what they typed (a prod context asks for
    /// the service's name).
    Confirm(Box<ActionPlan>, String),
    /// Typing the new desired count for a scale.
    Scale(String),
    /// The API budget: calls per minute per operation, what waited, what was throttled.
    Budget,
    /// The task-definition diff of a service's revisions (`:diff`), scrollable.
    Diff(ServiceKey),
    /// All of a service's events, scrollable.
    Events(ServiceKey),
    /// The build dialog: ref and inputs, editable.
    Build(Box<builds::BuildForm>),
    /// The exec dialog: task, container, command, pane or full screen.
    Exec(Box<exec::ExecDialog>),
    /// Keys go to the terminal pane's session (`Ctrl-]` leaves).
    Terminal,
    /// `:forwards`: each port forward's state.
    Forwards,
    /// `:arm`: the policy's dialog, before it is armed for a rollout.
    Arm(Box<rollout::policy::ArmDialog>),
    /// `:describe`: the selection as the API returned it.
    Describe,
    /// The fleet view (`0`, `:fleet`): every context's row, most urgent first.
    Fleet,
    /// Typing the fleet view's search.
    FleetSearch,
    /// Typing the describe view's search.
    DescribeSearch,
    /// `:jobs`: this context's jobs, newest first (`x` stops watching the selected one).
    Jobs,
    /// Asking before it stops watching a job: the dialog says no call is undone.
    StopWatching(jobs::JobId),
}

impl Mode {
    /// The key table's layer for this mode; a production dialog asks for the name.
    pub fn layer(&self, prod: bool) -> Layer {
        match self {
            Mode::Normal => Layer::Normal,
            Mode::Filter => Layer::Filter,
            Mode::Palette(_) => Layer::Palette,
            Mode::Help
            | Mode::Detail
            | Mode::Budget
            | Mode::Diff(_)
            | Mode::Events(_)
            | Mode::Forwards
            | Mode::Jobs
            | Mode::Describe => Layer::Overlay,
            Mode::DescribeSearch | Mode::FleetSearch => Layer::Filter,
            // The fleet view takes the panes' keys: Enter opens, `/` searches, Esc leaves.
            Mode::Fleet => Layer::Normal,
            Mode::StopWatching(_) => Layer::Confirm,
            Mode::Confirm(plan, _) if prod || plan.early.is_some() => Layer::ConfirmTyped,
            Mode::Confirm(..) => Layer::Confirm,
            Mode::Arm(_) if prod => Layer::ConfirmTyped,
            Mode::Arm(_) => Layer::Confirm,
            Mode::Scale(_) => Layer::Scale,
            Mode::Build(f) if f.editing => Layer::BuildEdit,
            Mode::Build(_) => Layer::BuildForm,
            Mode::Exec(_) => Layer::ExecDialog,
            Mode::Terminal => Layer::Terminal,
        }
    }
}

/// The session: what the user has open, the keys, the theme, the screen, the clock; the
/// contexts `:ctx` switches between; and the context on screen (`ctx`), which holds everything
/// read from its account. A field that belongs to one context goes in `Context`, never here.
#[derive(Debug)]
pub struct State {
    pub mode: Mode,
    /// The context on screen: its panes, selection, rollout view, evidence, connection.
    pub ctx: Context,
    /// The builds pane: runs, the open run's detail, the mapping, the CI's state. GitHub's,
    /// the same whatever AWS context is on screen.
    pub builds: builds::Builds,
    /// Filters used before, newest last, for `Up` in the filter prompt.
    pub filters_used: Vec<String>,
    /// Which of them `Up` recalled last.
    pub filter_recall: Option<usize>,
    /// Rows the help is scrolled down.
    pub help_scroll: usize,
    /// The API budget's latest figures, while `:budget` is open.
    pub budget: Vec<crate::model::OpReport>,
    pub theme_name: String,
    pub themes: Vec<String>,
    pub keys: Keymap,
    pub now: At,
    pub size: (u16, u16),
    /// What the last frame's layout gave the lists.
    pub viewport: Viewport,
    /// A one-line message for the footer, and when it was set.
    pub flash: Option<(String, At)>,
    /// `q` was pressed once while an action was being sent, and the footer still warns so: a
    /// second `q` quits. Any other footer message, or the warning's end, clears it.
    pub quit_asked: Option<QuitAsked>,
    /// The commits behind a deploy, promote or rollback, from GitHub's compare: GitHub's
    /// answers, keyed by repository and commits, so the session's like the builds pane.
    pub commits: actions::commits::Commits,
    /// `[github] deployments = true`: a deploy or promote of a built image records a GitHub
    /// Deployment and its statuses (the config's).
    pub github_deployments: bool,
    /// `[iac]`: the tags that say Terraform manages a service (the config's; what each
    /// context's stacks say is `Context::owners`).
    pub iac: crate::model::owner::IacRules,
    /// The contexts `:ctx` switches between, and the ones kept while another is on screen.
    pub contexts: contexts::Contexts,
    pub quit: bool,
    /// Why the console must end, when it must: the loop prints it once the terminal is restored.
    pub fatal: Option<String>,
    /// ECS Exec: the session and its screen, the port forwards, the config. The session's,
    /// not a context's: the terminal is one, and sessions and forwards outlive a switch (each
    /// knows the context it was opened in).
    pub exec: exec::ExecState,
    /// `[analysis]`: the rules the canary verdict is made by (the config's; the armed policy
    /// is the context's, in its `Evidence`).
    pub analysis: crate::model::verdict::Analysis,
    /// `:describe`'s view: what it shows, the answer, the scroll and the search. An overlay of
    /// the session's, closed (and forgotten) by a switch like every other.
    pub describe: Option<describe::DescribeView>,
    /// Names become OSC 8 links to the AWS console and GitHub (`[ui] links`).
    pub links: bool,
    /// The fleet: every context's row (the ones off screen as the fleet worker read them),
    /// the view's selection and search. The session's: it spans the contexts.
    pub fleet: fleet::FleetView,
    /// `[notify]`, the services watched this session, and what already fired.
    pub notify: notify::Notify,
    /// The next job's number: one counter for every context's jobs.
    pub next_job: jobs::JobId,
    /// Who runs this console on this machine (`$USER`, read once at start-up): a job of this
    /// session names them beside the AWS identity. None: not known.
    pub os_user: Option<String>,
    /// The jobs at work and the off-screen watches the loop was last told of.
    job_watches: jobs::JobWatches,
    /// Something visible changed since the last draw.
    pub dirty: bool,
    /// Old data replaced by fresh data, for the loop to free off its own thread.
    discarded: Discarded,
}

/// The action a first `q` warned would be cut off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuitAsked {
    pub verb: crate::model::Verb,
    pub service: crate::model::ServiceKey,
}

/// Data waiting to be freed off the loop.
#[derive(Default)]
struct Discarded(Vec<Box<dyn std::any::Any + Send>>);

impl std::fmt::Debug for Discarded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} discarded", self.0.len())
    }
}

/// How long a footer message stays.
const FLASH_MS: Ms = Ms::secs(5);

pub struct Options {
    pub theme: String,
    pub themes: Vec<String>,
    pub log_lines: usize,
    pub log_bytes: usize,
    /// The context the console starts in.
    pub context: ContextInfo,
    /// The region it starts in (None: the context's own).
    pub region: Option<String>,
    /// The context's own header colour, over the theme's prod colour.
    pub accent: Option<ratatui::style::Color>,
    /// The contexts `:ctx` offers, and which are read-only.
    pub choices: ContextChoices,
}

impl State {
    pub fn new(o: Options, now: At) -> Self {
        let target = Target {
            name: o.context.name.clone(),
            region: o.region,
            ..Target::default()
        };
        let mut ctx = Context::new(target, o.context, o.log_lines, o.log_bytes);
        ctx.accent = o.accent;
        ctx.read_only = o.choices.read_only(&ctx.info.name);
        Self {
            mode: Mode::Normal,
            ctx,
            builds: builds::Builds::default(),
            filters_used: Vec::new(),
            filter_recall: None,
            help_scroll: 0,
            budget: Vec::new(),
            theme_name: o.theme,
            themes: o.themes,
            keys: Keymap::default(),
            now,
            size: (120, 40),
            viewport: Viewport::default(),
            flash: None,
            quit_asked: None,
            commits: actions::commits::Commits::default(),
            github_deployments: false,
            iac: crate::model::owner::IacRules::default(),
            contexts: contexts::Contexts::new(o.choices, o.log_lines, o.log_bytes),
            quit: false,
            fatal: None,
            exec: exec::ExecState::default(),
            analysis: crate::model::verdict::Analysis::default(),
            describe: None,
            links: true,
            fleet: fleet::FleetView::default(),
            next_job: 1,
            os_user: None,
            job_watches: jobs::JobWatches::default(),
            notify: notify::Notify::default(),
            dirty: true,
            discarded: Discarded::default(),
        }
    }

    /// What the pollers watch before the console has shown anything.
    pub fn idle_watch() -> Watch {
        Watch {
            pane: Pane::Services,
            service: None,
            partner: None,
            fast: false,
            acting: false,
            sort: None,
            logs: None,
        }
    }

    /// The current key layer.
    pub fn layer(&self) -> Layer {
        self.mode.layer(self.ctx.info.prod)
    }

    /// Keeps replaced data for the loop to free elsewhere: dropping 10k services on the loop
    /// would make a key wait.
    pub(crate) fn discard(&mut self, old: impl std::any::Any + Send) {
        self.discarded.0.push(Box::new(old));
    }

    /// What the reducer replaced since the last call, to be freed off the loop.
    pub fn take_discarded(&mut self) -> Vec<Box<dyn std::any::Any + Send>> {
        std::mem::take(&mut self.discarded.0)
    }

    /// Opens the confirmation dialog of `plan`; a message from before it goes, so the dialog's
    /// own keys (or its refusal) are what the footer says.
    pub fn open_confirm(&mut self, mut plan: crate::model::ActionPlan) {
        plan.early = rollout::verdict::early(self, &plan);
        self.mode = Mode::Confirm(Box::new(plan), String::new());
        self.flash = None;
    }

    pub fn flash(&mut self, msg: impl Into<String>) {
        self.flash = Some((msg.into(), self.now));
        self.quit_asked = None;
        self.dirty = true;
    }

    /// Goes to `pane`, remembering where it was for `Esc`.
    pub fn switch_pane(&mut self, pane: Pane) {
        if pane != self.ctx.pane {
            self.remember_here();
        }
        if pane == Pane::Logs {
            self.follow_logs_of_selection();
        }
        self.ctx.pane = pane;
        self.mode = Mode::Normal;
        self.dirty = true;
    }

    /// The logs pane follows the rollout view's service when it comes from there, else the one
    /// selected on services, merged with its paired canary.
    pub(crate) fn follow_logs_of_selection(&mut self) {
        let target = logs::commands::target_of_selection(self);
        self.ctx.logs.follow_selection(target);
    }

    /// Opens the rollout view of the selected service.
    pub(crate) fn open_rollout_view(&mut self) {
        let Some(key) = self.ctx.selected_service().map(Service::key) else {
            return self.flash("select a service first");
        };
        self.remember_here();
        if self.ctx.rollout.as_ref() != Some(&key) {
            self.ctx.rollout_view = rollout::RolloutView::of(&self.ctx.services);
        }
        self.ctx.rollout = Some(key);
        self.ctx.pane = Pane::Rollout;
        self.mode = Mode::Normal;
        // The rollout view shows its service's log lines too.
        self.follow_logs_of_selection();
        logs::commands::note_rollout(&mut self.ctx);
        self.dirty = true;
    }
}

/// The reducer: one handler per kind of message, then the workers are told if what is on
/// screen changed. The effects must be carried out: dropping them loses what the user asked
/// for (an action, a switch, a refresh).
#[must_use = "the effects are what the user asked for: the loop must carry them out"]
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut effects = Vec::new();
    state.dirty |= connection::answered(&mut state.ctx, &msg);
    let listed = matches!(msg, Msg::Services(..));
    // What hook and alarm notifications look at moved: the clock, services, alarms, links.
    let looks = listed || matches!(msg, Msg::Tick(..) | Msg::Alarms(..) | Msg::Links(..));
    // What the fleet view's on-screen row is counted from: services, alarms and prices (and
    // the rows themselves, which an SSO listing adds to).
    let counted = matches!(
        msg,
        Msg::Services(..)
            | Msg::ServicesPart(..)
            | Msg::Alarms(..)
            | Msg::Prices(..)
            | Msg::SsoListed(..)
    );
    let ticked = matches!(msg, Msg::Tick(..));
    on_msg(state, msg, &mut effects);
    fleet::recount(state, counted, ticked);
    after_update(state, (listed, looks), &mut effects);
    effects
}

/// Every message, to its handler. Data for the context on screen goes to `state.ctx`.
fn on_msg(state: &mut State, msg: Msg, fx: &mut Vec<Effect>) {
    let ctx = &mut state.ctx;
    match msg {
        Msg::Key(key) => input::keys::on_key(state, key, fx),
        Msg::Mouse(m) => input::mouse::on_mouse(state, m, fx),
        Msg::Resize(w, h) => on_resize(state, (w, h), fx),
        Msg::Layout(v) => on_layout(state, v, fx),
        Msg::Tick(now) => on_tick(state, now, fx),
        Msg::Budget(report) => state.dirty |= replace_if_new(&mut state.budget, report),
        Msg::ActionDone(done) => on_action_done(state, *done, fx),
        Msg::Quit => state.quit = true,
        Msg::ContextReady(generation) => contexts::on_ready(state, generation, fx),
        Msg::ContextFailed(generation, e) => contexts::on_failed(state, generation, e),
        Msg::CredentialsExpiry(at) => {
            state.dirty |= replace_if_new(&mut ctx.credentials_expiry, at)
        }
        Msg::Connection(e) => connection::on_event(state, e),
        Msg::Context(c) => data::on_context(state, c),
        Msg::ServicesPart(rows, done, total, at) => {
            state.dirty |= data::on_services_part(ctx, rows, done, total, at);
            cost::stamp(ctx);
            fleet::show_focus(state, false);
        }
        Msg::Services(prepared, at) => on_services(state, prepared, at),
        Msg::Tasks(of, tasks, at) => state.dirty |= data::on_tasks(ctx, of, tasks, at),
        Msg::Images(images, at) => state.dirty |= data::on_images(ctx, images, at),
        Msg::Alarms(alarms, at) => state.dirty |= data::on_alarms(ctx, alarms, at),
        Msg::Links(made, links) => on_links(state, made, links),
        Msg::Logs(key, lines, at) => state.dirty |= data::on_logs(ctx, key, &lines, at),
        Msg::Failed(pane, err, _at) => data::on_failed(state, pane, err),
        Msg::Evidence(f) => rollout::evidence::on_fetched(state, *f),
        Msg::LogFeed(g, chunk, at) => state.dirty |= logs::commands::on_feed(ctx, g, &chunk, at),
        Msg::LogStatus(g, status) => state.dirty |= logs::commands::on_status(ctx, g, status),
        Msg::LogBacklog(g, backlog) => logs::commands::on_backlog(state, g, backlog),
        Msg::LogSaved(result) => logs::commands::on_saved(state, result),
        Msg::Runs(polled, runs, at) => builds::on_runs(state, &polled, runs, at),
        Msg::RunDetail(d, at) => builds::on_run_detail(state, d, at),
        Msg::RunDetailFailed(run, e, _at) => builds::on_run_detail_failed(state, run, e),
        Msg::BuildInputs(w, git_ref, r) => builds::on_inputs(state, w, git_ref, r),
        Msg::Dispatched(w, run) => builds::on_dispatched(state, w, run),
        Msg::CiRate(rate, until) => builds::on_rate(state, rate, until),
        Msg::CiReady(why) => builds::on_ci_ready(state, why),
        Msg::Timeline(generation, t) => timeline::on_read(state, generation, *t),
        Msg::Owners(answers) => owners::on_found(state, answers, fx),
        Msg::Prices(answer) => cost::on_prices(state, answer),
        Msg::Billed(answer) => cost::on_billed(state, answer),
        Msg::Compared(q, r) => actions::commits::on_compared(state, q, r),
        Msg::Exported(Ok(done)) => state.flash(done),
        Msg::Exported(Err(e)) => state.flash(format!("export: {e}")),
        Msg::Exec(m) => exec::on_msg(state, m, fx),
        Msg::Feed(r) => feed::on_report(state, r),
        Msg::Described(generation, doc) => describe::answered(state, generation, doc),
        Msg::OpenFailed(why) | Msg::WebhookFailed(why) => state.flash(why),
        Msg::Fleet(report) => fleet::on_report(state, *report),
        Msg::SsoListed(listed) => fleet_sso::on_listed(state, *listed, fx),
        Msg::JobWatched(w) => state.dirty |= data::on_job_watched(state, *w),
    }
}

fn on_resize(state: &mut State, size: (u16, u16), fx: &mut Vec<Effect>) {
    state.size = size;
    state.dirty = true;
    exec::on_resize(state, fx);
}

/// An action settled: its outcome is shown, and what it changed is read again.
fn on_action_done(state: &mut State, done: jobs::JobDone, fx: &mut Vec<Effect>) {
    let _on_screen = data::on_action_done(state, done);
    fx.push(Effect::Refresh);
}

/// A whole list of services: the old one is freed off the loop, and the verdicts of rollouts
/// that ended go.
fn on_services(state: &mut State, prepared: table::Prepared<Service>, at: At) {
    let (changed, old) = data::on_services(&mut state.ctx, prepared, at);
    state.dirty |= changed;
    cost::stamp(&mut state.ctx);
    fleet::show_focus(state, true);
    if let Some(old) = old {
        state.discard(old);
    }
    rollout::verdict::forget_finished(state);
}

/// Alarm links made again: the verdicts are judged again with the alarms that fire now.
fn on_links(state: &mut State, made: u64, links: crate::model::Links) {
    let (changed, old) = data::on_links(&mut state.ctx, made, links);
    state.dirty |= changed;
    state.discard(old);
    rollout::verdict::on_alarms(state);
}

/// Puts `new` in `place`; true when it differs from what was there.
fn replace_if_new<T: PartialEq>(place: &mut T, new: T) -> bool {
    let changed = *place != new;
    *place = new;
    changed
}

/// What the last frame's layout gave the lists and the rollout view.
fn on_layout(state: &mut State, v: Viewport, fx: &mut Vec<Effect>) {
    exec::on_layout(state, &v, fx);
    state.ctx.rollout_view.max_scroll = v.scroll_limit;
    state.help_scroll = state.help_scroll.min(v.overlay_limit);
    if state.ctx.pane == Pane::Logs {
        state.ctx.logs.rows = v.list_rows as usize;
    }
    state.viewport = v;
}

/// What any message may change the wants of: owners of new services, what the pollers and the
/// evidence watch, the open dialog's commits and GitHub record.
fn after_update(state: &mut State, (listed, looks): (bool, bool), effects: &mut Vec<Effect>) {
    if listed {
        owners::wanted(state, effects);
    }
    builds::watch_effect(state, effects);
    let watch = state.ctx.watch();
    if state.ctx.last_watch.as_ref() != Some(&watch) {
        state.ctx.last_watch = Some(watch.clone());
        effects.push(Effect::Watch(watch));
    }
    watch_jobs(state, effects);
    rollout::evidence::wanted(state, effects);
    actions::commits::wanted(state, effects);
    actions::record::attach(state);
    notify::collect(state, listed, looks, effects);
}

/// Tells the loop when the jobs at work or the watches of contexts off screen changed: it
/// keeps the backends of the ones at work and reads the services of the others' watches.
fn watch_jobs(state: &mut State, effects: &mut Vec<Effect>) {
    let kept = state.contexts.kept_contexts().map(|c| &c.jobs);
    let now = jobs::JobWatches::of(&state.ctx.jobs, kept);
    if now != state.job_watches {
        state.job_watches = now.clone();
        effects.push(Effect::WatchJobs(now));
    }
}

/// Ages and countdowns on screen move by the second; the flash and the activity line expire.
fn on_tick(state: &mut State, now: At, fx: &mut Vec<Effect>) {
    if state.mode == Mode::Budget {
        fx.push(Effect::ReportBudget);
    }
    if now.secs() != state.now.secs() {
        state.dirty = true;
    }
    state.now = now;
    if state
        .flash
        .as_ref()
        .is_some_and(|(_, at)| now - *at > FLASH_MS)
    {
        state.flash = None;
        state.quit_asked = None;
    }
    // The activity line's clocks move by the second (above); a watch past its limit gives up,
    // on screen or not (the loop reads the services of the ones off screen).
    state.dirty |= state.ctx.jobs.tick(now);
    for c in state.contexts.kept_mut() {
        c.jobs.tick(now);
    }
    rollout::policy::step(state, fx);
}
