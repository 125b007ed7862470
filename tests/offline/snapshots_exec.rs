//! What exec looks like: the dialog saying what stops exec and what to change, and a session
//! in the terminal pane beside the view (wide) or below it (80×24). Update with
//! `INSTA_UPDATE=always cargo test --test offline snapshots_exec` and read the diff.

use crate::support::screen::{dark, screen};
use crate::support::testkit::{EPOCH, StateBuilder};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::model::Ms;
use deckwatch::model::{ClusterExec, Task};
use deckwatch::state::exec::ExecMsg;
use deckwatch::state::{Msg, State, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The demo at 70 s, on a `w`×`h` screen, with `E` pressed on the first service and its tasks
/// and cluster configuration in.
fn dialog(w: u16, h: u16, edit: impl Fn(&mut Task)) -> State {
    let d = StateBuilder::demo(EPOCH)
        .at_seconds(70)
        .fleet_context()
        .with_every_pane(Ms(2_000));
    let mut s = d.build();
    let _ = update(&mut s, Msg::Resize(w, h));
    let _ = update(&mut s, key(KeyCode::Char('E')));
    let svc = s.ctx.selected_service().unwrap().clone();
    let mut tasks: Vec<Task> = d
        .world()
        .tasks()
        .into_iter()
        .filter(|t| t.cluster == svc.cluster && t.service == svc.name)
        .collect();
    tasks.iter_mut().for_each(edit);
    let _ = update(&mut s, Msg::Exec(ExecMsg::Tasks(svc.key(), Ok(tasks))));
    let kms = ClusterExec {
        kms_key: "alias/exec-sessions".into(),
        logging: "DEFAULT".into(),
    };
    let generation = s.ctx.target.generation;
    let _ = update(
        &mut s,
        Msg::Exec(ExecMsg::Cluster(generation, svc.cluster.clone(), Ok(kms))),
    );
    s
}

fn render(s: &State) -> Terminal<TestBackend> {
    let (w, h) = s.size;
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        let v = deckwatch::ui::draw(f, s, &dark());
        let _ = v;
    })
    .unwrap();
    t
}

#[test]
fn the_dialog_says_what_stops_exec_and_what_to_change() {
    let s = dialog(120, 40, |t| {
        t.exec_enabled = false;
        t.platform_version = "1.3.0".into();
    });
    let t = render(&s);
    let text = screen(t.backend().buffer());
    assert!(
        text.contains("✗ Fargate platform version 1.3.0 has no ECS Exec"),
        "{text}"
    );
    assert!(text.contains("you need kms:GenerateDataKey"), "{text}");
    insta::assert_snapshot!("exec_dialog_blocked", t.backend());
}

/// A session open in the pane, with some output.
fn session(w: u16, h: u16) -> State {
    let mut s = dialog(w, h, |_| {});
    let _ = update(&mut s, key(KeyCode::Enter));
    let id = s.exec.session.as_ref().expect("a session").id;
    let _ = update(
        &mut s,
        Msg::Exec(ExecMsg::Started(id, "ecs-execute-command-0001".into())),
    );
    let _ = update(
        &mut s,
        Msg::Exec(ExecMsg::Ready {
            id,
            encrypted: true,
            agent: "3.3.1142.0".into(),
        }),
    );
    let out = b"$ ls /app\r\nbin  config  server.jar\r\n$ ";
    let _ = update(&mut s, Msg::Exec(ExecMsg::Output(id, out.to_vec())));
    s
}

#[test]
fn a_session_takes_the_pane_beside_the_view_on_a_wide_terminal() {
    let s = session(160, 40);
    let t = render(&s);
    let text = screen(t.backend().buffer());
    assert!(text.contains("exec /bin/sh in app of task"), "{text}");
    assert!(text.contains("bin  config  server.jar"), "{text}");
    assert!(text.contains("KMS-encrypted"), "{text}");
    insta::assert_snapshot!("exec_pane_160x40", t.backend());
}

#[test]
fn at_80x24_the_pane_goes_below_and_the_view_keeps_its_rows() {
    let s = session(80, 24);
    let t = render(&s);
    let text = screen(t.backend().buffer());
    assert!(text.contains("bin  config  server.jar"), "{text}");
    insta::assert_snapshot!("exec_pane_80x24", t.backend());
}
