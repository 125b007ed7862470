//! How often the evidence worker reads the load balancer: every 15 s while a moving rollout's
//! view asks for its figures, afresh when a promote or abort dialog opens, and not at all once
//! nothing asks. The real worker on tokio's paused clock, its calls counted.

use deckwatch::demo::SimFleet;
use deckwatch::model::ApiResult;
use deckwatch::model::Ms;
use deckwatch::model::evidence::{AlbFigures, AlbQuery};
use deckwatch::state::rollout::evidence::Request;
use deckwatch::workers::evidence::{Listed, run};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

use crate::support::testkit::{EPOCH, StateBuilder};
use crate::support::wrapped_fleet::fleet_around_inner;

/// The demo fleet, counting its load-balancer reads.
struct AlbCounter {
    inner: SimFleet,
    reads: AtomicUsize,
}

fleet_around_inner!(AlbCounter {
    async fn alb_figures(&self, queries: &[AlbQuery]) -> ApiResult<Vec<AlbFigures>> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.alb_figures(queries).await
    }
});

async fn pass(secs: u64) {
    for _ in 0..secs {
        tokio::time::advance(Duration::from_secs(1)).await;
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn figures_are_read_every_15_s_while_shown_afresh_for_a_dialog_and_never_after() {
    let state = StateBuilder::demo(EPOCH).with_every_pane(Ms(0)).build();
    let checkout = state
        .ctx
        .services
        .items
        .iter()
        .find(|s| s.name == "checkout")
        .unwrap();
    let view = Request {
        sides: state.ctx.sides_of(checkout),
        ..Request::default()
    };
    assert!(view.sides.is_some(), "checkout's canary is moving");
    let fleet = Arc::new(AlbCounter {
        inner: SimFleet::new(EPOCH),
        reads: AtomicUsize::new(0),
    });
    let reads = || fleet.reads.load(Ordering::SeqCst);
    let (tx, mut rx) = mpsc::channel(64);
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let (want_tx, want_rx) = watch::channel(Request::default());
    let worker = tokio::spawn(run(fleet.clone(), tx, want_rx, Listed::default()));
    pass(30).await;
    assert_eq!(reads(), 0, "nothing shown, nothing read");

    // The view opens: read at once, then at 15, 30 and 45 s.
    want_tx.send(view.clone()).unwrap();
    pass(50).await;
    assert_eq!(reads(), 4);

    // A promote dialog opens on the same rollout: read afresh, not 10 s later.
    let dialog = Request {
        dialog: Some(checkout.key()),
        ..view.clone()
    };
    want_tx.send(dialog).unwrap();
    pass(1).await;
    assert_eq!(reads(), 5);

    // Everything closes: no read in the next ten minutes.
    want_tx.send(Request::default()).unwrap();
    pass(600).await;
    assert_eq!(reads(), 5);
    drop(want_tx);
    pass(1).await;
    assert!(worker.is_finished(), "the worker ends with its channel");
}

/// The same, with the requests the reducer makes as keys open and close the rollout view and
/// a promote dialog: read while the view is open, afresh for the dialog, never after Esc.
#[tokio::test(start_paused = true)]
async fn the_reducer_s_view_drives_the_reads_and_closing_it_stops_them() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use deckwatch::state::rollout::evidence::request;
    use deckwatch::state::{Msg, update};
    let mut c = super::evidence_demo::Console::new();
    c.poll().await;
    let fleet = Arc::new(AlbCounter {
        inner: SimFleet::new(EPOCH),
        reads: AtomicUsize::new(0),
    });
    let reads = || fleet.reads.load(Ordering::SeqCst);
    let (tx, mut rx) = mpsc::channel(64);
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let (want_tx, want_rx) = watch::channel(request(&c.state));
    let _worker = tokio::spawn(run(fleet.clone(), tx, want_rx, Listed::default()));
    pass(30).await;
    assert_eq!(reads(), 0, "the services table asks for no figures");

    c.select("prod-edge", "checkout");
    c.key(KeyCode::Enter);
    want_tx.send(request(&c.state)).unwrap();
    pass(50).await;
    assert_eq!(reads(), 4, "at once, then at 15, 30 and 45 s");

    let _ = update(
        &mut c.state,
        Msg::Key(KeyEvent::new(KeyCode::Char('P'), KeyModifiers::SHIFT)),
    );
    want_tx.send(request(&c.state)).unwrap();
    pass(1).await;
    assert_eq!(reads(), 5, "the dialog reads afresh");

    c.key(KeyCode::Esc);
    c.key(KeyCode::Esc);
    assert!(request(&c.state).is_empty(), "{:?}", request(&c.state));
    want_tx.send(request(&c.state)).unwrap();
    pass(600).await;
    assert_eq!(reads(), 5, "closed: no read in ten minutes");
}
