//! A listing that may be partial: one cluster that does not exist, or one page that does not
//! parse, leaves out only its own rows. The rest are shown with what failed, named. (Both
//! backends, AWS and GitHub, answer with it.)

use super::{ApiError, ApiResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Listing<T> {
    pub items: Vec<T>,
    /// What could not be read, marked partial; None when the listing is whole.
    pub failed: Option<ApiError>,
}

impl<T> Listing<T> {
    pub fn whole(items: Vec<T>) -> Self {
        Self {
            items,
            failed: None,
        }
    }

    /// The rows read, with `failed` (marked partial) when some could not be.
    pub fn partial(items: Vec<T>, failed: Option<ApiError>) -> Self {
        Self {
            items,
            failed: failed.map(ApiError::partial),
        }
    }

    /// The rows read with what failed, or the failure alone when nothing at all was read: a
    /// listing that read nothing must not replace the rows a pane shows.
    pub fn or_failure(items: Vec<T>, failed: Option<ApiError>) -> ApiResult<Self> {
        match failed {
            Some(e) if items.is_empty() => Err(e.whole()),
            failed => Ok(Self::partial(items, failed)),
        }
    }

    /// The rows read from `parts` (clusters, repositories) each with its result, and what failed
    /// named part by part: see [`parts_failed`].
    pub fn of_parts(part: Part, parts: Vec<(String, ApiResult<Vec<T>>)>) -> ApiResult<Self> {
        let total = parts.len();
        let mut items = Vec::new();
        let mut failed = Vec::new();
        for (name, result) in parts {
            match result {
                Ok(rows) => items.extend(rows),
                Err(e) => failed.push((name, e)),
            }
        }
        Self::or_failure(items, parts_failed(part, failed, total))
    }

    /// The rows, when there are any or nothing failed; else the failure, so a listing that
    /// read nothing at all is an error as before.
    pub fn lenient(self) -> ApiResult<Vec<T>> {
        match self.failed {
            Some(e) if self.items.is_empty() => Err(e.whole()),
            _ => Ok(self.items),
        }
    }
}

/// What a listing is read in parts of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Cluster,
    Repository,
}

impl Part {
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Part::Cluster => ("cluster", "clusters"),
            Part::Repository => ("repository", "repositories"),
        }
    }
}

/// What could not be read of `total` parts, each named with its error: `1 of 2 clusters not
/// read: cluster nope: …`. The lone part's error as it is; None when nothing failed.
pub fn parts_failed(
    part: Part,
    mut failed: Vec<(String, ApiError)>,
    total: usize,
) -> Option<ApiError> {
    if total == 1 {
        return failed.pop().map(|(_, e)| e);
    }
    let (_, first) = failed.first()?;
    let kind = first.kind.clone();
    let (one, many) = part.names();
    let what = failed
        .iter()
        .map(|(name, e)| format!("{one} {name}: {}", e.message))
        .collect::<Vec<_>>()
        .join("; ");
    let message = if failed.len() == total {
        what
    } else {
        format!("{} of {total} {many} not read: {what}", failed.len())
    };
    Some(ApiError::new(kind, message))
}

/// [`parts_failed`] of clusters.
pub fn clusters_failed(failed: Vec<(String, ApiError)>, total: usize) -> Option<ApiError> {
    parts_failed(Part::Cluster, failed, total)
}
