//! The mouse in the reducer: each test draws the real screen first (the reducer only knows
//! where things are from the last frame), then clicks where a person would see the thing.

use super::helpers::*;
use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use deckwatch::model::Ms;
use deckwatch::state::{Mode, Msg, Pane, State, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// Draws `s` on a `w`×`h` screen and hands the layout back, as the loop does.
fn draw(s: &mut State, w: u16, h: u16) -> Buffer {
    let theme = crate::support::screen::dark();
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut viewport = None;
    t.draw(|f| viewport = Some(deckwatch::ui::draw(f, s, &theme)))
        .unwrap();
    let _ = update(s, Msg::Layout(viewport.unwrap()));
    t.backend().buffer().clone()
}

/// Where `text` is first drawn: (column, row).
fn find(buf: &Buffer, text: &str) -> (u16, u16) {
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        if let Some(byte) = line.find(text) {
            return (line[..byte].chars().count() as u16, y);
        }
    }
    panic!("{text:?} is not on screen");
}

fn mouse(s: &mut State, kind: MouseEventKind, (x, y): (u16, u16)) -> Vec<deckwatch::state::Effect> {
    update(
        s,
        Msg::Mouse(MouseEvent {
            kind,
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        }),
    )
}

fn click(s: &mut State, at: (u16, u16)) -> Vec<deckwatch::state::Effect> {
    mouse(s, MouseEventKind::Down(MouseButton::Left), at)
}

#[test]
fn a_click_on_a_row_selects_that_service() {
    let mut s = loaded();
    let buf = draw(&mut s, 120, 40);
    let before = selected_name(&s);
    let (x, y) = find(&buf, "payments ");
    click(&mut s, (x + 2, y));
    assert_eq!(selected_name(&s), "payments", "was {before}");
    // The click moved the selection only: the pane and the mode stay.
    assert_eq!(s.ctx.pane, Pane::Services);
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn a_click_on_a_row_of_a_scrolled_list_selects_what_is_drawn_there() {
    let mut s = loaded();
    // A short screen: the list scrolls once the selection goes past its rows.
    draw(&mut s, 120, 12);
    press(&mut s, KeyCode::Char('G'));
    let buf = draw(&mut s, 120, 12);
    let list = s.viewport.hits.list.unwrap();
    assert!(list.first > 0, "the list scrolled: {list:?}");
    let row = list.rows.y;
    let drawn: String = (0..buf.area.width)
        .map(|x| buf[(x, row)].symbol())
        .collect();
    click(&mut s, (list.rows.x + 1, row));
    assert!(
        drawn.contains(&selected_name(&s)),
        "selected {} but the row shows {drawn}",
        selected_name(&s)
    );
}

#[test]
fn a_click_below_the_last_row_selects_nothing_new() {
    let mut s = loaded();
    s.ctx.services.set_filter("payments".into());
    draw(&mut s, 120, 40);
    let list = s.viewport.hits.list.unwrap();
    click(&mut s, (list.rows.x + 1, list.rows.y + 5));
    assert_eq!(s.ctx.services.selected, 0);
    assert_eq!(selected_name(&s), "payments");
}

#[test]
fn a_click_on_a_tab_switches_to_its_pane() {
    let mut s = loaded();
    let buf = draw(&mut s, 120, 40);
    let fx = click(&mut s, find(&buf, "4 alarms"));
    assert_eq!(s.ctx.pane, Pane::Alarms);
    assert_eq!(the_watch(&fx).pane, Pane::Alarms);
    let buf = draw(&mut s, 120, 40);
    click(&mut s, find(&buf, "2 tasks"));
    assert_eq!(s.ctx.pane, Pane::Tasks);
}

#[test]
fn the_wheel_scrolls_the_list_and_the_logs() {
    let mut s = loaded();
    draw(&mut s, 120, 40);
    mouse(&mut s, MouseEventKind::ScrollDown, (10, 10));
    mouse(&mut s, MouseEventKind::ScrollDown, (10, 10));
    assert_eq!(s.ctx.services.selected, 2);
    mouse(&mut s, MouseEventKind::ScrollUp, (10, 10));
    assert_eq!(s.ctx.services.selected, 1);

    press(&mut s, KeyCode::Char('5'));
    let lines: Vec<_> = (0..50)
        .map(|i| deckwatch::model::LogLine {
            at: EPOCH + Ms(i),
            task_id: "t1".into(),
            revision: 1,
            message: format!("line {i}"),
        })
        .collect();
    let key = s.ctx.logs.service().cloned().unwrap();
    let _ = update(&mut s, Msg::Logs(key, lines, EPOCH));
    assert!(s.ctx.logs.follow);
    mouse(&mut s, MouseEventKind::ScrollUp, (10, 10));
    assert!(!s.ctx.logs.follow, "scrolling back pauses the tail");
    // One notch moves the selection 3 lines back from the newest.
    assert_eq!(s.ctx.logs.cursor_pos(), s.ctx.logs.shown_len() - 4);
    mouse(&mut s, MouseEventKind::ScrollDown, (10, 10));
    assert!(s.ctx.logs.follow, "back at the bottom it follows again");
}

#[test]
fn a_click_on_the_dialogs_confirm_button_acts_like_y() {
    let mut s = loaded();
    select(&mut s, "prod-edge", "checkout");
    shift(&mut s, 'P');
    let plan = dialog(&s);
    let buf = draw(&mut s, 120, 40);
    // A click elsewhere in the dialog does nothing.
    let (x, y) = find(&buf, "This will call");
    assert!(click(&mut s, (x, y)).is_empty());
    assert_eq!(dialog(&s), plan);
    let fx = click(&mut s, find(&buf, "y confirm"));
    // The plan sent is the dialog's, with what the dialog said added to its notes.
    let sent = acts(&fx);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        deckwatch::model::ActionPlan {
            notes: plan.notes.clone(),
            ..sent[0].clone()
        },
        plan
    );
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn a_click_on_the_dialogs_cancel_button_cancels() {
    let mut s = loaded();
    select(&mut s, "prod-edge", "checkout");
    shift(&mut s, 'P');
    let buf = draw(&mut s, 120, 40);
    let (x, y) = find(&buf, "n / Esc cancel");
    let fx = click(&mut s, (x + 8, y));
    assert!(acts(&fx).is_empty());
    assert_eq!(s.mode, Mode::Normal);
    assert!(s.flash.as_ref().unwrap().0.contains("cancelled"));
}

#[test]
fn rows_and_tabs_do_not_react_under_the_help_and_the_wheel_scrolls_it() {
    let mut s = loaded();
    let buf = draw(&mut s, 120, 40);
    let tab = find(&buf, "4 alarms");
    press(&mut s, KeyCode::Char('?'));
    // A short screen, so the help has more lines than fit.
    draw(&mut s, 120, 24);
    assert!(s.viewport.overlay_limit > 0);
    click(&mut s, tab);
    mouse(&mut s, MouseEventKind::ScrollDown, (10, 10));
    mouse(&mut s, MouseEventKind::ScrollDown, (10, 10));
    assert_eq!(s.ctx.pane, Pane::Services);
    assert_eq!(s.ctx.services.selected, 0);
    assert_eq!(s.mode, Mode::Help);
    assert_eq!(s.help_scroll, 2);
    mouse(&mut s, MouseEventKind::ScrollUp, (10, 10));
    assert_eq!(s.help_scroll, 1);
}

#[test]
fn the_wheel_scrolls_the_rollout_view() {
    let mut s = loaded();
    select(&mut s, "prod-edge", "checkout");
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.ctx.pane, Pane::Rollout);
    draw(&mut s, 80, 24);
    assert!(
        s.ctx.rollout_view.max_scroll > 0,
        "the view is longer than 80x24"
    );
    assert!(
        s.viewport.hits.list.is_none(),
        "no rows to click in a document"
    );
    mouse(&mut s, MouseEventKind::ScrollDown, (10, 10));
    assert_eq!(s.ctx.rollout_view.scroll, 1);
    mouse(&mut s, MouseEventKind::ScrollUp, (10, 10));
    assert_eq!(s.ctx.rollout_view.scroll, 0);
}

#[test]
fn a_prod_dialog_has_no_button_that_skips_typing_the_name() {
    let mut s = demo().prod(true).with_services().build();
    select(&mut s, "prod-edge", "checkout");
    shift(&mut s, 'P');
    draw(&mut s, 120, 40);
    assert!(s.viewport.hits.buttons.is_empty());
    for y in 0..40 {
        for x in (0..120).step_by(3) {
            assert!(acts(&click(&mut s, (x, y))).is_empty());
        }
    }
    dialog(&s);
}
