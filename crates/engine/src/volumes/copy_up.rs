//! Docker's copy-up: the first time an empty volume is mounted over a path the image has
//! content at, that content is copied into the volume (ownership, modes and links kept).

use berth_model::ApiError;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

/// Copies `rootfs/dest` into `volume` when the volume is empty and the image has a
/// directory there. A symlink anywhere on the path stops the copy: resolved on the host it
/// could point outside the container's root.
pub(crate) fn copy_image_content(rootfs: &Path, dest: &str, volume: &Path) -> Result<(), ApiError> {
    let Some(src) = inside_without_links(rootfs, dest) else {
        return Ok(());
    };
    let Ok(md) = src.symlink_metadata() else {
        return Ok(());
    };
    if !md.is_dir() || !is_empty_dir(volume) {
        return Ok(());
    }
    copy_tree(&src, volume).map_err(|e| {
        ApiError::internal(format!(
            "cannot copy the image's content at {dest} into its volume: {e}"
        ))
    })?;
    copy_owner_and_mode(&md, volume)
        .map_err(|e| ApiError::internal(format!("cannot copy ownership of {dest}: {e}")))
}

fn inside_without_links(rootfs: &Path, dest: &str) -> Option<PathBuf> {
    let mut p = rootfs.to_path_buf();
    for c in Path::new(dest).components() {
        match c {
            Component::Normal(n) => {
                p.push(n);
                if p.symlink_metadata().ok()?.file_type().is_symlink() {
                    return None;
                }
            }
            Component::RootDir | Component::CurDir => {}
            _ => return None,
        }
    }
    Some(p)
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
}

fn copy_owner_and_mode(md: &std::fs::Metadata, to: &Path) -> std::io::Result<()> {
    std::os::unix::fs::lchown(to, Some(md.uid()), Some(md.gid()))?;
    if !md.file_type().is_symlink() {
        std::fs::set_permissions(to, std::fs::Permissions::from_mode(md.mode() & 0o7777))?;
    }
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let src = entry.path();
        let dst = to.join(entry.file_name());
        let md = src.symlink_metadata()?;
        let ft = md.file_type();
        if ft.is_dir() {
            std::fs::create_dir(&dst)?;
            copy_tree(&src, &dst)?;
        } else if ft.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src)?, &dst)?;
        } else if ft.is_file() {
            std::fs::copy(&src, &dst)?;
        } else {
            // devices, fifos and sockets: nothing an image usually ships under a volume path
            continue;
        }
        copy_owner_and_mode(&md, &dst)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_into_empty_volumes_only() {
        let root = tempfile::tempdir().unwrap();
        let vol = tempfile::tempdir().unwrap();
        let data = root.path().join("data/sub");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(data.join("f"), "hello").unwrap();
        std::os::unix::fs::symlink("f", data.join("l")).unwrap();
        copy_image_content(root.path(), "/data", vol.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(vol.path().join("sub/f")).unwrap(),
            "hello"
        );
        assert_eq!(
            std::fs::read_link(vol.path().join("sub/l")).unwrap(),
            Path::new("f")
        );
        std::fs::write(data.join("g"), "later").unwrap();
        copy_image_content(root.path(), "/data", vol.path()).unwrap();
        assert!(
            !vol.path().join("sub/g").exists(),
            "a filled volume is left alone"
        );
    }

    #[test]
    fn symlinked_paths_are_not_followed() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("data")).unwrap();
        let vol = tempfile::tempdir().unwrap();
        copy_image_content(root.path(), "/data", vol.path()).unwrap();
        assert!(is_empty_dir(vol.path()));
    }
}
