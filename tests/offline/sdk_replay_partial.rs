//! One bad part must not cost the tasks and images panes the whole: a cluster that does not
//! exist, or a repository that went away between the listing and its images, leaves out only
//! its own rows and is named, with the pane marked partial. Through the real SDK clients, on
//! answers shaped as the ECS and ECR API references document them (errors included), routed by
//! operation and by the cluster or repository asked for, since the clusters are read at once.

use crate::support::headless::Headless;
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_http_client::test_util::infallible_client_fn;
use aws_smithy_types::body::SdkBody;
use deckwatch::cloud::Fleet;
use deckwatch::cloud::aws::{AwsFleet, AwsOptions, Overrides};
use deckwatch::state::Pane;
use deckwatch::workers::poller::Intervals;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

fn answer(status: u16, body: Value) -> http::Response<SdkBody> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1")
        .body(SdkBody::from(body.to_string()))
        .unwrap()
}

fn not_found(kind: &str, message: &str) -> http::Response<SdkBody> {
    answer(400, json!({"__type": kind, "message": message}))
}

const TASK: &str = "arn:aws:ecs:us-west-2:123456789012:task/good/0123456789abcdef";

/// ECS and ECR as far as the tasks and images panes ask: cluster `nope` and repository `gone`
/// do not exist.
fn route(op: &str, body: &Value) -> http::Response<SdkBody> {
    let cluster = body.get("cluster").and_then(Value::as_str).unwrap_or("");
    let repo = body.get("repositoryName").and_then(Value::as_str);
    match op {
        "ListTasks" if cluster == "nope" => {
            not_found("ClusterNotFoundException", "Cluster not found.")
        }
        "ListTasks" if body["desiredStatus"] == "RUNNING" => {
            answer(200, json!({"taskArns": [TASK]}))
        }
        "ListTasks" | "ListServices" => answer(200, json!({"taskArns": [], "serviceArns": []})),
        "DescribeTasks" => answer(
            200,
            json!({"failures": [], "tasks": [{
                "taskArn": TASK,
                "clusterArn": "arn:aws:ecs:us-west-2:123456789012:cluster/good",
                "group": "service:api",
                "taskDefinitionArn": "arn:aws:ecs:us-west-2:123456789012:task-definition/api:7",
                "lastStatus": "RUNNING", "desiredStatus": "RUNNING", "healthStatus": "HEALTHY",
                "startedAt": 1.79e9, "containers": []
            }]}),
        ),
        "DescribeRepositories" => answer(
            200,
            json!({"repositories": [
                {"repositoryName": "api", "repositoryUri": "123456789012.dkr.ecr.us-west-2.amazonaws.com/api"},
                {"repositoryName": "gone", "repositoryUri": "123456789012.dkr.ecr.us-west-2.amazonaws.com/gone"}
            ]}),
        ),
        "DescribeImages" if repo == Some("gone") => not_found(
            "RepositoryNotFoundException",
            "The repository with name 'gone' does not exist in the registry with id '123456789012'",
        ),
        "DescribeImages" => answer(
            200,
            json!({"imageDetails": [{
                "repositoryName": "api", "imageTags": ["v7"],
                "imageDigest": "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "imagePushedAt": 1.79e9, "imageSizeInBytes": 1000
            }]}),
        ),
        _ => answer(
            200,
            json!({"Account": "123456789012", "Arn": "arn:aws:sts::123456789012:user/t", "UserId": "u"}),
        ),
    }
}

async fn fleet() -> Arc<dyn Fleet> {
    let client = infallible_client_fn(|req: http::Request<SdkBody>| {
        let target = req
            .headers()
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body =
            serde_json::from_slice(req.body().bytes().unwrap_or_default()).unwrap_or(Value::Null);
        route(target.rsplit('.').next().unwrap_or(""), &body)
    });
    let opts = AwsOptions {
        region: Some("us-west-2".into()),
        clusters: vec!["good".into(), "nope".into()],
        retries: false,
        ..AwsOptions::default()
    };
    let overrides = Overrides {
        http_client: Some(client),
        credentials: Some(SharedCredentialsProvider::new(Credentials::new(
            "AKID", "SECRET", None, None, "replay",
        ))),
        ..Overrides::default()
    };
    Arc::new(AwsFleet::connect_with(opts, overrides).await.unwrap())
}

const IV: Intervals = Intervals {
    fast: Duration::from_secs(2),
    normal: Duration::from_secs(2),
    logs: Duration::from_secs(1),
    alarms: Duration::from_secs(60),
    live_tail: false,
    reconcile: Duration::from_secs(300),
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_that_cannot_be_read_leaves_the_other_clusters_tasks() {
    let fleet = fleet().await;
    // ListTasks and DescribeTasks answered for cluster good; ListTasks refused for nope.
    let tasks = fleet.tasks(None).await.expect("the good cluster's tasks");
    assert_eq!(tasks.len(), 1);
    let console = Headless::start(fleet, Pane::Tasks, IV);
    console
        .wait_until("the good cluster's task with the bad cluster named", |st| {
            st.ctx.tasks.items.len() == 1
                && st.ctx.tasks.error.as_ref().is_some_and(|e| {
                    e.partial
                        && e.message
                            .contains("1 of 2 clusters not read: cluster nope:")
                        && e.message.contains("ClusterNotFoundException")
                })
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repository_that_cannot_be_read_leaves_the_other_repositories_images() {
    let fleet = fleet().await;
    // DescribeRepositories lists two; DescribeImages of gone answers RepositoryNotFound.
    let images = fleet.images().await.expect("the api repository's images");
    assert_eq!(images.len(), 1);
    assert_eq!(images[0].repository, "api");
    let console = Headless::start(fleet, Pane::Images, IV);
    console
        .wait_until("api's image with gone named", |st| {
            st.ctx.images.items.len() == 1
                && st.ctx.images.error.as_ref().is_some_and(|e| {
                    e.partial
                        && e.message
                            .contains("1 of 2 repositories not read: repository gone:")
                        && e.message.contains("RepositoryNotFoundException")
                })
        })
        .await;
}
