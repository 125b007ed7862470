//! The loop: the only owner of the state. It turns terminal input, worker messages, signals and
//! the clock into messages, runs the reducer, hands effects to the workers, and draws only when
//! something visible changed, once per burst of messages. Data the reducer replaced is freed
//! on a thread of its own, so freeing 10k services never delays a key.

use crate::cloud::Fleet;
use crate::state::{self, Effect, Msg, State};
use crate::theme::{Theme, Themes};
use crate::timing::now_ms;
use crate::workers::audit::Audit;
use crate::workers::budget::Budget;
use crate::workers::poller::{self, Handles, Intervals};
use crate::workers::runner;
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
    pub intervals: Intervals,
    pub audit: Arc<Audit>,
    pub budget: Arc<Budget>,
}

/// Carries out the reducer's effects.
pub struct Effects {
    handles: Handles,
    fleet: Arc<dyn Fleet>,
    audit: Arc<Audit>,
    budget: Arc<Budget>,
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
        };
        Self::new(handles, rt, tx)
    }

    fn new(handles: Handles, rt: &Runtime, tx: mpsc::Sender<Msg>) -> Self {
        Self {
            handles,
            fleet: rt.fleet.clone(),
            audit: rt.audit.clone(),
            budget: rt.budget.clone(),
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
                    let _ = self.handles.watch.send(w);
                }
                Effect::Refresh => {
                    self.refreshes += 1;
                    let _ = self.handles.refresh.send(self.refreshes);
                }
                Effect::Evidence(r) => {
                    let _ = self.handles.evidence.send(*r);
                }
                Effect::Run(plan, ctx) => {
                    let (fleet, audit, tx) =
                        (self.fleet.clone(), self.audit.clone(), self.tx.clone());
                    tokio::spawn(runner::run(fleet, audit, *plan, ctx, tx));
                }
                Effect::ReportBudget => replies.push(Msg::Budget(self.budget.report())),
            }
        }
        replies
    }
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
    let mut viewport = state.viewport;
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

/// Runs the console on the terminal until it quits: pollers, signals, keys.
pub async fn run(
    terminal: &mut DefaultTerminal,
    state: State,
    rt: Runtime,
) -> color_eyre::Result<()> {
    let (tx, rx) = mpsc::channel::<Msg>(256);
    let handles = poller::spawn(rt.fleet.clone(), tx.clone(), state.watch(), rt.intervals);
    let effects = Effects::new(handles, &rt, tx);
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    let mut int = signal(SignalKind::interrupt())?;
    let signals = async_stream(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = hup.recv() => {}
            _ = int.recv() => {}
        }
    });
    let events = EventStream::new().map(|e| e.map_err(|e| e.to_string()));
    let (frames, secs) =
        run_loop(terminal, events, signals, state, &rt, effects, rx, |_| {}).await?;
    tracing::info!(frames, secs, "frames drawn");
    Ok(())
}

/// A stream that yields once, when `f` completes.
fn async_stream(
    f: impl std::future::Future<Output = ()> + Send + 'static,
) -> impl Stream<Item = ()> {
    futures::stream::once(Box::pin(f))
}

/// The loop itself, on any backend and any source of terminal events: the real console runs
/// it on the terminal; the loop bench runs it on a test backend with synthetic input. `probe`
/// is told, after each frame, how many keys the reducer had taken in by then. Returns the
/// frames drawn and the seconds it ran.
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
) -> color_eyre::Result<(u64, f64)>
where
    B: Backend,
    E: Stream<Item = Result<Event, String>> + Unpin,
    Q: Stream<Item = ()>,
{
    let mut quits = std::pin::pin!(quits);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let dropper = spawn_dropper();
    let (mut frames, mut keys, started) = (0u64, 0u64, std::time::Instant::now());
    let size = terminal
        .size()
        .map_err(|e| color_eyre::eyre::eyre!("terminal size: {e:?}"))?;
    state::update(&mut state, Msg::Resize(size.width, size.height));

    loop {
        if draw(terminal, &mut state, rt)? {
            frames += 1;
            probe(keys);
        }
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => {
                    keys += 1;
                    Msg::Key(k)
                }
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                // The terminal is gone: nothing more can be shown or typed.
                Some(Err(_)) | None => Msg::Quit,
            },
            Some(m) = rx.recv() => m,
            _ = tick.tick() => Msg::Tick(now_ms()),
            Some(()) = quits.next() => Msg::Quit,
        };
        let mut out = state::update(&mut state, msg);
        // Merge a burst of worker messages into one frame.
        for _ in 0..BURST {
            match rx.try_recv() {
                Ok(m) => out.extend(state::update(&mut state, m)),
                Err(_) => break,
            }
        }
        for reply in effects.apply(out) {
            let more = state::update(&mut state, reply);
            effects.apply(more);
        }
        for junk in state.take_discarded() {
            let _ = dropper.send(junk);
        }
        if state.quit {
            return Ok((frames, started.elapsed().as_secs_f64()));
        }
    }
}
