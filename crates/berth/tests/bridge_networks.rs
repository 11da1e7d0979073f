//! Containers on bridge networks end to end (walkthrough items 1–5 and 7–8): addresses, MACs,
//! routes and interface names as Docker gives them, connect and disconnect live, the address
//! book across stop, rm and restart, Docker's errors, and traffic between containers — driven
//! through the berth CLI, the stock docker CLI and raw HTTP, and checked inside the containers
//! and in the fake host's kernel.

mod harness;

use harness::ctr::*;
use harness::Daemon;
use serde_json::Value;

/// Runs `sh -c SCRIPT` in a running container and returns its stdout.
fn sh(d: &Daemon, container: &str, script: &str) -> String {
    berth(d, &["exec", container, "sh", "-c", script])
        .ok()
        .to_string()
}

fn net_settings(d: &Daemon, container: &str, network: &str) -> Value {
    inspect(d, container)["NetworkSettings"]["Networks"][network].clone()
}

fn ip_of(d: &Daemon, container: &str, network: &str) -> String {
    net_settings(d, container, network)["IPAddress"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Host-side veths enslaved to `bridge` in the fake host.
fn bridge_ports(d: &Daemon, bridge: &str) -> Vec<String> {
    d.host
        .links()
        .iter()
        .filter(|l| l["master"].as_str() == Some(bridge))
        .filter_map(|l| l["ifname"].as_str().map(str::to_string))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// walkthrough 1: the default bridge

#[test]
fn default_bridge_gives_eth0_with_docker_addressing() {
    let d = daemon_with_busybox();
    docker(&d, &w("run -d --name first busybox sleep 600")).ok();
    let inside = sh(
        &d,
        "first",
        "ip addr; echo ===; ip route; echo ===; ifconfig eth0",
    );
    let names = link_names(&inside);
    assert_eq!(
        names.iter().map(String::as_str).collect::<Vec<_>>(),
        ["eth0", "lo"],
        "{inside}"
    );
    assert!(
        inside.contains("inet 172.17.0.2/16 brd 172.17.255.255 scope global eth0"),
        "{inside}"
    );
    assert!(inside.contains("link/ether 02:42:ac:11:00:02"), "{inside}");
    assert!(
        inside.contains("inet 127.0.0.1/8 scope host lo"),
        "{inside}"
    );
    assert!(
        !inside.contains("inet6"),
        "no IPv6 on a v4-only network: {inside}"
    );
    assert!(
        inside.contains("default via 172.17.0.1 dev eth0"),
        "{inside}"
    );
    assert!(
        inside.contains("inet addr:172.17.0.2  Bcast:172.17.255.255  Mask:255.255.0.0"),
        "{inside}"
    );
    assert!(inside.contains("HWaddr 02:42:AC:11:00:02"), "{inside}");
    // the inspect fields tutorials read, through both CLIs
    for (tool, out) in both(
        &d,
        &[
            "inspect",
            "-f",
            "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.MacAddress}} {{.NetworkSettings.Gateway}} {{.NetworkSettings.IPPrefixLen}}",
            "first",
        ],
    ) {
        assert_eq!(
            out.ok(),
            "172.17.0.2 02:42:ac:11:00:02 172.17.0.1 16\n",
            "{tool}"
        );
    }
    let ep = net_settings(&d, "first", "bridge");
    let bridge = d.api_json("GET", "/networks/bridge", None);
    assert_eq!(ep["NetworkID"], bridge["Id"]);
    assert_eq!(ep["EndpointID"].as_str().unwrap().len(), 64, "{ep}");
    assert_eq!(ep["Gateway"], "172.17.0.1");
    assert_eq!(ep["IPPrefixLen"], 16);
    assert_eq!(ep["MacAddress"], "02:42:ac:11:00:02");
    assert_eq!(ep["DNSNames"], Value::Null, "no DNS on the default bridge");
    let id = inspect(&d, "first")["Id"].as_str().unwrap().to_string();
    let member = &bridge["Containers"][&id];
    assert_eq!(member["Name"], "first", "{bridge}");
    assert_eq!(member["IPv4Address"], "172.17.0.2/16");
    assert_eq!(member["MacAddress"], "02:42:ac:11:00:02");
    assert_eq!(member["EndpointID"], ep["EndpointID"]);
    // the host side: one veth<7 hex> on berth0, up
    let ports = bridge_ports(&d, "berth0");
    assert_eq!(ports.len(), 1, "{ports:?}");
    assert!(
        ports[0].starts_with("veth") && ports[0].len() == 11,
        "{ports:?}"
    );
    let link = d.host.link(&ports[0]).unwrap();
    assert!(
        link["flags"].as_array().unwrap().iter().any(|f| f == "UP"),
        "{link}"
    );
    // the host reaches its container over the bridge
    let ping = d
        .host
        .exec("ping")
        .args(["-c1", "-W2", "172.17.0.2"])
        .output()
        .unwrap();
    assert!(ping.status.success(), "{ping:?}");
    // stop releases the address and the veth
    berth(&d, &w("stop -t 0 first")).ok();
    assert!(
        wait_until(5, || bridge_ports(&d, "berth0").is_empty()),
        "{:?}",
        d.host.links()
    );
    let ep = net_settings(&d, "first", "bridge");
    assert_eq!(ep["IPAddress"], "", "{ep}");
    assert_eq!(ep["EndpointID"], "", "{ep}");
    assert_eq!(ep["NetworkID"], bridge["Id"], "{ep}");
    let bridge = d.api_json("GET", "/networks/bridge", None);
    assert_eq!(bridge["Containers"], serde_json::json!({}), "{bridge}");
}

// ---------------------------------------------------------------------------------------------
// walkthrough 3–4: a user network, connect and disconnect

#[test]
fn user_network_connect_and_disconnect_live() {
    let d = daemon_with_busybox();
    berth(&d, &w("network create --driver bridge bridgetest")).ok();
    berth(&d, &w("run -d --name other busybox sleep 600")).ok();
    docker(
        &d,
        &w("run -d --name t1 --network bridgetest busybox sleep 600"),
    )
    .ok();
    assert_eq!(ip_of(&d, "t1", "bridgetest"), "172.18.0.2");
    let net = d.api_json("GET", "/networks/bridgetest", None);
    let id = inspect(&d, "t1")["Id"].as_str().unwrap().to_string();
    assert_eq!(
        net["Containers"][&id]["IPv4Address"], "172.18.0.2/16",
        "{net}"
    );
    assert_eq!(net["Containers"][&id]["IPv6Address"], "", "{net}");
    let ep = net_settings(&d, "t1", "bridgetest");
    let dns: Vec<&str> = ep["DNSNames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(dns, ["t1", &id[..12]], "{ep}");
    let bridge_name = format!("br-{}", &net["Id"].as_str().unwrap()[..12]);
    assert_eq!(bridge_ports(&d, &bridge_name).len(), 1);

    // connect to the default bridge: eth1 with the next free address there (.2 is `other`)
    docker(&d, &w("network connect bridge t1")).ok();
    assert_eq!(ip_of(&d, "t1", "bridge"), "172.17.0.3");
    let inside = sh(&d, "t1", "ip addr; ip route");
    assert!(
        inside.contains("inet 172.17.0.3/16 brd 172.17.255.255 scope global eth1"),
        "{inside}"
    );
    assert!(inside.contains("link/ether 02:42:ac:11:00:03"), "{inside}");
    // Docker's order: "bridge" sorts before "bridgetest", so it takes the default route
    assert!(
        inside.contains("default via 172.17.0.1 dev eth1"),
        "{inside}"
    );
    assert!(
        inside.contains("172.18.0.0/16 dev eth0 scope link  src 172.18.0.2"),
        "{inside}"
    );
    // both networks are reachable
    sh(
        &d,
        "t1",
        "ping -c1 -W2 172.17.0.2 && ping -c1 -W2 172.18.0.1",
    );
    // /etc/hosts gains a line for the new endpoint, as Docker adds one on join
    let hostname = id[..12].to_string();
    let hosts = sh(&d, "t1", "cat /etc/hosts");
    assert!(
        hosts.ends_with(&format!("172.18.0.2\t{hostname}\n172.17.0.3\t{hostname}\n")),
        "{hosts}"
    );

    // disconnect: eth1 goes, the default route comes back to eth0
    berth(&d, &w("network disconnect bridge t1")).ok();
    let inside = sh(&d, "t1", "ip addr; ip route");
    assert!(!inside.contains("eth1"), "{inside}");
    assert!(
        inside.contains("default via 172.18.0.1 dev eth0"),
        "{inside}"
    );
    assert!(inspect(&d, "t1")["NetworkSettings"]["Networks"]["bridge"].is_null());
    let hosts = sh(&d, "t1", "cat /etc/hosts");
    assert!(!hosts.contains("172.17.0.3"), "{hosts}");
    assert!(
        hosts.ends_with(&format!("172.18.0.2\t{hostname}\n")),
        "{hosts}"
    );
    // reconnecting names the interface from a counter that only grows, as Docker does
    berth(&d, &w("network connect bridge t1")).ok();
    let inside = sh(&d, "t1", "ip -o link");
    assert!(inside.contains(" eth2@"), "{inside}");
    assert_eq!(ip_of(&d, "t1", "bridge"), "172.17.0.3");

    // a second user network, a second subnet
    berth(&d, &w("network create second")).ok();
    berth(&d, &w("network connect second t1")).ok();
    assert_eq!(ip_of(&d, "t1", "second"), "172.19.0.2");
    let net = d.api_json("GET", "/networks/second", None);
    assert_eq!(net["Containers"][&id]["Name"], "t1");

    // network rm refuses while endpoints are there, then succeeds
    for (tool, out) in both(&d, &w("network rm second")) {
        assert_code(&out, 1, tool);
        assert!(
            out.stderr
                .contains("network second has active endpoints (name:\"t1\" id:\""),
            "{tool}: {out:?}"
        );
    }
    let r = d.api("DELETE", "/networks/second", None);
    assert_eq!(r.status, 403, "{}", r.text());
    berth(&d, &w("network disconnect second t1")).ok();
    berth(&d, &w("network rm second")).ok();
    // rm -f releases everything; bridgetest can go
    berth(&d, &w("rm -f t1 other")).ok();
    berth(&d, &w("network rm bridgetest")).ok();
    assert!(wait_until(5, || bridge_ports(&d, "berth0").is_empty()));
}

// ---------------------------------------------------------------------------------------------
// the address book

#[test]
fn addresses_are_lowest_free_and_come_back_on_stop_and_rm() {
    let d = daemon_with_busybox();
    berth(&d, &w("network create book")).ok();
    for n in ["ca", "cb", "cc"] {
        berth(
            &d,
            &[
                "run",
                "-d",
                "--name",
                n,
                "--network",
                "book",
                "busybox",
                "sleep",
                "600",
            ],
        )
        .ok();
    }
    assert_eq!(
        ["ca", "cb", "cc"].map(|n| ip_of(&d, n, "book")),
        ["172.18.0.2", "172.18.0.3", "172.18.0.4"]
    );
    berth(&d, &w("rm -f ca")).ok();
    berth(&d, &w("run -d --name cd --network book busybox sleep 600")).ok();
    assert_eq!(ip_of(&d, "cd", "book"), "172.18.0.2");
    berth(&d, &w("stop -t 0 cb")).ok();
    berth(&d, &w("run -d --name ce --network book busybox sleep 600")).ok();
    assert_eq!(ip_of(&d, "ce", "book"), "172.18.0.3");
    // a restarted container is configured afresh: the lowest free address now
    berth(&d, &w("start cb")).ok();
    assert_eq!(ip_of(&d, "cb", "book"), "172.18.0.5");
    let inside = sh(&d, "cb", "ip addr");
    assert!(inside.contains("inet 172.18.0.5/16"), "{inside}");
    assert!(inside.contains("link/ether 02:42:ac:12:00:05"), "{inside}");
    berth(&d, &w("restart -t 0 cd")).ok();
    assert_eq!(ip_of(&d, "cd", "book"), "172.18.0.2");
    // the MAC given by the user wins over the derived one
    berth(
        &d,
        &w("run -d --name mac --network book --mac-address 02:00:00:aa:bb:cc busybox sleep 600"),
    )
    .ok();
    assert!(sh(&d, "mac", "ip link show eth0").contains("02:00:00:aa:bb:cc"));
}

// ---------------------------------------------------------------------------------------------
// static addresses, several networks, dual stack

#[test]
fn static_addresses_several_networks_and_dual_stack() {
    let d = daemon_with_busybox();
    berth(
        &d,
        &w("network create --subnet 10.9.0.0/24 --ip-range 10.9.0.128/25 --gateway 10.9.0.1 fixed"),
    )
    .ok();
    berth(&d, &w("network create --ipv6 --subnet fd00:9::/64 dual")).ok();
    docker(
        &d,
        &w("run -d --name s1 --network fixed --ip 10.9.0.9 busybox sleep 600"),
    )
    .ok();
    assert_eq!(ip_of(&d, "s1", "fixed"), "10.9.0.9");
    let ep = net_settings(&d, "s1", "fixed");
    assert_eq!(ep["IPAMConfig"]["IPv4Address"], "10.9.0.9", "{ep}");
    // automatic ones come from the ip-range
    berth(&d, &w("run -d --name s2 --network fixed busybox sleep 600")).ok();
    assert_eq!(ip_of(&d, "s2", "fixed"), "10.9.0.128");
    // dual stack: both families, and the IPv6 default route
    berth(&d, &w("run -d --name d1 --network dual busybox sleep 600")).ok();
    let ep = net_settings(&d, "d1", "dual");
    assert_eq!(ep["GlobalIPv6Address"], "fd00:9::2", "{ep}");
    assert_eq!(ep["GlobalIPv6PrefixLen"], 64);
    assert_eq!(ep["IPv6Gateway"], "fd00:9::1");
    assert!(
        ep["IPAddress"].as_str().unwrap().starts_with("172."),
        "{ep}"
    );
    let inside = sh(&d, "d1", "ip addr; ip -6 route");
    assert!(
        inside.contains("inet6 fd00:9::2/64 scope global"),
        "{inside}"
    );
    assert!(
        inside.contains("default via fd00:9::1 dev eth0"),
        "{inside}"
    );
    // several networks at create (API 1.44+), eth0 and eth1 in order
    docker(
        &d,
        &w("run -d --name multi --network fixed --network dual busybox sleep 600"),
    )
    .ok();
    let inside = sh(&d, "multi", "ip -o addr");
    assert!(inside.contains("eth0    inet 10.9.0.129/24"), "{inside}");
    assert!(inside.contains("eth1    inet 172."), "{inside}");
    sh(
        &d,
        "multi",
        "ping -c1 -W2 10.9.0.9 && ping -c1 -W2 fd00:9::2",
    );
    // connect on a created container is recorded and applied at start
    berth(
        &d,
        &w("create --name later --network fixed busybox sleep 600"),
    )
    .ok();
    berth(&d, &w("network connect dual later")).ok();
    assert!(net_settings(&d, "later", "dual")["IPAddress"] == "");
    berth(&d, &w("start later")).ok();
    let inside = sh(&d, "later", "ip -o addr");
    assert!(inside.contains("eth0    inet 10.9.0.130/24"), "{inside}");
    assert!(inside.contains("eth1    inet 172."), "{inside}");
}

// ---------------------------------------------------------------------------------------------
// traffic

#[test]
fn containers_on_a_network_talk_over_tcp_and_icmp() {
    let d = daemon_with_busybox();
    berth(&d, &w("network create talk")).ok();
    berth(
        &d,
        &w("run -d --name server --network talk busybox nc -ll -p 7000 -e echo pong"),
    )
    .ok();
    let ip = ip_of(&d, "server", "talk");
    let probe = format!(
        "ping -c1 -W2 {ip} >/dev/null && for i in $(seq 20); do r=$(nc {ip} 7000 </dev/null) && [ -n \"$r\" ] && echo \"GOT $r\" && exit 0; sleep 0.2; done; exit 1"
    );
    for (tool, out) in both(
        &d,
        &[
            "run",
            "--rm",
            "--network",
            "talk",
            "busybox",
            "sh",
            "-c",
            &probe,
        ],
    ) {
        assert_eq!(out.ok(), "GOT pong\n", "{tool}");
    }
    // the gateway answers too
    let out = berth(
        &d,
        &w("run --rm --network talk busybox ping -c1 -W2 172.18.0.1"),
    );
    assert_code(&out, 0, "ping gateway");
}

// ---------------------------------------------------------------------------------------------
// Docker's errors, and nothing changes on them

#[test]
fn docker_errors_for_bad_endpoint_requests() {
    let d = daemon_with_busybox();
    berth(&d, &w("network create auto")).ok();
    berth(&d, &w("network create --subnet 10.9.0.0/24 fixed")).ok();
    berth(
        &d,
        &w("run -d --name holder --network fixed --ip 10.9.0.9 busybox sleep 600"),
    )
    .ok();
    berth(
        &d,
        &w("run -d --name lonely --network none busybox sleep 600"),
    )
    .ok();
    berth(
        &d,
        &w("run -d --name hosty --network host busybox sleep 600"),
    )
    .ok();
    berth(
        &d,
        &w("run -d --name joined --network container:holder busybox sleep 600"),
    )
    .ok();
    let ids_before = all_ids(&d);
    let cases: &[(&str, &str)] = &[
        (
            "run -d --ip 172.17.0.9 busybox true",
            "user specified IP address is supported on user defined networks only",
        ),
        (
            "run -d --network auto --ip 172.18.0.9 busybox true",
            "user specified IP address is supported only when connecting to networks with user configured subnets",
        ),
        ("run -d --network fixed --ip 10.9.0.9 busybox true", "Address already in use"),
        ("run -d --network nosuch busybox true", "network nosuch not found"),
    ];
    for (line, want) in cases {
        for (tool, out) in both(&d, &w(line)) {
            assert_ne!(out.code, 0, "{tool} {line}: {out:?}");
            assert!(out.stderr.contains(want), "{tool} {line}: {out:?}");
        }
    }
    for (line, want) in [
        (
            "network connect fixed lonely",
            "container cannot be connected to multiple networks with one of the networks in private (none) mode",
        ),
        (
            "network connect fixed hosty",
            "container sharing network namespace with another container or host cannot be connected to any other network",
        ),
        (
            "network connect fixed joined",
            "container sharing network namespace with another container or host cannot be connected to any other network",
        ),
        (
            "network connect --alias x bridge holder",
            "network-scoped alias",
        ),
        (
            "network connect fixed holder",
            "endpoint with name holder already exists in network fixed",
        ),
        (
            "network disconnect auto holder",
            "is not connected to network auto",
        ),
    ] {
        for (tool, out) in both(&d, &w(line)) {
            assert_ne!(out.code, 0, "{tool} {line}: {out:?}");
            assert!(out.stderr.contains(want), "{tool} {line}: {out:?}");
        }
    }
    // status codes through the API
    let r = d.api(
        "POST",
        "/networks/fixed/connect",
        Some(r#"{"Container":"lonely"}"#),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    let r = d.api(
        "POST",
        "/networks/fixed/connect",
        Some(r#"{"Container":"holder"}"#),
    );
    assert_eq!(r.status, 403, "{}", r.text());
    let r = d.api(
        "POST",
        "/networks/nosuch/connect",
        Some(r#"{"Container":"holder"}"#),
    );
    assert_eq!(r.status, 404, "{}", r.text());
    let r = d.api(
        "POST",
        "/networks/fixed/connect",
        Some(r#"{"Container":"nosuch"}"#),
    );
    assert_eq!(r.status, 404, "{}", r.text());
    // failed runs leave created containers, as Docker's do (the network is checked at
    // start), holding nothing; the holder keeps its address
    for id in all_ids(&d) {
        if ids_before.contains(&id) {
            continue;
        }
        let c = inspect(&d, &id);
        assert_eq!(c["State"]["Status"], "created", "{c}");
        for ep in c["NetworkSettings"]["Networks"]
            .as_object()
            .unwrap()
            .values()
        {
            assert_eq!(ep["IPAddress"], "", "{c}");
        }
    }
    assert_eq!(ip_of(&d, "holder", "fixed"), "10.9.0.9");
    assert_eq!(bridge_ports(&d, "berth0").len(), 0);
}
