//! Data messages.

use super::helpers::*;
use crossterm::event::KeyCode;
use deckwatch::demo::seed;
use deckwatch::model::Ms;
use deckwatch::model::{ApiError, ErrorKind};
use deckwatch::state::{Msg, Pane, update};
use deckwatch::workers::linking::Lists;

#[test]
fn a_failed_fetch_keeps_the_old_items_and_shows_the_error() {
    let mut s = loaded();
    select(&mut s, "prod-core", "payments");
    let before = s.ctx.services.items.clone();
    let err = ApiError::new(ErrorKind::Throttled, "Rate exceeded");
    s.dirty = false;
    let _ = update(
        &mut s,
        Msg::Failed(Pane::Services, err.clone(), EPOCH + Ms(1_000)),
    );
    assert_eq!(s.ctx.services.items, before);
    assert_eq!(s.ctx.services.error, Some(err.clone()));
    assert_eq!(
        s.ctx.services.fetched_at,
        Some(EPOCH),
        "the data is still the old data"
    );
    assert_eq!(selected_name(&s), "payments");
    assert!(s.dirty);
    let (fetched, shown) = (s.current().fetched_at(), s.current().error());
    assert_eq!(fetched, Some(EPOCH));
    assert_eq!(shown, Some(&err));
    // The same error again is not news.
    s.dirty = false;
    let _ = update(&mut s, Msg::Failed(Pane::Services, err, EPOCH + Ms(2_000)));
    assert!(!s.dirty);
    // The next good fetch clears it, even with unchanged data.
    let _ = update(&mut s, Msg::Services(services().into(), EPOCH + Ms(3_000)));
    assert_eq!(s.ctx.services.error, None);
    assert_eq!(s.ctx.services.fetched_at, Some(EPOCH + Ms(3_000)));
    assert!(s.dirty);
}

#[test]
fn a_failure_lands_on_its_own_resource() {
    let mut s = loaded();
    let err = ApiError::new(
        ErrorKind::AccessDenied(deckwatch::model::Op::EcrDescribeImages),
        "no",
    );
    let _ = update(&mut s, Msg::Failed(Pane::Images, err.clone(), EPOCH));
    assert_eq!(s.ctx.images.error, Some(err));
    assert_eq!(s.ctx.services.error, None);
    assert_eq!(
        s.current().error(),
        None,
        "the services pane is not affected"
    );
}

#[test]
fn identical_data_does_not_set_dirty() {
    let mut s = loaded();
    let world = seed::world(EPOCH);
    let _ = update(&mut s, Msg::Alarms(world.alarms.clone(), EPOCH));
    let _ = update(&mut s, Msg::Images(world.images(), EPOCH));
    let _ = update(&mut s, Msg::Tasks(None, world.tasks(), EPOCH));
    s.dirty = false;
    // The poller compares a refresh with the one it sent last; this one it found the same.
    let (same, links) = Lists::sent(s.ctx.services.items.clone(), s.ctx.alarms.items.clone())
        .services(
            world.services(),
            None,
            &Default::default(),
            EPOCH + Ms(1_000),
        );
    assert!(!same.changed && links.is_none());
    let _ = update(&mut s, Msg::Services(same, EPOCH + Ms(1_000)));
    let _ = update(&mut s, Msg::Alarms(world.alarms.clone(), EPOCH + Ms(1_000)));
    let _ = update(&mut s, Msg::Images(world.images(), EPOCH + Ms(1_000)));
    let _ = update(&mut s, Msg::Tasks(None, world.tasks(), EPOCH + Ms(1_000)));
    assert!(!s.dirty);
    // ...but the age of the data moved on.
    assert_eq!(s.ctx.services.fetched_at, Some(EPOCH + Ms(1_000)));
}

#[test]
fn changed_data_sets_dirty() {
    let mut s = loaded();
    let mut world = seed::world(EPOCH);
    world.advance_to(EPOCH + Ms(70_000));
    s.dirty = false;
    let _ = update(
        &mut s,
        Msg::Services(world.services().into(), EPOCH + Ms(70_000)),
    );
    assert!(s.dirty);
}

#[test]
fn service_updates_behind_the_logs_pane_do_not_redraw() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('5'));
    let mut world = seed::world(EPOCH);
    world.advance_to(EPOCH + Ms(70_000));
    s.dirty = false;
    let _ = update(
        &mut s,
        Msg::Services(world.services().into(), EPOCH + Ms(70_000)),
    );
    assert!(!s.dirty);
    // The data is still taken, for when the pane comes back.
    assert_eq!(s.ctx.services.fetched_at, Some(EPOCH + Ms(70_000)));
}

#[test]
fn log_lines_for_the_followed_service_are_kept_others_dropped() {
    let mut s = loaded();
    select(&mut s, "prod-core", "payments");
    press(&mut s, KeyCode::Char('5'));
    let mut world = seed::world(EPOCH);
    world.advance_to(EPOCH + Ms(30_000));
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
    let _ = update(
        &mut s,
        Msg::Logs(
            key_of("prod-core", "api"),
            lines.clone(),
            EPOCH + Ms(30_000),
        ),
    );
    assert_eq!(s.ctx.logs.buf.len(), 0);
    s.dirty = false;
    let _ = update(
        &mut s,
        Msg::Logs(
            key_of("prod-core", "payments"),
            lines.clone(),
            EPOCH + Ms(30_000),
        ),
    );
    assert_eq!(s.ctx.logs.buf.len(), lines.len());
    assert_eq!(s.ctx.logs.fetched_at, Some(EPOCH + Ms(30_000)));
    assert!(s.dirty);
    let last = s.ctx.logs.buf.get(s.ctx.logs.buf.end_seq() - 1).unwrap();
    assert_eq!(last.message, lines.last().unwrap().message);
    assert_eq!(last.tag.task, lines.last().unwrap().task_id);
}

#[test]
fn the_watch_goes_slow_once_no_rollout_is_in_progress() {
    let mut s = loaded();
    let mut v = services();
    for svc in &mut v {
        svc.native = None;
        svc.codedeploy = None;
        for d in &mut svc.deployments {
            d.rollout_state = deckwatch::model::RolloutState::Completed;
        }
    }
    let fx = update(&mut s, Msg::Services(v.into(), EPOCH + Ms(1_000)));
    let w = the_watch(&fx);
    assert!(!w.fast);
    assert_eq!(w.pane, Pane::Services);
}

/// The CI worker is told the mapped workflows again when the services list changes (a new
/// service's workflow is polled), and not told anything new while it stays the same.
#[test]
fn the_builds_watch_follows_the_services_list() {
    use deckwatch::model::{BuildSource, Workflow};
    use deckwatch::state::Effect;
    let mut s = loaded();
    let mut feed = crate::support::testkit::Feed::following(&s);
    let told = |fx: &[Effect]| -> Vec<Vec<Workflow>> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::WatchBuilds(w) => Some(w.workflows.clone()),
                _ => None,
            })
            .collect()
    };
    let before = s.ci_watch().workflows;
    assert!(
        !before.is_empty(),
        "the demo maps its services to workflows"
    );
    // Nothing changed: a tick tells the worker nothing.
    let now = s.now;
    let fx = update(&mut s, Msg::Tick(now + Ms(1_000)));
    assert!(told(&fx).is_empty(), "{:?}", told(&fx));
    // A new service built by a workflow of its own.
    let mut all = s.ctx.services.items.clone();
    let mut extra = all[0].clone();
    extra.name = "ledger".into();
    extra.arn = format!("{}-ledger", extra.arn);
    let ledger = Workflow {
        repo: "acme/ledger".into(),
        workflow: "ci.yml".into(),
    };
    extra.build = Some(Ok(BuildSource {
        workflow: ledger.clone(),
        git_ref: "main".into(),
    }));
    all.push(extra);
    let fx = feed.services(&mut s, all, now + Ms(2_000));
    let told = told(&fx);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains(&ledger), "{told:?}");
    assert_eq!(told[0].len(), before.len() + 1);
}

/// The rollout view of a paired canary asks for its partner's tasks too, so both sides of the
/// comparison count stopped tasks, and keeps them apart from the view's own task list.
#[test]
fn the_rollout_view_of_a_pair_watches_the_partner_s_tasks_too() {
    let mut s = loaded();
    select(&mut s, "prod-core", "search-canary");
    let fx = press(&mut s, KeyCode::Enter);
    let w = the_watch(&fx);
    assert_eq!(w.pane, Pane::Rollout);
    assert_eq!(w.partner, Some(key_of("prod-core", "search")));
    let world = seed::world(EPOCH);
    let tasks: Vec<_> = world
        .tasks()
        .into_iter()
        .filter(|t| t.cluster == "prod-core" && t.service.starts_with("search"))
        .collect();
    let ours = tasks
        .iter()
        .filter(|t| t.service == "search-canary")
        .count();
    let _ = update(
        &mut s,
        Msg::Tasks(
            Some(key_of("prod-core", "search-canary")),
            tasks.clone(),
            EPOCH,
        ),
    );
    assert_eq!(s.ctx.rollout_view.tasks.len(), ours);
    assert_eq!(s.ctx.rollout_view.partner_tasks.len(), tasks.len() - ours);
    assert!(!s.ctx.tasks_of(&key_of("prod-core", "search")).is_empty());
    // A service without a partner watches none.
    press(&mut s, KeyCode::Esc);
    select(&mut s, "prod-core", "api");
    let fx = press(&mut s, KeyCode::Enter);
    assert_eq!(the_watch(&fx).partner, None);
}
