//! berth's firewall: the nftables table `inet berth` (NAT, published ports, isolation between
//! networks), with its companion `bridge berth` (traffic switched inside one bridge: ICC off
//! and links), rendered purely from the desired state (bridge networks, running containers'
//! published ports and links) and replaced whole in one atomic transaction on every change.
//! No other table is ever touched.
//!
//! - [`state`]: the desired state, built from the model's networks and containers;
//! - [`links`]: legacy links as rules of that state;
//! - [`render`]: that state as the `nftables` crate's JSON document (golden-file tested);
//! - [`delta`]: a change as element updates, the common case;
//! - [`apply`]: the document through `nft -j -f -`, and the watchdog's cheap check;
//! - [`driver`]: the seam the engine calls, real and recording.

pub mod apply;
pub mod delta;
pub mod driver;
pub mod links;
pub mod render;
pub mod render_bridge;
pub mod state;
pub mod sysctl;

pub use driver::{FirewallDriver, NftFirewall, RecordingFirewall};
pub use links::LinkRule;
pub use state::{FirewallState, NetworkRules, PortForward};

#[derive(Debug, thiserror::Error)]
pub enum FirewallError {
    #[error("cannot render the firewall rules: {0}")]
    Render(String),
    #[error("cannot run nft: {0}")]
    Spawn(std::io::Error),
    #[error("nft refused the firewall rules: {0}")]
    Nft(String),
    #[error("{0}")]
    Sysctl(String),
}
