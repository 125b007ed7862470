//! The console's state and its reducer. `update` is pure: it never waits and never calls AWS;
//! it changes the state and returns the effects for the loop to carry out.

pub mod actions;
mod input;
pub use input::current_filter;
pub mod logs;
pub mod palette;
pub mod progress;
pub mod rows;
pub mod table;

use crate::cloud::CloudError;
use crate::model::{
    ActionPlan, Alarm, ContextInfo, Image, LogLine, Millis, Service, ServiceKey, Task,
};
use crossterm::event::KeyEvent;
use logs::LogBuffer;
use table::Table;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Services,
    Tasks,
    Images,
    Alarms,
    Logs,
}

impl Pane {
    pub const ALL: [Pane; 5] = [
        Pane::Services,
        Pane::Tasks,
        Pane::Images,
        Pane::Alarms,
        Pane::Logs,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Services => "services",
            Pane::Tasks => "tasks",
            Pane::Images => "images",
            Pane::Alarms => "alarms",
            Pane::Logs => "logs",
        }
    }

    fn index(self) -> usize {
        Pane::ALL.iter().position(|&p| p == self).unwrap_or(0)
    }

    pub fn cycle(self, forward: bool) -> Pane {
        let n = Pane::ALL.len();
        let i = self.index();
        Pane::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

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
}

/// Which kind of data a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Services,
    Tasks,
    Images,
    Alarms,
    Logs,
}

/// What the pollers need to know: what is on screen, and how fast to poll it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub pane: Pane,
    /// The service the tasks pane is drilled into, or the logs pane follows.
    pub service: Option<ServiceKey>,
    /// A visible service has a rollout in progress: poll fast.
    pub fast: bool,
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    /// The wall clock, once a second.
    Tick(Millis),
    Context(ContextInfo),
    Services(Vec<Service>, Millis),
    /// The first load's rows so far: (rows, clusters read, clusters in all, when).
    ServicesPart(Vec<Service>, usize, usize, Millis),
    Tasks(Option<ServiceKey>, Vec<Task>, Millis),
    Images(Vec<Image>, Millis),
    Alarms(Vec<Alarm>, Millis),
    Logs(ServiceKey, Vec<LogLine>, Millis),
    Failed(Resource, CloudError, Millis),
    /// An action's outcome: what was done, or why it was refused or failed.
    ActionDone(Result<String, String>),
    /// SIGTERM, SIGHUP or SIGINT.
    Quit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Tell the pollers what is on screen now.
    Watch(Watch),
    /// Poll what is on screen now, without waiting for the interval.
    Refresh,
    /// Run a confirmed action: re-read, check, audit, call.
    Act(Box<ActionPlan>, ContextInfo),
}

#[derive(Debug)]
pub struct LogView {
    pub buf: LogBuffer,
    pub service: Option<ServiceKey>,
    /// Keep the newest line in view. Scrolling up pauses it.
    pub follow: bool,
    /// Lines above the bottom when not following.
    pub scroll: usize,
    pub filter: String,
    pub fetched_at: Option<Millis>,
    pub error: Option<CloudError>,
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
    /// The service the tasks pane is drilled into.
    pub scope: Option<ServiceKey>,
    pub context: ContextInfo,
    pub accent: Option<ratatui::style::Color>,
    pub read_only: bool,
    pub theme_name: String,
    pub themes: Vec<String>,
    pub now: Millis,
    pub size: (u16, u16),
    /// A one-line message for the footer, and when it was set.
    pub flash: Option<(String, Millis)>,
    /// While the first load of services is still coming in: (clusters read, clusters in all).
    pub services_loading: Option<(usize, usize)>,
    /// The last confirmed action: at work, waiting until stable, or its outcome.
    pub progress: Option<progress::Progress>,
    pub quit: bool,
    /// Something visible changed since the last draw.
    pub dirty: bool,
    last_watch: Option<Watch>,
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
        Self {
            pane: Pane::Services,
            mode: Mode::Normal,
            services: Table::default(),
            tasks: Table::default(),
            images: Table::default(),
            alarms: Table::default(),
            logs: LogView {
                buf: LogBuffer::new(o.log_lines, o.log_bytes),
                service: None,
                follow: true,
                scroll: 0,
                filter: String::new(),
                fetched_at: None,
                error: None,
            },
            scope: None,
            context: o.context,
            accent: o.accent,
            read_only: o.read_only,
            theme_name: o.theme,
            themes: o.themes,
            now,
            size: (120, 40),
            flash: None,
            services_loading: None,
            progress: None,
            quit: false,
            dirty: true,
            last_watch: None,
        }
    }

    /// The selected service on the services pane.
    pub fn selected_service(&self) -> Option<&Service> {
        self.services.selected_item()
    }

    pub fn scoped_service(&self) -> Option<&Service> {
        let k = self.scope.as_ref()?;
        self.services
            .items
            .iter()
            .find(|s| s.cluster == k.cluster && s.name == k.name)
    }

    /// The service an action key acts on: the selected one, or the one drilled into.
    pub fn action_target(&self) -> Option<&Service> {
        match self.pane {
            Pane::Services => self.selected_service(),
            Pane::Tasks => self.scoped_service(),
            _ => None,
        }
    }

    /// What the pollers should watch, derived from what is on screen.
    pub fn watch(&self) -> Watch {
        let service = match self.pane {
            Pane::Tasks => self.scope.clone(),
            Pane::Logs => self.logs.service.clone(),
            _ => None,
        };
        Watch {
            pane: self.pane,
            service,
            fast: self.services.items.iter().any(Service::in_progress)
                || self
                    .progress
                    .as_ref()
                    .is_some_and(progress::Progress::active),
        }
    }

    /// When the data on the current pane was fetched, and its error if the last fetch failed.
    pub fn freshness(&self) -> (Option<Millis>, Option<&CloudError>) {
        match self.pane {
            Pane::Services => (self.services.fetched_at, self.services.error.as_ref()),
            Pane::Tasks => (self.tasks.fetched_at, self.tasks.error.as_ref()),
            Pane::Images => (self.images.fetched_at, self.images.error.as_ref()),
            Pane::Alarms => (self.alarms.fetched_at, self.alarms.error.as_ref()),
            Pane::Logs => (self.logs.fetched_at, self.logs.error.as_ref()),
        }
    }

    pub fn flash(&mut self, msg: impl Into<String>) {
        self.flash = Some((msg.into(), self.now));
        self.dirty = true;
    }

    pub fn switch_pane(&mut self, pane: Pane) {
        if pane == Pane::Logs {
            self.follow_logs_of_selection();
        }
        if pane == Pane::Services && self.scope.take().is_some() {
            // The tasks shown were the drilled service's; the unscoped pane starts afresh.
            self.tasks = Table::default();
        }
        self.pane = pane;
        self.mode = Mode::Normal;
        self.dirty = true;
    }

    /// The logs pane follows the drilled-into service, else the one selected on services.
    pub(crate) fn follow_logs_of_selection(&mut self) {
        let target = self
            .scope
            .clone()
            .or_else(|| self.selected_service().map(Service::key));
        if target != self.logs.service {
            self.logs.buf.clear();
            self.logs.service = target;
            self.logs.fetched_at = None;
            self.logs.error = None;
            self.logs.follow = true;
            self.logs.scroll = 0;
        }
    }
}

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut effects = Vec::new();
    match msg {
        Msg::Key(key) => input::on_key(state, key, &mut effects),
        Msg::Resize(w, h) => {
            state.size = (w, h);
            state.dirty = true;
        }
        Msg::Tick(now) => {
            // Ages and countdowns on screen move by the second.
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
        Msg::Context(mut c) => {
            // Whether a context is production is the config's word, and so is its name.
            c.prod = state.context.prod;
            if !state.context.name.is_empty() {
                c.name = state.context.name.clone();
            }
            state.dirty |= c != state.context;
            state.context = c;
        }
        Msg::ServicesPart(mut v, done, total, at) => {
            // Only until the first whole list: after that a part would hide rows.
            if state.services.fetched_at.is_none() || state.services_loading.is_some() {
                rows::sort_services(&mut v);
                state.services.replace(v, at);
                state.services_loading = Some((done, total));
                state.dirty = true;
            }
        }
        Msg::Services(mut v, at) => {
            state.dirty |= state.services_loading.take().is_some();
            rows::sort_services(&mut v);
            if let Some(p) = &mut state.progress {
                state.dirty |= p.observe(&v, at);
            }
            state.dirty |= state.services.replace(v, at) && state.pane != Pane::Logs;
        }
        Msg::Tasks(scope, mut v, at) => {
            if scope == state.scope {
                rows::sort_tasks(&mut v);
                state.dirty |= state.tasks.replace(v, at);
            }
        }
        Msg::Images(mut v, at) => {
            rows::sort_images(&mut v);
            state.dirty |= state.images.replace(v, at);
        }
        Msg::Alarms(mut v, at) => {
            rows::sort_alarms(&mut v);
            state.dirty |= state.alarms.replace(v, at);
        }
        Msg::Logs(key, lines, at) => {
            if state.logs.service.as_ref() == Some(&key) {
                let in_rollout_view =
                    state.pane == Pane::Tasks && state.scope.as_ref() == Some(&key);
                for l in &lines {
                    state.logs.buf.push(l);
                }
                if !state.logs.follow {
                    // Keep the paused view where it was: only lines the filter shows move it.
                    let needle = state.logs.filter.to_lowercase();
                    let shown = lines
                        .iter()
                        .filter(|l| logs::passes(&l.task_id, &l.message, &needle))
                        .count();
                    let max = state.logs.buf.len().saturating_sub(1);
                    state.logs.scroll = (state.logs.scroll + shown).min(max);
                }
                state.logs.fetched_at = Some(at);
                state.logs.error = None;
                state.dirty |= state.pane == Pane::Logs || in_rollout_view;
            }
        }
        Msg::Failed(res, err, _at) => {
            let slot = match res {
                Resource::Services => &mut state.services.error,
                Resource::Tasks => &mut state.tasks.error,
                Resource::Images => &mut state.images.error,
                Resource::Alarms => &mut state.alarms.error,
                Resource::Logs => &mut state.logs.error,
            };
            if slot.as_ref() != Some(&err) {
                *slot = Some(err);
                state.dirty = true;
            }
        }
        Msg::ActionDone(result) => {
            match &mut state.progress {
                Some(p) => {
                    p.done(&result, state.now);
                    state.dirty = true;
                }
                None => state.flash(match result {
                    Ok(m) => m,
                    Err(m) => format!("✗ {m}"),
                }),
            }
            effects.push(Effect::Refresh);
        }
        Msg::Quit => state.quit = true,
    }
    let watch = state.watch();
    if state.last_watch.as_ref() != Some(&watch) {
        state.last_watch = Some(watch.clone());
        effects.push(Effect::Watch(watch));
    }
    effects
}
