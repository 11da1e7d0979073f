//! The walkthrough's network steps (DESIGN.md items 2, 3, 5), driven through the berth CLI and
//! the stock docker CLI, checked against what the user sees and the bridges in the fake host.

mod harness;

use harness::Daemon;
use serde_json::Value;

#[test]
fn predefined_networks_are_listed_like_docker() {
    let d = Daemon::start();
    let out = d.docker(&[
        "network",
        "ls",
        "--format",
        "{{.Name}} {{.Driver}} {{.Scope}} {{.ID}}",
    ]);
    let mut lines: Vec<&str> = out.ok().lines().collect();
    lines.sort();
    assert_eq!(lines.len(), 3, "{lines:?}");
    for (line, (name, driver)) in
        lines
            .iter()
            .zip([("bridge", "bridge"), ("host", "host"), ("none", "null")])
    {
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(parts[0], name);
        assert_eq!(parts[1], driver);
        assert_eq!(parts[2], "local");
        assert_eq!(parts[3].len(), 12);
        assert!(parts[3].bytes().all(|c| c.is_ascii_hexdigit()));
    }
    let bridge: Value =
        serde_json::from_str(d.docker(&["network", "inspect", "bridge"]).ok()).unwrap();
    assert_eq!(bridge[0]["IPAM"]["Driver"], "default");
    assert_eq!(bridge[0]["IPAM"]["Config"][0]["Subnet"], "172.17.0.0/16");
    assert_eq!(bridge[0]["IPAM"]["Config"][0]["Gateway"], "172.17.0.1");
    assert_eq!(
        bridge[0]["Options"]["com.docker.network.bridge.name"],
        "berth0"
    );
    // the same through `inspect --type network`
    let same: Value =
        serde_json::from_str(d.docker(&["inspect", "--type", "network", "bridge"]).ok()).unwrap();
    assert_eq!(same[0]["Id"], bridge[0]["Id"]);
    // the default bridge is a real bridge in the fake host
    assert_eq!(d.host.addresses("berth0"), vec!["172.17.0.1/16"]);
}

#[test]
fn create_inspect_and_remove_a_user_network() {
    let d = Daemon::start();
    let id = d
        .docker(&["network", "create", "--driver", "bridge", "bridgetest"])
        .ok()
        .trim()
        .to_string();
    assert_eq!(id.len(), 64);
    let net: Value =
        serde_json::from_str(d.docker(&["network", "inspect", "bridgetest"]).ok()).unwrap();
    assert_eq!(net[0]["IPAM"]["Config"][0]["Subnet"], "172.18.0.0/16");
    assert_eq!(net[0]["IPAM"]["Config"][0]["Gateway"], "172.18.0.1");
    assert_eq!(net[0]["Containers"], serde_json::json!({}));
    let br = format!("br-{}", &id[..12]);
    assert_eq!(d.host.addresses(&br), vec!["172.18.0.1/16"]);
    let link = d.host.link(&br).unwrap();
    assert!(
        link["flags"].as_array().unwrap().iter().any(|f| f == "UP"),
        "{link}"
    );
    assert_eq!(link["mtu"], 1500);
    assert_eq!(
        d.docker(&["network", "rm", "bridgetest"]).ok().trim(),
        "bridgetest"
    );
    // the bridge goes in the background, right after the record
    assert!(d.host.wait_link_gone(&br), "bridge left behind");
    d.docker(&["network", "inspect", "bridgetest"])
        .fails_with("network bridgetest not found");
}

#[test]
fn subnet_ip_range_gateway_aux_labels_and_options() {
    let d = Daemon::start();
    d.docker(&[
        "network",
        "create",
        "--subnet",
        "172.28.0.0/16",
        "--ip-range",
        "172.28.5.0/24",
        "--gateway",
        "172.28.5.254",
        "--aux-address",
        "router=172.28.1.5",
        "--internal",
        "--label",
        "tier=db",
        "-o",
        "com.docker.network.bridge.name=shaped0",
        "-o",
        "com.docker.network.driver.mtu=1400",
        "shaped",
    ])
    .ok();
    let net: Value =
        serde_json::from_str(d.docker(&["network", "inspect", "shaped"]).ok()).unwrap();
    let cfg = &net[0]["IPAM"]["Config"][0];
    assert_eq!(cfg["Subnet"], "172.28.0.0/16");
    assert_eq!(cfg["IPRange"], "172.28.5.0/24");
    assert_eq!(cfg["Gateway"], "172.28.5.254");
    assert_eq!(cfg["AuxiliaryAddresses"]["router"], "172.28.1.5");
    assert_eq!(net[0]["Internal"], true);
    assert_eq!(net[0]["Labels"]["tier"], "db");
    assert_eq!(net[0]["Options"]["com.docker.network.driver.mtu"], "1400");
    assert_eq!(d.host.addresses("shaped0"), vec!["172.28.5.254/16"]);
    assert_eq!(d.host.link("shaped0").unwrap()["mtu"], 1400);
}

#[test]
fn dual_stack_network() {
    let d = Daemon::start();
    d.docker(&[
        "network",
        "create",
        "--ipv6",
        "--subnet",
        "fd00:dead:beef::/64",
        "ds",
    ])
    .ok();
    let net: Value = serde_json::from_str(d.docker(&["network", "inspect", "ds"]).ok()).unwrap();
    assert_eq!(net[0]["EnableIPv6"], true);
    let subnets: Vec<&str> = net[0]["IPAM"]["Config"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["Subnet"].as_str().unwrap())
        .collect();
    assert_eq!(subnets, vec!["172.18.0.0/16", "fd00:dead:beef::/64"]);
    let id = net[0]["Id"].as_str().unwrap();
    let mut addrs = d.host.addresses(&format!("br-{}", &id[..12]));
    addrs.sort();
    assert_eq!(addrs, vec!["172.18.0.1/16", "fd00:dead:beef::1/64"]);
    // --ipv6 alone gets a /64 from the daemon's ULA prefix
    d.docker(&["network", "create", "--ipv6", "auto6"]).ok();
    let net: Value = serde_json::from_str(d.docker(&["network", "inspect", "auto6"]).ok()).unwrap();
    let v6 = net[0]["IPAM"]["Config"][1]["Subnet"].as_str().unwrap();
    assert!(v6.starts_with("fd") && v6.ends_with("::/64"), "{v6}");
}

#[test]
fn automatic_subnets_skip_routes_on_the_host() {
    let d = Daemon::start();
    // a route on the (fake) host covering 172.18.0.0/16
    // (this kernel has no dummy driver: one end of a veth pair serves as the uplink)
    d.host.ip(&[
        "link", "add", "uplink0", "type", "veth", "peer", "name", "uplink1",
    ]);
    d.host
        .ip(&["addr", "add", "172.18.3.1/24", "dev", "uplink0"]);
    d.host.ip(&["link", "set", "uplink0", "up"]);
    d.docker(&["network", "create", "skipper"]).ok();
    let net: Value =
        serde_json::from_str(d.docker(&["network", "inspect", "skipper"]).ok()).unwrap();
    assert_eq!(net[0]["IPAM"]["Config"][0]["Subnet"], "172.19.0.0/16");
}

#[test]
fn bip_and_default_address_pools() {
    let d = Daemon::start_with(&[
        "--bip",
        "10.123.0.1/24",
        "--default-address-pool",
        "base=10.200.0.0/16,size=24",
    ]);
    assert_eq!(d.host.addresses("berth0"), vec!["10.123.0.1/24"]);
    d.docker(&["network", "create", "pooled"]).ok();
    let net: Value =
        serde_json::from_str(d.docker(&["network", "inspect", "pooled"]).ok()).unwrap();
    assert_eq!(net[0]["IPAM"]["Config"][0]["Subnet"], "10.200.0.0/24");
}
