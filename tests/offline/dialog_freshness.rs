//! A promote or abort dialog asks again when the load balancer's figures it shows are older
//! than a minute: `y` is refused with the figures' age (and the failed read's error, when the
//! fresh read failed and only older figures remain), and accepted once fresh figures come.
//! Through the reducer on the demo, its clock moved by ticks, the reads fed as the evidence
//! worker sends them.

use super::evidence_demo::Console;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::model::Ms;
use deckwatch::model::verdict::Verdict;
use deckwatch::model::{ApiError, ErrorKind};
use deckwatch::state::rollout::evidence::{AlbResult, Fetched};
use deckwatch::state::rollout::verdict::confirm_word;
use deckwatch::state::{Effect, Mode, Msg, update};

/// Confirms the open dialog as its keys say (`y`, or the word typed and Enter); whether it ran.
fn confirm(c: &mut Console) -> bool {
    let Mode::Confirm(plan, _) = &c.state.mode else {
        panic!("no dialog: {:?}", c.state.mode);
    };
    let mut fx = Vec::new();
    match confirm_word(plan, c.state.ctx.info.prod) {
        Some(word) => {
            for ch in word.chars() {
                fx.extend(c.key(KeyCode::Char(ch)));
            }
            fx.extend(c.key(KeyCode::Enter));
        }
        None => fx.extend(c.key(KeyCode::Char('y'))),
    }
    fx.iter().any(|e| matches!(e, Effect::Run(..)))
}

fn tick(c: &mut Console, ms: i64) {
    let now = c.state.now + Ms(ms);
    let _ = update(&mut c.state, Msg::Tick(now));
}

fn read(c: &mut Console, figures: Result<(), &str>) {
    let good = c
        .state
        .ctx
        .evidence
        .alb_ok
        .clone()
        .expect("a read came back");
    let r = AlbResult {
        figures: match figures {
            Ok(()) => good.figures,
            Err(e) => Err(ApiError::new(ErrorKind::Throttled, e)),
        },
        at: c.state.now,
        ..good
    };
    let _ = update(
        &mut c.state,
        Msg::Evidence(Box::new(Fetched::Alb(Box::new(r)))),
    );
}

fn flash(c: &Console) -> String {
    c.state.flash.clone().map(|f| f.0).unwrap_or_default()
}

#[tokio::test(start_paused = true)]
async fn a_dialog_on_figures_older_than_a_minute_asks_again() {
    let mut c = Console::new();
    c.poll().await;
    c.select("prod-edge", "checkout");
    c.key(KeyCode::Enter);
    c.run_until(120, "PASS", |s| {
        s.ctx
            .evidence
            .verdicts
            .values()
            .any(|k| k.judged.verdict == Verdict::Pass)
    })
    .await;
    let _ = update(
        &mut c.state,
        Msg::Key(KeyEvent::new(KeyCode::Char('P'), KeyModifiers::SHIFT)),
    );
    assert!(matches!(c.state.mode, Mode::Confirm(..)));

    // The fresh read has not come a minute on: refused, the dialog stays.
    tick(&mut c, 61_000);
    assert!(!confirm(&mut c), "old figures are not confirmed on");
    assert!(matches!(c.state.mode, Mode::Confirm(..)), "it asks again");
    let said = flash(&c);
    assert!(said.contains("the figures shown are 61 s old"), "{said}");
    assert!(said.contains("nothing was changed"), "{said}");

    // The fresh read failed: only the older figures remain, and the dialog says how old.
    read(&mut c, Err("Rate exceeded"));
    assert!(!confirm(&mut c));
    let said = flash(&c);
    assert!(
        said.contains("the fresh read failed (throttled: Rate exceeded)")
            && said.contains("61 s old"),
        "{said}"
    );
    let screen = c.screen();
    assert!(
        screen.contains("the last figures were read 1m ago"),
        "{screen}"
    );

    // A minute is the limit, not less: fresh figures, then 60 s on, confirm.
    read(&mut c, Ok(()));
    tick(&mut c, 60_000);
    assert!(confirm(&mut c), "fresh figures: {}", flash(&c));
    assert_eq!(c.state.mode, Mode::Normal);
}

#[tokio::test(start_paused = true)]
async fn a_dialog_without_figures_to_be_old_confirms_as_before() {
    // Opened from the table before any read of the load balancer: no figures to be old.
    let mut c = Console::new();
    c.poll().await;
    c.select("prod-edge", "checkout");
    let _ = update(
        &mut c.state,
        Msg::Key(KeyEvent::new(KeyCode::Char('P'), KeyModifiers::SHIFT)),
    );
    assert!(matches!(c.state.mode, Mode::Confirm(..)));
    assert!(c.state.ctx.evidence.alb_ok.is_none());
    tick(&mut c, 120_000);
    assert!(confirm(&mut c), "{}", flash(&c));
}
