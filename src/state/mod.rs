//! The console's state and its reducer. `update` is pure: it never waits and never calls AWS;
//! it changes the state and returns the effects for the loop to carry out. Each kind of message
//! has its own handler: keys in `keys`, commands in `commands`, data in `data`.

pub mod actions;
pub mod back_stack;
pub mod builds;
pub mod connection;
pub mod contexts;
mod data;
pub mod describe;
pub mod exec;
pub mod feed;
mod input;
pub mod links;
pub mod logs;
mod msg;
mod panes;
pub mod rollout;
pub mod table;

pub use crate::model::Pane;
pub use connection::{Connection, ConnectionEvent, TeamAudit};
pub use contexts::{ContextChoice, Target};
pub use input::mouse::{Hits, ListArea};
pub use msg::{Effect, Msg, Viewport, Watch};
pub use panes::PaneData;

use crate::keys::{Keymap, Layer};
use crate::model::{ActionPlan, Alarm, ContextInfo, Image, Millis, Service, ServiceKey, Task};
use logs::LogView;
use table::Table;

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
    /// `:describe`: the selection as the API returned it.
    Describe,
    /// Typing the describe view's search.
    DescribeSearch,
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
            | Mode::Describe => Layer::Overlay,
            Mode::DescribeSearch => Layer::Filter,
            Mode::Confirm(..) if prod => Layer::ConfirmTyped,
            Mode::Confirm(..) => Layer::Confirm,
            Mode::Scale(_) => Layer::Scale,
            Mode::Build(f) if f.editing => Layer::BuildEdit,
            Mode::Build(_) => Layer::BuildForm,
            Mode::Exec(_) => Layer::ExecDialog,
            Mode::Terminal => Layer::Terminal,
        }
    }
}

#[derive(Debug)]
pub struct State {
    pub pane: Pane,
    pub mode: Mode,
    pub services: Table<Service>,
    pub tasks: Table<Task>,
    pub images: Table<Image>,
    pub alarms: Table<Alarm>,
    pub logs: LogView,
    /// The builds pane: runs, the open run's detail, the mapping, the CI's state.
    pub builds: builds::Builds,
    /// The service whose rollout view is open, or was last.
    pub rollout: Option<ServiceKey>,
    pub rollout_view: rollout::RolloutView,
    /// Where `Esc` goes back to.
    pub back_stack: Vec<back_stack::Place>,
    /// Filters used before, newest last, for `Up` in the filter prompt.
    pub filters_used: Vec<String>,
    /// Which of them `Up` recalled last.
    pub filter_recall: Option<usize>,
    /// Rows the help is scrolled down.
    pub help_scroll: usize,
    /// The API budget's latest figures, while `:budget` is open.
    pub budget: Vec<crate::model::OpReport>,
    pub context: ContextInfo,
    pub accent: Option<ratatui::style::Color>,
    pub read_only: bool,
    pub theme_name: String,
    pub themes: Vec<String>,
    pub keys: Keymap,
    pub now: Millis,
    pub size: (u16, u16),
    /// What the last frame's layout gave the lists.
    pub viewport: Viewport,
    /// A one-line message for the footer, and when it was set.
    pub flash: Option<(String, Millis)>,
    /// `q` was pressed once while an action was being sent, and the footer still warns so: a
    /// second `q` quits. Any other footer message, or the warning's end, clears it.
    pub quit_asked: Option<QuitAsked>,
    /// While the first load of services is still coming in: (clusters read, clusters in all).
    pub services_loading: Option<(usize, usize)>,
    /// The last confirmed action: at work, waiting until stable, or its outcome.
    pub progress: Option<actions::progress::Progress>,
    /// Alarm links, the canary comparison, task definitions and the alarm detail.
    pub evidence: rollout::evidence::Evidence,
    /// The contexts `:ctx` switches between, and the panes each one keeps.
    pub contexts: contexts::Contexts,
    /// When the credentials in use expire, if they do (SSO, assumed roles).
    pub credentials_expiry: Option<Millis>,
    pub quit: bool,
    /// Unanswered calls, the team's audit log, a start that failed.
    pub connection: Connection,
    /// ECS Exec: the dialog's data, the session and its screen, the port forwards.
    pub exec: exec::ExecState,
    /// ECS's events: read from a queue or a log group, or polling only.
    pub feed: feed::Feed,
    /// `:describe`'s view: what it shows, the answer, the scroll and the search.
    pub describe: Option<describe::DescribeView>,
    /// Names become OSC 8 links to the AWS console and GitHub (`[ui] links`).
    pub links: bool,
    /// Something visible changed since the last draw.
    pub dirty: bool,
    /// Old data replaced by fresh data, for the loop to free off its own thread.
    discarded: Discarded,
    last_watch: Option<Watch>,
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
const FLASH_MS: Millis = 5_000;

pub struct Options {
    pub read_only: bool,
    pub theme: String,
    pub themes: Vec<String>,
    pub log_lines: usize,
    pub log_bytes: usize,
    pub context: ContextInfo,
    /// The context's own header colour, over the theme's prod colour.
    pub accent: Option<ratatui::style::Color>,
}

impl State {
    pub fn new(o: Options, now: Millis) -> Self {
        let current = Target {
            name: o.context.name.clone(),
            ..Target::default()
        };
        let contexts = contexts::Contexts::new(current, o.log_lines, o.log_bytes);
        Self {
            pane: Pane::Services,
            mode: Mode::Normal,
            services: Table::default(),
            tasks: Table::default(),
            images: Table::default(),
            alarms: Table::default(),
            logs: LogView::new(o.log_lines, o.log_bytes),
            builds: builds::Builds::default(),
            rollout: None,
            rollout_view: rollout::RolloutView::default(),
            back_stack: Vec::new(),
            filters_used: Vec::new(),
            filter_recall: None,
            help_scroll: 0,
            budget: Vec::new(),
            context: o.context,
            accent: o.accent,
            read_only: o.read_only,
            theme_name: o.theme,
            themes: o.themes,
            keys: Keymap::default(),
            now,
            size: (120, 40),
            viewport: Viewport::default(),
            flash: None,
            quit_asked: None,
            services_loading: None,
            progress: None,
            evidence: rollout::evidence::Evidence::default(),
            contexts,
            credentials_expiry: None,
            quit: false,
            connection: Connection::default(),
            exec: exec::ExecState::default(),
            feed: feed::Feed::default(),
            describe: None,
            links: true,
            dirty: true,
            discarded: Discarded::default(),
            last_watch: None,
        }
    }

    /// The selected service on the services pane.
    pub fn selected_service(&self) -> Option<&Service> {
        self.services.selected_item()
    }

    /// The service whose rollout view is open.
    pub fn rollout_service(&self) -> Option<&Service> {
        let k = self.rollout.as_ref()?;
        self.services
            .items
            .iter()
            .find(|s| s.cluster == k.cluster && s.name == k.name)
    }

    /// The rollout view is on screen.
    pub fn in_rollout_view(&self) -> bool {
        self.pane == Pane::Rollout
    }

    /// The service an action key acts on: the selected one, or the rollout view's.
    pub fn action_target(&self) -> Option<&Service> {
        match self.pane {
            Pane::Services => self.selected_service(),
            Pane::Rollout => self.rollout_service(),
            _ => None,
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

    /// What the pollers should watch, derived from what is on screen.
    pub fn watch(&self) -> Watch {
        let service = match self.pane {
            Pane::Rollout => self.rollout.clone(),
            Pane::Logs => self.logs.service().cloned(),
            _ => None,
        };
        let logs_shown = self.pane == Pane::Logs || self.in_rollout_view();
        let partner = match self.pane {
            Pane::Rollout => self.rollout_partner(),
            _ => None,
        };
        let acting = self
            .progress
            .as_ref()
            .is_some_and(actions::progress::Progress::active);
        Watch {
            pane: self.pane,
            service,
            partner,
            fast: self.services.items.iter().any(Service::in_progress) || acting,
            acting,
            sort: self.services.sort,
            logs: logs_shown.then(|| self.logs.wanted()).flatten(),
        }
    }

    /// The current key layer.
    pub fn layer(&self) -> Layer {
        self.mode.layer(self.context.prod)
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
    pub fn open_confirm(&mut self, plan: crate::model::ActionPlan) {
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
        if pane != self.pane {
            self.remember_here();
        }
        if pane == Pane::Logs {
            self.follow_logs_of_selection();
        }
        self.pane = pane;
        self.mode = Mode::Normal;
        self.dirty = true;
    }

    /// The logs pane follows the rollout view's service when it comes from there, else the one
    /// selected on services, merged with its paired canary.
    pub(crate) fn follow_logs_of_selection(&mut self) {
        let target = logs::commands::target_of_selection(self);
        self.logs.follow_selection(target);
    }

    /// Opens the rollout view of the selected service.
    pub(crate) fn open_rollout_view(&mut self) {
        let Some(key) = self.selected_service().map(Service::key) else {
            return self.flash("select a service first");
        };
        self.remember_here();
        if self.rollout.as_ref() != Some(&key) {
            self.rollout_view = rollout::RolloutView::of(&self.services);
        }
        self.rollout = Some(key);
        self.pane = Pane::Rollout;
        self.mode = Mode::Normal;
        // The rollout view shows its service's log lines too.
        self.follow_logs_of_selection();
        logs::commands::note_rollout(self);
        self.dirty = true;
    }
}

/// The reducer: one handler per kind of message, then the pollers are told if what is on
/// screen changed.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut effects = Vec::new();
    connection::answered(state, &msg);
    match msg {
        Msg::Key(key) => input::keys::on_key(state, key, &mut effects),
        Msg::Mouse(m) => input::mouse::on_mouse(state, m, &mut effects),
        Msg::Resize(w, h) => {
            state.size = (w, h);
            state.dirty = true;
            exec::on_resize(state, &mut effects);
        }
        Msg::Layout(v) => {
            exec::on_layout(state, &v, &mut effects);
            state.rollout_view.max_scroll = v.scroll_limit;
            state.help_scroll = state.help_scroll.min(v.overlay_limit);
            if state.pane == Pane::Logs {
                state.logs.rows = v.list_rows as usize;
            }
            state.viewport = v;
        }
        Msg::Tick(now) => {
            on_tick(state, now);
            if state.mode == Mode::Budget {
                effects.push(Effect::ReportBudget);
            }
        }
        Msg::Budget(report) => {
            state.dirty |= report != state.budget;
            state.budget = report;
        }
        Msg::ActionDone(result) => {
            data::on_action_done(state, result);
            effects.push(Effect::Refresh);
        }
        Msg::Quit => state.quit = true,
        Msg::ContextReady(generation) => contexts::on_ready(state, generation),
        Msg::ContextFailed(generation, e) => contexts::on_failed(state, generation, e),
        Msg::CredentialsExpiry(at) => {
            state.dirty |= state.credentials_expiry != at;
            state.credentials_expiry = at;
        }
        Msg::Connection(e) => connection::on_event(state, e),
        Msg::Exec(m) => exec::on_msg(state, m, &mut effects),
        Msg::Feed(r) => feed::on_report(state, r),
        Msg::Described(generation, doc) => describe::answered(state, generation, doc),
        Msg::OpenFailed(why) => state.flash(why),
        data => data::on_data(state, data),
    }
    builds::watch_effect(state, &mut effects);
    let watch = state.watch();
    if state.last_watch.as_ref() != Some(&watch) {
        state.last_watch = Some(watch.clone());
        effects.push(Effect::Watch(watch));
    }
    rollout::evidence::wanted(state, &mut effects);
    effects
}

/// Ages and countdowns on screen move by the second; the flash and the activity line expire.
fn on_tick(state: &mut State, now: Millis) {
    if now / 1000 != state.now / 1000 {
        state.dirty = true;
    }
    state.now = now;
    if state
        .flash
        .as_ref()
        .is_some_and(|(_, at)| now - at > FLASH_MS)
    {
        state.flash = None;
        state.quit_asked = None;
    }
    if let Some(p) = &mut state.progress {
        let phase = p.phase.clone();
        if !p.tick(now) {
            state.progress = None;
            state.dirty = true;
        } else if p.phase != phase {
            state.dirty = true;
        }
    }
}
