//! Links to the AWS console and to GitHub for what the console shows: a service, a task, an
//! alarm, a log group, a run. Every piece taken from outside is percent-encoded (a path segment
//! or a fragment keeps only unreserved characters as they are), and a region or host that is
//! not a plain name gives no link at all, so no link can carry a character a terminal would
//! read as the end of its escape sequence.

use crate::model::{Run, ServiceKey, Task};

/// `s` with every byte outside RFC 3986's unreserved set written as `%XX`.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The console's host for `region`, or None when the region is not a plain region name.
fn console_host(region: &str) -> Option<String> {
    let plain = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !plain {
        return None;
    }
    Some(if region.starts_with("cn-") {
        format!("{region}.console.amazonaws.cn")
    } else if region.starts_with("us-gov-") {
        "console.amazonaws-us-gov.com".to_string()
    } else {
        format!("{region}.console.aws.amazon.com")
    })
}

/// The last segment of an ARN or a name (`arn:...:cluster/prod` → `prod`).
fn short(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// The service's page in the ECS console.
pub fn service(region: &str, key: &ServiceKey) -> Option<String> {
    let host = console_host(region)?;
    Some(format!(
        "https://{host}/ecs/v2/clusters/{}/services/{}/health?region={region}",
        encode(short(&key.cluster)),
        encode(&key.name),
    ))
}

/// The task's page in the ECS console.
pub fn task(region: &str, task: &Task) -> Option<String> {
    let host = console_host(region)?;
    Some(format!(
        "https://{host}/ecs/v2/clusters/{}/tasks/{}/configuration?region={region}",
        encode(short(&task.cluster)),
        encode(short(&task.id)),
    ))
}

/// The alarm's page in the CloudWatch console.
pub fn alarm(region: &str, name: &str) -> Option<String> {
    let host = console_host(region)?;
    Some(format!(
        "https://{host}/cloudwatch/home?region={region}#alarmsV2:alarm/{}",
        encode(name)
    ))
}

/// The log group's page in the CloudWatch console. Its fragment encodes the name twice and
/// writes `%` as `$` (`/aws/ecs` → `$252Faws$252Fecs`), as the console's own links do.
pub fn log_group(region: &str, group: &str) -> Option<String> {
    let host = console_host(region)?;
    let twice = encode(&encode(group)).replace('%', "$");
    Some(format!(
        "https://{host}/cloudwatch/home?region={region}#logsV2:log-groups/log-group/{twice}"
    ))
}

/// The run's page on GitHub: the host its `html_url` names (github.com or an enterprise
/// server), with the path built from the repository and the id.
pub fn run(run: &Run) -> Option<String> {
    let rest = run.html_url.strip_prefix("https://")?;
    let host = rest.split('/').next()?;
    let plain = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':'));
    let (owner, repo) = run.workflow.repo.split_once('/')?;
    plain.then(|| {
        format!(
            "https://{host}/{}/{}/actions/runs/{}",
            encode(owner),
            encode(repo),
            run.id
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_encoded_and_odd_regions_give_no_link() {
        let key = ServiceKey {
            cluster: "arn:aws:ecs:eu-west-1:1:cluster/prod".into(),
            name: "we b\u{1b}]8;;x".into(),
        };
        let url = service("eu-west-1", &key).unwrap_or_default();
        assert_eq!(
            url,
            "https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/we%20b%1B%5D8%3B%3Bx/health?region=eu-west-1"
        );
        assert_eq!(service("eu-west-1\u{7}", &key), None);
        assert_eq!(service("", &key), None);
        assert!(
            service("cn-north-1", &key)
                .unwrap_or_default()
                .starts_with("https://cn-north-1.console.amazonaws.cn/")
        );
    }

    #[test]
    fn a_log_group_is_encoded_twice_with_dollars() {
        assert_eq!(
            log_group("us-east-1", "/ecs/web api").as_deref(),
            Some(
                "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Fecs$252Fweb$2520api"
            )
        );
        assert_eq!(
            alarm("us-east-1", "web 5xx/high").as_deref(),
            Some(
                "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/web%205xx%2Fhigh"
            )
        );
    }
}
