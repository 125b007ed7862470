//! Every API operation deckwatch calls, by the name the API budget, the errors and TESTING.md
//! use (`service:Operation`), with its published sustained rate (calls a second, per account
//! and region; GitHub's is per token). The budget allows a safe fraction of these; `[budget]`
//! in the config may only name an operation listed here. `tests/offline/testing_md.rs` holds
//! this list to the operations `src` calls.

/// GitHub's 5,000 requests an hour for a token.
const GITHUB: f64 = 5_000.0 / 3_600.0;

pub const OPERATIONS: &[(&str, f64)] = &[
    ("ecs:ListClusters", 20.0),
    ("ecs:ListServices", 20.0),
    ("ecs:DescribeServices", 20.0),
    ("ecs:DescribeTaskDefinition", 20.0),
    ("ecs:ListTaskDefinitions", 20.0),
    ("ecs:ListTasks", 20.0),
    ("ecs:DescribeTasks", 20.0),
    ("ecs:ListServiceDeployments", 20.0),
    ("ecs:DescribeServiceDeployments", 20.0),
    ("ecs:DescribeServiceRevisions", 20.0),
    ("ecs:ContinueServiceDeployment", 5.0),
    ("ecs:StopServiceDeployment", 5.0),
    ("ecs:UpdateService", 5.0),
    // A mutation the user confirms one at a time: the modest rate of the other ECS mutations.
    ("ecs:StopTask", 5.0),
    ("ecs:RegisterTaskDefinition", 1.0),
    // Cluster reads refill at 20 a second (a bucket of 50).
    ("ecs:DescribeClusters", 20.0),
    // Not given a rate of its own here: ECS's read rate, which the budget gave it before.
    ("ecs:ExecuteCommand", 20.0),
    ("ecr:DescribeRepositories", 10.0),
    ("ecr:DescribeImages", 10.0),
    ("cloudwatch:DescribeAlarms", 9.0),
    ("cloudwatch:DescribeAlarmHistory", 9.0),
    ("cloudwatch:GetMetricData", 50.0),
    // The lowest of the published per-region limits (5 to 25); `[budget]` raises it.
    ("logs:FilterLogEvents", 10.0),
    ("logs:StartLiveTail", 5.0),
    ("logs:DescribeLogGroups", 10.0),
    ("logs:CreateLogStream", 10.0),
    ("logs:PutLogEvents", 10.0),
    ("elasticloadbalancing:DescribeTargetHealth", 10.0),
    ("elasticloadbalancing:DescribeLoadBalancers", 10.0),
    ("elasticloadbalancing:DescribeTargetGroups", 10.0),
    ("elasticloadbalancing:DescribeListeners", 10.0),
    ("elasticloadbalancing:DescribeRules", 10.0),
    ("elasticloadbalancing:ModifyRule", 10.0),
    ("elasticloadbalancing:ModifyListener", 10.0),
    ("sts:GetCallerIdentity", 10.0),
    // CodeDeploy publishes no per-operation rates: the budget's modest default.
    ("codedeploy:ListApplications", 10.0),
    ("codedeploy:ListDeploymentGroups", 10.0),
    ("codedeploy:GetDeploymentGroup", 10.0),
    ("codedeploy:ListDeployments", 10.0),
    ("codedeploy:GetDeployment", 10.0),
    ("codedeploy:GetDeploymentTarget", 10.0),
    ("codedeploy:BatchGetDeployments", 10.0),
    ("codedeploy:ContinueDeployment", 10.0),
    ("codedeploy:StopDeployment", 10.0),
    ("codedeploy:CreateDeployment", 10.0),
    // Exec's session and key, and the events queue: no per-operation rate is used for these
    // (SQS's is nearly unlimited, KMS's thousands a second); the budget's modest default.
    ("ssm:StartSession", 10.0),
    ("ssm:ResumeSession", 10.0),
    ("kms:GenerateDataKey", 10.0),
    ("sqs:ReceiveMessage", 10.0),
    ("sqs:DeleteMessage", 10.0),
    // Who owns a service: CloudFormation publishes no per-operation rates; the modest default.
    ("cloudformation:DescribeStackResources", 10.0),
    ("cloudformation:DescribeStacks", 10.0),
    ("cloudformation:GetTemplate", 10.0),
    // Per account and region, and not raisable.
    ("cloudtrail:LookupEvents", 2.0),
    ("github:ListWorkflowRuns", GITHUB),
    ("github:GetWorkflowRun", GITHUB),
    ("github:ListJobsForWorkflowRun", GITHUB),
    ("github:DownloadJobLogs", GITHUB),
    ("github:DownloadJobLog", GITHUB),
    ("github:GetWorkflow", GITHUB),
    ("github:GetContent", GITHUB),
    ("github:GetAuthenticatedUser", GITHUB),
    ("github:CreateWorkflowDispatch", GITHUB),
    ("github:CancelWorkflowRun", GITHUB),
    ("github:RerunFailedJobs", GITHUB),
    ("github:CompareCommits", GITHUB),
    ("github:CreateDeployment", GITHUB),
    ("github:CreateDeploymentStatus", GITHUB),
];

/// The published rate of `op`, if deckwatch calls it.
pub fn published_rate(op: &str) -> Option<f64> {
    OPERATIONS
        .iter()
        .find(|(name, _)| *name == op)
        .map(|(_, rate)| *rate)
}

/// An operation deckwatch calls whose name differs from `op` only in case, for a config error
/// to suggest.
pub fn near(op: &str) -> Option<&'static str> {
    OPERATIONS
        .iter()
        .map(|(name, _)| *name)
        .find(|name| name.eq_ignore_ascii_case(op))
}
