//! Build steps committed as images: each step's image records its parent and a key of what
//! the step did, so a rebuild finds it (` ---> Using cache`) as the classic builder's cache
//! finds an image by parent and run config.

use crate::error::ImageError;
use crate::fsutil::sha256_hex;
use crate::store::{ImageStore, PendingLayer};

/// The cache key of a step: its parent, what it did, and the config it leaves.
pub fn step_key(parent: Option<&str>, created_by: &str, config_json: &[u8]) -> String {
    let mut data = Vec::new();
    data.extend_from_slice(parent.unwrap_or("").as_bytes());
    data.push(0);
    data.extend_from_slice(created_by.as_bytes());
    data.push(0);
    data.extend_from_slice(config_json);
    sha256_hex(&data)
}

impl ImageStore {
    /// The image an earlier build made from `parent` with the same step, if it is still here.
    pub(crate) fn cached_step(&self, parent: Option<&str>, key: &str) -> Option<String> {
        let state = self.read_state();
        state
            .images
            .iter()
            .find(|(_, img)| {
                img.entry.parent.as_deref() == parent && img.entry.build_key.as_deref() == Some(key)
            })
            .map(|(id, _)| id.clone())
    }

    /// Commits a step's image (untagged) with its parent and cache key.
    pub(crate) fn commit_step(
        &self,
        config_bytes: &[u8],
        layer: Option<PendingLayer>,
        parent: Option<&str>,
        key: &str,
    ) -> Result<String, ImageError> {
        let step = Some((parent.map(String::from), key.to_string()));
        let (id, _) =
            self.commit_image_with(config_bytes, layer.into_iter().collect(), &[], step)?;
        Ok(id)
    }
}
