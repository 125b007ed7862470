//! Jobs: a confirmed action is a job, its calls and then its watch (until stable), with its
//! phase and clock. Several run at once, each on services no other running job touches. A
//! context's jobs are its own (`Context::jobs`): a job started in one context reports to it
//! whichever context is on screen.

use crate::model::history::{AbortRecord, mark_aborted};
use crate::model::{
    ActionPlan, ActionResult, ApiError, At, AwsCall, Mutation, Service, ServiceKey, TaskDefRef,
    Verb,
};
use crate::state::actions::progress::{Phase, Progress};

/// A job's number, unique in the session (every context's jobs count from one counter).
pub type JobId = u64;

/// Jobs running at once, at most.
pub const MAX_RUNNING: usize = 8;
/// Finished jobs kept for `:jobs`; the oldest goes first.
pub const FINISHED_KEPT: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: JobId,
    /// Its phase, clock and what its watch waits for.
    pub progress: Progress,
    /// Who acted: the identity the context showed, or the policy armed by it.
    pub who: String,
    /// Its calls in order, as the dialog listed them (`UpdateService(web:88) on prod/web`).
    pub calls: Vec<String>,
    /// The services it acts on, with their pairs: no other job may act on these meanwhile.
    pub touches: Vec<ServiceKey>,
    /// What the runner said when its calls were done (or why they were not).
    pub outcome: Option<String>,
    /// The revision its RegisterTaskDefinition returned, if it registered one.
    pub registered: Option<TaskDefRef>,
    /// An abort: the deployment in flight when it was confirmed, and where it goes back to.
    pub aborts: Option<Aborts>,
    /// The last read of its service while its context was off screen failed: when, and why.
    /// The next good read clears it.
    pub read_failed: Option<(At, String)>,
}

/// What an abort job stops: kept so the history says who aborted what, after ECS forgets.
#[derive(Debug, Clone, PartialEq)]
pub struct Aborts {
    pub deployment: String,
    pub to: Option<TaskDefRef>,
}

impl Aborts {
    /// The deployment `plan` stops, when it is an abort of a rolling or native deployment.
    fn of(plan: &ActionPlan, all: &[Service]) -> Option<Self> {
        if plan.verb != Verb::Abort {
            return None;
        }
        let s = all.iter().find(|s| s.key() == plan.service)?;
        if let Some(n) = s.native_in_progress() {
            return Some(Self {
                deployment: n.arn.clone(),
                to: n.source().map(|r| r.task_def.clone()),
            });
        }
        let d = s.rolling_in_progress()?;
        let to = match &plan.mutation {
            Mutation::Aws(AwsCall::UpdateService { task_def, .. }) => task_def.clone(),
            _ => None,
        };
        Some(Self {
            deployment: d.id.clone(),
            to,
        })
    }
}

impl Job {
    pub fn new(id: JobId, plan: &ActionPlan, who: String, all: &[Service], now: At) -> Self {
        let step = |service: &ServiceKey, m: &Mutation| format!("{m} on {service}");
        let calls = std::iter::once(step(&plan.service, &plan.mutation))
            .chain(plan.then.iter().map(|f| step(&f.service, &f.mutation)))
            .collect();
        Self {
            id,
            progress: Progress::start(plan, now),
            who,
            calls,
            touches: touches(plan, all),
            outcome: None,
            registered: None,
            aborts: Aborts::of(plan, all),
            read_failed: None,
        }
    }

    /// The abort it sent, once its calls went through.
    fn sent_abort(&self) -> Option<AbortRecord<'_>> {
        let a = self.aborts.as_ref()?;
        let sent = !matches!(self.progress.phase, Phase::Sending | Phase::Failed { .. });
        sent.then(|| AbortRecord {
            deployment: &a.deployment,
            to: a.to.as_ref(),
            who: &self.who,
            at: self.progress.since,
        })
    }

    /// Its calls are being sent or its watch goes on.
    pub fn running(&self) -> bool {
        self.progress.active()
    }

    /// `verb service`, as the footer and refusals name it.
    pub fn title(&self) -> String {
        format!(
            "job {} ({} {})",
            self.id, self.progress.verb, self.progress.service
        )
    }
}

/// The services a plan acts on, and each one's pair partner.
pub fn touches(plan: &ActionPlan, all: &[Service]) -> Vec<ServiceKey> {
    let mut keys: Vec<ServiceKey> = std::iter::once(&plan.service)
        .chain(plan.then.iter().map(|f| &f.service))
        .cloned()
        .collect();
    for k in keys.clone() {
        keys.extend(pair_keys(&k, all));
    }
    keys.sort();
    keys.dedup();
    keys
}

/// `key` and its pair's other service, if it has one.
pub fn pair_keys(key: &ServiceKey, all: &[Service]) -> Vec<ServiceKey> {
    let Some(s) = all.iter().find(|s| &s.key() == key) else {
        return vec![key.clone()];
    };
    match crate::model::pair_of(s, all) {
        Some((p, c)) => vec![p.key(), c.key()],
        None => vec![key.clone()],
    }
}

/// One context's jobs, oldest first: those running, and the last `FINISHED_KEPT` finished.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Jobs {
    list: Vec<Job>,
}

impl Jobs {
    pub fn all(&self) -> &[Job] {
        &self.list
    }

    pub fn running(&self) -> impl Iterator<Item = &Job> {
        self.list.iter().filter(|j| j.running())
    }

    pub fn running_count(&self) -> usize {
        self.running().count()
    }

    /// The running job that acts on one of `keys` (a service or its pair), if any.
    pub fn conflict(&self, keys: &[ServiceKey]) -> Option<&Job> {
        self.running()
            .find(|j| j.touches.iter().any(|t| keys.contains(t)))
    }

    /// A job still sending its calls: quitting or switching now could cut it between calls.
    pub fn sending(&self) -> Option<&Job> {
        self.list
            .iter()
            .find(|j| j.progress.phase == crate::state::actions::progress::Phase::Sending)
    }

    /// The job started last, running or not.
    pub fn newest(&self) -> Option<&Job> {
        self.list.last()
    }

    pub fn get(&self, id: JobId) -> Option<&Job> {
        self.list.iter().find(|j| j.id == id)
    }

    pub fn push(&mut self, job: Job) {
        self.list.push(job);
        self.trim();
    }

    /// The runner's answer for job `id`; false when this context has no such job.
    pub fn done(
        &mut self,
        id: JobId,
        result: &ActionResult,
        registered: Option<TaskDefRef>,
        now: At,
    ) -> bool {
        let Some(job) = self.list.iter_mut().find(|j| j.id == id) else {
            return false;
        };
        job.progress.done(result, registered.as_ref(), now);
        job.outcome = Some(match result {
            Ok(m) => m.clone(),
            Err(e) => e.to_string(),
        });
        job.registered = registered;
        self.trim();
        true
    }

    /// Services shown: the aborts this context's jobs sent are kept in their histories.
    /// Returns whether a history changed (a mark is made once; again it changes nothing).
    pub fn mark_aborts(&self, services: &mut [Service]) -> bool {
        let mut changed = false;
        for r in self.list.iter().filter_map(Job::sent_abort) {
            let Some(s) = services
                .iter_mut()
                .find(|s| s.history.iter().any(|e| e.id == r.deployment))
            else {
                continue;
            };
            let before = s.history.clone();
            mark_aborted(&mut s.history, &r);
            changed |= s.history != before;
        }
        changed
    }

    /// The service of job `id`'s watch, read for it while its context was off screen (or
    /// why it could not be). False when this context has no such job.
    pub fn observe_one(
        &mut self,
        id: JobId,
        read: &Result<Vec<Service>, ApiError>,
        now: At,
    ) -> bool {
        let Some(j) = self.list.iter_mut().find(|j| j.id == id) else {
            return false;
        };
        match read {
            Ok(services) => {
                j.read_failed = None;
                j.progress.observe(services, now);
            }
            Err(e) => j.read_failed = Some((now, e.message.clone())),
        }
        true
    }

    /// The watches that wait on a service now, for the loop to read while the context is off
    /// screen.
    pub fn watching(&self) -> impl Iterator<Item = OffScreenWatch> + '_ {
        self.list.iter().filter_map(|j| {
            let waiting = matches!(j.progress.phase, Phase::Waiting { .. });
            let service = j.progress.waits_for().filter(|_| waiting)?;
            Some(OffScreenWatch {
                job: j.id,
                service: service.clone(),
            })
        })
    }

    /// Fresh services: each watch looks; returns whether anything shown changed.
    pub fn observe(&mut self, services: &[Service], now: At) -> bool {
        let mut changed = false;
        for j in &mut self.list {
            changed |= j.progress.observe(services, now);
        }
        changed
    }

    /// The clock moved: watches past their limit give up. Returns whether any did.
    pub fn tick(&mut self, now: At) -> bool {
        let mut changed = false;
        for j in &mut self.list {
            changed |= j.progress.tick(now);
        }
        changed
    }

    /// `x`: stops watching job `id`; the calls it sent stay. False when it was not watching.
    pub fn stop_watching(&mut self, id: JobId, now: At) -> bool {
        self.list
            .iter_mut()
            .find(|j| j.id == id)
            .is_some_and(|j| j.progress.stop_watching(now))
    }

    /// The jobs the activity line shows, newest first: at work, or ended a short while ago.
    pub fn shown(&self, now: At) -> impl Iterator<Item = &Job> {
        self.list
            .iter()
            .rev()
            .filter(move |j| j.progress.shown(now))
    }

    /// The newest job shown: the one a single activity line names.
    pub fn latest(&self, now: At) -> Option<&Job> {
        self.shown(now).next()
    }

    /// Keeps every running job and the newest `FINISHED_KEPT` finished ones.
    fn trim(&mut self) {
        let finished = self.list.iter().filter(|j| !j.running()).count();
        let mut extra = finished.saturating_sub(FINISHED_KEPT);
        self.list.retain(|j| {
            let drop = extra > 0 && !j.running();
            extra -= usize::from(drop);
            !drop
        });
    }
}

/// A job's watch whose context is off screen: the loop reads its service for it, since that
/// context's pollers stopped at the switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffScreenWatch {
    pub job: JobId,
    pub service: ServiceKey,
}

/// What the loop needs to know of the session's jobs: the ones at work (their backends are
/// kept, in case their context goes off screen), and the watches it reads itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JobWatches {
    pub at_work: Vec<JobId>,
    pub off_screen: Vec<OffScreenWatch>,
}

impl JobWatches {
    /// The jobs at work in `on_screen` and `kept`; the watches of `kept`'s.
    pub fn of<'a>(on_screen: &Jobs, kept: impl Iterator<Item = &'a Jobs>) -> Self {
        let mut w = Self {
            at_work: on_screen.running().map(|j| j.id).collect(),
            off_screen: Vec::new(),
        };
        for jobs in kept {
            w.at_work.extend(jobs.running().map(|j| j.id));
            w.off_screen.extend(jobs.watching());
        }
        w
    }
}

/// What a job's watch read of its service while its context was off screen.
#[derive(Debug, Clone, PartialEq)]
pub struct JobWatched {
    pub job: JobId,
    /// The job's service as read (none when the read did not find it), or why it could not
    /// be read.
    pub read: Result<Vec<Service>, ApiError>,
}

/// What the runner says when a job's calls are done.
#[derive(Debug, Clone, PartialEq)]
pub struct JobDone {
    pub job: JobId,
    pub result: ActionResult,
    /// The revision RegisterTaskDefinition returned, when the job registered one.
    pub registered: Option<TaskDefRef>,
}

impl JobDone {
    /// The runner's word on job `job`, with nothing registered.
    pub fn of(job: JobId, result: ActionResult) -> Box<Self> {
        Box::new(Self {
            job,
            result,
            registered: None,
        })
    }
}

/// Who acts, for a job's record, its history's `ABORTED by` and StopTask's reason: the
/// identity the context showed (the last part of its ARN: what AWS knows), or the policy armed
/// by it. With the OS user this session runs as, they come first and the ARN's resource after
/// (`alice (assumed-role/oncall/alice)`).
pub fn who(info: &crate::model::ContextInfo, os_user: Option<&str>, actor: Option<&str>) -> String {
    let arn = info.caller_arn.as_str();
    let me = match os_user {
        Some(user) => match arn.rsplit(':').next().filter(|s| !s.is_empty()) {
            Some(resource) => format!("{user} ({resource})"),
            None => format!("{user} (AWS identity not read yet)"),
        },
        None => arn
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or("this console's identity (not read yet)")
            .to_string(),
    };
    match actor {
        Some(a) => format!("{a} armed by {me}"),
        None => me.to_string(),
    }
}
