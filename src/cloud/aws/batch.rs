//! Describe calls take a bounded number of ids; this splits a list into such batches and runs
//! a few at a time, keeping the order.

use crate::model::ApiResult;
use futures::{StreamExt, TryStreamExt};
use std::future::Future;

/// Runs `call` on `ids` in chunks of `size`, `concurrency` at a time, and joins the results in
/// order. The futures are built up front: a stream of closures over borrowed chunks trips the
/// compiler's `Send` check in `async_trait` methods.
pub async fn in_batches<T, F, Fut>(
    ids: &[String],
    size: usize,
    concurrency: usize,
    call: F,
) -> ApiResult<Vec<T>>
where
    F: Fn(Vec<String>) -> Fut,
    Fut: Future<Output = ApiResult<Vec<T>>>,
{
    let calls: Vec<Fut> = ids.chunks(size).map(|chunk| call(chunk.to_vec())).collect();
    let batches: Vec<Vec<T>> = futures::stream::iter(calls)
        .buffered(concurrency)
        .try_collect()
        .await?;
    Ok(batches.into_iter().flatten().collect())
}
