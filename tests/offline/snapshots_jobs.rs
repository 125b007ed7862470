//! `:jobs` at the smallest screen the console supports and at a roomy one: two jobs watching
//! and one finished, each with its calls, phase, who and outcome. At 120×40 nothing is cut; at
//! 80×24 the least needed part leaves first.

use crate::support::screen::render_at;
use crate::support::testkit::{EPOCH, StateBuilder};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::model::Ms;
use deckwatch::state::jobs::JobDone;
use deckwatch::state::{Effect, Mode, Msg, State, update};

fn key(s: &mut State, code: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn shift(s: &mut State, c: char) -> Vec<Effect> {
    update(
        s,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT)),
    )
}

fn select(s: &mut State, name: &str) {
    let i = s
        .ctx
        .services
        .items
        .iter()
        .position(|x| x.name == name)
        .unwrap_or_else(|| panic!("no service {name}"));
    s.ctx.services.selected = i;
}

/// Confirms the dialog and returns the job started.
fn confirm(s: &mut State) -> u64 {
    key(s, KeyCode::Char('y'))
        .iter()
        .find_map(|e| match e {
            Effect::Run(_, _, id) => Some(*id),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no job started: {:?} {:?}", s.mode, s.flash))
}

/// Three jobs: a rollback of api watching, a promote of checkout sent and finished, and an
/// abort of payments watching; `:jobs` open.
fn three_jobs() -> State {
    let mut s = StateBuilder::demo(EPOCH)
        .at_seconds(70)
        .fleet_context()
        .with_every_pane(Ms(2_000))
        .build();
    s.os_user = Some("alice".into());
    s.ctx.info.caller_arn = "arn:aws:sts::123456789012:assumed-role/oncall/alice".into();
    for (name, verb, said) in [
        ("api", 'R', "roll back prod-core/api: sent"),
        ("checkout", 'P', "promote prod-edge/checkout: sent"),
        ("payments", 'A', "abort prod-core/payments: sent"),
    ] {
        select(&mut s, name);
        shift(&mut s, verb);
        let job = confirm(&mut s);
        let _ = update(&mut s, Msg::ActionDone(JobDone::of(job, Ok(said.into()))));
    }
    let later = s.now + Ms(42_000);
    let _ = update(&mut s, Msg::Tick(later));
    for c in ":jobs".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.mode, Mode::Jobs);
    s
}

#[test]
fn jobs_at_120x40_shows_every_value_whole() {
    let mut s = three_jobs();
    let (t, text) = render_at(&mut s, 120, 40);
    insta::assert_snapshot!("jobs_120x40", t.backend());
    assert!(
        text.contains("by alice (assumed-role/oncall/alice)"),
        "{text}"
    );
    assert!(
        text.contains("action=CONTINUE) on prod-edge/checkout"),
        "{text}"
    );
    assert_eq!(text.matches("audit: a record before and after").count(), 3);
}

#[test]
fn jobs_at_80x24_keeps_each_job_s_phase_and_calls() {
    let mut s = three_jobs();
    let (t, text) = render_at(&mut s, 80, 24);
    insta::assert_snapshot!("jobs_80x24", t.backend());
    for head in [
        "3 abort prod-core/payments  watching · 42s",
        "2 promote prod-edge/checkout  sent in 0s",
        "1 roll back prod-core/api  watching · 42s",
        "1. ecs:UpdateService(taskDefinition=api:117) on prod-core/api",
        "Esc closes",
    ] {
        assert!(text.contains(head), "{head:?} is cut:\n{text}");
    }
}
