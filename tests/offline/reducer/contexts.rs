//! `:ctx` and `:region`: the switch is total and loud, each context keeps its own panes, and
//! an action can never run in a context other than the one it was planned in.

use super::helpers::*;
use crossterm::event::KeyCode;
use deckwatch::model::Ms;
use deckwatch::model::{ApiError, ContextInfo, ErrorKind};
use deckwatch::state::contexts::KEPT;
use deckwatch::state::{ContextChoice, Effect, Mode, Msg, Pane, State, Target, update};
use ratatui::style::Color;

fn choice(name: &str, region: &str, prod: bool) -> ContextChoice {
    ContextChoice {
        name: name.into(),
        region: Some(region.into()),
        prod,
        ..ContextChoice::default()
    }
}

/// The demo's state, started in context `demo`, with `prod` and `staging` in the config.
fn with_contexts() -> State {
    let mut s = demo().fleet_context().with_services().build();
    s.contexts.choices.list = vec![
        choice("demo", "eu-west-1", false),
        ContextChoice {
            accent: Some(Color::Rgb(255, 95, 95)),
            read_only: false,
            ..choice("prod", "us-east-1", true)
        },
        ContextChoice {
            read_only: true,
            ..choice("staging", "eu-west-1", false)
        },
    ];
    s.ctx.target.region = Some("eu-west-1".into());
    s
}

fn palette(s: &mut State, line: &str) -> Vec<Effect> {
    press(s, KeyCode::Char(':'));
    type_text(s, line);
    press(s, KeyCode::Enter)
}

fn switches(fx: &[Effect]) -> Vec<&Target> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::SwitchContext(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn flash(s: &State) -> String {
    s.flash.clone().map(|(m, _)| m).unwrap_or_default()
}

#[test]
fn ctx_switches_at_once_and_asks_the_loop_for_the_new_backend() {
    let mut s = with_contexts();
    assert!(!s.ctx.services.is_empty());
    let fx = palette(&mut s, "ctx prod");
    let target = switches(&fx);
    assert_eq!(
        target,
        vec![&Target {
            generation: 1,
            name: "prod".into(),
            region: Some("us-east-1".into()),
        }]
    );
    // The header is the new context's at once: name, PROD, its colour, its region.
    assert_eq!(s.ctx.info.name, "prod");
    assert!(s.ctx.info.prod);
    assert_eq!(s.ctx.info.region, "us-east-1");
    assert_eq!(s.ctx.accent, Some(Color::Rgb(255, 95, 95)));
    assert!(
        s.ctx.info.account.is_empty(),
        "prod's account is not known yet"
    );
    // Nothing of the old context's data is on screen.
    assert_eq!(s.ctx.services.items.len(), 0);
    assert_eq!(s.ctx.services.fetched_at, None);
    assert!(s.ctx.connection.connecting);
    assert!(
        flash(&s).contains("switching to context prod (PROD)"),
        "{}",
        flash(&s)
    );
    // The pollers are told what is on screen again once they run.
    assert!(!watches(&fx).is_empty());
}

#[test]
fn the_switch_is_announced_with_the_account_once_the_backend_answers() {
    let mut s = with_contexts();
    palette(&mut s, "ctx prod");
    let _ = update(&mut s, Msg::ContextReady(1));
    assert!(!s.ctx.connection.connecting);
    let info = ContextInfo {
        name: "prod".into(),
        profile: "prod".into(),
        account: "999988887777".into(),
        region: "us-east-1".into(),
        ..ContextInfo::default()
    };
    let _ = update(&mut s, Msg::Context(info.clone()));
    assert_eq!(
        flash(&s),
        "now on context prod (PROD) · account 999988887777 · us-east-1"
    );
    assert!(
        s.ctx.info.prod,
        "PROD is the config's word, kept over the backend's"
    );
    s.flash = None;
    let _ = update(&mut s, Msg::Context(info));
    assert!(s.flash.is_none(), "announced once");
}

#[test]
fn each_context_keeps_its_panes_selection_and_filter() {
    let mut s = with_contexts();
    select(&mut s, "prod-edge", "checkout");
    press(&mut s, KeyCode::Enter);
    assert!(s.ctx.in_rollout_view());
    press(&mut s, KeyCode::Char('1'));
    s.ctx.services.set_filter("pay|check".into());
    press(&mut s, KeyCode::Char('j'));
    let (filter, selected, count) = (
        s.ctx.services.filter.text().to_string(),
        selected_name(&s),
        s.ctx.services.items.len(),
    );
    let demo_account = s.ctx.info.account.clone();

    palette(&mut s, "ctx prod");
    // prod's own data arrives: one service.
    let _ = update(&mut s, Msg::ContextReady(1));
    let prod_rows: Vec<_> = services().into_iter().take(1).collect();
    let _ = update(&mut s, Msg::Services(prod_rows.into(), EPOCH));
    assert_eq!(s.ctx.services.items.len(), 1);
    assert_eq!(s.ctx.services.filter.text(), "");

    let fx = palette(&mut s, "ctx demo");
    assert_eq!(switches(&fx)[0].generation, 2);
    assert_eq!(s.ctx.services.items.len(), count, "demo's rows came back");
    assert_eq!(s.ctx.services.filter.text(), filter);
    assert_eq!(selected_name(&s), selected);
    assert_eq!(s.ctx.info.account, demo_account);
    assert!(!s.ctx.info.prod);

    palette(&mut s, "ctx prod");
    assert_eq!(s.ctx.services.items.len(), 1, "and prod's too");
}

#[test]
fn the_kept_contexts_are_bounded() {
    let mut s = with_contexts();
    let regions = [
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "eu-west-2",
        "eu-north-1",
        "ap-south-1",
    ];
    for r in regions {
        palette(&mut s, &format!("region {r}"));
        assert_eq!(s.ctx.info.region, r);
    }
    let kept: Vec<_> = s.contexts.kept().collect();
    assert_eq!(kept.len(), KEPT);
    // The oldest went first: the newest ones are kept.
    assert_eq!(kept.last().unwrap().region.as_deref(), Some("eu-north-1"));
}

#[test]
fn region_switches_the_current_context_and_refuses_what_is_not_a_region() {
    let mut s = with_contexts();
    let fx = palette(&mut s, "region useast1");
    assert!(switches(&fx).is_empty());
    assert!(
        flash(&s).contains("not an AWS region name"),
        "{}",
        flash(&s)
    );
    let fx = palette(&mut s, "region ap-southeast-2");
    assert_eq!(switches(&fx)[0].name, "demo");
    assert_eq!(switches(&fx)[0].region.as_deref(), Some("ap-southeast-2"));
    assert_eq!(s.ctx.info.name, "demo");
    assert_eq!(s.ctx.info.region, "ap-southeast-2");
}

#[test]
fn an_unknown_or_current_context_is_refused_with_the_names() {
    let mut s = with_contexts();
    let fx = palette(&mut s, "ctx prd");
    assert!(switches(&fx).is_empty());
    assert_eq!(
        flash(&s),
        "no context named \"prd\" (contexts: demo, prod, staging)"
    );
    let fx = palette(&mut s, "ctx demo");
    assert!(switches(&fx).is_empty());
    assert!(
        flash(&s).contains("already on context demo"),
        "{}",
        flash(&s)
    );
    assert!(!s.ctx.services.is_empty(), "nothing was swapped");
}

#[test]
fn a_read_only_context_is_read_only_after_the_switch() {
    let mut s = with_contexts();
    palette(&mut s, "ctx staging");
    assert!(s.ctx.read_only);
    palette(&mut s, "ctx demo");
    assert!(!s.ctx.read_only);
    s.contexts.choices.read_only_everywhere = true;
    palette(&mut s, "ctx prod");
    assert!(s.ctx.read_only, "--read-only holds in every context");
}

#[test]
fn a_job_keeps_running_through_a_switch_and_reports_to_the_context_it_ran_in() {
    let mut s = with_contexts();
    select(&mut s, "prod-edge", "checkout");
    shift(&mut s, 'P');
    let fx = press(&mut s, KeyCode::Char('y'));
    assert_eq!(acts(&fx).len(), 1);
    let job = s.ctx.jobs.newest().unwrap().id;
    let fx = palette(&mut s, "ctx prod");
    assert_eq!(
        switches(&fx).len(),
        1,
        "a job being sent does not hold the switch"
    );
    assert_eq!(s.ctx.info.name, "prod");
    assert!(s.ctx.jobs.all().is_empty(), "prod has no jobs of its own");
    // The runner answers while prod is on screen: demo's job takes it, not prod.
    let done = Msg::ActionDone(deckwatch::state::jobs::JobDone::of(job, Ok("sent".into())));
    let _ = update(&mut s, done);
    assert!(s.ctx.jobs.all().is_empty());
    palette(&mut s, "ctx demo");
    let j = s.ctx.jobs.get(job).expect("demo kept its job");
    assert_eq!(j.outcome.as_deref(), Some("sent"));
    assert!(!matches!(
        j.progress.phase,
        deckwatch::state::actions::progress::Phase::Sending
    ));
}

#[test]
fn a_plan_made_before_a_switch_runs_only_where_it_was_planned() {
    let mut s = with_contexts();
    select(&mut s, "prod-edge", "checkout");
    shift(&mut s, 'P');
    let plan = dialog(&s);
    // The dialog is the only way to run it; it cannot stay open across a switch.
    press(&mut s, KeyCode::Esc);
    palette(&mut s, "ctx prod");
    assert_eq!(s.mode, Mode::Normal);
    // On prod, nothing of demo's is selected: the same keys plan nothing.
    shift(&mut s, 'P');
    assert_eq!(s.mode, Mode::Normal);
    // Back on demo, a new plan carries demo's context to the loop and the runner.
    palette(&mut s, "ctx demo");
    shift(&mut s, 'P');
    assert_eq!(dialog(&s), plan);
    let fx = press(&mut s, KeyCode::Char('y'));
    let ctx = fx
        .iter()
        .find_map(|e| match e {
            Effect::Run(_, ctx, ..) => Some(ctx.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(ctx.name, "demo");
    assert_eq!(ctx.account, s.ctx.info.account);
}

#[test]
fn a_failed_switch_marks_every_pane_and_r_tries_again() {
    let mut s = with_contexts();
    palette(&mut s, "ctx prod");
    let err = ApiError::new(
        ErrorKind::Credentials,
        "no valid AWS credentials: run `aws sso login --profile prod`",
    );
    // An answer for an older switch changes nothing.
    let _ = update(&mut s, Msg::ContextFailed(0, err.clone()));
    assert!(s.ctx.connection.failed.is_none());
    let _ = update(&mut s, Msg::ContextFailed(1, err.clone()));
    assert!(!s.ctx.connection.connecting);
    // Every AWS pane; the builds pane is GitHub's and keeps its own state.
    for pane in Pane::ALL.into_iter().filter(|p| *p != Pane::Builds) {
        assert_eq!(s.pane_data(pane).error(), Some(&err), "{pane:?}");
    }
    assert_eq!(s.pane_data(Pane::Builds).error(), None);
    assert!(
        flash(&s).contains("aws sso login --profile prod"),
        "{}",
        flash(&s)
    );
    assert!(flash(&s).contains("r tries again"), "{}", flash(&s));
    let fx = press(&mut s, KeyCode::Char('r'));
    let again = switches(&fx);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].name, "prod");
    assert_eq!(again[0].generation, 2);
    assert!(!fx.contains(&Effect::Refresh));
    assert!(s.ctx.connection.connecting);
}

#[test]
fn tab_completes_context_names_in_the_palette() {
    let mut s = with_contexts();
    s.contexts
        .choices
        .list
        .push(choice("prod-us", "us-west-2", true));
    press(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "ctx st");
    press(&mut s, KeyCode::Tab);
    assert_eq!(s.mode, Mode::Palette("ctx staging ".into()));
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "ctx pr");
    press(&mut s, KeyCode::Tab);
    assert_eq!(
        s.mode,
        Mode::Palette("ctx prod".into()),
        "as far as prod and prod-us agree"
    );
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "ct");
    press(&mut s, KeyCode::Tab);
    assert_eq!(s.mode, Mode::Palette("ctx ".into()), "the word first");
}

#[test]
fn the_header_takes_the_prod_context_s_colour_at_once() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let theme = crate::support::screen::dark();
    let header_bg = |s: &State| {
        let mut t = Terminal::new(TestBackend::new(120, 30)).unwrap();
        t.draw(|f| {
            deckwatch::ui::draw(f, s, &theme);
        })
        .unwrap();
        let buf = t.backend().buffer().clone();
        let line: String = (0..120).map(|x| buf[(x, 0)].symbol()).collect();
        (buf[(1, 0)].bg, line)
    };
    let mut s = with_contexts();
    let (bg, line) = header_bg(&s);
    assert_eq!(bg, theme.header_bg);
    assert!(line.contains("ctx demo"), "{line}");
    palette(&mut s, "ctx prod");
    let (bg, line) = header_bg(&s);
    assert_eq!(bg, Color::Rgb(255, 95, 95), "the context's accent");
    assert!(
        line.contains("ctx prod") && line.contains(" PROD "),
        "{line}"
    );
    assert!(
        line.contains("us-east-1") && line.contains("CONNECTING"),
        "{line}"
    );
}

#[test]
fn the_back_stack_belongs_to_its_context() {
    let mut s = with_contexts();
    select(&mut s, "prod-edge", "checkout");
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.ctx.pane, Pane::Rollout);
    palette(&mut s, "ctx prod");
    assert_eq!(s.ctx.pane, Pane::Services);
    assert!(s.ctx.rollout.is_none());
    // Esc on prod has nowhere of demo's to go back to.
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.ctx.pane, Pane::Services);
    assert!(s.ctx.rollout.is_none());
    // Back on demo: the rollout view it was left on, and Esc goes back from there.
    palette(&mut s, "ctx demo");
    assert_eq!(s.ctx.pane, Pane::Rollout);
    assert_eq!(s.ctx.rollout.as_ref().unwrap().name, "checkout");
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.ctx.pane, Pane::Services);
    assert_eq!(selected_name(&s), "checkout");
}

/// The header's first line, drawn.
fn header_line(s: &State) -> String {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let theme = crate::support::screen::dark();
    let mut t = Terminal::new(TestBackend::new(160, 30)).unwrap();
    t.draw(|f| {
        deckwatch::ui::draw(f, s, &theme);
    })
    .unwrap();
    let buf = t.backend().buffer();
    (0..160).map(|x| buf[(x, 0)].symbol().to_string()).collect()
}

#[test]
fn an_account_one_context_could_not_read_is_not_the_next_context_s() {
    use deckwatch::state::ConnectionEvent;
    let mut s = with_contexts();
    s.ctx.info.account.clear();
    let denied = "sts:GetCallerIdentity: AccessDenied".to_string();
    let _ = update(
        &mut s,
        Msg::Connection(ConnectionEvent::NoContext(denied.clone())),
    );
    assert!(header_line(&s).contains("acct ?"), "{}", header_line(&s));
    palette(&mut s, "ctx prod");
    // prod's account has not been asked yet: it is being connected to, not unknown.
    assert!(
        header_line(&s).contains("acct connecting…"),
        "{}",
        header_line(&s)
    );
    assert_eq!(s.ctx.connection.context_error, None);
    // Back on demo, its backend is built again: its account is asked again too.
    palette(&mut s, "ctx demo");
    assert!(
        header_line(&s).contains("acct connecting…"),
        "{}",
        header_line(&s)
    );
    let _ = update(&mut s, Msg::Connection(ConnectionEvent::NoContext(denied)));
    assert!(header_line(&s).contains("acct ?"), "{}", header_line(&s));
}

#[test]
fn a_switch_is_one_swap_of_everything_a_context_owns() {
    let mut s = with_contexts();
    select(&mut s, "prod-edge", "checkout");
    press(&mut s, KeyCode::Enter);
    let _ = update(&mut s, Msg::CredentialsExpiry(Some(EPOCH + Ms(60_000))));
    let demo_target = s.ctx.target.clone();
    palette(&mut s, "ctx prod");
    // Nothing of demo's is on prod: no rows, no rollout, no back-stack, no expiry, no
    // progress, no evidence.
    assert!(s.ctx.services.items.is_empty());
    assert!(s.ctx.rollout.is_none());
    assert!(s.ctx.back_stack.is_empty());
    assert_eq!(s.ctx.credentials_expiry, None);
    assert!(s.ctx.jobs.all().is_empty());
    assert!(s.ctx.evidence.links.is_empty());
    assert_eq!(s.ctx.target.name, "prod");
    // demo's is kept whole, under its own target.
    assert_eq!(s.contexts.kept().collect::<Vec<_>>(), vec![&demo_target]);
    palette(&mut s, "ctx demo");
    assert_eq!(s.ctx.credentials_expiry, Some(EPOCH + Ms(60_000)));
    assert_eq!(s.ctx.rollout.as_ref().unwrap().name, "checkout");
    assert!(!s.ctx.back_stack.is_empty());
}

/// What exec read of an account (a cluster's KMS key and logging) is that context's: a cluster
/// of the same name in the next account is not known yet, and an answer asked before the switch
/// is not taken as the next context's.
#[test]
fn a_cluster_s_exec_configuration_stays_with_its_context() {
    use deckwatch::model::ClusterExec;
    use deckwatch::state::exec::ExecMsg;
    let mut s = with_contexts();
    let demo_switch = s.ctx.target.generation;
    let kms = ClusterExec {
        kms_key: "alias/demo-exec".into(),
        logging: "DEFAULT".into(),
    };
    let answer = |g: u64| Msg::Exec(ExecMsg::Cluster(g, "prod-edge".into(), Ok(kms.clone())));
    let _ = update(&mut s, answer(demo_switch));
    assert!(s.ctx.exec_clusters.contains_key("prod-edge"));
    palette(&mut s, "ctx prod");
    assert!(s.ctx.exec_clusters.is_empty(), "demo's cluster on prod");
    // demo's answer, late: not prod's.
    let _ = update(&mut s, answer(demo_switch));
    assert!(
        s.ctx.exec_clusters.is_empty(),
        "an answer from before the switch"
    );
    // Back on demo, what it read comes back with it.
    palette(&mut s, "ctx demo");
    let back = s.ctx.exec_clusters.get("prod-edge").cloned();
    assert_eq!(back, Some(Ok(kms)));
}

/// How ECS's events reach a context is its own: the next context's event worker says it again.
#[test]
fn the_events_word_is_the_context_s() {
    use deckwatch::state::feed::{FeedMode, FeedReport};
    let mut s = with_contexts();
    let _ = update(&mut s, Msg::Feed(FeedReport::Up("queue q".into())));
    assert!(s.ctx.feed.is_up());
    palette(&mut s, "ctx prod");
    assert_eq!(s.ctx.feed.mode, FeedMode::Off, "demo's queue on prod");
    let _ = update(&mut s, Msg::Feed(FeedReport::Lost("gone".into())));
    // Back on demo, its workers start again and say again how its events come.
    palette(&mut s, "ctx demo");
    assert_eq!(s.ctx.feed.mode, FeedMode::Off);
}

/// The timeline view is the context's: a read a switch cut is never answered (the old workers'
/// channel is gone), so it is asked again once the context's backend is ready.
#[test]
fn a_timeline_read_cut_by_a_switch_is_asked_again() {
    let asks = |fx: &[Effect]| fx.iter().any(|e| matches!(e, Effect::Timeline(_)));
    let mut s = with_contexts();
    assert!(asks(&palette(&mut s, "timeline")));
    assert_eq!(s.ctx.pane, Pane::Timeline);
    let service = s.ctx.timeline.service.clone();
    assert!(service.is_some());
    palette(&mut s, "ctx prod");
    assert!(s.ctx.timeline.service.is_none(), "demo's timeline on prod");
    palette(&mut s, "ctx demo");
    assert_eq!(s.ctx.timeline.service, service);
    assert!(s.ctx.timeline.loading.is_none());
    let generation = s.ctx.target.generation;
    assert!(asks(&update(&mut s, Msg::ContextReady(generation))));
    assert!(s.ctx.timeline.loading.is_some());
}

/// Who owns a service is the context's: a batch asked of workers a switch stopped is asked
/// again when the context's services come in again.
#[test]
fn owners_asked_before_a_switch_are_asked_again() {
    use deckwatch::state::table::Prepared;
    let owners = |fx: &[Effect]| {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Owners(batch) => Some(batch.len()),
                _ => None,
            })
            .sum::<usize>()
    };
    let mut s = with_contexts();
    let services = s.ctx.services.items.clone();
    assert!(!services.is_empty());
    let listed = |s: &mut State| {
        let p = Prepared::from(services.clone());
        update(s, Msg::Services(p, EPOCH))
    };
    // The services came in when the state was built, and their owners were asked then; not
    // answered yet, so listing them again asks nothing more.
    assert_eq!(owners(&listed(&mut s)), 0);
    palette(&mut s, "ctx prod");
    palette(&mut s, "ctx demo");
    assert_eq!(owners(&listed(&mut s)), services.len());
}
