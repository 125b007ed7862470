//! The COST column sorts the services pane like the others (`:sort cost [desc]`, `s`): by the
//! estimate a day at the running tasks, from the context's prices; a service whose cost is not
//! known sorts last up and down, and a refresh the poller sorted (it knows no prices) is put
//! in the cost's order again.

use super::helpers::*;
use crossterm::event::KeyCode;
use deckwatch::demo::{prices, seed};
use deckwatch::model::Service;
use deckwatch::model::cost::{Launch, service_estimate};
use deckwatch::state::table::Prepared;
use deckwatch::state::table::columns::{ServiceColumn, Sort};
use deckwatch::state::{Msg, State, update};

/// The demo's services, prod-core's `auth` made unknown (no launch type, no strategy of its
/// own).
fn with_one_unknown() -> Vec<Service> {
    let mut all = services();
    let auth = all
        .iter_mut()
        .find(|s| s.cluster == "prod-core" && s.name == "auth")
        .unwrap();
    auth.footprint.launch = Launch::Unknown;
    all
}

fn priced() -> State {
    let mut s = loaded();
    let _ = update(&mut s, Msg::Services(with_one_unknown().into(), EPOCH));
    let _ = update(&mut s, Msg::Prices(Ok(prices::table(seed::REGION))));
    s
}

/// The visible services' estimates a day, in the pane's order (None: unknown).
fn costs(s: &State) -> Vec<(String, Option<f64>)> {
    let table = s.ctx.prices.table().unwrap();
    s.ctx
        .services
        .visible()
        .map(|x| {
            (
                x.name.clone(),
                service_estimate(x, table).map(|e| e.per_day()),
            )
        })
        .collect()
}

fn sort(s: &mut State, how: &str) {
    press(s, KeyCode::Char(':'));
    type_text(s, &format!("sort {how}"));
    press(s, KeyCode::Enter);
}

/// Known costs in `order`, then the unknown one, last.
fn assert_ordered(rows: &[(String, Option<f64>)], desc: bool) {
    let (last, known) = rows.split_last().unwrap();
    assert_eq!((last.0.as_str(), last.1), ("auth", None), "{rows:?}");
    let values: Vec<f64> = known
        .iter()
        .map(|(n, c)| c.unwrap_or_else(|| panic!("{n}")))
        .collect();
    assert!(
        values.len() > 2 && values.iter().any(|v| *v != values[0]),
        "{values:?}"
    );
    for w in values.windows(2) {
        assert!(if desc { w[0] >= w[1] } else { w[0] <= w[1] }, "{rows:?}");
    }
}

#[test]
fn cost_sorts_up_and_down_with_the_unknown_last_either_way() {
    let mut s = priced();
    sort(&mut s, "cost");
    assert_eq!(
        s.ctx.services.sort,
        Some(Sort {
            column: ServiceColumn::Cost,
            desc: false
        })
    );
    assert_ordered(&costs(&s), false);
    sort(&mut s, "cost desc");
    assert_eq!(s.ctx.services.sort.map(|x| x.desc), Some(true));
    assert_ordered(&costs(&s), true);
}

#[test]
fn a_refresh_sorted_without_prices_is_put_in_the_costs_order() {
    let mut s = priced();
    sort(&mut s, "cost desc");
    // As the poller prepares it: sorted by a column whose values it cannot know.
    let sort_by = s.ctx.services.sort;
    let mut again = with_one_unknown();
    again.reverse();
    for x in &mut again {
        x.running += 1;
    }
    let p = Prepared::new(again, sort_by, None);
    let _ = update(
        &mut s,
        Msg::Services(p, EPOCH + deckwatch::model::Ms(10_000)),
    );
    assert_ordered(&costs(&s), true);
}

#[test]
fn without_prices_every_cost_is_unknown_and_the_order_is_the_datas() {
    let mut s = loaded();
    let before: Vec<String> = s.ctx.services.visible().map(|x| x.name.clone()).collect();
    sort(&mut s, "cost");
    let after: Vec<String> = s.ctx.services.visible().map(|x| x.name.clone()).collect();
    assert_eq!(before, after);
    assert!(
        s.ctx
            .services
            .items
            .iter()
            .all(|x| x.cost_per_hour.is_none())
    );
}
