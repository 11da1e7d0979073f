//! An image's root filesystem mounted for a build step (overlayfs over its layers with a
//! scratch upper directory in the store's tmp/), unmounted when dropped, before its
//! directory is removed, so a removal can never reach through the mount into the layers.

use crate::error::ImageError;
use crate::fsutil::TempDir;
use crate::store::ImageStore;
use std::path::{Path, PathBuf};

pub(super) struct MountedImage {
    merged: PathBuf,
    upper: PathBuf,
    mounted: bool,
    _dir: TempDir,
}

impl MountedImage {
    /// `image_id` None is an empty root (FROM scratch).
    pub fn mount(store: &ImageStore, image_id: Option<&str>) -> Result<MountedImage, ImageError> {
        let dir = store.tmp_dir()?;
        let (upper, work, merged) = (
            dir.path().join("upper"),
            dir.path().join("work"),
            dir.path().join("merged"),
        );
        let layers = match image_id {
            Some(id) => store.layer_dirs(id)?,
            None => Vec::new(),
        };
        crate::mount::mount_rootfs(&layers, &upper, &work, &merged)?;
        Ok(MountedImage {
            merged,
            upper,
            mounted: true,
            _dir: dir,
        })
    }

    pub fn root(&self) -> &Path {
        &self.merged
    }

    /// Unmounts; the upper directory (what changed) stays readable until drop.
    pub fn unmount(&mut self) -> Result<&Path, ImageError> {
        if self.mounted {
            crate::mount::unmount_rootfs(&self.merged)?;
            self.mounted = false;
        }
        Ok(&self.upper)
    }
}

impl Drop for MountedImage {
    fn drop(&mut self) {
        if self.mounted {
            if let Err(e) = crate::mount::unmount_rootfs(&self.merged) {
                tracing::error!(path = %self.merged.display(), error = %e, "cannot unmount a build root");
            }
        }
    }
}
