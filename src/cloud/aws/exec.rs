//! ECS Exec and port forwarding's calls: `ecs:ExecuteCommand` (interactive), `ssm:StartSession`
//! with a port-forwarding document, `ssm:ResumeSession` after a broken connection,
//! `kms:GenerateDataKey` for sessions the agent encrypts, and the cluster's exec configuration
//! (`ecs:DescribeClusters`) for the readiness the console says before the call.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::exec::channel::DataKey;
use crate::exec::crypto::DATA_KEY_BYTES;
use crate::model::{ApiError, ApiResult, ErrorKind, Op};
use crate::model::{Clean, ClusterExec, ExecTarget, RemotePort, SessionGrant};
use aws_sdk_ecs::types::ClusterField;

/// The interactive session ExecuteCommand opens in `target`'s container.
pub async fn execute_command(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    target: &ExecTarget,
    command: &str,
) -> ApiResult<SessionGrant> {
    let out = ecs
        .execute_command()
        .cluster(&target.cluster)
        .task(&target.task_arn)
        .container(&target.container)
        .command(command)
        .interactive(true)
        .send()
        .within(gate, Op::EcsExecuteCommand)
        .await?;
    let s = out
        .session()
        .ok_or_else(|| no_session(Op::EcsExecuteCommand))?;
    grant(
        s.session_id(),
        s.stream_url(),
        s.token_value(),
        Op::EcsExecuteCommand,
    )
}

/// A port-forwarding session to `remote` through `target`'s container, with the reason the
/// audit log shows in SSM's session history too.
pub async fn start_port_session(
    ssm: &aws_sdk_ssm::Client,
    gate: &CallGate,
    target: &ExecTarget,
    remote: &RemotePort,
    local_port: u16,
    reason: &str,
) -> ApiResult<SessionGrant> {
    let (document, params) = remote.document(local_port);
    let parameters = params
        .into_iter()
        .map(|(k, v)| (k.to_string(), vec![v]))
        .collect();
    let out = ssm
        .start_session()
        .target(target.ssm_target())
        .document_name(document)
        .set_parameters(Some(parameters))
        .reason(reason)
        .send()
        .within(gate, Op::SsmStartSession)
        .await?;
    grant(
        out.session_id(),
        out.stream_url(),
        out.token_value(),
        Op::SsmStartSession,
    )
}

/// A new token for a session whose connection broke; None when SSM has none (the session
/// timed out).
pub async fn resume(
    ssm: &aws_sdk_ssm::Client,
    gate: &CallGate,
    session_id: &str,
) -> ApiResult<Option<String>> {
    let out = ssm
        .resume_session()
        .session_id(session_id)
        .send()
        .within(gate, Op::SsmResumeSession)
        .await?;
    Ok(out
        .token_value()
        .filter(|t| !t.is_empty())
        .map(str::to_string))
}

/// A 64-byte data key under `key_id`, with the session's encryption context.
pub async fn data_key(
    kms: &aws_sdk_kms::Client,
    gate: &CallGate,
    key_id: &str,
    context: &[(String, String)],
) -> ApiResult<DataKey> {
    let out = kms
        .generate_data_key()
        .key_id(key_id)
        .number_of_bytes(DATA_KEY_BYTES as i32)
        .set_encryption_context(Some(context.iter().cloned().collect()))
        .send()
        .within(gate, Op::KmsGenerateDataKey)
        .await?;
    let (Some(blob), Some(plain)) = (out.ciphertext_blob(), out.plaintext()) else {
        return Err(no_session(Op::KmsGenerateDataKey));
    };
    Ok(DataKey {
        cipher_text: blob.as_ref().to_vec(),
        plain: plain.as_ref().to_vec(),
    })
}

/// The cluster's `executeCommandConfiguration`.
pub async fn cluster_exec(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    cluster: &str,
) -> ApiResult<ClusterExec> {
    let out = ecs
        .describe_clusters()
        .clusters(cluster)
        .include(ClusterField::Configurations)
        .send()
        .within(gate, Op::EcsDescribeClusters)
        .await?;
    let Some(c) = out.clusters().first() else {
        return Err(ApiError::new(
            ErrorKind::Other,
            format!("{}: no cluster {cluster}", Op::EcsDescribeClusters),
        ));
    };
    let exec = c
        .configuration()
        .and_then(|cfg| cfg.execute_command_configuration());
    Ok(ClusterExec {
        kms_key: exec
            .and_then(|e| e.kms_key_id())
            .unwrap_or_default()
            .to_string(),
        logging: exec
            .and_then(|e| e.logging())
            .map(|l| l.as_str().to_string())
            .unwrap_or_default(),
    }
    .cleaned())
}

fn no_session(action: Op) -> ApiError {
    ApiError::new(
        ErrorKind::Unreadable,
        format!("{action}: the answer has no session"),
    )
}

fn grant(
    id: Option<&str>,
    url: Option<&str>,
    token: Option<&str>,
    action: Op,
) -> ApiResult<SessionGrant> {
    match (id, url, token) {
        (Some(id), Some(url), Some(token)) if !url.is_empty() && !token.is_empty() => {
            Ok(SessionGrant {
                session_id: crate::model::text::clean(id),
                stream_url: url.to_string(),
                token: token.to_string(),
            })
        }
        _ => Err(no_session(action)),
    }
}
