//! Container endpoints on bridge networks: the addresses each network has handed out, the
//! kernel steps that plug a container in and out (with rollback), `network connect` and
//! `disconnect`, and the repair of endpoints after a crash.
//!
//! The store holds endpoints only inside container records; the address books here are
//! rebuilt from those records at start, so there is one truth and a crash cannot leak an
//! address or hand one out twice.

mod attachments;
mod connect;
mod plug;
mod reconcile;
mod registry;

pub(crate) use registry::Registry;
