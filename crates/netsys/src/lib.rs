//! berth's kernel layer: bridges, container endpoints (veth pairs born inside the container's
//! namespace), links, addresses and routes over rtnetlink, and named network namespaces. The
//! engine talks to the [`Kernel`] trait; [`Netlink`] is the real thing and [`RecordingKernel`]
//! an in-memory fake for unit tests.
//!
//! Netlink messages are built with rtnetlink's builders and sent over a synchronous
//! `netlink_sys::Socket`; nothing here shells out to `ip` or forks.

mod endpoint;
mod error;
mod kernel;
mod netlink;
mod netns;
mod recording;

#[doc(hidden)]
pub mod testing;

pub use endpoint::{format_mac, EndpointSpec};
pub use error::NetsysError;
pub use kernel::{validate_link_name, BridgeSpec, Kernel, LinkInfo};
pub use netlink::{Netlink, STAGING_PREFIX};
pub use netns::{create_netns, delete_netns, in_netns};
pub use recording::{DefaultRoutes, RecordingKernel};
