//! Writes a whole file only its owner may read (0600), as one step: through a temporary file
//! beside it that is then linked or renamed into place, so a reader never sees half a file.
//! An existing file is replaced only when asked, and a symlink at the path is never followed
//! nor written through.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("it exists")]
    Exists,
    #[error("it is a symlink")]
    Symlink,
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Writes `bytes` to `path`, replacing a regular file there only when `overwrite`.
pub fn write(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), WriteError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => return Err(WriteError::Symlink),
        Ok(_) if !overwrite => return Err(WriteError::Exists),
        Ok(m) if !m.is_file() => {
            return Err(WriteError::Io(io::Error::other("it is not a regular file")));
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    let temp = temp_beside(path);
    let result = write_temp(&temp, bytes).and_then(|()| place(&temp, path, overwrite));
    let _ = std::fs::remove_file(&temp);
    result
}

fn temp_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    path.with_file_name(format!(".{name}.{}.{nanos}.tmp", std::process::id()))
}

fn write_temp(temp: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(temp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// Without `overwrite`, a hard link: it fails if a file appeared at `path` meanwhile. With it,
/// a rename, which replaces the entry itself (a symlink put there since is replaced, not
/// followed).
fn place(temp: &Path, path: &Path, overwrite: bool) -> Result<(), WriteError> {
    if overwrite {
        std::fs::rename(temp, path)?;
        return Ok(());
    }
    match std::fs::hard_link(temp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(WriteError::Exists),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn a_new_file_is_0600_and_an_old_one_stays_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pm.md");
        write(&p, b"one", false).unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().mode() & 0o777, 0o600);
        assert!(matches!(write(&p, b"two", false), Err(WriteError::Exists)));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "one");
        write(&p, b"two", true).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_symlink_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.path().join("link.md");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        for overwrite in [false, true] {
            assert!(matches!(
                write(&link, b"x", overwrite),
                Err(WriteError::Symlink)
            ));
        }
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    }
}
