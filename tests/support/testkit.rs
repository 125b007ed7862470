//! Builds the console's `State` for the tests and benches: the options the demo starts with and
//! the demo fleet's seed, so every caller starts from the same state and changes only what it
//! is about. Not part of the console: the test binaries have it in `support`, and the benches
//! include this file with `#[path]`.

// Each bench uses a part of it.
#![allow(dead_code)]

use deckwatch::demo::{World, seed};
use deckwatch::model::{Alarm, At, ContextInfo, Ms, Service, history};
use deckwatch::state::{ContextChoices, Effect, Msg, Options, State, update};
use deckwatch::theme::Themes;
use deckwatch::workers::linking::{Lists, Made};

/// The time every test and bench starts the demo at (2026-09-21 14:13:20 UTC): one fixed
/// instant, so snapshots and figures never depend on when they run.
pub const EPOCH: At = At(1_790_000_000_000);

/// What `build` loads into the state, as the pollers would deliver it.
#[derive(Debug, Clone, Copy)]
enum Load {
    Nothing,
    Services,
    /// Services, tasks, images and alarms, fetched this long before the state's clock.
    EveryPane(Ms),
}

/// A `State` on the demo fleet's seed. Settings chain by value; `build` borrows, so the seed's
/// world stays at hand for what a test compares against.
#[derive(Debug)]
pub struct StateBuilder {
    world: World,
    now: At,
    read_only: bool,
    log_lines: usize,
    log_bytes: usize,
    context: ContextInfo,
    load: Load,
}

impl StateBuilder {
    /// The seed at `epoch`, the dark theme, a 1,000-line (1 MiB) log buffer, the `demo` context,
    /// nothing loaded.
    pub fn demo(epoch: At) -> Self {
        Self {
            world: seed::world(epoch),
            now: epoch,
            read_only: false,
            log_lines: 1_000,
            log_bytes: 1 << 20,
            context: ContextInfo {
                name: "demo".into(),
                profile: "demo".into(),
                ..Default::default()
            },
            load: Load::Nothing,
        }
    }

    pub fn read_only(mut self, on: bool) -> Self {
        self.read_only = on;
        self
    }

    pub fn prod(mut self, on: bool) -> Self {
        self.context.prod = on;
        self
    }

    pub fn log_capacity(mut self, lines: usize, bytes: usize) -> Self {
        self.log_lines = lines;
        self.log_bytes = bytes;
        self
    }

    /// Moves the world and the state's clock `secs` seconds into the scenario.
    pub fn at_seconds(mut self, secs: i64) -> Self {
        self.now = self.world.start + Ms::secs(secs);
        self.world.advance_to(self.now);
        self
    }

    /// Makes one mutating call on the demo as the action runner would (a promote, an abort),
    /// to set a scene; panics if the demo refuses it.
    pub fn acting(
        mut self,
        key: &deckwatch::model::ServiceKey,
        m: &deckwatch::model::AwsCall,
    ) -> Self {
        if let Err(e) = self.world.act(key, m) {
            panic!("the demo refused {m}: {e}");
        }
        self
    }

    /// The context the demo fleet reports, with its account, region and clusters.
    pub fn fleet_context(mut self) -> Self {
        let mut clusters: Vec<String> = self
            .world
            .services()
            .iter()
            .map(|s| s.cluster.clone())
            .collect();
        clusters.dedup();
        self.context.account = self.world.account.clone();
        self.context.region = self.world.region.clone();
        self.context.clusters = clusters;
        self
    }

    /// Another context altogether.
    pub fn context(mut self, context: ContextInfo) -> Self {
        self.context = context;
        self
    }

    /// Loads the world's services, fetched at the state's clock.
    pub fn with_services(mut self) -> Self {
        self.load = Load::Services;
        self
    }

    /// Loads every pane's data but the logs, fetched `ago` milliseconds before the clock.
    pub fn with_every_pane(mut self, ago: Ms) -> Self {
        self.load = Load::EveryPane(ago);
        self
    }

    /// The seed's world, moved on by `at_seconds`.
    pub fn world(&self) -> &World {
        &self.world
    }

    pub fn build(&self) -> State {
        let options = Options {
            // `--read-only`: every context.
            choices: ContextChoices {
                read_only_everywhere: self.read_only,
                ..ContextChoices::default()
            },
            region: None,
            theme: "dark".into(),
            themes: Themes::load(None)
                .expect("the built-in themes parse")
                .names(),
            log_lines: self.log_lines,
            log_bytes: self.log_bytes,
            context: self.context.clone(),
            accent: None,
        };
        let mut s = State::new(options, self.now);
        let w = &self.world;
        match self.load {
            Load::Nothing => {}
            Load::Services => {
                Feed::default().services(&mut s, w.services(), self.now);
            }
            Load::EveryPane(ago) => {
                let at = self.now - ago;
                let mut feed = Feed::default();
                feed.services(&mut s, w.services(), at);
                let _ = update(&mut s, Msg::Tasks(None, w.tasks(), at));
                let _ = update(&mut s, Msg::Images(w.images(), at));
                feed.alarms(&mut s, w.alarms.clone(), at);
            }
        }
        s
    }
}

/// Feeds the reducer services and alarms the way the pollers do (`workers::linking`): the
/// services prepared with their history, the alarms sorted, the links made off the loop.
#[derive(Default)]
pub struct Feed {
    lists: Lists,
    /// Native deployment histories, as the evidence worker shares them with the poller.
    pub listed: history::Listed,
}

impl Feed {
    /// A feed whose lists last sent are the ones `s` holds, as a running poller's are.
    pub fn following(s: &State) -> Self {
        Self {
            lists: Lists::sent(s.ctx.services.items.clone(), s.ctx.alarms.items.clone()),
            listed: history::Listed::default(),
        }
    }

    pub fn services(&mut self, s: &mut State, all: Vec<Service>, at: At) -> Vec<Effect> {
        let sort = s.ctx.watch().sort;
        let (prepared, links) = self.lists.services(all, sort, &self.listed, at);
        let mut fx = update(s, Msg::Services(prepared, at));
        fx.extend(links_to(s, links));
        fx
    }

    /// What the services poller does when the evidence worker brought a native history: the
    /// services last sent, again, with the histories in `listed` merged in at `now`.
    pub fn histories(&mut self, s: &mut State, now: At) -> Vec<Effect> {
        let sort = s.ctx.watch().sort;
        match self.lists.with_histories(sort, &self.listed, now) {
            Some((prepared, at)) => update(s, Msg::Services(prepared, at)),
            None => Vec::new(),
        }
    }

    pub fn alarms(&mut self, s: &mut State, alarms: Vec<Alarm>, at: At) -> Vec<Effect> {
        let (alarms, links) = self.lists.alarms(alarms);
        let mut fx = update(s, Msg::Alarms(alarms, at));
        fx.extend(links_to(s, links));
        fx
    }
}

fn links_to(s: &mut State, links: Option<Made>) -> Vec<Effect> {
    links.map_or_else(Vec::new, |(made, l)| update(s, Msg::Links(made, l)))
}

/// The demo world's log lines of `service` after `cursor` (a line's number in the world's
/// store), and the cursor to ask from next: what a follow of that service would receive.
pub fn sim_lines(
    fleet: &deckwatch::demo::SimFleet,
    service: &deckwatch::model::ServiceKey,
    cursor: u64,
) -> (Vec<deckwatch::model::LogLine>, u64) {
    fleet.with_world(|w| {
        let lines = w
            .logs
            .iter()
            .filter(|(seq, si, _)| *seq > cursor && w.services[*si].svc.key() == *service)
            .map(|(_, _, l)| l.clone())
            .collect();
        (lines, w.next_seq.saturating_sub(1))
    })
}
