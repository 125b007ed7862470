//! Action keys: gating, the confirmation dialog, and the effect.

use super::helpers::*;
use crossterm::event::{KeyCode, KeyModifiers};
use deckwatch::model::Ms;
use deckwatch::model::{ActionError, AwsCall, Change, GitHubCall, Mutation, TaskDefRef};
use deckwatch::state::{Effect, Mode, Msg, Pane, State, update};

/// The state `secs` into the scenario (the bad payments deployment runs from 45 s).
fn loaded_at(secs: i64) -> State {
    demo().at_seconds(secs).with_services().build()
}

#[test]
fn promote_on_the_waiting_canary_shows_the_call_and_the_changes_then_y_sends_it() {
    let mut s = loaded();
    select(&mut s, "prod-edge", "checkout");
    assert!(
        acts(&shift(&mut s, 'P')).is_empty(),
        "nothing runs before the confirmation"
    );
    let plan = dialog(&s);
    let n = s.ctx.selected_service().unwrap().native.clone().unwrap();
    assert_eq!(
        plan.mutation,
        Mutation::Aws(AwsCall::ContinueHook {
            deployment_arn: n.arn.clone(),
            hook_id: "manual-promote-gate".into(),
            proceed: true
        })
    );
    let what: Vec<&str> = plan.changes.iter().map(|c| c.what.as_str()).collect();
    assert_eq!(
        what,
        [
            "production traffic on target",
            "task definition",
            "image digest"
        ]
    );
    assert_eq!(plan.changes[1].from, "checkout:57");
    assert_eq!(plan.changes[1].to, "checkout:58");
    assert_eq!(plan.changes[2].to, n.target.image_digest);
    assert_eq!(plan.expect.hook.as_ref().unwrap().0, "manual-promote-gate");
    let fx = press(&mut s, KeyCode::Char('y'));
    // What the dialog said of the commits goes on record with the action.
    let mut sent = plan.clone();
    let said = "commits: unknown, the running image's tag v1.58.0 names no commit";
    sent.notes.push(said.into());
    assert_eq!(acts(&fx), vec![&sent]);
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
        matches!(
            plan.mutation,
            Mutation::Aws(AwsCall::ContinueHook { proceed: false, .. })
        ),
        "{plan:?}"
    );
    assert_eq!(
        plan.changes[1],
        Change::new("task definition", "checkout:58", "checkout:57")
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
        Mutation::Aws(AwsCall::UpdateService {
            task_def: Some(to),
            desired: None,
            force: false
        })
    );
    assert_eq!(
        plan.changes[0],
        Change::new("task definition", "payments:43", "payments:42")
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
        Mutation::Aws(AwsCall::UpdateService {
            task_def: Some(to),
            desired: None,
            force: false
        })
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
        Mutation::Aws(AwsCall::UpdateService {
            task_def: None,
            desired: Some(9),
            force: false
        })
    );
    assert_eq!(plan.changes, vec![Change::new("desired count", "6", "9")]);
}

#[test]
fn force_a_new_deployment_is_confirmed_too() {
    let mut s = loaded();
    select(&mut s, "prod-core", "api");
    shift(&mut s, 'F');
    let plan = dialog(&s);
    assert_eq!(
        plan.mutation,
        Mutation::Aws(AwsCall::UpdateService {
            task_def: None,
            desired: None,
            force: true
        })
    );
}

#[test]
fn in_a_prod_context_y_is_not_enough_the_name_must_be_typed() {
    let mut s = demo().prod(true).with_services().build();
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
    assert_eq!(s.ctx.pane, Pane::Rollout);
    shift(&mut s, 'P');
    assert_eq!(dialog(&s).service, key_of("prod-edge", "checkout"));
}

#[test]
fn b_opens_the_build_dialog_and_y_sends_the_dispatch_it_shows() {
    use deckwatch::model::{InputKind, Verb, WorkflowInput};
    let mut s = loaded();
    let fx = shift(&mut s, 'B');
    let Some(Effect::LoadInputs(w, r)) = fx
        .iter()
        .find(|e| matches!(e, Effect::LoadInputs(..)))
        .cloned()
    else {
        panic!("{fx:?}");
    };
    assert_eq!(
        (w.repo.as_str(), w.workflow.as_str(), r.as_str()),
        ("acme/api", "build.yml", "main")
    );
    let input = WorkflowInput {
        name: "dry_run".into(),
        description: String::new(),
        kind: InputKind::Boolean,
        default: "false".into(),
        required: false,
    };
    let _ = update(&mut s, Msg::BuildInputs(w.clone(), r, Ok(vec![input])));
    // Tab to the input, Space flips it, y sends.
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Char(' '));
    let fx = press(&mut s, KeyCode::Char('y'));
    let plan = fx
        .iter()
        .find_map(|e| match e {
            Effect::Run(p, ..) => Some(p.clone()),
            _ => None,
        })
        .expect("y sends");
    assert_eq!(plan.verb, Verb::Build);
    assert_eq!(
        plan.mutation,
        Mutation::GitHub(GitHubCall::Dispatch {
            workflow: w,
            git_ref: "main".into(),
            inputs: vec![("dry_run".into(), "true".into())],
        })
    );
    assert_eq!(
        plan.mutation.to_string(),
        r#"POST /repos/acme/api/actions/workflows/build.yml/dispatches {"ref":"main","inputs":{"dry_run":"true"},"return_run_details":true}"#
    );
}

#[test]
fn a_build_is_refused_read_only_and_without_a_token() {
    let mut s = loaded_with(true);
    shift(&mut s, 'B');
    assert!(s.flash.clone().unwrap().0.contains("read-only"));
    assert_eq!(s.mode, Mode::Normal);
    let mut s = loaded();
    s.builds.unavailable = Some("no GitHub token: set GH_TOKEN".into());
    shift(&mut s, 'B');
    assert!(s.flash.clone().unwrap().0.contains("GH_TOKEN"));
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn in_prod_the_build_dialog_asks_for_the_name_before_sending() {
    let mut s = demo().prod(true).with_services().build();
    let fx = shift(&mut s, 'B');
    let Some(Effect::LoadInputs(w, r)) =
        fx.into_iter().find(|e| matches!(e, Effect::LoadInputs(..)))
    else {
        panic!()
    };
    let _ = update(&mut s, Msg::BuildInputs(w, r, Ok(vec![])));
    let fx = press(&mut s, KeyCode::Char('y'));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Run(..))),
        "nothing sent yet"
    );
    assert!(matches!(s.mode, Mode::Confirm(..)));
    type_text(&mut s, "api");
    let fx = press(&mut s, KeyCode::Enter);
    assert!(fx.iter().any(|e| matches!(e, Effect::Run(..))));
}

#[test]
fn an_action_result_is_shown_and_refreshes() {
    let mut s = loaded();
    let refused = ActionError::ReadOnly {
        what: "promote x".into(),
    };
    let done = Msg::ActionDone(deckwatch::state::jobs::JobDone::of(0, Err(refused)));
    let fx = update(&mut s, done);
    assert!(fx.contains(&Effect::Refresh));
    assert!(s.flash.clone().unwrap().0.contains("refused"));
}

#[test]
fn a_flash_fades_after_a_few_seconds() {
    let mut s = loaded();
    press_mod(&mut s, KeyCode::Char('P'), KeyModifiers::SHIFT);
    let _ = update(&mut s, Msg::Tick(EPOCH + Ms(2_000)));
    assert!(s.flash.is_some());
    let _ = update(&mut s, Msg::Tick(EPOCH + Ms(10_000)));
    assert!(s.flash.is_none());
}
