//! Every pane, the rollout view, the help and a dialog at 80×24 (a jump host), 120×40 and
//! 200×60, as snapshots, with checks that what must be readable is on screen at every size:
//! the names, the state and the rollout, the data's age, and the rollout's hook and countdown.
//! Update with `INSTA_UPDATE=always cargo test --test offline sizes` and read every diff.

use crate::support::screen::render_at;
use crate::support::testkit::{EPOCH, StateBuilder};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::model::Ms;
use deckwatch::model::ServiceKey;
use deckwatch::state::{Mode, Msg, Pane, State, update};

/// payments' bad deployment is failing; checkout waits at its PAUSE hook.
const AT_S: i64 = 70;
const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 60)];

fn key(s: &mut State, code: KeyCode) {
    let m = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    let _ = update(s, Msg::Key(KeyEvent::new(code, m)));
}

fn demo() -> StateBuilder {
    StateBuilder::demo(EPOCH)
        .at_seconds(AT_S)
        .fleet_context()
        .log_capacity(5_000, 1 << 20)
        .with_every_pane(Ms(2_000))
}

fn select(s: &mut State, name: &str) {
    key(s, KeyCode::Char('g'));
    while s.ctx.selected_service().unwrap().name != name {
        key(s, KeyCode::Char('j'));
    }
}

/// The header always says how old the data is.
fn assert_age_shown(text: &str) {
    let header = text.lines().next().unwrap();
    assert!(
        header.contains(" old ") || header.contains("STALE") || header.contains("loading"),
        "{header}"
    );
}

#[test]
fn services_at_every_size_keep_names_state_and_rollout() {
    let d = demo();
    for (w, h) in SIZES {
        let mut s = d.build();
        let (t, text) = render_at(&mut s, w, h);
        assert_age_shown(&text);
        for name in ["api", "payments", "checkout", "search-canary"] {
            assert!(text.contains(name), "{w}x{h} lacks {name}:\n{text}");
        }
        assert!(text.contains("ROLLOUT"), "{w}x{h}:\n{text}");
        assert!(text.contains("‖ PAUSED"), "{w}x{h}:\n{text}");
        assert!(
            text.contains("✗2/3"),
            "the failing rollout's count at {w}x{h}:\n{text}"
        );
        insta::assert_snapshot!(format!("services_{w}x{h}"), t.backend());
    }
}

#[test]
fn tasks_images_and_alarms_at_every_size() {
    let d = demo();
    for (w, h) in SIZES {
        let mut s = d.build();
        key(&mut s, KeyCode::Char('2'));
        let (t, text) = render_at(&mut s, w, h);
        assert!(
            text.contains("STATUS") && text.contains("RUNNING"),
            "{text}"
        );
        assert!(text.contains("SERVICE"), "which service a task is: {text}");
        insta::assert_snapshot!(format!("tasks_{w}x{h}"), t.backend());

        key(&mut s, KeyCode::Char('3'));
        let (t, text) = render_at(&mut s, w, h);
        assert!(
            text.contains("REPOSITORY") && text.contains("v1.118.0"),
            "{text}"
        );
        insta::assert_snapshot!(format!("images_{w}x{h}"), t.backend());

        key(&mut s, KeyCode::Char('4'));
        let (t, text) = render_at(&mut s, w, h);
        assert!(
            text.contains("payments-5xx-rate") && text.contains("ALARM"),
            "{text}"
        );
        insta::assert_snapshot!(format!("alarms_{w}x{h}"), t.backend());
    }
}

/// checkout's rollout view with its tasks and log lines loaded.
fn rollout_of_checkout(d: &StateBuilder) -> State {
    let w = d.world();
    let mut s = d.build();
    select(&mut s, "checkout");
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.ctx.pane, Pane::Rollout);
    let k = ServiceKey {
        cluster: "prod-edge".into(),
        name: "checkout".into(),
    };
    let tasks = w
        .tasks()
        .into_iter()
        .filter(|t| t.cluster == k.cluster && t.service == k.name)
        .collect();
    let _ = update(
        &mut s,
        Msg::Tasks(Some(k.clone()), tasks, w.now - Ms(1_000)),
    );
    let si = w.services.iter().position(|x| x.svc.key() == k).unwrap();
    let lines = w
        .logs
        .iter()
        .filter(|(_, i, _)| *i == si)
        .map(|(_, _, l)| l.clone())
        .collect();
    let _ = update(&mut s, Msg::Logs(k, lines, w.now - Ms(500)));
    s
}

#[test]
fn the_rollout_view_puts_the_hook_first_and_scrolls_on_a_small_terminal() {
    let d = demo();
    for (w, h) in SIZES {
        let mut s = rollout_of_checkout(&d);
        let (t, text) = render_at(&mut s, w, h);
        assert_age_shown(&text);
        for must in [
            "PRE_PRODUCTION_TRAFFIC_SHIFT",
            "hook manual-promote-gate",
            "auto-rollback in",
            "traffic",
        ] {
            assert!(text.contains(must), "{w}x{h} lacks {must:?}:\n{text}");
        }
        insta::assert_snapshot!(format!("rollout_{w}x{h}"), t.backend());
    }
    // At 80x24 the tasks and events are below: scrolling reaches them, and back.
    let mut s = rollout_of_checkout(&d);
    let (_, text) = render_at(&mut s, 80, 24);
    assert!(!text.contains("── events"), "{text}");
    assert!(s.ctx.rollout_view.max_scroll > 0);
    for _ in 0..s.ctx.rollout_view.max_scroll {
        key(&mut s, KeyCode::Char('j'));
    }
    let (_, text) = render_at(&mut s, 80, 24);
    assert!(text.contains("── events"), "{text}");
    assert!(
        text.contains("steady state") || text.contains("lifecycle hook"),
        "{text}"
    );
    key(&mut s, KeyCode::Char('g'));
    let (_, text) = render_at(&mut s, 80, 24);
    assert!(text.contains("hook manual-promote-gate"), "{text}");
}

#[test]
fn the_help_scrolls_to_every_action_key_at_80x24() {
    let d = demo();
    let mut s = d.build();
    key(&mut s, KeyCode::Char('?'));
    let (t, first) = render_at(&mut s, 80, 24);
    insta::assert_snapshot!("help_80x24", t.backend());
    let mut seen = first.clone();
    for _ in 0..40 {
        key(&mut s, KeyCode::Char('j'));
        let (_, text) = render_at(&mut s, 80, 24);
        seen.push_str(&text);
    }
    for b in s.keys.normal() {
        assert!(seen.contains(b.help), "the help never shows {:?}", b.help);
    }
    assert_eq!(s.mode, Mode::Help, "j scrolls, it does not close");
}

#[test]
fn the_confirm_dialog_fits_inside_its_border_at_every_size() {
    let d = demo();
    for (w, h) in SIZES {
        let mut s = d.build();
        select(&mut s, "checkout");
        key(&mut s, KeyCode::Char('P'));
        assert!(matches!(s.mode, Mode::Confirm(..)));
        let (t, text) = render_at(&mut s, w, h);
        assert!(text.contains("ContinueServiceDeployment"), "{text}");
        assert!(
            text.contains("y confirm"),
            "{w}x{h}: the keys are on screen:\n{text}"
        );
        insta::assert_snapshot!(format!("confirm_{w}x{h}"), t.backend());
    }
}
