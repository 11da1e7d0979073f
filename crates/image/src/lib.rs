//! berth's image store: `import`, `load` and `save` of images, tags and `rmi`, layers
//! unpacked once into content-addressed directories and shared, and the overlayfs root
//! filesystem of each container. See [`store`] for the on-disk layout.

pub mod build;
mod changes;
pub mod config;
mod error;
mod extract;
mod fsutil;
mod history;
mod import;
mod layer;
mod load;
mod mount;
pub mod reference;
mod remove;
mod save;
mod store;

#[doc(hidden)]
pub mod testing;

#[cfg(test)]
mod tests;

pub use config::{ContainerConfig, ImageConfigFile};
pub use error::ImageError;
pub use history::HistoryItem;
pub use import::BUILDER_VERSION;
pub use mount::{mount_rootfs, overlay_options, unmount_rootfs};
pub use remove::{DeleteItem, ImageUser};
pub use store::{parse_tag_target, short_id, ImageRecord, ImageStore};
