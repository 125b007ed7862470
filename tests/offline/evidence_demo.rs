//! The demo's evidence on tokio's paused clock, through the reducer, the evidence worker's
//! fetch and the real drawing: the bad payments deploy (its 5xx rate and p99 diverge from
//! before, its alarms on the row, the rollback kept in its history, `:diff` naming the missing
//! PAYMENTS_API_KEY, `R` refusing to go past the last stable revision) and the checkout native
//! canary with healthy figures on both sides, before and after its promote. The rollout view
//! with the comparison and the history, and the diff, are snapshots.

use crate::support::testkit::{Feed, StateBuilder};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::cloud::Fleet;
use deckwatch::demo::SimFleet;
use deckwatch::model::{At, ContextInfo, Ms, ServiceKey};
use deckwatch::state::rollout::evidence::request;
use deckwatch::state::{Effect, Mode, Msg, Pane, State, update};
use deckwatch::workers::audit::Audit;
use deckwatch::workers::evidence::fetch_once;
use deckwatch::workers::runner::execute;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;

use crate::support::testkit::EPOCH;
const W: u16 = 120;
const H: u16 = 40;

/// The console on the demo fleet, polled as the loop would, one second at a time.
pub(crate) struct Console {
    pub(crate) fleet: SimFleet,
    pub(crate) state: State,
    elapsed: Ms,
    log_cursor: Option<(ServiceKey, u64)>,
    /// What the services and alarms pollers prepare before they send.
    feed: Feed,
    /// The actions the reducer sent to the runner on its ticks (an armed policy's).
    pub(crate) runs: Vec<deckwatch::model::ActionPlan>,
}

impl Console {
    pub(crate) fn new() -> Self {
        let mut state = StateBuilder::demo(EPOCH)
            .fleet_context()
            .log_capacity(5_000, 1 << 20)
            .build();
        let _ = update(&mut state, Msg::Resize(W, H));
        Self {
            fleet: SimFleet::new(EPOCH),
            state,
            elapsed: Ms(0),
            log_cursor: None,
            feed: Feed::default(),
            runs: Vec::new(),
        }
    }

    pub(crate) fn now(&self) -> At {
        EPOCH + self.elapsed
    }

    /// What the pollers and the evidence worker would deliver now.
    pub(crate) async fn poll(&mut self) {
        let now = self.now();
        let s = &mut self.state;
        for e in update(s, Msg::Tick(now)) {
            if let Effect::Run(plan, ..) = e {
                self.runs.push(*plan);
            }
        }
        let services = self.fleet.services().await.unwrap();
        self.feed.services(s, services, now);
        let alarms = self.fleet.alarms().await.unwrap();
        self.feed.alarms(s, alarms, now);
        if let Some(key) = s.ctx.rollout.clone() {
            let tasks = self.fleet.tasks(Some(&key)).await.unwrap();
            let _ = update(s, Msg::Tasks(Some(key.clone()), tasks, now));
            let cursor = match &self.log_cursor {
                Some((k, c)) if *k == key => *c,
                _ => 0,
            };
            let (lines, next) = crate::support::testkit::sim_lines(&self.fleet, &key, cursor);
            self.log_cursor = Some((key.clone(), next));
            let _ = update(s, Msg::Logs(key, lines, now));
        }
        self.fetch_evidence().await;
    }

    pub(crate) async fn fetch_evidence(&mut self) {
        let r = request(&self.state);
        let round = fetch_once(&self.fleet, &r, self.now()).await;
        // The worker hands native histories to the services poller, which merges them.
        if let Some((service, Ok(l))) = round.history {
            self.feed.listed.insert(service, l);
            let now = self.now();
            let _ = self.feed.histories(&mut self.state, now);
        }
        for f in round.fetched {
            let _ = update(&mut self.state, Msg::Evidence(Box::new(f)));
        }
    }

    pub(crate) async fn run_for(&mut self, secs: u64) {
        for _ in 0..secs {
            tokio::time::advance(Duration::from_secs(1)).await;
            self.elapsed += Ms(1000);
            self.poll().await;
        }
    }

    /// Runs until `done` holds, a second at a time, for at most `secs`.
    pub(crate) async fn run_until(&mut self, secs: u64, what: &str, done: impl Fn(&State) -> bool) {
        for _ in 0..secs {
            if done(&self.state) {
                return;
            }
            self.run_for(1).await;
        }
        panic!("not within {secs} s: {what}\n{}", self.screen());
    }

    pub(crate) fn key(&mut self, code: KeyCode) -> Vec<Effect> {
        update(
            &mut self.state,
            Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        )
    }

    pub(crate) fn palette(&mut self, word: &str) {
        self.key(KeyCode::Char(':'));
        for c in word.chars() {
            self.key(KeyCode::Char(c));
        }
        self.key(KeyCode::Enter);
    }

    pub(crate) fn select(&mut self, cluster: &str, name: &str) {
        self.key(KeyCode::Char('1'));
        self.key(KeyCode::Char('g'));
        for _ in 0..self.state.ctx.services.len() {
            let sel = self.state.ctx.selected_service().unwrap();
            if sel.cluster == cluster && sel.name == name {
                return;
            }
            self.key(KeyCode::Char('j'));
        }
        panic!("no service {cluster}/{name}");
    }

    pub(crate) fn terminal(&self) -> Terminal<TestBackend> {
        let theme = crate::support::screen::dark();
        let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
        t.draw(|f| {
            deckwatch::ui::draw(f, &self.state, &theme);
        })
        .unwrap();
        t
    }

    pub(crate) fn screen(&self) -> String {
        let t = self.terminal();
        let buf = t.backend().buffer();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The first cell of `needle` on the first row containing `row`.
fn cell_of(buf: &ratatui::buffer::Buffer, row: &str, needle: &str) -> (u16, u16) {
    let text = |y: u16| {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol())
            .collect::<String>()
    };
    let y = (0..buf.area.height)
        .find(|&y| text(y).contains(row))
        .unwrap_or_else(|| panic!("no row with {row:?}"));
    let first = needle.chars().next().map(String::from).unwrap_or_default();
    let x = (0..buf.area.width)
        .find(|&x| {
            buf[(x, y)].symbol() == first
                && needle.chars().enumerate().all(|(i, ch)| {
                    x + (i as u16) < buf.area.width
                        && buf[(x + i as u16, y)].symbol() == ch.to_string()
                })
        })
        .unwrap_or_else(|| panic!("no {needle:?} on row {y}: {}", text(y)));
    (x, y)
}

fn line_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?}:\n{screen}"))
}

#[tokio::test(start_paused = true)]
async fn the_bad_payments_deploy_shows_its_evidence_and_keeps_its_rollback() {
    let mut c = Console::new();
    c.poll().await;
    c.select("prod-core", "payments");
    c.key(KeyCode::Enter);
    assert!(c.state.ctx.in_rollout_view());
    c.run_for(68).await;

    // While it rolls (for less than a minute: the breaker rolls it back), the load balancer
    // has no complete minute of the new revision to compare, and says so rather than showing a
    // part of one; its target group's alarms fail it at once.
    let screen = c.screen();
    assert!(
        line_with(&screen, "  evidence ").contains("the load balancer counts whole minutes"),
        "{screen}"
    );
    let verdict = line_with(&screen, "verdict  FAIL:");
    assert!(
        verdict.contains("new alarm payments-5xx-rate in ALARM"),
        "{verdict}"
    );
    let new_side = line_with(&screen, "new     payments:43");
    assert!(!new_side.contains("no traffic"), "{new_side}");
    assert!(new_side.contains("ERROR "), "{new_side}");
    assert!(
        line_with(&screen, "│  alarms FIRING").contains("payments-5xx-rate"),
        "{screen}"
    );
    insta::assert_snapshot!("rollout_payments_comparison", c.terminal().backend());
    // FAIL is in the alarm colour, the firing alarms too.
    let theme = crate::support::screen::dark();
    let t = c.terminal();
    let buf = t.backend().buffer();
    let (x, y) = cell_of(buf, "verdict  FAIL", "FAIL");
    assert_eq!(buf[(x, y)].fg, theme.alarm);
    let (x, y) = cell_of(buf, "│  alarms FIRING", "FIRING");
    assert_eq!(buf[(x, y)].fg, theme.alarm);

    // The row shows its firing alarms, on every pane.
    c.key(KeyCode::Esc);
    let screen = c.screen();
    assert!(line_with(&screen, "│payments").contains("⚠3"), "{screen}");
    alarm_details(&mut c).await;
    c.select("prod-core", "payments");
    c.key(KeyCode::Enter);

    // The breaker trips and ECS rolls back: the history keeps it after the failed
    // deployment has left the service.
    c.run_until(400, "payments rolled back and steady", |s| {
        s.ctx
            .rollout_service()
            .is_some_and(|p| p.is_stable() && p.task_def.revision == 42)
            && s.ctx
                .rollout_service()
                .is_some_and(|p| p.deployments.len() == 1)
    })
    .await;
    c.run_for(2).await;
    let screen = c.screen();
    assert!(
        line_with(&screen, "history ROLLED BACK by circuit breaker").contains("43 → 42"),
        "{screen}"
    );
    assert!(
        screen.contains("payments:42 is the result of a rollback"),
        "{screen}"
    );
    insta::assert_snapshot!("rollout_payments_history", c.terminal().backend());
    c.key(KeyCode::Esc);
    let screen = c.screen();
    let row = line_with(&screen, "│payments");
    assert!(
        row.contains("↩ ROLLED BACK") && row.contains("43→42"),
        "{row}"
    );

    // `:diff` compares the revision it is back on with the one rolled back.
    c.key(KeyCode::Enter);
    c.palette("diff");
    assert!(matches!(c.state.mode, Mode::Diff(_)), "{:?}", c.state.mode);
    c.fetch_evidence().await;
    let screen = c.screen();
    assert!(
        screen.contains("diff payments:42 → payments:43"),
        "{screen}"
    );
    // The removed secret (the log box above names the same key in r43's panic).
    assert!(
        line_with(&screen, "secret").contains("- PAYMENTS_API_KEY=arn:aws:secretsmanager:"),
        "{screen}"
    );
    assert!(screen.contains("RELEASE (value changed)"), "{screen}");
    assert!(screen.contains("v1.42.0 → v1.43.0"), "{screen}");
    insta::assert_snapshot!("diff_payments", c.terminal().backend());
    c.key(KeyCode::Esc);

    // R knows 42 is where the rollback left it, and offers nothing older.
    let _ = update(
        &mut c.state,
        Msg::Key(KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT)),
    );
    assert_eq!(c.state.mode, Mode::Normal);
    let flash = c.state.flash.clone().unwrap().0;
    assert!(
        flash.contains(
            "payments:42 is itself the result of a rollback by circuit breaker from payments:43"
        ),
        "{flash}"
    );
}

/// The firing 5xx alarm in full, then the composite over it.
async fn alarm_details(c: &mut Console) {
    c.key(KeyCode::Char('4'));
    c.key(KeyCode::Char('g'));
    assert_eq!(
        c.state.ctx.alarms.selected_item().unwrap().name,
        "payments-5xx-rate"
    );
    c.key(KeyCode::Enter);
    assert_eq!(c.state.mode, Mode::Detail);
    c.fetch_evidence().await;
    let screen = c.screen();
    let changed = line_with(&screen, "last 24h");
    assert!(
        changed.contains("2026-09-21 14:14:"),
        "an absolute date: {changed}"
    );
    assert!(changed.contains("OK → ALARM"), "{changed}");
    assert!(screen.contains("── threshold 10"), "{screen}");
    assert!(
        line_with(&screen, "fires when").contains("Sum > 10 for 1 of 1"),
        "{screen}"
    );
    assert!(
        screen.contains("prod-core/payments (target group metric)"),
        "{screen}"
    );
    insta::assert_snapshot!("alarm_detail_payments_5xx", c.terminal().backend());
    c.key(KeyCode::Esc);
    c.key(KeyCode::Char('j'));
    assert_eq!(
        c.state.ctx.alarms.selected_item().unwrap().name,
        "payments-health"
    );
    c.key(KeyCode::Enter);
    c.fetch_evidence().await;
    let screen = c.screen();
    assert!(
        screen.contains(r#"ALARM("payments-5xx-rate") OR ALARM("payments-p99-latency")"#),
        "{screen}"
    );
    assert!(
        line_with(&screen, "children").contains("payments-5xx-rate  ALARM"),
        "{screen}"
    );
    assert!(
        line_with(&screen, "payments-p99-latency  ").contains("ALARM"),
        "{screen}"
    );
    c.key(KeyCode::Esc);
}

#[tokio::test(start_paused = true)]
async fn the_checkout_canary_shows_healthy_figures_on_both_sides_before_and_after_its_promote() {
    let mut c = Console::new();
    c.poll().await;
    c.select("prod-edge", "checkout");
    c.key(KeyCode::Enter);
    c.run_for(20).await;
    c.run_until(60, "the first complete minute of checkout:58", has_figures)
        .await;
    let screen = c.screen();
    // Waiting at its hook, the canary has only its test traffic; healthy on both sides.
    let verdict = line_with(&screen, "evidence canary 5xx");
    assert!(!verdict.contains('▲'), "{verdict}");
    assert!(verdict.contains("vs primary"), "{verdict}");
    assert!(
        line_with(&screen, "canary  checkout:58").contains(" req · 5xx "),
        "{screen}"
    );
    assert!(
        line_with(&screen, "primary checkout:57").contains(" req · 5xx "),
        "{screen}"
    );
    insta::assert_snapshot!("rollout_checkout_comparison", c.terminal().backend());
    let theme = crate::support::screen::dark();
    let t = c.terminal();
    let buf = t.backend().buffer();
    let (x, y) = cell_of(buf, "evidence canary 5xx", "≈");
    assert_eq!(buf[(x, y)].fg, theme.ok, "alike is fine, in the ok colour");

    // Promote: the dialog carries the comparison and the diff; then 10% of production.
    let _ = update(
        &mut c.state,
        Msg::Key(KeyEvent::new(KeyCode::Char('P'), KeyModifiers::SHIFT)),
    );
    c.fetch_evidence().await;
    let screen = c.screen();
    assert!(screen.contains("Canary against primary"), "{screen}");
    assert!(
        screen.contains("What differs, checkout:57 → checkout:58"),
        "{screen}"
    );
    assert!(screen.contains("RELEASE (value changed)"), "{screen}");
    assert!(screen.contains("y confirm"), "{screen}");
    let fx = c.key(KeyCode::Char('y'));
    let plan = fx
        .iter()
        .find_map(|e| match e {
            Effect::Run(p, ..) => Some((**p).clone()),
            _ => None,
        })
        .expect("y runs the promote");
    let dir = tempfile::tempdir().unwrap();
    let audit = Audit::new(Some(dir.path().join("audit.jsonl")));
    let done = execute(&c.fleet, &audit, &plan, &ContextInfo::default()).await;
    assert!(done.is_ok(), "{done:?}");
    c.run_for(45).await;
    let s = c.state.ctx.rollout_service().unwrap();
    let n = s.native.as_ref().unwrap();
    assert_eq!(n.target.requested_production_weight, 10.0);
    let screen = c.screen();
    let verdict = line_with(&screen, "evidence canary 5xx");
    assert!(!verdict.contains('▲'), "{verdict}");
    assert!(!verdict.contains("no traffic"), "{verdict}");
    assert_eq!(c.state.ctx.pane, Pane::Rollout);
}

#[tokio::test(start_paused = true)]
async fn r_on_a_steady_service_says_why_its_target_and_what_differs() {
    let mut c = Console::new();
    c.poll().await;
    c.select("prod-core", "api");
    let _ = update(
        &mut c.state,
        Msg::Key(KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT)),
    );
    assert!(
        matches!(c.state.mode, Mode::Confirm(..)),
        "{:?}",
        c.state.flash
    );
    c.fetch_evidence().await;
    let screen = c.screen();
    assert!(screen.contains("Why this target:"), "{screen}");
    assert!(
        screen.contains("api:117: the newest registered revision below api:118"),
        "{screen}"
    );
    assert!(
        screen.contains("What differs, api:118 → api:117:"),
        "{screen}"
    );
    assert!(screen.contains("~ v1.118.0 → v1.117.0"), "{screen}");
    assert!(screen.contains("y confirm"), "{screen}");
    insta::assert_snapshot!("confirm_rollback_api", c.terminal().backend());
}

#[tokio::test(start_paused = true)]
async fn at_80x24_the_promote_dialog_keeps_its_keys_and_the_rollout_view_its_verdict() {
    let mut c = Console::new();
    let _ = update(&mut c.state, Msg::Resize(80, 24));
    c.poll().await;
    c.select("prod-edge", "checkout");
    c.key(KeyCode::Enter);
    c.run_for(20).await;
    let small = |c: &Console| {
        let theme = crate::support::screen::dark();
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        t.draw(|f| {
            deckwatch::ui::draw(f, &c.state, &theme);
        })
        .unwrap();
        let buf = t.backend().buffer().clone();
        (0..24)
            .map(|y| (0..80).map(|x| buf[(x, y)].symbol()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let screen = small(&c);
    assert!(
        screen.contains("canary 5xx"),
        "the verdict leads the panel:\n{screen}"
    );
    let _ = update(
        &mut c.state,
        Msg::Key(KeyEvent::new(KeyCode::Char('P'), KeyModifiers::SHIFT)),
    );
    c.fetch_evidence().await;
    let screen = small(&c);
    assert!(screen.contains("y confirm"), "{screen}");
}

/// Whether the last read of the rollout view's figures counts a complete minute with traffic.
fn has_figures(s: &State) -> bool {
    s.ctx.evidence.alb.as_ref().is_some_and(|r| {
        r.sides.canary.has_complete_minute(r.at)
            && r.figures.as_ref().is_ok_and(|(c, _)| c.requests > 0.0)
    })
}

/// The verdict kept for the rollout view's service.
fn kept(s: &State) -> Option<&deckwatch::state::rollout::verdict::Kept> {
    let svc = s.ctx.rollout_service()?;
    deckwatch::state::rollout::verdict::kept_for(s, svc)
}

fn verdict(s: &State) -> Option<deckwatch::model::verdict::Verdict> {
    kept(s).map(|k| k.judged.verdict)
}

#[tokio::test(start_paused = true)]
async fn the_bad_payments_deploy_is_judged_fail_within_a_minute_of_its_first_errors() {
    use deckwatch::model::evidence::AlbQuery;
    use deckwatch::model::verdict::Verdict;
    let mut c = Console::new();
    c.poll().await;
    c.select("prod-core", "payments");
    c.key(KeyCode::Enter);
    let tg = c.state.ctx.rollout_service().unwrap().target_groups[0].clone();
    // The first second the simulated load balancer counts a 5xx of the new revision (the
    // minute under way included, which no read of the console sees yet).
    let mut first_error = None;
    for _ in 0..300 {
        c.run_for(1).await;
        let Some(d) = c.state.ctx.rollout_service().unwrap().rolling_in_progress() else {
            continue;
        };
        let q = AlbQuery {
            target_group: tg.clone(),
            from: d.created_at,
            until: c.now() + Ms(60_000),
        };
        let f = c.fleet.alb_figures(&[q]).await.unwrap();
        if f[0].errors_5xx > 0.0 {
            first_error = Some(c.now());
            break;
        }
    }
    let first_error = first_error.expect("the bad revision serves errors");
    c.run_until(60, "FAIL within a minute of the first errors", |s| {
        verdict(s) == Some(Verdict::Fail)
    })
    .await;
    let screen = c.screen();
    let line = line_with(&screen, "verdict  FAIL:");
    assert!(
        line.contains("payments-5xx-rate") || line.contains("new 5xx"),
        "it says why: {line}"
    );
    assert!(c.now() - first_error <= Ms(60_000));
    let theme = crate::support::screen::dark();
    let t = c.terminal();
    let (x, y) = cell_of(t.backend().buffer(), "verdict  FAIL:", "FAIL:");
    assert_eq!(t.backend().buffer()[(x, y)].fg, theme.alarm);
    // The row says it too, on the services table.
    c.key(KeyCode::Esc);
    let screen = c.screen();
    let row = line_with(&screen, "│payments");
    assert!(row.contains("FAIL"), "{row}");
}

#[tokio::test(start_paused = true)]
async fn the_checkout_canary_passes_and_its_hook_line_says_how_long_it_soaked() {
    use deckwatch::model::verdict::Verdict;
    let mut c = Console::new();
    c.poll().await;
    c.select("prod-edge", "checkout");
    c.key(KeyCode::Enter);
    c.run_until(120, "PASS", |s| verdict(s) == Some(Verdict::Pass))
        .await;
    let screen = c.screen();
    let line = line_with(&screen, "verdict  PASS:");
    assert!(line.contains("canary 5xx"), "{line}");
    assert!(line.contains(" ≤ primary "), "{line}");
    assert!(screen.contains("newest minute "), "{screen}");
    let hook = line_with(&screen, "‖ hook");
    // checkout soaks its bake of a minute: over by the time the figures pass.
    assert!(hook.contains("· soak done ("), "{hook}");
    assert!(hook.contains(" min ≥ 1)"), "{hook}");
    let k = kept(&c.state).unwrap();
    assert!(k.figures.as_ref().unwrap().0.requests >= 100.0, "{k:?}");
}
