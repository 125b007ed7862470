//! The commits behind a deploy: GitHub's compare between the commit of the running image and
//! the target's, and how an image's tag names its commit.

use crate::model::At;

/// One commit of a compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub sha: String,
    /// The first line of the message.
    pub title: String,
    /// The GitHub login, else the name the commit carries.
    pub author: String,
    pub at: At,
}

impl Commit {
    pub fn short_sha(&self) -> &str {
        self.sha.get(..7).unwrap_or(&self.sha)
    }
}

/// What `GET /repos/{repo}/compare/{base}...{head}` answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compare {
    pub repo: String,
    pub base: String,
    pub head: String,
    /// ahead, behind, identical or diverged.
    pub status: String,
    /// Oldest first, as GitHub lists them (at most 250).
    pub commits: Vec<Commit>,
    /// Every commit between the two, which may be more than listed.
    pub total: u32,
    pub html_url: String,
}

/// Titles a dialog lists, at most; the rest are counted.
pub const TITLES_SHOWN: usize = 20;

/// Which commits to compare, in which repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompareQuery {
    pub repo: String,
    pub base: String,
    pub head: String,
}

/// The commit an image tag names: the full sha or a prefix of at least 7 hex digits, alone or
/// after `sha-` or `git-` (see `build::tag_names_sha`). None for `v1.2`, `latest` and the like.
pub fn sha_of_tag(tag: &str) -> Option<&str> {
    let hex = tag
        .strip_prefix("sha-")
        .or_else(|| tag.strip_prefix("git-"))
        .unwrap_or(tag);
    (hex.len() >= 7 && hex.len() <= 40 && hex.chars().all(|c| c.is_ascii_hexdigit())).then_some(hex)
}

/// The lines a dialog shows for a compare: the newest `TITLES_SHOWN` titles with their
/// authors, then how many more.
pub fn lines(c: &Compare) -> Vec<String> {
    if c.total == 0 || c.status == "identical" {
        return vec![format!(
            "no commits between {} and {}",
            short(&c.base),
            short(&c.head)
        )];
    }
    let mut out = vec![format!(
        "{} commit(s) {} → {} in {}:",
        c.total,
        short(&c.base),
        short(&c.head),
        c.repo
    )];
    if c.status == "behind" {
        out[0] = format!(
            "{} commit(s) go away: {} is behind {} in {}:",
            c.total,
            short(&c.head),
            short(&c.base),
            c.repo
        );
    }
    for commit in c.commits.iter().rev().take(TITLES_SHOWN) {
        out.push(format!(
            "  {} {} ({})",
            commit.short_sha(),
            commit.title,
            commit.author
        ));
    }
    let shown = c.commits.len().min(TITLES_SHOWN) as u32;
    if c.total > shown {
        out.push(format!("  … and {} more", c.total - shown));
    }
    out
}

fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_name_commits_only_as_hex() {
        assert_eq!(sha_of_tag("sha-1a2b3c4d"), Some("1a2b3c4d"));
        assert_eq!(sha_of_tag("git-abcdef0"), Some("abcdef0"));
        assert_eq!(sha_of_tag("abcdef0123"), Some("abcdef0123"));
        assert_eq!(sha_of_tag("v1.2.3"), None);
        assert_eq!(sha_of_tag("abc12"), None);
        assert_eq!(sha_of_tag("latest"), None);
    }

    fn commit(n: u32) -> Commit {
        Commit {
            sha: format!("{n:07x}aaaa"),
            title: format!("change {n}"),
            author: "dev".into(),
            at: At(n as i64),
        }
    }

    #[test]
    fn at_most_twenty_titles_newest_first_then_a_count() {
        let c = Compare {
            repo: "acme/payments".into(),
            base: "1111111aaa".into(),
            head: "2222222bbb".into(),
            status: "ahead".into(),
            commits: (1..=25).map(commit).collect(),
            total: 30,
            html_url: String::new(),
        };
        let l = lines(&c);
        assert_eq!(l[0], "30 commit(s) 1111111 → 2222222 in acme/payments:");
        assert_eq!(l[1], "  0000019 change 25 (dev)");
        assert_eq!(l.len(), 1 + 20 + 1);
        assert_eq!(l[21], "  … and 10 more");
    }
}
