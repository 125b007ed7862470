//! CPU and memory of more services than one GetMetricData call can ask for (500 queries, two
//! per service), against moto: through `Fleet::utilisation`, and through the metrics worker
//! as the binary runs it. The fleet has the shipped defaults (standard retries on).

use crate::support::{counting, moto, seed};
use counting::CallCounter;
use deckwatch::cloud::Fleet;
use deckwatch::model::ServiceKey;
use deckwatch::workers::metrics::{self, Series};
use seed::{Seeder, now_ms};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// 300 services: 600 queries, so one call of 500 and one of 100.
const SERVICES: usize = 300;
/// The services given data points: the first, the first of the second call, the last.
const SEEDED: [usize; 3] = [0, 250, 299];

/// Keys of `SERVICES` services in a cluster of their own, with CPU and memory points for the
/// `SEEDED` ones: CPU i, i+1, i+2 and memory 100+i, over the last minutes.
async fn seeded_keys() -> Vec<ServiceKey> {
    let seed = Seeder::new(&moto::url()).await;
    let cluster = moto::unique("metrics");
    let keys: Vec<ServiceKey> = (0..SERVICES)
        .map(|i| ServiceKey {
            cluster: cluster.clone(),
            name: format!("svc-{i:03}"),
        })
        .collect();
    let now = now_ms();
    let minute = now - now.rem_euclid(60_000);
    for i in SEEDED {
        let at = |back: i64| minute - back * 60_000 + 1_000;
        let cpu: Vec<(i64, f64)> = (0..3)
            .map(|k| (at(4 - k), (i + k as usize) as f64))
            .collect();
        let mem = vec![(at(2), 100.0 + i as f64)];
        seed.metric(&cluster, &keys[i].name, "CPUUtilization", &cpu)
            .await;
        seed.metric(&cluster, &keys[i].name, "MemoryUtilization", &mem)
            .await;
    }
    keys
}

fn expected_cpu(i: usize) -> Vec<f64> {
    if SEEDED.contains(&i) {
        (0..3).map(|k| (i + k) as f64).collect()
    } else {
        Vec::new()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn utilisation_of_300_services_takes_two_calls_in_order() {
    let keys = seeded_keys().await;
    let counter = CallCounter::default();
    let fleet = moto::fleet(&moto::url(), &[], vec![counter.interceptor()]).await;
    let util = fleet.utilisation(&keys).await.expect("utilisation");
    assert_eq!(counter.get("GetMetricData"), 2, "{:?}", counter.snapshot());
    assert_eq!(util.len(), SERVICES);
    for (i, u) in util.iter().enumerate() {
        assert_eq!(u.cpu, expected_cpu(i), "service {i}");
    }
    assert_eq!(util[250].mem, vec![350.0]);
    assert_eq!(util[299].mem, vec![399.0]);
    assert!(util[1].mem.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_worker_fills_300_rows_with_two_calls() {
    let keys = seeded_keys().await;
    let counter = CallCounter::default();
    let fleet: Arc<dyn Fleet> =
        Arc::new(moto::fleet(&moto::url(), &[], vec![counter.interceptor()]).await);
    let (tx, rx) = watch::channel(Arc::new(keys.clone()));
    let series = Series::default();
    let worker = tokio::spawn(metrics::run(fleet, rx, series.clone()));

    // A bound against hanging, not a timing: the worker fetches at once.
    let started = Instant::now();
    while series.lock().unwrap().len() < SERVICES {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no series yet"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(counter.get("GetMetricData"), 2, "{:?}", counter.snapshot());
    {
        let got = series.lock().unwrap();
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(got[k].cpu, expected_cpu(i), "service {i}");
        }
    }
    // The worker ends when the services poller (here, the sender) does.
    drop(tx);
    worker.await.expect("the worker ends with its keys channel");
}
