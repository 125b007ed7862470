//! What the panes look like: `insta` snapshots of a 120×40 `TestBackend`, plus checks of the
//! theme's colours on cells, which snapshots do not hold.
//!
//! Everything is fixed: the scenario's start, the simulated time and the state's clock, so a
//! snapshot only changes when the drawing does. Update them with
//! `INSTA_UPDATE=always cargo test --test offline snapshots` and read the diff.

use crate::support::screen::{dark, row as line, screen};
use crate::support::testkit::StateBuilder;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::model::{ActionError, ServiceKey, StepError};
use deckwatch::state::{Mode, Msg, Pane, State, update};
use deckwatch::theme::{Theme, Themes};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;

use crate::support::testkit::EPOCH;
/// Seconds into the scenario: payments' bad deployment is failing and its alarms fire; checkout
/// waits at its PAUSE hook.
const AT_S: i64 = 70;
const W: u16 = 120;
const H: u16 = 40;

/// The demo as it would be at `AT_S`, with every pane's data loaded 2 s before.
fn demo() -> StateBuilder {
    StateBuilder::demo(EPOCH)
        .at_seconds(AT_S)
        .fleet_context()
        .log_capacity(5_000, 1 << 20)
        .with_every_pane(2_000)
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The demo's state, on a 120×40 screen.
fn state(d: &StateBuilder) -> State {
    let mut s = d.build();
    let _ = update(&mut s, Msg::Resize(W, H));
    s
}

fn render(s: &State, theme: &Theme) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
    t.draw(|f| {
        deckwatch::ui::draw(f, s, theme);
    })
    .unwrap();
    t
}

fn select_service(s: &mut State, name: &str) {
    let _ = update(s, key(KeyCode::Char('g')));
    while s.ctx.selected_service().unwrap().name != name {
        let before = s.ctx.services.selected;
        let _ = update(s, key(KeyCode::Char('j')));
        assert_ne!(before, s.ctx.services.selected, "no service {name}");
    }
}

/// The first row whose text contains `needle`.
fn row_of(buf: &Buffer, needle: &str) -> u16 {
    (0..buf.area.height)
        .find(|&y| line(buf, y).contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} is not on screen:\n{}", screen(buf)))
}

/// The column where `needle` starts on row `y`, counting cells (each char of `needle` is
/// expected to take one cell).
fn col_of(buf: &Buffer, y: u16, needle: &str) -> u16 {
    let want: Vec<String> = needle.chars().map(String::from).collect();
    (0..buf.area.width)
        .find(|&x| {
            want.iter().enumerate().all(|(i, c)| {
                let xi = x + i as u16;
                xi < buf.area.width && buf[(xi, y)].symbol() == c
            })
        })
        .unwrap_or_else(|| panic!("{needle:?} is not on row {y}: {}", line(buf, y)))
}

/// Where `needle` is first on a row that also contains `row_text`.
fn find(buf: &Buffer, row_text: &str, needle: &str) -> (u16, u16) {
    let y = row_of(buf, row_text);
    (col_of(buf, y, needle), y)
}

// ---------------------------------------------------------------------------------------------
// Snapshots

#[test]
fn services_pane() {
    let d = demo();
    let s = state(&d);
    let t = render(&s, &dark());
    insta::assert_snapshot!("services_pane", t.backend());
}

#[test]
fn rollout_view_of_checkout() {
    let d = demo();
    let w = d.world();
    let mut s = state(&d);
    select_service(&mut s, "checkout");
    let _ = update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.ctx.pane, Pane::Rollout);
    let scope = s.ctx.rollout.clone().unwrap();
    let mut tasks = w.tasks();
    tasks.retain(|t| t.cluster == scope.cluster && t.service == scope.name);
    let _ = update(
        &mut s,
        Msg::Tasks(Some(scope.clone()), tasks, w.now - 1_000),
    );
    // Drilling in follows the service's logs: the box shows the target revision's lines.
    assert_eq!(s.ctx.logs.service(), Some(&scope));
    let si = w
        .services
        .iter()
        .position(|x| x.svc.key() == scope)
        .unwrap();
    let lines: Vec<_> = w
        .logs
        .iter()
        .filter(|(_, i, _)| *i == si)
        .map(|(_, _, l)| l.clone())
        .collect();
    assert!(lines.iter().any(|l| l.revision == 57) && lines.iter().any(|l| l.revision == 58));
    let _ = update(&mut s, Msg::Logs(scope, lines, w.now - 500));
    let t = render(&s, &dark());
    let text = screen(t.backend().buffer());
    // The box keeps the rollout's target and source revisions, so an abort keeps the evidence.
    assert!(text.contains("logs of r58 + r57"), "{text}");
    let logs_box: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("logs of r58 + r57"))
        .skip(1)
        .take_while(|l| !l.contains("── tasks"))
        .collect();
    assert!(!logs_box.is_empty(), "{text}");
    assert!(
        logs_box
            .iter()
            .all(|l| l.contains(" r58 ") || l.contains(" r57 ")),
        "{logs_box:#?}"
    );
    // The rollout panel is there, with the hook and its countdown.
    assert!(text.contains("rollout"), "{text}");
    assert!(text.contains("hook manual-promote-gate"), "{text}");
    assert!(text.contains("auto-rollback in 10m50s"), "{text}");
    insta::assert_snapshot!("rollout_view_checkout", t.backend());
}

#[test]
fn rollout_view_of_failing_payments() {
    let d = demo();
    let w = d.world();
    let mut s = state(&d);
    select_service(&mut s, "payments");
    let _ = update(&mut s, key(KeyCode::Enter));
    let scope = s.ctx.rollout.clone().unwrap();
    let mut tasks = w.tasks();
    tasks.retain(|t| t.cluster == scope.cluster && t.service == scope.name);
    let _ = update(&mut s, Msg::Tasks(Some(scope), tasks, w.now - 1_000));
    let t = render(&s, &dark());
    // Target health: healthy counts in the ok colour, unhealthy ones and reasons in alarm.
    let buf = t.backend().buffer();
    let theme = dark();
    let (x, y) = find(buf, "targets prod-core-payments", "4 healthy");
    assert_eq!(buf[(x, y)].fg, theme.ok);
    let (x, y) = find(buf, "targets prod-core-payments", "1 unhealthy");
    assert_eq!(buf[(x, y)].fg, theme.alarm);
    let (x, y) = find(
        buf,
        "targets prod-core-payments",
        "Target.FailedHealthChecks",
    );
    assert_eq!(buf[(x, y)].fg, theme.alarm);
    insta::assert_snapshot!("rollout_view_payments", t.backend());
}

#[test]
fn images_pane() {
    let d = demo();
    let mut s = state(&d);
    let _ = update(&mut s, key(KeyCode::Char('3')));
    let t = render(&s, &dark());
    insta::assert_snapshot!("images_pane", t.backend());
}

#[test]
fn alarms_pane() {
    let d = demo();
    let mut s = state(&d);
    let _ = update(&mut s, key(KeyCode::Char('4')));
    let t = render(&s, &dark());
    let text = screen(t.backend().buffer());
    assert!(text.contains("ALARM"), "{text}");
    insta::assert_snapshot!("alarms_pane", t.backend());
}

fn logs_state(d: &StateBuilder) -> State {
    let w = d.world();
    let mut s = state(d);
    select_service(&mut s, "payments");
    let _ = update(&mut s, key(KeyCode::Char('5')));
    let key = ServiceKey {
        cluster: "prod-core".into(),
        name: "payments".into(),
    };
    assert_eq!(s.ctx.logs.service().cloned(), Some(key.clone()));
    let si = w
        .services
        .iter()
        .position(|x| x.svc.name == "payments" && x.svc.cluster == "prod-core")
        .unwrap();
    let lines: Vec<_> = w
        .logs
        .iter()
        .filter(|(_, i, _)| *i == si)
        .map(|(_, _, l)| l.clone())
        .collect();
    let _ = update(&mut s, Msg::Logs(key, lines, w.now - 500));
    s
}

#[test]
fn logs_pane() {
    let d = demo();
    let s = logs_state(&d);
    let t = render(&s, &dark());
    let text = screen(t.backend().buffer());
    assert!(text.contains("logs of prod-core/payments"), "{text}");
    // JSON lines, compact: level, message, then the other fields.
    assert!(
        text.contains("error health check returned 503 path=/healthz"),
        "{text}"
    );
    insta::assert_snapshot!("logs_pane", t.backend());
}

#[test]
fn help_overlay() {
    let d = demo();
    let mut s = state(&d);
    let _ = update(&mut s, key(KeyCode::Char('?')));
    assert_eq!(s.mode, Mode::Help);
    let t = render(&s, &dark());
    let text = screen(t.backend().buffer());
    // Every key works now: none is marked as missing.
    assert!(!text.contains("not in this version"), "{text}");
    insta::assert_snapshot!("help_overlay", t.backend());
}

#[test]
fn palette_with_th() {
    let d = demo();
    let mut s = state(&d);
    let _ = update(&mut s, key(KeyCode::Char(':')));
    let _ = update(&mut s, key(KeyCode::Char('t')));
    let _ = update(&mut s, key(KeyCode::Char('h')));
    assert_eq!(s.mode, Mode::Palette("th".into()));
    let t = render(&s, &dark());
    let text = screen(t.backend().buffer());
    assert!(text.contains(":th"), "{text}");
    assert!(text.contains("theme NAME"), "{text}");
    assert!(
        !text.contains("tasks pane"),
        "only fitting commands: {text}"
    );
    insta::assert_snapshot!("palette_th", t.backend());
}

#[test]
fn alarm_detail() {
    let d = demo();
    let mut s = state(&d);
    let _ = update(&mut s, key(KeyCode::Char('4')));
    let _ = update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.mode, Mode::Detail);
    let t = render(&s, &dark());
    insta::assert_snapshot!("alarm_detail", t.backend());
}

#[test]
fn filter_in_progress() {
    let d = demo();
    let mut s = state(&d);
    let _ = update(&mut s, key(KeyCode::Char('/')));
    for c in "prod-e".chars() {
        let _ = update(&mut s, key(KeyCode::Char(c)));
    }
    let t = render(&s, &dark());
    insta::assert_snapshot!("services_filter", t.backend());
}

// ---------------------------------------------------------------------------------------------
// What the snapshots cannot say: text that must be there, and colours

/// Every page of the help: drawn, its layout given back to the reducer (so it knows how far the
/// help scrolls), then scrolled down a row, until the last row is on screen.
fn help_pages(s: &mut State) -> String {
    let _ = update(s, key(KeyCode::Char('?')));
    let mut text = String::new();
    for _ in 0..200 {
        let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
        let mut v = s.viewport.clone();
        t.draw(|f| v = deckwatch::ui::draw(f, s, &dark())).unwrap();
        text.push_str(&screen(t.backend().buffer()));
        let at_end = s.help_scroll >= v.overlay_limit;
        let _ = update(s, Msg::Layout(v));
        if at_end {
            break;
        }
        let _ = update(s, key(KeyCode::Char('j')));
    }
    text
}

#[test]
fn the_help_overlay_lists_every_binding() {
    let d = demo();
    let mut s = state(&d);
    let text = help_pages(&mut s);
    for b in s.keys.normal() {
        assert!(text.contains(b.help), "help lacks {:?}:\n{text}", b.help);
    }
    assert!(text.contains("Ctrl-C"), "{text}");
}

/// The help overlay is generated from the key map and the palette's command list, so all of
/// both must be on screen at the size the issue asks for.
#[test]
fn the_help_overlay_lists_every_palette_command_when_scrolled() {
    let d = demo();
    let mut s = state(&d);
    // The help scrolls: read every page of it.
    let text = help_pages(&mut s);
    for word in deckwatch::keys::WORDS {
        // Long lines wrap: the command's name is on the page.
        let cmd = word.usage();
        let cmd = cmd.split_whitespace().next().unwrap_or_default();
        assert!(
            text.contains(&format!(":{cmd}")),
            "help lacks :{cmd}:\n{text}"
        );
    }
}

#[test]
fn the_alarm_state_cell_is_in_the_alarm_colour() {
    let theme = dark();
    let d = demo();
    let mut s = state(&d);
    let _ = update(&mut s, key(KeyCode::Char('4')));
    let t = render(&s, &theme);
    let buf = t.backend().buffer();
    // Not the first row: that one is selected.
    let (x, y) = find(buf, "payments-health", "ALARM");
    assert_eq!(buf[(x, y)].fg, theme.alarm);
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
    let (x, y) = find(buf, "api-5xx-rate", "OK");
    assert_eq!(buf[(x, y)].fg, theme.ok);
    let (x, y) = find(buf, "search-queue-depth", "INSUFFICIENT_DATA");
    assert_eq!(buf[(x, y)].fg, theme.warn);
    // The tab shows how many alarms fire, in the alarm colour.
    let (x, y) = find(buf, "4 alarms", "3!");
    assert_eq!(buf[(x, y)].fg, theme.alarm);
}

#[test]
fn the_selected_row_has_the_selection_background() {
    let theme = dark();
    let d = demo();
    let mut s = state(&d);
    select_service(&mut s, "web");
    let t = render(&s, &theme);
    let buf = t.backend().buffer();
    let (x, y) = find(buf, "│web ", "web");
    assert_eq!(buf[(x, y)].bg, theme.selected_bg);
    assert_eq!(buf[(x, y)].fg, theme.selected_fg);
    // The whole row, not only the name.
    let (cx, cy) = find(buf, "│web ", "prod-core");
    assert_eq!(buf[(cx, cy)].bg, theme.selected_bg);
    // Other rows are not selected.
    let (ox, oy) = find(buf, "│worker ", "worker");
    assert_ne!(buf[(ox, oy)].bg, theme.selected_bg);
}

#[test]
fn the_paused_canary_is_in_the_canary_colour() {
    let theme = dark();
    let d = demo();
    let s = state(&d);
    let t = render(&s, &theme);
    let buf = t.backend().buffer();
    // The pause marker and the word after it.
    let (x, y) = find(buf, "checkout", "PAUSED");
    assert_eq!(buf[(x, y)].fg, theme.canary);
    assert_eq!(buf[(x - 2, y)].fg, theme.canary);
    assert_ne!(buf[(x - 2, y)].symbol(), " ");
    // The countdown beside it is a warning.
    let (cx, cy) = find(buf, "checkout", "rollback in 10m50s");
    assert_eq!(buf[(cx, cy)].fg, theme.warn);
    // payments' failed tasks against the breaker's threshold, in the alarm colour.
    let (fx, fy) = find(buf, "payments", "✗2/3");
    assert_eq!(buf[(fx, fy)].fg, theme.alarm);
}

#[test]
fn task_health_and_log_errors_have_their_colours() {
    let theme = dark();
    let d = demo();
    let w = d.world();
    let mut s = state(&d);
    select_service(&mut s, "payments");
    let _ = update(&mut s, key(KeyCode::Enter));
    let scope = s.ctx.rollout.clone().unwrap();
    let mut tasks = w.tasks();
    tasks.retain(|t| t.cluster == scope.cluster && t.service == scope.name);
    let _ = update(&mut s, Msg::Tasks(Some(scope), tasks, w.now));
    let t = render(&s, &theme);
    let buf = t.backend().buffer();
    let (x, y) = find(buf, "UNHEALTHY", "UNHEALTHY");
    assert_eq!(buf[(x, y)].fg, theme.alarm);
    let y = (0..H)
        .find(|&y| {
            let l = line(buf, y);
            l.contains(" HEALTHY") && !l.contains("UNHEALTHY")
        })
        .unwrap();
    let x = col_of(buf, y, " HEALTHY") + 1;
    assert_eq!(buf[(x, y)].fg, theme.ok);

    let s = logs_state(&d);
    let t = render(&s, &theme);
    let buf = t.backend().buffer();
    // payments writes JSON: shown compactly, coloured by its level field.
    let (x, y) = find(buf, "returned 503", "returned 503");
    assert_eq!(buf[(x, y)].fg, theme.alarm);
    let (x, y) = find(buf, "info GET", "info GET");
    assert_eq!(buf[(x, y)].fg, theme.fg);
}

#[test]
fn without_colour_the_selected_row_is_reversed() {
    let theme = dark().monochrome();
    let d = demo();
    let mut s = state(&d);
    select_service(&mut s, "web");
    let t = render(&s, &theme);
    let buf = t.backend().buffer();
    let (x, y) = find(buf, "│web ", "web");
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
    let (ox, oy) = find(buf, "│worker ", "worker");
    assert!(!buf[(ox, oy)].modifier.contains(Modifier::REVERSED));
    // The current pane's tab too.
    let (tx, ty) = find(buf, "1 services", "1 services");
    assert!(buf[(tx, ty)].modifier.contains(Modifier::REVERSED));
    // And no colour anywhere.
    for y in 0..H {
        for x in 0..W {
            let c = &buf[(x, y)];
            assert_eq!(c.fg, ratatui::style::Color::Reset, "fg at {x},{y}");
            assert_eq!(c.bg, ratatui::style::Color::Reset, "bg at {x},{y}");
        }
    }
}

#[test]
fn the_light_theme_draws_with_its_own_colours() {
    let themes = Themes::load(None).unwrap();
    let light = themes.get("light").unwrap();
    let d = demo();
    let mut s = state(&d);
    let _ = update(&mut s, key(KeyCode::Char('4')));
    let t = render(&s, &light);
    let buf = t.backend().buffer();
    let (x, y) = find(buf, "payments-health", "ALARM");
    assert_eq!(buf[(x, y)].fg, light.alarm);
    assert_ne!(light.alarm, dark().alarm);
}

#[test]
fn the_header_shows_the_context_and_the_data_age() {
    let d = demo();
    let mut s = state(&d);
    s.ctx.read_only = true;
    let t = render(&s, &dark());
    let top = line(t.backend().buffer(), 0);
    assert!(top.contains("ctx demo"), "{top}");
    assert!(top.contains("acct 123456789012"), "{top}");
    assert!(top.contains("eu-west-1"), "{top}");
    assert!(top.contains("READ-ONLY"), "{top}");
    assert!(top.contains("data 2s old"), "{top}");
}

#[test]
fn confirm_dialog_for_promoting_the_canary() {
    let d = demo();
    let mut s = state(&d);
    select_service(&mut s, "checkout");
    let _ = update(
        &mut s,
        Msg::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('P'),
            crossterm::event::KeyModifiers::SHIFT,
        )),
    );
    assert!(matches!(s.mode, Mode::Confirm(..)), "{:?}", s.flash);
    let t = render(&s, &dark());
    let text = screen(t.backend().buffer());
    assert!(text.contains("promote prod-edge/checkout?"), "{text}");
    assert!(text.contains("checkout:57  →  checkout:58"), "{text}");
    assert!(
        text.contains("y confirm"),
        "the confirm line fits on screen:\n{text}"
    );
    insta::assert_snapshot!("confirm_promote", t.backend());
}

fn shift_key(c: char) -> Msg {
    Msg::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char(c),
        crossterm::event::KeyModifiers::SHIFT,
    ))
}

#[test]
fn rollout_view_of_the_pair_split_by_rule_weights() {
    let d = demo();
    let mut s = state(&d);
    select_service(&mut s, "search");
    let _ = update(&mut s, key(KeyCode::Enter));
    let t = render(&s, &dark());
    let text = screen(t.backend().buffer());
    assert!(text.contains("PAIRED CANARY"), "{text}");
    assert!(
        text.contains(
            "10% on the canary · rule weights: prod-core-search 90, prod-core-search-canary 10"
        ),
        "{text}"
    );
    assert!(
        text.contains("targets prod-core-search-canary: 1 healthy"),
        "the canary's target group too:\n{text}"
    );
    insta::assert_snapshot!("rollout_view_search_pair", t.backend());
}

#[test]
fn confirm_dialog_for_promoting_the_weighted_pair_lists_every_call_in_order() {
    let d = demo();
    let mut s = state(&d);
    select_service(&mut s, "search-canary");
    let _ = update(&mut s, shift_key('P'));
    assert!(matches!(s.mode, Mode::Confirm(..)), "{:?}", s.flash);
    let t = render(&s, &dark());
    let text = screen(t.backend().buffer());
    let update_at = text.find("ecs:UpdateService(taskDefinition=search:16)");
    let weights_at = text.find("elasticloadbalancing:ModifyRule");
    let scale_at = text.find("ecs:UpdateService(desiredCount=0)");
    assert!(
        update_at < weights_at && weights_at < scale_at && update_at.is_some(),
        "{text}"
    );
    assert!(text.contains("traffic (listener rule weights)"), "{text}");
    insta::assert_snapshot!("confirm_promote_pair", t.backend());
}

#[test]
fn the_activity_line_shows_the_wait_until_stable() {
    let d = demo();
    let mut s = state(&d);
    select_service(&mut s, "api");
    let _ = update(&mut s, shift_key('R'));
    let _ = update(&mut s, key(KeyCode::Char('y')));
    let done = Msg::ActionDone(deckwatch::state::jobs::JobDone::of(
        s.ctx.jobs.newest().map_or(0, |j| j.id),
        Ok("roll back prod-core/api: sent".into()),
    ));
    let _ = update(&mut s, done);
    let t = render(&s, &dark());
    let text = screen(t.backend().buffer());
    let row = text.lines().rev().nth(1).unwrap_or_default().to_string();
    assert!(
        row.contains("roll back prod-core/api: waiting until api is stable · 0s of 10m00s"),
        "the row above the footer:\n{text}"
    );
    insta::assert_snapshot!("activity_waiting", t.backend());
}

#[test]
fn a_partly_done_action_shows_its_whole_message() {
    let d = demo();
    let mut s = state(&d);
    select_service(&mut s, "search-canary");
    let _ = update(&mut s, shift_key('P'));
    let _ = update(&mut s, key(KeyCode::Char('y')));
    let why = ActionError::PartlyDone {
        what: "promote prod-core/search".into(),
        step: 2,
        cause: StepError::Call {
            call: "elasticloadbalancing:ModifyRule(RuleArn=arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/prod-core/a/b/c, forward weights: prod-core-search 100, prod-core-search-canary 0)".into(),
            cause: "endpoint unreachable: connection refused".into(),
        },
        done: vec!["1. ecs:UpdateService(taskDefinition=search:16) on prod-core/search".into()],
        not_sent: vec![
            "2. elasticloadbalancing:ModifyRule(…) on prod-core/search-canary".into(),
            "3. ecs:UpdateService(desiredCount=0) on prod-core/search-canary".into(),
        ],
    };
    let done = Msg::ActionDone(deckwatch::state::jobs::JobDone::of(
        s.ctx.jobs.newest().map_or(0, |j| j.id),
        Err(why),
    ));
    let _ = update(&mut s, done);
    let t = render(&s, &dark());
    let text = screen(t.backend().buffer());
    let flat: String = text
        .lines()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains("PARTLY DONE"), "{text}");
    assert!(
        flat.contains("3. ecs:UpdateService(desiredCount=0) on prod-core/search-canary."),
        "the end of the message is on screen:\n{text}"
    );
    // The footer is still there below it.
    assert!(text.lines().last().unwrap().contains("q quit"), "{text}");
}

#[test]
fn the_services_title_says_how_many_clusters_are_read_during_the_first_load() {
    let d = StateBuilder::demo(EPOCH)
        .at_seconds(AT_S)
        .fleet_context()
        .log_capacity(100, 1 << 16);
    let w = d.world();
    let part: Vec<_> = w
        .services()
        .into_iter()
        .filter(|x| x.cluster == "prod-core")
        .collect();
    let mut s = d.build();
    let _ = update(&mut s, Msg::Resize(W, H));
    let _ = update(&mut s, Msg::ServicesPart(part, 1, 3, w.now));
    let t = render(&s, &dark());
    let text = screen(t.backend().buffer());
    assert!(
        text.contains("services · 1 of 3 clusters read… (8)"),
        "{text}"
    );
}

/// `:budget` lists each operation's calls and rate, a throttled one's rate in the warning
/// colour, and GitHub's own quota as its last answer gave it.
#[test]
fn budget_overlay_shows_the_operations_and_the_github_quota() {
    use deckwatch::model::RateInfo;
    use deckwatch::model::{Op, OpReport};
    let mut s = state(&demo());
    for c in ":budget".chars() {
        let _ = update(&mut s, key(KeyCode::Char(c)));
    }
    let effects = update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.mode, Mode::Budget);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, deckwatch::state::Effect::ReportBudget)),
        "{effects:?}"
    );
    let op = |op: Op, calls, rate, max_rate, throttled| OpReport {
        op,
        scope: String::new(),
        calls_last_minute: calls,
        by_caller: Vec::new(),
        rate,
        max_rate,
        deferred: 3,
        actions_deferred: 0,
        throttled,
    };
    let report = vec![
        op(Op::EcsDescribeServices, 42, 10.0, 10.0, 0),
        op(Op::LogsFilterLogEvents, 30, 1.25, 2.5, 4),
    ];
    let _ = update(&mut s, Msg::Budget(report));
    let reset_at = s.now + 30 * 60_000;
    let _ = update(
        &mut s,
        Msg::CiRate(
            Some(RateInfo {
                limit: 5_000,
                remaining: 4_321,
                reset_at,
            }),
            None,
        ),
    );
    let theme = dark();
    let t = render(&s, &theme);
    let text = screen(t.backend().buffer());
    assert!(text.contains("ecs:DescribeServices"), "{text}");
    assert!(text.contains("1.2 of 2.5"), "{text}");
    assert!(
        text.contains("GitHub quota: 4321 of 5000 left this hour"),
        "{text}"
    );
    // The throttled operation's rate is drawn in the warning colour.
    let buf = t.backend().buffer();
    let (x, y) = find(buf, "logs:FilterLogEvents", "1.2 of 2.5");
    assert_eq!(buf[(x, y)].fg, theme.warn);
}

/// The first row as text, and the style of the cell where `word` starts in it.
fn header_with(s: &State, word: &str) -> (String, ratatui::style::Style) {
    let t = render(s, &dark());
    let buf = t.backend().buffer();
    let row: String = (0..W).map(|x| buf[(x, 0)].symbol().to_string()).collect();
    let at = row
        .find(word)
        .unwrap_or_else(|| panic!("no {word:?} in {row:?}"));
    let x = row[..at].chars().count() as u16;
    (row, buf[(x, 0)].style())
}

#[test]
fn the_header_says_polling_events_with_the_newest_event_s_age_or_that_events_were_lost() {
    use deckwatch::state::feed::{FeedCounts, FeedReport};
    let mut s = state(&demo());
    let now = s.now;
    // The demo has no [events]: it polls, and says so.
    let _ = update(&mut s, Msg::Feed(FeedReport::Off));
    let (row, _) = header_with(&s, "polling");
    assert!(!row.contains("events"), "{row}");
    let _ = update(&mut s, Msg::Feed(FeedReport::Up("queue q".into())));
    header_with(&s, " events ");
    let counts = FeedCounts {
        applied: 4,
        skipped: 2,
        newest: Some(now - 12_000),
        last_skip: Some("malformed: not JSON".into()),
    };
    let _ = update(&mut s, Msg::Feed(FeedReport::Counts(counts)));
    let (row, style) = header_with(&s, "events 12s · 2 skipped");
    assert!(!row.contains("polling"), "{row}");
    assert_ne!(style.bg, dark().connection_trouble().bg);
    let _ = update(
        &mut s,
        Msg::Feed(FeedReport::Lost("QueueDoesNotExist".into())),
    );
    let (_, style) = header_with(&s, "polling, events lost");
    let trouble = dark().connection_trouble();
    assert_eq!(
        (style.fg, style.bg),
        (trouble.fg, trouble.bg),
        "lost is drawn as trouble"
    );
    let flash = s.flash.clone().unwrap().0;
    assert!(
        flash.contains("events lost, polling instead: QueueDoesNotExist"),
        "{flash}"
    );
}

#[test]
fn the_jobs_view_lists_each_job_with_its_calls_phase_and_who() {
    let d = demo();
    let mut s = state(&d);
    select_service(&mut s, "api");
    let _ = update(&mut s, shift_key('R'));
    let _ = update(&mut s, key(KeyCode::Char('y')));
    let job = s.ctx.jobs.newest().map_or(0, |j| j.id);
    let done = Msg::ActionDone(deckwatch::state::jobs::JobDone::of(
        job,
        Ok("roll back prod-core/api: sent".into()),
    ));
    let _ = update(&mut s, done);
    for c in ":jobs".chars() {
        let _ = update(&mut s, key(KeyCode::Char(c)));
    }
    let _ = update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.mode, deckwatch::state::Mode::Jobs);
    let t = render(&s, &dark());
    let text = screen(t.backend().buffer());
    assert!(text.contains("1 roll back prod-core/api"), "{text}");
    assert!(text.contains("watching"), "{text}");
    assert!(
        text.contains("ecs:UpdateService(taskDefinition=api:117) on prod-core/api"),
        "{text}"
    );
    insta::assert_snapshot!("jobs_view", t.backend());
}
