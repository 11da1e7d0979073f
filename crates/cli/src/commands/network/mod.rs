//! `berth network ...`

pub mod create;
pub mod inspect;
mod ipam_flags;
pub mod ls;
pub mod prune;
pub mod rm;
