use crate::model::At;

/// Scan findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Findings {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub informational: u32,
}

impl Findings {
    pub fn total(&self) -> u32 {
        self.critical + self.high + self.medium + self.low + self.informational
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    pub repository: String,
    /// Tags of this digest; empty for an untagged image.
    pub tags: Vec<String>,
    pub digest: String,
    pub pushed_at: At,
    pub size_bytes: u64,
    /// None when the image was never scanned.
    pub findings: Option<Findings>,
    /// Services whose task definitions or running tasks use this image.
    pub used_by: Vec<String>,
}

impl Image {
    /// `sha256:` and the first 12 hex digits.
    pub fn short_digest(&self) -> &str {
        let end = self
            .digest
            .char_indices()
            .nth(19)
            .map_or(self.digest.len(), |(i, _)| i);
        &self.digest[..end]
    }
}
