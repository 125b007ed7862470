//! What goes over the wire: the AWS JSON 1.1 error shape, the operation a request names, and
//! the ServiceRevision shape.

use serde_json::{Value, json};

/// An error as ECS answers it: HTTP 400 and `{"__type": code, "message": ...}`, the types
/// being those the SDK's model lists for the operation.
#[derive(Debug, Clone, PartialEq)]
pub struct AwsError {
    pub code: &'static str,
    pub message: String,
}

impl AwsError {
    pub fn invalid_parameter(message: String) -> Self {
        Self {
            code: "InvalidParameterException",
            message,
        }
    }

    pub fn client(message: String) -> Self {
        Self {
            code: "ClientException",
            message,
        }
    }

    pub fn conflict(message: String) -> Self {
        Self {
            code: "ConflictException",
            message,
        }
    }

    pub fn not_found(arn: &str) -> Self {
        Self {
            code: "ServiceDeploymentNotFoundException",
            message: format!("The service deployment {arn} does not exist."),
        }
    }

    /// A CodeDeploy error: its types are the ones CodeDeploy's model lists per operation.
    pub fn cd(code: &'static str, message: String) -> Self {
        Self { code, message }
    }

    pub fn body(&self) -> String {
        json!({"__type": self.code, "message": self.message}).to_string()
    }
}

/// The operation a request names: `X-Amz-Target: Service.Operation` for the JSON protocols,
/// `Action=Operation` in the form body for the query protocols.
pub fn operation(target: Option<&str>, body: &[u8]) -> String {
    if let Some(t) = target {
        return t.rsplit('.').next().unwrap_or(t).to_string();
    }
    String::from_utf8_lossy(body)
        .split('&')
        .find_map(|kv| kv.strip_prefix("Action="))
        .unwrap_or("?")
        .to_string()
}

/// A `ServiceRevision` of DescribeServiceRevisions.
pub fn revision(arn: &str, spec: &super::CanarySpec, target: bool, created_at: f64) -> Value {
    let (task_def, image, digest) = if target {
        (
            &spec.target_task_def,
            &spec.target_image,
            &spec.target_digest,
        )
    } else {
        (
            &spec.source_task_def,
            &spec.source_image,
            &spec.source_digest,
        )
    };
    json!({
        "serviceRevisionArn": arn,
        "serviceArn": spec.service_arn,
        "clusterArn": super::deployments::cluster_arn(&spec.cluster),
        "taskDefinition": task_def,
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "containerImages": [{ "containerName": "app", "imageDigest": digest, "image": image }],
        "guardDutyEnabled": false,
        "createdAt": created_at
    })
}
