//! Networks: the persisted record, its driver, and the typed bridge options parsed from
//! the `com.docker.network.*` option strings once, at create.

pub mod bridge_options;
pub mod driver;
pub mod names;
pub mod plan;
pub mod record;

pub use bridge_options::{parse_go_bool, BridgeSettings};
pub use driver::Driver;
pub use record::Network;
