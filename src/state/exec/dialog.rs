//! The exec dialog: which running task (of a service, or the selected one), which container,
//! the command (editable), and whether the session takes a pane or the whole terminal. What
//! would stop exec is said in it before anything is called; a production context asks for
//! the service's name.

use super::{ExecEffect, Hold, OpenSession, Phase, Screen, Session};
use crate::keys::{Command, ModeKey};
use crate::model::exec::{Readiness, readiness};
use crate::model::{ExecTarget, Service, ServiceKey, Task, TaskStatus};
use crate::state::{Effect, Mode, Pane, State};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Task,
    Container,
    Command,
    Hold,
}

const FIELDS: [Field; 4] = [Field::Task, Field::Container, Field::Command, Field::Hold];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecDialog {
    /// The service whose tasks are offered; None for a task of no service.
    pub service: Option<ServiceKey>,
    pub tasks: Vec<Task>,
    /// The service's tasks are being read.
    pub loading: bool,
    pub load_error: Option<String>,
    pub task: usize,
    pub container: usize,
    pub command: String,
    pub hold: Hold,
    pub field: Field,
    /// Production: the name typed to confirm, once Enter asked for it.
    pub typed: Option<String>,
}

impl ExecDialog {
    pub fn selected_task(&self) -> Option<&Task> {
        self.tasks.get(self.task)
    }

    /// The selected container's name.
    pub fn container_name(&self) -> Option<&str> {
        let t = self.selected_task()?;
        t.containers.get(self.container).map(|c| c.name.as_str())
    }

    /// The name a production context asks for: the service's, else the task's id.
    pub fn confirm_name(&self) -> String {
        match (&self.service, self.selected_task()) {
            (Some(s), _) => s.name.clone(),
            (None, Some(t)) => t.id.clone(),
            (None, None) => String::new(),
        }
    }

    /// What stops exec on the selection, and what to know before the call.
    pub fn readiness(&self, state: &State) -> Option<Readiness> {
        let task = self.selected_task()?;
        let container = self.container_name().unwrap_or_default();
        let service = state
            .ctx
            .services
            .items
            .iter()
            .find(|s| s.cluster == task.cluster && s.name == task.service);
        let cluster = state
            .ctx
            .exec_clusters
            .get(&task.cluster)
            .and_then(|r| r.as_ref().ok());
        Some(readiness(task, container, service, cluster))
    }

    /// Keeps the running tasks of a fresh read, the selected one still selected.
    pub fn take_tasks(&mut self, tasks: Vec<Task>) {
        let selected = self.selected_task().map(|t| t.id.clone());
        self.tasks = running(tasks);
        self.task = selected
            .and_then(|id| self.tasks.iter().position(|t| t.id == id))
            .unwrap_or(0);
        self.container = self.container.min(self.container_count().saturating_sub(1));
        self.loading = false;
    }

    fn container_count(&self) -> usize {
        self.selected_task().map_or(0, |t| t.containers.len())
    }

    fn step(&mut self) {
        match self.field {
            Field::Task if !self.tasks.is_empty() => {
                self.task = (self.task + 1) % self.tasks.len();
                self.container = 0;
            }
            Field::Container if self.container_count() > 0 => {
                self.container = (self.container + 1) % self.container_count();
            }
            Field::Hold => {
                self.hold = match self.hold {
                    Hold::Pane => Hold::FullScreen,
                    Hold::FullScreen => Hold::Pane,
                }
            }
            // No task or container to step through; the command is typed.
            Field::Task | Field::Container | Field::Command => {}
        }
    }

    fn move_field(&mut self, by: isize) {
        let i = FIELDS.iter().position(|f| *f == self.field).unwrap_or(0) as isize;
        let n = FIELDS.len() as isize;
        self.field = FIELDS[(i + by).rem_euclid(n) as usize];
    }
}

/// Running tasks, newest first as the backend listed them.
fn running(tasks: Vec<Task>) -> Vec<Task> {
    tasks
        .into_iter()
        .filter(|t| t.last_status == TaskStatus::Running && !t.desired_status.is_stopped())
        .collect()
}

/// `E` or `:exec`: the dialog for the selected task, or a running task of the selected
/// service (or the rollout view's).
pub(in crate::state) fn open_dialog(
    state: &mut State,
    command: Option<String>,
    fx: &mut Vec<Effect>,
) {
    if state.ctx.read_only {
        return state.flash("refused: the console is read-only; exec opens no session");
    }
    if state
        .exec
        .session
        .as_ref()
        .is_some_and(|s| !s.phase.is_over())
    {
        return state.flash("a session is open already: end it (exit in its shell) first");
    }
    let (service, tasks, loading) = match offered(state, fx) {
        Ok(o) => o,
        Err(why) => return state.flash(why),
    };
    let mut dialog = ExecDialog {
        loading: false,
        service,
        tasks: Vec::new(),
        load_error: None,
        task: 0,
        container: 0,
        command: command.unwrap_or_else(|| state.exec.config.command.clone()),
        hold: if state.exec.config.use_plugin {
            Hold::FullScreen
        } else {
            Hold::Pane
        },
        field: Field::Task,
        typed: None,
    };
    dialog.take_tasks(tasks);
    dialog.loading = loading;
    let cluster = dialog
        .tasks
        .first()
        .map(|t| t.cluster.clone())
        .or_else(|| dialog.service.as_ref().map(|s| s.cluster.clone()));
    if let Some(c) = cluster.filter(|c| !state.ctx.exec_clusters.contains_key(c)) {
        let generation = state.ctx.target.generation;
        fx.push(Effect::Exec(ExecEffect::Inspect(generation, c)));
    }
    state.mode = Mode::Exec(Box::new(dialog));
}

/// The service and the tasks the dialog offers, and whether fresher ones are being read.
fn offered(
    state: &State,
    fx: &mut Vec<Effect>,
) -> Result<(Option<ServiceKey>, Vec<Task>, bool), &'static str> {
    if state.ctx.pane == Pane::Tasks {
        let t = state
            .ctx
            .tasks
            .selected_item()
            .ok_or("select a task first")?;
        return Ok((service_of(t), vec![t.clone()], false));
    }
    let k = state
        .ctx
        .action_target()
        .map(Service::key)
        .ok_or("select a task or a service first")?;
    let known = state
        .ctx
        .tasks
        .items
        .iter()
        .filter(|t| t.cluster == k.cluster && t.service == k.name)
        .cloned()
        .collect();
    fx.push(Effect::Exec(ExecEffect::LoadTasks(k.clone())));
    Ok((Some(k), known, true))
}

fn service_of(t: &Task) -> Option<ServiceKey> {
    (!t.service.is_empty()).then(|| ServiceKey {
        cluster: t.cluster.clone(),
        name: t.service.clone(),
    })
}

pub(in crate::state) fn on_dialog(
    state: &mut State,
    command: Command,
    mut d: ExecDialog,
    fx: &mut Vec<Effect>,
) {
    let Some(key) = command.mode_key() else {
        state.mode = Mode::Exec(Box::new(d));
        return;
    };
    match key {
        ModeKey::Cancel => {
            state.mode = Mode::Normal;
            return state.flash("exec: cancelled; no session was opened");
        }
        ModeKey::Down => d.move_field(1),
        ModeKey::Up => d.move_field(-1),
        ModeKey::Toggle => d.step(),
        ModeKey::Insert(c) => match (&mut d.typed, d.field) {
            (Some(t), _) => t.push(c),
            (None, Field::Command) => d.command.push(c),
            (None, Field::Task | Field::Container | Field::Hold) if c == ' ' => d.step(),
            (None, Field::Task | Field::Container | Field::Hold) => {}
        },
        ModeKey::DeleteChar => {
            match &mut d.typed {
                Some(t) => t.pop(),
                None if d.field == Field::Command => d.command.pop(),
                None => None,
            };
        }
        ModeKey::Confirm | ModeKey::Accept => return confirm(state, d, fx),
        ModeKey::PageDown | ModeKey::PageUp | ModeKey::Top | ModeKey::Bottom => {}
        ModeKey::Complete | ModeKey::OtherTarget => {}
        ModeKey::Search | ModeKey::NextMatch | ModeKey::PrevMatch => {}
    }
    state.mode = Mode::Exec(Box::new(d));
}

/// Enter: refused with the reason when exec cannot work; in production, the name first.
fn confirm(state: &mut State, mut d: ExecDialog, fx: &mut Vec<Effect>) {
    let Some(ready) = d.readiness(state) else {
        state.mode = Mode::Exec(Box::new(d));
        return state.flash("no running task to exec into");
    };
    if let Some(b) = ready.blockers.first() {
        let (what, fix) = b.explain();
        state.mode = Mode::Exec(Box::new(d));
        return state.flash(format!("exec cannot work: {what}; {fix}"));
    }
    if d.command.trim().is_empty() {
        state.mode = Mode::Exec(Box::new(d));
        return state.flash("type a command to run (e.g. /bin/sh)");
    }
    if state.ctx.info.prod {
        let name = d.confirm_name();
        match &d.typed {
            None => {
                d.typed = Some(String::new());
                state.mode = Mode::Exec(Box::new(d));
                return;
            }
            Some(t) if *t != name => {
                d.typed = Some(String::new());
                state.mode = Mode::Exec(Box::new(d));
                return state.flash(format!(
                    "type {name} exactly to open the session; nothing was opened"
                ));
            }
            Some(_) => {}
        }
    }
    start(state, &d, fx);
}

fn start(state: &mut State, d: &ExecDialog, fx: &mut Vec<Effect>) {
    let (Some(task), Some(container)) = (d.selected_task(), d.container_name()) else {
        return;
    };
    let Some(target) = ExecTarget::of(task, container) else {
        return;
    };
    state.exec.next_id += 1;
    let id = state.exec.next_id;
    let plugin = state.exec.config.use_plugin;
    let hold = if plugin { Hold::FullScreen } else { d.hold };
    let size = match hold {
        Hold::FullScreen => state.size,
        Hold::Pane => super::terminal::pane_guess(state),
    };
    let open = OpenSession {
        id,
        target: target.clone(),
        command: d.command.trim().to_string(),
        size,
        plugin,
        ctx: state.ctx.info.clone(),
    };
    state.exec.session = Some(Session {
        id,
        target,
        command: open.command.clone(),
        hold,
        phase: Phase::Opening,
        session_id: String::new(),
        screen: Screen::new(size.0, size.1, state.exec.config.scrollback),
        encrypted: false,
        agent: String::new(),
        plugin,
    });
    fx.push(Effect::Exec(ExecEffect::Open(Box::new(open))));
    state.mode = Mode::Normal;
    match hold {
        Hold::FullScreen => super::terminal::hand_over(state, fx),
        Hold::Pane => state.mode = Mode::Terminal,
    }
    state.dirty = true;
}
