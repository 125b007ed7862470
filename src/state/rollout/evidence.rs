//! The evidence beside a rollout: which alarms belong to which service, the canary against the
//! primary, the deployment history, task definitions for the diff, and the open alarm's detail.
//! The reducer says what is wanted (`request`); the evidence worker fetches it and answers with
//! `Fetched`; nothing here waits.

use crate::model::evidence::{AlbFigures, Sides, sides};
use crate::model::{
    ActionPlan, Alarm, AlarmDetail, AlarmLink, AlarmState, ApiResult, AwsCall, MetricSpec, Millis,
    Mutation, PastDeployment, Service, ServiceKey, TaskDefRef, TaskDefinition, Verb, find_linked,
    pair_of,
};
use crate::state::context::Context;
use crate::state::{Mode, Pane, State};
use std::collections::{HashMap, VecDeque};

/// Task definitions kept for diffs.
pub const TASKDEFS_KEPT: usize = 32;

/// What the evidence worker should fetch now: only what is on screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// The comparison of a rollout view or a promote or abort dialog.
    pub sides: Option<Sides>,
    /// The service of an open promote or abort dialog: opening one reads the figures afresh.
    pub dialog: Option<ServiceKey>,
    /// Task definitions a diff on screen compares.
    pub taskdefs: Vec<TaskDefRef>,
    /// A native service whose deployment history the rollout view shows.
    pub history_of: Option<ServiceKey>,
    /// The alarm whose detail is open, and its metric.
    pub alarm: Option<(String, Option<MetricSpec>)>,
}

impl Request {
    pub fn is_empty(&self) -> bool {
        *self == Request::default()
    }
}

/// What the evidence worker brings back.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched {
    /// The canary's and the primary's figures, for the sides they were fetched for.
    Alb(Box<AlbResult>),
    TaskDef {
        td: TaskDefRef,
        result: ApiResult<TaskDefinition>,
    },
    AlarmDetail {
        detail: AlarmDetail,
        /// Why the points or the history could not be read, if one could not.
        errors: Vec<String>,
        at: Millis,
    },
}

/// The comparison's figures, for the sides they were fetched for.
#[derive(Debug, Clone, PartialEq)]
pub struct AlbResult {
    pub sides: Sides,
    pub figures: ApiResult<(AlbFigures, AlbFigures)>,
    pub at: Millis,
}

#[derive(Debug, Default)]
pub struct Evidence {
    /// The alarms of each service, by name.
    pub links: HashMap<ServiceKey, Vec<AlarmLink>>,
    /// Which links these are, as the pollers numbered them: a later set that arrives first
    /// is kept over an earlier one.
    pub(crate) links_made: u64,
    pub alb: Option<AlbResult>,
    /// The last read whose figures came back: what remains when a later read fails.
    pub alb_ok: Option<AlbResult>,
    pub taskdefs: HashMap<TaskDefRef, ApiResult<TaskDefinition>>,
    /// The order they came in, to drop the oldest.
    taskdef_order: VecDeque<TaskDefRef>,
    pub alarm_detail: Option<(AlarmDetail, Vec<String>, Millis)>,
    /// What was last asked of the worker.
    pub(crate) last_request: Option<Request>,
    /// Lines scrolled in the diff or events overlay.
    pub scroll: u16,
    /// The verdict of each rollout read, with its streak.
    pub verdicts: super::verdict::Verdicts,
    /// The one rollout the policy is armed for (`:arm`).
    pub armed: Option<super::policy::Armed>,
}

impl Evidence {
    /// The context's workers start anew: the new evidence worker has been asked nothing.
    pub(crate) fn workers_restarted(&mut self) {
        self.last_request = None;
        self.links_made = 0;
        // Nothing was read while the context was away: a verdict's streak would count that
        // time as held, and an armed policy act on it. Verdicts start again from fresh reads.
        self.verdicts.clear();
    }

    fn keep_taskdef(&mut self, td: TaskDefRef, r: ApiResult<TaskDefinition>) {
        if self.taskdefs.insert(td.clone(), r).is_none() {
            self.taskdef_order.push_back(td);
        }
        while self.taskdef_order.len() > TASKDEFS_KEPT {
            if let Some(old) = self.taskdef_order.pop_front() {
                self.taskdefs.remove(&old);
            }
        }
    }

    /// A task definition fetched, or why it could not be.
    pub fn taskdef(&self, td: &TaskDefRef) -> Option<&ApiResult<TaskDefinition>> {
        self.taskdefs.get(td)
    }
}

impl Context {
    /// The alarms linked to `key`, with why.
    pub fn alarms_of(&self, key: &ServiceKey) -> impl Iterator<Item = (&Alarm, &AlarmLink)> {
        self.evidence
            .links
            .get(key)
            .into_iter()
            .flatten()
            .filter_map(|l| Some((find_linked(&self.alarms.items, l)?, l)))
    }

    /// The alarms of `key` that fire now.
    pub fn firing_alarms_of(&self, key: &ServiceKey) -> impl Iterator<Item = &Alarm> {
        self.alarms_of(key)
            .map(|(a, _)| a)
            .filter(|a| a.state == AlarmState::Alarm)
    }

    /// The sides the rollout view (or a dialog about `s`) compares.
    pub fn sides_of(&self, s: &Service) -> Option<Sides> {
        let pair = pair_of(s, &self.services.items);
        sides(s, pair, self.tasks_of(&s.key()))
    }

    /// The tasks loaded for `key`: the rollout view's, when it shows that service or its
    /// paired partner.
    pub fn tasks_of(&self, key: &ServiceKey) -> &[crate::model::Task] {
        if self.rollout.as_ref() == Some(key) {
            &self.rollout_view.tasks
        } else if self.rollout.is_some() && self.rollout_partner().as_ref() == Some(key) {
            &self.rollout_view.partner_tasks
        } else {
            &[]
        }
    }

    /// The other service of the pair the rollout view's service belongs to, if it is one.
    pub fn rollout_partner(&self) -> Option<ServiceKey> {
        let s = self.rollout_service()?;
        let (p, c) = pair_of(s, &self.services.items)?;
        let other = if p.key() == s.key() { c } else { p };
        Some(other.key())
    }
}

/// The two revisions a diff about `s` compares, oldest first: what it rolls out from and to;
/// after a rollback, the revision it is back on and the one rolled back; otherwise the last
/// stable revision and the current one.
pub fn diff_pair(s: &Service, all: &[Service]) -> Option<(TaskDefRef, TaskDefRef)> {
    if let Some(n) = s.native.as_ref().filter(|n| n.status.is_moving()) {
        return Some((n.source()?.task_def.clone(), n.target.task_def.clone()));
    }
    if let Some(d) = s.cd_in_flight() {
        let original = s
            .task_sets
            .iter()
            .find(|t| !d.owns(t) && t.task_def != d.task_def);
        return Some((original?.task_def.clone(), d.task_def.clone()));
    }
    if let Some((p, c)) = pair_of(s, all)
        && p.task_def != c.task_def
    {
        return Some((p.task_def.clone(), c.task_def.clone()));
    }
    if let Some(d) = s.rolling_in_progress() {
        let from = s.deployments.iter().find(|o| o.id != d.id)?;
        return Some((from.task_def.clone(), d.task_def.clone()));
    }
    if let Some(here) = s.rolled_back_here()
        && here.failed.revision.revision > 0
    {
        return Some((s.task_def.clone(), here.failed.revision.clone()));
    }
    let stable = s.last_stable()?;
    Some((stable.revision, s.task_def.clone()))
}

/// The revisions an action's dialog compares: what its `UpdateService` moves from and to, or
/// what the service rolls out.
pub fn plan_pair(plan: &ActionPlan, all: &[Service]) -> Option<(TaskDefRef, TaskDefRef)> {
    if let Mutation::Aws(AwsCall::UpdateService {
        task_def: Some(to), ..
    }) = &plan.mutation
    {
        return Some((plan.expect.task_def.clone(), to.clone()));
    }
    let s = all.iter().find(|s| s.key() == plan.service)?;
    diff_pair(s, all)
}

/// What the worker should fetch for the screen as it is.
pub fn request(state: &State) -> Request {
    let mut r = Request::default();
    let all = &state.ctx.services.items;
    match &state.mode {
        Mode::Confirm(plan, _) => {
            if let Some(s) = all.iter().find(|s| s.key() == plan.service)
                && matches!(plan.verb, Verb::Promote | Verb::Abort)
            {
                r.sides = state.ctx.sides_of(s);
                r.dialog = Some(s.key());
            }
            r.taskdefs = pair_list(plan_pair(plan, all));
        }
        Mode::Diff(key) => {
            if let Some(s) = all.iter().find(|s| s.key() == *key) {
                r.taskdefs = pair_list(diff_pair(s, all));
            }
        }
        Mode::Detail if state.ctx.pane == Pane::Alarms => {
            if let Some(a) = state.ctx.alarms.selected_item() {
                r.alarm = Some((a.name.clone(), a.spec.metric.clone()));
            }
        }
        // The other modes show no evidence of their own.
        Mode::Normal | Mode::Filter | Mode::Palette(_) | Mode::Help | Mode::Detail => {}
        Mode::Scale(_) | Mode::Budget | Mode::Events(_) | Mode::Build(_) => {}
        Mode::Exec(_) | Mode::Terminal | Mode::Forwards => {}
        Mode::Describe | Mode::DescribeSearch | Mode::Arm(_) => {}
        Mode::Fleet | Mode::FleetSearch => {}
        Mode::Jobs | Mode::StopWatching(_) => {}
    }
    if state.ctx.in_rollout_view()
        && let Some(s) = state.ctx.rollout_service()
    {
        if !matches!(state.mode, Mode::Confirm(..) | Mode::Diff(_)) {
            r.sides = state.ctx.sides_of(s);
            r.taskdefs = pair_list(diff_pair(s, all));
        }
        if s.has_deployment_history() {
            r.history_of = Some(s.key());
        }
    }
    // An armed policy judges on figures read while nothing else is shown, too.
    if r.sides.is_none()
        && let Some(a) = &state.ctx.evidence.armed
        && let Some(s) = all.iter().find(|s| s.key() == a.service)
    {
        r.sides = state.ctx.sides_of(s);
    }
    r
}

fn pair_list(p: Option<(TaskDefRef, TaskDefRef)>) -> Vec<TaskDefRef> {
    p.map_or_else(Vec::new, |(a, b)| vec![a, b])
}

/// The worker's answer.
pub(crate) fn on_fetched(state: &mut State, f: Fetched) {
    let shown = state.ctx.in_rollout_view() || !matches!(state.mode, Mode::Normal | Mode::Filter);
    match f {
        Fetched::Alb(r) => {
            super::verdict::on_read(state, &r);
            if r.figures.is_ok() {
                state.ctx.evidence.alb_ok = Some((*r).clone());
            }
            state.ctx.evidence.alb = Some(*r);
        }
        Fetched::TaskDef { td, result } => state.ctx.evidence.keep_taskdef(td, result),
        Fetched::AlarmDetail { detail, errors, at } => {
            state.ctx.evidence.alarm_detail = Some((detail, errors, at));
        }
    }
    state.dirty |= shown;
}

/// Tells the worker what the screen needs when that changed.
pub(crate) fn wanted(state: &mut State, effects: &mut Vec<crate::state::Effect>) {
    let now = request(state);
    if state.ctx.evidence.last_request.as_ref() != Some(&now) {
        state.ctx.evidence.last_request = Some(now.clone());
        effects.push(crate::state::Effect::Evidence(Box::new(now)));
    }
}

/// The deployments the rollout view and the row show of `s`, newest first.
pub fn shown_history(s: &Service) -> impl Iterator<Item = &PastDeployment> {
    s.history.iter()
}

/// The last read for `sides` whose figures came back, if one did.
pub fn alb_ok_for<'a>(state: &'a State, sides: &Sides) -> Option<&'a AlbResult> {
    state
        .ctx
        .evidence
        .alb_ok
        .as_ref()
        .filter(|r| r.sides == *sides)
}

/// The ALB result for `sides`, if the last one fetched is for them.
pub fn alb_for<'a>(state: &'a State, sides: &Sides) -> Option<&'a AlbResult> {
    state
        .ctx
        .evidence
        .alb
        .as_ref()
        .filter(|r| r.sides == *sides)
}
