//! Network semantics of the firewall (issue 6), live in the fake host: isolation between
//! bridge networks in every direction over TCP, UDP and ICMP, the host reaching its
//! containers, `--internal`, `enable_icc=false`, masquerade on and off toward another host.

mod harness;

use harness::ctr::*;
use harness::probe::*;

const PORT: u16 = 7000;

fn at(ip: &str) -> String {
    format!("{ip}:{PORT}")
}

fn run_on(d: &harness::Daemon, name: &str, network: &str, extra: &str) {
    berth(
        d,
        &w(&format!(
            "run -d --name {name} --network {network} {extra} busybox sleep 600"
        )),
    )
    .ok();
}

#[test]
fn networks_are_isolated_in_every_direction_and_the_host_reaches_all() {
    let d = daemon_with_busybox();
    berth(&d, &w("network create neta")).ok();
    berth(&d, &w("network create netb")).ok();
    run_on(&d, "a1", "neta", "");
    run_on(&d, "a2", "neta", "");
    run_on(&d, "c1", "netb", "");
    run_on(&d, "b1", "bridge", "");
    let ip = |c: &str, n: &str| ip_on(&d, c, n);
    let (a1, a2, c1, b1) = (
        ip("a1", "neta"),
        ip("a2", "neta"),
        ip("c1", "netb"),
        ip("b1", "bridge"),
    );
    let ns = |c: &str| container_ns(&d, c);
    for c in ["a1", "a2", "c1", "b1"] {
        serve(&ns(c), PORT);
    }
    let host = fake_host_ns(&d);
    for proto in [Proto::Tcp, Proto::Udp] {
        // Controls: the same network, and the host to every container.
        assert_reaches(&ns("a1"), proto, &at(&a2), "a1 -> a2 (same network)");
        for (name, addr) in [("a1", &a1), ("c1", &c1), ("b1", &b1)] {
            let seen = assert_reaches(&host, proto, &at(addr), &format!("host -> {name}"));
            assert!(!seen.is_empty());
        }
        // Every direction between the three networks.
        for (from, to, addr) in [
            ("a1", "b1", &b1),
            ("b1", "a1", &a1),
            ("a1", "c1", &c1),
            ("c1", "a1", &a1),
            ("b1", "c1", &c1),
            ("c1", "b1", &b1),
            ("a2", "b1", &b1),
        ] {
            assert_blocked(&ns(from), proto, &at(addr), &format!("{from} -> {to}"));
        }
    }
    assert!(
        wait_until(20, || pings(&d, "a1", &a2)),
        "a1 pings a2 (same network)"
    );
    for (from, to) in [("a1", &b1), ("b1", &a1), ("c1", &a1), ("a1", &c1)] {
        assert!(!pings(&d, from, to), "{from} pings {to} across networks");
    }
}

#[test]
fn internal_network_reaches_nothing_beyond_its_bridge_and_masquerade_follows_the_option() {
    let d = daemon_with_busybox();
    let outside = Outside::new(&d);
    serve(&outside.ns(), PORT);
    berth(&d, &w("network create ext")).ok();
    berth(&d, &w("network create --internal int")).ok();
    berth(
        &d,
        &w("network create -o com.docker.network.bridge.enable_ip_masquerade=false plain"),
    )
    .ok();
    run_on(&d, "e1", "ext", "");
    run_on(&d, "p1", "plain", "");
    run_on(&d, "i1", "int", "--cap-add NET_ADMIN");
    run_on(&d, "i2", "int", "");
    let far = at(&outside.addr);
    for proto in [Proto::Tcp, Proto::Udp] {
        // Masqueraded: the other host sees the fake host's address.
        let seen = assert_reaches(&container_ns(&d, "e1"), proto, &far, "e1 -> outside");
        assert_eq!(seen, outside.host_addr, "{proto:?} from e1 is masqueraded");
        // Masquerade off: the other host sees the container's own address.
        let seen = assert_reaches(&container_ns(&d, "p1"), proto, &far, "p1 -> outside");
        assert_eq!(
            seen,
            ip_on(&d, "p1", "plain"),
            "{proto:?} from p1 keeps its address"
        );
    }
    // Inside the internal network all is well.
    let i2 = ip_on(&d, "i2", "int");
    serve(&container_ns(&d, "i2"), PORT);
    assert_reaches(&container_ns(&d, "i1"), Proto::Tcp, &at(&i2), "i1 -> i2");
    // Docker gives an internal endpoint no default route; even with one, nothing leaves.
    let gw = inspect(&d, "i1")["NetworkSettings"]["Networks"]["int"]["Gateway"]
        .as_str()
        .unwrap()
        .to_string();
    berth(&d, &w(&format!("exec i1 ip route add default via {gw}"))).ok();
    for proto in [Proto::Tcp, Proto::Udp] {
        assert_blocked(
            &container_ns(&d, "i1"),
            proto,
            &far,
            "i1 (internal) -> outside",
        );
    }
    assert!(!pings(&d, "i1", &outside.addr), "i1 pings outside");
    // Nor does anything come in from beyond the bridge.
    let i1 = ip_on(&d, "i1", "int");
    serve(&container_ns(&d, "i1"), PORT);
    assert_blocked(
        &outside.ns(),
        Proto::Tcp,
        &at(&i1),
        "outside -> i1 (internal)",
    );
    serve(&container_ns(&d, "p1"), PORT);
    assert_reaches(
        &outside.ns(),
        Proto::Tcp,
        &at(&ip_on(&d, "p1", "plain")),
        "outside -> p1 (control)",
    );
}

#[test]
fn icc_off_blocks_containers_of_one_network_but_not_the_host() {
    let d = daemon_with_busybox();
    berth(
        &d,
        &w("network create -o com.docker.network.bridge.enable_icc=false quiet"),
    )
    .ok();
    run_on(&d, "q1", "quiet", "");
    run_on(&d, "q2", "quiet", "");
    let (q1, q2) = (ip_on(&d, "q1", "quiet"), ip_on(&d, "q2", "quiet"));
    serve(&container_ns(&d, "q1"), PORT);
    serve(&container_ns(&d, "q2"), PORT);
    let host = fake_host_ns(&d);
    serve(&host, PORT);
    let gw = inspect(&d, "q1")["NetworkSettings"]["Networks"]["quiet"]["Gateway"]
        .as_str()
        .unwrap()
        .to_string();
    for proto in [Proto::Tcp, Proto::Udp] {
        assert_reaches(&host, proto, &at(&q1), "host -> q1");
        assert_reaches(&host, proto, &at(&q2), "host -> q2");
        assert_reaches(&container_ns(&d, "q1"), proto, &at(&gw), "q1 -> host");
        assert_blocked(&container_ns(&d, "q1"), proto, &at(&q2), "q1 -> q2");
        assert_blocked(&container_ns(&d, "q2"), proto, &at(&q1), "q2 -> q1");
    }
    assert!(
        wait_until(20, || pings(&d, "q1", &gw)),
        "q1 pings its gateway"
    );
    assert!(!pings(&d, "q1", &q2), "q1 pings q2 with ICC off");
}
