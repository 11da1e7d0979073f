//! The server for real, as root: the test thread's private network namespace plays the daemon's
//! (where the stub upstreams listen), a netns file made under a tempdir plays the container's
//! (where 127.0.0.11:53 is opened and the client asks from). Nothing touches the host.

mod common;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream, UdpSocket};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use berth_dns::{open_sockets, DnsServer, ForwardConfig, Limits, TableBuilder};
use berth_netsys::testing::in_private_netns;
use berth_netsys::{create_netns, delete_netns, in_netns, Netlink};
use common::stub::{Behavior, Stub};
use common::*;
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::RecordType;

const RESOLVER: &str = "127.0.0.11:53";

fn lo_up() {
    let netlink = Netlink::new().unwrap();
    let lo = netlink.link("lo").unwrap().unwrap();
    netlink.set_up(lo.index).unwrap();
}

struct World {
    ctr: PathBuf,
    server: DnsServer,
    _runtime: tokio::runtime::Runtime,
}

impl World {
    fn serve(&self, forward: ForwardConfig) {
        self.serve_in(&self.ctr, "c-web", forward);
    }

    fn serve_in(&self, ns: &Path, id: &str, forward: ForwardConfig) {
        let sockets = open_sockets(ns).unwrap();
        // Port 53 is mapped onto random ports (nft is installed wherever these tests run), so
        // every query below also goes through the port rewrite and back.
        assert_ne!(sockets.udp.local_addr().unwrap().port(), 53);
        assert_ne!(sockets.tcp.local_addr().unwrap().port(), 53);
        self.server.serve(id, sockets, forward).unwrap();
    }

    fn client(&self) -> UdpSocket {
        client_in(&self.ctr)
    }
}

fn client_in(ns: &Path) -> UdpSocket {
    let socket = in_netns(ns, || UdpSocket::bind("127.0.0.1:0"))
        .unwrap()
        .unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    socket
}

fn udp_ask(client: &UdpSocket, request: &[u8]) -> Option<Message> {
    client.send_to(request, RESOLVER).unwrap();
    let mut buf = vec![0u8; 65535];
    let n = client.recv(&mut buf).ok()?;
    Some(parse(&buf[..n]))
}

fn tcp_connect(ns: &Path) -> TcpStream {
    let addr: SocketAddr = RESOLVER.parse().unwrap();
    let stream = in_netns(ns, move || {
        TcpStream::connect_timeout(&addr, Duration::from_secs(1))
    })
    .unwrap()
    .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    stream
}

fn tcp_exchange(stream: &mut TcpStream, request: &[u8]) -> Option<Message> {
    let mut msg = (request.len() as u16).to_be_bytes().to_vec();
    msg.extend_from_slice(request);
    stream.write_all(&msg).ok()?;
    let mut len = [0u8; 2];
    stream.read_exact(&mut len).ok()?;
    let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut body).ok()?;
    Some(parse(&body))
}

fn tcp_ask(ns: &Path, request: &[u8]) -> Option<Message> {
    tcp_exchange(&mut tcp_connect(ns), request)
}

/// Runs `f` with a daemon namespace (the thread's), a container namespace and a server
/// serving the common fixture table; cleans up even when `f` fails.
fn with_world(limits: Limits, f: impl FnOnce(&World) + Send + 'static) {
    in_private_netns(move || {
        lo_up();
        let dir = tempfile::tempdir().unwrap();
        let ctr = dir.path().join("ctr");
        create_netns(&ctr).unwrap();
        in_netns(&ctr, lo_up).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let server = DnsServer::with_limits(runtime.handle().clone(), limits);
        server.publish(fixture());
        let world = World {
            ctr: ctr.clone(),
            server,
            _runtime: runtime,
        };
        let result = catch_unwind(AssertUnwindSafe(|| f(&world)));
        drop(world);
        delete_netns(&ctr).unwrap();
        if let Err(panic) = result {
            resume_unwind(panic);
        }
    });
}

fn quick_limits() -> Limits {
    Limits {
        forward_budget: Duration::from_millis(600),
        ..Limits::default()
    }
}

fn a(i: u8) -> std::net::IpAddr {
    Ipv4Addr::new(192, 0, 2, i).into()
}

#[test]
fn answers_over_udp_and_tcp_inside_the_container_namespace() {
    with_world(Limits::default(), |w| {
        w.serve(forwarding(vec![]));
        assert_eq!(w.server.serving(), vec!["c-web".to_string()]);
        let client = w.client();
        let m = udp_ask(&client, &query(7, "api", RecordType::A, None)).unwrap();
        assert_eq!(m.metadata.id, 7);
        assert_eq!(ips(&m), vec![std::net::IpAddr::from([172, 18, 0, 3])]);
        let m = tcp_ask(&w.ctr, &query(8, "web.front", RecordType::AAAA, None)).unwrap();
        assert_eq!(
            ips(&m),
            vec!["fd00::2".parse::<std::net::IpAddr>().unwrap()]
        );
        let m = udp_ask(
            &client,
            &query(9, "2.0.18.172.in-addr.arpa", RecordType::PTR, None),
        )
        .unwrap();
        assert_eq!(ptr(&m), vec!["web.front.".to_string()]);

        // Several queries on one TCP connection.
        let mut stream = tcp_connect(&w.ctr);
        for id in 0..5 {
            let m = tcp_exchange(&mut stream, &query(id, "www", RecordType::A, None)).unwrap();
            assert_eq!(m.metadata.id, id);
        }

        // A new table is in force for the very next query.
        let mut b = TableBuilder::new();
        b.network("n-front", "front", false);
        b.endpoint("c-web", "n-front", &names(&["web"]), None, None);
        b.endpoint(
            "c-api",
            "n-front",
            &names(&["api"]),
            Some(Ipv4Addr::new(172, 18, 0, 99)),
            None,
        );
        w.server.publish(b.build());
        let m = udp_ask(&client, &query(10, "api", RecordType::A, None)).unwrap();
        assert_eq!(ips(&m), vec![std::net::IpAddr::from([172, 18, 0, 99])]);
        let m = udp_ask(&client, &query(11, "www", RecordType::A, None)).unwrap();
        assert_eq!(rcode(&m), ResponseCode::ServFail); // gone, and nowhere to forward
    });
}

#[test]
fn garbage_does_not_stall_the_server() {
    with_world(Limits::default(), |w| {
        w.serve(forwarding(vec![]));
        let client = w.client();
        for junk in [
            &b""[..],
            b"\x00",
            &[0xffu8; 11],
            &[0u8; 3000],
            b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c",
        ] {
            client.send_to(junk, RESOLVER).unwrap();
        }
        // A datagram longer than the server reads: FORMERR, not a crash.
        let mut big = query(3, "web", RecordType::A, None);
        big.resize(6000, 0);
        client.send_to(&big, RESOLVER).unwrap();
        let mut answers = Vec::new();
        client
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let mut buf = [0u8; 4096];
        while let Ok(n) = client.recv(&mut buf) {
            answers.push(parse(&buf[..n]));
        }
        assert!(answers.iter().all(|m| rcode(m) == ResponseCode::FormErr));
        assert!(answers.iter().any(|m| m.metadata.id == 3));
        client
            .set_read_timeout(Some(Duration::from_secs(3)))
            .unwrap();
        let m = udp_ask(&client, &query(4, "web", RecordType::A, None)).unwrap();
        assert_eq!(ips(&m).len(), 1);
        // A TCP client sending a bogus length and nothing else is dropped at the idle timeout
        // without holding up others.
        let mut idle = tcp_connect(&w.ctr);
        idle.write_all(&[0x10, 0x00, 1, 2]).unwrap();
        assert!(tcp_ask(&w.ctr, &query(5, "web", RecordType::A, None)).is_some());
    });
}

#[test]
fn forwards_to_the_stub_over_udp_and_tcp_keeping_edns() {
    with_world(quick_limits(), |w| {
        let stub = Stub::start(Ipv4Addr::new(127, 0, 0, 21), Behavior::Answer);
        w.serve(forwarding(vec![stub.addr]));
        let client = w.client();
        let m = udp_ask(
            &client,
            &query(0xabcd, "example.com", RecordType::A, Some(1232)),
        )
        .unwrap();
        assert_eq!(m.metadata.id, 0xabcd);
        assert_eq!(ips(&m), vec![a(1)]);
        assert!(m.edns.is_some());
        let m = tcp_ask(&w.ctr, &query(0x0101, "example.org", RecordType::A, None)).unwrap();
        assert_eq!(m.metadata.id, 0x0101);
        assert_eq!(ips(&m), vec![a(1)]);
        assert_eq!(stub.seen.udp.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(stub.seen.tcp.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(*stub.seen.edns.lock().unwrap(), vec![Some(1232), None]);
        // Our own names never reach the upstream.
        udp_ask(&client, &query(1, "web", RecordType::TXT, None)).unwrap();
        assert_eq!(stub.seen.names.lock().unwrap().len(), 2);
    });
}

#[test]
fn repeated_outside_names_are_answered_from_the_cache_within_their_ttl() {
    with_world(quick_limits(), |w| {
        let stub = Stub::start(Ipv4Addr::new(127, 0, 0, 24), Behavior::Answer);
        w.serve(forwarding(vec![stub.addr]));
        let client = w.client();
        let first = udp_ask(&client, &query(1, "cached.example", RecordType::A, None)).unwrap();
        assert_eq!(ips(&first), vec![a(1)]);
        // Again over UDP in another letter case (hickory lowercases names it encodes, so the
        // case is changed in the bytes), and over TCP: the upstream is not asked again.
        let mut request = query(2, "cached.example", RecordType::A, None);
        request[13..19].make_ascii_uppercase();
        client.send_to(&request, RESOLVER).unwrap();
        let mut buf = vec![0u8; 65535];
        let n = client.recv(&mut buf).unwrap();
        assert_eq!(
            &buf[12..28],
            &request[12..28],
            "the question as the client spelt it"
        );
        let again = parse(&buf[..n]);
        assert_eq!(again.metadata.id, 2);
        assert_eq!(ips(&again), vec![a(1)]);
        assert!(again.answers[0].ttl <= 60);
        let tcp = tcp_ask(&w.ctr, &query(3, "cached.example", RecordType::A, None)).unwrap();
        assert_eq!(ips(&tcp), vec![a(1)]);
        assert_eq!(stub.seen.names.lock().unwrap().len(), 1);
        // Another type is another question.
        udp_ask(&client, &query(4, "cached.example", RecordType::AAAA, None)).unwrap();
        assert_eq!(stub.seen.names.lock().unwrap().len(), 2);
    });
}

#[test]
fn truncated_upstream_answers_are_fetched_over_tcp() {
    with_world(quick_limits(), |w| {
        let stub = Stub::start(Ipv4Addr::new(127, 0, 0, 22), Behavior::TruncateUdp);
        w.serve(forwarding(vec![stub.addr]));
        let client = w.client();
        // 40 A records (~680 bytes) fit a client that takes 4096 bytes...
        let m = udp_ask(&client, &query(1, "big.example", RecordType::A, Some(4096))).unwrap();
        assert!(!m.metadata.truncation);
        assert_eq!(ips(&m).len(), 40);
        // ...but not one that takes 512: it gets the records that fit with TC, as Docker gives,
        // and asks again over TCP for the rest.
        let m = udp_ask(&client, &query(2, "big.example", RecordType::A, None)).unwrap();
        assert!(m.metadata.truncation);
        assert_eq!(m.metadata.id, 2);
        let kept = ips(&m).len();
        assert!((20..40).contains(&kept), "{kept}");
        let m = tcp_ask(&w.ctr, &query(3, "big.example", RecordType::A, None)).unwrap();
        assert_eq!(ips(&m).len(), 40);
    });
}

#[test]
fn failover_timeouts_and_servfail() {
    with_world(quick_limits(), |w| {
        let silent = Stub::start(Ipv4Addr::new(127, 0, 0, 23), Behavior::Silent);
        let failing = Stub::start(Ipv4Addr::new(127, 0, 0, 24), Behavior::ServFail);
        let good = Stub::start(Ipv4Addr::new(127, 0, 0, 25), Behavior::Answer);
        let nobody: SocketAddr = "127.0.0.26:53".parse().unwrap();
        // silent (200 ms of the 600 ms budget), SERVFAIL, then an answer.
        w.serve(forwarding(vec![silent.addr, failing.addr, good.addr]));
        let client = w.client();
        let started = Instant::now();
        let m = udp_ask(&client, &query(1, "example.com", RecordType::A, None)).unwrap();
        let took = started.elapsed();
        assert_eq!(ips(&m), vec![a(1)]);
        assert!(took >= Duration::from_millis(180), "{took:?}");
        assert!(took < Duration::from_millis(500), "{took:?}");

        // Nothing listening (ICMP refused) fails over at once; at most 3 upstreams are used.
        assert!(w
            .server
            .update_forward("c-web", forwarding(vec![nobody, good.addr])));
        let started = Instant::now();
        let m = udp_ask(&client, &query(2, "example.com", RecordType::A, None)).unwrap();
        assert_eq!(ips(&m), vec![a(1)]);
        assert!(started.elapsed() < Duration::from_millis(200));

        let four = forwarding(vec![silent.addr, failing.addr, nobody, good.addr]);
        assert!(w.server.update_forward("c-web", four));
        let started = Instant::now();
        let m = udp_ask(&client, &query(3, "example.com", RecordType::A, None)).unwrap();
        assert_eq!(rcode(&m), ResponseCode::ServFail);
        assert_eq!(m.metadata.id, 3);
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(180) && took < Duration::from_millis(900),
            "{took:?}"
        );
    });
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
fn in_flight_bound_against_a_silent_upstream() {
    let limits = Limits {
        forward_budget: Duration::from_secs(2),
        ..Limits::default()
    };
    with_world(limits, |w| {
        let silent = Stub::start(Ipv4Addr::new(127, 0, 0, 27), Behavior::Silent);
        w.serve(forwarding(vec![silent.addr]));
        let client = w.client();
        let fds_before = open_fds();
        // 1100 queries at once: 1024 wait on the upstream, the rest are REFUSED at once.
        for chunk in 0..11u16 {
            for i in 0..100u16 {
                let id = chunk * 100 + i;
                client
                    .send_to(
                        &query(id, &format!("n{id}.example"), RecordType::A, None),
                        RESOLVER,
                    )
                    .unwrap();
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        client
            .set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let mut refused = 0;
        let mut buf = [0u8; 512];
        while let Ok(n) = client.recv(&mut buf) {
            let m = parse(&buf[..n]);
            assert_eq!(rcode(&m), ResponseCode::Refused);
            refused += 1;
        }
        assert_eq!(refused, 1100 - 1024);
        // A thousand queries in flight cost a handful of sockets, not one each.
        let fds_during = open_fds();
        assert!(fds_during < fds_before + 40, "{fds_before} -> {fds_during}");
        // Local names are still answered at once meanwhile.
        client
            .set_read_timeout(Some(Duration::from_secs(1)))
            .unwrap();
        let m = udp_ask(&client, &query(5000, "web", RecordType::A, None)).unwrap();
        assert_eq!(m.metadata.id, 5000);
        // When the budget has run out everything is released.
        std::thread::sleep(Duration::from_millis(3500));
        let mut drained = 0;
        client
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        while client.recv(&mut buf).is_ok() {
            drained += 1;
        }
        assert!(drained > 0);
        let fds_after = open_fds();
        assert!(fds_after <= fds_before + 2, "{fds_before} -> {fds_after}");
        // And forwarding works again at full capacity.
        let m = udp_ask(&client, &query(5001, "x.example", RecordType::A, None));
        assert!(m.is_none() || rcode(&m.unwrap()) != ResponseCode::Refused);
    });
}

/// True when no socket of the resolver is left in `ns`: nothing bound to 127.0.0.11 over UDP,
/// no TCP listener there (the resolver's ports are random, port 53 being mapped onto them).
fn resolver_closed(ns: &Path) -> bool {
    in_netns(ns, || {
        let bound = |proto: &str, listening_only: bool| {
            std::fs::read_to_string(format!("/proc/thread-self/net/{proto}"))
                .unwrap()
                .lines()
                .skip(1)
                .any(|line| {
                    let f: Vec<&str> = line.split_whitespace().collect();
                    f[1].starts_with("0B00007F:") && (!listening_only || f[3] == "0A")
                })
        };
        !bound("udp", false) && !bound("tcp", true)
    })
    .unwrap()
}

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(2);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn stop_closes_the_sockets_and_serve_replaces() {
    with_world(Limits::default(), |w| {
        w.serve(forwarding(vec![]));
        assert!(!resolver_closed(&w.ctr));
        let mut idle = tcp_connect(&w.ctr);
        w.server.stop("c-web");
        assert!(w.server.serving().is_empty());
        wait_until("the sockets to close", || resolver_closed(&w.ctr));
        // The open TCP connection is closed too.
        let mut buf = [0u8; 1];
        assert!(matches!(idle.read(&mut buf), Ok(0) | Err(_)));
        let client = w.client();
        client
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        assert!(udp_ask(&client, &query(1, "web", RecordType::A, None)).is_none());

        // Serving the same id again elsewhere (a restart with a new namespace) replaces it.
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other");
        create_netns(&other).unwrap();
        in_netns(&other, lo_up).unwrap();
        w.serve(forwarding(vec![]));
        w.serve_in(&other, "c-web", forwarding(vec![]));
        assert!(!w.server.update_forward("c-nobody", forwarding(vec![])));
        assert_eq!(w.server.serving(), vec!["c-web".to_string()]);
        wait_until("the first sockets to close", || resolver_closed(&w.ctr));
        let m = udp_ask(&client_in(&other), &query(2, "web", RecordType::A, None)).unwrap();
        assert_eq!(ips(&m).len(), 1);
        w.server.stop("c-web");
        wait_until("the second sockets to close", || resolver_closed(&other));
        delete_netns(&other).unwrap();
    });
}

#[test]
fn tcp_connections_are_capped_and_idle_ones_closed() {
    let limits = Limits {
        tcp_connections: 2,
        tcp_idle: Duration::from_millis(300),
        ..Limits::default()
    };
    with_world(limits, |w| {
        w.serve(forwarding(vec![]));
        let mut first = tcp_connect(&w.ctr);
        let mut second = tcp_connect(&w.ctr);
        assert!(tcp_exchange(&mut first, &query(1, "web", RecordType::A, None)).is_some());
        assert!(tcp_exchange(&mut second, &query(2, "web", RecordType::A, None)).is_some());
        let mut third = tcp_connect(&w.ctr);
        assert!(tcp_exchange(&mut third, &query(3, "web", RecordType::A, None)).is_none());
        // After the idle timeout the first two are closed, and slots are free again.
        std::thread::sleep(Duration::from_millis(500));
        let mut buf = [0u8; 1];
        assert!(matches!(first.read(&mut buf), Ok(0) | Err(_)));
        assert!(tcp_ask(&w.ctr, &query(4, "web", RecordType::A, None)).is_some());
    });
}

#[test]
fn open_sockets_works_before_lo_is_up_and_fails_cleanly_on_a_bad_path() {
    in_private_netns(|| {
        let dir = tempfile::tempdir().unwrap();
        let ns = dir.path().join("down");
        create_netns(&ns).unwrap();
        // lo still down: IP_FREEBIND lets the bind through.
        let sockets = open_sockets(&ns).unwrap();
        let local = sockets.udp.local_addr().unwrap();
        assert_eq!(local.ip(), RESOLVER.parse::<SocketAddr>().unwrap().ip());
        assert_ne!(local.port(), 53, "port 53 is mapped, not bound");
        drop(sockets);
        delete_netns(&ns).unwrap();
        assert!(open_sockets(&dir.path().join("missing")).is_err());
    });
}
