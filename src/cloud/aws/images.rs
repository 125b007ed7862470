//! ECR images: `describe_repositories` and `describe_images`, both paged, with the summary of
//! scan findings, joined to the services whose task definitions use them.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::cloud::aws::parse::{image_matches, millis};
use crate::model::{ApiResult, Findings, Image, Listing, Op, listing::Part};
use aws_sdk_ecr::types::{FindingSeverity, ImageDetail, Repository};
use futures::StreamExt;

/// Both list calls return at most 1000 a page.
const PAGE: i32 = 1000;
const CONCURRENCY: usize = 4;

/// One image and the URI of its repository, for joining with task definition images.
#[derive(Debug, Clone, PartialEq)]
pub struct RepoImage {
    pub repo_uri: String,
    pub image: Image,
}

/// The images one service refers to through its task definitions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceImages {
    pub service: String,
    pub images: Vec<String>,
}

pub async fn repositories(
    ecr: &aws_sdk_ecr::Client,
    gate: &CallGate,
) -> ApiResult<Vec<Repository>> {
    let mut repos = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = ecr
            .describe_repositories()
            .max_results(PAGE)
            .set_next_token(token.take())
            .send()
            .within(gate, Op::EcrDescribeRepositories)
            .await?;
        repos.extend(out.repositories().iter().cloned());
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(repos)
}

pub async fn images_of(
    ecr: &aws_sdk_ecr::Client,
    gate: &CallGate,
    repo: &str,
) -> ApiResult<Vec<ImageDetail>> {
    let mut images = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = ecr
            .describe_images()
            .repository_name(repo)
            .max_results(PAGE)
            .set_next_token(token.take())
            .send()
            .within(gate, Op::EcrDescribeImages)
            .await?;
        images.extend(out.image_details().iter().cloned());
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(images)
}

/// Scan findings by severity; `None` when the image was never scanned.
pub fn findings(d: &ImageDetail) -> Option<Findings> {
    let counts = d.image_scan_findings_summary()?.finding_severity_counts()?;
    let mut f = Findings::default();
    for (sev, n) in counts {
        let n = (*n).max(0) as u32;
        match sev {
            FindingSeverity::Critical => f.critical += n,
            FindingSeverity::High => f.high += n,
            FindingSeverity::Medium => f.medium += n,
            FindingSeverity::Low => f.low += n,
            _ => f.informational += n,
        }
    }
    Some(f)
}

pub fn map_image(repo: &str, d: &ImageDetail) -> Image {
    Image {
        repository: repo.to_string(),
        tags: d.image_tags().to_vec(),
        digest: d.image_digest().unwrap_or_default().to_string(),
        pushed_at: millis(d.image_pushed_at()),
        size_bytes: d.image_size_in_bytes().unwrap_or(0).max(0) as u64,
        findings: findings(d),
        used_by: Vec::new(),
    }
}

/// Every image of every repository, newest push first within a repository. A repository whose
/// images cannot be read (gone since the listing, denied by its policy) leaves out only its own.
pub async fn fetch(ecr: &aws_sdk_ecr::Client, gate: &CallGate) -> ApiResult<Listing<RepoImage>> {
    let repos = repositories(ecr, gate).await?;
    let calls: Vec<_> = repos
        .iter()
        .map(|r| async move {
            let name = r.repository_name().unwrap_or_default().to_string();
            let uri = r.repository_uri().unwrap_or_default().to_string();
            (name.clone(), repo_images(ecr, gate, name, uri).await)
        })
        .collect();
    let per_repo: Vec<_> = futures::stream::iter(calls)
        .buffered(CONCURRENCY)
        .collect()
        .await;
    Listing::of_parts(Part::Repository, per_repo)
}

async fn repo_images(
    ecr: &aws_sdk_ecr::Client,
    gate: &CallGate,
    name: String,
    uri: String,
) -> ApiResult<Vec<RepoImage>> {
    let mut images: Vec<RepoImage> = images_of(ecr, gate, &name)
        .await?
        .iter()
        .map(|d| RepoImage {
            repo_uri: uri.clone(),
            image: map_image(&name, d),
        })
        .collect();
    images.sort_by_key(|i| std::cmp::Reverse(i.image.pushed_at));
    Ok(images)
}

/// Fills `used_by` with the services whose task definition images name each image.
pub fn join_used_by(images: &mut [RepoImage], usage: &[ServiceImages]) {
    for ri in images {
        let mut users: Vec<String> = usage
            .iter()
            .filter(|u| {
                u.images
                    .iter()
                    .any(|i| image_matches(i, &ri.repo_uri, &ri.image.tags, &ri.image.digest))
            })
            .map(|u| u.service.clone())
            .collect();
        users.sort();
        users.dedup();
        ri.image.used_by = users;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::At;

    #[test]
    fn maps_scan_findings_by_severity() {
        use aws_sdk_ecr::types::ImageScanFindingsSummary;
        let detail = ImageDetail::builder()
            .repository_name("web")
            .image_digest("sha256:abc")
            .image_tags("v1")
            .image_size_in_bytes(42)
            .image_pushed_at(aws_smithy_types::DateTime::from_secs(10))
            .image_scan_findings_summary(
                ImageScanFindingsSummary::builder()
                    .finding_severity_counts(FindingSeverity::Critical, 1)
                    .finding_severity_counts(FindingSeverity::High, 2)
                    .finding_severity_counts(FindingSeverity::Medium, 3)
                    .finding_severity_counts(FindingSeverity::Low, 4)
                    .finding_severity_counts(FindingSeverity::Informational, 5)
                    .finding_severity_counts(FindingSeverity::Undefined, 1)
                    .build(),
            )
            .build();
        let img = map_image("web", &detail);
        assert_eq!(img.tags, vec!["v1"]);
        assert_eq!(img.size_bytes, 42);
        assert_eq!(img.pushed_at, At(10_000));
        assert_eq!(
            img.findings,
            Some(Findings {
                critical: 1,
                high: 2,
                medium: 3,
                low: 4,
                informational: 6
            })
        );
        let unscanned = ImageDetail::builder().image_digest("sha256:def").build();
        assert_eq!(map_image("web", &unscanned).findings, None);
    }

    #[test]
    fn joins_by_tag_and_digest() {
        let uri = "1.dkr.ecr.us-east-1.amazonaws.com/web";
        let img = |tag: &str, digest: &str| RepoImage {
            repo_uri: uri.into(),
            image: Image {
                repository: "web".into(),
                tags: vec![tag.into()],
                digest: digest.into(),
                pushed_at: At(0),
                size_bytes: 0,
                findings: None,
                used_by: Vec::new(),
            },
        };
        let mut images = vec![
            img("v1", "sha256:1"),
            img("v2", "sha256:2"),
            img("v3", "sha256:3"),
        ];
        let usage = vec![
            ServiceImages {
                service: "web".into(),
                images: vec![format!("{uri}:v1"), format!("{uri}:v2")],
            },
            ServiceImages {
                service: "web-canary".into(),
                images: vec![format!("{uri}@sha256:2")],
            },
        ];
        join_used_by(&mut images, &usage);
        assert_eq!(images[0].image.used_by, vec!["web"]);
        assert_eq!(images[1].image.used_by, vec!["web", "web-canary"]);
        assert!(images[2].image.used_by.is_empty());
    }
}
