//! Who owns a service's configuration, found from what AWS says rather than guessed: the
//! CloudFormation stack that lists it (with CDK's metadata, or a stack the ECS console made),
//! Copilot's tags, or a Terraform tag convention named in `[iac]`. And what that owner does to
//! a change made from the console: only what is known is said.

use crate::model::{ApiError, AwsCall, Mutation};

/// A CloudFormation stack that lists the service among its resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stack {
    pub name: String,
    /// The service's logical id in the template.
    pub logical_id: String,
    /// `aws:cdk:path` of the resource's metadata: the CDK synthesised the stack.
    pub cdk_path: Option<String>,
    /// What the template gives the service's properties, or why it could not be read.
    pub template: Result<TemplateService, ApiError>,
}

/// The prefix of the stacks the ECS console creates for a service it creates.
pub const ECS_CONSOLE_PREFIX: &str = "ECS-Console-V2-Service-";

impl Stack {
    pub fn made_by_ecs_console(&self) -> bool {
        self.name.starts_with(ECS_CONSOLE_PREFIX)
    }
}

/// The properties of the service's resource in its stack's template that a console change
/// fights with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateService {
    pub desired: TemplateValue,
    pub task_def: TemplateValue,
}

/// One property's value in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateValue {
    /// The template does not set it.
    Unset,
    Literal(String),
    /// A parameter, with the value the stack was last deployed with when it is known.
    Parameter {
        name: String,
        value: Option<String>,
    },
    /// Another resource of the stack, or a function the console does not evaluate.
    Expression(String),
}

impl TemplateValue {
    /// The value a stack update would set, when it is known.
    pub fn known(&self) -> Option<&str> {
        match self {
            TemplateValue::Literal(v) => Some(v),
            TemplateValue::Parameter { value: Some(v), .. } => Some(v),
            _ => None,
        }
    }
}

/// The tags Copilot puts on what it deploys.
pub const COPILOT_APP: &str = "copilot-application";
pub const COPILOT_ENV: &str = "copilot-environment";
pub const COPILOT_SVC: &str = "copilot-service";

/// `[iac]`: tags that say Terraform manages a resource, as `key = value` pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IacRules {
    pub terraform_tags: Vec<(String, String)>,
}

impl Default for IacRules {
    fn default() -> Self {
        Self {
            terraform_tags: vec![("ManagedBy".into(), "terraform".into())],
        }
    }
}

/// What the console found owns a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// Copilot's three tags; `stack` when CloudFormation named the stack it deploys through.
    Copilot {
        app: String,
        env: String,
        svc: String,
        stack: Option<String>,
    },
    /// A CloudFormation stack lists the service (CDK's or the ECS console's, it says).
    Stack(Stack),
    /// A tag of an `[iac]` convention says Terraform manages it (`key=value`).
    Terraform { tag: String },
    /// Looked: no stack lists it, and no Copilot or `[iac]` tag is on it.
    None,
    /// The stacks have not been asked yet (the tags said nothing).
    NotRead,
    /// The stacks could not be asked, and the tags said nothing.
    Unknown(String),
}

/// The stack lookup for one service: None until asked, then the stack (or none), or why not.
pub type StackLookup<'a> = Option<&'a Result<Option<Stack>, ApiError>>;

/// The owner of a service with `tags`, given what CloudFormation said.
pub fn owner_of(tags: &[(String, String)], rules: &IacRules, stack: StackLookup<'_>) -> Owner {
    let tag = |k: &str| {
        tags.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let found = match stack {
        Some(Ok(Some(s))) => Some(s),
        _ => None,
    };
    if let (Some(app), Some(env), Some(svc)) =
        (tag(COPILOT_APP), tag(COPILOT_ENV), tag(COPILOT_SVC))
    {
        let stack = found.map(|s| s.name.clone());
        return Owner::Copilot {
            app,
            env,
            svc,
            stack,
        };
    }
    if let Some(s) = found {
        return Owner::Stack(s.clone());
    }
    let terraform = rules.terraform_tags.iter().find(|(k, v)| {
        tags.iter()
            .any(|(tk, tv)| tk == k && tv.eq_ignore_ascii_case(v))
    });
    if let Some((k, v)) = terraform {
        return Owner::Terraform {
            tag: format!("{k}={v}"),
        };
    }
    match stack {
        None => Owner::NotRead,
        Some(Err(e)) => Owner::Unknown(e.to_string()),
        Some(Ok(_)) => Owner::None,
    }
}

impl Owner {
    /// The OWNER column: short, the stack's name where there is one.
    pub fn label(&self) -> String {
        match self {
            Owner::Copilot { app, env, .. } => format!("copilot {app}/{env}"),
            Owner::Stack(s) if s.cdk_path.is_some() => format!("cdk {}", s.name),
            Owner::Stack(s) if s.made_by_ecs_console() => "ecs console".into(),
            Owner::Stack(s) => format!("cfn {}", s.name),
            Owner::Terraform { .. } => "terraform".into(),
            Owner::None => "-".into(),
            Owner::NotRead => "…".into(),
            Owner::Unknown(_) => "?".into(),
        }
    }

    /// One line for the rollout view: who owns it and how that is known.
    pub fn describe(&self) -> String {
        match self {
            Owner::Copilot {
                app,
                env,
                svc,
                stack,
            } => {
                let via = stack
                    .as_ref()
                    .map_or(String::new(), |s| format!(", through stack {s}"));
                format!("Copilot: application {app}, environment {env}, service {svc}{via}")
            }
            Owner::Stack(s) => stack_words(s),
            Owner::Terraform { tag } => format!("Terraform (tag {tag}, an [iac] convention)"),
            Owner::None => {
                "none found: no CloudFormation stack lists it, no Copilot or [iac] tag".into()
            }
            Owner::NotRead => "not read yet".into(),
            Owner::Unknown(e) => format!("unknown: {e}"),
        }
    }
}

fn stack_words(s: &Stack) -> String {
    match (&s.cdk_path, s.made_by_ecs_console()) {
        (Some(path), _) => format!("stack {} (CDK: {path})", s.name),
        (None, true) => format!("a stack the ECS console created ({})", s.name),
        (None, false) => format!("stack {}", s.name),
    }
}

/// What a change made from the console sets that an owner also sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Desired(u32),
    /// The task definition (a revision, or one the plan registers).
    TaskDef(String),
}

/// The changes a mutating call makes that an owner may undo; none for calls that change no
/// configuration (a hook answered, a deployment stopped, a forced new deployment).
pub fn changes_of(m: &Mutation) -> Vec<Change> {
    let Mutation::Aws(call) = m else {
        return Vec::new();
    };
    match call {
        AwsCall::UpdateService {
            task_def, desired, ..
        } => {
            let mut out = Vec::new();
            if let Some(n) = desired {
                out.push(Change::Desired(*n));
            }
            if let Some(td) = task_def {
                out.push(Change::TaskDef(td.to_string()));
            }
            out
        }
        AwsCall::UpdateServiceToRegistered { from } => {
            vec![Change::TaskDef(format!(
                "a new revision of {}",
                from.family
            ))]
        }
        AwsCall::CreateCodeDeployToRegistered { family, .. } => {
            vec![Change::TaskDef(format!("a new revision of {family}"))]
        }
        AwsCall::CreateCodeDeploy { .. } => vec![Change::TaskDef("a new revision".into())],
        _ => Vec::new(),
    }
}

/// What `owner` does to `change`, in words; None when nothing is known to follow.
pub fn consequence(owner: &Owner, change: &Change) -> Option<String> {
    match owner {
        Owner::Stack(s) => Some(stack_consequence(s, change)),
        Owner::Copilot { app, env, svc, .. } => {
            let who = format!("Copilot manages it ({app}/{env}/{svc})");
            Some(match change {
                Change::Desired(_) => format!(
                    "{who}: the next `copilot svc deploy` sets the count back to the manifest's"
                ),
                Change::TaskDef(_) => format!(
                    "{who}: the next `copilot svc deploy` replaces the task definition with the one it builds"
                ),
            })
        }
        Owner::Terraform { tag } => Some(match change {
            Change::Desired(_) => format!(
                "Terraform manages it ({tag}): the next apply sets desired_count back unless ignore_changes covers it"
            ),
            Change::TaskDef(_) => format!(
                "Terraform manages it ({tag}): the next apply reverts the task definition unless ignore_changes covers it"
            ),
        }),
        Owner::None | Owner::NotRead | Owner::Unknown(_) => None,
    }
}

fn stack_consequence(s: &Stack, change: &Change) -> String {
    let who = format!("{} owns this service", stack_words(s));
    let (field, value, mine) = match (&s.template, change) {
        (Err(e), _) => {
            return format!(
                "{who}: its next update may undo this (its template could not be read: {e})"
            );
        }
        (Ok(t), Change::Desired(n)) => ("desiredCount", &t.desired, n.to_string()),
        (Ok(t), Change::TaskDef(td)) => ("the task definition", &t.task_def, td.clone()),
    };
    match value {
        TemplateValue::Unset if field == "desiredCount" => format!(
            "{who}: its template sets no desiredCount, so its next update leaves the count as it is"
        ),
        TemplateValue::Unset => format!("{who}: its template sets no {field}"),
        v => match v.known() {
            Some(t) if t == mine || t.ends_with(&format!("/{mine}")) => {
                format!("{who}: its template also sets {field} {t}, so its next update keeps it")
            }
            Some(t) => format!("{who}: its next update sets {field} back to {t}"),
            None => {
                let expr = match v {
                    TemplateValue::Parameter { name, .. } => format!("parameter {name}"),
                    TemplateValue::Expression(e) => e.clone(),
                    _ => String::new(),
                };
                format!("{who}: its next update sets {field} to what its template gives ({expr})")
            }
        },
    }
}

impl crate::model::Clean for Stack {
    fn clean(&mut self) {
        let Stack {
            name,
            logical_id,
            cdk_path,
            template,
        } = self;
        name.clean();
        logical_id.clean();
        cdk_path.clean();
        match template {
            Ok(t) => {
                t.desired.clean();
                t.task_def.clean();
            }
            Err(e) => e.message.clean(),
        }
    }
}

impl crate::model::Clean for TemplateValue {
    fn clean(&mut self) {
        match self {
            TemplateValue::Unset => {}
            TemplateValue::Literal(s) | TemplateValue::Expression(s) => s.clean(),
            TemplateValue::Parameter { name, value } => {
                name.clean();
                value.clean();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn stack(desired: TemplateValue) -> Stack {
        Stack {
            name: "payments-prod".into(),
            logical_id: "Service".into(),
            cdk_path: None,
            template: Ok(TemplateService {
                desired,
                task_def: TemplateValue::Expression("Ref TaskDef".into()),
            }),
        }
    }

    #[test]
    fn copilot_tags_win_and_name_the_stack_they_deploy_through() {
        let t = tags(&[
            (COPILOT_APP, "shop"),
            (COPILOT_ENV, "prod"),
            (COPILOT_SVC, "api"),
        ]);
        let s = Ok(Some(stack(TemplateValue::Unset)));
        let o = owner_of(&t, &IacRules::default(), Some(&s));
        assert_eq!(o.label(), "copilot shop/prod");
        assert!(o.describe().contains("through stack payments-prod"));
    }

    #[test]
    fn terraform_is_said_only_by_a_configured_tag() {
        let rules = IacRules::default();
        let tf = owner_of(&tags(&[("ManagedBy", "Terraform")]), &rules, None);
        assert_eq!(
            tf,
            Owner::Terraform {
                tag: "ManagedBy=terraform".into()
            }
        );
        let other = owner_of(&tags(&[("owner", "terraform")]), &rules, Some(&Ok(None)));
        assert_eq!(other, Owner::None);
        assert_eq!(owner_of(&[], &rules, None), Owner::NotRead);
        let denied = Err(ApiError::new(crate::model::ErrorKind::Other, "denied"));
        assert!(
            matches!(owner_of(&[], &rules, Some(&denied)), Owner::Unknown(e) if e.contains("denied"))
        );
    }

    #[test]
    fn a_stack_says_what_its_next_update_does_to_the_count() {
        let o = Owner::Stack(stack(TemplateValue::Literal("4".into())));
        assert_eq!(
            consequence(&o, &Change::Desired(6)).unwrap(),
            "stack payments-prod owns this service: its next update sets desiredCount back to 4"
        );
        assert!(
            consequence(&o, &Change::Desired(4))
                .unwrap()
                .contains("keeps it")
        );
        let p = Owner::Stack(stack(TemplateValue::Parameter {
            name: "Count".into(),
            value: Some("3".into()),
        }));
        assert!(
            consequence(&p, &Change::Desired(6))
                .unwrap()
                .ends_with("back to 3")
        );
        let unset = Owner::Stack(stack(TemplateValue::Unset));
        assert!(
            consequence(&unset, &Change::Desired(6))
                .unwrap()
                .contains("leaves the count as it is")
        );
        let td = consequence(&o, &Change::TaskDef("payments:43".into())).unwrap();
        assert!(td.contains("what its template gives (Ref TaskDef)"), "{td}");
    }

    #[test]
    fn terraform_and_unknown_owners_say_only_what_is_known() {
        let tf = Owner::Terraform {
            tag: "ManagedBy=terraform".into(),
        };
        assert_eq!(
            consequence(&tf, &Change::TaskDef("api:9".into())).unwrap(),
            "Terraform manages it (ManagedBy=terraform): the next apply reverts the task definition unless ignore_changes covers it"
        );
        assert_eq!(consequence(&Owner::None, &Change::Desired(2)), None);
        assert_eq!(consequence(&Owner::NotRead, &Change::Desired(2)), None);
    }
}
