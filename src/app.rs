//! The loop: the only owner of the state. It turns terminal input, worker messages, signals and
//! the clock into messages, runs the reducer, hands effects to the workers, and draws only when
//! something visible changed, once per burst of messages.

use crate::cloud::Fleet;
use crate::state::{self, Effect, Msg, State};
use crate::theme::{Theme, Themes};
use crate::timing::now_ms;
use crate::workers::audit::Audit;
use crate::workers::poller::{self, Handles, Intervals};
use crate::workers::runner;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use std::sync::Arc;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

/// Messages handled before a draw is forced, so a flood of data cannot starve the screen.
const BURST: usize = 64;

/// What the loop needs besides the state.
pub struct Runtime {
    pub themes: Themes,
    pub no_color: bool,
    pub fleet: Arc<dyn Fleet>,
    pub intervals: Intervals,
    pub audit: Arc<Audit>,
}

/// Carries out the reducer's effects.
struct Effects {
    handles: Handles,
    fleet: Arc<dyn Fleet>,
    audit: Arc<Audit>,
    tx: mpsc::Sender<Msg>,
    refreshes: u64,
}

impl Effects {
    fn apply(&mut self, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::Watch(w) => {
                    let _ = self.handles.watch.send(w);
                }
                Effect::Refresh => {
                    self.refreshes += 1;
                    let _ = self.handles.refresh.send(self.refreshes);
                }
                Effect::Run(plan, ctx) => {
                    let (fleet, audit, tx) =
                        (self.fleet.clone(), self.audit.clone(), self.tx.clone());
                    tokio::spawn(runner::run(fleet, audit, *plan, ctx, tx));
                }
                Effect::SaveLogs(job) => {
                    tokio::spawn(crate::workers::log_save::save(*job, self.tx.clone()));
                }
                // Between frames: the sequence goes to the terminal, not into the screen.
                Effect::Clipboard(text) => crate::workers::clipboard::copy(&text),
            }
        }
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
fn draw(terminal: &mut DefaultTerminal, state: &mut State, rt: &Runtime) -> std::io::Result<bool> {
    if !state.dirty {
        return Ok(false);
    }
    let Some(theme) = theme_of(state, rt) else {
        return Ok(false);
    };
    let mut viewport = state.viewport;
    terminal.draw(|f| viewport = crate::ui::draw(f, state, &theme))?;
    state.dirty = false;
    state::update(state, Msg::Layout(viewport));
    Ok(true)
}

pub async fn run(
    terminal: &mut DefaultTerminal,
    mut state: State,
    rt: Runtime,
) -> color_eyre::Result<()> {
    let (tx, mut rx) = mpsc::channel::<Msg>(256);
    let handles = poller::spawn(rt.fleet.clone(), tx.clone(), state.watch(), rt.intervals);
    let mut effects = Effects {
        handles,
        fleet: rt.fleet.clone(),
        audit: rt.audit.clone(),
        tx,
        refreshes: 0,
    };
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    let mut int = signal(SignalKind::interrupt())?;
    let (mut frames, started) = (0u64, std::time::Instant::now());
    let size = terminal.size()?;
    state::update(&mut state, Msg::Resize(size.width, size.height));

    loop {
        frames += u64::from(draw(terminal, &mut state, &rt)?);
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => Msg::Key(k),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                // The terminal is gone: nothing more can be shown or typed.
                Some(Err(_)) | None => Msg::Quit,
            },
            Some(m) = rx.recv() => m,
            _ = tick.tick() => Msg::Tick(now_ms()),
            _ = term.recv() => Msg::Quit,
            _ = hup.recv() => Msg::Quit,
            _ = int.recv() => Msg::Quit,
        };
        let mut out = state::update(&mut state, msg);
        // Merge a burst of worker messages into one frame.
        for _ in 0..BURST {
            match rx.try_recv() {
                Ok(m) => out.extend(state::update(&mut state, m)),
                Err(_) => break,
            }
        }
        effects.apply(out);
        if state.quit {
            let secs = started.elapsed().as_secs_f64();
            tracing::info!(frames, secs, "frames drawn");
            return Ok(());
        }
    }
}
