//! A job's watch away from the screen, on the demo fleet's paused clock: a rollback is sent,
//! the user switches (`:ctx`) to another context, and the loop's job watchers
//! (`app::job_watchers`, with the poll of `workers::job_watch`) keep reading the job's service
//! on the backend it ran on. Back after more than the wait's 10 minutes, the job ended stable
//! when the service did, not "not stable in time".

use crate::support::screen::{dark, screen};
use crate::support::testkit::{EPOCH, StateBuilder};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::app::job_watchers::JobWatchers;
use deckwatch::cloud::Fleet;
use deckwatch::demo::SimFleet;
use deckwatch::model::{ApiError, At, ContextInfo, ErrorKind, Ms, ServiceKey};
use deckwatch::state::actions::progress::Phase;
use deckwatch::state::jobs::{JobDone, JobId, JobWatched};
use deckwatch::state::notify::Notice;
use deckwatch::state::{ContextChoice, Effect, Msg, State, update};
use deckwatch::timing::STABLE_TIMEOUT_MS;
use deckwatch::workers::audit::Audit;
use deckwatch::workers::runner::execute;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// The watch's cadence in this test: the shipped fast poll.
const EVERY: Duration = Duration::from_secs(2);

struct Console {
    fleet: Arc<SimFleet>,
    state: State,
    watchers: JobWatchers,
    rx: mpsc::Receiver<Msg>,
    started: Instant,
    /// Every notification the reducer gave, in order.
    notices: Vec<Notice>,
}

impl Console {
    async fn new() -> Self {
        let fleet = Arc::new(SimFleet::new(EPOCH));
        let mut state = StateBuilder::demo(EPOCH)
            .context(ContextInfo {
                name: "demo".into(),
                ..Default::default()
            })
            .build();
        state.contexts.choices.list = ["demo", "staging"]
            .map(|name| ContextChoice {
                name: name.into(),
                ..ContextChoice::default()
            })
            .to_vec();
        let (tx, rx) = mpsc::channel(64);
        let mut c = Self {
            fleet,
            state,
            watchers: JobWatchers::new(EVERY, tx),
            rx,
            started: Instant::now(),
            notices: Vec::new(),
        };
        let services = c.fleet.services().await.unwrap();
        c.update(Msg::Services(services.into(), EPOCH));
        c
    }

    fn now(&self) -> At {
        EPOCH + Ms::from_std(self.started.elapsed())
    }

    /// The reducer on `msg`; the job watches it asks for are carried out as the loop does.
    fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let fx = update(&mut self.state, msg);
        for e in &fx {
            match e {
                Effect::WatchJobs(w) => self.watchers.apply(w.clone()),
                Effect::Notify(n) => self.notices.push(n.clone()),
                _ => {}
            }
        }
        fx
    }

    fn key(&mut self, c: char) -> Vec<Effect> {
        let m = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        self.update(Msg::Key(KeyEvent::new(KeyCode::Char(c), m)))
    }

    fn palette(&mut self, line: &str) {
        self.key(':');
        for c in line.chars() {
            self.key(c);
        }
        self.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    }

    fn select(&mut self, key: &ServiceKey) {
        self.key('g');
        for _ in 0..self.state.ctx.services.items.len() {
            if self.state.ctx.selected_service().map(|s| s.key()).as_ref() == Some(key) {
                return;
            }
            self.key('j');
        }
        panic!("no {key}");
    }

    /// `R` `y` on `key`, the runner's calls on the demo fleet and its answer; the job's
    /// backend is kept as the loop keeps it.
    async fn roll_back(&mut self, key: &ServiceKey) -> JobId {
        self.select(key);
        self.key('R');
        let (plan, job) = self
            .key('y')
            .into_iter()
            .find_map(|e| match e {
                Effect::Run(plan, _, job) => Some((*plan, job)),
                _ => None,
            })
            .expect("the rollback starts");
        self.watchers.ran(job, self.fleet.clone());
        let dir = tempfile::tempdir().unwrap();
        let audit = Audit::new(Some(dir.path().join("audit.jsonl")));
        let result = execute(self.fleet.as_ref(), &audit, &plan, &ContextInfo::default()).await;
        assert!(result.is_ok(), "{result:?}");
        self.update(Msg::ActionDone(JobDone::of(job, result)));
        job
    }

    /// One second on: the tick, and whatever the job watchers read meanwhile.
    async fn second(&mut self) {
        tokio::time::advance(Duration::from_secs(1)).await;
        tokio::task::yield_now().await;
        let now = self.now();
        self.update(Msg::Tick(now));
        while let Ok(m) = self.rx.try_recv() {
            assert!(matches!(m, Msg::JobWatched(_)), "{m:?}");
            self.update(m);
        }
    }

    /// The job, in whichever context holds it now.
    fn phase(&self, job: JobId) -> Phase {
        let here = self.state.ctx.jobs.get(job);
        here.expect("the job is in the context on screen")
            .progress
            .phase
            .clone()
    }
}

#[tokio::test(start_paused = true)]
async fn a_watch_goes_on_while_its_context_is_off_screen_and_ends_stable_in_time() {
    let mut c = Console::new().await;
    let api = ServiceKey {
        cluster: "prod-core".into(),
        name: "api".into(),
    };
    let job = c.roll_back(&api).await;
    assert!(matches!(c.phase(job), Phase::Waiting { .. }));
    assert_eq!(
        c.watchers.polled().count(),
        0,
        "on screen: its pollers feed it"
    );

    c.palette("ctx staging");
    assert_eq!(c.state.ctx.info.name, "staging");
    let polled: Vec<_> = c.watchers.polled().cloned().collect();
    assert_eq!(polled.len(), 1, "off screen: the loop reads it");
    assert_eq!((polled[0].job, &polled[0].service), (job, &api));

    // Past the wait's limit, with the demo context off screen all along. The service's own
    // state is looked at each second to know when it became stable.
    let to = c.state.ctx.jobs.all().len();
    assert_eq!(to, 0, "staging has no jobs of its own");
    let mut stable_since = None;
    let limit = STABLE_TIMEOUT_MS.as_secs() as u64 + 60;
    for _ in 0..limit {
        c.second().await;
        let s = c.fleet.services().await.unwrap();
        let s = s.iter().find(|s| s.key() == api).unwrap();
        if stable_since.is_none() && s.is_stable() && s.task_def.revision == 117 {
            stable_since = Some(c.now());
        }
    }
    let stable_since = stable_since.expect("the demo's rollback settles");
    let told: Vec<_> = c.notices.iter().map(Notice::line).collect();
    assert_eq!(
        told.iter()
            .filter(|l| l.contains(&format!("job {job} stable")))
            .count(),
        1,
        "its end is told while its context is off screen, naming that context: {told:?}"
    );
    assert!(told.iter().any(|l| l.contains("api in demo")), "{told:?}");
    assert_eq!(
        c.watchers.polled().count(),
        0,
        "the watch ended: its poll stopped"
    );

    let told_before = c.notices.len();
    c.palette("ctx demo");
    assert_eq!(c.notices.len(), told_before, "not told again on return");
    let Phase::Stable { at, took } = c.phase(job) else {
        panic!("{:?}", c.phase(job));
    };
    assert!(at >= stable_since, "{at:?} {stable_since:?}");
    assert!(
        at - stable_since <= Ms::from_std(EVERY) + Ms::secs(1),
        "seen at the next read: {:?} after",
        at - stable_since
    );
    assert!(took < STABLE_TIMEOUT_MS, "{took:?}");
}

#[tokio::test(start_paused = true)]
async fn a_read_that_fails_off_screen_is_said_on_the_job_until_one_succeeds() {
    let mut c = Console::new().await;
    let api = ServiceKey {
        cluster: "prod-core".into(),
        name: "api".into(),
    };
    let job = c.roll_back(&api).await;
    c.palette("ctx staging");
    let e = ApiError::new(ErrorKind::Throttled, "throttled: Rate exceeded");
    c.update(Msg::JobWatched(Box::new(JobWatched { job, read: Err(e) })));
    let away = c
        .state
        .contexts
        .kept_contexts()
        .find_map(|k| k.jobs.get(job))
        .cloned()
        .expect("the job stays in its context");
    let why = away.read_failed.map(|(_, why)| why);
    assert_eq!(why.as_deref(), Some("throttled: Rate exceeded"));
    assert!(
        matches!(away.progress.phase, Phase::Waiting { .. }),
        "a failed read ends nothing"
    );

    c.palette("ctx demo");
    c.palette("jobs");
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    t.draw(|f| {
        deckwatch::ui::draw(f, &c.state, &dark());
    })
    .unwrap();
    let text = screen(t.backend().buffer());
    assert!(
        text.contains("its service could not be read off screen (0s ago): throttled: Rate"),
        "{text}"
    );

    c.update(Msg::JobWatched(Box::new(JobWatched {
        job,
        read: Ok(Vec::new()),
    })));
    let here = c.state.ctx.jobs.get(job).expect("on screen again");
    assert_eq!(here.read_failed, None, "a good read clears it");
}
