//! The loop: the only owner of the state. It turns terminal input, worker messages, signals and
//! the clock into messages, runs the reducer, hands effects to the workers, and draws only when
//! something visible changed, once per burst of messages.

use crate::cloud::{CloudError, Fleet};
use crate::contexts::Connector;
use crate::model::{ActionError, ActionPlan, ContextInfo};
use crate::state::{self, Effect, Msg, State, Target};
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
    /// The backend of the context the console starts in.
    pub fleet: Arc<dyn Fleet>,
    pub intervals: Intervals,
    pub audit: Arc<Audit>,
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

/// Carries out the reducer's effects.
struct Effects {
    /// None while a switch builds the next context's backend.
    live: Option<Live>,
    /// The live pollers' messages. Replaced at a switch, so nothing the old pollers still had
    /// in flight reaches the new context's panes.
    data: (mpsc::Sender<Msg>, mpsc::Receiver<Msg>),
    /// Messages that outlive a switch: an action's outcome.
    main: mpsc::Sender<Msg>,
    built: mpsc::Sender<Built>,
    connector: Arc<dyn Connector>,
    audit: Arc<Audit>,
    intervals: Intervals,
    refreshes: u64,
}

/// Messages a context's pollers may queue before they wait for the loop.
const DATA_QUEUE: usize = 256;

impl Effects {
    /// The startup context's pollers, on the backend built before the screen opened.
    fn start(
        rt: &Runtime,
        state: &State,
        main: mpsc::Sender<Msg>,
        built: mpsc::Sender<Built>,
    ) -> Self {
        let data = mpsc::channel::<Msg>(DATA_QUEUE);
        let handles = poller::spawn(
            rt.fleet.clone(),
            data.0.clone(),
            state.watch(),
            rt.intervals,
        );
        Self {
            live: Some(Live {
                target: state.contexts.current.clone(),
                fleet: rt.fleet.clone(),
                handles,
            }),
            data,
            main,
            built,
            connector: rt.connector.clone(),
            audit: rt.audit.clone(),
            intervals: rt.intervals,
            refreshes: 0,
        }
    }

    fn apply(&mut self, effects: Vec<Effect>) {
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
                }
                Effect::Run(plan, ctx) => self.run(*plan, ctx),
                Effect::SwitchContext(target) => self.switch(target),
            }
        }
    }

    /// Runs a confirmed action on the live backend, only if that is the context it was planned
    /// in; the runner then checks the account itself.
    fn run(&self, plan: ActionPlan, ctx: ContextInfo) {
        let tx = self.main.clone();
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
        let (fleet, audit) = (live.fleet.clone(), self.audit.clone());
        tokio::spawn(runner::run(fleet, audit, plan, ctx, tx));
    }

    /// Stops the live pollers at once and builds the target's backend off the loop.
    fn switch(&mut self, target: Target) {
        self.live = None;
        self.data = mpsc::channel(DATA_QUEUE);
        let (connector, built) = (self.connector.clone(), self.built.clone());
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
                let handles = poller::spawn(
                    fleet.clone(),
                    self.data.0.clone(),
                    state.watch(),
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
    let mut viewport = state.viewport.clone();
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
    let (main, mut main_rx) = mpsc::channel::<Msg>(16);
    let (built, mut built_rx) = mpsc::channel::<Built>(4);
    let mut effects = Effects::start(&rt, &state, main, built);
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
                Some(Ok(Event::Mouse(m))) => Msg::Mouse(m),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                // The terminal is gone: nothing more can be shown or typed.
                Some(Err(_)) | None => Msg::Quit,
            },
            Some(m) = effects.data.1.recv() => m,
            Some(m) = main_rx.recv() => m,
            Some(b) = built_rx.recv() => match effects.on_built(b, &state) {
                Some(m) => m,
                None => continue,
            },
            _ = tick.tick() => Msg::Tick(now_ms()),
            _ = term.recv() => Msg::Quit,
            _ = hup.recv() => Msg::Quit,
            _ = int.recv() => Msg::Quit,
        };
        let mut out = state::update(&mut state, msg);
        // Merge a burst of worker messages into one frame.
        for _ in 0..BURST {
            match effects.data.1.try_recv() {
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
