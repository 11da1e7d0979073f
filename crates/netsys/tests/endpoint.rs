//! Kernel tests of container endpoints (`add_endpoint`, `remove_endpoint`,
//! `set_default_routes`), each in a private network namespace that plays the host, with
//! container namespaces pinned in a temporary directory (needs root). What the kernel made is
//! read back with `ip` run inside the namespace through `nsenter`: an independent witness.

use std::path::{Path, PathBuf};
use std::process::Command;

use berth_netsys::testing::in_private_netns;
use berth_netsys::{in_netns, BridgeSpec, EndpointSpec, Kernel, Netlink, NetsysError};

const ALIAS: &str = "berth endpoint 0123456789abcdef";

/// `ip ARGS` in the calling thread's namespace, or inside `netns` when given.
fn ip(netns: Option<&Path>, args: &str) -> String {
    let mut command = match netns {
        Some(ns) => {
            let mut c = Command::new("nsenter");
            c.arg(format!("--net={}", ns.display())).arg("ip");
            c
        }
        None => Command::new("ip"),
    };
    let out = command.args(args.split_whitespace()).output().unwrap();
    assert!(out.status.success(), "ip {args}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Whether a ping from inside `netns` to `target` is answered.
fn pings(netns: &Path, target: &str) -> bool {
    Command::new("nsenter")
        .arg(format!("--net={}", netns.display()))
        .args(["ping", "-c1", "-W1", target])
        .output()
        .unwrap()
        .status
        .success()
}

struct Host {
    nl: Netlink,
    dir: tempfile::TempDir,
    sandboxes: std::cell::RefCell<Vec<PathBuf>>,
}

/// Unmounts the container namespaces even when an assertion failed; their veths die with them.
impl Drop for Host {
    fn drop(&mut self) {
        for ns in self.sandboxes.borrow().iter() {
            let _ = self.nl.delete_sandbox(ns);
        }
    }
}

impl Host {
    /// The calling thread's (private) namespace with bridge `br-e`: 172.18.0.1/16 and
    /// fd00:18::1/64.
    fn new() -> Host {
        let nl = Netlink::new().unwrap();
        nl.ensure_bridge(&BridgeSpec {
            name: "br-e".into(),
            mtu: None,
            addresses: vec![
                "172.18.0.1/16".parse().unwrap(),
                "fd00:18::1/64".parse().unwrap(),
            ],
            alias: "net-e".into(),
        })
        .unwrap();
        Host {
            nl,
            dir: tempfile::tempdir().unwrap(),
            sandboxes: Default::default(),
        }
    }

    fn sandbox(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        self.nl.create_sandbox(&path).unwrap();
        self.sandboxes.borrow_mut().push(path.clone());
        path
    }

    fn links(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .nl
            .list_links()
            .unwrap()
            .into_iter()
            .map(|l| l.name)
            .collect();
        names.sort();
        names
    }
}

fn spec(netns: &Path, host: &str, ifname: &str, last: u8) -> EndpointSpec {
    EndpointSpec {
        host_ifname: host.into(),
        alias: ALIAS.into(),
        bridge: "br-e".into(),
        netns: netns.to_path_buf(),
        ifname: ifname.into(),
        mac: [0x02, 0x42, 0xac, 0x12, 0, last],
        mtu: 1450,
        addresses: vec![format!("172.18.0.{last}/16").parse().unwrap()],
        ipv6: false,
        default_v4: Some("172.18.0.1".parse().unwrap()),
        default_v6: None,
    }
}

/// Link names inside a namespace.
fn links_in(netns: &Path) -> Vec<String> {
    let nl = in_netns(netns, Netlink::new).unwrap().unwrap();
    let mut names: Vec<String> = nl
        .list_links()
        .unwrap()
        .into_iter()
        .map(|l| l.name)
        .collect();
    names.sort();
    names
}

#[test]
fn an_ipv4_endpoint_is_configured_on_both_sides() {
    in_private_netns(|| {
        let host = Host::new();
        let ns = host.sandbox("c1");
        host.nl
            .add_endpoint(&spec(&ns, "veth1234567", "eth0", 2))
            .unwrap();

        let link = ip(Some(&ns), "-o link show eth0");
        assert!(link.contains("link/ether 02:42:ac:12:00:02"), "{link}");
        assert!(link.contains("mtu 1450"), "{link}");
        assert!(link.contains(",UP,LOWER_UP>"), "{link}");
        let addrs = ip(Some(&ns), "-o addr show eth0");
        assert!(
            addrs.contains("inet 172.18.0.2/16 brd 172.18.255.255 scope global eth0"),
            "{addrs}"
        );
        assert!(!addrs.contains("inet6"), "no IPv6 at all: {addrs}");
        let routes = ip(Some(&ns), "route show");
        assert!(
            routes.contains("default via 172.18.0.1 dev eth0 \n"),
            "no proto, as Docker's: {routes}"
        );
        let routes6 = ip(Some(&ns), "-6 route show");
        assert!(!routes6.contains("eth0"), "{routes6}");

        let listed = host
            .nl
            .list_links()
            .unwrap()
            .into_iter()
            .find(|l| l.name == "veth1234567")
            .unwrap();
        assert_eq!(listed.kind.as_deref(), Some("veth"));
        assert_eq!(listed.alias.as_deref(), Some(ALIAS));
        assert_eq!(listed.mtu, 1450);
        assert!(listed.up);
        let host_side = ip(None, "-o link show veth1234567");
        assert!(host_side.contains("master br-e"), "{host_side}");
        assert!(host_side.contains("state UP"), "{host_side}");
        let host_addrs = ip(None, "addr show veth1234567");
        assert!(
            !host_addrs.contains("inet6"),
            "a bridge port has no address: {host_addrs}"
        );

        assert!(pings(&ns, "172.18.0.1"), "the gateway answers");
    });
}

fn mac_of(link: &str) -> String {
    let shown = ip(None, &format!("-o link show {link}"));
    let after = shown.split("link/ether ").nth(1).unwrap();
    after.split_whitespace().next().unwrap().to_string()
}

#[test]
fn the_gateway_mac_stays_put_as_ports_come_and_go() {
    in_private_netns(|| {
        let host = Host::new();
        let before = mac_of("br-e");
        // A port with the lowest MAC there is would become the bridge's MAC if berth had not
        // given the bridge one.
        ip(
            None,
            "link add vlow address 00:00:00:00:00:01 type veth peer name vlow-p",
        );
        ip(None, "link set vlow master br-e");
        let ns = host.sandbox("c1");
        host.nl
            .add_endpoint(&spec(&ns, "veth1234567", "eth0", 2))
            .unwrap();
        assert_eq!(mac_of("br-e"), before);
    });
}

#[test]
fn a_dual_stack_endpoint_gets_link_local_and_both_default_routes() {
    in_private_netns(|| {
        let host = Host::new();
        let ns = host.sandbox("c1");
        let mut s = spec(&ns, "veth1234567", "eth0", 2);
        s.ipv6 = true;
        s.addresses.push("fd00:18::2/64".parse().unwrap());
        s.default_v6 = Some("fd00:18::1".parse().unwrap());
        host.nl.add_endpoint(&s).unwrap();

        let addrs = ip(Some(&ns), "-o addr show eth0");
        assert!(
            addrs.contains("inet 172.18.0.2/16 brd 172.18.255.255"),
            "{addrs}"
        );
        // Usable at once (nodad); the kernel's link-local goes through DAD as Docker's does.
        assert!(
            addrs.contains("inet6 fd00:18::2/64 scope global nodad"),
            "{addrs}"
        );
        assert!(addrs.contains("inet6 fe80::"), "{addrs}");
        let routes6 = ip(Some(&ns), "-6 route show default");
        assert!(
            routes6.contains("default via fd00:18::1 dev eth0"),
            "{routes6}"
        );
        assert!(pings(&ns, "fd00:18::1"), "the IPv6 gateway answers");
    });
}

#[test]
fn two_endpoints_in_one_netns_and_traffic_between_namespaces() {
    in_private_netns(|| {
        let host = Host::new();
        let c1 = host.sandbox("c1");
        let c2 = host.sandbox("c2");
        host.nl
            .add_endpoint(&spec(&c1, "veth0000001", "eth0", 2))
            .unwrap();
        host.nl
            .add_endpoint(&spec(&c2, "veth0000002", "eth0", 3))
            .unwrap();

        // A second network for c1: eth1 on br-f, which takes over the default route.
        host.nl
            .ensure_bridge(&BridgeSpec {
                name: "br-f".into(),
                mtu: None,
                addresses: vec!["172.19.0.1/16".parse().unwrap()],
                alias: "net-f".into(),
            })
            .unwrap();
        let mut second = spec(&c1, "veth0000003", "eth1", 2);
        second.bridge = "br-f".into();
        second.addresses = vec!["172.19.0.2/16".parse().unwrap()];
        second.default_v4 = Some("172.19.0.1".parse().unwrap());
        host.nl.add_endpoint(&second).unwrap();

        assert_eq!(links_in(&c1), vec!["eth0", "eth1", "lo"]);
        let routes = ip(Some(&c1), "route show default");
        assert_eq!(routes, "default via 172.19.0.1 dev eth1 \n", "replaced");
        assert!(pings(&c1, "172.18.0.3"), "c1 reaches c2 over br-e");
        assert!(pings(&c2, "172.18.0.2"), "c2 reaches c1 over br-e");
        assert!(pings(&c1, "172.19.0.1"), "c1 reaches its second gateway");
    });
}

#[test]
fn set_default_routes_moves_and_removes_the_default() {
    in_private_netns(|| {
        let host = Host::new();
        host.nl
            .ensure_bridge(&BridgeSpec {
                name: "br-f".into(),
                mtu: None,
                addresses: vec![
                    "172.19.0.1/16".parse().unwrap(),
                    "fd00:19::1/64".parse().unwrap(),
                ],
                alias: "net-f".into(),
            })
            .unwrap();
        let ns = host.sandbox("c1");
        host.nl
            .add_endpoint(&spec(&ns, "veth0000001", "eth0", 2))
            .unwrap();
        let mut second = spec(&ns, "veth0000002", "eth1", 2);
        second.bridge = "br-f".into();
        second.ipv6 = true;
        second.addresses = vec![
            "172.19.0.2/16".parse().unwrap(),
            "fd00:19::2/64".parse().unwrap(),
        ];
        second.default_v4 = None;
        host.nl.add_endpoint(&second).unwrap();
        assert_eq!(
            ip(Some(&ns), "route show default"),
            "default via 172.18.0.1 dev eth0 \n"
        );

        let v4 = ("eth1", "172.19.0.1".parse().unwrap());
        let v6 = ("eth1", "fd00:19::1".parse().unwrap());
        host.nl.set_default_routes(&ns, Some(v4), Some(v6)).unwrap();
        assert_eq!(
            ip(Some(&ns), "route show default"),
            "default via 172.19.0.1 dev eth1 \n"
        );
        let routes6 = ip(Some(&ns), "-6 route show default");
        assert!(
            routes6.starts_with("default via fd00:19::1 dev eth1"),
            "{routes6}"
        );
        // Idempotent.
        host.nl.set_default_routes(&ns, Some(v4), Some(v6)).unwrap();
        assert_eq!(ip(Some(&ns), "route show default").lines().count(), 1);

        host.nl.set_default_routes(&ns, None, None).unwrap();
        assert_eq!(ip(Some(&ns), "route show default"), "");
        assert_eq!(ip(Some(&ns), "-6 route show default"), "");
        // Nothing to remove is fine.
        host.nl.set_default_routes(&ns, None, None).unwrap();

        let err = host
            .nl
            .set_default_routes(&ns, Some(("eth7", "172.19.0.1".parse().unwrap())), None)
            .unwrap_err();
        assert_eq!(err.errno(), Some(libc::ENODEV), "{err}");
    });
}

#[test]
fn remove_endpoint_removes_both_sides_and_only_with_its_alias() {
    in_private_netns(|| {
        let host = Host::new();
        let ns = host.sandbox("c1");
        host.nl
            .add_endpoint(&spec(&ns, "veth1234567", "eth0", 2))
            .unwrap();

        host.nl
            .remove_endpoint("veth1234567", "berth endpoint someone-else")
            .unwrap();
        assert!(host.links().contains(&"veth1234567".to_string()));
        assert_eq!(links_in(&ns), vec!["eth0", "lo"]);

        host.nl.remove_endpoint("veth1234567", ALIAS).unwrap();
        assert!(!host.links().contains(&"veth1234567".to_string()));
        assert_eq!(links_in(&ns), vec!["lo"]);
        // Absent is fine.
        host.nl.remove_endpoint("veth1234567", ALIAS).unwrap();
        // A foreign veth without the alias is left alone.
        host.nl
            .create_veth_pair("vethforeign", "vethforeign-p")
            .unwrap();
        host.nl.remove_endpoint("vethforeign", ALIAS).unwrap();
        assert!(host.links().contains(&"vethforeign".to_string()));
    });
}

/// Every failed add leaves the host and the container namespace as they were.
fn assert_nothing_left(host: &Host, ns: &Path, host_links: &[String], ns_links: &[&str]) {
    assert_eq!(host.links(), host_links);
    assert_eq!(links_in(ns), ns_links);
}

#[test]
fn a_failed_add_leaves_nothing_behind() {
    in_private_netns(|| {
        let host = Host::new();
        let ns = host.sandbox("c1");
        let before = host.links();

        // No such bridge.
        let mut s = spec(&ns, "veth1234567", "eth0", 2);
        s.bridge = "br-none".into();
        let err = host.nl.add_endpoint(&s).unwrap_err();
        assert!(matches!(err, NetsysError::BridgeNotFound { ref name } if name == "br-none"));
        assert_nothing_left(&host, &ns, &before, &["lo"]);

        // A gateway the kernel cannot reach: fails after the veth and the address exist.
        let mut s = spec(&ns, "veth1234567", "eth0", 2);
        s.default_v4 = Some("10.99.0.1".parse().unwrap());
        let err = host.nl.add_endpoint(&s).unwrap_err();
        assert_eq!(err.errno(), Some(libc::ENETUNREACH), "{err}");
        assert_nothing_left(&host, &ns, &before, &["lo"]);

        // An address the kernel refuses (a loopback address on a veth).
        let mut s = spec(&ns, "veth1234567", "eth0", 2);
        s.ipv6 = true;
        s.addresses.push("::1/128".parse().unwrap());
        assert!(host.nl.add_endpoint(&s).is_err());
        assert_nothing_left(&host, &ns, &before, &["lo"]);

        // The container-side name is taken inside the namespace.
        host.nl
            .add_endpoint(&spec(&ns, "veth1234567", "eth0", 2))
            .unwrap();
        let with_first = host.links();
        let err = host
            .nl
            .add_endpoint(&spec(&ns, "veth7654321", "eth0", 3))
            .unwrap_err();
        assert!(
            matches!(err, NetsysError::NameInUseInNetns { ref name, .. } if name == "eth0"),
            "{err}"
        );
        assert_nothing_left(&host, &ns, &with_first, &["eth0", "lo"]);

        // The host-side name is taken.
        let err = host
            .nl
            .add_endpoint(&spec(&ns, "veth1234567", "eth1", 3))
            .unwrap_err();
        assert!(
            matches!(err, NetsysError::NameInUse { ref name } if name == "veth1234567"),
            "{err}"
        );
        assert_nothing_left(&host, &ns, &with_first, &["eth0", "lo"]);

        // A namespace path that does not exist.
        let err = host
            .nl
            .add_endpoint(&spec(
                &host.dir.path().join("nope"),
                "veth7654321",
                "eth0",
                3,
            ))
            .unwrap_err();
        assert!(
            matches!(err, NetsysError::Netns { op: "open", .. }),
            "{err}"
        );
        assert_eq!(host.links(), with_first);
    });
}

/// Per-attach cost, from "namespace exists" to "eth0 configured, route set". Run with
/// `cargo test -p berth-netsys --release --test endpoint -- --ignored --nocapture`
/// (`BERTH_ATTACHES=500` for another count).
///
/// Measured on the project's machine (2 cores, kernel 6.18), 200 attaches to one bridge:
/// median 0.74–0.89 ms, p90 0.89–1.1 ms. The cost grows with the bridge's port count, in the
/// kernel's bridge code (each new port re-walks every port, mostly for multicast snooping):
/// the last 50 of 500 cost 1.1–1.5× the first 50; the median over 1000 is about 1.8 ms. Of
/// one attach, the RTM_NEWLINK of the pair is about 70%, opening the socket in the namespace
/// about 35 µs (80 µs less than a thread per call), the batch inside about 150 µs.
#[test]
#[ignore]
fn attach_timing() {
    in_private_netns(|| {
        let host = Host::new();
        let n: usize = std::env::var("BERTH_ATTACHES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(200);
        let namespaces: Vec<PathBuf> = (0..n).map(|i| host.sandbox(&format!("c{i}"))).collect();
        let mut took = Vec::with_capacity(n);
        for (i, ns) in namespaces.iter().enumerate() {
            let mut s = spec(ns, &format!("veth{i:07x}"), "eth0", 2);
            // 172.18.0.2, 172.18.0.3, ... with Docker's MAC for each.
            let addr = std::net::Ipv4Addr::from(u32::from_be_bytes([172, 18, 0, 2]) + i as u32);
            let [a, b, c, d] = addr.octets();
            s.mac = [0x02, 0x42, a, b, c, d];
            s.addresses = vec![ipnet::IpNet::new(addr.into(), 16).unwrap()];
            let start = std::time::Instant::now();
            host.nl.add_endpoint(&s).unwrap();
            took.push(start.elapsed());
        }
        let mut sorted = took.clone();
        sorted.sort();
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        println!(
            "add_endpoint x{n}: median {:.3} ms, p90 {:.3} ms, max {:.3} ms, first {:.3} ms, \
             last {:.3} ms",
            ms(sorted[n / 2]),
            ms(sorted[n * 9 / 10]),
            ms(sorted[n - 1]),
            ms(took[0]),
            ms(took[n - 1])
        );
        let tenth = (n / 10).max(1);
        let mean = |part: &[std::time::Duration]| {
            ms(part.iter().sum::<std::time::Duration>()) / part.len() as f64
        };
        println!(
            "mean of the first {tenth}: {:.3} ms, of the last {tenth}: {:.3} ms",
            mean(&took[..tenth]),
            mean(&took[n - tenth..])
        );
    });
}
