//! The header's word on the link: no answer for a while, a partial listing, the team's audit
//! log missing or records waiting. Drawn into a test terminal and read back.

use crate::support::testkit::StateBuilder;
use deckwatch::model::Ms;
use deckwatch::model::{ApiError, ErrorKind};
use deckwatch::state::{ConnectionEvent, Msg, Pane, State, TeamAudit, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::support::testkit::EPOCH;

fn header(s: &State) -> String {
    let theme = crate::support::screen::dark();
    let mut t = Terminal::new(TestBackend::new(160, 30)).unwrap();
    t.draw(|f| {
        deckwatch::ui::draw(f, s, &theme);
    })
    .unwrap();
    let buf = t.backend().buffer();
    (0..160).map(|x| buf[(x, 0)].symbol().to_string()).collect()
}

fn loaded() -> State {
    StateBuilder::demo(EPOCH)
        .fleet_context()
        .with_services()
        .build()
}

#[test]
fn a_call_unanswered_for_ten_seconds_is_said_until_its_answer_comes() {
    let mut s = loaded();
    let _ = update(
        &mut s,
        Msg::Connection(ConnectionEvent::NoAnswer(Pane::Services, EPOCH)),
    );
    let _ = update(&mut s, Msg::Tick(EPOCH + Ms(9_000)));
    assert!(!header(&s).contains("no answer"), "{}", header(&s));
    let _ = update(&mut s, Msg::Tick(EPOCH + Ms(14_000)));
    assert!(header(&s).contains("no answer for 14s"), "{}", header(&s));
    // Another pane's wait is not this pane's.
    let _ = update(
        &mut s,
        Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char('4'),
        )),
    );
    assert!(!header(&s).contains("no answer"), "{}", header(&s));
    let _ = update(
        &mut s,
        Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char('1'),
        )),
    );
    let fail = ApiError::new(ErrorKind::Unreachable, "ecs:ListServices: timed out");
    let _ = update(
        &mut s,
        Msg::Failed(Pane::Services, fail, EPOCH + Ms(30_000)),
    );
    assert!(!header(&s).contains("no answer"), "{}", header(&s));
}

#[test]
fn a_partial_listing_says_partial_not_stale() {
    let mut s = loaded();
    let e = ApiError::new(
        ErrorKind::Other,
        "1 of 2 clusters not read: cluster nope: …",
    )
    .partial();
    let _ = update(&mut s, Msg::Failed(Pane::Services, e, EPOCH));
    assert!(header(&s).contains(" PARTIAL "), "{}", header(&s));
    assert!(!header(&s).contains("STALE"), "{}", header(&s));
}

#[test]
fn the_team_audit_log_missing_or_behind_is_said() {
    let mut s = loaded();
    assert!(!header(&s).contains("audit"), "{}", header(&s));
    let missing = TeamAudit::Missing("log group /deckwatch/audit does not exist".into());
    let _ = update(&mut s, Msg::Connection(ConnectionEvent::TeamAudit(missing)));
    assert!(
        header(&s).contains("team audit log missing"),
        "{}",
        header(&s)
    );
    let unsent = TeamAudit::Unsent {
        count: 2,
        why: "throttled".into(),
    };
    let _ = update(&mut s, Msg::Connection(ConnectionEvent::TeamAudit(unsent)));
    assert!(header(&s).contains("2 audit unsent"), "{}", header(&s));
    let _ = update(
        &mut s,
        Msg::Connection(ConnectionEvent::TeamAudit(TeamAudit::Ok)),
    );
    assert!(!header(&s).contains("audit"), "{}", header(&s));
}

#[test]
fn the_account_says_connecting_until_it_is_known() {
    let s = StateBuilder::demo(EPOCH).build();
    assert!(header(&s).contains("acct connecting…"), "{}", header(&s));
    let mut s = StateBuilder::demo(EPOCH).build();
    let _ = update(
        &mut s,
        Msg::Connection(ConnectionEvent::NoContext(
            "access denied: sts:GetCallerIdentity".into(),
        )),
    );
    assert!(header(&s).contains("acct ?"), "{}", header(&s));
}
