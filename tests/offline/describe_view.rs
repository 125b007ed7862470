//! `:describe` and console links in the reducer and on screen: the key asks for the selection's
//! describe call, the answer fills the view, `/` searches it with `n`/`N`, a late answer to a
//! closed view is dropped; snapshots of the view at 80×24 and 160×50; and the rows' link spans
//! the frame reports (none with `[ui] links = false` or under a popup).

use crate::support::screen::{dark, screen};
use crate::support::testkit::{EPOCH, StateBuilder};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::model::Ms;
use deckwatch::model::{DescribeTarget, Pane};
use deckwatch::state::{Effect, Mode, Msg, State, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn builder() -> StateBuilder {
    StateBuilder::demo(EPOCH)
        .at_seconds(70)
        .fleet_context()
        .with_every_pane(Ms(2_000))
}

fn press(s: &mut State, code: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        press(s, KeyCode::Char(c));
    }
}

/// Presses `v` and answers the describe call it asks for from the demo's world.
fn describe(b: &StateBuilder, s: &mut State) -> DescribeTarget {
    let fx = press(s, KeyCode::Char('v'));
    let (generation, target) = fx
        .iter()
        .find_map(|e| match e {
            Effect::Describe(g, t) => Some((*g, t.clone())),
            _ => None,
        })
        .expect("v asks for a describe call");
    let doc = deckwatch::demo::describe::describe(b.world(), &target);
    let _ = update(s, Msg::Described(generation, doc));
    target
}

fn draw(s: &mut State, w: u16, h: u16) -> Terminal<TestBackend> {
    let _ = update(s, Msg::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut v = None;
    t.draw(|f| v = Some(deckwatch::ui::draw(f, s, &dark())))
        .unwrap();
    let _ = update(s, Msg::Layout(v.unwrap()));
    t
}

#[test]
fn v_describes_the_selection_of_each_pane() {
    let b = builder();
    let mut s = b.build();
    let target = describe(&b, &mut s);
    let first = s.ctx.selected_service().unwrap().key();
    assert_eq!(target, DescribeTarget::Service(first.clone()));
    assert_eq!(s.mode, Mode::Describe);
    let view = s.describe.as_ref().unwrap();
    let doc = view.doc.as_ref().unwrap().as_ref().unwrap();
    assert!(
        doc.lines
            .iter()
            .any(|l| l.contains(&format!("\"serviceName\": \"{}\"", first.name)))
    );
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.mode, Mode::Normal);

    for (pane, want) in [('2', "Task"), ('3', "Image"), ('4', "Alarm")] {
        press(&mut s, KeyCode::Char(pane));
        let target = describe(&b, &mut s);
        assert!(format!("{target:?}").starts_with(want), "{target:?}");
        let view = s.describe.as_ref().unwrap();
        assert!(view.doc.as_ref().unwrap().is_ok(), "{:?}", view.doc);
        press(&mut s, KeyCode::Esc);
    }
    // `:describe taskdef` on a service: its task definition.
    press(&mut s, KeyCode::Char('1'));
    press(&mut s, KeyCode::Char(':'));
    typed(&mut s, "describe taskdef");
    let fx = press(&mut s, KeyCode::Enter);
    let td = s.ctx.selected_service().unwrap().task_def.clone();
    assert!(fx.contains(&Effect::Describe(
        s.describe.as_ref().unwrap().generation,
        DescribeTarget::TaskDef(td)
    )));
}

#[test]
fn a_late_answer_to_an_earlier_request_is_dropped() {
    let b = builder();
    let mut s = b.build();
    let fx = press(&mut s, KeyCode::Char('v'));
    let Some(Effect::Describe(old, target)) =
        fx.into_iter().find(|e| matches!(e, Effect::Describe(..)))
    else {
        panic!("no describe effect");
    };
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Char('v'));
    let doc = deckwatch::demo::describe::describe(b.world(), &target);
    let _ = update(&mut s, Msg::Described(old, doc));
    assert_eq!(s.describe.as_ref().unwrap().doc, None, "still asking");
}

#[test]
fn slash_searches_and_n_moves_between_the_matching_lines() {
    let b = builder();
    let mut s = b.build();
    describe(&b, &mut s);
    draw(&mut s, 80, 24);
    press(&mut s, KeyCode::Char('/'));
    assert_eq!(s.mode, Mode::DescribeSearch);
    typed(&mut s, "COUNT");
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.mode, Mode::Describe);
    let view = s.describe.as_ref().unwrap();
    let doc = view.doc.as_ref().unwrap().as_ref().unwrap();
    let want: Vec<usize> = doc
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.to_ascii_lowercase().contains("count"))
        .map(|(i, _)| i)
        .collect();
    assert!(want.len() > 2, "the demo's service has counts: {want:?}");
    assert_eq!(view.matches, want, "ASCII case ignored");
    assert_eq!(view.current_line(), Some(want[0]));
    press(&mut s, KeyCode::Char('n'));
    assert_eq!(s.describe.as_ref().unwrap().current_line(), Some(want[1]));
    press(&mut s, KeyCode::Char('N'));
    press(&mut s, KeyCode::Char('N'));
    assert_eq!(
        s.describe.as_ref().unwrap().current_line(),
        Some(*want.last().unwrap()),
        "N from the first wraps to the last"
    );
    // A new search that finds nothing says so, and Esc while typing clears it.
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, "no such text");
    let shown = screen(draw(&mut s, 80, 24).backend().buffer());
    assert!(shown.contains("/no such text▏ · no match"), "{shown}");
    press(&mut s, KeyCode::Esc);
    let view = s.describe.as_ref().unwrap();
    assert!(view.query.is_empty() && view.matches.is_empty());
    assert_eq!(s.mode, Mode::Describe);
}

#[test]
fn the_view_at_80x24_and_160x50() {
    let b = builder();
    let mut s = b.build();
    describe(&b, &mut s);
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, "status");
    press(&mut s, KeyCode::Enter);
    let small = draw(&mut s, 80, 24);
    insta::assert_snapshot!("describe_service_80x24", screen(small.backend().buffer()));
    let large = draw(&mut s, 160, 50);
    insta::assert_snapshot!("describe_service_160x50", screen(large.backend().buffer()));
    // The matches are highlighted: a cell of the first "status" shown has the match style.
    let buf = large.backend().buffer();
    let theme = dark();
    let hit = (0..buf.area.height).any(|y| {
        (0..buf.area.width).any(|x| {
            let c = &buf[(x, y)];
            c.symbol() == "s" && c.bg == theme.log_match().bg.unwrap_or_default()
        })
    });
    assert!(hit, "no highlighted match on screen");
}

#[test]
fn the_rows_names_carry_their_console_links_unless_links_are_off() {
    let b = builder();
    let mut s = b.build();
    draw(&mut s, 120, 40);
    let links = s.viewport.links.clone();
    let first = s.ctx.services.items[s.ctx.services.view[0]].key();
    assert!(!links.is_empty());
    assert_eq!(
        links[0].url,
        format!(
            "https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/{}/services/{}/health?region=eu-west-1",
            first.cluster, first.name
        )
    );
    // Under a popup, no link: its cells are the popup's.
    press(&mut s, KeyCode::Char('?'));
    draw(&mut s, 120, 40);
    assert!(s.viewport.links.is_empty());
    press(&mut s, KeyCode::Esc);
    s.links = false;
    draw(&mut s, 120, 40);
    assert!(s.viewport.links.is_empty());
    // `o` opens the selection's page, links on or off.
    let fx = press(&mut s, KeyCode::Char('o'));
    let url = deckwatch::state::links::selected(&s).unwrap();
    assert!(fx.contains(&Effect::OpenLink(url)));
    press(&mut s, KeyCode::Char('3'));
    assert_eq!(s.ctx.pane, Pane::Images);
    let fx = press(&mut s, KeyCode::Char('o'));
    assert!(!fx.iter().any(|e| matches!(e, Effect::OpenLink(_))));
}

/// The logs pane's title names the followed log group; the name carries the group's console
/// page, over the cells that show it (fewer when the title is cut), and none under a popup.
#[test]
fn the_followed_log_group_s_name_carries_its_console_link() {
    let group = "/ecs/pay#ments-prod";
    let mut s = builder().build();
    press(&mut s, KeyCode::Char(':'));
    typed(&mut s, &format!("logs {group}"));
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.ctx.pane, Pane::Logs);
    let t = draw(&mut s, 120, 40);
    let links = s.viewport.links.clone();
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(
        links[0].url,
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1\
         #logsV2:log-groups/log-group/$252Fecs$252Fpay$2523ments-prod"
    );
    let row = screen(t.backend().buffer())
        .lines()
        .nth(links[0].y as usize)
        .unwrap()
        .to_string();
    let cells: String = row
        .chars()
        .skip(links[0].x as usize)
        .take(links[0].width as usize)
        .collect();
    assert_eq!(cells, group, "{row}");
    // A narrow screen cuts the title: the link covers only what is shown of the name.
    s.ctx.logs.target = Some(deckwatch::model::LogTarget::Group(format!(
        "{group}{}",
        "-x".repeat(60)
    )));
    let t = draw(&mut s, 80, 24);
    let span = s.viewport.links[0].clone();
    let row = screen(t.backend().buffer())
        .lines()
        .nth(span.y as usize)
        .unwrap()
        .to_string();
    let shown: String = row
        .chars()
        .skip(span.x as usize)
        .take(span.width as usize)
        .collect();
    assert!(!shown.contains('…') && shown.starts_with(group), "{row}");
    assert!(span.x + span.width < 80);
    press(&mut s, KeyCode::Char('?'));
    draw(&mut s, 120, 40);
    assert!(s.viewport.links.is_empty());
}
