//! `docker import`: one root filesystem tarball becomes a one-layer image.

use crate::changes::apply_changes;
use crate::config::{host_architecture, ContainerConfig, ImageConfigFile, RootFs};
use crate::error::ImageError;
use crate::reference::Reference;
use crate::store::{now_rfc3339, ImageStore};
use std::io::Read;

/// What berth writes as `docker_version` in the configs it creates.
pub const BUILDER_VERSION: &str = concat!("berth-", env!("CARGO_PKG_VERSION"));

impl ImageStore {
    /// Imports a tarball (plain or gzip'd). `reference` is `REPO[:TAG]`; `changes` are
    /// Dockerfile instructions (`CMD ["sh"]`, `ENV A=1`, ...). Returns the image id.
    pub fn import(
        &self,
        tar: impl Read,
        reference: Option<&str>,
        changes: &[String],
        message: &str,
    ) -> Result<String, ImageError> {
        // everything that can be refused without the body is checked before reading it
        let tag = match reference.filter(|r| !r.is_empty()) {
            Some(r) => Some(crate::store::parse_tag_target(r, None)?),
            None => None,
        };
        let mut config = ContainerConfig::default();
        apply_changes(&mut config, changes)?;

        let layer = self.unpack_pending(tar)?;
        let created = now_rfc3339();
        let comment = if message.is_empty() {
            "Imported from -".to_string()
        } else {
            message.to_string()
        };
        let file = ImageConfigFile {
            architecture: host_architecture().into(),
            comment: message.to_string(),
            config: Some(config),
            created: Some(created.clone()),
            docker_version: BUILDER_VERSION.into(),
            history: Some(vec![
                serde_json::json!({ "created": created, "comment": comment }),
            ]),
            os: "linux".into(),
            rootfs: RootFs {
                kind: "layers".into(),
                diff_ids: vec![layer.diff_id.clone()],
            },
            ..Default::default()
        };
        let bytes = serde_json::to_vec(&file)
            .map_err(|e| ImageError::io("encoding image config", std::io::Error::other(e)))?;
        let tags: Vec<Reference> = tag.into_iter().collect();
        let (id, _) = self.commit_image(&bytes, vec![layer], &tags)?;
        Ok(id)
    }
}
