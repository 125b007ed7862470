//! Carries out the reducer's effects: tells the pollers what is on screen, refreshes, runs a
//! confirmed action on the backend of the context it was planned in, and switches contexts
//! (the old pollers stop at once; the new backend is built off the loop).

use crate::app::Runtime;
use crate::app::connector::Connector;
use crate::app::context_workers::start;
use crate::budget::Budget;
use crate::ci::Ci;
use crate::cloud::Fleet;
use crate::model::{ActionError, ActionPlan, ApiError, ContextInfo};
use crate::state::{Effect, Msg, State, Target};
use crate::workers::audit::Audit;
use crate::workers::poller::{Handles, Intervals};
use crate::workers::runner;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// The backend on screen: its context, and the pollers that read it.
pub(super) struct Live {
    target: Target,
    fleet: Arc<dyn Fleet>,
    handles: Handles,
}

/// A switch's backend, built off the loop.
pub(super) type Built = (Target, Result<Arc<dyn Fleet>, ApiError>);

/// Messages a context's pollers may queue before they wait for the loop.
pub(super) const DATA_QUEUE: usize = 256;

/// Carries out the reducer's effects.
pub struct Effects {
    /// None while a switch builds the next context's backend.
    live: Option<Live>,
    /// The live pollers' messages. Replaced at a switch, so nothing the old pollers still had
    /// in flight reaches the new context's panes.
    pub(super) data: (mpsc::Sender<Msg>, mpsc::Receiver<Msg>),
    /// Switches' backends, as they are built.
    pub(super) built: (mpsc::Sender<Built>, mpsc::Receiver<Built>),
    connector: Arc<dyn Connector>,
    /// GitHub's side: the same whatever AWS context is on screen.
    ci: Arc<dyn Ci>,
    ci_handles: crate::workers::ci::Handles,
    audit: Arc<Audit>,
    budget: Arc<Budget>,
    intervals: Intervals,
    /// Messages that outlive a switch: an action's outcome.
    tx: mpsc::Sender<Msg>,
    refreshes: u64,
    /// Exec sessions and port forwards (they outlive a switch too).
    pub(super) exec: crate::workers::exec::ExecWorker,
    /// What the reducer asked of the terminal itself, for the loop (which owns it).
    pub(super) screen_ops: Vec<crate::state::exec::ExecEffect>,
    /// The fleet's workers, reading the contexts off screen (None: the fleet is not polled).
    fleet: Option<crate::app::fleet_workers::FleetWorkers>,
    /// `[notify] webhook`'s sender (None: no webhook).
    webhook: Option<crate::workers::webhook::Webhook>,
    /// How the fleet's contexts off screen are read (None: they are not).
    fleet_polling: Option<crate::workers::fleet::FleetPolling>,
    /// The backends of jobs at work, and the watches read while their context is off screen.
    jobs: crate::app::job_watchers::JobWatchers,
}

impl Effects {
    /// Effects for a loop without pollers (a bench or a test drives it with messages).
    pub fn detached(rt: &Runtime, tx: mpsc::Sender<Msg>) -> Self {
        let (watch, _) = watch::channel(State::idle_watch());
        let (refresh, _) = watch::channel(0);
        let (evidence, _) = watch::channel(Default::default());
        let handles = Handles {
            watch,
            refresh,
            evidence,
            tasks: Vec::new(),
        };
        Self::new(
            handles,
            mpsc::channel(DATA_QUEUE),
            Target::default(),
            rt,
            tx,
        )
    }

    pub(super) fn new(
        handles: Handles,
        data: (mpsc::Sender<Msg>, mpsc::Receiver<Msg>),
        target: Target,
        rt: &Runtime,
        tx: mpsc::Sender<Msg>,
    ) -> Self {
        Self {
            live: Some(Live {
                target,
                fleet: rt.fleet.clone(),
                handles,
            }),
            data,
            built: mpsc::channel(4),
            connector: rt.connector.clone(),
            ci: rt.ci.clone(),
            ci_handles: crate::workers::ci::spawn(rt.ci.clone(), tx.clone()),
            audit: rt.audit.clone(),
            budget: rt.budget.clone(),
            intervals: rt.intervals,
            exec: crate::workers::exec::ExecWorker::new(tx.clone(), rt.audit.clone()),
            webhook: rt.webhook.clone().map(|url| {
                crate::workers::webhook::Webhook::spawn(url, rt.budget.clone(), tx.clone())
            }),
            jobs: crate::app::job_watchers::JobWatchers::new(rt.intervals.fast, tx.clone()),
            tx,
            screen_ops: Vec::new(),
            refreshes: 0,
            fleet: None,
            fleet_polling: rt.fleet_polling,
        }
    }

    /// Starts reading the fleet's contexts off screen (`[fleet]`, or the demo's fleet).
    pub(super) fn start_fleet(&mut self, members: Vec<Target>, here: Target, rt: &Runtime) {
        let Some(polling) = rt.fleet_polling.filter(|_| members.len() > 1) else {
            return;
        };
        self.fleet = Some(self.fleet_workers(members, here, polling));
    }

    fn fleet_workers(
        &self,
        members: Vec<Target>,
        here: Target,
        polling: crate::workers::fleet::FleetPolling,
    ) -> crate::app::fleet_workers::FleetWorkers {
        let start = crate::app::fleet_workers::FleetWorkers::start;
        start(&self.connector, members, here, polling, &self.tx)
    }

    /// Contexts joined the fleet: their workers start (the fleet's, if none ran yet).
    fn join_fleet(&mut self, members: Vec<Target>, here: Target) {
        match (&mut self.fleet, self.fleet_polling) {
            (Some(workers), _) => workers.add(members),
            (None, Some(polling)) => self.fleet = Some(self.fleet_workers(members, here, polling)),
            (None, None) => {}
        }
    }

    /// Carries out `effects`; some answer with a message for the reducer at once, which the
    /// caller must hand to it.
    #[must_use = "the replies are messages for the reducer"]
    pub(super) fn apply(&mut self, effects: Vec<Effect>) -> Vec<Msg> {
        let mut replies = Vec::new();
        for e in effects {
            match e {
                Effect::Watch(w) => {
                    if let Some(live) = &self.live {
                        let _ = live.handles.watch.send(w);
                    }
                }
                Effect::Refresh => {
                    self.refreshes += 1;
                    if let Some(live) = &self.live {
                        let _ = live.handles.refresh.send(self.refreshes);
                    }
                    let _ = self.ci_handles.refresh.send(self.refreshes);
                }
                Effect::Evidence(r) => {
                    if let Some(live) = &self.live {
                        let _ = live.handles.evidence.send(*r);
                    }
                }
                Effect::WatchBuilds(w) => {
                    let _ = self.ci_handles.watch.send(w);
                }
                Effect::LoadInputs(w, git_ref) => {
                    let (ci, tx) = (self.ci.clone(), self.tx.clone());
                    crate::workers::ci::load_inputs(ci, tx, w, git_ref);
                }
                Effect::Run(plan, ctx, job) => self.run(*plan, ctx, job),
                Effect::WatchJobs(w) => self.jobs.apply(w),
                Effect::SwitchContext(target) => self.switch(target),
                Effect::ReportBudget => replies.push(Msg::Budget(self.budget.report())),
                Effect::SaveLogs(job) => {
                    tokio::spawn(crate::workers::log_save::save(*job, self.tx.clone()));
                }
                // Between frames: the sequence goes to the terminal, not into the screen.
                Effect::Clipboard(text) => crate::app::terminal::clipboard::copy(&text),
                Effect::Notify(n) => {
                    crate::app::terminal::notify::notify(&n);
                    if let Some(w) = &self.webhook {
                        w.send(&n);
                    }
                }
                e @ (Effect::Export(_)
                | Effect::Compare(_)
                | Effect::Owners(_)
                | Effect::Timeline(_)) => self.look_up(e),
                Effect::Describe(generation, target) => self.describe(generation, target),
                Effect::OpenLink(url) => crate::app::terminal::opener::open(url, self.tx.clone()),
                Effect::JoinFleet(members, here) => self.join_fleet(members, here),
                Effect::Exec(e) => {
                    let fleet = self.live.as_ref().map(|l| l.fleet.clone());
                    self.exec.apply(fleet, e, &mut self.screen_ops);
                }
            }
        }
        replies
    }

    /// The timeline, owners and commits asked, and the export written, each on a task.
    fn look_up(&self, e: Effect) {
        match e {
            Effect::Export(job) => {
                tokio::spawn(crate::workers::export::save(*job, self.tx.clone()));
            }
            Effect::Compare(q) => {
                let (ci, tx) = (self.ci.clone(), self.tx.clone());
                tokio::spawn(crate::workers::lookups::compare(ci, q, tx));
            }
            // On the context's own channel: a switch drops what its account answers.
            Effect::Owners(batch) => {
                if let Some(live) = &self.live {
                    let (fleet, tx) = (live.fleet.clone(), self.data.0.clone());
                    tokio::spawn(crate::workers::lookups::owners(fleet, batch, tx));
                }
            }
            Effect::Timeline(req) => {
                if let Some(live) = &self.live {
                    let (fleet, ci, audit) =
                        (live.fleet.clone(), self.ci.clone(), self.audit.clone());
                    let tx = self.data.0.clone();
                    tokio::spawn(crate::workers::timeline::run(fleet, ci, audit, *req, tx));
                }
            }
            _ => {}
        }
    }

    /// `:describe`: the call is made off the loop; the answer comes back with its request.
    fn describe(&self, generation: u64, target: crate::model::DescribeTarget) {
        let tx = self.tx.clone();
        let (ci, fleet) = (self.ci.clone(), self.live.as_ref().map(|l| l.fleet.clone()));
        tokio::spawn(async move {
            let doc = match (&target, fleet) {
                (crate::model::DescribeTarget::Run(run), _) => ci.run_raw(run).await,
                (_, Some(fleet)) => fleet.describe_raw(&target).await,
                (_, None) => Err(ApiError::new(
                    crate::model::ErrorKind::Other,
                    "the console is switching context: describe again once it is there",
                )),
            };
            let _ = tx.send(Msg::Described(generation, doc)).await;
        });
    }

    /// Runs a confirmed action on the live backend, only if that is the context it was planned
    /// in; the runner then checks the account itself.
    fn run(&mut self, plan: ActionPlan, ctx: ContextInfo, job: crate::state::jobs::JobId) {
        let tx = self.tx.clone();
        let live = self.live.as_ref().filter(|l| planned_in(&l.target, &ctx));
        let Some(live) = live else {
            let now = self
                .live
                .as_ref()
                .map_or("no context (switching)".into(), |l| {
                    format!("context {}", l.target.label())
                });
            let cause = format!(
                "it was planned in context {} but the console is on {now}",
                ctx.name
            );
            let what = format!("{} {}", plan.verb, plan.service);
            let result = Err(ActionError::Context { what, cause });
            let done = crate::state::jobs::JobDone {
                job,
                result,
                registered: None,
            };
            tokio::spawn(async move { tx.send(Msg::ActionDone(Box::new(done))).await });
            return;
        };
        let (fleet, ci, audit) = (live.fleet.clone(), self.ci.clone(), self.audit.clone());
        self.jobs.ran(job, fleet.clone());
        tokio::spawn(runner::run(fleet, ci, audit, plan, ctx, job, tx));
    }

    /// Stops the live pollers at once and builds the target's backend off the loop.
    fn switch(&mut self, target: Target) {
        if let Some(fleet) = &self.fleet {
            fleet.shown(&target);
        }
        self.live = None;
        self.data = mpsc::channel(DATA_QUEUE);
        let (connector, built) = (self.connector.clone(), self.built.0.clone());
        tokio::spawn(async move {
            let result = connector.connect(&target).await;
            let _ = built.send((target, result)).await;
        });
    }

    /// A switch's backend arrived: when it is still the one wanted, its pollers start.
    pub(super) fn on_built(&mut self, (target, result): Built, state: &State) -> Option<Msg> {
        if target.generation != state.ctx.target.generation {
            return None; // overtaken by a later switch
        }
        match result {
            Ok(fleet) => {
                let (first, audit) = (state.ctx.watch(), &self.audit);
                let handles = start(
                    &fleet,
                    audit,
                    &self.data.0,
                    first,
                    target.generation,
                    self.intervals,
                );
                let generation = target.generation;
                self.live = Some(Live {
                    target,
                    fleet,
                    handles,
                });
                Some(Msg::ContextReady(generation))
            }
            Err(e) => Some(Msg::ContextFailed(target.generation, e)),
        }
    }
}

/// Whether an action planned in `ctx` may run on the backend of `target`.
fn planned_in(target: &Target, ctx: &ContextInfo) -> bool {
    let region_agrees = match &target.region {
        Some(r) => ctx.region.is_empty() || ctx.region == *r,
        None => true,
    };
    ctx.name == target.name && region_agrees
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(name: &str, region: Option<&str>) -> Target {
        Target {
            generation: 3,
            name: name.into(),
            region: region.map(str::to_string),
        }
    }

    fn ctx(name: &str, region: &str) -> ContextInfo {
        ContextInfo {
            name: name.into(),
            region: region.into(),
            ..ContextInfo::default()
        }
    }

    #[test]
    fn an_action_runs_only_on_the_backend_of_its_context() {
        assert!(planned_in(
            &target("prod", Some("eu-west-1")),
            &ctx("prod", "eu-west-1")
        ));
        assert!(planned_in(&target("prod", None), &ctx("prod", "eu-west-1")));
        assert!(planned_in(
            &target("prod", Some("eu-west-1")),
            &ctx("prod", "")
        ));
        assert!(!planned_in(
            &target("prod", Some("eu-west-1")),
            &ctx("staging", "eu-west-1")
        ));
        assert!(!planned_in(
            &target("prod", Some("us-east-1")),
            &ctx("prod", "eu-west-1")
        ));
    }
}
