//! Deploying a built image: a new task definition revision that copies the service's current
//! one with one container's image moved to an immutable digest (`RegisterTaskDefinition`).
//! The runner then moves the service to it with `UpdateService`.

use crate::cloud::aws::AwsFleet;
use crate::cloud::aws::gate::Within;
use crate::cloud::aws::parse::task_def_ref;
use crate::model::Op;
use crate::model::{ApiError, ApiResult, ErrorKind, TaskDefRef};
use aws_sdk_ecs::types::{ContainerDefinition, TaskDefinition};

/// The repository name of an image reference: `HOST/path/name:tag` or `…@sha256:…` → `path/name`.
pub fn repository_of(image: &str) -> &str {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let name_end = without_digest[last_slash..]
        .find(':')
        .map_or(without_digest.len(), |i| last_slash + i);
    let path = &without_digest[..name_end];
    // Drop the registry host when there is one (a first segment with a dot or a port).
    match path.split_once('/') {
        Some((host, rest)) if host.contains('.') || host.contains(':') => rest,
        _ => path,
    }
}

/// `image` pinned to `digest`: its tag or old digest replaced.
pub fn pinned(image: &str, digest: &str) -> String {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let base = match without_digest[last_slash..].find(':') {
        Some(i) => &without_digest[..last_slash + i],
        None => without_digest,
    };
    format!("{base}@{digest}")
}

/// The containers with the image of `repository` moved to `digest`; Err when none runs it.
fn repin(
    containers: &[ContainerDefinition],
    from: &TaskDefRef,
    repository: &str,
    digest: &str,
) -> ApiResult<Vec<ContainerDefinition>> {
    let mut found = false;
    let out = containers
        .iter()
        .map(|c| {
            let image = c.image().unwrap_or_default();
            if repository_of(image) == repository {
                found = true;
                let mut c = c.clone();
                c.image = Some(pinned(image, digest));
                c
            } else {
                c.clone()
            }
        })
        .collect();
    if !found {
        return Err(ApiError::new(
            ErrorKind::Other,
            format!("no container of {from} runs an image of {repository}; nothing was registered"),
        ));
    }
    Ok(out)
}

/// Registers the copy and returns its revision.
pub async fn register(
    f: &AwsFleet,
    from: &TaskDefRef,
    repository: &str,
    digest: &str,
) -> ApiResult<TaskDefRef> {
    let out = f
        .ecs
        .describe_task_definition()
        .task_definition(from.to_string())
        .include(aws_sdk_ecs::types::TaskDefinitionField::Tags)
        .send()
        .within(&f.gate, Op::EcsDescribeTaskDefinition)
        .await?;
    let td = out
        .task_definition()
        .ok_or_else(|| ApiError::new(ErrorKind::Other, format!("{from}: no task definition")))?;
    let containers = repin(td.container_definitions(), from, repository, digest)?;
    let registered = copy(f, td, containers)
        .set_tags((!out.tags().is_empty()).then(|| out.tags().to_vec()))
        .send()
        .within(&f.gate, Op::EcsRegisterTaskDefinition)
        .await?;
    registered
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .map(task_def_ref)
        .ok_or_else(|| ApiError::new(ErrorKind::Other, "RegisterTaskDefinition named no revision"))
}

/// RegisterTaskDefinition with every setting of `td` but the containers.
fn copy(
    f: &AwsFleet,
    td: &TaskDefinition,
    containers: Vec<ContainerDefinition>,
) -> aws_sdk_ecs::operation::register_task_definition::builders::RegisterTaskDefinitionFluentBuilder
{
    f.ecs
        .register_task_definition()
        .set_family(td.family().map(str::to_string))
        .set_container_definitions(Some(containers))
        .set_task_role_arn(td.task_role_arn().map(str::to_string))
        .set_execution_role_arn(td.execution_role_arn().map(str::to_string))
        .set_network_mode(td.network_mode().cloned())
        .set_volumes((!td.volumes().is_empty()).then(|| td.volumes().to_vec()))
        .set_placement_constraints(
            (!td.placement_constraints().is_empty()).then(|| td.placement_constraints().to_vec()),
        )
        .set_requires_compatibilities(
            (!td.requires_compatibilities().is_empty())
                .then(|| td.requires_compatibilities().to_vec()),
        )
        .set_cpu(td.cpu().map(str::to_string))
        .set_memory(td.memory().map(str::to_string))
        .set_pid_mode(td.pid_mode().cloned())
        .set_ipc_mode(td.ipc_mode().cloned())
        .set_proxy_configuration(td.proxy_configuration().cloned())
        .set_ephemeral_storage(td.ephemeral_storage().cloned())
        .set_runtime_platform(td.runtime_platform().cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_name_their_repository_and_pin_to_a_digest() {
        let uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/checkout";
        assert_eq!(repository_of(&format!("{uri}:v1")), "team/checkout");
        assert_eq!(repository_of(&format!("{uri}@sha256:ab")), "team/checkout");
        assert_eq!(repository_of("localhost:5000/web:1"), "web");
        assert_eq!(repository_of("nginx"), "nginx");
        assert_eq!(
            pinned(&format!("{uri}:v1"), "sha256:cd"),
            format!("{uri}@sha256:cd")
        );
        assert_eq!(
            pinned(&format!("{uri}@sha256:ab"), "sha256:cd"),
            format!("{uri}@sha256:cd")
        );
        assert_eq!(
            pinned("localhost:5000/web", "sha256:cd"),
            "localhost:5000/web@sha256:cd"
        );
    }
}
