//! Every AWS and GitHub operation deckwatch calls, in one table: the API budget keeps a bucket
//! for each, `[budget]` names them in the config, `:budget` and the errors print them, and an
//! AccessDenied names the IAM action. A call site names an `Op`, so a misspelt operation does
//! not compile. `tests/offline/testing_md.rs` reads this table to check TESTING.md.

use std::fmt;

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
    GitHub,
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
            Api::GitHub => "github",
        }
    }
}

macro_rules! ops {
    ($($api:ident { $($variant:ident => $name:literal,)+ })+) => {
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
        }
    };
}

ops! {
    Ecs {
        EcsListClusters => "ecs:ListClusters",
        EcsListServices => "ecs:ListServices",
        EcsDescribeServices => "ecs:DescribeServices",
        EcsDescribeTaskDefinition => "ecs:DescribeTaskDefinition",
        EcsListTaskDefinitions => "ecs:ListTaskDefinitions",
        EcsListTasks => "ecs:ListTasks",
        EcsDescribeTasks => "ecs:DescribeTasks",
        EcsListServiceDeployments => "ecs:ListServiceDeployments",
        EcsDescribeServiceDeployments => "ecs:DescribeServiceDeployments",
        EcsDescribeServiceRevisions => "ecs:DescribeServiceRevisions",
        EcsContinueServiceDeployment => "ecs:ContinueServiceDeployment",
        EcsStopServiceDeployment => "ecs:StopServiceDeployment",
        EcsRegisterTaskDefinition => "ecs:RegisterTaskDefinition",
        EcsUpdateService => "ecs:UpdateService",
        EcsDescribeClusters => "ecs:DescribeClusters",
        EcsExecuteCommand => "ecs:ExecuteCommand",
    }
    Ecr {
        EcrDescribeRepositories => "ecr:DescribeRepositories",
        EcrDescribeImages => "ecr:DescribeImages",
    }
    CloudWatch {
        CloudWatchDescribeAlarms => "cloudwatch:DescribeAlarms",
        CloudWatchDescribeAlarmHistory => "cloudwatch:DescribeAlarmHistory",
        CloudWatchGetMetricData => "cloudwatch:GetMetricData",
    }
    Logs {
        LogsFilterLogEvents => "logs:FilterLogEvents",
        LogsStartLiveTail => "logs:StartLiveTail",
        LogsDescribeLogGroups => "logs:DescribeLogGroups",
        LogsCreateLogStream => "logs:CreateLogStream",
        LogsPutLogEvents => "logs:PutLogEvents",
    }
    ElasticLoadBalancing {
        ElbDescribeTargetHealth => "elasticloadbalancing:DescribeTargetHealth",
        ElbDescribeLoadBalancers => "elasticloadbalancing:DescribeLoadBalancers",
        ElbDescribeTargetGroups => "elasticloadbalancing:DescribeTargetGroups",
        ElbDescribeListeners => "elasticloadbalancing:DescribeListeners",
        ElbDescribeRules => "elasticloadbalancing:DescribeRules",
        ElbModifyRule => "elasticloadbalancing:ModifyRule",
        ElbModifyListener => "elasticloadbalancing:ModifyListener",
    }
    Sts {
        StsGetCallerIdentity => "sts:GetCallerIdentity",
    }
    CodeDeploy {
        CodeDeployListApplications => "codedeploy:ListApplications",
        CodeDeployListDeploymentGroups => "codedeploy:ListDeploymentGroups",
        CodeDeployGetDeploymentGroup => "codedeploy:GetDeploymentGroup",
        CodeDeployListDeployments => "codedeploy:ListDeployments",
        CodeDeployBatchGetDeployments => "codedeploy:BatchGetDeployments",
        CodeDeployGetDeployment => "codedeploy:GetDeployment",
        CodeDeployGetDeploymentTarget => "codedeploy:GetDeploymentTarget",
        CodeDeployContinueDeployment => "codedeploy:ContinueDeployment",
        CodeDeployStopDeployment => "codedeploy:StopDeployment",
        CodeDeployCreateDeployment => "codedeploy:CreateDeployment",
    }
    Sqs {
        SqsReceiveMessage => "sqs:ReceiveMessage",
        SqsDeleteMessage => "sqs:DeleteMessage",
    }
    Ssm {
        SsmStartSession => "ssm:StartSession",
        SsmResumeSession => "ssm:ResumeSession",
    }
    Kms {
        KmsGenerateDataKey => "kms:GenerateDataKey",
    }
    GitHub {
        GitHubListWorkflowRuns => "github:ListWorkflowRuns",
        GitHubGetWorkflowRun => "github:GetWorkflowRun",
        GitHubListJobsForWorkflowRun => "github:ListJobsForWorkflowRun",
        GitHubGetWorkflow => "github:GetWorkflow",
        GitHubGetContent => "github:GetContent",
        GitHubGetAuthenticatedUser => "github:GetAuthenticatedUser",
        GitHubDownloadJobLogs => "github:DownloadJobLogs",
        GitHubDownloadJobLog => "github:DownloadJobLog",
        GitHubCreateWorkflowDispatch => "github:CreateWorkflowDispatch",
        GitHubCancelWorkflowRun => "github:CancelWorkflowRun",
        GitHubRerunFailedJobs => "github:RerunFailedJobs",
    }
}

impl Op {
    /// The operation named `name` exactly (`ecs:ListServices`), as the config writes it.
    pub fn parse(name: &str) -> Option<Op> {
        Op::ALL.iter().copied().find(|op| op.name() == name)
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
