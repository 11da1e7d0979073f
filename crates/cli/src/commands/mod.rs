//! One module per command.

pub mod info;
pub mod inspect;
pub mod network;
pub mod version;
