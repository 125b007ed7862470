//! The loop: the only owner of the state. It turns terminal input, worker messages, signals and
//! the clock into messages, runs the reducer, hands effects to the workers, and draws only when
//! something visible changed, once per burst of messages. Data the reducer replaced is freed
//! on a thread of its own, so freeing 10k services never delays a key.

use crate::ci::Ci;
use crate::cloud::{CloudError, Fleet};
use crate::contexts::Connector;
use crate::exit::Exit;
use crate::model::{ActionError, ActionPlan, ContextInfo};
use crate::state::{self, Effect, Msg, State, Target};
use crate::theme::{Theme, Themes};
use crate::timing::now_ms;
use crate::workers::audit::Audit;
use crate::workers::budget::Budget;
use crate::workers::poller::{self, Handles, Intervals};
use crate::workers::{connect, runner, team_audit};
use crossterm::event::{Event, EventStream};
use futures::{Stream, StreamExt};
use ratatui::backend::Backend;
use ratatui::{DefaultTerminal, Terminal};
use std::any::Any;
use std::sync::Arc;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{mpsc, watch};

/// Messages handled before a draw is forced, so a flood of data cannot starve the screen.
const BURST: usize = 64;

/// What the loop needs besides the state.
pub struct Runtime {
    pub themes: Themes,
    pub no_color: bool,
    pub fleet: Arc<dyn Fleet>,
    /// GitHub Actions (or the demo's), read-only wrapped like the fleet.
    pub ci: Arc<dyn Ci>,
    pub intervals: Intervals,
    pub audit: Arc<Audit>,
    pub budget: Arc<Budget>,
    /// Builds the backends `:ctx` and `:region` switch to.
    pub connector: Arc<dyn Connector>,
}

/// The backend on screen: its context, and the pollers that read it.
struct Live {
    target: Target,
    fleet: Arc<dyn Fleet>,
    handles: Handles,
}

/// A switch's backend, built off the loop.
type Built = (Target, Result<Arc<dyn Fleet>, CloudError>);

/// Messages a context's pollers may queue before they wait for the loop.
const DATA_QUEUE: usize = 256;

/// Carries out the reducer's effects.
pub struct Effects {
    /// None while a switch builds the next context's backend.
    live: Option<Live>,
    /// The live pollers' messages. Replaced at a switch, so nothing the old pollers still had
    /// in flight reaches the new context's panes.
    data: (mpsc::Sender<Msg>, mpsc::Receiver<Msg>),
    /// Switches' backends, as they are built.
    built: (mpsc::Sender<Built>, mpsc::Receiver<Built>),
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

    fn new(
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
            tx,
            refreshes: 0,
        }
    }

    /// Carries out `effects`; some answer with a message for the reducer at once.
    fn apply(&mut self, effects: Vec<Effect>) -> Vec<Msg> {
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
                Effect::Run(plan, ctx) => self.run(*plan, ctx),
                Effect::SwitchContext(target) => self.switch(target),
                Effect::ReportBudget => replies.push(Msg::Budget(self.budget.report())),
                Effect::SaveLogs(job) => {
                    tokio::spawn(crate::workers::log_save::save(*job, self.tx.clone()));
                }
                // Between frames: the sequence goes to the terminal, not into the screen.
                Effect::Clipboard(text) => crate::workers::clipboard::copy(&text),
            }
        }
        replies
    }

    /// Runs a confirmed action on the live backend, only if that is the context it was planned
    /// in; the runner then checks the account itself.
    fn run(&self, plan: ActionPlan, ctx: ContextInfo) {
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
            let err = ActionError::Context { what, cause };
            tokio::spawn(async move { tx.send(Msg::ActionDone(Err(err))).await });
            return;
        };
        let (fleet, ci, audit) = (live.fleet.clone(), self.ci.clone(), self.audit.clone());
        tokio::spawn(runner::run(fleet, ci, audit, plan, ctx, tx));
    }

    /// Stops the live pollers at once and builds the target's backend off the loop.
    fn switch(&mut self, target: Target) {
        self.live = None;
        self.data = mpsc::channel(DATA_QUEUE);
        let (connector, built) = (self.connector.clone(), self.built.0.clone());
        tokio::spawn(async move {
            let result = connector.connect(&target).await;
            let _ = built.send((target, result)).await;
        });
    }

    /// A switch's backend arrived: when it is still the one wanted, its pollers start.
    fn on_built(&mut self, (target, result): Built, state: &State) -> Option<Msg> {
        if target.generation != state.contexts.current.generation {
            return None; // overtaken by a later switch
        }
        match result {
            Ok(fleet) => {
                let handles = start(&fleet, &self.audit, &self.data.0, state, self.intervals);
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

fn theme_of(state: &State, rt: &Runtime) -> Option<Theme> {
    let theme = rt
        .themes
        .get(&state.theme_name)
        .or_else(|| rt.themes.get(crate::theme::DEFAULT))?;
    Some(if rt.no_color {
        theme.monochrome()
    } else {
        theme
    })
}

/// Draws when something visible changed, and tells the reducer how the frame was laid out.
fn draw<B: Backend>(
    terminal: &mut Terminal<B>,
    state: &mut State,
    rt: &Runtime,
) -> color_eyre::Result<bool> {
    if !state.dirty {
        return Ok(false);
    }
    let Some(theme) = theme_of(state, rt) else {
        return Ok(false);
    };
    let mut viewport = state.viewport.clone();
    terminal
        .draw(|f| viewport = crate::ui::draw(f, state, &theme))
        .map_err(|e| color_eyre::eyre::eyre!("drawing failed: {e:?}"))?;
    state.dirty = false;
    state::update(state, Msg::Layout(viewport));
    Ok(true)
}

/// A thread that frees what the reducer replaced.
fn spawn_dropper() -> std::sync::mpsc::Sender<Box<dyn Any + Send>> {
    let (tx, rx) = std::sync::mpsc::channel::<Box<dyn Any + Send>>();
    std::thread::spawn(move || {
        for junk in rx {
            drop(junk)
        }
    });
    tx
}

/// SIGTERM, SIGHUP and SIGINT: each ends the console, with its own exit status.
struct Signals {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> std::io::Result<Self> {
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    /// The number of the next signal.
    async fn recv(&mut self) -> i32 {
        tokio::select! {
            _ = self.term.recv() => libc::SIGTERM,
            _ = self.hup.recv() => libc::SIGHUP,
            _ = self.int.recv() => libc::SIGINT,
        }
    }
}

/// Runs the console until it quits, a signal ends it, or the first credentials check fails.
pub async fn run(
    terminal: &mut DefaultTerminal,
    state: State,
    rt: Runtime,
) -> color_eyre::Result<Exit> {
    let (tx, rx) = mpsc::channel::<Msg>(256);
    let data = mpsc::channel::<Msg>(DATA_QUEUE);
    let handles = start(&rt.fleet, &rt.audit, &data.0, &state, rt.intervals);
    tokio::spawn(team_audit::retry(
        rt.fleet.clone(),
        rt.audit.clone(),
        tx.clone(),
    ));
    let target = state.contexts.current.clone();
    let effects = Effects::new(handles, data, target, &rt, tx);
    let mut signals = Signals::new()?;
    let signals = futures::stream::once(Box::pin(async move { signals.recv().await }));
    let events = EventStream::new().map(|e| e.map_err(|e| e.to_string()));
    let ran = run_loop(terminal, events, signals, state, &rt, effects, rx, |_| {}).await?;
    tracing::info!(frames = ran.frames, secs = ran.secs, "frames drawn");
    Ok(ran.exit)
}

/// A context's pollers and workers, and its first contact (`workers::connect`: the header's
/// account, the credentials check, the team audit group), all stopped with the handles.
fn start(
    fleet: &Arc<dyn Fleet>,
    audit: &Arc<Audit>,
    tx: &mpsc::Sender<Msg>,
    state: &State,
    intervals: Intervals,
) -> Handles {
    let mut handles = poller::spawn(fleet.clone(), tx.clone(), state.watch(), intervals);
    let generation = state.contexts.current.generation;
    let contact = connect::run(fleet.clone(), audit.clone(), tx.clone(), generation);
    handles.tasks.push(tokio::spawn(contact).abort_handle());
    handles
}

/// Merges a burst of waiting worker messages into one frame.
fn burst(
    state: &mut State,
    effects: &mut Effects,
    rx: &mut mpsc::Receiver<Msg>,
    out: &mut Vec<Effect>,
) {
    for _ in 0..BURST {
        match effects.data.1.try_recv().or_else(|_| rx.try_recv()) {
            Ok(m) => out.extend(state::update(state, m)),
            Err(_) => break,
        }
    }
}

/// What a terminal event means to the reducer; None for events it has no use for. Counts keys
/// for the loop bench's probe.
fn terminal_msg(ev: Option<Result<Event, String>>, keys: &mut u64) -> Option<Msg> {
    Some(match ev {
        Some(Ok(Event::Key(k))) => {
            *keys += 1;
            Msg::Key(k)
        }
        Some(Ok(Event::Mouse(m))) => Msg::Mouse(m),
        Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
        Some(Ok(_)) => return None,
        // The terminal is gone: nothing more can be shown or typed.
        Some(Err(_)) | None => Msg::Quit,
    })
}

/// One turn of the loop after a message: the reducer on it and on the burst waiting behind it,
/// the effects carried out (with their immediate replies), and replaced data sent to be freed.
fn step(
    state: &mut State,
    msg: Msg,
    effects: &mut Effects,
    rx: &mut mpsc::Receiver<Msg>,
    dropper: &std::sync::mpsc::Sender<Box<dyn Any + Send>>,
) {
    let mut out = state::update(state, msg);
    burst(state, effects, rx, &mut out);
    for reply in effects.apply(out) {
        let more = state::update(state, reply);
        effects.apply(more);
    }
    for junk in state.take_discarded() {
        let _ = dropper.send(junk);
    }
}

/// How a run of the loop went.
pub struct Ran {
    pub frames: u64,
    pub secs: f64,
    pub exit: Exit,
}

/// The startup figures BENCHMARKS.md records, from the start of the process: the first frame
/// (no AWS answer is awaited before it), the first service rows drawn, and every row drawn
/// (the first load complete).
#[derive(Default)]
struct StartupFigures {
    first: bool,
    all: bool,
}

impl StartupFigures {
    fn drawn(&mut self, state: &State, frames: u64) {
        let ms = || crate::timing::since_start().as_secs_f64() * 1000.0;
        if frames == 1 {
            tracing::info!(ms = ms(), "first frame drawn");
        }
        let rows = state.services.items.len();
        if !self.first && rows > 0 {
            self.first = true;
            tracing::info!(ms = ms(), rows, "first service rows drawn");
        }
        if !self.all && state.services_loading.is_none() && state.services.fetched_at.is_some() {
            self.all = true;
            tracing::info!(ms = ms(), rows, "every service row drawn");
        }
    }
}

/// The loop itself, on any backend and any source of terminal events: the real console runs
/// it on the terminal; the loop bench runs it on a test backend with synthetic input. `quits`
/// yields the number of a signal that ends it. `probe` is told, after each frame, how many
/// keys the reducer had taken in by then.
#[allow(clippy::too_many_arguments)]
pub async fn run_loop<B, E, Q>(
    terminal: &mut Terminal<B>,
    mut events: E,
    quits: Q,
    mut state: State,
    rt: &Runtime,
    mut effects: Effects,
    mut rx: mpsc::Receiver<Msg>,
    mut probe: impl FnMut(u64),
) -> color_eyre::Result<Ran>
where
    B: Backend,
    E: Stream<Item = Result<Event, String>> + Unpin,
    Q: Stream<Item = i32>,
{
    let mut quits = std::pin::pin!(quits);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let dropper = spawn_dropper();
    let (mut frames, mut keys, started) = (0u64, 0u64, std::time::Instant::now());
    let mut figures = StartupFigures::default();
    let size = terminal
        .size()
        .map_err(|e| color_eyre::eyre::eyre!("terminal size: {e:?}"))?;
    state::update(&mut state, Msg::Resize(size.width, size.height));
    let mut exit = Exit::Quit;

    loop {
        if draw(terminal, &mut state, rt)? {
            frames += 1;
            probe(keys);
            figures.drawn(&state, frames);
        }
        let msg = tokio::select! {
            ev = events.next() => match terminal_msg(ev, &mut keys) {
                Some(m) => m,
                None => continue,
            },
            Some(m) = rx.recv() => m,
            Some(m) = effects.data.1.recv() => m,
            Some(b) = effects.built.1.recv() => match effects.on_built(b, &state) {
                Some(m) => m,
                None => continue,
            },
            _ = tick.tick() => Msg::Tick(now_ms()),
            Some(n) = quits.next() => { exit = Exit::Signal(n); Msg::Quit }
        };
        step(&mut state, msg, &mut effects, &mut rx, &dropper);
        if state.quit {
            let exit = state.link.fatal.take().map_or(exit, Exit::CannotStart);
            return Ok(Ran {
                frames,
                secs: started.elapsed().as_secs_f64(),
                exit,
            });
        }
    }
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
