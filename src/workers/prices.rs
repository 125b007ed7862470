//! The prices worker: a context's Fargate prices, read once a day. They are cached on disk
//! (`$XDG_STATE_HOME/deckwatch/prices/<region>.json`, beside the console's log), so a console
//! started again the same day makes no Price List call. A cache file that is stale, or that
//! does not read (cut short, another shape, another region), is said in the log and read
//! again from the API; a failed read falls back on a stale file, which is still an estimate.

use crate::budget::{Priority, with_priority};
use crate::cloud::Fleet;
use crate::model::cost::PriceTable;
use crate::model::{ApiError, At, Ms};
use crate::state::Msg;
use crate::timing::now_ms;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Prices are read again after a day.
pub const FRESH_MS: Ms = Ms::DAY;
/// How often the worker looks again (a failed read is retried this often).
const LOOK_AGAIN: Duration = Duration::from_secs(3_600);
/// The cache file's shape; another version is read again.
const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    /// Milliseconds since the epoch: the file keeps the number.
    read_at: i64,
    table: PriceTable,
}

/// What the cache held.
#[derive(Debug, Clone, PartialEq)]
pub enum Cached {
    Fresh(PriceTable),
    Stale(PriceTable),
    Missing,
    /// Why the file could not be used.
    Bad(String),
}

/// Why the cache could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Write(#[from] crate::files::private_write::WriteError),
    #[error("{0}")]
    Json(#[from] serde_json::Error),
}

/// Where the console keeps its prices: beside its log, in the state directory.
pub fn default_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "deckwatch")?;
    let dir = dirs.state_dir().unwrap_or(dirs.data_local_dir());
    Some(dir.join("prices"))
}

/// The cache file of `key` (a region's name); None for a key that is not a plain name.
fn file_of(dir: &Path, key: &str) -> Option<PathBuf> {
    let plain = !key.is_empty()
        && key.len() <= 32
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    plain.then(|| dir.join(format!("{key}.json")))
}

/// Reads the cache of `key` as it stands at `now`.
pub fn read_cache(dir: &Path, key: &str, now: At) -> Cached {
    let Some(path) = file_of(dir, key) else {
        return Cached::Missing;
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Cached::Missing,
        Err(e) => return Cached::Bad(format!("{}: {e}", path.display())),
    };
    let file: CacheFile = match serde_json::from_slice(&bytes) {
        Ok(f) => f,
        Err(e) => return Cached::Bad(format!("{}: {e}", path.display())),
    };
    if file.version != VERSION || file.table.region != key || file.table.is_empty() {
        return Cached::Bad(format!("{}: not a price table of {key}", path.display()));
    }
    let read_at = At(file.read_at);
    if now - read_at >= FRESH_MS || read_at > now {
        return Cached::Stale(file.table);
    }
    Cached::Fresh(file.table)
}

/// Writes the cache of `key` (0600, whole or not at all).
pub fn write_cache(dir: &Path, key: &str, table: &PriceTable, now: At) -> Result<(), CacheError> {
    let Some(path) = file_of(dir, key) else {
        return Ok(());
    };
    std::fs::create_dir_all(dir)?;
    let file = CacheFile {
        version: VERSION,
        read_at: now.millis(),
        table: table.clone(),
    };
    let bytes = serde_json::to_vec_pretty(&file)?;
    crate::files::private_write::write(&path, &bytes, true)?;
    Ok(())
}

/// The prices at `now`: the fresh cache, else the Price List (written to the cache), else a
/// stale cache.
pub async fn load(fleet: &dyn Fleet, dir: Option<&Path>, now: At) -> Result<PriceTable, ApiError> {
    let (Some(dir), Some(key)) = (dir, fleet.prices_cache_key()) else {
        return fleet.fargate_prices().await;
    };
    let stale = match read_cache(dir, &key, now) {
        Cached::Fresh(t) => return Ok(t),
        Cached::Stale(t) => {
            tracing::info!(region = %key, "the cached prices are a day old: reading them again");
            Some(t)
        }
        Cached::Missing => None,
        Cached::Bad(why) => {
            tracing::warn!(%why, "the cached prices could not be used: reading them again");
            None
        }
    };
    match fleet.fargate_prices().await {
        Ok(t) => {
            if let Err(e) = write_cache(dir, &key, &t, now) {
                tracing::warn!(error = %e, "the prices could not be cached");
            }
            Ok(t)
        }
        Err(e) => match stale {
            Some(t) => {
                tracing::warn!(error = %e.message, "prices not read: the stale cache is used");
                Ok(t)
            }
            None => Err(e),
        },
    }
}

/// Sends the context's prices, and again whenever they change: read once a day, a failed
/// read tried again an hour later. Calls are the background's.
pub async fn run(fleet: Arc<dyn Fleet>, tx: mpsc::Sender<Msg>, dir: Option<PathBuf>) {
    let mut last: Option<Result<PriceTable, ApiError>> = None;
    loop {
        let read = load(fleet.as_ref(), dir.as_deref(), now_ms());
        let answer = with_priority(Priority::Background, read).await;
        if last.as_ref() != Some(&answer) {
            last = Some(answer.clone());
            if tx.send(Msg::Prices(answer)).await.is_err() {
                return;
            }
        }
        tokio::time::sleep(LOOK_AGAIN).await;
    }
}
