//! The loop: the only owner of the state. It turns terminal input, worker messages, signals and
//! the clock into messages, runs the reducer, hands effects to the workers, and draws only when
//! something visible changed, once per burst of messages.

use crate::cloud::Fleet;
use crate::state::{self, Effect, Msg, State};
use crate::theme::Themes;
use crate::workers::actions;
use crate::workers::audit::Audit;
use crate::workers::poller::{self, Intervals};
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use std::sync::Arc;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

/// Messages handled before a draw is forced, so a flood of data cannot starve the screen.
const BURST: usize = 64;

pub async fn run(
    terminal: &mut DefaultTerminal,
    mut state: State,
    themes: Themes,
    no_color: bool,
    fleet: Arc<dyn Fleet>,
    iv: Intervals,
    audit: Arc<Audit>,
) -> color_eyre::Result<()> {
    let (tx, mut rx) = mpsc::channel::<Msg>(256);
    let handles = poller::spawn(fleet.clone(), tx.clone(), state.watch(), iv);
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut refreshes = 0u64;
    let mut frames = 0u64;
    let started = std::time::Instant::now();
    let size = terminal.size()?;
    state::update(&mut state, Msg::Resize(size.width, size.height));

    loop {
        if state.dirty {
            let theme = themes
                .get(&state.theme_name)
                .or_else(|| themes.get(crate::theme::DEFAULT));
            let theme = theme.map(|t| if no_color { t.monochrome() } else { t });
            if let Some(theme) = theme {
                terminal.draw(|f| crate::ui::draw(f, &state, &theme))?;
                frames += 1;
            }
            state.dirty = false;
        }
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => Msg::Key(k),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                // The terminal is gone: nothing more can be shown or typed.
                Some(Err(_)) | None => Msg::Quit,
            },
            Some(m) = rx.recv() => m,
            _ = tick.tick() => Msg::Tick(poller::now_ms()),
            _ = term.recv() => Msg::Quit,
            _ = hup.recv() => Msg::Quit,
            _ = int.recv() => Msg::Quit,
        };
        let mut effects = state::update(&mut state, msg);
        // Merge a burst of worker messages into one frame.
        for _ in 0..BURST {
            match rx.try_recv() {
                Ok(m) => effects.extend(state::update(&mut state, m)),
                Err(_) => break,
            }
        }
        for e in effects {
            match e {
                Effect::Watch(w) => {
                    let _ = handles.watch.send(w);
                }
                Effect::Refresh => {
                    refreshes += 1;
                    let _ = handles.refresh.send(refreshes);
                }
                Effect::Act(plan, ctx) => {
                    tokio::spawn(actions::run(
                        fleet.clone(),
                        audit.clone(),
                        *plan,
                        ctx,
                        tx.clone(),
                    ));
                }
            }
        }
        if state.quit {
            let secs = started.elapsed().as_secs_f64();
            tracing::info!(frames, secs, "frames drawn");
            return Ok(());
        }
    }
}
