//! Volume directories on disk: removal and the space they take.

use berth_model::ApiError;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

pub(super) fn remove_tree(dir: &Path) -> Result<(), ApiError> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(ApiError::internal(format!(
            "cannot remove {}: {e}",
            dir.display()
        ))),
    }
}

/// Bytes held by the regular files under `dir` (each hard-linked inode once), as Docker
/// counts a volume's size; symlinks are not followed.
pub(crate) fn usage(dir: &Path) -> u64 {
    let mut seen = std::collections::HashSet::new();
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(md) = e.path().symlink_metadata() else {
                continue;
            };
            if md.is_dir() {
                stack.push(e.path());
            } else if md.is_file() && seen.insert((md.dev(), md.ino())) {
                total += md.len();
            }
        }
    }
    total
}
