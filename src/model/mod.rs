//! Backend-neutral domain types. The AWS backend and the demo fleet both produce these,
//! so the panes never know where the data came from. Times are unix epoch milliseconds.

mod action;
mod alarm;
pub mod alarm_link;
pub mod build;
pub mod clean;
pub mod codedeploy;
pub mod commits;
pub mod console_link;
pub mod cost;
pub mod ecs_event;
pub mod error;
pub mod evidence;
pub mod exec;
pub mod fleet;
pub mod github_names;
pub mod history;
mod image;
pub mod listing;
mod log;
pub mod log_meta;
pub mod notify;
pub mod op;
mod op_report;
pub mod owner;
mod pair;
mod pane;
pub mod raw_doc;
mod service;
mod task;
pub mod taskdef;
pub mod text;
pub mod time;
pub mod timeline;
pub mod trail;
pub mod verdict;
mod wire;

pub use action::{
    ActionError, ActionPlan, ActionResult, AwsCall, Change, Expectation, FollowUp, GitHubCall,
    ImageTarget, Mutation, Refusal, StepError, Verb, dispatch_body, weights_text,
};
pub use alarm::{
    Alarm, AlarmDetail, AlarmKind, AlarmSpec, AlarmState, AlarmTransition, Comparison, MetricSpec,
    rule_children,
};
pub use alarm_link::{AlarmLink, LinkReason, Links, find_linked, link_alarms};
pub use build::{
    BadBuildTag, BuildSource, BuildTarget, Conclusion, InputKind, Job, LogTail, RateInfo, Run,
    RunDetail, RunRef, RunStatus, Step, Workflow, WorkflowInput,
};
pub use clean::Clean;
pub use codedeploy::{
    CdDeployment, CdEvent, CdEventStatus, CdGroup, CdStatus, CdTaskSet, CdWait, CodeDeploy,
    DeploymentController, ReadyAction, Stability, TaskSet, TaskSetLabel, TaskSetStatus,
    TrafficShape,
};
pub use ecs_event::{
    Delivery, DeploymentEventName, EcsEvent, EventAck, EventChange, EventLevel, EventSource,
    ServiceRef, Skipped,
};
pub use error::{ApiError, ApiResult, ErrorKind, chain_text};
pub use exec::{
    AgentStatus, Blocker, ClusterExec, ExecTarget, Readiness, RemotePort, SessionGrant,
    TaskContainer,
};
pub use history::{Outcome, PastDeployment, RollbackCause};
pub use image::{Findings, Image};
pub use listing::Listing;
pub use log::{
    ChunkLine, GroupSpec, LiveEnd, LiveQuery, LiveUpdate, LogChunk, LogLine, LogPage, LogQuery,
    LogSide, LogSources, LogTag, LogTarget, MAX_LINE, RawEvent,
};
pub use log_meta::{Format, Level, LineMeta};
pub use op::{Api, Op};
pub use op_report::OpReport;
pub use pair::{PairWeights, Split, pair_of, pairs, split};
pub use pane::Pane;
pub use raw_doc::{DescribeTarget, RawDoc, RawFormat};
pub use service::{
    CircuitBreaker, Deployment, DeploymentStatus, HookStatus, LifecycleHook, LifecycleStage,
    NativeDeployment, NativeStatus, RolloutState, Service, ServiceEvent, ServiceKey,
    ServiceRevision, ServiceStatus, Strategy, TARGET_IDS_KEPT, TargetGroupHealth, TaskDefRef,
    TimeoutAction, Utilisation, WeightedRoute, target_group_name,
};
pub use task::{Health, Task, TaskStatus};
pub use taskdef::TaskDefinition;
pub use time::{At, Ms};

/// What the console is pointed at, shown in the header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContextInfo {
    pub name: String,
    pub profile: String,
    pub account: String,
    pub region: String,
    pub clusters: Vec<String>,
    pub prod: bool,
    /// Who the backend says the caller is: the STS caller identity's ARN (empty until known).
    pub caller_arn: String,
}
