//! A container's root filesystem: overlayfs with the image layers read-only below (top layer
//! first in `lowerdir`) and the container's own upper and work directories.

use crate::error::ImageError;
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use std::path::{Path, PathBuf};

/// The kernel copies mount options into one page; the options string must fit in it.
const MAX_OPTIONS_LEN: usize = 4095;

/// Mounts `merged`. `layers` is top layer first, as [`crate::ImageStore::layer_dirs`] returns
/// them. An image without layers gets an empty lower directory next to `upper`.
pub fn mount_rootfs(
    layers: &[PathBuf],
    upper: &Path,
    work: &Path,
    merged: &Path,
) -> Result<(), ImageError> {
    let mut lowers: Vec<PathBuf> = layers.to_vec();
    if lowers.is_empty() {
        let empty = upper.parent().unwrap_or(Path::new("/")).join("empty-lower");
        std::fs::create_dir_all(&empty)
            .map_err(|e| ImageError::Mount(format!("creating {}: {e}", empty.display())))?;
        lowers.push(empty);
    }
    for d in [upper, work, merged] {
        std::fs::create_dir_all(d)
            .map_err(|e| ImageError::Mount(format!("creating {}: {e}", d.display())))?;
    }
    let options = overlay_options(&lowers, upper, work)?;
    mount(
        Some("overlay"),
        merged,
        Some("overlay"),
        MsFlags::empty(),
        Some(options.as_str()),
    )
    .map_err(|e| ImageError::Mount(format!("mounting overlay on {}: {e}", merged.display())))
}

/// The options string, refused when it would not fit in the kernel's page.
pub fn overlay_options(
    lowers: &[PathBuf],
    upper: &Path,
    work: &Path,
) -> Result<String, ImageError> {
    for p in lowers.iter().map(|p| p.as_path()).chain([upper, work]) {
        let s = p.to_string_lossy();
        if s.contains(',') || s.contains(':') {
            return Err(ImageError::Mount(format!(
                "overlay paths may not contain ',' or ':': {s}"
            )));
        }
    }
    let lower = lowers
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(":");
    let options = format!(
        "lowerdir={lower},upperdir={},workdir={}",
        upper.display(),
        work.display()
    );
    if options.len() > MAX_OPTIONS_LEN {
        return Err(ImageError::Mount(format!(
            "the image has too many layers ({}) for one overlay mount: the mount options take {} bytes, more than the kernel's {} (one page)",
            lowers.len(),
            options.len(),
            MAX_OPTIONS_LEN
        )));
    }
    Ok(options)
}

/// Unmounts a root filesystem mounted by [`mount_rootfs`]; not mounted is not an error.
pub fn unmount_rootfs(merged: &Path) -> Result<(), ImageError> {
    match umount2(merged, MntFlags::MNT_DETACH) {
        Ok(()) | Err(nix::errno::Errno::EINVAL) | Err(nix::errno::Errno::ENOENT) => Ok(()),
        Err(e) => Err(ImageError::Mount(format!(
            "unmounting {}: {e}",
            merged.display()
        ))),
    }
}
