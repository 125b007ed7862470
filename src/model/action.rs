//! Mutating actions: what will be called, what it changes, and what the service looked like
//! when the user agreed, so the runner can refuse if it changed since.

use crate::model::{
    CdWait, HookStatus, NativeStatus, Op, Service, ServiceKey, TaskDefRef, Workflow,
    target_group_name,
};
use std::fmt;

/// One mutating API call, and which side it goes to: the fleet (AWS) or the CI (GitHub).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mutation {
    Aws(AwsCall),
    GitHub(GitHubCall),
}

/// One mutating AWS call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsCall {
    /// `ecs:ContinueServiceDeployment` at a PAUSE hook: CONTINUE (promote) or ROLLBACK (abort).
    ContinueHook {
        deployment_arn: String,
        hook_id: String,
        proceed: bool,
    },
    /// `ecs:StopServiceDeployment` with stop type ROLLBACK.
    StopDeployment { deployment_arn: String },
    /// `ecs:UpdateService`: a task definition, a desired count, or a forced new deployment.
    UpdateService {
        task_def: Option<TaskDefRef>,
        desired: Option<u32>,
        force: bool,
    },
    /// `elasticloadbalancing:ModifyRule` (or `ModifyListener` for a default rule): new weights
    /// for the rule's forward action. Refused by the backend unless the weights are still
    /// `from`, so a split someone else changed is never overwritten.
    SetWeights {
        listener_arn: String,
        rule_arn: String,
        is_default: bool,
        from: Vec<(String, u32)>,
        to: Vec<(String, u32)>,
    },
    /// `ecs:RegisterTaskDefinition`: a copy of `from` whose container running an image of
    /// `repository` runs `repository@digest` instead (a digest: immutable).
    RegisterTaskDefinition {
        from: TaskDefRef,
        repository: String,
        digest: String,
    },
    /// `ecs:UpdateService` to the revision the plan's `RegisterTaskDefinition` returned, which
    /// is not known before it is called (another may register in between): a new revision of
    /// `from`'s family, copied from `from`. The runner and the job follow the ARN it returned.
    UpdateServiceToRegistered { from: TaskDefRef },
    /// `ecs:StopTask`: one task stops; `reason` names deckwatch and who asked (ECS keeps it
    /// as the task's stoppedReason).
    StopTask { task_arn: String, reason: String },
    /// `codedeploy:ContinueDeployment`: reroute the traffic now (READY_WAIT), or terminate
    /// the original task set now (TERMINATION_WAIT).
    ContinueCodeDeploy { deployment_id: String, wait: CdWait },
    /// `codedeploy:StopDeployment` with `autoRollbackEnabled = true`: the traffic goes back.
    StopCodeDeploy { deployment_id: String },
    /// `codedeploy:CreateDeployment` of an AppSpec the console wrote.
    CreateCodeDeploy {
        application: String,
        group: String,
        appspec: String,
    },
    /// `codedeploy:CreateDeployment` of the revision the plan's RegisterTaskDefinition
    /// returns (a deploy of an image): the runner writes the AppSpec once it is known.
    CreateCodeDeployToRegistered {
        application: String,
        group: String,
        /// The service's ARN (its account and region name the task definition's ARN), and
        /// the container and port behind the load balancer.
        service_arn: String,
        container: String,
        port: u16,
        /// The family the new revision is registered in; its number is ECS's to give.
        family: String,
    },
}

/// One mutating GitHub call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitHubCall {
    /// `POST /repos/{repo}/actions/workflows/{workflow}/dispatches`, asking for the run's id
    /// back.
    Dispatch {
        workflow: Workflow,
        git_ref: String,
        /// (name, value) of the workflow's inputs, in the workflow file's order.
        inputs: Vec<(String, String)>,
    },
    /// `POST /repos/{repo}/actions/runs/{run_id}/cancel`.
    CancelRun { repo: String, run_id: u64 },
    /// `POST /repos/{repo}/actions/runs/{run_id}/rerun-failed-jobs`.
    RerunFailed { repo: String, run_id: u64 },
    /// `POST /repos/{repo}/deployments`: a record that commit `sha` went to `environment`.
    CreateDeployment {
        repo: String,
        sha: String,
        environment: String,
        description: String,
    },
    /// `POST /repos/{repo}/deployments/{id}/statuses`: how the deployment stands. None: the
    /// deployment the plan's CreateDeployment creates, not known before it is called.
    DeploymentStatus {
        repo: String,
        deployment_id: Option<u64>,
        state: String,
        description: String,
    },
}

impl Mutation {
    /// A call to the CI (GitHub), not to the cloud.
    pub fn is_ci(&self) -> bool {
        matches!(self, Mutation::GitHub(_))
    }

    /// The image the call moves a service to, where the call itself names it.
    pub fn image_target(&self) -> Option<ImageTarget<'_>> {
        match self {
            Mutation::Aws(AwsCall::RegisterTaskDefinition {
                repository, digest, ..
            }) => Some(ImageTarget::Registered { repository, digest }),
            Mutation::Aws(AwsCall::UpdateService {
                task_def: Some(td), ..
            }) => Some(ImageTarget::TaskDef(td)),
            Mutation::Aws(
                AwsCall::UpdateService { task_def: None, .. }
                | AwsCall::ContinueHook { .. }
                | AwsCall::StopDeployment { .. }
                | AwsCall::SetWeights { .. }
                | AwsCall::UpdateServiceToRegistered { .. }
                | AwsCall::StopTask { .. }
                | AwsCall::ContinueCodeDeploy { .. }
                | AwsCall::StopCodeDeploy { .. }
                | AwsCall::CreateCodeDeploy { .. }
                | AwsCall::CreateCodeDeployToRegistered { .. },
            )
            | Mutation::GitHub(_) => None,
        }
    }
}

/// Where a call names the image it moves a service to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageTarget<'a> {
    /// A new revision, a copy of the current one with this image (`repository@digest`).
    Registered {
        repository: &'a str,
        digest: &'a str,
    },
    /// An existing revision, whose image its definition says.
    TaskDef(&'a TaskDefRef),
}

/// The JSON body of a dispatch, exactly as sent: the ref, every input as a string (GitHub
/// converts them to the input's type), and the ask for the run's id.
pub fn dispatch_body(git_ref: &str, inputs: &[(String, String)]) -> String {
    // Written in a fixed order (ref, inputs in the workflow's order, then the ask), whatever
    // order serde_json's map keeps, so the dialog and the audit show the bytes that are sent.
    let s = |v: &str| serde_json::Value::String(v.to_string()).to_string();
    let inputs: Vec<String> = inputs
        .iter()
        .map(|(k, v)| format!("{}:{}", s(k), s(v)))
        .collect();
    format!(
        "{{\"ref\":{},\"inputs\":{{{}}},\"return_run_details\":true}}",
        s(git_ref),
        inputs.join(",")
    )
}

/// `name weight, ...` of a rule's weights, with target groups by short name.
pub fn weights_text(w: &[(String, u32)]) -> String {
    w.iter()
        .map(|(tg, n)| format!("{} {n}", target_group_name(tg)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Mutation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mutation::Aws(call) => call.fmt(f),
            Mutation::GitHub(call) => call.fmt(f),
        }
    }
}

impl AwsCall {
    /// The operation the call sends.
    pub fn op(&self) -> Op {
        match self {
            AwsCall::ContinueHook { .. } => Op::EcsContinueServiceDeployment,
            AwsCall::StopDeployment { .. } => Op::EcsStopServiceDeployment,
            AwsCall::StopTask { .. } => Op::EcsStopTask,
            AwsCall::UpdateService { .. } | AwsCall::UpdateServiceToRegistered { .. } => {
                Op::EcsUpdateService
            }
            AwsCall::SetWeights {
                is_default: true, ..
            } => Op::ElbModifyListener,
            AwsCall::SetWeights {
                is_default: false, ..
            } => Op::ElbModifyRule,
            AwsCall::RegisterTaskDefinition { .. } => Op::EcsRegisterTaskDefinition,
            AwsCall::ContinueCodeDeploy { .. } => Op::CodeDeployContinueDeployment,
            AwsCall::StopCodeDeploy { .. } => Op::CodeDeployStopDeployment,
            AwsCall::CreateCodeDeploy { .. } | AwsCall::CreateCodeDeployToRegistered { .. } => {
                Op::CodeDeployCreateDeployment
            }
        }
    }
}

/// The operation and its arguments, as the confirm dialog and the audit log show them.
impl fmt::Display for AwsCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = self.op();
        match self {
            AwsCall::ContinueHook {
                deployment_arn,
                hook_id,
                proceed,
            } => write!(
                f,
                "{op}(serviceDeploymentArn={deployment_arn}, hookId={hook_id}, action={})",
                if *proceed { "CONTINUE" } else { "ROLLBACK" }
            ),
            AwsCall::StopDeployment { deployment_arn } => write!(
                f,
                "{op}(serviceDeploymentArn={deployment_arn}, stopType=ROLLBACK)"
            ),
            AwsCall::UpdateService {
                task_def,
                desired,
                force,
            } => update_service_call(f, op, task_def.as_ref(), *desired, *force),
            AwsCall::SetWeights {
                listener_arn,
                rule_arn,
                is_default,
                to,
                ..
            } => {
                let weights = weights_text(to);
                if *is_default {
                    write!(
                        f,
                        "{op}(ListenerArn={listener_arn}, default forward weights: {weights})"
                    )
                } else {
                    write!(f, "{op}(RuleArn={rule_arn}, forward weights: {weights})")
                }
            }
            AwsCall::RegisterTaskDefinition {
                from,
                repository,
                digest,
            } => write!(
                f,
                "{op}(a copy of {from}, its {repository} container's image → {repository}@{digest})"
            ),
            AwsCall::StopTask { task_arn, reason } => {
                write!(f, "{op}(task={task_arn}, reason=\"{reason}\")")
            }
            AwsCall::UpdateServiceToRegistered { from } => write!(
                f,
                "{op}(taskDefinition=the new revision of {} that RegisterTaskDefinition returns)",
                from.family
            ),
            cd @ (AwsCall::ContinueCodeDeploy { .. }
            | AwsCall::StopCodeDeploy { .. }
            | AwsCall::CreateCodeDeploy { .. }
            | AwsCall::CreateCodeDeployToRegistered { .. }) => codedeploy_call(cd, op, f),
        }
    }
}

/// The CodeDeploy calls, with the AppSpec a deployment sends whole.
fn codedeploy_call(m: &AwsCall, op: Op, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match m {
        AwsCall::ContinueCodeDeploy {
            deployment_id,
            wait,
        } => write!(
            f,
            "{op}(deploymentId={deployment_id}, deploymentWaitType={})",
            wait.wire()
        ),
        AwsCall::StopCodeDeploy { deployment_id } => write!(
            f,
            "{op}(deploymentId={deployment_id}, autoRollbackEnabled=true)"
        ),
        AwsCall::CreateCodeDeploy {
            application,
            group,
            appspec,
        } => write!(
            f,
            "{op}(applicationName={application}, deploymentGroupName={group}, revision=AppSpecContent {appspec})"
        ),
        AwsCall::CreateCodeDeployToRegistered {
            application,
            group,
            container,
            port,
            family,
            ..
        } => {
            // No revision number is guessed: another may be registered first.
            let arn =
                format!("<the ARN of the new {family} revision RegisterTaskDefinition returns>");
            let spec = crate::model::codedeploy::appspec(&arn, container, *port);
            write!(
                f,
                "{op}(applicationName={application}, deploymentGroupName={group}, revision=AppSpecContent {spec})"
            )
        }
        // Never sent here (`AwsCall`'s Display writes them itself): named so that a new call
        // is placed by the compiler's word, and never printed as nothing.
        AwsCall::ContinueHook { .. }
        | AwsCall::StopDeployment { .. }
        | AwsCall::UpdateService { .. }
        | AwsCall::SetWeights { .. }
        | AwsCall::RegisterTaskDefinition { .. }
        | AwsCall::UpdateServiceToRegistered { .. }
        | AwsCall::StopTask { .. } => fmt::Display::fmt(m, f),
    }
}

/// `ecs:UpdateService(...)` with only the fields the call sets.
fn update_service_call(
    f: &mut fmt::Formatter<'_>,
    op: Op,
    task_def: Option<&TaskDefRef>,
    desired: Option<u32>,
    force: bool,
) -> fmt::Result {
    let mut parts = Vec::new();
    if let Some(td) = task_def {
        parts.push(format!("taskDefinition={td}"));
    }
    if let Some(n) = desired {
        parts.push(format!("desiredCount={n}"));
    }
    if force {
        parts.push("forceNewDeployment=true".into());
    }
    write!(f, "{op}({})", parts.join(", "))
}

/// GitHub's exact requests.
impl fmt::Display for GitHubCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GitHubCall::Dispatch {
                workflow,
                git_ref,
                inputs,
            } => write!(
                f,
                "POST /repos/{}/actions/workflows/{}/dispatches {}",
                workflow.repo,
                workflow.workflow,
                dispatch_body(git_ref, inputs)
            ),
            GitHubCall::CancelRun { repo, run_id } => {
                write!(f, "POST /repos/{repo}/actions/runs/{run_id}/cancel")
            }
            GitHubCall::RerunFailed { repo, run_id } => {
                write!(
                    f,
                    "POST /repos/{repo}/actions/runs/{run_id}/rerun-failed-jobs"
                )
            }
            GitHubCall::CreateDeployment { repo, .. } => {
                write!(f, "POST /repos/{repo}/deployments {}", self.body())
            }
            GitHubCall::DeploymentStatus {
                repo,
                deployment_id,
                ..
            } => write!(
                f,
                "POST /repos/{repo}/deployments/{}/statuses {}",
                deployment_id.map_or("{the id CreateDeployment returns}".to_string(), |id| id
                    .to_string()),
                self.body()
            ),
        }
    }
}

impl GitHubCall {
    /// The JSON body a deployment call sends, exactly (empty for the others).
    pub fn body(&self) -> String {
        let v = match self {
            GitHubCall::CreateDeployment {
                sha,
                environment,
                description,
                ..
            } => serde_json::json!({
                "ref": sha,
                "environment": environment,
                "description": description,
                "auto_merge": false,
                "required_contexts": [],
            }),
            GitHubCall::DeploymentStatus {
                state, description, ..
            } => serde_json::json!({"state": state, "description": description}),
            _ => return String::new(),
        };
        v.to_string()
    }
}

/// The facts an action was planned on. If any differs when the runner re-reads the service,
/// the action is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    pub primary_deployment: Option<String>,
    pub task_def: TaskDefRef,
    pub desired: u32,
    pub native_deployment: Option<String>,
    pub native_status: Option<NativeStatus>,
    pub hook: Option<(String, HookStatus)>,
    /// A CODE_DEPLOY service's deployment in flight: its id, and its status and wait.
    pub codedeploy: Option<(String, String)>,
}

impl Expectation {
    pub fn of(s: &Service) -> Self {
        Self {
            primary_deployment: s.primary().map(|d| d.id.clone()),
            task_def: s.task_def.clone(),
            desired: s.desired,
            native_deployment: s.native.as_ref().map(|n| n.arn.clone()),
            native_status: s.native.as_ref().map(|n| n.status.clone()),
            hook: s
                .native
                .as_ref()
                .and_then(|n| n.hook.as_ref())
                .map(|h| (h.id.clone(), h.status.clone())),
            codedeploy: s
                .codedeploy
                .as_ref()
                .and_then(|c| c.in_flight())
                .map(|d| (d.id.clone(), d.phase())),
        }
    }

    /// What changed between `self` (when the dialog opened) and `now`, in words.
    pub fn changes_since(&self, now: &Expectation) -> Vec<String> {
        let mut out = Vec::new();
        let mut check = |what: &str, a: String, b: String| {
            if a != b {
                out.push(format!("{what}: {a} → {b}"));
            }
        };
        let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "none".into());
        check(
            "primary deployment",
            opt(&self.primary_deployment),
            opt(&now.primary_deployment),
        );
        check(
            "task definition",
            self.task_def.to_string(),
            now.task_def.to_string(),
        );
        check(
            "desired count",
            self.desired.to_string(),
            now.desired.to_string(),
        );
        check(
            "deployment",
            opt(&self.native_deployment),
            opt(&now.native_deployment),
        );
        let status = |s: &Option<NativeStatus>| s.as_ref().map(|s| s.to_string());
        check(
            "deployment status",
            opt(&status(&self.native_status)),
            opt(&status(&now.native_status)),
        );
        let cd = |c: &Option<(String, String)>| {
            c.as_ref()
                .map_or("none".into(), |(id, phase)| format!("{id} {phase}"))
        };
        check(
            "CodeDeploy deployment",
            cd(&self.codedeploy),
            cd(&now.codedeploy),
        );
        match (&self.hook, &now.hook) {
            // The same hook moved on: its name once, its status as words.
            (Some((a, was)), Some((b, is))) if a == b => {
                if was != is {
                    out.push(format!("hook {a}: {} → {}", was.words(), is.words()));
                }
            }
            (was, is) => {
                let hook = |h: &Option<(String, HookStatus)>| {
                    h.as_ref()
                        .map_or("none".into(), |(id, st)| format!("{id} ({})", st.words()))
                };
                check("hook", hook(was), hook(is));
            }
        }
        out
    }
}

/// What an action does, as the dialog, the activity line and the audit log name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Promote,
    Abort,
    Rollback,
    ForceDeploy,
    Scale,
    /// Start a GitHub Actions workflow run.
    Build,
    /// Cancel a workflow run.
    CancelRun,
    /// Rerun a run's failed jobs.
    Rerun,
    /// Deploy a built image: a new task definition revision, then the service moved to it.
    Deploy,
    /// Stop one task of the service (ECS StopTask).
    StopTask,
}

impl Verb {
    /// An action on GitHub Actions, not on the fleet.
    pub fn is_ci(self) -> bool {
        matches!(self, Verb::Build | Verb::CancelRun | Verb::Rerun)
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verb::Promote => "promote",
            Verb::Abort => "abort",
            Verb::Rollback => "roll back",
            Verb::ForceDeploy => "force a new deployment",
            Verb::Scale => "scale",
            Verb::Build => "start a build of",
            Verb::CancelRun => "cancel the run of",
            Verb::Rerun => "rerun the failed jobs of",
            Verb::Deploy => "deploy to",
            Verb::StopTask => "stop a task of",
        })
    }
}

/// An action the user is asked to confirm: exactly what will be called and what changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPlan {
    pub verb: Verb,
    pub service: ServiceKey,
    pub mutation: Mutation,
    pub changes: Vec<Change>,
    pub expect: Expectation,
    /// Calls made after the first, in order (a paired canary's promote and abort).
    pub then: Vec<FollowUp>,
    /// Why the plan chose what it did (a rollback's target), for the dialog.
    pub notes: Vec<String>,
    /// A promote before the canary's soak is over: how long it soaked (`soaked 3/30 min`).
    /// The dialog asks for the word `early`, and the audit records it.
    pub early: Option<String>,
    /// What acts when it is not the person at the keys (`policy`); the audit records it as
    /// `policy armed by <user>`.
    pub actor: Option<String>,
}

impl ActionPlan {
    /// A plan of one call on `s` and what it changes, expecting `s` as it stands: nothing
    /// follows the call, no notes, asked of the person at the keys.
    pub fn single(s: &Service, verb: Verb, mutation: Mutation, changes: Vec<Change>) -> Self {
        Self {
            verb,
            service: s.key(),
            mutation,
            changes,
            expect: Expectation::of(s),
            then: Vec::new(),
            notes: Vec::new(),
            early: None,
            actor: None,
        }
    }
}

/// One thing a plan changes, shown in the dialog as `what  from  →  to` and written to the
/// audit record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub what: String,
    pub from: String,
    pub to: String,
}

impl Change {
    pub fn new(what: impl Into<String>, from: impl ToString, to: impl ToString) -> Self {
        Self {
            what: what.into(),
            from: from.to_string(),
            to: to.to_string(),
        }
    }
}

/// A further call of an action, on the same or another service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub service: ServiceKey,
    pub mutation: Mutation,
    /// The facts about `service` the plan was made on; checked before the first call too.
    pub expect: Expectation,
    /// Wait until the action's first service is stable (its one deployment COMPLETED) before
    /// this call, as a promote must before the canary goes away.
    pub after_stable: bool,
}

/// Why a key cannot act on a service now; the footer says it instead of opening a dialog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("promote: nothing on {0} waits for a promote (no PAUSE hook awaiting action)")]
    NothingWaits(String),
    #[error("abort: no rollout in progress on {0}")]
    NoRollout(String),
    #[error("roll back: {0} has no earlier stable deployment to return to")]
    NoStableDeployment(String),
    #[error("roll back: {0} has no earlier ACTIVE revision to return to")]
    NoEarlierRevision(String),
    #[error("roll back: {0} has no finished deployment to roll back from")]
    NothingFinished(String),
    #[error("roll back: no revision of {0} below the current one is known to have stayed stable")]
    NoStableRevision(String),
    #[error(
        "roll back: {current} is itself the result of a rollback {how} from {from}: it is the last stable revision, so R offers nothing older"
    )]
    AlreadyRolledBack {
        current: TaskDefRef,
        /// The revision rolled back, as far as it is known.
        from: String,
        how: String,
    },
    #[error(
        "{0}: no CodeDeploy deployment group is known to deploy it (none lists it, or \
         CodeDeploy could not be read); nothing to act through"
    )]
    NoCodeDeployGroup(String),
    #[error(
        "promote: CodeDeploy deployment {deployment} of {service} waits for no one: P reroutes \
         a deployment waiting for reroute, or ends the wait before the original is terminated"
    )]
    CodeDeployWaitsForNothing { service: String, deployment: String },
    #[error(
        "force: {0} is deployed by CodeDeploy, which ECS's UpdateService cannot force; a new \
         revision goes through a CodeDeploy deployment (D, or R for the last stable one)"
    )]
    ForceOnCodeDeploy(String),
    #[error("{verb}: the canary {canary} runs no tasks")]
    IdleCanary { verb: Verb, canary: String },
    #[error("promote: {primary} already runs the canary's {task_def}")]
    AlreadyPromoted {
        primary: String,
        task_def: TaskDefRef,
    },
    #[error("scale: type the new desired count")]
    NoCount,
    #[error("scale: {0} already wants {1} tasks")]
    SameCount(String, u32),
    #[error(
        "build: no workflow builds {0}: add a [[build]] entry to the config, or tag the service \
         deckwatch:repo and deckwatch:workflow"
    )]
    NoBuildMapping(String),
    #[error(
        "build: {service}'s {tag}; nothing was sent (fix the tag, or map {service} with a [[build]] entry)"
    )]
    BadBuildTag {
        service: String,
        tag: super::BadBuildTag,
    },
    #[error("builds: {0}")]
    NoCi(String),
    #[error("cancel: run #{0} has finished already")]
    RunFinished(u64),
    #[error("rerun: run #{0} has no failed jobs to rerun (it is {1})")]
    RunNotFailed(u64, String),
    #[error("deploy: run #{0} has not succeeded")]
    RunNotSucceeded(u64),
    #[error("deploy: no image of commit {0} in ECR (yet): the images pane shows what was pushed")]
    NoImage(String),
    #[error("deploy: no service of {0} to deploy to (no service runs an image of it)")]
    NoDeployTarget(String),
    #[error("deploy: {service} already runs {digest}")]
    AlreadyDeployed { service: String, digest: String },
}

/// How a confirmed action ended when not all of it was done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("{what}: refused, the console is read-only; nothing was sent")]
    ReadOnly { what: String },
    #[error("{what}: could not re-read the service, nothing was sent: {cause}")]
    Reread { what: String, cause: String },
    /// The console no longer points where the action was planned (a context switch), or the
    /// account could not be confirmed.
    #[error("{what}: refused, {cause}; nothing was sent")]
    Context { what: String, cause: String },
    #[error(
        "{what}: refused, the service changed since the dialog opened ({}); nothing was sent",
        .changes.join("; ")
    )]
    Changed { what: String, changes: Vec<String> },
    /// The first call was not made, or failed: `cause` says which.
    #[error("{what}: {cause}")]
    FirstCall { what: String, cause: StepError },
    /// A later call failed: production is between two states, and the message says where.
    #[error(
        "{what}: PARTLY DONE. Step {step} stopped: {cause}. Done: {}. Not sent: {}.",
        .done.join("; "),
        .not_sent.join("; ")
    )]
    PartlyDone {
        what: String,
        step: usize,
        cause: StepError,
        done: Vec<String>,
        not_sent: Vec<String>,
    },
}

/// Why one call of an action was not made, or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("refused, the audit log cannot be written ({0}); nothing was sent")]
    Audit(String),
    #[error("{call} failed: {cause}")]
    Call { call: String, cause: String },
    #[error("could not re-read the services: {0}")]
    Reread(String),
    #[error("{service} was not stable after {minutes} min; {call} was not sent")]
    NotStable {
        service: ServiceKey,
        minutes: u64,
        call: String,
    },
    #[error("{service} changed meanwhile ({}); {call} was not sent", .changes.join("; "))]
    Changed {
        service: ServiceKey,
        changes: Vec<String>,
        call: String,
    },
}

/// What the runner reports: what was sent, or why not all of it was.
pub type ActionResult = Result<String, ActionError>;

#[cfg(test)]
mod tests {
    use super::dispatch_body;

    #[test]
    fn the_dispatch_body_is_json_in_a_fixed_order() {
        let inputs = [
            ("note".to_string(), "say \"hi\"".to_string()),
            ("a".into(), "1".into()),
        ];
        let body = dispatch_body("main", &inputs);
        assert_eq!(
            body,
            r#"{"ref":"main","inputs":{"note":"say \"hi\"","a":"1"},"return_run_details":true}"#
        );
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["inputs"]["note"], "say \"hi\"");
        assert_eq!(
            dispatch_body("v1", &[]),
            r#"{"ref":"v1","inputs":{},"return_run_details":true}"#
        );
    }
}
