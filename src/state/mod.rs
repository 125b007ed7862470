//! The console's state and its reducer. `update` is pure: it never waits and never calls AWS;
//! it changes the state and returns the effects for the loop to carry out. Each kind of message
//! has its own handler: keys in `keys`, commands in `commands`, data in `data`.

mod commands;
mod data;
pub mod filter;
pub mod items;
mod keys;
pub mod logs;
mod logs_commands;
mod msg;
mod panes;
pub mod plan;
pub mod progress;
pub mod table;

pub use msg::{Effect, Msg, Viewport, Watch};
pub use panes::{Pane, PaneData};

use crate::keymap::{Keymap, Layer};
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
}

impl Mode {
    /// The key table's layer for this mode; a production dialog asks for the name.
    pub fn layer(&self, prod: bool) -> Layer {
        match self {
            Mode::Normal => Layer::Normal,
            Mode::Filter => Layer::Filter,
            Mode::Palette(_) => Layer::Palette,
            Mode::Help | Mode::Detail => Layer::Overlay,
            Mode::Confirm(..) if prod => Layer::ConfirmTyped,
            Mode::Confirm(..) => Layer::Confirm,
            Mode::Scale(_) => Layer::Scale,
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
    /// The service whose rollout view is open (the tasks pane drilled into it).
    pub rollout: Option<ServiceKey>,
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
            logs: LogView::new(o.log_lines, o.log_bytes),
            rollout: None,
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

    /// The service whose rollout view is open.
    pub fn rollout_service(&self) -> Option<&Service> {
        let k = self.rollout.as_ref()?;
        self.services
            .items
            .iter()
            .find(|s| s.cluster == k.cluster && s.name == k.name)
    }

    /// The rollout view is on screen: the tasks pane drilled into a service.
    pub fn in_rollout_view(&self) -> bool {
        self.pane == Pane::Tasks && self.rollout.is_some()
    }

    /// The service an action key acts on: the selected one, or the one drilled into.
    pub fn action_target(&self) -> Option<&Service> {
        match self.pane {
            Pane::Services => self.selected_service(),
            Pane::Tasks => self.rollout_service(),
            _ => None,
        }
    }

    /// What the pollers should watch, derived from what is on screen.
    pub fn watch(&self) -> Watch {
        let service = match self.pane {
            Pane::Tasks => self.rollout.clone(),
            Pane::Logs => self.logs.service().cloned(),
            _ => None,
        };
        let logs_shown = self.pane == Pane::Logs || self.in_rollout_view();
        Watch {
            pane: self.pane,
            service,
            fast: self.services.items.iter().any(Service::in_progress)
                || self
                    .progress
                    .as_ref()
                    .is_some_and(progress::Progress::active),
            logs: logs_shown.then(|| self.logs.wanted()).flatten(),
        }
    }

    /// The current key layer.
    pub fn layer(&self) -> Layer {
        self.mode.layer(self.context.prod)
    }

    pub fn flash(&mut self, msg: impl Into<String>) {
        self.flash = Some((msg.into(), self.now));
        self.dirty = true;
    }

    pub fn switch_pane(&mut self, pane: Pane) {
        if pane == Pane::Logs {
            self.follow_logs_of_selection();
        }
        if pane == Pane::Services && self.rollout.take().is_some() {
            // The tasks shown were the drilled service's; the unscoped pane starts afresh.
            self.tasks = Table::default();
        }
        self.pane = pane;
        self.mode = Mode::Normal;
        self.dirty = true;
    }

    /// The logs pane follows the drilled-into service, else the one selected on services,
    /// merged with its paired canary.
    pub(crate) fn follow_logs_of_selection(&mut self) {
        let target = logs_commands::target_of_selection(self);
        self.logs.follow_selection(target);
    }

    /// Opens the rollout view of the selected service.
    pub(crate) fn open_rollout_view(&mut self) {
        let Some(key) = self.selected_service().map(Service::key) else {
            return self.flash("select a service first");
        };
        self.rollout = Some(key);
        self.tasks = Table::default();
        self.pane = Pane::Tasks;
        // The rollout view shows the target revision's log lines too.
        self.follow_logs_of_selection();
        logs_commands::note_rollout(self);
    }
}

/// The reducer: one handler per kind of message, then the pollers are told if what is on
/// screen changed.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut effects = Vec::new();
    match msg {
        Msg::Key(key) => keys::on_key(state, key, &mut effects),
        Msg::Resize(w, h) => {
            state.size = (w, h);
            state.dirty = true;
        }
        Msg::Layout(v) => {
            if state.pane == Pane::Logs {
                state.logs.rows = v.list_rows as usize;
            }
            state.viewport = v;
        }
        Msg::Tick(now) => on_tick(state, now),
        Msg::ActionDone(result) => {
            data::on_action_done(state, result);
            effects.push(Effect::Refresh);
        }
        Msg::Quit => state.quit = true,
        data => data::on_data(state, data),
    }
    let watch = state.watch();
    if state.last_watch.as_ref() != Some(&watch) {
        state.last_watch = Some(watch.clone());
        effects.push(Effect::Watch(watch));
    }
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
