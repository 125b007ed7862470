//! An operator's abort in the history: kept as ABORTED by who, in time order, and `R` does not
//! offer the revision it went back from or anything older.

use super::helpers::*;
use crossterm::event::KeyCode;
use deckwatch::model::history::{Listed, carry};
use deckwatch::model::{At, DeploymentStatus, Ms, Outcome, RolloutState, Service, TaskDefRef};
use deckwatch::state::jobs::JobDone;
use deckwatch::state::{Effect, Mode, Msg, State, update};

fn payments(all: &[Service]) -> &Service {
    all.iter()
        .find(|s| s.cluster == "prod-core" && s.name == "payments")
        .unwrap()
}

/// The fleet after ECS took the abort: payments back on `to`, by a new deployment that
/// completed; the aborted one gone from the service. Histories carried as the poller does.
fn after_abort(before: &[Service], to: &TaskDefRef, at: At) -> Vec<Service> {
    let mut prev = before.to_vec();
    carry(&[], &mut prev, &Listed::default(), at - Ms(10_000));
    let mut fresh = prev.clone();
    let p = fresh
        .iter_mut()
        .find(|s| s.cluster == "prod-core" && s.name == "payments")
        .unwrap();
    let mut back = p.primary().unwrap().clone();
    back.id = "ecs-svc/back-to-stable".into();
    back.status = DeploymentStatus::Primary;
    back.rollout_state = RolloutState::Completed;
    back.rollout_reason = String::new();
    back.task_def = to.clone();
    back.running = back.desired;
    back.failed_tasks = 0;
    back.created_at = at - Ms(5_000);
    back.updated_at = at - Ms(1_000);
    p.running = back.desired;
    p.desired = back.desired;
    p.pending = 0;
    p.deployments = vec![back];
    p.task_def = to.clone();
    carry(&prev, &mut fresh, &Listed::default(), at);
    fresh
}

#[test]
fn an_abort_is_kept_as_aborted_by_who_and_r_offers_nothing_older() {
    let mut s: State = demo().at_seconds(55).with_services().build();
    let (id, aborted_id) = abort_payments(&mut s);
    let _ = update(&mut s, Msg::ActionDone(JobDone::of(id, Ok("sent".into()))));
    let who = s.ctx.jobs.get(id).unwrap().who.clone();
    let since = s.ctx.jobs.get(id).unwrap().progress.since;
    let to = TaskDefRef {
        family: "payments".into(),
        revision: 42,
    };
    let at = since + Ms(20_000);
    let fresh = after_abort(&s.ctx.services.items, &to, at);
    let _ = update(&mut s, Msg::Services(fresh.into(), at));

    let p = payments(&s.ctx.services.items).clone();
    let aborted = p.history.iter().find(|e| e.id == aborted_id).unwrap();
    assert_eq!(aborted.headline(), format!("ABORTED by {who} · 43 → 42"));
    assert!(aborted.outcome.is_bad());
    assert_eq!(aborted.ended_at, Some(since));
    let back = p
        .history
        .iter()
        .find(|e| e.id == "ecs-svc/back-to-stable")
        .unwrap();
    assert!(back.is_rollback, "the deployment back to 42 is the abort's");
    assert_eq!(back.outcome, Outcome::Completed);
    // Newest first, and the abort ended before the rollback it started settled.
    let ids: Vec<&str> = p.history.iter().map(|e| e.id.as_str()).collect();
    let pos = |id: &str| ids.iter().position(|x| *x == id).unwrap();
    assert!(pos("ecs-svc/back-to-stable") < pos(&aborted_id));
    assert!(aborted.ended_at < back.ended_at);
    let job = s.ctx.jobs.get(id).unwrap();
    assert!(
        !job.running(),
        "the abort's watch saw 42 stable: {:?}",
        job.progress.phase
    );

    // R: 42 is where the abort went back to; 43 is not stable, and nothing older is offered.
    shift(&mut s, 'R');
    assert_eq!(s.mode, Mode::Normal, "no dialog: {:?}", s.mode);
    let flash = s.flash.clone().unwrap().0;
    assert!(flash.contains("result of a rollback"), "{flash}");
    assert!(flash.contains(&format!("by {who}")), "{flash}");
}

/// A job of this session names the OS user it runs as beside what AWS knows, in the history's
/// `ABORTED by`, the job's record and StopTask's reason.
#[test]
fn this_session_s_jobs_name_the_os_user_beside_the_aws_identity() {
    let mut s: State = demo().at_seconds(55).with_services().build();
    s.os_user = Some("alice".into());
    s.ctx.info.caller_arn = "arn:aws:sts::123456789012:assumed-role/oncall/alice".into();
    let who = "alice (assumed-role/oncall/alice)";
    let (id, aborted_id) = abort_payments(&mut s);
    assert_eq!(s.ctx.jobs.get(id).unwrap().who, who);
    let _ = update(&mut s, Msg::ActionDone(JobDone::of(id, Ok("sent".into()))));
    let since = s.ctx.jobs.get(id).unwrap().progress.since;
    let to = TaskDefRef {
        family: "payments".into(),
        revision: 42,
    };
    let at = since + Ms(20_000);
    let fresh = after_abort(&s.ctx.services.items, &to, at);
    let _ = update(&mut s, Msg::Services(fresh.into(), at));
    let p = payments(&s.ctx.services.items);
    let aborted = p.history.iter().find(|e| e.id == aborted_id).unwrap();
    assert_eq!(
        aborted.headline(),
        "ABORTED by alice (assumed-role/oncall/alice) · 43 → 42"
    );

    // StopTask's reason, on a task of the tasks pane.
    let mut s: State = demo().at_seconds(55).with_every_pane(Ms(0)).build();
    s.os_user = Some("alice".into());
    s.ctx.info.caller_arn = "arn:aws:sts::123456789012:assumed-role/oncall/alice".into();
    press(&mut s, KeyCode::Char('2'));
    press(&mut s, KeyCode::Char('g'));
    shift(&mut s, 'K');
    let Mode::Confirm(plan, _) = &s.mode else {
        panic!("{:?} {:?}", s.mode, s.flash);
    };
    let deckwatch::model::Mutation::Aws(deckwatch::model::AwsCall::StopTask { reason, .. }) =
        &plan.mutation
    else {
        panic!("{:?}", plan.mutation);
    };
    assert_eq!(
        reason,
        "deckwatch: stopped by alice (assumed-role/oncall/alice)"
    );

    // Without an OS user, what AWS knows alone, as before.
    s.os_user = None;
    let info = s.ctx.info.clone();
    assert_eq!(deckwatch::state::jobs::who(&info, None, None), "alice");
    assert_eq!(
        deckwatch::state::jobs::who(&info, Some("alice"), Some("policy")),
        "policy armed by alice (assumed-role/oncall/alice)"
    );
}

/// Starts an abort of payments and returns its job and the deployment it stops.
fn abort_payments(s: &mut State) -> (u64, String) {
    let aborted_id = payments(&s.ctx.services.items)
        .rolling_in_progress()
        .unwrap()
        .id
        .clone();
    select(s, "prod-core", "payments");
    shift(s, 'A');
    let id = press(s, KeyCode::Char('y'))
        .iter()
        .find_map(|e| match e {
            Effect::Run(_, _, id) => Some(*id),
            _ => None,
        })
        .expect("the abort runs");
    (id, aborted_id)
}

fn headline(s: &State, id: &str) -> String {
    let p = payments(&s.ctx.services.items);
    p.history.iter().find(|e| e.id == id).unwrap().headline()
}

/// Where the abort goes back to.
fn back_to() -> TaskDefRef {
    TaskDefRef {
        family: "payments".into(),
        revision: 42,
    }
}

/// ECS answered before the runner did: the refresh that shows the abort came while the job was
/// still sending, and the next one equals it (the worker says nothing changed). The rows shown
/// are marked all the same.
#[test]
fn an_abort_is_marked_when_the_refresh_after_it_equals_the_one_before() {
    let mut s: State = demo().at_seconds(55).with_services().build();
    let (id, aborted) = abort_payments(&mut s);
    let at = s.now + Ms(5_000);
    let fresh = after_abort(&s.ctx.services.items, &back_to(), at);
    let _ = update(&mut s, Msg::Services(fresh.clone().into(), at));
    assert!(
        !headline(&s, &aborted).starts_with("ABORTED"),
        "still sending"
    );
    let _ = update(&mut s, Msg::ActionDone(JobDone::of(id, Ok("sent".into()))));
    let who = s.ctx.jobs.get(id).unwrap().who.clone();
    let same = deckwatch::state::table::Prepared {
        items: fresh,
        sort: None,
        changed: false,
    };
    let _ = update(&mut s, Msg::Services(same, at + Ms(2_000)));
    assert_eq!(
        headline(&s, &aborted),
        format!("ABORTED by {who} · 43 → 42")
    );
}

/// The first load's rows come cluster by cluster and can be acted on; an abort sent from them
/// marks the rows of the parts that follow too, not only the whole list.
#[test]
fn an_abort_is_marked_on_a_part_of_the_first_load() {
    let loaded: State = demo().at_seconds(55).with_services().build();
    let rows = loaded.ctx.services.items.clone();
    let mut s: State = demo().at_seconds(55).build();
    let now = s.now;
    let _ = update(&mut s, Msg::ServicesPart(rows, 1, 2, now));
    assert_eq!(s.ctx.services_loading, Some((1, 2)));
    let (id, aborted) = abort_payments(&mut s);
    let _ = update(&mut s, Msg::ActionDone(JobDone::of(id, Ok("sent".into()))));
    let who = s.ctx.jobs.get(id).unwrap().who.clone();
    let at = s.now + Ms(5_000);
    let part = after_abort(&s.ctx.services.items, &back_to(), at);
    let _ = update(&mut s, Msg::ServicesPart(part, 2, 2, at));
    assert_eq!(
        headline(&s, &aborted),
        format!("ABORTED by {who} · 43 → 42")
    );
}
