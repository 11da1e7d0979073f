//! Opening the resolver's sockets inside a container's network namespace.
//!
//! Why 127.0.0.11:53 itself, where Docker binds 127.0.0.11 on a random port and installs
//! iptables DNAT/SNAT rules in every container's namespace to map port 53 onto it:
//! - 127.0.0.11 is already local in every namespace whose `lo` is up (the kernel gives `lo` all
//!   of 127.0.0.0/8), so the socket needs no rule at all to be reached;
//! - no firewall state per container: nothing to install, order, re-apply after a daemon restart
//!   or lose to a racing `iptables` (moby#20026, libnetwork#2625, where containers started in
//!   parallel silently lacked their DNAT rules and so had no DNS);
//! - the socket lives in the container's namespace, so only that container can reach it and the
//!   socket alone says who is asking.
//!
//! The price: a process in the container cannot bind port 53 on the wildcard address
//! (0.0.0.0:53) over TCP, since our listener holds 127.0.0.11:53 (a UDP server that sets
//! SO_REUSEADDR can, as ours sets it too; binding the container's own addresses works).
//! Docker's random port avoids that; if it matters, bind a random port here and add a DNAT rule
//! from 127.0.0.11:53 to it in the container's namespace.
//!
//! IP_FREEBIND lets the bind succeed even before `lo` is up, so the engine may open the sockets
//! at any point of the namespace's setup; queries arrive once `lo` is up.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

use crate::error::DnsError;

/// Docker's embedded resolver address.
pub const RESOLVER_ADDR: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 11);
/// Room for bursts: a few hundred queries queued while the loop is busy.
const UDP_RECV_BUFFER: usize = 1 << 20;
const TCP_BACKLOG: i32 = 128;

/// The resolver's two sockets in one container's namespace, non-blocking.
#[derive(Debug)]
pub struct Sockets {
    pub udp: std::net::UdpSocket,
    pub tcp: std::net::TcpListener,
}

/// Opens UDP and TCP sockets bound to 127.0.0.11:53 inside the network namespace at `netns` (a
/// bind-mounted netns path), on a short-lived thread that joins it, so no tokio worker ever
/// changes namespace. The sockets stay in that namespace wherever they are used from.
pub fn open_sockets(netns: &Path) -> Result<Sockets, DnsError> {
    berth_netsys::in_netns(netns, || bind_when_free(53))?.map_err(|source| DnsError::OpenSockets {
        netns: netns.to_path_buf(),
        source,
    })
}

/// [`bind_resolver`], waiting up to ~200 ms while the address is in use: a `DnsServer::stop` of
/// the same namespace just before may still be closing the previous sockets.
fn bind_when_free(port: u16) -> io::Result<Sockets> {
    let mut tries = 0;
    loop {
        match bind_resolver(port) {
            Err(e) if e.kind() == io::ErrorKind::AddrInUse && tries < 20 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            result => return result,
        }
    }
}

/// Binds the resolver's sockets in the calling thread's namespace.
pub(crate) fn bind_resolver(port: u16) -> io::Result<Sockets> {
    let addr: SocketAddr = (RESOLVER_ADDR, port).into();
    let udp = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    udp.set_reuse_address(true)?;
    udp.set_freebind_v4(true)?;
    // Best effort: capped by net.core.rmem_max.
    let _ = udp.set_recv_buffer_size(UDP_RECV_BUFFER);
    udp.set_nonblocking(true)?;
    udp.bind(&addr.into())?;

    let tcp = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    tcp.set_reuse_address(true)?;
    tcp.set_freebind_v4(true)?;
    tcp.set_nonblocking(true)?;
    tcp.bind(&addr.into())?;
    tcp.listen(TCP_BACKLOG)?;
    Ok(Sockets {
        udp: udp.into(),
        tcp: tcp.into(),
    })
}
