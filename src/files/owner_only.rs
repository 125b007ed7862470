//! Files only their owner may read: the audit log, its unsent records and the debug log. They
//! name accounts, services and who did what, so they are created 0600 in directories made
//! 0700, and ones an older version left readable by others are tightened when opened.

use std::fs::{DirBuilder, File, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

pub const FILE_MODE: u32 = 0o600;
pub const DIR_MODE: u32 = 0o700;

/// Creates `dir` and its missing parents 0700, and makes `dir` itself 0700 if it was there
/// already and is ours (a parent such as `~/.local/share` is left as it is).
pub fn create_dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    tighten(dir, DIR_MODE)
}

/// Opens `path` for appending, creating it 0600 (and its directory 0700).
pub fn open_append(path: &Path) -> io::Result<File> {
    open(path, OpenOptions::new().create(true).append(true))
}

/// Opens `path` for writing from the start, creating it 0600 (and its directory 0700).
pub fn open_truncate(path: &Path) -> io::Result<File> {
    open(
        path,
        OpenOptions::new().create(true).write(true).truncate(true),
    )
}

fn open(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    let file = options.mode(FILE_MODE).open(path)?;
    let meta = file.metadata()?;
    if meta.mode() & 0o077 != 0 && meta.uid() == current_uid() {
        file.set_permissions(Permissions::from_mode(FILE_MODE))?;
    }
    Ok(file)
}

/// Narrows the mode of `path` to `mode` when others or the group may use it and we own it.
fn tighten(path: &Path, mode: u32) -> io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.mode() & 0o077 != 0 && meta.uid() == current_uid() {
        std::fs::set_permissions(path, Permissions::from_mode(mode))?;
    }
    Ok(())
}

fn current_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().mode() & 0o777
    }

    #[test]
    fn new_files_are_0600_in_0700_directories() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("a/b/audit.jsonl");
        open_append(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&root.path().join("a/b")), 0o700);
        assert_eq!(mode(&root.path().join("a")), 0o700);
    }

    #[test]
    fn files_and_directories_left_open_are_tightened() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("deckwatch");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, Permissions::from_mode(0o755)).unwrap();
        let path = dir.join("deckwatch.log");
        std::fs::write(&path, "old\n").unwrap();
        std::fs::set_permissions(&path, Permissions::from_mode(0o644)).unwrap();
        open_append(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
    }
}
