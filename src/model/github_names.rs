//! What GitHub allows as an account, a repository and a workflow file name. A service tag or a
//! `[[build]]` entry naming anything else is refused where it is read, so its value can never
//! become a part of a request's path (`acme/checkout/actions/runs/8001/cancel?x=` is not a
//! repository: sent as one, it would cancel run 8001).

/// Why a value is not a GitHub name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("{0:?} is not owner/name")]
    NotOwnerName(String),
    #[error(
        "{0:?} is not a GitHub account name (letters, digits and single hyphens, no hyphen at \
         either end, at most 39)"
    )]
    Owner(String),
    #[error(
        "{0:?} is not a GitHub repository name (letters, digits, '-', '_' and '.', at most 100, \
         not '.' or '..')"
    )]
    Repo(String),
    #[error("{0:?} is not a workflow file name (build.yml) or a workflow's numeric id")]
    Workflow(String),
}

/// The longest account and repository names GitHub allows.
const OWNER_MAX: usize = 39;
const REPO_MAX: usize = 100;

/// An account (user or organisation) name: letters, digits and single hyphens, not at either
/// end.
fn is_owner(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= OWNER_MAX
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

fn is_repo(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= REPO_MAX
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && s != "."
        && s != ".."
}

/// `owner/name` split in two, when both are names GitHub allows.
pub fn split_repo(s: &str) -> Result<(&str, &str), NameError> {
    let Some((owner, name)) = s.split_once('/') else {
        return Err(NameError::NotOwnerName(s.to_string()));
    };
    if name.contains('/') {
        return Err(NameError::NotOwnerName(s.to_string()));
    }
    if !is_owner(owner) {
        return Err(NameError::Owner(owner.to_string()));
    }
    if !is_repo(name) {
        return Err(NameError::Repo(name.to_string()));
    }
    Ok((owner, name))
}

/// A workflow as the dispatch and runs APIs take it: a file name under `.github/workflows`
/// (no directory, not `.` or `..`) or a numeric id.
pub fn check_workflow(s: &str) -> Result<(), NameError> {
    let ok = !s.is_empty()
        && s.len() <= 255
        && s != "."
        && s != ".."
        && !s.contains(['/', '\\'])
        && !s.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(NameError::Workflow(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_owner_and_name_as_github_allows_them() {
        assert_eq!(split_repo("acme/checkout"), Ok(("acme", "checkout")));
        assert_eq!(split_repo("a-b/c.d_e-f"), Ok(("a-b", "c.d_e-f")));
        assert!(split_repo(&format!("{}/x", "a".repeat(39))).is_ok());
        for bad in [
            "acme/checkout/actions/runs/8001/cancel?x=",
            "acme",
            "/checkout",
            "acme/",
            "-acme/x",
            "acme-/x",
            "ac--me/x",
            "ac_me/x",
            "acme/.",
            "acme/..",
            "acme/che ckout",
            "acme/checkout?x=1",
            "acme/checkout#f",
            "acme/ch%2Fec",
            "acme/chéckout",
        ] {
            assert!(split_repo(bad).is_err(), "{bad}");
        }
        assert!(split_repo(&format!("{}/x", "a".repeat(40))).is_err());
        assert!(split_repo(&format!("a/{}", "x".repeat(101))).is_err());
    }

    #[test]
    fn a_workflow_is_a_file_name_or_an_id() {
        // Anything else is encoded as one path segment.
        for ok in [
            "build.yml",
            "deploy.yaml",
            "12345",
            "build (prod).yml",
            "b.yml?x=",
        ] {
            assert!(check_workflow(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            "../x.yml",
            "a/b.yml",
            "a\\b.yml",
            "a\u{1b}.yml",
        ] {
            assert!(check_workflow(bad).is_err(), "{bad:?}");
        }
    }
}
