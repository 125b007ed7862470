//! `:export timeline`: writes the post-mortem draft off the loop, owner-only, in one step,
//! never over a file without `!` and never through a symlink.

use crate::files::private_write::{WriteError, write};
use crate::state::Msg;
use crate::state::timeline::export::{Export, ExportError};
use tokio::sync::mpsc;

pub async fn save(job: Export, tx: mpsc::Sender<Msg>) {
    let result = tokio::task::spawn_blocking(move || save_now(&job))
        .await
        .unwrap_or_else(|e| {
            Err(ExportError::Io {
                path: String::new(),
                cause: e.to_string(),
            })
        });
    let _ = tx.send(Msg::Exported(result)).await;
}

/// Writes the draft; says where, or why not.
pub fn save_now(job: &Export) -> Result<String, ExportError> {
    let shown = job.path.display().to_string();
    match write(&job.path, job.text.as_bytes(), job.overwrite) {
        Ok(()) => Ok(format!(
            "export: wrote the post-mortem draft to {shown} ({} lines, 0600)",
            job.text.lines().count()
        )),
        Err(WriteError::Exists) => Err(ExportError::Exists(shown)),
        Err(WriteError::Symlink) => Err(ExportError::Symlink(shown)),
        Err(WriteError::Io(e)) => Err(ExportError::Io {
            path: shown,
            cause: e.to_string(),
        }),
    }
}
