//! `:save PATH`: writes the kept log lines, with their time, task and revision, to a file, off
//! the loop. The buffer it writes is the one the reducer handed over when asked (its blocks
//! shared, not copied), so the lines keep coming in while it writes.

use crate::state::Msg;
use crate::state::logs::{LogSave, SaveError, Saved, export_line};
use std::io::Write;
use tokio::sync::mpsc;

pub async fn save(job: LogSave, tx: mpsc::Sender<Msg>) {
    let result = tokio::task::spawn_blocking(move || write(&job))
        .await
        .unwrap_or_else(|e| Err(SaveError::Stopped(e.to_string())));
    let _ = tx.send(Msg::LogSaved(result)).await;
}

/// Writes the file; says what was written, or why not.
pub fn write(job: &LogSave) -> Result<Saved, SaveError> {
    let path = &job.path;
    let what = |cause: std::io::Error| SaveError::Write {
        path: path.clone(),
        cause,
    };
    let file = std::fs::File::create(path).map_err(what)?;
    let mut out = std::io::BufWriter::new(file);
    writeln!(out, "{}", job.header).map_err(what)?;
    let buf = &job.buf;
    let mut n = 0;
    let all = buf.first_seq()..buf.end_seq();
    let seqs: Box<dyn Iterator<Item = u64>> = match &job.only {
        Some(v) => Box::new(v.iter().copied()),
        None => Box::new(all),
    };
    for seq in seqs {
        let Some(l) = buf.get(seq) else { continue };
        writeln!(out, "{}", export_line(&l)).map_err(what)?;
        n += 1;
    }
    out.flush().map_err(what)?;
    Ok(Saved {
        lines: n,
        path: path.clone(),
    })
}
