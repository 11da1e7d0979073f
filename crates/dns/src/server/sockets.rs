//! Opening the resolver's sockets inside a container's network namespace.
//!
//! Like Docker, the sockets are bound to 127.0.0.11 on random ports and port 53 is mapped onto
//! them by a port rewrite in the container's namespace ([`super::redirect`]), so that the
//! container keeps port 53 for itself: a DNS server inside it can bind 0.0.0.0:53. The sockets
//! live in the container's namespace, so only that container reaches them and the socket alone
//! says who is asking. Where the rule cannot be installed (no `nft`, no nftables in the kernel) the
//! sockets bind 127.0.0.11:53 itself, which needs no rule and works the same except for that
//! port.
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
    let error = |source| DnsError::OpenSockets {
        netns: netns.to_path_buf(),
        source,
    };
    let sockets = berth_netsys::in_netns(netns, || bind_resolver(0))?.map_err(error)?;
    let ports = (
        sockets.udp.local_addr().map_err(error)?.port(),
        sockets.tcp.local_addr().map_err(error)?.port(),
    );
    match super::redirect::install(netns, ports.0, ports.1) {
        Ok(()) => Ok(sockets),
        Err(e) => {
            tracing::warn!(netns = %netns.display(), error = %e,
                "cannot map 127.0.0.11:53 to the resolver's ports; binding port 53 itself");
            drop(sockets);
            berth_netsys::in_netns(netns, || bind_when_free(53))?.map_err(error)
        }
    }
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
