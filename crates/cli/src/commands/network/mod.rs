//! `berth network ...`

pub mod connect;
pub mod create;
pub mod disconnect;
pub mod inspect;
mod ipam_flags;
pub mod ls;
pub mod prune;
pub mod rm;

#[cfg(test)]
mod tests;
