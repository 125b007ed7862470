//! Small pure helpers to read ARNs, image references and SDK timestamps.

use crate::model::{At, TaskDefRef};
use aws_smithy_types::DateTime;

/// Unix milliseconds of an SDK timestamp; 0 when absent or out of range.
pub(crate) fn millis(t: Option<&DateTime>) -> At {
    At(t.and_then(|t| t.to_millis().ok()).unwrap_or(0))
}

pub(crate) fn opt_millis(t: Option<&DateTime>) -> Option<At> {
    t.and_then(|t| t.to_millis().ok()).map(At)
}

/// The part after the last `/`: a task id from a task ARN, a cluster name from a cluster ARN,
/// a service name from a service ARN.
pub(crate) fn last_segment(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// `family:revision` from a task definition ARN (or from a bare `family:revision`).
pub(crate) fn task_def_ref(arn: &str) -> TaskDefRef {
    let tail = last_segment(arn);
    match tail.rsplit_once(':') {
        Some((family, rev)) => match rev.parse() {
            Ok(revision) => TaskDefRef {
                family: family.to_string(),
                revision,
            },
            Err(_) => TaskDefRef {
                family: tail.to_string(),
                revision: 0,
            },
        },
        None => TaskDefRef {
            family: tail.to_string(),
            revision: 0,
        },
    }
}

/// The tag of an image reference: `repo:tag` gives `tag`, `repo@sha256:...` gives the digest,
/// and a bare `repo` gives `latest`.
pub(crate) fn image_tag(image: &str) -> String {
    if let Some((_, digest)) = image.split_once('@') {
        return digest.to_string();
    }
    let name = last_segment(image);
    match name.rsplit_once(':') {
        Some((_, tag)) => tag.to_string(),
        None => "latest".to_string(),
    }
}

/// The service a task was started by: its `group` is `service:NAME`.
pub(crate) fn service_of_group(group: Option<&str>) -> Option<&str> {
    group.and_then(|g| g.strip_prefix("service:"))
}

/// Does image reference `image` (from a task definition) name this ECR image? It matches
/// `URI:tag` for one of the tags (a bare `URI` means `latest`) or `URI@digest`.
pub(crate) fn image_matches(image: &str, repo_uri: &str, tags: &[String], digest: &str) -> bool {
    let Some(rest) = image.strip_prefix(repo_uri) else {
        return false;
    };
    if rest.is_empty() {
        return tags.iter().any(|t| t == "latest");
    }
    if let Some(d) = rest.strip_prefix('@') {
        return !digest.is_empty() && d == digest;
    }
    if let Some(t) = rest.strip_prefix(':') {
        return tags.iter().any(|tag| tag == t);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_def_ref_from_arn() {
        let r = task_def_ref("arn:aws:ecs:us-east-1:123456789012:task-definition/web-api:42");
        assert_eq!(r.family, "web-api");
        assert_eq!(r.revision, 42);
        assert_eq!(task_def_ref("worker:7").to_string(), "worker:7");
        assert_eq!(task_def_ref("worker").revision, 0);
    }

    #[test]
    fn image_tags() {
        assert_eq!(
            image_tag("123.dkr.ecr.us-east-1.amazonaws.com/web:v1.2"),
            "v1.2"
        );
        assert_eq!(image_tag("localhost:5000/web"), "latest");
        assert_eq!(image_tag("web@sha256:abc"), "sha256:abc");
        assert_eq!(image_tag("nginx"), "latest");
    }

    #[test]
    fn image_matching() {
        let uri = "123.dkr.ecr.us-east-1.amazonaws.com/web";
        let tags = vec!["v1".to_string(), "latest".to_string()];
        assert!(image_matches(&format!("{uri}:v1"), uri, &tags, "sha256:aa"));
        assert!(image_matches(uri, uri, &tags, "sha256:aa"));
        assert!(image_matches(
            &format!("{uri}@sha256:aa"),
            uri,
            &tags,
            "sha256:aa"
        ));
        assert!(!image_matches(
            &format!("{uri}:v2"),
            uri,
            &tags,
            "sha256:aa"
        ));
        assert!(!image_matches(
            &format!("{uri}-canary:v1"),
            uri,
            &tags,
            "sha256:aa"
        ));
    }

    #[test]
    fn group_gives_service() {
        assert_eq!(service_of_group(Some("service:web")), Some("web"));
        assert_eq!(service_of_group(Some("family:web")), None);
    }
}
