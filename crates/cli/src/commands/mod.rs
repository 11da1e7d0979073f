//! One module per command.

pub mod container;
pub mod events;
pub mod image;
pub mod info;
pub mod inspect;
pub mod network;
pub mod version;
pub mod volume;
