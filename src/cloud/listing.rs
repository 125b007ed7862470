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
