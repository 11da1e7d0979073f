//! The DNS wire format, hand-written for the hot path: parse a query, build an answer, with no
//! allocation beyond the output buffer. Only what the embedded server needs; forwarded messages
//! are relayed as bytes.

pub mod build;
pub mod header;
pub mod name;
pub mod query;
pub mod truncate;
pub mod types;
