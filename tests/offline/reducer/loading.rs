//! Loading and the first Watch.

use super::helpers::*;
use deckwatch::model::Ms;
use deckwatch::model::Service;
use deckwatch::state::{Msg, Pane, update};

#[test]
fn the_first_update_tells_the_pollers_what_is_on_screen() {
    let mut s = demo().build();
    let fx = update(&mut s, Msg::Services(services().into(), EPOCH));
    let w = the_watch(&fx);
    assert_eq!(w.pane, Pane::Services);
    assert_eq!(w.service, None);
    // The seeded canary of checkout is mid-deployment, so the pollers go fast.
    assert!(w.fast);
    assert_eq!(s.ctx.services.len(), 13);
    assert_eq!(s.ctx.services.fetched_at, Some(EPOCH));
    // A second, identical update changes nothing the pollers care about.
    let fx = update(&mut s, Msg::Services(services().into(), EPOCH + Ms(1)));
    assert!(fx.is_empty(), "{fx:?}");
}

#[test]
fn services_are_sorted_by_cluster_then_name() {
    let s = loaded();
    let order: Vec<String> = s
        .ctx
        .services
        .visible()
        .map(|x| format!("{}/{}", x.cluster, x.name))
        .collect();
    assert_eq!(
        order,
        [
            "prod-core/api",
            "prod-core/auth",
            "prod-core/cart",
            "prod-core/payments",
            "prod-core/search",
            "prod-core/search-canary",
            "prod-core/web",
            "prod-core/worker",
            "prod-edge/checkout",
            "prod-edge/edge-proxy",
            "prod-edge/inventory",
            "prod-edge/notifications",
            "staging/api",
        ]
    );
}

#[test]
fn the_first_load_shows_each_part_then_the_whole_list_and_later_parts_are_ignored() {
    let all = services();
    let prod_core: Vec<Service> = all
        .iter()
        .filter(|s| s.cluster == "prod-core")
        .cloned()
        .collect();
    let mut s = demo().build();
    let _ = update(&mut s, Msg::ServicesPart(prod_core.clone(), 1, 3, EPOCH));
    assert_eq!(s.ctx.services.len(), prod_core.len());
    assert_eq!(s.ctx.services_loading, Some((1, 3)));
    s.dirty = false;
    let _ = update(&mut s, Msg::Services(all.clone().into(), EPOCH + Ms(1_000)));
    assert!(s.dirty);
    assert_eq!(s.ctx.services_loading, None);
    assert_eq!(s.ctx.services.len(), all.len());
    // A part arriving after the whole list would hide rows: it is dropped.
    let _ = update(
        &mut s,
        Msg::ServicesPart(prod_core, 1, 3, EPOCH + Ms(2_000)),
    );
    assert_eq!(s.ctx.services.len(), all.len());
    assert_eq!(s.ctx.services_loading, None);
}
