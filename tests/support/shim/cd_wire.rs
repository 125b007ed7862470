//! The shim's CodeDeploy answers: the operations moto lacks (GetDeploymentTarget,
//! ContinueDeployment, StopDeployment) and, for the groups whose deployments the shim keeps,
//! ListDeployments, GetDeployment, BatchGetDeployments and CreateDeployment. Applications and
//! deployment groups stay moto's: those requests are forwarded.

use super::codedeploy::CdDeployment;
use super::wire::AwsError;
use super::{Inner, State, wall_clock};
use serde_json::{Value, json};

fn no_such(id: &str) -> AwsError {
    AwsError::cd(
        "DeploymentDoesNotExistException",
        format!("The deployment {id} could not be found."),
    )
}

impl Inner {
    /// Answers a CodeDeploy operation about the shim's deployments; None to forward to moto.
    pub(super) fn answer_cd(&self, op: &str, req: &Value) -> Option<Result<Value, AwsError>> {
        let mut st = self.lock();
        let now = wall_clock() + st.offset;
        for d in &mut st.cd {
            d.settle(now);
        }
        let text = |k: &str| req[k].as_str().unwrap_or_default().to_string();
        let id = text("deploymentId");
        Some(match op {
            "ListDeployments" => {
                return st.list_cd(&text("applicationName"), &text("deploymentGroupName"), req);
            }
            "GetDeployment" => {
                let d = st.cd.iter().find(|d| d.id == id)?;
                Ok(json!({ "deploymentInfo": d.info() }))
            }
            "BatchGetDeployments" => return st.batch_get(req),
            "GetDeploymentTarget" => match st.cd.iter().find(|d| d.id == id) {
                Some(d) => Ok(d.target()),
                None => Err(no_such(&id)),
            },
            "ContinueDeployment" => match st.cd.iter_mut().find(|d| d.id == id) {
                Some(d) => {
                    let wait = req["deploymentWaitType"].as_str().unwrap_or("READY_WAIT");
                    d.continue_(wait, now).map(|()| json!({}))
                }
                None => Err(no_such(&id)),
            },
            "StopDeployment" => match st.cd.iter_mut().find(|d| d.id == id) {
                Some(d) => d.stop(req["autoRollbackEnabled"] == json!(true), now),
                None => Err(no_such(&id)),
            },
            "CreateDeployment" => return st.create_cd(req, now),
            _ => return None,
        })
    }
}

impl State {
    fn group_has(&self, app: &str, group: &str) -> bool {
        self.cd
            .iter()
            .any(|d| d.spec.application == app && d.spec.group == group)
    }

    fn list_cd(&self, app: &str, group: &str, req: &Value) -> Option<Result<Value, AwsError>> {
        if !self.group_has(app, group) {
            return None;
        }
        let wanted: Vec<&str> = req["includeOnlyStatuses"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let ids: Vec<&str> = self
            .cd
            .iter()
            .filter(|d| d.spec.application == app && d.spec.group == group)
            .filter(|d| wanted.is_empty() || wanted.contains(&d.status))
            .map(|d| d.id.as_str())
            .collect();
        Some(Ok(json!({ "deployments": ids })))
    }

    fn batch_get(&self, req: &Value) -> Option<Result<Value, AwsError>> {
        let ids: Vec<&str> = req["deploymentIds"]
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let found: Vec<Value> = ids
            .iter()
            .filter_map(|id| self.cd.iter().find(|d| d.id == *id))
            .map(CdDeployment::info)
            .collect();
        (found.len() == ids.len()).then(|| Ok(json!({ "deploymentsInfo": found })))
    }

    /// A new deployment in a group the shim keeps: the AppSpec's task definition, the rest of
    /// the setup as the group's last deployment had it; it waits for reroute like the first.
    fn create_cd(&mut self, req: &Value, now: f64) -> Option<Result<Value, AwsError>> {
        let (app, group) = (
            req["applicationName"].as_str()?,
            req["deploymentGroupName"].as_str()?,
        );
        let last = self
            .cd
            .iter()
            .rev()
            .find(|d| d.spec.application == app && d.spec.group == group)?;
        if let Some(busy) = self.cd.iter().find(|d| {
            d.spec.application == app && d.spec.group == group && d.completed_at.is_none()
        }) {
            return Some(Err(AwsError::cd(
                "DeploymentLimitExceededException",
                format!(
                    "The deployment group already has deployment {} in progress.",
                    busy.id
                ),
            )));
        }
        let content = req["revision"]["appSpecContent"]["content"]
            .as_str()
            .unwrap_or_default();
        let task_def = serde_json::from_str::<Value>(content)
            .ok()
            .and_then(|v| {
                v["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"]
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_default();
        let mut spec = last.spec.clone();
        spec.task_def = task_def;
        // The new replacement registers where the last one's original did.
        std::mem::swap(&mut spec.original_task_set, &mut spec.replacement_task_set);
        std::mem::swap(
            &mut spec.original_target_group,
            &mut spec.replacement_target_group,
        );
        let id = format!("d-{:09}", 100_000_000 + self.cd.len());
        self.cd.push(CdDeployment::ready(id.clone(), spec, now));
        Some(Ok(json!({ "deploymentId": id })))
    }
}

/// DescribeServices' task sets carry no counts in moto: the shim writes those of the
/// service's CodeDeploy deployment (original, replacement).
pub fn task_set_counts(service: &mut Value, d: &CdDeployment) {
    let ((od, or), (rd, rr)) = d.counts();
    let Some(sets) = service["taskSets"].as_array_mut() else {
        return;
    };
    for t in sets {
        let id = t["id"].as_str().unwrap_or_default().to_string();
        let (desired, running) = if id == d.spec.original_task_set {
            (od, or)
        } else if id == d.spec.replacement_task_set {
            (rd, rr)
        } else {
            continue;
        };
        t["computedDesiredCount"] = json!(desired);
        t["runningCount"] = json!(running);
        t["pendingCount"] = json!(0);
        t["stabilityStatus"] = json!(if desired == running {
            "STEADY_STATE"
        } else {
            "STABILIZING"
        });
    }
}
