//! Measurements, not tests: run on request, they print what the evidence costs on the loop
//! (`cargo test --test offline measure -- --ignored --nocapture`). Nothing here asserts a time;
//! BENCHMARKS.md records the figures with the command.

use crate::support::testkit::StateBuilder;
use deckwatch::demo::seed;
use deckwatch::model::{Alarm, AlarmSpec, MetricSpec, Service, link_alarms};
use deckwatch::model::{At, Ms};
use deckwatch::state::{Msg, update};
use deckwatch::workers::linking::Lists;
use std::time::Instant;

use crate::support::testkit::EPOCH;

/// `n` services made of the demo's, each with its own name, cluster and target group.
fn fleet(n: usize) -> Vec<Service> {
    let base = seed::world(EPOCH).services();
    (0..n)
        .map(|i| {
            let mut s = base[i % base.len()].clone();
            s.name = format!("{}-{i:05}", s.name);
            s.cluster = format!("cluster-{:02}", i % 20);
            s.arn = format!("{}-{i}", s.arn);
            s.target_groups = vec![format!(
                "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/tg-{i}/{i:016x}"
            )];
            s
        })
        .collect()
}

/// `n` alarms: a third on a service, a third on a target group, a third by name only.
fn alarms(services: &[Service], n: usize) -> Vec<Alarm> {
    (0..n)
        .map(|i| {
            let s = &services[i * 7 % services.len()];
            let dims = match i % 3 {
                0 => vec![
                    ("ClusterName".into(), s.cluster.clone()),
                    ("ServiceName".into(), s.name.clone()),
                ],
                1 => vec![(
                    "TargetGroup".into(),
                    deckwatch::model::alarm_link::target_group_dimension(&s.target_groups[0])
                        .to_string(),
                )],
                _ => vec![("QueueName".into(), format!("q{i}"))],
            };
            Alarm {
                name: format!("{}-alarm-{i}", s.name),
                kind: deckwatch::model::AlarmKind::Metric,
                state: deckwatch::model::AlarmState::Ok,
                reason: String::new(),
                updated_at: At(0),
                spec: AlarmSpec {
                    metric: Some(MetricSpec {
                        dimensions: dims,
                        ..Default::default()
                    }),
                    ..Default::default()
                },
            }
        })
        .collect()
}

fn time<T>(what: &str, runs: u32, mut f: impl FnMut() -> T) {
    let start = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(f());
    }
    println!(
        "{what}: {:.2} ms",
        start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs)
    );
}

#[test]
#[ignore = "a measurement: run with --ignored --nocapture"]
fn measure_the_evidence_on_the_loop() {
    for n in [2_000, 10_000] {
        let services = fleet(n);
        let al = alarms(&services, n / 2);
        time(
            &format!("link {} alarms to {n} services", al.len()),
            20,
            || link_alarms(&services, &al),
        );
        time(
            &format!("observe the deployments and events of {n} services"),
            10,
            || {
                services
                    .iter()
                    .map(|s| deckwatch::model::history::observe(&s.history, s, EPOCH))
                    .collect::<Vec<_>>()
            },
        );
        // The services poller prepares each refresh off the loop: history carried, sorted,
        // compared with the last, linked when changed.
        let mut lists = Lists::default();
        let listed = Default::default();
        lists.alarms(al.clone());
        lists.services(services.clone(), None, &listed, EPOCH);
        let mut at = EPOCH;
        time(
            &format!("prepare a refresh of {n} unchanged services (poller)"),
            10,
            || {
                at += Ms(1_000);
                lists.services(services.clone(), None, &listed, at)
            },
        );
        let mut changed = services.clone();
        time(
            &format!("prepare a refresh of {n} services with new events (poller)"),
            10,
            || {
                at += Ms(1_000);
                for s in &mut changed {
                    s.events[0].at = at;
                }
                lists.services(changed.clone(), None, &listed, at)
            },
        );
        // What is left on the loop: swapping the prepared list and the links in.
        let mut st = StateBuilder::demo(EPOCH).build();
        let (prepared, links) = lists.services(services.clone(), None, &listed, at);
        let _ = update(&mut st, Msg::Services(prepared, at));
        let (made, links) = links.unwrap_or_default();
        time(
            &format!("take in a changed, prepared refresh of {n} services (loop)"),
            10,
            || {
                at += Ms(1_000);
                for s in &mut changed {
                    s.events[0].at = at;
                }
                let p = deckwatch::state::table::Prepared::new(changed.clone(), None, None);
                let _ = update(&mut st, Msg::Services(p, at));
                let _ = update(&mut st, Msg::Links(made, links.clone()));
                st.take_discarded()
            },
        );
    }
}
