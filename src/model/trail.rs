//! Changes made to a service from outside the console, as CloudTrail's `LookupEvents` names
//! them: who called what, when, with which parameters.

use crate::model::At;

/// The ECS calls that change a service, asked of CloudTrail one name at a time (a lookup takes
/// one attribute).
pub const CHANGING_CALLS: [&str; 6] = [
    "UpdateService",
    "RegisterTaskDefinition",
    "ContinueServiceDeployment",
    "StopServiceDeployment",
    "CreateService",
    "DeleteService",
];

/// The user agent the console's own calls carry (`app/deckwatch`), so CloudTrail tells them
/// apart from changes made elsewhere.
pub const APP_NAME: &str = "deckwatch";

/// One CloudTrail event about the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailEvent {
    pub id: String,
    pub at: At,
    /// `UpdateService`, …
    pub name: String,
    /// The caller: `userIdentity.arn`, else the event's user name.
    pub who: String,
    /// The request's parameters that say what changed (`desiredCount=4`, `taskDefinition=…`).
    pub params: Vec<(String, String)>,
    /// The call's error code, when it failed.
    pub error: Option<String>,
    /// The user agent names this console: the console's own change, not one from outside.
    pub by_console: bool,
}

impl TrailEvent {
    /// `UpdateService desiredCount=4 taskDefinition=payments:43`.
    pub fn summary(&self) -> String {
        let mut s = self.name.clone();
        for (k, v) in &self.params {
            s.push_str(&format!(" {k}={v}"));
        }
        if let Some(e) = &self.error {
            s.push_str(&format!(" (failed: {e})"));
        }
        s
    }

    /// A scale: an UpdateService that sets a desired count.
    pub fn is_scale(&self) -> bool {
        self.name == "UpdateService" && self.params.iter().any(|(k, _)| k == "desiredCount")
    }
}

/// Whether an event's request parameters are about the service `name` of `cluster` (a name or
/// an ARN ending in it), or, for a task definition, its `family`.
pub fn concerns(params: &serde_json::Value, cluster: &str, name: &str, family: &str) -> bool {
    let tail = |v: &serde_json::Value| {
        v.as_str()
            .map(|s| s.rsplit('/').next().unwrap_or(s).to_string())
    };
    if let Some(f) = params.get("family").and_then(|v| v.as_str()) {
        return f == family;
    }
    let service = params.get("service").or_else(|| params.get("serviceName"));
    let service_ok = service.and_then(tail).is_some_and(|s| s == name);
    let cluster_ok = params
        .get("cluster")
        .and_then(tail)
        .is_none_or(|c| c == cluster || cluster.is_empty());
    if service_ok {
        return cluster_ok;
    }
    // A service deployment's ARN names the cluster and the service.
    params
        .get("serviceDeploymentArn")
        .and_then(|v| v.as_str())
        .is_some_and(|a| a.contains(&format!("/{cluster}/{name}/")))
}

/// The parameters shown of a request, in a fixed order: those that say what changed.
pub fn shown_params(params: &serde_json::Value) -> Vec<(String, String)> {
    const KEYS: [&str; 6] = [
        "desiredCount",
        "taskDefinition",
        "forceNewDeployment",
        "family",
        "action",
        "stopType",
    ];
    KEYS.iter()
        .filter_map(|k| {
            let v = params.get(*k)?;
            let text = match v {
                serde_json::Value::String(s) => s.rsplit('/').next().unwrap_or(s).to_string(),
                other => other.to_string(),
            };
            Some((k.to_string(), text))
        })
        .collect()
}

impl crate::model::Clean for TrailEvent {
    fn clean(&mut self) {
        let TrailEvent {
            id,
            at: _,
            name,
            who,
            params,
            error,
            by_console: _,
        } = self;
        for s in [id, name, who] {
            s.clean();
        }
        for (k, v) in params {
            k.clean();
            v.clean();
        }
        error.clean();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_are_matched_to_the_service_by_name_arn_or_family() {
        let p = json!({"cluster": "prod-core", "service": "arn:aws:ecs:eu-west-1:1:service/prod-core/payments", "desiredCount": 4});
        assert!(concerns(&p, "prod-core", "payments", "payments"));
        assert!(!concerns(&p, "prod-core", "pay", "pay"));
        assert!(!concerns(&p, "staging", "payments", "payments"));
        assert!(concerns(
            &json!({"family": "payments"}),
            "c",
            "x",
            "payments"
        ));
        let hook = json!({"serviceDeploymentArn": "arn:aws:ecs:eu-west-1:1:service-deployment/prod-core/payments/abc"});
        assert!(concerns(&hook, "prod-core", "payments", "payments"));
        assert_eq!(
            shown_params(&p),
            [("desiredCount".to_string(), "4".to_string())]
        );
    }
}
