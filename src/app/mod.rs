//! The loop: the only owner of the state. It turns terminal input, worker messages, signals and
//! the clock into messages, runs the reducer, hands effects to the workers, and draws only when
//! something visible changed, once per burst of messages. Data the reducer replaced is freed
//! on a thread of its own, so freeing 10k services never delays a key.

pub mod cli;
pub mod connector;
pub mod context_workers;
mod effects;
pub mod exit;
pub mod fleet_sources;
mod fleet_workers;
pub mod job_watchers;
pub mod logfile;
pub mod one_shot;
mod signals;
pub mod sso_discovery;
mod startup;
pub mod terminal;

pub use effects::Effects;

use crate::app::connector::Connector;
use crate::app::context_workers::start;
use crate::app::effects::DATA_QUEUE;
use crate::app::exit::Exit;
use crate::app::signals::Signals;
use crate::budget::Budget;
use crate::ci::Ci;
use crate::cloud::Fleet;
use crate::state::{self, Effect, Msg, State};
use crate::theme::{Theme, Themes};
use crate::timing::now_ms;
use crate::workers::audit::Audit;
use crate::workers::poller::Intervals;
use crossterm::event::{Event, EventStream};
use futures::{Stream, StreamExt};
use ratatui::backend::Backend;
use ratatui::{DefaultTerminal, Terminal};
use std::any::Any;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Messages handled before a draw is forced, so a flood of data cannot starve the screen.
const BURST: usize = 64;

/// How long exec sessions may take to close when the console quits.
const SESSION_GRACE: Duration = Duration::from_secs(2);

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
    /// How the fleet's contexts off screen are read; None: they are not (no `[fleet]`).
    pub fleet_polling: Option<crate::workers::fleet::FleetPolling>,
    /// `[notify] webhook`, when notifications are on: each one is POSTed there too.
    pub webhook: Option<crate::model::notify::WebhookUrl>,
    /// `[fleet] sso_session`'s listing, run off the loop once the console is up.
    pub sso: Option<sso_discovery::SsoDiscovery>,
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

/// Draws when something visible changed, and tells the reducer how the frame was laid out
/// (what that asks for, such as a terminal pane's new size or the pollers' watch, is carried
/// out).
fn draw<B: Backend>(
    terminal: &mut Terminal<B>,
    state: &mut State,
    rt: &Runtime,
    effects: &mut Effects,
) -> color_eyre::Result<bool> {
    // A session holding the whole terminal draws it; the console draws again when it is back.
    if !state.dirty || state.exec.handed_over {
        return Ok(false);
    }
    let Some(theme) = theme_of(state, rt) else {
        return Ok(false);
    };
    let mut viewport = state.viewport.clone();
    let mut linked = Vec::new();
    terminal
        .draw(|f| {
            viewport = crate::ui::draw(f, state, &theme);
            linked = crate::app::terminal::links::cells(f.buffer_mut(), &viewport.links);
        })
        .map_err(|e| color_eyre::eyre::eyre!("drawing failed: {e:?}"))?;
    // After the frame: the names' links, written around cells the frame drew.
    crate::app::terminal::links::write(terminal.backend_mut(), &linked);
    state.dirty = false;
    let out = state::update(state, Msg::Layout(viewport));
    carry_out(state, effects, out);
    Ok(true)
}

/// Carries out the reducer's effects, and hands their immediate replies (the budget's figures)
/// back to the reducer, until nothing more comes of them.
fn carry_out(state: &mut State, effects: &mut Effects, out: Vec<Effect>) {
    let mut replies = effects.apply(out);
    while !replies.is_empty() {
        let mut more = Vec::new();
        for reply in replies {
            more.extend(state::update(state, reply));
        }
        replies = effects.apply(more);
    }
}

/// Hands the terminal to an exec session, writes its output, or takes the terminal back
/// (then the next frame is drawn whole).
fn screen_ops<B: Backend>(terminal: &mut Terminal<B>, effects: &mut Effects, state: &mut State) {
    use crate::state::exec::ExecEffect as E;
    for op in effects.screen_ops.drain(..) {
        let done = match op {
            E::HandOver(first) => crate::app::terminal::hand_over(&first),
            E::Write(bytes) => crate::app::terminal::write_through(&bytes),
            E::TakeBack => {
                // The screen is cleared; forgetting the last frame makes the next one whole
                // (ratatui's own clear reads the cursor position, which a terminal may not
                // answer while the console reads its keys).
                terminal.swap_buffers();
                state.dirty = true;
                crate::app::terminal::take_back()
            }
            _ => Ok(()),
        };
        if let Err(e) = done {
            tracing::warn!(error = %e, "terminal hand-over");
        }
    }
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

/// Runs the console until it quits, a signal ends it, or the first credentials check fails.
pub async fn run(
    terminal: &mut DefaultTerminal,
    state: State,
    rt: Runtime,
) -> color_eyre::Result<Exit> {
    let (tx, rx) = mpsc::channel::<Msg>(256);
    let data = mpsc::channel::<Msg>(DATA_QUEUE);
    let (first, generation) = (state.ctx.watch(), state.ctx.target.generation);
    let handles = start(
        &rt.fleet,
        &rt.audit,
        &data.0,
        first,
        generation,
        rt.intervals,
    );
    let target = state.ctx.target.clone();
    if let Some(listing) = rt.sso.clone() {
        tokio::spawn(listing.run(tx.clone()));
    }
    let mut effects = Effects::new(handles, data, target.clone(), &rt, tx);
    let members = state.fleet.members.iter().map(|m| m.target.clone());
    effects.start_fleet(members.collect(), target, &rt);
    let mut signals = Signals::new()?;
    let signals = futures::stream::once(Box::pin(async move { signals.recv().await }));
    let events = EventStream::new();
    let ran = run_loop(terminal, events, signals, state, &rt, effects, rx, |_| {}).await?;
    tracing::info!(frames = ran.frames, secs = ran.secs, "frames drawn");
    Ok(ran.exit)
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
fn terminal_msg(ev: Option<std::io::Result<Event>>, keys: &mut u64) -> Option<Msg> {
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
    carry_out(state, effects, out);
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
    E: Stream<Item = std::io::Result<Event>> + Unpin,
    Q: Stream<Item = i32>,
{
    let mut quits = std::pin::pin!(quits);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let dropper = spawn_dropper();
    let (mut frames, mut keys, started) = (0u64, 0u64, std::time::Instant::now());
    let mut figures = startup::StartupFigures::default();
    let size = terminal
        .size()
        .map_err(|e| color_eyre::eyre::eyre!("terminal size: {e:?}"))?;
    let out = state::update(&mut state, Msg::Resize(size.width, size.height));
    carry_out(&mut state, &mut effects, out);
    let mut exit = Exit::Quit;

    loop {
        if draw(terminal, &mut state, rt, &mut effects)? {
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
        screen_ops(terminal, &mut effects, &mut state);
        if state.quit {
            effects.exec.shutdown(SESSION_GRACE).await; // sessions end with the console
            return Ok(ended(&mut state, exit, frames, started));
        }
    }
}

/// How the loop ended: a first credentials check that failed ends it with its own line.
fn ended(state: &mut State, exit: Exit, frames: u64, started: std::time::Instant) -> Ran {
    let fatal = state.fatal.take();
    Ran {
        frames,
        secs: started.elapsed().as_secs_f64(),
        exit: fatal.map_or(exit, Exit::CannotStart),
    }
}
