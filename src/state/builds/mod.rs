//! The builds pane's state: runs of every mapped workflow, the open run's detail, the build
//! dialog, what the CI worker should poll, and the deploy dialog's choice of target.

pub(crate) mod commands;
pub mod plan;

use crate::model::{
    ApiError, At, BuildSource, Image, RateInfo, Run, RunDetail, RunRef, Service, ServiceKey,
    Workflow, WorkflowInput,
};
use crate::state::table::Table;
use crate::state::{Effect, Mode, Pane, State};

/// What the CI worker polls, derived from what is on screen and what this console started.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CiWatch {
    /// Every mapped workflow: polled while the builds pane is on screen.
    pub workflows: Vec<Workflow>,
    pub visible: bool,
    /// The run whose detail is open.
    pub detail: Option<(Workflow, u64)>,
    /// Unfinished runs started from this console: polled even off screen.
    pub mine: Vec<(Workflow, u64)>,
}

/// The run detail: which run, and what was read of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailView {
    pub run: RunRef,
    pub workflow: Workflow,
    pub data: Option<RunDetail>,
    pub error: Option<ApiError>,
    pub fetched_at: Option<At>,
}

/// The inputs of the build dialog as they load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inputs {
    Loading,
    Loaded(Vec<(WorkflowInput, String)>),
    Failed(String),
}

/// The build dialog: the workflow, the editable ref and inputs, and which field has focus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildForm {
    pub service: ServiceKey,
    pub source: BuildSource,
    pub git_ref: String,
    /// The ref the inputs were read at.
    pub inputs_ref: String,
    pub inputs: Inputs,
    /// 0 is the ref, then the inputs in order.
    pub focus: usize,
    pub editing: bool,
}

impl BuildForm {
    pub fn fields(&self) -> usize {
        1 + match &self.inputs {
            Inputs::Loaded(v) => v.len(),
            Inputs::Loading | Inputs::Failed(_) => 0,
        }
    }

    /// (name, value) of every input, as the dispatch sends them.
    pub fn values(&self) -> Vec<(String, String)> {
        match &self.inputs {
            Inputs::Loaded(v) => v
                .iter()
                .map(|(i, val)| (i.name.clone(), val.clone()))
                .collect(),
            Inputs::Loading | Inputs::Failed(_) => Vec::new(),
        }
    }

    /// The text of the focused field, to edit.
    pub fn focused_mut(&mut self) -> Option<&mut String> {
        match (self.focus, &mut self.inputs) {
            (0, _) => Some(&mut self.git_ref),
            (n, Inputs::Loaded(v)) => v.get_mut(n - 1).map(|(_, val)| val),
            (_, Inputs::Loading | Inputs::Failed(_)) => None,
        }
    }
}

/// A deploy dialog's other targets: the service, its paired canary, or the other services
/// that run the image's repository; `Tab` moves between them.
#[derive(Debug, Clone, PartialEq)]
pub struct DeployChoice {
    pub image: Image,
    pub targets: Vec<ServiceKey>,
    pub at: usize,
}

#[derive(Debug, Default)]
pub struct Builds {
    pub runs: Table<Run>,
    pub detail: Option<DetailView>,
    /// `[[build]]` entries of the config: (service or cluster/service, source).
    pub mapping: Vec<(String, BuildSource)>,
    /// Why there is no CI (no token): the pane says it, and how to set one.
    pub unavailable: Option<String>,
    pub rate: Option<RateInfo>,
    /// GitHub rate-limited the console: no call before this.
    pub waiting_until: Option<At>,
    /// Runs started from this console, polled until they finish.
    pub mine: Vec<(Workflow, u64)>,
    pub deploy: Option<DeployChoice>,
    pub(crate) last_watch: Option<CiWatch>,
    /// The mapped workflows, and which services list they were read from (its fetch time and
    /// length, and the context): read again only when that list changes, not on every message.
    mapped: (Option<ListStamp>, Vec<Workflow>),
}

/// Which services list something was read from: its fetch time, its length, the context.
type ListStamp = (Option<At>, usize, u64);

impl Builds {
    /// The workflow that builds `s`: its `[[build]]` entry (by cluster/name first, then name),
    /// else its tags.
    pub fn source_of(&self, s: &Service) -> Option<BuildSource> {
        self.source_ref(s).cloned()
    }

    /// `source_of` without a copy: this runs over every service when the list changes.
    fn source_ref<'a>(&'a self, s: &'a Service) -> Option<&'a BuildSource> {
        let is_full = |k: &str| k.split_once('/') == Some((s.cluster.as_str(), s.name.as_str()));
        self.mapping
            .iter()
            .find(|(k, _)| is_full(k))
            .or_else(|| self.mapping.iter().find(|(k, _)| *k == s.name))
            .map(|(_, src)| src)
            .or(s.build.as_ref().and_then(|b| b.as_ref().ok()))
    }

    /// The service's build tag GitHub could not have given, unless a `[[build]]` entry maps it.
    pub fn bad_tag<'a>(&self, s: &'a Service) -> Option<&'a crate::model::BadBuildTag> {
        if self.source_ref(s).is_some() {
            return None;
        }
        s.build.as_ref().and_then(|b| b.as_ref().err())
    }

    /// The services a workflow builds, in the services pane's order.
    pub fn services_of<'a>(&self, w: &Workflow, all: &'a [Service]) -> Vec<&'a Service> {
        all.iter()
            .filter(|s| self.source_ref(s).is_some_and(|src| &src.workflow == w))
            .collect()
    }

    /// Every mapped workflow, sorted.
    pub fn workflows(&self, all: &[Service]) -> Vec<Workflow> {
        let mut v: Vec<&Workflow> = all
            .iter()
            .filter_map(|s| self.source_ref(s).map(|src| &src.workflow))
            .collect();
        v.sort();
        v.dedup();
        v.into_iter().cloned().collect()
    }

    /// The mapped workflows of the services last read (kept by `refresh_mapped`).
    pub fn mapped(&self) -> &[Workflow] {
        &self.mapped.1
    }

    /// The runs of the last poll of `polled` replace theirs; the others' stay.
    pub fn take_runs(&mut self, polled: &[Workflow], mut fresh: Vec<Run>, at: At) -> bool {
        let mut all: Vec<Run> = self
            .runs
            .items
            .iter()
            .filter(|r| !polled.contains(&r.workflow))
            .cloned()
            .collect();
        all.append(&mut fresh);
        all.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
        let done: Vec<(Workflow, u64)> = self
            .mine
            .iter()
            .filter(|(w, id)| {
                all.iter()
                    .any(|r| &r.workflow == w && r.id == *id && !r.status.is_open())
            })
            .cloned()
            .collect();
        self.mine.retain(|m| !done.contains(m));
        self.runs.replace(all, at)
    }
}

impl State {
    /// What the CI worker should poll now.
    pub fn ci_watch(&self) -> CiWatch {
        CiWatch {
            workflows: self.builds.mapped.1.clone(),
            visible: self.ctx.pane == Pane::Builds,
            detail: self
                .builds
                .detail
                .as_ref()
                .filter(|_| self.ctx.pane == Pane::Builds)
                .map(|d| (d.workflow.clone(), d.run.id)),
            mine: self.builds.mine.clone(),
        }
    }

    /// The selected run of the builds pane.
    pub fn selected_run(&self) -> Option<&Run> {
        self.builds.runs.selected_item()
    }

    /// The run the detail shows, as last listed.
    pub fn detail_run(&self) -> Option<&Run> {
        let d = self.builds.detail.as_ref()?;
        self.builds.runs.items.iter().find(|r| r.key() == d.run)
    }

    /// The run a builds key acts on: the open detail's, else the selected one.
    pub fn run_target(&self) -> Option<&Run> {
        self.detail_run().or_else(|| self.selected_run())
    }
}

/// Tells the CI worker when what it should poll changed.
pub(crate) fn watch_effect(state: &mut State, effects: &mut Vec<Effect>) {
    refresh_mapped(state);
    let w = state.ci_watch();
    if state.builds.last_watch.as_ref() != Some(&w) {
        state.builds.last_watch = Some(w.clone());
        effects.push(Effect::WatchBuilds(w));
    }
}

/// Reads the mapped workflows again when the services list changed since.
fn refresh_mapped(state: &mut State) {
    let s = &state.ctx.services;
    let from = Some((s.fetched_at, s.items.len(), state.ctx.target.generation));
    if state.builds.mapped.0 != from {
        let workflows = state.builds.workflows(&s.items);
        state.builds.mapped = (from, workflows);
    }
}

/// `Enter` on a run: its detail; `Esc` closes it.
pub(crate) fn open_detail(state: &mut State) {
    let Some(r) = state.selected_run() else {
        return;
    };
    state.builds.detail = Some(DetailView {
        run: r.key(),
        workflow: r.workflow.clone(),
        data: None,
        error: None,
        fetched_at: None,
    });
    state.dirty = true;
}

pub(crate) fn close_detail(state: &mut State) -> bool {
    let open = state.builds.detail.take().is_some();
    state.dirty |= open;
    open
}

/// The GitHub client is ready, or why there is none (no token).
pub(crate) fn on_ci_ready(state: &mut State, why: Option<String>) {
    state.dirty |= state.builds.unavailable != why;
    state.builds.unavailable = why;
}

/// The runs of the polled workflows, newest first.
pub(crate) fn on_runs(state: &mut State, polled: &[Workflow], runs: Vec<Run>, at: At) {
    let changed = state.builds.take_runs(polled, runs, at);
    state.dirty |= changed && state.ctx.pane == Pane::Builds;
}

/// The open run's jobs, steps and failing log.
pub(crate) fn on_run_detail(state: &mut State, d: RunDetail, at: At) {
    if let Some(v) = state.builds.detail.as_mut().filter(|v| v.run == d.run) {
        state.dirty |= v.data.as_ref() != Some(&d) || v.error.is_some();
        v.data = Some(d);
        v.error = None;
        v.fetched_at = Some(at);
    }
}

pub(crate) fn on_run_detail_failed(state: &mut State, run: RunRef, e: ApiError) {
    if let Some(v) = state.builds.detail.as_mut().filter(|v| v.run == run) {
        state.dirty |= v.error.as_ref() != Some(&e);
        v.error = Some(e);
    }
}

/// GitHub's last rate-limit headers, and until when the client waits after a limit.
pub(crate) fn on_rate(state: &mut State, rate: Option<RateInfo>, until: Option<At>) {
    let b = &mut state.builds;
    let changed = b.rate != rate || b.waiting_until != until;
    state.dirty |= changed && state.ctx.pane == Pane::Builds;
    b.rate = rate;
    b.waiting_until = until;
}

/// The build dialog's inputs arrived (or could not be read).
pub(crate) fn on_inputs(
    state: &mut State,
    w: Workflow,
    git_ref: String,
    r: Result<Vec<WorkflowInput>, ApiError>,
) {
    let Mode::Build(form) = &mut state.mode else {
        return;
    };
    if form.source.workflow != w || form.inputs_ref != git_ref {
        return;
    }
    form.inputs = match r {
        Ok(v) => Inputs::Loaded(
            v.into_iter()
                .map(|i| {
                    let val = i.default.clone();
                    (i, val)
                })
                .collect(),
        ),
        Err(e) => Inputs::Failed(e.to_string()),
    };
    state.dirty = true;
}

/// Runs started here that are followed until they finish, at most.
const MINE_KEPT: usize = 16;

/// A dispatch came back with its run: follow it until it finishes.
pub(crate) fn on_dispatched(state: &mut State, w: Workflow, run: Option<u64>) {
    if let Some(id) = run
        && !state
            .builds
            .mine
            .iter()
            .any(|(mw, mid)| mw == &w && *mid == id)
    {
        state.builds.mine.push((w, id));
        // A run that never shows as finished (gone from the newest runs listed) is not
        // followed for ever: the oldest goes first.
        if state.builds.mine.len() > MINE_KEPT {
            state.builds.mine.remove(0);
        }
    }
    state.dirty = true;
}
