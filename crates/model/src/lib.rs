//! berth's pure model: everything here is computation on values, with no syscalls,
//! so it can be unit- and property-tested exhaustively.

pub mod container;
pub mod endpoint;
pub mod error;
pub mod events;
pub mod filters;
pub mod ids;
pub mod ipam;
pub mod json_syntax;
pub mod network;
pub mod time;
pub mod volume;

pub use error::{ApiError, ErrorKind};
