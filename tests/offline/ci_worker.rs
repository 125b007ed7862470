//! The CI worker's polling scope and pace, counted on tokio's paused clock with a CI that
//! counts its calls: nothing while no builds are wanted, once a minute per idle workflow while
//! the builds pane is open, and only a started run's workflow while it is unfinished off screen.

use async_trait::async_trait;
use deckwatch::ci::{Ci, Dispatched};
use deckwatch::model::{ApiResult, At, GitHubCall, Job, Run, RunStatus, Workflow, WorkflowInput};
use deckwatch::state::Msg;
use deckwatch::state::builds::CiWatch;
use deckwatch::workers::ci;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::advance;

#[derive(Default)]
struct Counting {
    runs: Mutex<HashMap<String, u32>>,
    jobs: Mutex<u32>,
    /// Runs that are still open, by workflow file.
    open: Mutex<Vec<String>>,
}

fn run(w: &Workflow, id: u64, open: bool) -> Run {
    Run {
        id,
        workflow: w.clone(),
        name: "build".into(),
        number: id,
        attempt: 1,
        status: if open {
            RunStatus::InProgress
        } else {
            RunStatus::Completed
        },
        conclusion: None,
        branch: "main".into(),
        head_sha: "0".repeat(40),
        event: "push".into(),
        actor: "a".into(),
        created_at: At(id as i64),
        started_at: Some(At(0)),
        updated_at: At(0),
        html_url: String::new(),
        progress: None,
    }
}

#[async_trait]
impl Ci for Counting {
    async fn runs(&self, w: &Workflow) -> ApiResult<Vec<Run>> {
        *self
            .runs
            .lock()
            .unwrap()
            .entry(w.workflow.clone())
            .or_default() += 1;
        let open = self.open.lock().unwrap().contains(&w.workflow);
        // Run ids are unique across workflows, as GitHub's are.
        let base: u64 = w.workflow[5..6].parse::<u64>().unwrap() * 100;
        Ok((1..=10)
            .map(|i| run(w, base + i, open && i == 10))
            .collect())
    }
    async fn run(&self, w: &Workflow, id: u64) -> ApiResult<Run> {
        Ok(run(w, id, false))
    }
    async fn jobs(&self, _: &str, _: u64) -> ApiResult<Vec<Job>> {
        *self.jobs.lock().unwrap() += 1;
        Ok(Vec::new())
    }
    async fn log_tail(&self, _: &str, _: u64, _: usize) -> ApiResult<Vec<String>> {
        Ok(Vec::new())
    }
    async fn inputs(&self, _: &Workflow, _: &str) -> ApiResult<Vec<WorkflowInput>> {
        Ok(Vec::new())
    }
    async fn login(&self) -> ApiResult<String> {
        Ok("a".into())
    }
    async fn act(&self, _: &GitHubCall, _: At) -> ApiResult<Option<Dispatched>> {
        Ok(None)
    }
}

fn workflows(n: usize) -> Vec<Workflow> {
    (0..n)
        .map(|i| Workflow {
            repo: format!("acme/s{i}"),
            workflow: format!("build{i}.yml"),
        })
        .collect()
}

async fn drain(rx: &mut mpsc::Receiver<Msg>) {
    while rx.try_recv().is_ok() {}
}

#[tokio::test(start_paused = true)]
async fn an_hour_on_five_idle_workflows_is_one_list_a_minute_each() {
    let fake = Arc::new(Counting::default());
    let (tx, mut rx) = mpsc::channel(1024);
    let h = ci::spawn(fake.clone(), tx);
    let wfs = workflows(5);
    // Off screen and nothing started here: no call at all.
    h.watch
        .send(CiWatch {
            workflows: wfs.clone(),
            ..Default::default()
        })
        .unwrap();
    for _ in 0..60 {
        advance(Duration::from_secs(60)).await;
        drain(&mut rx).await;
    }
    assert!(fake.runs.lock().unwrap().is_empty());
    // The builds pane open for an hour.
    h.watch
        .send(CiWatch {
            workflows: wfs.clone(),
            visible: true,
            ..Default::default()
        })
        .unwrap();
    for _ in 0..3600 {
        advance(Duration::from_secs(1)).await;
        drain(&mut rx).await;
    }
    let per_workflow: Vec<u32> = fake.runs.lock().unwrap().values().copied().collect();
    println!(
        "list requests per workflow in an hour: {per_workflow:?}; jobs requests: {}",
        fake.jobs.lock().unwrap()
    );
    assert_eq!(per_workflow.len(), 5);
    assert!(
        per_workflow.iter().all(|&n| (60..=61).contains(&n)),
        "{per_workflow:?}"
    );
    // The jobs of finished runs are read once (the newest three of each workflow), then kept.
    assert_eq!(*fake.jobs.lock().unwrap(), 15);
}

#[tokio::test(start_paused = true)]
async fn a_started_run_is_followed_off_screen_fast_until_it_finishes() {
    let fake = Arc::new(Counting::default());
    fake.open.lock().unwrap().push("build0.yml".into());
    let (tx, mut rx) = mpsc::channel(1024);
    let h = ci::spawn(fake.clone(), tx);
    let wfs = workflows(5);
    let mine = vec![(wfs[0].clone(), 10)];
    // (build0.yml's runs are 1 to 10; 10 is the open one.)
    h.watch
        .send(CiWatch {
            workflows: wfs,
            mine,
            ..Default::default()
        })
        .unwrap();
    for _ in 0..60 {
        advance(Duration::from_secs(1)).await;
        drain(&mut rx).await;
    }
    let counts = fake.runs.lock().unwrap().clone();
    assert_eq!(
        counts.len(),
        1,
        "only the started run's workflow: {counts:?}"
    );
    assert!(
        counts["build0.yml"] >= 10,
        "every 5 s while it runs: {counts:?}"
    );
}
