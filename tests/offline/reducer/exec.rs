//! ECS Exec and port forwarding in the reducer: the dialog and what it says before the call,
//! the session's keys, screen, size and end, the hand-over to full screen, read-only and
//! production, and `:pf`.

use super::helpers::*;
use crossterm::event::{KeyCode, KeyModifiers};
use deckwatch::demo::seed;
use deckwatch::model::{AgentStatus, Task};
use deckwatch::state::exec::{ExecEffect, ExecMsg, Phase};
use deckwatch::state::{Effect, Mode, Msg, State, Viewport, update};

fn exec_effects(fx: &[Effect]) -> Vec<ExecEffect> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Exec(x) => Some(x.clone()),
            _ => None,
        })
        .collect()
}

/// The running tasks of the selected service, from the demo's world.
fn tasks_of(s: &State) -> Vec<Task> {
    let sel = s.ctx.selected_service().unwrap().clone();
    seed::world(EPOCH)
        .tasks()
        .into_iter()
        .filter(|t| t.cluster == sel.cluster && t.service == sel.name)
        .collect()
}

/// `E` on the selected service, then its tasks arrive.
fn dialog_with(s: &mut State, edit: impl Fn(&mut Task)) -> Vec<ExecEffect> {
    let fx = exec_effects(&press(s, KeyCode::Char('E')));
    let key = s.ctx.selected_service().unwrap().key();
    let mut tasks = tasks_of(s);
    assert!(!tasks.is_empty(), "the demo's service has running tasks");
    tasks.iter_mut().for_each(&edit);
    let _ = update(s, Msg::Exec(ExecMsg::Tasks(key, Ok(tasks))));
    fx
}

fn open_ready(s: &mut State) -> u64 {
    dialog_with(s, |_| {});
    let fx = exec_effects(&press(s, KeyCode::Enter));
    let Some(ExecEffect::Open(o)) = fx.first() else {
        panic!("Enter opens the session: {fx:?}, flash {:?}", s.flash)
    };
    assert_eq!(o.command, "/bin/sh");
    assert_eq!(o.target.container, "app");
    assert!(!o.target.runtime_id.is_empty());
    o.id
}

#[test]
fn e_opens_the_dialog_reads_the_tasks_and_the_clusters_exec_configuration() {
    let mut s = loaded();
    let fx = dialog_with(&mut s, |_| {});
    let key = s.ctx.selected_service().unwrap().key();
    assert!(fx.contains(&ExecEffect::LoadTasks(key.clone())), "{fx:?}");
    assert!(
        fx.contains(&ExecEffect::Inspect(
            s.ctx.target.generation,
            key.cluster.clone()
        )),
        "{fx:?}"
    );
    let Mode::Exec(d) = &s.mode else {
        panic!("the dialog: {:?}", s.mode)
    };
    assert!(!d.tasks.is_empty());
    assert_eq!(d.command, "/bin/sh");
}

#[test]
fn what_stops_exec_is_said_and_enter_calls_nothing() {
    let mut s = loaded();
    dialog_with(&mut s, |t| {
        t.exec_enabled = false;
        t.platform_version = "1.3.0".into();
    });
    let Mode::Exec(d) = &s.mode else { panic!() };
    let r = d.readiness(&s).unwrap();
    let said: Vec<String> = r.blockers.iter().map(|b| b.explain().0).collect();
    assert!(
        said.iter()
            .any(|w| w.contains("started before exec was turned on")),
        "{said:?}"
    );
    assert!(
        said.iter().any(|w| w.contains("platform version 1.3.0")),
        "{said:?}"
    );
    let fx = exec_effects(&press(&mut s, KeyCode::Enter));
    assert!(fx.is_empty(), "{fx:?}");
    let flash = s.flash.clone().unwrap().0;
    assert!(flash.starts_with("exec cannot work"), "{flash}");
    assert!(matches!(s.mode, Mode::Exec(_)), "the dialog stays");
}

#[test]
fn an_agent_that_is_not_running_is_said_with_the_task_roles_permissions() {
    let mut s = loaded();
    dialog_with(&mut s, |t| {
        t.containers[0].exec_agent = Some(AgentStatus::Pending)
    });
    let Mode::Exec(d) = &s.mode else { panic!() };
    let (what, fix) = d.readiness(&s).unwrap().blockers[0].explain();
    assert_eq!(what, "the ExecuteCommandAgent of app is PENDING");
    assert!(fix.contains("ssmmessages:CreateControlChannel"), "{fix}");
}

#[test]
fn a_ready_task_opens_in_the_pane_and_every_key_goes_to_the_session() {
    let mut s = loaded();
    let id = open_ready(&mut s);
    assert_eq!(s.mode, Mode::Terminal);
    let mut sent = Vec::new();
    for k in [KeyCode::Char('l'), KeyCode::Char('s'), KeyCode::Enter] {
        sent.extend(exec_effects(&press(&mut s, k)));
    }
    // Ctrl-C is the shell's, not the console's quit.
    sent.extend(exec_effects(&ctrl_c(&mut s)));
    assert!(!s.quit);
    assert_eq!(
        sent,
        [
            ExecEffect::Input(id, b"l".to_vec()),
            ExecEffect::Input(id, b"s".to_vec()),
            ExecEffect::Input(id, b"\r".to_vec()),
            ExecEffect::Input(id, vec![3]),
        ]
    );
    press_mod(&mut s, KeyCode::Char(']'), KeyModifiers::CONTROL);
    assert_eq!(
        s.mode,
        Mode::Normal,
        "Ctrl-] gives the keys back to the console"
    );
    let _ = update(
        &mut s,
        Msg::Exec(ExecMsg::Output(id, b"$ ls\r\nbin  etc\r\n$ ".to_vec())),
    );
    let text = s.exec.session.as_ref().unwrap().screen.text();
    assert!(text.contains("bin  etc"), "{text}");
}

#[test]
fn the_pane_size_follows_the_layout_and_the_end_says_the_exit_code() {
    let mut s = loaded();
    let id = open_ready(&mut s);
    let v = Viewport {
        terminal: Some((57, 13)),
        ..Viewport::default()
    };
    let fx = exec_effects(&update(&mut s, Msg::Layout(v.clone())));
    assert_eq!(fx, [ExecEffect::Resize(id, 57, 13)]);
    assert!(
        exec_effects(&update(&mut s, Msg::Layout(v))).is_empty(),
        "sent once"
    );
    let _ = update(&mut s, Msg::Exec(ExecMsg::Exit(id, 3)));
    let _ = update(
        &mut s,
        Msg::Exec(ExecMsg::Ended(
            id,
            "Exiting session with sessionId: x.".into(),
        )),
    );
    let session = s.exec.session.as_ref().unwrap();
    assert!(
        matches!(session.phase, Phase::Ended { code: Some(3), .. }),
        "{:?}",
        session.phase
    );
    assert!(s.flash.clone().unwrap().0.contains("exit code 3"));
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn full_screen_hands_the_terminal_over_and_ctrl_bracket_takes_it_back() {
    let mut s = loaded();
    let id = open_ready(&mut s);
    press_mod(&mut s, KeyCode::Char(']'), KeyModifiers::CONTROL);
    let fx = exec_effects(&press(&mut s, KeyCode::Char('Z')));
    assert!(s.exec.handed_over);
    assert!(
        fx.iter().any(|e| matches!(e, ExecEffect::HandOver(_))),
        "{fx:?}"
    );
    assert!(
        fx.contains(&ExecEffect::Resize(id, s.size.0, s.size.1)),
        "the whole terminal's size: {fx:?}"
    );
    let fx = exec_effects(&update(
        &mut s,
        Msg::Exec(ExecMsg::Output(id, b"hi".to_vec())),
    ));
    assert_eq!(fx, [ExecEffect::Write(b"hi".to_vec())]);
    // Every key is the session's while it holds the terminal, q too.
    assert_eq!(
        exec_effects(&press(&mut s, KeyCode::Char('q'))),
        [ExecEffect::Input(id, b"q".to_vec())]
    );
    assert!(!s.quit);
    let fx = exec_effects(&press_mod(
        &mut s,
        KeyCode::Char(']'),
        KeyModifiers::CONTROL,
    ));
    assert!(fx.contains(&ExecEffect::TakeBack), "{fx:?}");
    assert!(!s.exec.handed_over);
    assert!(s.exec.pane().is_some(), "the session goes on in the pane");
}

#[test]
fn read_only_refuses_exec_and_forwards() {
    let mut s = loaded_with(true);
    assert!(exec_effects(&press(&mut s, KeyCode::Char('E'))).is_empty());
    assert!(
        s.flash
            .clone()
            .unwrap()
            .0
            .starts_with("refused: the console is read-only")
    );
    press(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "pf checkout 8080");
    assert!(exec_effects(&press(&mut s, KeyCode::Enter)).is_empty());
    assert!(
        s.flash
            .clone()
            .unwrap()
            .0
            .starts_with("refused: the console is read-only")
    );
}

#[test]
fn production_asks_for_the_services_name_before_opening() {
    let mut s = demo().prod(true).with_services().build();
    dialog_with(&mut s, |_| {});
    let name = s.ctx.selected_service().unwrap().name.clone();
    assert!(exec_effects(&press(&mut s, KeyCode::Enter)).is_empty());
    type_text(&mut s, "wrong");
    assert!(exec_effects(&press(&mut s, KeyCode::Enter)).is_empty());
    assert!(
        s.flash
            .clone()
            .unwrap()
            .0
            .contains(&format!("type {name} exactly"))
    );
    type_text(&mut s, &name);
    let fx = exec_effects(&press(&mut s, KeyCode::Enter));
    assert!(matches!(fx.first(), Some(ExecEffect::Open(_))), "{fx:?}");
}

#[test]
fn pf_starts_an_ad_hoc_forward_and_says_what_is_wrong_with_a_bad_one() {
    let mut s = loaded();
    let svc = s.ctx.selected_service().unwrap().clone();
    press(&mut s, KeyCode::Char(':'));
    type_text(
        &mut s,
        &format!("pf {}/{} 8080 18080", svc.cluster, svc.name),
    );
    let fx = exec_effects(&press(&mut s, KeyCode::Enter));
    let Some(ExecEffect::Forward(spec)) = fx.first() else {
        panic!("{fx:?} {:?}", s.flash)
    };
    assert_eq!((spec.remote.port, spec.local_port), (8080, 18080));
    assert_eq!(spec.service, svc.key());
    assert_eq!(spec.remote.host, None);
    press(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "pf checkout http");
    assert!(exec_effects(&press(&mut s, KeyCode::Enter)).is_empty());
    assert!(
        s.flash.clone().unwrap().0.contains("is not a port"),
        "{:?}",
        s.flash
    );
    press(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "pf nosuch");
    press(&mut s, KeyCode::Enter);
    assert!(
        s.flash.clone().unwrap().0.starts_with("usage: :pf NAME"),
        "{:?}",
        s.flash
    );
}
