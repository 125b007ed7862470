//! The timeline of the demo's payments after its bad deploy, on tokio's paused clock, through
//! the reducer, the timeline worker's reads and the real drawing: the image pushed, the
//! revision registered, the deployment and its circuit-breaker rollback, the alarms, the
//! pipeline's calls from outside the console, an on-call engineer's scale, and the console's
//! own scale from its audit log. Snapshots at 80×24 and 200×60; the export checked line by
//! line, 0600, never over a file without `!`.

use crate::support::testkit::{EPOCH, Feed, StateBuilder};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::ci::Ci;
use deckwatch::cloud::Fleet;
use deckwatch::demo::SimFleet;
use deckwatch::demo::ci::SimCi;
use deckwatch::model::timeline::Kind;
use deckwatch::model::{At, ContextInfo, Ms};
use deckwatch::state::{Effect, Msg, Pane, State, update};
use deckwatch::workers::audit::Audit;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;
use std::time::Duration;

struct Console {
    fleet: Arc<SimFleet>,
    ci: SimCi,
    state: State,
    elapsed: Ms,
    feed: Feed,
    audit: Audit,
    _dir: tempfile::TempDir,
}

impl Console {
    fn new() -> Self {
        let state = StateBuilder::demo(EPOCH).fleet_context().build();
        let fleet = Arc::new(SimFleet::new(EPOCH));
        let dir = tempfile::tempdir().unwrap();
        let audit = Audit::new(Some(dir.path().join("audit.jsonl")));
        Self {
            ci: SimCi::new(fleet.clone()),
            fleet,
            state,
            elapsed: Ms(0),
            feed: Feed::default(),
            audit,
            _dir: dir,
        }
    }

    fn now(&self) -> At {
        EPOCH + self.elapsed
    }

    async fn poll(&mut self) {
        let now = self.now();
        let _ = update(&mut self.state, Msg::Tick(now));
        let services = self.fleet.services().await.unwrap();
        let effects = self.feed.services(&mut self.state, services, now);
        self.answer_owners(effects).await;
        let alarms = self.fleet.alarms().await.unwrap();
        self.feed.alarms(&mut self.state, alarms, now);
        let images = self.fleet.images().await.unwrap();
        let _ = update(&mut self.state, Msg::Images(images, now));
    }

    async fn run_for(&mut self, secs: u64) {
        for _ in 0..secs {
            tokio::time::advance(Duration::from_secs(1)).await;
            self.elapsed += Ms(1000);
            self.poll().await;
        }
    }

    fn key(&mut self, c: char) -> Vec<Effect> {
        let k = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        update(&mut self.state, Msg::Key(k))
    }

    fn code(&mut self, code: KeyCode) -> Vec<Effect> {
        update(
            &mut self.state,
            Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        )
    }

    fn palette(&mut self, word: &str) -> Vec<Effect> {
        self.key(':');
        for c in word.chars() {
            self.key(c);
        }
        self.code(KeyCode::Enter)
    }

    /// What CloudFormation (the demo's) answers to the owners asked for.
    async fn answer_owners(&mut self, effects: Vec<Effect>) {
        for e in effects {
            if let Effect::Owners(batch) = e {
                let mut answers = Vec::new();
                for (key, arn) in batch {
                    answers.push((key, self.fleet.stack_of(&arn).await));
                }
                let more = update(&mut self.state, Msg::Owners(answers));
                Box::pin(self.answer_owners(more)).await;
            }
        }
    }

    /// What the timeline worker answers to the effects' request.
    async fn answer(&mut self, effects: Vec<Effect>) {
        let req = effects
            .into_iter()
            .find_map(|e| match e {
                Effect::Timeline(r) => Some(*r),
                _ => None,
            })
            .expect("the timeline is asked for");
        let ci: &dyn Ci = &self.ci;
        let t =
            deckwatch::workers::timeline::gather(self.fleet.as_ref(), ci, &self.audit, &req).await;
        let _ = update(&mut self.state, Msg::Timeline(req.generation, Box::new(t)));
    }

    fn draw(&self, w: u16, h: u16) -> Terminal<TestBackend> {
        let theme = crate::support::screen::dark();
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| {
            deckwatch::ui::draw(f, &self.state, &theme);
        })
        .unwrap();
        t
    }
}

/// The console's own scale of payments (S, 5, Enter, y), run as the runner runs it, its audit
/// records then moved to the simulated time (they carry the wall clock's; the demo's day is
/// another one).
async fn scale_from_the_console(c: &mut Console) {
    c.key('S');
    c.key('5');
    c.code(KeyCode::Enter);
    let effects = c.key('y');
    let (plan, ctx) = effects
        .into_iter()
        .find_map(|e| match e {
            Effect::Run(plan, ctx, ..) => Some((*plan, ctx)),
            _ => None,
        })
        .expect("y runs the scale");
    let ctx = ContextInfo {
        caller_arn: "arn:aws:iam::123456789012:user/deckwatch-demo".into(),
        ..ctx
    };
    deckwatch::workers::runner::execute(c.fleet.as_ref(), &c.audit, &plan, &ctx)
        .await
        .unwrap();
    let path = c.audit.path().unwrap().to_path_buf();
    let text = std::fs::read_to_string(&path).unwrap();
    let at = chrono::DateTime::from_timestamp_millis(c.now().millis()).unwrap();
    let moved: Vec<String> = text
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["time"] = at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
                .into();
            // The OS user differs from machine to machine; the screens are compared whole.
            v["user"] = "oncall".into();
            v.to_string()
        })
        .collect();
    std::fs::write(&path, moved.join("\n") + "\n").unwrap();
}

async fn payments_after_its_bad_deploy() -> Console {
    let mut c = Console::new();
    c.poll().await;
    // The bad deploy starts 45 s in; the breaker trips and ECS rolls back within minutes.
    for _ in 0..400 {
        c.run_for(1).await;
        let p = c
            .state
            .ctx
            .services
            .items
            .iter()
            .find(|s| s.name == "payments")
            .unwrap();
        if c.elapsed > Ms(60_000) && p.is_stable() && p.task_def.revision == 42 {
            break;
        }
    }
    c.run_for(5).await;
    // From the rollout view of payments: S to scale it, then H.
    c.key('1');
    c.key('/');
    for ch in "payments".chars() {
        c.key(ch);
    }
    c.code(KeyCode::Enter);
    c.code(KeyCode::Enter);
    assert!(c.state.ctx.in_rollout_view());
    scale_from_the_console(&mut c).await;
    c.run_for(2).await;
    let effects = c.key('H');
    assert_eq!(c.state.ctx.pane, Pane::Timeline);
    c.answer(effects).await;
    c
}

#[tokio::test(start_paused = true)]
async fn the_timeline_of_payments_after_its_bad_deploy_reads_in_order() {
    let c = payments_after_its_bad_deploy().await;
    let t = &c.state.ctx.timeline;
    let read = t.read.as_ref().unwrap();
    assert!(read.gaps.is_empty(), "every source read: {:?}", read.gaps);
    let texts: Vec<(Kind, &str)> = t
        .table
        .items
        .iter()
        .map(|e| (e.kind, e.text.as_str()))
        .collect();
    let at = |needle: &str| {
        texts
            .iter()
            .position(|(_, t)| t.contains(needle))
            .unwrap_or_else(|| panic!("no entry {needle:?} in {texts:#?}"))
    };
    // Newest first: the console's scale, the rollback, the alarms, the pipeline's update and
    // the deployment it started, the revision, the image and the run that built it, its
    // commits, the engineer's scale hours before.
    let order = [
        "scale prod-core/payments (desired count: 4 → 5): ok",
        "ROLLED BACK by circuit breaker · 43 → 42",
        "payments-5xx-rate: OK → ALARM",
        "outside the console: UpdateService taskDefinition=payments:43",
        "deployment started: payments:43 (from payments:42)",
        "registered payments:43",
        "image pushed: payments:v1.43.0",
        "run #1004 build on main 4bb41d5: success",
        "4bb41d5 Log the request id on every error",
        "outside the console: UpdateService desiredCount=4",
    ];
    let positions: Vec<usize> = order.iter().map(|n| at(n)).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "out of order: {positions:?} in {texts:#?}"
    );
    let times: Vec<At> = t.table.items.iter().map(|e| e.at).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let scale = &t.table.items[at("scale prod-core/payments")];
    assert_eq!(scale.kind, Kind::Scale);
    assert!(scale.who.contains("deckwatch-demo"), "{}", scale.who);
    // The stack that owns payments said what a scale does; the audit keeps it.
    assert!(
        scale
            .detail
            .iter()
            .any(|d| d.contains("stack payments-prod owns this service")),
        "{:?}",
        scale.detail
    );
    let outside = &t.table.items[at("UpdateService desiredCount=4")];
    assert!(outside.outside && outside.who.ends_with("user/ops-oncall"));
    // The 30-day figures: the bad deploy counted as rolled back, restored when ECS finished.
    assert!(
        read.stats.deploys >= 1 && read.stats.bad >= 1,
        "{:?}",
        read.stats
    );
    assert!(read.stats.median_restore.is_some());
}

#[tokio::test(start_paused = true)]
async fn the_timeline_of_payments_at_80x24_and_200x60() {
    let mut c = payments_after_its_bad_deploy().await;
    let _ = update(&mut c.state, Msg::Resize(80, 24));
    insta::assert_snapshot!("timeline_payments_80x24", c.draw(80, 24).backend());
    let _ = update(&mut c.state, Msg::Resize(200, 60));
    insta::assert_snapshot!("timeline_payments_200x60", c.draw(200, 60).backend());
    // An entry opens its detail; `/` filters.
    c.code(KeyCode::Enter);
    let screen = crate::support::screen::screen(c.draw(200, 60).backend().buffer());
    assert!(screen.contains("timeline entry"), "{screen}");
    c.code(KeyCode::Esc);
    c.key('/');
    for ch in "alarm".chars() {
        c.key(ch);
    }
    c.code(KeyCode::Enter);
    assert!(c.state.ctx.timeline.table.len() >= 3);
    assert!(
        c.state
            .ctx
            .timeline
            .table
            .view
            .iter()
            .all(|&i| c.state.ctx.timeline.table.items[i].kind == Kind::Alarm)
    );
}

#[tokio::test(start_paused = true)]
async fn since_reaches_further_back() {
    let mut c = payments_after_its_bad_deploy().await;
    let effects = c.palette("since 7d");
    c.answer(effects).await;
    let read = c.state.ctx.timeline.read.as_ref().unwrap();
    assert_eq!(read.until - read.from, Ms(7 * 86_400_000));
    // A week back reaches the images of revisions 39 to 41, pushed days before.
    assert!(
        c.state
            .ctx
            .timeline
            .table
            .items
            .iter()
            .any(|e| e.text.contains("payments:v1.40.0"))
    );
    assert!(c.palette("since 7y").is_empty());
}

fn export(c: &mut Console, arg: &str) -> Result<String, String> {
    let effects = c.palette(&format!("export timeline {arg}"));
    let job = effects
        .into_iter()
        .find_map(|e| match e {
            Effect::Export(j) => Some(*j),
            _ => None,
        })
        .expect("an export");
    deckwatch::workers::export::save_now(&job).map_err(|e| e.to_string())
}

#[tokio::test(start_paused = true)]
async fn the_export_is_a_markdown_draft_checked_line_by_line() {
    use std::os::unix::fs::PermissionsExt;
    let mut c = payments_after_its_bad_deploy().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pm.md");
    let p = path.display().to_string();
    export(&mut c, &p).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let lines: Vec<&str> = text.lines().collect();
    let t = &c.state.ctx.timeline;
    let read = t.read.as_ref().unwrap();
    let utc = deckwatch::model::timeline::utc;
    assert_eq!(lines[0], "# Post-mortem draft: prod-core/payments");
    assert_eq!(lines[1], "");
    assert!(
        lines[2].starts_with("- Context: demo (account 123456789012, "),
        "{}",
        lines[2]
    );
    assert_eq!(
        lines[3],
        format!(
            "- Span: {} UTC to {} UTC (1d)",
            utc(read.from),
            utc(read.until)
        )
    );
    assert_eq!(
        lines[4],
        format!("- Written: {} UTC by deckwatch", utc(c.now()))
    );
    assert!(
        lines[5].starts_with("- Deploys in 30 days: "),
        "{}",
        lines[5]
    );
    let table = lines
        .iter()
        .position(|l| *l == "## Timeline (UTC, oldest first)")
        .unwrap();
    assert_eq!(lines[table + 2], "| time | kind | what | who |");
    assert_eq!(lines[table + 3], "|---|---|---|---|");
    // One row per entry, oldest first, each as the entry says it.
    for (i, e) in t.table.items.iter().rev().enumerate() {
        let mark = if e.bad { " ✗" } else { "" };
        let row = format!(
            "| {} | {} | {}{mark} | {} |",
            utc(e.at),
            e.kind.word(),
            e.text.replace('|', "\\|"),
            e.who
        );
        assert_eq!(lines[table + 4 + i], row);
    }
    let actions = lines
        .iter()
        .position(|l| *l == "## Actions taken from the console")
        .unwrap();
    assert!(
        lines[actions + 2].starts_with("### ")
            && lines[actions + 2].contains("scale prod-core/payments")
    );
    assert_eq!(
        lines[actions + 4],
        "- Who: oncall (arn:aws:iam::123456789012:user/deckwatch-demo)"
    );
    assert!(lines[actions + 5].starts_with("- Call: ecs:UpdateService(desiredCount=5)"));
    assert_eq!(lines[actions + 6], "- Change: desired count: 4 → 5");
    assert!(
        lines[actions + 7].starts_with(
            "- Evidence and notes when decided: stack payments-prod owns this service"
        ),
        "{}",
        lines[actions + 7]
    );
    let alarms = lines.iter().position(|l| *l == "## Alarms").unwrap();
    assert_eq!(lines[alarms + 2], "| time | change | reason |");
    assert!(
        lines[alarms + 4].contains("→ ALARM"),
        "{}",
        lines[alarms + 4]
    );
    let outside = lines
        .iter()
        .position(|l| *l == "## Changes made from outside the console")
        .unwrap();
    assert!(
        lines[outside + 2]
            .ends_with("UpdateService desiredCount=4 by arn:aws:iam::123456789012:user/ops-oncall"),
        "{}",
        lines[outside + 2]
    );
    assert!(lines.contains(&"## What could not be read"));
    assert!(lines.contains(&"Every source was read."));
    assert_eq!(lines[lines.len() - 1], "- What to change:");
    // Never over a file without `!`; with it, replaced.
    let again = export(&mut c, &p).unwrap_err();
    assert!(again.contains("exists") && again.contains('!'), "{again}");
    export(&mut c, &format!("{p}!")).unwrap();
    // Never through a symlink.
    let link = dir.path().join("link.md");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let refused = export(&mut c, &format!("{}!", link.display())).unwrap_err();
    assert!(refused.contains("symlink"), "{refused}");
}
