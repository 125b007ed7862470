//! The rollout view's new states on the demo, at 80×24 and larger: the CODE_DEPLOY service
//! (cart) waiting for reroute, its traffic shifting after a promote, its original waiting for
//! termination; the native LINEAR service (inventory) paused before a step; and the dialogs
//! that drive them, from the keys, as the loop would. Update with
//! `INSTA_UPDATE=always cargo test --test offline snapshots_codedeploy` and read every diff.

use crate::support::screen::render_at;
use crate::support::testkit::EPOCH;
use crate::support::testkit::StateBuilder;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::model::Ms;
use deckwatch::model::{AwsCall, CdWait, Mutation, ServiceKey};
use deckwatch::state::{Effect, Mode, Msg, Pane, State, update};

const AT_S: i64 = 70;

fn key(s: &mut State, code: KeyCode) -> Vec<Effect> {
    let m = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    update(s, Msg::Key(KeyEvent::new(code, m)))
}

fn demo() -> StateBuilder {
    StateBuilder::demo(EPOCH)
        .at_seconds(AT_S)
        .fleet_context()
        .log_capacity(5_000, 1 << 20)
        .with_every_pane(Ms(2_000))
}

fn cart() -> ServiceKey {
    ServiceKey {
        cluster: "prod-core".into(),
        name: "cart".into(),
    }
}

/// The rollout view of `name`, drilled into from the services pane.
fn rollout_of(d: &StateBuilder, name: &str) -> State {
    let mut s = d.build();
    key(&mut s, KeyCode::Char('g'));
    while s.ctx.selected_service().unwrap().name != name {
        key(&mut s, KeyCode::Char('j'));
    }
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.ctx.pane, Pane::Rollout);
    s
}

/// cart's deployment id, as the demo made it.
fn deployment_id(d: &StateBuilder) -> String {
    let w = d.world();
    let s = w.services.iter().find(|s| s.svc.key() == cart()).unwrap();
    s.svc.cd_in_flight().unwrap().id.clone()
}

#[test]
fn cart_waiting_for_reroute_at_every_size() {
    let d = demo();
    let id = deployment_id(&d);
    for (w, h) in [(80, 24), (200, 60)] {
        let mut s = rollout_of(&d, "cart");
        let (t, text) = render_at(&mut s, w, h);
        for must in [
            format!("CODEDEPLOY {id} Ready"),
            "‖ waiting for reroute auto-stop in".into(),
            "traffic".into(),
        ] {
            assert!(text.contains(&must), "{w}x{h} lacks {must:?}:\n{text}");
        }
        insta::assert_snapshot!(format!("cart_ready_{w}x{h}"), t.backend());
    }
}

#[test]
fn cart_shifting_then_waiting_for_termination() {
    let id = deployment_id(&demo());
    let reroute = AwsCall::ContinueCodeDeploy {
        deployment_id: id.clone(),
        wait: CdWait::Reroute,
    };
    let shifting = demo().acting(&cart(), &reroute).at_seconds(AT_S + 60);
    let mut s = rollout_of(&shifting, "cart");
    let (t, text) = render_at(&mut s, 120, 40);
    assert!(text.contains("10% on the replacement"), "{text}");
    assert!(text.contains("stage AllowTraffic"), "{text}");
    insta::assert_snapshot!("cart_shifting_120x40", t.backend());

    let waiting = demo()
        .acting(&cart(), &reroute)
        .at_seconds(AT_S + 5 * 60 + 10);
    let mut s = rollout_of(&waiting, "cart");
    let (t, text) = render_at(&mut s, 80, 24);
    assert!(text.contains("original waits for termination"), "{text}");
    assert!(text.contains("original kept, terminated in"), "{text}");
    insta::assert_snapshot!("cart_termination_80x24", t.backend());
}

#[test]
fn inventory_paused_before_a_linear_step() {
    let d = demo();
    for (w, h) in [(80, 24), (200, 60)] {
        let mut s = rollout_of(&d, "inventory");
        let (t, text) = render_at(&mut s, w, h);
        assert!(text.contains("LINEAR IN_PROGRESS"), "{text}");
        assert!(text.contains("step 25%"), "{text}");
        insta::assert_snapshot!(format!("inventory_paused_{w}x{h}"), t.backend());
    }
}

#[test]
fn p_on_cart_opens_a_dialog_naming_the_deployment_and_y_runs_continue_ready_wait() {
    let d = demo();
    let id = deployment_id(&d);
    let mut s = rollout_of(&d, "cart");
    key(&mut s, KeyCode::Char('P'));
    let Mode::Confirm(plan, _) = &s.mode else {
        panic!("no dialog: {:?}", s.mode);
    };
    assert_eq!(
        plan.mutation,
        Mutation::Aws(AwsCall::ContinueCodeDeploy {
            deployment_id: id.clone(),
            wait: CdWait::Reroute
        })
    );
    let (t, text) = render_at(&mut s, 120, 40);
    assert!(
        text.contains(&format!(
            "codedeploy:ContinueDeployment(deploymentId={id}, deploymentWaitType=READY_WAIT)"
        )),
        "{text}"
    );
    assert!(
        text.contains("CodeDeployDefault.ECSCanary10Percent5Minutes"),
        "{text}"
    );
    insta::assert_snapshot!("cart_confirm_promote_120x40", t.backend());
    let fx = key(&mut s, KeyCode::Char('y'));
    let run = fx.iter().find_map(|e| match e {
        Effect::Run(p, ..) => Some(p.clone()),
        _ => None,
    });
    assert_eq!(run.map(|p| p.mutation), Some(plan_mutation(&id)));
}

fn plan_mutation(id: &str) -> Mutation {
    Mutation::Aws(AwsCall::ContinueCodeDeploy {
        deployment_id: id.into(),
        wait: CdWait::Reroute,
    })
}

#[test]
fn a_and_r_on_cart_stop_it_and_f_is_refused_saying_why() {
    let d = demo();
    let id = deployment_id(&d);
    for verb_key in ['A', 'R'] {
        let mut s = rollout_of(&d, "cart");
        key(&mut s, KeyCode::Char(verb_key));
        let Mode::Confirm(plan, _) = &s.mode else {
            panic!("{verb_key}: no dialog: {:?}", s.mode);
        };
        assert_eq!(
            plan.mutation,
            Mutation::Aws(AwsCall::StopCodeDeploy {
                deployment_id: id.clone()
            })
        );
    }
    let mut s = rollout_of(&d, "cart");
    key(&mut s, KeyCode::Char('F'));
    assert_eq!(s.mode, Mode::Normal, "no dialog for F");
    let (_, text) = render_at(&mut s, 200, 60);
    assert!(text.contains("deployed by CodeDeploy"), "{text}");
}

#[test]
fn read_only_and_prod_guard_hold_for_codedeploy_too() {
    let mut s = rollout_of(&demo().read_only(true), "cart");
    let fx = key(&mut s, KeyCode::Char('P'));
    assert_eq!(s.mode, Mode::Normal);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Run(..))));
    let mut s = rollout_of(&demo().prod(true), "cart");
    key(&mut s, KeyCode::Char('P'));
    let fx = key(&mut s, KeyCode::Char('y'));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Run(..))),
        "in prod, y alone does not confirm"
    );
    key(&mut s, KeyCode::Backspace);
    for c in "cart".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    let fx = key(&mut s, KeyCode::Enter);
    assert!(fx.iter().any(|e| matches!(e, Effect::Run(..))));
}

#[test]
fn a_codedeploy_service_whose_group_is_unknown_says_so_and_p_says_why_not() {
    let d = demo();
    let mut s = rollout_of(&d, "cart");
    for svc in &mut s.ctx.services.items {
        if svc.key() == cart() {
            svc.codedeploy = None;
        }
    }
    let (_, text) = render_at(&mut s, 200, 60);
    assert!(
        text.contains("no deployment group is known to deploy it"),
        "{text}"
    );
    assert!(text.contains("task set PRIMARY"), "{text}");
    key(&mut s, KeyCode::Char('P'));
    assert_eq!(s.mode, Mode::Normal, "nothing to act through");
    let (_, text) = render_at(&mut s, 200, 60);
    assert!(text.contains("no CodeDeploy deployment group"), "{text}");
}

/// A deploy of an image to cart, its CodeDeploy deployment stopped first (one at a time per
/// group): the dialog says a new revision is registered and the AppSpec names the ARN that
/// RegisterTaskDefinition returns, never a revision number guessed beforehand.
#[test]
fn a_deploy_to_cart_names_the_arn_register_returns_not_a_guessed_revision() {
    let stop = AwsCall::StopCodeDeploy {
        deployment_id: deployment_id(&demo()),
    };
    let d = demo()
        .acting(&cart(), &stop)
        .at_seconds(AT_S + 30)
        .with_every_pane(Ms(2_000));
    let mut s = d.build();
    let cart_now = s.ctx.service(&cart()).unwrap().clone();
    assert!(
        cart_now.cd_in_flight().is_none(),
        "{:?}",
        cart_now.task_sets
    );
    let images = s.ctx.images.items.clone();
    let image = images
        .iter()
        .find(|i| i.repository == "cart" && !i.tags.contains(&cart_now.image_tag))
        .expect("another image of cart");
    let plan = deckwatch::state::builds::plan::deploy(&cart_now, image, &images).unwrap();
    let call = plan.then[0].mutation.to_string();
    let named = format!(
        "\"TaskDefinition\":\"<the ARN of the new {} revision RegisterTaskDefinition returns>\"",
        cart_now.task_def.family
    );
    assert!(call.contains(&named), "{call}");
    let next = format!(
        "{}:{}",
        cart_now.task_def.family,
        cart_now.task_def.revision + 1
    );
    assert!(
        !call.contains(&next),
        "no revision guessed ({next}): {call}"
    );
    s.open_confirm(plan);
    let (t, text) = render_at(&mut s, 200, 60);
    let from = format!(
        "registers a new revision of {} from {}",
        cart_now.task_def.family, cart_now.task_def
    );
    assert!(text.contains(&from), "{text}");
    assert!(!text.contains(&next), "{text}");
    assert!(!text.contains("expected"), "{text}");
    insta::assert_snapshot!("cart_deploy_200x60", t.backend());
}
