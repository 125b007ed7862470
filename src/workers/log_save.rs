//! `:save PATH`: writes the kept log lines, with their time, task and revision, to a file, off
//! the loop. The buffer it writes is the one the reducer handed over when asked (its blocks
//! shared, not copied), so the lines keep coming in while it writes.
//!
//! A save never harms what is there: an existing file is replaced only for `:save!`, a
//! symbolic link is never followed (nor replaced), and the lines go to a new 0600 file in the
//! same directory that is renamed over the name only once it is whole, so a failed write
//! leaves the old file as it was. The path said is the absolute one.

use crate::state::Msg;
use crate::state::logs::{LogSave, SaveError, Saved, export_line};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;

pub async fn save(job: LogSave, tx: mpsc::Sender<Msg>) {
    let result = tokio::task::spawn_blocking(move || write(&job))
        .await
        .unwrap_or_else(|e| Err(SaveError::Stopped(e.to_string())));
    let _ = tx.send(Msg::LogSaved(result)).await;
}

/// Writes the file; says what was written, or why not.
pub fn write(job: &LogSave) -> Result<Saved, SaveError> {
    let path = std::path::absolute(&job.path).map_err(|cause| SaveError::Io {
        path: job.path.clone(),
        cause,
    })?;
    let lines = replace_with(&path, job.replace, |out| write_lines(job, out))?;
    Ok(Saved { lines, path })
}

/// The header, then each kept line; how many lines.
fn write_lines(job: &LogSave, out: &mut dyn Write) -> io::Result<usize> {
    writeln!(out, "{}", job.header)?;
    let buf = &job.buf;
    let mut n = 0;
    let all = buf.first_seq()..buf.end_seq();
    let seqs: Box<dyn Iterator<Item = u64>> = match &job.only {
        Some(v) => Box::new(v.iter().copied()),
        None => Box::new(all),
    };
    for seq in seqs {
        let Some(l) = buf.get(seq) else { continue };
        writeln!(out, "{}", export_line(&l))?;
        n += 1;
    }
    Ok(n)
}

/// Puts what `fill` writes at `path` (absolute), through a new file beside it: refused when
/// `path` is a symbolic link or not a regular file, or exists and `replace` is false.
pub fn replace_with<T>(
    path: &Path,
    replace: bool,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<T>,
) -> Result<T, SaveError> {
    let io_err = |cause| SaveError::Io {
        path: path.to_path_buf(),
        cause,
    };
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => return Err(SaveError::Symlink(path.into())),
        Ok(m) if !m.is_file() => return Err(SaveError::NotAFile(path.into())),
        Ok(_) if !replace => return Err(SaveError::Exists(path.into())),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(e)),
    }
    let (tmp, file) = temp_beside(path).map_err(io_err)?;
    let written = fill_and_sync(file, fill).and_then(|v| {
        put_in_place(&tmp, path, replace)?;
        Ok(v)
    });
    match written {
        Ok(v) => Ok(v),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(match e.kind() {
                io::ErrorKind::AlreadyExists => SaveError::Exists(path.into()),
                _ => io_err(e),
            })
        }
    }
}

fn fill_and_sync<T>(
    file: File,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<T>,
) -> io::Result<T> {
    let mut out = io::BufWriter::new(file);
    let v = fill(&mut out)?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(v)
}

/// A new file in `path`'s directory, readable by its owner only. `create_new` never opens an
/// existing file, and `O_NOFOLLOW` never a symbolic link.
fn temp_beside(path: &Path) -> io::Result<(PathBuf, File)> {
    let dir = path.parent().unwrap_or(Path::new("/"));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let mut last = None;
    for attempt in 0..16u32 {
        let tmp = dir.join(format!(
            ".{}.{}-{attempt}.deckwatch-tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let opened = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&tmp);
        match opened {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no temporary name free")))
}

/// Gives the whole new file its name. Replacing, a rename swaps it in at once (a link that
/// appeared meanwhile is replaced, never written through); otherwise a hard link, which fails
/// if the name was taken meanwhile, then the temporary name goes.
fn put_in_place(tmp: &Path, path: &Path, replace: bool) -> io::Result<()> {
    if replace {
        return std::fs::rename(tmp, path);
    }
    std::fs::hard_link(tmp, path)?;
    std::fs::remove_file(tmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_that_fails_leaves_the_old_file_and_no_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kept.log");
        std::fs::write(&path, "old\n").unwrap();
        let e = replace_with(&path, true, |out| {
            out.write_all(b"half of the new")?;
            Err::<(), _>(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(e.to_string().contains("disk full"), "{e}");
        assert!(e.to_string().contains("nothing was changed"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_directory_or_a_name_taken_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let e = replace_with(dir.path(), true, |_| Ok(())).unwrap_err();
        assert!(matches!(e, SaveError::NotAFile(_)), "{e}");
        let path = dir.path().join("x");
        replace_with(&path, false, |out| out.write_all(b"one")).unwrap();
        let e = replace_with(&path, false, |out| out.write_all(b"two")).unwrap_err();
        assert!(matches!(e, SaveError::Exists(_)), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
    }
}
