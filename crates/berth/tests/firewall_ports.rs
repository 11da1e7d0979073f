//! Published ports through the firewall's DNAT maps, live in the fake host: from another host
//! (a second namespace on the fake host's uplink), from the host itself through its own address
//! and 127.0.0.1, and from containers through the host's address (hairpin), over TCP and UDP;
//! the source address the server in the container sees; and the rules going away on stop.

mod harness;

use harness::ctr::*;
use harness::probe::*;

/// Where the servers listen inside the container, TCP and UDP alike.
const INNER: u16 = 7000;

fn run(d: &harness::Daemon, args: &str) {
    berth(d, &w(&format!("run -d {args} busybox sleep 600"))).ok();
}

#[test]
fn published_ports_answer_from_everywhere_and_keep_the_clients_address() {
    let d = daemon_with_busybox();
    let outside = Outside::new(&d);
    run(
        &d,
        "--name web -p 8080:7000 -p 8080:7000/udp -p 127.0.0.1:8082:7000",
    );
    run(&d, "--name peer");
    berth(&d, &w("network create other")).ok();
    run(&d, "--name stranger --network other");
    serve(&container_ns(&d, "web"), INNER);
    let gateway = inspect(&d, "web")["NetworkSettings"]["Networks"]["bridge"]["Gateway"]
        .as_str()
        .unwrap()
        .to_string();
    let host_addr = format!("{}:8080", outside.host_addr);
    let host = fake_host_ns(&d);

    for proto in [Proto::Tcp, Proto::Udp] {
        // Another host: DNAT only, so the container sees the client's own address.
        let seen = assert_reaches(&outside.ns(), proto, &host_addr, "outside -> host:8080");
        assert_eq!(
            seen, outside.addr,
            "{proto:?}: the client's address is kept"
        );
        // The host itself, through its own address.
        let seen = assert_reaches(&host, proto, &host_addr, "host -> own address:8080");
        assert_eq!(seen, outside.host_addr, "{proto:?} from the host's address");
        // The host's loopback: masqueraded to the bridge's address (127.0.0.1 cannot leave).
        let seen = assert_reaches(&host, proto, "127.0.0.1:8080", "host -> 127.0.0.1:8080");
        assert_eq!(seen, gateway, "{proto:?} from 127.0.0.1");
        // Hairpin: a container on the same bridge through the host's address.
        let seen = assert_reaches(
            &container_ns(&d, "peer"),
            proto,
            &host_addr,
            "peer -> host:8080 (hairpin)",
        );
        assert_eq!(seen, gateway, "{proto:?} hairpin is masqueraded");
        // A container on another network reaches it through the host's address too.
        let seen = assert_reaches(
            &container_ns(&d, "stranger"),
            proto,
            &host_addr,
            "stranger -> host:8080",
        );
        assert_eq!(
            seen,
            ip_on(&d, "stranger", "other"),
            "{proto:?} from another network"
        );
    }

    // Bound to 127.0.0.1 only: the host's loopback reaches it, its other address does not.
    assert_reaches(
        &host,
        Proto::Tcp,
        "127.0.0.1:8082",
        "host -> 127.0.0.1:8082",
    );
    assert_blocked(
        &outside.ns(),
        Proto::Tcp,
        &format!("{}:8082", outside.host_addr),
        "outside -> host:8082 (bound to 127.0.0.1)",
    );

    // Stopped: the map entries are gone; started again: they are back.
    let dnat_map = || nft(&d, &["list", "map", "inet", "berth", "dnat4_port"]).unwrap();
    assert!(dnat_map().contains("tcp . 8080 : 7000"), "{}", dnat_map());
    berth(&d, &w("stop -t 0 web")).ok();
    assert!(!dnat_map().contains("8080"), "{}", dnat_map());
    for proto in [Proto::Tcp, Proto::Udp] {
        assert_blocked(&outside.ns(), proto, &host_addr, "outside -> stopped web");
    }
    berth(&d, &w("start web")).ok();
    serve(&container_ns(&d, "web"), INNER);
    let seen = assert_reaches(&outside.ns(), Proto::Tcp, &host_addr, "after restart");
    assert_eq!(seen, outside.addr);
}

#[test]
fn published_ports_answer_again_after_kill9_and_restart() {
    let mut d = daemon_with_busybox();
    let outside = Outside::new(&d);
    run(&d, "--name web -p 9090:7000");
    serve(&container_ns(&d, "web"), INNER);
    let to = format!("{}:9090", outside.host_addr);
    assert_reaches(&outside.ns(), Proto::Tcp, &to, "before the crash");
    d.kill9();
    nft(&d, &["flush", "ruleset"]).expect("flush ruleset");
    assert_blocked(
        &outside.ns(),
        Proto::Tcp,
        &to,
        "while the daemon is down, rules wiped",
    );
    d.start_again();
    let seen = assert_reaches(&outside.ns(), Proto::Tcp, &to, "after the restart");
    assert_eq!(seen, outside.addr);
}
