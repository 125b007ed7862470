//! `[notify] webhook`: a local HTTP server in the test receives each notification's POST, with
//! the exact body; a server that fails is said once in the status line, the notice is not sent
//! again, and the next one still goes.

use crate::support::pty::Console;
use deckwatch::budget::Budget;
use deckwatch::model::notify::WebhookUrl;
use deckwatch::state::Msg;
use deckwatch::state::notify::Notice;
use deckwatch::workers::webhook::Webhook;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// One request as the server read it.
#[derive(Debug)]
struct Received {
    head: String,
    body: String,
}

/// Reads one HTTP/1.1 request: its head, then as many body bytes as Content-Length says.
async fn read_request(sock: &mut tokio::net::TcpStream) -> Received {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = sock.read(&mut chunk).await.expect("read");
        assert!(n > 0, "the client closed before its request ended");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .expect("a Content-Length");
    while buf.len() < head_end + length {
        let n = sock.read(&mut chunk).await.expect("read");
        assert!(n > 0, "the client closed inside its body");
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..head_end + length]).to_string();
    Received { head, body }
}

/// A server that answers each request with the next status of `statuses`, and hands what it
/// read to the test.
async fn server(statuses: Vec<u16>) -> (String, mpsc::UnboundedReceiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!(
        "http://127.0.0.1:{}/services/T0/B0/secretpart",
        listener.local_addr().expect("addr").port()
    );
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        for status in statuses {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let got = read_request(&mut sock).await;
            let _ = tx.send(got);
            let answer =
                format!("HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
            let _ = sock.write_all(answer.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    (url, rx)
}

fn notice(job: u32) -> Notice {
    Notice {
        title: "deckwatch: promote prod-edge/checkout".into(),
        body: format!("job {job} sent: \"ok\""),
    }
}

#[tokio::test]
async fn each_notification_is_posted_with_the_exact_body_through_the_budget() {
    let (url, mut got) = server(vec![200]).await;
    let budget = Arc::new(Budget::default());
    let (report, mut reports) = mpsc::channel(8);
    let hook = Webhook::spawn(WebhookUrl::parse(&url).unwrap(), budget.clone(), report);
    hook.send(&notice(2));
    let r = got.recv().await.expect("the server received the POST");
    assert!(
        r.head
            .starts_with("POST /services/T0/B0/secretpart HTTP/1.1\r\n"),
        "{}",
        r.head
    );
    assert!(
        r.head
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{}",
        r.head
    );
    assert_eq!(
        r.body,
        r#"{"text":"deckwatch: promote prod-edge/checkout: job 2 sent: \"ok\""}"#
    );
    // The budget was asked, once, for webhook:Post.
    let posts: Vec<(usize, Vec<(&str, usize)>)> = budget
        .report()
        .into_iter()
        .filter(|o| o.op == deckwatch::model::Op::WebhookPost)
        .map(|o| (o.calls_last_minute, o.by_caller))
        .collect();
    assert_eq!(posts, vec![(1, vec![("webhook", 1)])]);
    drop(hook);
    assert!(reports.recv().await.is_none(), "no failure was reported");
}

#[tokio::test]
async fn a_failing_server_is_said_once_in_the_status_line_and_the_next_notice_still_goes() {
    let (url, mut got) = server(vec![500, 200]).await;
    let (report, mut reports) = mpsc::channel(8);
    let budget = Arc::new(Budget::default());
    let hook = Webhook::spawn(WebhookUrl::parse(&url).unwrap(), budget.clone(), report);
    hook.send(&notice(1));
    assert!(got.recv().await.is_some());
    let Some(Msg::WebhookFailed(why)) = reports.recv().await else {
        panic!("no failure reported");
    };
    assert_eq!(why, "webhook: answered HTTP 500");
    let mut state =
        crate::support::testkit::StateBuilder::demo(deckwatch::timing::now_ms()).build();
    let _ = deckwatch::state::update(&mut state, Msg::WebhookFailed(why.clone()));
    assert_eq!(
        state.flash.as_ref().map(|f| f.0.as_str()),
        Some(why.as_str())
    );
    // Not sent again: the next request the server reads is the next notice.
    hook.send(&notice(2));
    let r = got.recv().await.expect("the second notice");
    assert!(r.body.contains("job 2 sent"), "{}", r.body);
    drop(hook);
    assert!(reports.recv().await.is_none(), "one failure, said once");
    // Two POSTs in all, each after asking the budget: the failed one was not sent again.
    let asked: usize = budget
        .report()
        .iter()
        .filter(|o| o.op == deckwatch::model::Op::WebhookPost)
        .map(|o| o.calls_last_minute)
        .sum();
    assert_eq!(asked, 2);
}

#[tokio::test]
async fn a_server_that_cannot_be_reached_is_said_without_the_url() {
    // Bound, then closed: nothing listens there now.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let url = format!("http://127.0.0.1:{port}/services/T0/B0/secretpart");
    let (report, mut reports) = mpsc::channel(8);
    let hook = Webhook::spawn(
        WebhookUrl::parse(&url).unwrap(),
        Arc::new(Budget::default()),
        report,
    );
    hook.send(&notice(1));
    let Some(Msg::WebhookFailed(why)) = reports.recv().await else {
        panic!("no failure reported");
    };
    assert!(why.starts_with("webhook: could not send"), "{why}");
    assert!(!why.contains("secretpart"), "{why}");
}

/// The console itself: a job that ends reaches the webhook with the desktop notification's
/// words, a webhook that answers 500 is said in the status line, and the console goes on.
#[test]
fn the_console_posts_a_job_s_end_and_says_a_failing_webhook_in_the_status_line() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (url, mut got) = rt.block_on(server(vec![500, 200, 200, 200]));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, format!("[notify]\nwebhook = \"{url}\"\n")).unwrap();
    let path = path.to_str().unwrap().to_string();
    let mut c = Console::spawn_sized(&["--demo", "--config", &path], &[], 160, 40);
    c.wait_for("services (13)");
    c.send("/");
    c.send("checkout");
    c.send("\r");
    c.wait_for("services (1 of 13)");
    c.send("P");
    c.wait_for("promote prod-edge/checkout?");
    c.confirm();
    c.wait_for("promote prod-edge/checkout: sent");
    let r = rt
        .block_on(async {
            tokio::time::timeout(std::time::Duration::from_secs(60), got.recv()).await
        })
        .expect("the webhook was called")
        .expect("a request");
    assert!(
        r.body
            .starts_with(r#"{"text":"deckwatch: promote prod-edge/checkout: job 1 sent"#),
        "{}",
        r.body
    );
    c.wait_for("webhook: answered HTTP 500");
    assert!(!c.screen().contains("secretpart"));
    // The console goes on: keys still work.
    c.send(":jobs\r");
    c.wait_for("x stops watching the selected job");
    c.send("\x1b");
    c.wait_gone("x stops watching the selected job");
    c.send("q");
    assert!(c.wait_exit().success());
}
