//! A listing that may be partial: one cluster that does not exist, or one page that does not
//! parse, leaves out only its own rows. The rest are shown with what failed, named.

use crate::model::{ApiError, ApiResult};

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

    /// The rows, when there are any or nothing failed; else the failure, so a listing that
    /// read nothing at all is an error as before.
    pub fn lenient(self) -> ApiResult<Vec<T>> {
        match self.failed {
            Some(e) if self.items.is_empty() => Err(e.whole()),
            _ => Ok(self.items),
        }
    }
}

/// One error naming every cluster that could not be read, with why.
pub fn clusters_failed(mut failed: Vec<(String, ApiError)>, total: usize) -> Option<ApiError> {
    if total == 1 {
        // The one cluster: its error as it is.
        return failed.pop().map(|(_, e)| e);
    }
    let (_, first) = failed.first()?;
    let kind = first.kind.clone();
    let what = failed
        .iter()
        .map(|(c, e)| format!("cluster {c}: {}", e.message))
        .collect::<Vec<_>>()
        .join("; ");
    let message = if failed.len() == total {
        what
    } else {
        format!("{} of {total} clusters not read: {what}", failed.len())
    };
    Some(ApiError::new(kind, message))
}
