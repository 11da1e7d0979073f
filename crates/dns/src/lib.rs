//! berth's embedded DNS, Docker's 127.0.0.11 done per container:
//! - [`TableBuilder`] / [`NameTable`]: who is on which network under which names, built by the
//!   engine and [`DnsServer::publish`]ed whole; [`NameTable::lookup`] applies moby's rules.
//! - a hand-written wire codec for the hot path (A/AAAA/PTR for known names answered without
//!   allocating beyond the output buffer), parsing defensively: bounded names and labels,
//!   compression pointers only backwards, every read bounds-checked;
//! - [`DnsServer`]: per container a UDP loop (recvmmsg/sendmmsg batches) and a TCP listener on
//!   sockets opened inside its namespace by [`open_sockets`]; names not ours are forwarded from
//!   the daemon's namespace with Docker's bounds (3 upstreams, 4 s, 1024 in flight).

mod config;
mod error;
mod forward;
mod lookup;
#[cfg(test)]
mod lookup_tests;
mod respond;
mod rng;
mod server;
mod table;
pub mod wire;

pub use config::{ForwardConfig, Limits, MAX_UPSTREAMS};
pub use error::DnsError;
pub use lookup::{reverse_addr, Answer};
pub use respond::{handle_request, ForwardJob, Outcome, Transport, TCP_MAX};
pub use server::sockets::{open_sockets, Sockets, RESOLVER_ADDR};
pub use server::DnsServer;
pub use table::{NameTable, TableBuilder};

#[doc(hidden)]
pub mod testing {
    //! For this crate's integration tests: bind the resolver's sockets in the calling thread's
    //! namespace (a test's private one) without a netns file.
    pub fn bind_resolver_here() -> std::io::Result<crate::Sockets> {
        crate::server::sockets::bind_resolver(53)
    }
}
