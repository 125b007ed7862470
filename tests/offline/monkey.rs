//! A monkey on the keyboard: random key sequences across every mode of the demo console, fed
//! through the reducer with fresh fleet data now and then and a frame drawn every so often.
//! Nothing panics, and the invariants hold after every key: every selection within its list,
//! one dialog at most, one action at a time, and nothing sent unless the key just pressed
//! confirmed a dialog (`y`, or in a production context the service's name and Enter).
//!
//! 100,000 keys per run, three runs (a plain context, a production one, a read-only one),
//! fixed seeds: the same keys every time.

use crate::support::testkit::{Feed, StateBuilder};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::demo::{World, seed};
use deckwatch::model::{ActionError, At, Ms};
use deckwatch::state::{Effect, Mode, Msg, State, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::support::testkit::EPOCH;
pub const KEYS_PER_RUN: usize = 100_000;
/// Keys between fresh data from the fleet, and between drawn frames.
const DATA_EVERY: usize = 400;
const DRAW_EVERY: usize = 1_000;

/// xorshift64*: fixed seeds, the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Every key some layer binds, with the confirm key and the action keys more often so the
/// dialogs are reached, and now and then any character at all.
fn key(rng: &mut Rng) -> KeyEvent {
    const CHARS: &str = "jkdugGrfaPARFSBq/:?123456yyyyynxe0189-|!";
    let plain = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    match rng.below(100) {
        0..=54 => {
            let c = CHARS.as_bytes()[rng.below(CHARS.len())] as char;
            let m = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            KeyEvent::new(KeyCode::Char(c), m)
        }
        55..=64 => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
        65..=71 => KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
        72..=75 => KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
        76 => KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT),
        77..=80 => KeyEvent::new(KeyCode::Down, KeyModifiers::NONE),
        81..=83 => KeyEvent::new(KeyCode::Up, KeyModifiers::NONE),
        84 => KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE),
        85 => KeyEvent::new(KeyCode::PageUp, KeyModifiers::NONE),
        86..=88 => KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE),
        89 => KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
        90 => KeyEvent::new(KeyCode::Home, KeyModifiers::NONE),
        91 => KeyEvent::new(KeyCode::End, KeyModifiers::NONE),
        _ => plain(char::from_u32(rng.below(0x3000) as u32).unwrap_or('?')),
    }
}

fn check_invariants(s: &State) {
    fn within<T: deckwatch::state::table::TableItem>(
        t: &deckwatch::state::table::Table<T>,
        what: &str,
    ) {
        assert!(
            t.selected < t.view.len().max(1),
            "{what}: selection {} of {}",
            t.selected,
            t.view.len()
        );
        assert!(t.view.iter().all(|&i| i < t.items.len()), "{what}: view");
    }
    within(&s.ctx.services, "services");
    within(&s.ctx.tasks, "tasks");
    within(&s.ctx.images, "images");
    within(&s.ctx.alarms, "alarms");
    assert!(
        s.ctx.logs.cursor_pos() <= s.ctx.logs.shown_len(),
        "logs selection"
    );
    if let Mode::Confirm(plan, _) = &s.mode {
        assert!(
            s.ctx.services.items.iter().any(|x| x.key() == plan.service),
            "a dialog for a service the console does not show"
        );
    }
}

/// Fresh data from the world at `now`, as the pollers would send it for what is on screen
/// (services and alarms go through `feed`, prepared as the pollers prepare them).
fn data(s: &State, w: &World, now: At) -> Vec<Msg> {
    let mut msgs = vec![Msg::Tick(now), Msg::Images(w.images(), now)];
    let tasks = w.tasks();
    let scoped = match &s.ctx.rollout {
        Some(k) => tasks
            .into_iter()
            .filter(|t| t.cluster == k.cluster && t.service == k.name)
            .collect(),
        None => tasks,
    };
    msgs.push(Msg::Tasks(s.ctx.rollout.clone(), scoped, now));
    if let Some(k) = s.ctx.logs.service() {
        let lines = w
            .logs
            .iter()
            .rev()
            .take(50)
            .map(|(_, _, l)| l.clone())
            .collect();
        msgs.push(Msg::Logs(k.clone(), lines, now));
    }
    msgs
}

/// Types the service's name, as a person confirming a production dialog would.
fn type_name(plan_service: &str) -> Vec<KeyEvent> {
    plan_service
        .chars()
        .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
        .collect()
}

struct Run {
    keys: usize,
    actions_sent: usize,
    dialogs_opened: usize,
}

fn monkey(seed_value: u64, prod: bool, read_only: bool) -> Run {
    let mut rng = Rng(seed_value);
    let mut world = seed::world(EPOCH);
    let builder = StateBuilder::demo(EPOCH)
        .fleet_context()
        .prod(prod)
        .read_only(read_only)
        .with_every_pane(Ms(0));
    let mut s = builder.build();
    let mut feed = Feed::following(&s);
    let theme = crate::support::screen::dark();
    let mut term = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let (mut now, mut run) = (
        EPOCH,
        Run {
            keys: 0,
            actions_sent: 0,
            dialogs_opened: 0,
        },
    );
    let mut queue: Vec<KeyEvent> = Vec::new();
    while run.keys < KEYS_PER_RUN {
        if run.keys % DATA_EVERY == 0 {
            now += Ms(15_000);
            world.advance_to(now);
            feed.services(&mut s, world.services(), now);
            feed.alarms(&mut s, world.alarms.clone(), now);
            for m in data(&s, &world, now) {
                let _ = update(&mut s, m);
            }
        }
        if run.keys % DRAW_EVERY == 0 {
            let mut v = s.viewport.clone();
            term.draw(|f| v = deckwatch::ui::draw(f, &s, &theme))
                .unwrap();
            let _ = update(&mut s, Msg::Layout(v));
        }
        // In a production dialog, now and then type the name as it should be.
        if let (Mode::Confirm(plan, typed), true) = (&s.mode, prod)
            && typed.is_empty()
            && queue.is_empty()
            && rng.below(3) == 0
        {
            queue = type_name(&plan.service.name);
            queue.push(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
            queue.reverse();
        }
        let k = queue.pop().unwrap_or_else(|| key(&mut rng));
        let before = s.mode.clone();
        // The services running jobs act on (with their pairs), and whether the jobs are full.
        let busy: Vec<deckwatch::model::ServiceKey> = s
            .ctx
            .jobs
            .running()
            .flat_map(|j| j.touches.clone())
            .collect();
        let full = s.ctx.jobs.running_count() >= deckwatch::state::jobs::MAX_RUNNING;
        let effects = update(&mut s, Msg::Key(k));
        run.keys += 1;
        let sent = effects
            .iter()
            .filter(|e| matches!(e, Effect::Run(..)))
            .count();
        if sent > 0 {
            check_sent(&before, &k, prod, sent, (&busy, full), read_only);
            run.actions_sent += 1;
            // The runner answers after a while: here, at once. Most are refused (the service
            // changed), which ends the action; a done one is followed until it settles.
            let result = if run.actions_sent % 5 == 0 {
                Ok("done".into())
            } else {
                Err(ActionError::Reread {
                    what: "monkey".into(),
                    cause: "the monkey says no".into(),
                })
            };
            let done = Msg::ActionDone(deckwatch::state::jobs::JobDone::of(
                s.ctx.jobs.newest().map_or(0, |j| j.id),
                result,
            ));
            let _ = update(&mut s, done);
        }
        if matches!(s.mode, Mode::Confirm(..)) && !matches!(before, Mode::Confirm(..)) {
            run.dialogs_opened += 1;
        }
        // Quitting is allowed; the monkey carries on in a fresh console of the same state.
        s.quit = false;
        check_invariants(&s);
    }
    println!(
        "monkey seed {seed_value:#x}: {} keys, {} dialogs opened, {} actions sent",
        run.keys, run.dialogs_opened, run.actions_sent
    );
    run
}

/// An action left only from a dialog, by its confirm key, never on a service a running job
/// acts on, and never past the most jobs at once.
fn check_sent(
    before: &Mode,
    k: &KeyEvent,
    prod: bool,
    sent: usize,
    (busy, full): (&[deckwatch::model::ServiceKey], bool),
    ro: bool,
) {
    assert_eq!(sent, 1, "one action per key");
    assert!(!ro, "a read-only console sent an action");
    let Mode::Confirm(plan, typed) = before else {
        panic!("an action sent from {before:?} by {k:?}");
    };
    assert!(!full, "an action past the most jobs at once");
    assert!(
        !busy.contains(&plan.service) && plan.then.iter().all(|f| !busy.contains(&f.service)),
        "a second action on {} while a job acts on it",
        plan.service
    );
    if prod {
        assert_eq!(k.code, KeyCode::Enter, "prod confirms with Enter");
        assert_eq!(typed, &plan.service.name, "prod needs the name typed");
    } else {
        assert_eq!(k.code, KeyCode::Char('y'), "only y confirms");
    }
}

#[test]
fn a_monkey_on_a_plain_context() {
    let r = monkey(0x5eed_0001, false, false);
    assert_eq!(r.keys, KEYS_PER_RUN);
    // The run reached the dialogs and sent actions: the invariants were tested, not idle.
    assert!(r.dialogs_opened > 100, "{} dialogs", r.dialogs_opened);
    assert!(r.actions_sent > 10, "{} actions", r.actions_sent);
}

#[test]
fn a_monkey_on_a_production_context() {
    let r = monkey(0x5eed_0002, true, false);
    assert_eq!(r.keys, KEYS_PER_RUN);
    // A production dialog stays open while a name is typed: fewer are opened.
    assert!(r.dialogs_opened > 30, "{} dialogs", r.dialogs_opened);
    assert!(r.actions_sent > 10, "{} actions", r.actions_sent);
}

#[test]
fn a_monkey_on_a_read_only_console_sends_nothing() {
    let r = monkey(0x5eed_0003, false, true);
    assert_eq!(r.keys, KEYS_PER_RUN);
    assert_eq!(r.actions_sent, 0, "read-only sent an action");
}
