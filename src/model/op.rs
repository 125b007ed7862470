//! Every AWS and GitHub operation deckwatch calls, in one table: the API budget keeps a bucket
//! for each, `[budget]` names them in the config, `:budget` and the errors print them, and an
//! AccessDenied names the IAM action. A call site names an `Op`, so a misspelt operation does
//! not compile. Each row carries the operation's published sustained rate, of which the budget
//! allows a safe fraction. `tests/offline/testing_md.rs` reads this table to check TESTING.md.

use std::fmt;

/// GitHub's 5,000 requests an hour for a token.
const GITHUB: f64 = 5_000.0 / 3_600.0;

/// The API an operation belongs to, by the prefix of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    Ecs,
    Ecr,
    ElasticLoadBalancing,
    Logs,
    CloudWatch,
    Sts,
    CodeDeploy,
    Sqs,
    Ssm,
    Kms,
    CloudFormation,
    CloudTrail,
    Pricing,
    CostExplorer,
    Sso,
    GitHub,
    /// `[notify] webhook`: a POST to the URL the config names.
    Webhook,
}

impl Api {
    /// The prefix of its operations' names (the IAM service prefix for AWS).
    pub fn prefix(self) -> &'static str {
        match self {
            Api::Ecs => "ecs",
            Api::Ecr => "ecr",
            Api::ElasticLoadBalancing => "elasticloadbalancing",
            Api::Logs => "logs",
            Api::CloudWatch => "cloudwatch",
            Api::Sts => "sts",
            Api::CodeDeploy => "codedeploy",
            Api::Sqs => "sqs",
            Api::Ssm => "ssm",
            Api::Kms => "kms",
            Api::CloudFormation => "cloudformation",
            Api::CloudTrail => "cloudtrail",
            Api::Pricing => "pricing",
            Api::CostExplorer => "ce",
            Api::Sso => "sso",
            Api::GitHub => "github",
            Api::Webhook => "webhook",
        }
    }
}

macro_rules! ops {
    ($($api:ident { $($variant:ident => $name:literal @ $rate:expr,)+ })+) => {
        /// One operation of an API, named `service:Operation` as IAM and the budget name it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Op {
            $($($variant,)+)+
        }

        impl Op {
            /// Every operation, in the table's order.
            pub const ALL: &'static [Op] = &[$($(Op::$variant,)+)+];

            /// Its name: `ecs:ListServices`, `github:GetWorkflowRun`.
            pub fn name(self) -> &'static str {
                match self {
                    $($(Op::$variant => $name,)+)+
                }
            }

            pub fn api(self) -> Api {
                match self {
                    $($(Op::$variant => Api::$api,)+)+
                }
            }

            /// Its published sustained rate, calls a second (per account and region; GitHub's
            /// per token), before the budget's safe fraction.
            pub fn published_rate(self) -> f64 {
                match self {
                    $($(Op::$variant => $rate,)+)+
                }
            }
        }
    };
}

ops! {
    Ecs {
        EcsListClusters => "ecs:ListClusters" @ 20.0,
        EcsListServices => "ecs:ListServices" @ 20.0,
        EcsDescribeServices => "ecs:DescribeServices" @ 20.0,
        EcsDescribeTaskDefinition => "ecs:DescribeTaskDefinition" @ 20.0,
        EcsListTaskDefinitions => "ecs:ListTaskDefinitions" @ 20.0,
        EcsListTasks => "ecs:ListTasks" @ 20.0,
        EcsDescribeTasks => "ecs:DescribeTasks" @ 20.0,
        EcsListServiceDeployments => "ecs:ListServiceDeployments" @ 20.0,
        EcsDescribeServiceDeployments => "ecs:DescribeServiceDeployments" @ 20.0,
        EcsDescribeServiceRevisions => "ecs:DescribeServiceRevisions" @ 20.0,
        EcsContinueServiceDeployment => "ecs:ContinueServiceDeployment" @ 5.0,
        EcsStopServiceDeployment => "ecs:StopServiceDeployment" @ 5.0,
        EcsRegisterTaskDefinition => "ecs:RegisterTaskDefinition" @ 1.0,
        EcsUpdateService => "ecs:UpdateService" @ 5.0,
        // A mutation confirmed one at a time: the modest rate of the other ECS mutations.
        EcsStopTask => "ecs:StopTask" @ 5.0,
        // Cluster reads refill at 20 a second (a bucket of 50).
        EcsDescribeClusters => "ecs:DescribeClusters" @ 20.0,
        // Not given a rate of its own here: ECS's read rate.
        EcsExecuteCommand => "ecs:ExecuteCommand" @ 20.0,
    }
    Ecr {
        EcrDescribeRepositories => "ecr:DescribeRepositories" @ 10.0,
        EcrDescribeImages => "ecr:DescribeImages" @ 10.0,
    }
    CloudWatch {
        CloudWatchDescribeAlarms => "cloudwatch:DescribeAlarms" @ 9.0,
        CloudWatchDescribeAlarmHistory => "cloudwatch:DescribeAlarmHistory" @ 9.0,
        CloudWatchGetMetricData => "cloudwatch:GetMetricData" @ 50.0,
    }
    Logs {
        // The lowest of the published per-region limits (5 to 25); `[budget]` raises it.
        LogsFilterLogEvents => "logs:FilterLogEvents" @ 10.0,
        LogsStartLiveTail => "logs:StartLiveTail" @ 5.0,
        LogsDescribeLogGroups => "logs:DescribeLogGroups" @ 10.0,
        LogsCreateLogStream => "logs:CreateLogStream" @ 10.0,
        LogsPutLogEvents => "logs:PutLogEvents" @ 10.0,
    }
    ElasticLoadBalancing {
        ElbDescribeTargetHealth => "elasticloadbalancing:DescribeTargetHealth" @ 10.0,
        ElbDescribeLoadBalancers => "elasticloadbalancing:DescribeLoadBalancers" @ 10.0,
        ElbDescribeTargetGroups => "elasticloadbalancing:DescribeTargetGroups" @ 10.0,
        ElbDescribeListeners => "elasticloadbalancing:DescribeListeners" @ 10.0,
        ElbDescribeRules => "elasticloadbalancing:DescribeRules" @ 10.0,
        ElbModifyRule => "elasticloadbalancing:ModifyRule" @ 10.0,
        ElbModifyListener => "elasticloadbalancing:ModifyListener" @ 10.0,
    }
    Sts {
        StsGetCallerIdentity => "sts:GetCallerIdentity" @ 10.0,
    }
    // CodeDeploy publishes no per-operation rates: the budget's modest default.
    CodeDeploy {
        CodeDeployListApplications => "codedeploy:ListApplications" @ 10.0,
        CodeDeployListDeploymentGroups => "codedeploy:ListDeploymentGroups" @ 10.0,
        CodeDeployGetDeploymentGroup => "codedeploy:GetDeploymentGroup" @ 10.0,
        CodeDeployListDeployments => "codedeploy:ListDeployments" @ 10.0,
        CodeDeployBatchGetDeployments => "codedeploy:BatchGetDeployments" @ 10.0,
        CodeDeployGetDeployment => "codedeploy:GetDeployment" @ 10.0,
        CodeDeployGetDeploymentTarget => "codedeploy:GetDeploymentTarget" @ 10.0,
        CodeDeployContinueDeployment => "codedeploy:ContinueDeployment" @ 10.0,
        CodeDeployStopDeployment => "codedeploy:StopDeployment" @ 10.0,
        CodeDeployCreateDeployment => "codedeploy:CreateDeployment" @ 10.0,
    }
    // Exec's session and key, and the events queue: no per-operation rate is used for these
    // (SQS's is nearly unlimited, KMS's thousands a second); the budget's modest default.
    Sqs {
        SqsReceiveMessage => "sqs:ReceiveMessage" @ 10.0,
        SqsDeleteMessage => "sqs:DeleteMessage" @ 10.0,
    }
    Ssm {
        SsmStartSession => "ssm:StartSession" @ 10.0,
        SsmResumeSession => "ssm:ResumeSession" @ 10.0,
    }
    Kms {
        KmsGenerateDataKey => "kms:GenerateDataKey" @ 10.0,
    }
    // Who owns a service: CloudFormation publishes no per-operation rates; the modest default.
    CloudFormation {
        CloudFormationDescribeStackResources => "cloudformation:DescribeStackResources" @ 10.0,
        CloudFormationDescribeStacks => "cloudformation:DescribeStacks" @ 10.0,
        CloudFormationGetTemplate => "cloudformation:GetTemplate" @ 10.0,
    }
    // Per account and region, and not raisable.
    CloudTrail {
        CloudTrailLookupEvents => "cloudtrail:LookupEvents" @ 2.0,
    }
    // The Price List API publishes no per-operation rate; read once a day per region.
    Pricing {
        PricingGetProducts => "pricing:GetProducts" @ 5.0,
    }
    // $0.01 a request: read once an hour, and only with `[cost] explorer`.
    CostExplorer {
        CeGetCostAndUsage => "ce:GetCostAndUsage" @ 1.0,
    }
    // The SSO portal: a session's accounts and roles, and each (account, role)'s credentials.
    Sso {
        SsoListAccounts => "sso:ListAccounts" @ 10.0,
        SsoListAccountRoles => "sso:ListAccountRoles" @ 10.0,
        SsoGetRoleCredentials => "sso:GetRoleCredentials" @ 10.0,
    }
    GitHub {
        GitHubListWorkflowRuns => "github:ListWorkflowRuns" @ GITHUB,
        GitHubGetWorkflowRun => "github:GetWorkflowRun" @ GITHUB,
        GitHubListJobsForWorkflowRun => "github:ListJobsForWorkflowRun" @ GITHUB,
        GitHubGetWorkflow => "github:GetWorkflow" @ GITHUB,
        GitHubGetContent => "github:GetContent" @ GITHUB,
        GitHubGetAuthenticatedUser => "github:GetAuthenticatedUser" @ GITHUB,
        GitHubDownloadJobLogs => "github:DownloadJobLogs" @ GITHUB,
        GitHubDownloadJobLog => "github:DownloadJobLog" @ GITHUB,
        GitHubCreateWorkflowDispatch => "github:CreateWorkflowDispatch" @ GITHUB,
        GitHubCancelWorkflowRun => "github:CancelWorkflowRun" @ GITHUB,
        GitHubRerunFailedJobs => "github:RerunFailedJobs" @ GITHUB,
        GitHubCompareCommits => "github:CompareCommits" @ GITHUB,
        GitHubCreateDeployment => "github:CreateDeployment" @ GITHUB,
        GitHubCreateDeploymentStatus => "github:CreateDeploymentStatus" @ GITHUB,
    }
    // Slack's incoming webhooks take one message a second per webhook (short bursts allowed).
    Webhook {
        WebhookPost => "webhook:Post" @ 1.0,
    }
}

impl Op {
    /// The operation named `name` exactly (`ecs:ListServices`), as the config writes it.
    pub fn parse(name: &str) -> Option<Op> {
        Op::ALL.iter().copied().find(|op| op.name() == name)
    }

    /// The operation whose name differs from `name` only in case, for a config error to
    /// suggest.
    pub fn near(name: &str) -> Option<Op> {
        Op::ALL
            .iter()
            .copied()
            .find(|op| op.name().eq_ignore_ascii_case(name))
    }

    /// The operation without its API's prefix: `ListServices`.
    pub fn operation(self) -> &'static str {
        let name = self.name();
        name.split_once(':').map_or(name, |(_, o)| o)
    }
}

/// The name; pads like a string, so `:budget` lines up its columns.
impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_name_is_its_api_s_prefix_and_an_operation_and_parses_back() {
        for op in Op::ALL {
            let (prefix, operation) = op.name().split_once(':').unwrap_or_else(|| panic!("{op}"));
            assert_eq!(prefix, op.api().prefix(), "{op:?}");
            assert!(
                operation.starts_with(|c: char| c.is_ascii_uppercase()),
                "{op:?}"
            );
            assert_eq!(Op::parse(op.name()), Some(*op));
        }
        assert_eq!(Op::parse("ecs:listservices"), None, "names are exact");
        assert_eq!(
            format!("[{:<20}]", Op::EcsListTasks),
            "[ecs:ListTasks       ]"
        );
    }
}
