//! The engine's view of the image store.

use berth_engine::containers::deps::{Images, ResolvedImage};
use berth_image::ImageStore;
use berth_model::container::create::ImageDefaults;
use berth_model::container::ports::PortProto;
use berth_model::ApiError;
use std::path::Path;
use std::sync::Arc;

pub struct StoreImages(pub Arc<ImageStore>);

impl Images for StoreImages {
    fn resolve(&self, reference: &str) -> Result<ResolvedImage, ApiError> {
        let record = self.0.resolve(reference).map_err(ApiError::from)?;
        let c = &record.config;
        let exposed_ports = c
            .exposed_ports
            .iter()
            .flat_map(|m| m.keys())
            .filter_map(|k| PortProto::parse(k).ok())
            .collect();
        Ok(ResolvedImage {
            id: record.id.clone(),
            defaults: ImageDefaults {
                env: c.env.clone().unwrap_or_default(),
                cmd: c.cmd.clone(),
                entrypoint: c.entrypoint.clone(),
                working_dir: c.working_dir.clone(),
                user: c.user.clone(),
                exposed_ports,
                labels: c.labels.clone().unwrap_or_default(),
                stop_signal: c.stop_signal.clone(),
                volumes: c.volumes.iter().flat_map(|m| m.keys().cloned()).collect(),
            },
        })
    }

    fn mount_rootfs(
        &self,
        image_id: &str,
        upper: &Path,
        work: &Path,
        merged: &Path,
    ) -> Result<(), ApiError> {
        let layers = self.0.layer_dirs(image_id).map_err(ApiError::from)?;
        berth_image::mount_rootfs(&layers, upper, work, merged).map_err(ApiError::from)
    }

    fn unmount_rootfs(&self, merged: &Path) -> Result<(), ApiError> {
        berth_image::unmount_rootfs(merged).map_err(ApiError::from)
    }
}
