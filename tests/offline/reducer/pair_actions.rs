//! Actions on a paired canary: the plans move the listener rule's weights or go by tasks.

use super::helpers::*;
use deckwatch::model::{AwsCall, Mutation, Service, TaskDefRef};
use deckwatch::state::{Msg, State, update};

#[test]
fn promote_on_a_paired_canary_plans_the_primary_update_then_the_canary_scale_down() {
    let mut s = loaded();
    select(&mut s, "prod-core", "search-canary");
    shift(&mut s, 'P');
    let plan = dialog(&s);
    assert_eq!(plan.service, key_of("prod-core", "search"));
    let to = TaskDefRef {
        family: "search".into(),
        revision: 16,
    };
    assert_eq!(
        plan.mutation,
        Mutation::Aws(AwsCall::UpdateService {
            task_def: Some(to),
            desired: None,
            force: false
        })
    );
    // Traffic goes back to the primary before the canary's tasks go.
    assert_eq!(plan.then.len(), 2);
    let (tg_search, tg_canary) = search_target_groups(&s);
    assert_eq!(plan.then[0].service, key_of("prod-core", "search-canary"));
    match &plan.then[0].mutation {
        Mutation::Aws(AwsCall::SetWeights { from, to, .. }) => {
            assert_eq!(from, &[(tg_search.clone(), 90), (tg_canary.clone(), 10)]);
            assert_eq!(to, &[(tg_search, 100), (tg_canary, 0)]);
        }
        m => panic!("not a weights change: {m}"),
    }
    assert!(plan.then[0].after_stable && plan.then[1].after_stable);
    assert_eq!(plan.then[1].service, key_of("prod-core", "search-canary"));
    assert_eq!(
        plan.then[1].mutation,
        Mutation::Aws(AwsCall::UpdateService {
            task_def: None,
            desired: Some(0),
            force: false
        })
    );
    let traffic = plan
        .changes
        .iter()
        .find(|c| c.what == "traffic (listener rule weights)")
        .unwrap_or_else(|| panic!("{:?}", plan.changes));
    assert!(traffic.from.starts_with("10% on the canary"), "{traffic:?}");
    assert!(
        traffic
            .to
            .contains("prod-core-search 100, prod-core-search-canary 0"),
        "{traffic:?}"
    );
}

/// The target groups of the demo's search and search-canary services.
fn search_target_groups(s: &State) -> (String, String) {
    let tg = |name: &str| {
        s.ctx
            .services
            .items
            .iter()
            .find(|x| x.name == name)
            .map(|x| x.target_groups[0].clone())
            .unwrap()
    };
    (tg("search"), tg("search-canary"))
}

#[test]
fn abort_on_a_weighted_pair_moves_the_traffic_first_then_scales_the_canary_down() {
    let mut s = loaded();
    select(&mut s, "prod-core", "search");
    shift(&mut s, 'A');
    let plan = dialog(&s);
    assert_eq!(plan.service, key_of("prod-core", "search-canary"));
    assert!(
        matches!(&plan.mutation, Mutation::Aws(AwsCall::SetWeights { to, .. }) if to.iter().map(|w| w.1).collect::<Vec<_>>() == [100, 0]),
        "{}",
        plan.mutation
    );
    assert_eq!(plan.then.len(), 1);
    assert!(!plan.then[0].after_stable);
    assert_eq!(
        plan.then[0].mutation,
        Mutation::Aws(AwsCall::UpdateService {
            task_def: None,
            desired: Some(0),
            force: false
        })
    );
}

/// The demo's search pair, changed so both serve search's target group and no rule splits it.
fn with_shared_target_group(mut v: Vec<Service>) -> Vec<Service> {
    let tg = v.iter().find(|x| x.name == "search").unwrap().target_groups[0].clone();
    for x in v.iter_mut().filter(|x| x.name.starts_with("search")) {
        x.target_groups = vec![tg.clone()];
        x.routes.clear();
    }
    v
}

#[test]
fn a_pair_on_one_target_group_is_split_by_tasks_and_has_no_weights_step() {
    let mut s = demo().build();
    let _ = update(
        &mut s,
        Msg::Services(with_shared_target_group(services()).into(), EPOCH),
    );
    select(&mut s, "prod-core", "search-canary");
    shift(&mut s, 'P');
    let plan = dialog(&s);
    assert_eq!(plan.then.len(), 1, "{:?}", plan.then);
    assert!(matches!(
        plan.then[0].mutation,
        Mutation::Aws(AwsCall::UpdateService {
            desired: Some(0),
            ..
        })
    ));
    assert!(
        plan.changes
            .iter()
            .any(|c| c.what == "traffic (one target group, by tasks)" && c.from.starts_with("33%")),
        "{:?}",
        plan.changes
    );
}

#[test]
fn when_the_rule_weights_could_not_be_read_the_dialog_says_the_split_is_unknown() {
    let mut v = services();
    for x in v.iter_mut().filter(|x| x.name.starts_with("search")) {
        x.routes.clear();
        x.routes_error = Some("access denied: elasticloadbalancing:DescribeRules".into());
    }
    let mut s = demo().build();
    let _ = update(&mut s, Msg::Services(v.into(), EPOCH));
    select(&mut s, "prod-core", "search");
    shift(&mut s, 'A');
    let plan = dialog(&s);
    // Nothing pretends to move traffic it cannot see; the canary still scales down.
    assert!(matches!(
        plan.mutation,
        Mutation::Aws(AwsCall::UpdateService {
            desired: Some(0),
            ..
        })
    ));
    assert!(plan.then.is_empty());
    let row = plan
        .changes
        .iter()
        .find(|c| c.what == "traffic (⚠ unknown)")
        .unwrap_or_else(|| panic!("{:?}", plan.changes));
    assert!(row.from.contains("DescribeRules"), "{row:?}");
    assert_eq!(row.to, "not changed by this action");
}
