//! The reducer on its own: keys and data in, state and effects out. No terminal, no network,
//! no clock; the data comes from the demo fleet's seed so it looks like the real thing.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use deckwatch::cloud::sim::seed;
use deckwatch::cloud::{CloudError, ErrorKind};
use deckwatch::model::{
    ActionPlan, ContextInfo, Millis, Mutation, Service, ServiceKey, TaskDefRef,
};
use deckwatch::state::{Effect, Mode, Msg, Options, Pane, Resource, State, Watch, update};
use deckwatch::theme::Themes;

/// A fixed scenario start, so every run sees the same fleet.
const EPOCH: Millis = 1_790_000_000_000;

fn options(read_only: bool) -> Options {
    Options {
        read_only,
        theme: "dark".into(),
        themes: Themes::load(None).unwrap().names(),
        log_lines: 1_000,
        log_bytes: 1 << 20,
        context: ContextInfo {
            name: "demo".into(),
            profile: "demo".into(),
            ..Default::default()
        },
        accent: None,
    }
}

fn services() -> Vec<Service> {
    seed::world(EPOCH).services()
}

/// A state with the seed's services loaded, and the effects of loading them drained.
fn loaded_with(read_only: bool) -> State {
    let mut s = State::new(options(read_only), EPOCH);
    update(&mut s, Msg::Services(services(), EPOCH));
    s
}

fn loaded() -> State {
    loaded_with(false)
}

fn press(s: &mut State, code: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn press_mod(s: &mut State, code: KeyCode, m: KeyModifiers) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(code, m)))
}

fn type_text(s: &mut State, text: &str) {
    for c in text.chars() {
        press(s, KeyCode::Char(c));
    }
}

fn ctrl_c(s: &mut State) -> Vec<Effect> {
    press_mod(s, KeyCode::Char('c'), KeyModifiers::CONTROL)
}

fn key_of(cluster: &str, name: &str) -> ServiceKey {
    ServiceKey {
        cluster: cluster.into(),
        name: name.into(),
    }
}

fn selected_name(s: &State) -> String {
    s.selected_service().map(|x| x.name.clone()).unwrap()
}

fn watches(effects: &[Effect]) -> Vec<&Watch> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Watch(w) => Some(w),
            _ => None,
        })
        .collect()
}

/// The one Watch among `effects`; panics if there is none or more than one.
fn the_watch(effects: &[Effect]) -> Watch {
    let w = watches(effects);
    assert_eq!(w.len(), 1, "expected one Watch effect in {effects:?}");
    w[0].clone()
}

/// Selects the service called `name` on the services pane by moving down with `j`.
fn select(s: &mut State, cluster: &str, name: &str) {
    press(s, KeyCode::Char('g'));
    for _ in 0..s.services.len() {
        let sel = s.selected_service().unwrap();
        if sel.cluster == cluster && sel.name == name {
            return;
        }
        press(s, KeyCode::Char('j'));
    }
    panic!("no service {cluster}/{name}");
}

// ---------------------------------------------------------------------------------------------
// Loading and the first Watch

#[test]
fn the_first_update_tells_the_pollers_what_is_on_screen() {
    let mut s = State::new(options(false), EPOCH);
    let fx = update(&mut s, Msg::Services(services(), EPOCH));
    let w = the_watch(&fx);
    assert_eq!(w.pane, Pane::Services);
    assert_eq!(w.service, None);
    // The seeded canary of checkout is mid-deployment, so the pollers go fast.
    assert!(w.fast);
    assert_eq!(s.services.len(), 11);
    assert_eq!(s.services.fetched_at, Some(EPOCH));
    // A second, identical update changes nothing the pollers care about.
    let fx = update(&mut s, Msg::Services(services(), EPOCH + 1));
    assert!(fx.is_empty(), "{fx:?}");
}

#[test]
fn services_are_sorted_by_cluster_then_name() {
    let s = loaded();
    let order: Vec<String> = s
        .services
        .visible()
        .map(|x| format!("{}/{}", x.cluster, x.name))
        .collect();
    assert_eq!(
        order,
        [
            "prod-core/api",
            "prod-core/auth",
            "prod-core/payments",
            "prod-core/search",
            "prod-core/search-canary",
            "prod-core/web",
            "prod-core/worker",
            "prod-edge/checkout",
            "prod-edge/edge-proxy",
            "prod-edge/notifications",
            "staging/api",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Pane switching

#[test]
fn number_keys_select_panes_and_emit_a_watch() {
    let mut s = loaded();
    for (c, pane) in [
        ('2', Pane::Tasks),
        ('3', Pane::Images),
        ('4', Pane::Alarms),
        ('1', Pane::Services),
    ] {
        let fx = press(&mut s, KeyCode::Char(c));
        assert_eq!(s.pane, pane, "key {c}");
        assert_eq!(s.mode, Mode::Normal);
        let w = the_watch(&fx);
        assert_eq!(w.pane, pane, "key {c}");
        assert_eq!(w.service, None, "key {c}");
    }
    // The logs pane follows the service selected on the services pane.
    select(&mut s, "prod-core", "payments");
    let fx = press(&mut s, KeyCode::Char('5'));
    assert_eq!(s.pane, Pane::Logs);
    assert_eq!(s.logs.service, Some(key_of("prod-core", "payments")));
    let w = the_watch(&fx);
    assert_eq!(w.pane, Pane::Logs);
    assert_eq!(w.service, Some(key_of("prod-core", "payments")));
}

#[test]
fn pressing_the_current_pane_again_emits_no_watch() {
    let mut s = loaded();
    let fx = press(&mut s, KeyCode::Char('1'));
    assert_eq!(s.pane, Pane::Services);
    assert!(watches(&fx).is_empty(), "{fx:?}");
}

#[test]
fn tab_and_backtab_cycle_through_the_panes() {
    let mut s = loaded();
    let mut seen = Vec::new();
    for _ in 0..5 {
        let fx = press(&mut s, KeyCode::Tab);
        assert_eq!(the_watch(&fx).pane, s.pane);
        seen.push(s.pane);
    }
    assert_eq!(
        seen,
        [
            Pane::Tasks,
            Pane::Images,
            Pane::Alarms,
            Pane::Logs,
            Pane::Services
        ]
    );
    // Shift-Tab goes the other way and wraps from services to logs.
    let fx = press_mod(&mut s, KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(s.pane, Pane::Logs);
    let w = the_watch(&fx);
    assert_eq!(w.pane, Pane::Logs);
    assert_eq!(w.service, Some(key_of("prod-core", "api")));
    press_mod(&mut s, KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(s.pane, Pane::Alarms);
}

// ---------------------------------------------------------------------------------------------
// Selection

#[test]
fn j_k_g_and_shift_g_move_the_selection_within_bounds() {
    let mut s = loaded();
    assert_eq!(s.services.selected, 0);
    press(&mut s, KeyCode::Char('k'));
    assert_eq!(s.services.selected, 0, "k at the top stays at the top");
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Down);
    assert_eq!(s.services.selected, 2);
    assert_eq!(selected_name(&s), "payments");
    press(&mut s, KeyCode::Up);
    assert_eq!(selected_name(&s), "auth");
    press_mod(&mut s, KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(s.services.selected, 10);
    assert_eq!(s.selected_service().unwrap().cluster, "staging");
    press(&mut s, KeyCode::Char('j'));
    assert_eq!(
        s.services.selected, 10,
        "j at the bottom stays at the bottom"
    );
    press(&mut s, KeyCode::Char('g'));
    assert_eq!(s.services.selected, 0);
}

#[test]
fn moving_does_not_emit_effects() {
    let mut s = loaded();
    for c in [KeyCode::Char('j'), KeyCode::Char('k'), KeyCode::Char('G')] {
        let fx = press(&mut s, c);
        assert!(fx.is_empty(), "{c:?}: {fx:?}");
    }
}

#[test]
fn the_selection_follows_its_service_across_a_refresh() {
    let mut s = loaded();
    select(&mut s, "prod-edge", "checkout");
    // The next poll returns the services in another order; the sort and the selection hold.
    let mut v = services();
    v.reverse();
    update(&mut s, Msg::Services(v, EPOCH + 5_000));
    assert_eq!(selected_name(&s), "checkout");
}

#[test]
fn key_releases_are_ignored() {
    let mut s = loaded();
    let mut ev = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    ev.kind = KeyEventKind::Release;
    s.dirty = false;
    update(&mut s, Msg::Key(ev));
    assert_eq!(s.services.selected, 0);
    assert!(!s.dirty);
}

// ---------------------------------------------------------------------------------------------
// Filter

#[test]
fn typing_a_filter_narrows_the_services_and_esc_clears_it() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('/'));
    assert_eq!(s.mode, Mode::Filter);
    type_text(&mut s, "edge");
    assert_eq!(s.services.filter, "edge");
    // The cluster prod-edge and the service edge-proxy match.
    let names: Vec<&str> = s.services.visible().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["checkout", "edge-proxy", "notifications"]);
    assert_eq!(s.services.items.len(), 11, "filtering never drops items");
    // Keys that mean something in normal mode are text while filtering.
    type_text(&mut s, "-p");
    assert_eq!(s.services.filter, "edge-p");
    assert_eq!(selected_name(&s), "edge-proxy");
    assert_eq!(s.pane, Pane::Services);
    press(&mut s, KeyCode::Backspace);
    press(&mut s, KeyCode::Backspace);
    assert_eq!(s.services.len(), 3);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.services.filter, "");
    assert_eq!(s.services.len(), 11);
}

#[test]
fn enter_keeps_the_filter_and_esc_in_normal_mode_clears_it() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('/'));
    type_text(&mut s, "PAY");
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.services.len(), 1, "the filter is case-insensitive");
    assert_eq!(selected_name(&s), "payments");
    // Enter now acts on the filtered selection, Esc first clears the filter.
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.services.filter, "");
    assert_eq!(s.services.len(), 11);
    assert_eq!(s.pane, Pane::Services);
}

#[test]
fn a_filter_matches_the_rollout_state() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('/'));
    type_text(&mut s, "in_progress");
    let names: Vec<&str> = s.services.visible().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["checkout"]);
}

#[test]
fn each_pane_has_its_own_filter() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('/'));
    type_text(&mut s, "api");
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Char('4'));
    assert_eq!(s.alarms.filter, "");
    press(&mut s, KeyCode::Char('1'));
    assert_eq!(s.services.filter, "api");
    assert_eq!(s.services.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Drilling down

#[test]
fn enter_on_a_service_drills_into_its_tasks_and_esc_returns() {
    let mut s = loaded();
    select(&mut s, "prod-edge", "checkout");
    let fx = press(&mut s, KeyCode::Enter);
    let checkout = key_of("prod-edge", "checkout");
    assert_eq!(s.pane, Pane::Tasks);
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.scope, Some(checkout.clone()));
    assert_eq!(s.scoped_service().unwrap().name, "checkout");
    let w = the_watch(&fx);
    assert_eq!(w.pane, Pane::Tasks);
    assert_eq!(w.service, Some(checkout.clone()));

    // Tasks for the scope are taken; tasks for another scope (a late reply) are not.
    let world = seed::world(EPOCH);
    let all = world.tasks();
    let mine: Vec<_> = all
        .iter()
        .filter(|t| t.service == "checkout")
        .cloned()
        .collect();
    update(&mut s, Msg::Tasks(None, all.clone(), EPOCH));
    assert!(
        s.tasks.items.is_empty(),
        "a reply for another scope leaked in"
    );
    update(
        &mut s,
        Msg::Tasks(Some(checkout.clone()), mine.clone(), EPOCH),
    );
    assert_eq!(s.tasks.items.len(), mine.len());
    assert!(s.tasks.items.iter().all(|t| t.service == "checkout"));

    let fx = press(&mut s, KeyCode::Esc);
    assert_eq!(s.pane, Pane::Services);
    assert_eq!(s.scope, None);
    assert!(s.tasks.items.is_empty(), "the scoped tasks are dropped");
    assert_eq!(selected_name(&s), "checkout", "the selection is kept");
    let w = the_watch(&fx);
    assert_eq!(w.pane, Pane::Services);
    assert_eq!(w.service, None);
}

#[test]
fn esc_in_a_drilled_pane_clears_its_filter_before_leaving() {
    let mut s = loaded();
    select(&mut s, "prod-core", "payments");
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Char('/'));
    type_text(&mut s, "RUNNING");
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.pane, Pane::Tasks, "the first Esc only clears the filter");
    assert_eq!(s.tasks.filter, "");
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.pane, Pane::Services);
}

#[test]
fn the_logs_pane_follows_the_drilled_service() {
    let mut s = loaded();
    select(&mut s, "prod-edge", "checkout");
    press(&mut s, KeyCode::Enter);
    let fx = press(&mut s, KeyCode::Char('5'));
    assert_eq!(s.logs.service, Some(key_of("prod-edge", "checkout")));
    assert_eq!(
        the_watch(&fx).service,
        Some(key_of("prod-edge", "checkout"))
    );
}

#[test]
fn enter_on_tasks_opens_the_detail_and_esc_closes_it() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('2'));
    // No tasks yet: nothing to open.
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.mode, Mode::Normal);
    update(&mut s, Msg::Tasks(None, seed::world(EPOCH).tasks(), EPOCH));
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.mode, Mode::Detail);
    // Keys other than the closing ones do not move the pane beneath.
    press(&mut s, KeyCode::Char('j'));
    assert_eq!(s.tasks.selected, 0);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.pane, Pane::Tasks);
}

// ---------------------------------------------------------------------------------------------
// Palette

fn run_palette(s: &mut State, line: &str) -> Vec<Effect> {
    press(s, KeyCode::Char(':'));
    assert_eq!(s.mode, Mode::Palette(String::new()));
    type_text(s, line);
    assert_eq!(s.mode, Mode::Palette(line.to_string()));
    press(s, KeyCode::Enter)
}

#[test]
fn palette_tasks_switches_pane() {
    let mut s = loaded();
    let fx = run_palette(&mut s, "tasks");
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.pane, Pane::Tasks);
    assert_eq!(the_watch(&fx).pane, Pane::Tasks);
    run_palette(&mut s, "alarms");
    assert_eq!(s.pane, Pane::Alarms);
    run_palette(&mut s, "svc");
    assert_eq!(s.pane, Pane::Services);
}

#[test]
fn palette_theme_switches_to_a_known_theme() {
    let mut s = loaded();
    assert_eq!(s.theme_name, "dark");
    s.dirty = false;
    run_palette(&mut s, "theme light");
    assert_eq!(s.theme_name, "light");
    assert!(s.dirty);
    assert!(!s.quit);
}

#[test]
fn palette_theme_with_an_unknown_name_flashes_and_keeps_the_theme() {
    let mut s = loaded();
    run_palette(&mut s, "theme nope");
    assert_eq!(s.theme_name, "dark");
    let (msg, at) = s.flash.clone().expect("a flash message");
    assert!(msg.contains("nope"), "{msg}");
    assert!(
        msg.contains("light"),
        "the message lists known themes: {msg}"
    );
    assert_eq!(at, s.now);
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn palette_unknown_command_flashes() {
    let mut s = loaded();
    run_palette(&mut s, "frobnicate");
    let (msg, _) = s.flash.clone().unwrap();
    assert!(msg.contains("unknown command"), "{msg}");
    assert_eq!(s.pane, Pane::Services);
}

#[test]
fn palette_q_quits() {
    let mut s = loaded();
    run_palette(&mut s, "q");
    assert!(s.quit);
}

#[test]
fn palette_esc_cancels_and_backspace_on_empty_closes() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "q");
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.mode, Mode::Normal);
    assert!(!s.quit, "Esc must not run the command");
    press(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "ta");
    press(&mut s, KeyCode::Backspace);
    assert_eq!(s.mode, Mode::Palette("t".into()));
    press(&mut s, KeyCode::Backspace);
    press(&mut s, KeyCode::Backspace);
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn palette_tab_completes_the_only_fitting_command() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "th");
    press(&mut s, KeyCode::Tab);
    assert_eq!(s.mode, Mode::Palette("theme ".into()));
    type_text(&mut s, "high-contrast");
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.theme_name, "high-contrast");
}

#[test]
fn palette_help_opens_help() {
    let mut s = loaded();
    run_palette(&mut s, "help");
    assert_eq!(s.mode, Mode::Help);
}

// ---------------------------------------------------------------------------------------------
// Help, quit, refresh

#[test]
fn question_mark_opens_help_and_esc_closes_it() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('?'));
    assert_eq!(s.mode, Mode::Help);
    // Help swallows pane keys.
    press(&mut s, KeyCode::Char('3'));
    assert_eq!(s.pane, Pane::Services);
    assert_eq!(s.mode, Mode::Help);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.mode, Mode::Normal);
    assert!(!s.quit);
}

#[test]
fn q_quits() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('q'));
    assert!(s.quit);
}

#[test]
fn q_while_filtering_is_text_not_quit() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('/'));
    press(&mut s, KeyCode::Char('q'));
    assert!(!s.quit);
    assert_eq!(s.services.filter, "q");
}

#[test]
fn ctrl_c_quits_from_normal_filter_palette_and_help() {
    type Setup = fn(&mut State);
    let setups: [(&str, Setup); 4] = [
        ("normal", |_| {}),
        ("filter", |s| {
            press(s, KeyCode::Char('/'));
            type_text(s, "pay");
        }),
        ("palette", |s| {
            press(s, KeyCode::Char(':'));
            type_text(s, "the");
        }),
        ("help", |s| {
            press(s, KeyCode::Char('?'));
        }),
    ];
    for (name, setup) in setups {
        let mut s = loaded();
        setup(&mut s);
        assert!(!s.quit, "{name}: quit before Ctrl-C");
        ctrl_c(&mut s);
        assert!(s.quit, "{name}: Ctrl-C did not quit");
    }
}

#[test]
fn ctrl_c_in_filter_mode_is_not_typed() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('/'));
    ctrl_c(&mut s);
    assert_eq!(s.services.filter, "");
}

#[test]
fn r_asks_for_a_refresh() {
    let mut s = loaded();
    let fx = press(&mut s, KeyCode::Char('r'));
    assert_eq!(fx, vec![Effect::Refresh]);
    assert!(s.flash.is_some());
}

#[test]
fn msg_quit_quits() {
    let mut s = loaded();
    update(&mut s, Msg::Quit);
    assert!(s.quit);
}

// ---------------------------------------------------------------------------------------------
// Action keys: gating, the confirmation dialog, and the effect

fn shift(s: &mut State, c: char) -> Vec<Effect> {
    press_mod(s, KeyCode::Char(c), KeyModifiers::SHIFT)
}

fn dialog(s: &State) -> ActionPlan {
    match &s.mode {
        Mode::Confirm(plan, _) => (**plan).clone(),
        other => panic!(
            "no confirmation dialog, mode {other:?}, flash {:?}",
            s.flash
        ),
    }
}

fn acts(fx: &[Effect]) -> Vec<&ActionPlan> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Act(p, _) => Some(&**p),
            _ => None,
        })
        .collect()
}

/// The state `secs` into the scenario (the bad payments deployment runs from 45 s).
fn loaded_at(secs: i64) -> State {
    let mut w = seed::world(EPOCH);
    w.advance_to(EPOCH + secs * 1000);
    let mut s = State::new(options(false), EPOCH + secs * 1000);
    update(&mut s, Msg::Services(w.services(), EPOCH + secs * 1000));
    s
}

#[test]
fn promote_on_the_waiting_canary_shows_the_call_and_the_changes_then_y_sends_it() {
    let mut s = loaded();
    select(&mut s, "prod-edge", "checkout");
    assert!(
        shift(&mut s, 'P').is_empty(),
        "nothing runs before the confirmation"
    );
    let plan = dialog(&s);
    let n = s.selected_service().unwrap().native.clone().unwrap();
    assert_eq!(
        plan.mutation,
        Mutation::ContinueHook {
            deployment_arn: n.arn.clone(),
            hook_id: "manual-promote-gate".into(),
            proceed: true
        }
    );
    let what: Vec<&str> = plan.changes.iter().map(|(w, _, _)| w.as_str()).collect();
    assert_eq!(
        what,
        [
            "production traffic on target",
            "task definition",
            "image digest"
        ]
    );
    assert_eq!(plan.changes[1].1, "checkout:57");
    assert_eq!(plan.changes[1].2, "checkout:58");
    assert_eq!(plan.changes[2].2, n.target.image_digest);
    assert_eq!(plan.expect.hook.as_ref().unwrap().0, "manual-promote-gate");
    let fx = press(&mut s, KeyCode::Char('y'));
    assert_eq!(acts(&fx), vec![&plan]);
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn any_key_but_y_cancels_and_sends_nothing() {
    for code in [
        KeyCode::Char('n'),
        KeyCode::Esc,
        KeyCode::Enter,
        KeyCode::Char('Y'),
    ] {
        let mut s = loaded();
        select(&mut s, "prod-edge", "checkout");
        shift(&mut s, 'P');
        let fx = press(&mut s, code);
        assert!(acts(&fx).is_empty(), "{code:?} sent {fx:?}");
        assert_eq!(s.mode, Mode::Normal);
        assert!(s.flash.clone().unwrap().0.contains("cancelled"), "{code:?}");
    }
}

#[test]
fn promote_without_a_waiting_hook_says_why_and_opens_nothing() {
    let mut s = loaded();
    select(&mut s, "prod-core", "api");
    shift(&mut s, 'P');
    assert_eq!(s.mode, Mode::Normal);
    let (msg, _) = s.flash.clone().unwrap();
    assert!(msg.contains("no PAUSE hook awaiting action"), "{msg}");
}

#[test]
fn abort_at_the_hook_answers_it_with_rollback() {
    let mut s = loaded();
    select(&mut s, "prod-edge", "checkout");
    shift(&mut s, 'A');
    let plan = dialog(&s);
    assert!(
        matches!(plan.mutation, Mutation::ContinueHook { proceed: false, .. }),
        "{plan:?}"
    );
    assert_eq!(
        plan.changes[1],
        (
            "task definition".into(),
            "checkout:58".into(),
            "checkout:57".into()
        )
    );
}

#[test]
fn abort_during_the_bad_rolling_deployment_returns_to_the_stable_revision() {
    let mut s = loaded_at(55);
    select(&mut s, "prod-core", "payments");
    shift(&mut s, 'A');
    let plan = dialog(&s);
    let to = TaskDefRef {
        family: "payments".into(),
        revision: 42,
    };
    assert_eq!(
        plan.mutation,
        Mutation::UpdateService {
            task_def: Some(to),
            desired: None,
            force: false
        }
    );
    assert_eq!(
        plan.changes[0],
        (
            "task definition".into(),
            "payments:43".into(),
            "payments:42".into()
        )
    );
}

#[test]
fn rollback_of_a_finished_rolling_deployment_goes_to_the_previous_revision() {
    let mut s = loaded();
    select(&mut s, "prod-core", "api");
    shift(&mut s, 'R');
    let plan = dialog(&s);
    let to = TaskDefRef {
        family: "api".into(),
        revision: 117,
    };
    assert_eq!(
        plan.mutation,
        Mutation::UpdateService {
            task_def: Some(to),
            desired: None,
            force: false
        }
    );
}

#[test]
fn abort_with_nothing_in_flight_says_why() {
    let mut s = loaded();
    select(&mut s, "prod-core", "api");
    shift(&mut s, 'A');
    assert_eq!(s.mode, Mode::Normal);
    assert!(
        s.flash
            .clone()
            .unwrap()
            .0
            .contains("no rollout in progress")
    );
}

#[test]
fn scale_asks_for_a_count_then_confirms_the_change() {
    let mut s = loaded();
    select(&mut s, "prod-core", "api");
    shift(&mut s, 'S');
    assert_eq!(s.mode, Mode::Scale(String::new()));
    type_text(&mut s, "9x");
    assert_eq!(s.mode, Mode::Scale("9".into()), "only digits are taken");
    press(&mut s, KeyCode::Enter);
    let plan = dialog(&s);
    assert_eq!(
        plan.mutation,
        Mutation::UpdateService {
            task_def: None,
            desired: Some(9),
            force: false
        }
    );
    assert_eq!(
        plan.changes,
        vec![("desired count".into(), "6".into(), "9".into())]
    );
}

#[test]
fn force_a_new_deployment_is_confirmed_too() {
    let mut s = loaded();
    select(&mut s, "prod-core", "api");
    shift(&mut s, 'F');
    let plan = dialog(&s);
    assert_eq!(
        plan.mutation,
        Mutation::UpdateService {
            task_def: None,
            desired: None,
            force: true
        }
    );
}

#[test]
fn in_a_prod_context_y_is_not_enough_the_name_must_be_typed() {
    let mut o = options(false);
    o.context.prod = true;
    let mut s = State::new(o, EPOCH);
    update(&mut s, Msg::Services(services(), EPOCH));
    select(&mut s, "prod-edge", "checkout");
    shift(&mut s, 'P');
    assert!(acts(&press(&mut s, KeyCode::Char('y'))).is_empty());
    assert!(
        acts(&press(&mut s, KeyCode::Enter)).is_empty(),
        "a wrong name does not confirm"
    );
    assert!(
        matches!(s.mode, Mode::Confirm(..)),
        "the dialog stays open after a wrong name"
    );
    type_text(&mut s, "checkout");
    let fx = press(&mut s, KeyCode::Enter);
    assert_eq!(acts(&fx).len(), 1);
}

#[test]
fn read_only_refuses_every_action_key_without_a_dialog() {
    for c in ['P', 'A', 'R', 'F', 'S'] {
        let mut s = loaded_with(true);
        select(&mut s, "prod-edge", "checkout");
        let fx = shift(&mut s, c);
        assert!(fx.is_empty());
        assert_eq!(s.mode, Mode::Normal, "{c}");
        assert!(s.flash.clone().unwrap().0.contains("read-only"), "{c}");
    }
}

#[test]
fn action_keys_need_a_service() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('4'));
    shift(&mut s, 'P');
    assert_eq!(s.mode, Mode::Normal);
    assert!(s.flash.clone().unwrap().0.contains("select a service"));
}

#[test]
fn actions_work_from_the_drilled_rollout_view() {
    let mut s = loaded();
    select(&mut s, "prod-edge", "checkout");
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.pane, Pane::Tasks);
    shift(&mut s, 'P');
    assert_eq!(dialog(&s).service, key_of("prod-edge", "checkout"));
}

#[test]
fn build_says_it_is_not_in_this_version() {
    let mut s = loaded();
    shift(&mut s, 'B');
    assert!(s.flash.clone().unwrap().0.contains("not in this version"));
}

#[test]
fn an_action_result_is_shown_and_refreshes() {
    let mut s = loaded();
    let fx = update(&mut s, Msg::ActionDone(Err("promote x: refused".into())));
    assert!(fx.contains(&Effect::Refresh));
    assert!(s.flash.clone().unwrap().0.contains("refused"));
}

#[test]
fn a_flash_fades_after_a_few_seconds() {
    let mut s = loaded();
    press_mod(&mut s, KeyCode::Char('P'), KeyModifiers::SHIFT);
    update(&mut s, Msg::Tick(EPOCH + 2_000));
    assert!(s.flash.is_some());
    update(&mut s, Msg::Tick(EPOCH + 10_000));
    assert!(s.flash.is_none());
}

// ---------------------------------------------------------------------------------------------
// Data messages

#[test]
fn a_failed_fetch_keeps_the_old_items_and_shows_the_error() {
    let mut s = loaded();
    select(&mut s, "prod-core", "payments");
    let before = s.services.items.clone();
    let err = CloudError::new(ErrorKind::Throttled, "Rate exceeded");
    s.dirty = false;
    update(
        &mut s,
        Msg::Failed(Resource::Services, err.clone(), EPOCH + 1_000),
    );
    assert_eq!(s.services.items, before);
    assert_eq!(s.services.error, Some(err.clone()));
    assert_eq!(
        s.services.fetched_at,
        Some(EPOCH),
        "the data is still the old data"
    );
    assert_eq!(selected_name(&s), "payments");
    assert!(s.dirty);
    let (fetched, shown) = s.freshness();
    assert_eq!(fetched, Some(EPOCH));
    assert_eq!(shown, Some(&err));
    // The same error again is not news.
    s.dirty = false;
    update(&mut s, Msg::Failed(Resource::Services, err, EPOCH + 2_000));
    assert!(!s.dirty);
    // The next good fetch clears it, even with unchanged data.
    update(&mut s, Msg::Services(services(), EPOCH + 3_000));
    assert_eq!(s.services.error, None);
    assert_eq!(s.services.fetched_at, Some(EPOCH + 3_000));
    assert!(s.dirty);
}

#[test]
fn a_failure_lands_on_its_own_resource() {
    let mut s = loaded();
    let err = CloudError::new(ErrorKind::AccessDenied("ecr:DescribeImages".into()), "no");
    update(&mut s, Msg::Failed(Resource::Images, err.clone(), EPOCH));
    assert_eq!(s.images.error, Some(err));
    assert_eq!(s.services.error, None);
    assert_eq!(s.freshness().1, None, "the services pane is not affected");
}

#[test]
fn identical_data_does_not_set_dirty() {
    let mut s = loaded();
    let world = seed::world(EPOCH);
    update(&mut s, Msg::Alarms(world.alarms.clone(), EPOCH));
    update(&mut s, Msg::Images(world.images(), EPOCH));
    update(&mut s, Msg::Tasks(None, world.tasks(), EPOCH));
    s.dirty = false;
    update(&mut s, Msg::Services(world.services(), EPOCH + 1_000));
    update(&mut s, Msg::Alarms(world.alarms.clone(), EPOCH + 1_000));
    update(&mut s, Msg::Images(world.images(), EPOCH + 1_000));
    update(&mut s, Msg::Tasks(None, world.tasks(), EPOCH + 1_000));
    assert!(!s.dirty);
    // ...but the age of the data moved on.
    assert_eq!(s.services.fetched_at, Some(EPOCH + 1_000));
}

#[test]
fn changed_data_sets_dirty() {
    let mut s = loaded();
    let mut world = seed::world(EPOCH);
    world.advance_to(EPOCH + 70_000);
    s.dirty = false;
    update(&mut s, Msg::Services(world.services(), EPOCH + 70_000));
    assert!(s.dirty);
}

#[test]
fn service_updates_behind_the_logs_pane_do_not_redraw() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('5'));
    let mut world = seed::world(EPOCH);
    world.advance_to(EPOCH + 70_000);
    s.dirty = false;
    update(&mut s, Msg::Services(world.services(), EPOCH + 70_000));
    assert!(!s.dirty);
    // The data is still taken, for when the pane comes back.
    assert_eq!(s.services.fetched_at, Some(EPOCH + 70_000));
}

#[test]
fn log_lines_for_the_followed_service_are_kept_others_dropped() {
    let mut s = loaded();
    select(&mut s, "prod-core", "payments");
    press(&mut s, KeyCode::Char('5'));
    let mut world = seed::world(EPOCH);
    world.advance_to(EPOCH + 30_000);
    let payments = world
        .services
        .iter()
        .position(|x| x.svc.name == "payments")
        .unwrap();
    let lines: Vec<_> = world
        .logs
        .iter()
        .filter(|(_, i, _)| *i == payments)
        .map(|(_, _, l)| l.clone())
        .collect();
    assert!(!lines.is_empty());
    update(
        &mut s,
        Msg::Logs(key_of("prod-core", "api"), lines.clone(), EPOCH + 30_000),
    );
    assert_eq!(s.logs.buf.len(), 0);
    s.dirty = false;
    update(
        &mut s,
        Msg::Logs(
            key_of("prod-core", "payments"),
            lines.clone(),
            EPOCH + 30_000,
        ),
    );
    assert_eq!(s.logs.buf.len(), lines.len());
    assert_eq!(s.logs.fetched_at, Some(EPOCH + 30_000));
    assert!(s.dirty);
    let last = s.logs.buf.get(lines.len() - 1).unwrap();
    assert_eq!(last.message, lines.last().unwrap().message);
    assert_eq!(last.task_id, lines.last().unwrap().task_id);
}

// ---------------------------------------------------------------------------------------------
// Ticks, resize, dirty

#[test]
fn a_tick_within_the_same_second_does_not_redraw_but_a_new_second_does() {
    let mut s = loaded();
    s.dirty = false;
    update(&mut s, Msg::Tick(EPOCH + 400));
    assert!(!s.dirty);
    assert_eq!(s.now, EPOCH + 400);
    update(&mut s, Msg::Tick(EPOCH + 999));
    assert!(!s.dirty);
    update(&mut s, Msg::Tick(EPOCH + 1_000));
    assert!(s.dirty);
    assert_eq!(s.now, EPOCH + 1_000);
}

#[test]
fn a_key_or_a_resize_sets_dirty() {
    let mut s = loaded();
    s.dirty = false;
    press(&mut s, KeyCode::Char('j'));
    assert!(s.dirty);
    s.dirty = false;
    update(&mut s, Msg::Resize(200, 60));
    assert!(s.dirty);
    assert_eq!(s.size, (200, 60));
}

#[test]
fn the_watch_goes_slow_once_no_rollout_is_in_progress() {
    let mut s = loaded();
    let mut v = services();
    for svc in &mut v {
        svc.native = None;
        for d in &mut svc.deployments {
            d.rollout_state = deckwatch::model::RolloutState::Completed;
        }
    }
    let fx = update(&mut s, Msg::Services(v, EPOCH + 1_000));
    let w = the_watch(&fx);
    assert!(!w.fast);
    assert_eq!(w.pane, Pane::Services);
}

#[test]
fn the_rollout_command_opens_the_selected_services_rollout_view() {
    let mut s = loaded();
    select(&mut s, "prod-edge", "checkout");
    press(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "rollout");
    let fx = press(&mut s, KeyCode::Enter);
    assert_eq!(s.pane, Pane::Tasks);
    assert_eq!(s.scope, Some(key_of("prod-edge", "checkout")));
    assert_eq!(
        the_watch(&fx).service,
        Some(key_of("prod-edge", "checkout"))
    );
}

#[test]
fn promote_on_a_paired_canary_plans_the_primary_update_then_the_canary_scale_down() {
    let mut s = loaded();
    select(&mut s, "prod-core", "search-canary");
    shift(&mut s, 'P');
    let plan = dialog(&s);
    assert_eq!(plan.service, key_of("prod-core", "search"));
    let to = TaskDefRef {
        family: "search".into(),
        revision: 16,
    };
    assert_eq!(
        plan.mutation,
        Mutation::UpdateService {
            task_def: Some(to),
            desired: None,
            force: false
        }
    );
    // Traffic goes back to the primary before the canary's tasks go.
    assert_eq!(plan.then.len(), 2);
    let (tg_search, tg_canary) = search_target_groups(&s);
    assert_eq!(plan.then[0].service, key_of("prod-core", "search-canary"));
    match &plan.then[0].mutation {
        Mutation::SetWeights { from, to, .. } => {
            assert_eq!(from, &[(tg_search.clone(), 90), (tg_canary.clone(), 10)]);
            assert_eq!(to, &[(tg_search, 100), (tg_canary, 0)]);
        }
        m => panic!("not a weights change: {m}"),
    }
    assert!(plan.then[0].after_stable && plan.then[1].after_stable);
    assert_eq!(plan.then[1].service, key_of("prod-core", "search-canary"));
    assert_eq!(
        plan.then[1].mutation,
        Mutation::UpdateService {
            task_def: None,
            desired: Some(0),
            force: false
        }
    );
    let traffic = plan
        .changes
        .iter()
        .find(|(w, _, _)| w == "traffic (listener rule weights)")
        .unwrap_or_else(|| panic!("{:?}", plan.changes));
    assert!(traffic.1.starts_with("10% on the canary"), "{traffic:?}");
    assert!(
        traffic
            .2
            .contains("prod-core-search 100, prod-core-search-canary 0"),
        "{traffic:?}"
    );
}

/// The target groups of the demo's search and search-canary services.
fn search_target_groups(s: &State) -> (String, String) {
    let tg = |name: &str| {
        s.services
            .items
            .iter()
            .find(|x| x.name == name)
            .map(|x| x.target_groups[0].clone())
            .unwrap()
    };
    (tg("search"), tg("search-canary"))
}

#[test]
fn abort_on_a_weighted_pair_moves_the_traffic_first_then_scales_the_canary_down() {
    let mut s = loaded();
    select(&mut s, "prod-core", "search");
    shift(&mut s, 'A');
    let plan = dialog(&s);
    assert_eq!(plan.service, key_of("prod-core", "search-canary"));
    assert!(
        matches!(&plan.mutation, Mutation::SetWeights { to, .. } if to.iter().map(|w| w.1).collect::<Vec<_>>() == [100, 0]),
        "{}",
        plan.mutation
    );
    assert_eq!(plan.then.len(), 1);
    assert!(!plan.then[0].after_stable);
    assert_eq!(
        plan.then[0].mutation,
        Mutation::UpdateService {
            task_def: None,
            desired: Some(0),
            force: false
        }
    );
}

/// The demo's search pair, changed so both serve search's target group and no rule splits it.
fn with_shared_target_group(mut v: Vec<Service>) -> Vec<Service> {
    let tg = v.iter().find(|x| x.name == "search").unwrap().target_groups[0].clone();
    for x in v.iter_mut().filter(|x| x.name.starts_with("search")) {
        x.target_groups = vec![tg.clone()];
        x.routes.clear();
    }
    v
}

#[test]
fn a_pair_on_one_target_group_is_split_by_tasks_and_has_no_weights_step() {
    let mut s = State::new(options(false), EPOCH);
    update(
        &mut s,
        Msg::Services(with_shared_target_group(services()), EPOCH),
    );
    select(&mut s, "prod-core", "search-canary");
    shift(&mut s, 'P');
    let plan = dialog(&s);
    assert_eq!(plan.then.len(), 1, "{:?}", plan.then);
    assert!(matches!(
        plan.then[0].mutation,
        Mutation::UpdateService {
            desired: Some(0),
            ..
        }
    ));
    assert!(
        plan.changes
            .iter()
            .any(|(w, from, _)| w == "traffic (one target group, by tasks)"
                && from.starts_with("33%")),
        "{:?}",
        plan.changes
    );
}

#[test]
fn when_the_rule_weights_could_not_be_read_the_dialog_says_the_split_is_unknown() {
    let mut v = services();
    for x in v.iter_mut().filter(|x| x.name.starts_with("search")) {
        x.routes.clear();
        x.routes_error = Some("access denied: elasticloadbalancing:DescribeRules".into());
    }
    let mut s = State::new(options(false), EPOCH);
    update(&mut s, Msg::Services(v, EPOCH));
    select(&mut s, "prod-core", "search");
    shift(&mut s, 'A');
    let plan = dialog(&s);
    // Nothing pretends to move traffic it cannot see; the canary still scales down.
    assert!(matches!(
        plan.mutation,
        Mutation::UpdateService {
            desired: Some(0),
            ..
        }
    ));
    assert!(plan.then.is_empty());
    let row = plan
        .changes
        .iter()
        .find(|(w, _, _)| w == "traffic (⚠ unknown)")
        .unwrap_or_else(|| panic!("{:?}", plan.changes));
    assert!(row.1.contains("DescribeRules"), "{row:?}");
    assert_eq!(row.2, "not changed by this action");
}

/// The seed's services and alarms loaded, drilled into `cluster/name`.
fn drilled_with_alarms(services: Vec<Service>, cluster: &str, name: &str) -> State {
    let mut s = State::new(options(false), EPOCH);
    update(&mut s, Msg::Services(services, EPOCH));
    update(
        &mut s,
        Msg::Alarms(seed::world(EPOCH).alarms.clone(), EPOCH),
    );
    select(&mut s, cluster, name);
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.pane, Pane::Tasks);
    s
}

fn shown_alarms(s: &State) -> Vec<String> {
    s.alarms.visible().map(|a| a.name.clone()).collect()
}

#[test]
fn a_in_the_rollout_view_opens_the_alarms_the_deployment_tripped() {
    let mut v = services();
    let checkout = v.iter_mut().find(|x| x.name == "checkout").unwrap();
    checkout.native.as_mut().unwrap().triggered_alarms =
        vec!["checkout-canary-5xx".into(), "api-5xx-rate".into()];
    let mut s = drilled_with_alarms(v, "prod-edge", "checkout");
    press(&mut s, KeyCode::Char('a'));
    assert_eq!(s.pane, Pane::Alarms);
    let mut shown = shown_alarms(&s);
    shown.sort();
    assert_eq!(shown, ["api-5xx-rate", "checkout-canary-5xx"]);
    // Esc clears the filter: every alarm again.
    press(&mut s, KeyCode::Esc);
    assert!(shown_alarms(&s).len() > 2);
}

#[test]
fn a_on_a_rolling_rollout_opens_the_alarms_named_after_the_service() {
    let mut s = drilled_with_alarms(services(), "prod-core", "payments");
    press(&mut s, KeyCode::Char('a'));
    assert_eq!(s.pane, Pane::Alarms);
    let mut shown = shown_alarms(&s);
    shown.sort();
    assert_eq!(
        shown,
        [
            "payments-5xx-rate",
            "payments-health",
            "payments-p99-latency"
        ]
    );
}

#[test]
fn a_outside_the_rollout_view_does_nothing() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('a'));
    assert_eq!(s.pane, Pane::Services);
}

#[test]
fn the_first_load_shows_each_part_then_the_whole_list_and_later_parts_are_ignored() {
    let all = services();
    let prod_core: Vec<Service> = all
        .iter()
        .filter(|s| s.cluster == "prod-core")
        .cloned()
        .collect();
    let mut s = State::new(options(false), EPOCH);
    update(&mut s, Msg::ServicesPart(prod_core.clone(), 1, 3, EPOCH));
    assert_eq!(s.services.len(), prod_core.len());
    assert_eq!(s.services_loading, Some((1, 3)));
    s.dirty = false;
    update(&mut s, Msg::Services(all.clone(), EPOCH + 1_000));
    assert!(s.dirty);
    assert_eq!(s.services_loading, None);
    assert_eq!(s.services.len(), all.len());
    // A part arriving after the whole list would hide rows: it is dropped.
    update(&mut s, Msg::ServicesPart(prod_core, 1, 3, EPOCH + 2_000));
    assert_eq!(s.services.len(), all.len());
    assert_eq!(s.services_loading, None);
}
