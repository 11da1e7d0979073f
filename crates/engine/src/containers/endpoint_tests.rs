//! Container endpoints against the recording kernel: which kernel operations start, stop,
//! connect and disconnect run and in what order, the rollback of a start that fails midway,
//! Docker's refusals (which change nothing), and the repair of endpoints after a restart.

use super::{env, req, Env, FakeImages};
use crate::containers::ContainerDeps;
use crate::{Engine, EngineConfig};
use berth_model::container::create::EndpointRequest;
use berth_model::container::{Container, CreateContainer, EndpointState, NetworkMode, Status};
use berth_model::ipam::IpamConfigInput;
use berth_model::network::plan::CreateRequest;
use berth_model::network::Network;
use berth_model::{ApiError, ErrorKind};
use berth_netsys::{DefaultRoutes, Kernel, LinkInfo};
use berth_store::Store;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

fn network(e: &Env, name: &str) -> Network {
    e.engine
        .create_network(&CreateRequest {
            name: name.into(),
            ..Default::default()
        })
        .unwrap()
}

fn network_with_subnet(e: &Env, name: &str, subnet: &str) -> Network {
    e.engine
        .create_network(&CreateRequest {
            name: name.into(),
            ipam_configs: vec![IpamConfigInput {
                subnet: subnet.into(),
                ..Default::default()
            }],
            ..Default::default()
        })
        .unwrap()
}

fn bridge_of(net: &Network) -> String {
    net.bridge.as_ref().unwrap().name.clone()
}

/// A container request on `mode` plus extra networks (`NetworkingConfig.EndpointsConfig`).
fn on(name: &str, mode: NetworkMode, extra: &[(&str, EndpointRequest)]) -> CreateContainer {
    let mut r = req(name, mode);
    for (net, config) in extra {
        r.endpoints.insert(net.to_string(), config.clone());
    }
    r
}

fn run(engine: &Arc<Engine>, r: CreateContainer) -> String {
    let id = engine.create_container(r).unwrap().id;
    assert!(engine.start_container(&id).unwrap());
    id
}

fn stop(e: &Env, name: &str) {
    assert!(e
        .engine
        .stop_container(name, Some(Duration::from_secs(5)), None)
        .unwrap());
}

fn netns(e: &Env, id: &str) -> PathBuf {
    e.engine.containers().unwrap().paths(id).netns
}

/// The live endpoint of `container` on `network`, from its record.
fn endpoint(engine: &Engine, container: &str, network: &str) -> EndpointState {
    let c = engine.inspect_container(container).unwrap();
    c.networks
        .iter()
        .find(|a| a.network_name == network)
        .and_then(|a| a.endpoint.clone())
        .unwrap_or_else(|| panic!("{container} has no endpoint on {network}: {c:?}"))
}

fn attached(engine: &Engine, container: &str) -> Vec<(String, Option<String>)> {
    let c = engine.inspect_container(container).unwrap();
    c.networks
        .iter()
        .map(|a| {
            let ifname = a.endpoint.as_ref().map(|ep| ep.ifname.clone());
            (a.network_name.clone(), ifname)
        })
        .collect()
}

fn v4(ep: &EndpointState) -> String {
    ep.ipv4.unwrap().to_string()
}

fn ops_since(e: &Env, since: usize) -> Vec<String> {
    e.kernel.ops()[since..].to_vec()
}

/// The operations with generated veth names (`veth` + 7 hex of a random endpoint ID) masked.
fn masked(ops: Vec<String>) -> Vec<String> {
    let veth = regex::Regex::new(r"\bveth[0-9a-f]{7}\b").unwrap();
    ops.iter()
        .map(|o| veth.replace_all(o, "veth*").into_owned())
        .collect()
}

fn route_v4(ifname: &str, gw: &str) -> DefaultRoutes {
    DefaultRoutes {
        v4: Some((ifname.to_string(), gw.parse().unwrap())),
        v6: None,
    }
}

fn plugged_veths(e: &Env) -> Vec<String> {
    e.kernel
        .endpoints()
        .into_iter()
        .map(|s| s.host_ifname)
        .collect()
}

fn holders(engine: &Engine, net: &Network) -> Vec<String> {
    engine
        .network_endpoints(&net.id)
        .into_iter()
        .map(|(_, name, _)| name)
        .collect()
}

#[test]
fn start_on_the_default_bridge_plugs_eth0_and_stop_gives_the_address_back() {
    let e = env();
    let bridge = e.engine.inspect_network("bridge").unwrap();
    let a = e
        .engine
        .create_container(req("ana", NetworkMode::Bridge))
        .unwrap()
        .id;
    let created = e.engine.inspect_container("ana").unwrap();
    assert_eq!(created.networks.len(), 1);
    assert_eq!(created.networks[0].network_id, bridge.id);
    assert_eq!(attached(&e.engine, "ana"), vec![("bridge".into(), None)]);

    let since = e.kernel.ops().len();
    assert!(e.engine.start_container("ana").unwrap());
    let ep = endpoint(&e.engine, "ana", "bridge");
    assert_eq!(ep.id.len(), 64);
    assert!(ep
        .id
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    assert_eq!(ep.host_ifname, format!("veth{}", &ep.id[..7]));
    assert_eq!(ep.ifname, "eth0");
    assert_eq!(v4(&ep), "172.17.0.2/16");
    assert_eq!(ep.ipv6, None);
    assert_eq!(ep.gateway4, Some("172.17.0.1".parse().unwrap()));
    assert_eq!(ep.mac, "02:42:ac:11:00:02");
    let ns = netns(&e, &a);
    assert_eq!(
        ops_since(&e, since),
        vec![
            // Clears a namespace left from an earlier run of the container, if any.
            format!("delete_sandbox {}", ns.display()),
            format!("create_sandbox {}", ns.display()),
            format!(
                "add_endpoint {} eth0 berth0 mac=02:42:ac:11:00:02 addrs=[172.17.0.2/16] v4gw=172.17.0.1",
                ep.host_ifname
            ),
            // No IPv6 endpoint: lo loses ::1 too, as in Docker.
            format!("set_loopback_ipv6 {} false", ns.display()),
        ]
    );
    let specs = e.kernel.endpoints();
    assert_eq!(specs.len(), 1);
    assert_eq!(specs[0].alias, format!("berth endpoint {}", ep.id));
    assert_eq!(specs[0].netns, ns);
    assert_eq!(specs[0].mtu, 1500);
    assert!(!specs[0].ipv6);
    assert_eq!(e.kernel.default_routes(&ns), route_v4("eth0", "172.17.0.1"));
    assert_eq!(
        e.engine.network_endpoints(&bridge.id),
        vec![(a.clone(), "ana".to_string(), ep.clone())]
    );

    let b = run(&e.engine, req("bob", NetworkMode::Bridge));
    let epb = endpoint(&e.engine, "bob", "bridge");
    assert_eq!(v4(&epb), "172.17.0.3/16");
    assert_eq!(epb.mac, "02:42:ac:11:00:03");
    assert_ne!(epb.id, ep.id);

    let since = e.kernel.ops().len();
    stop(&e, "ana");
    // The veth goes with the namespace: no remove_endpoint of its own.
    assert_eq!(
        ops_since(&e, since),
        vec![format!("delete_sandbox {}", ns.display())]
    );
    let stopped = e.engine.inspect_container("ana").unwrap();
    assert_eq!(stopped.state.status, Status::Exited);
    assert_eq!(
        attached(&e.engine, "ana"),
        vec![("bridge".into(), None)],
        "the attachment stays, the endpoint goes"
    );
    assert_eq!(plugged_veths(&e), vec![epb.host_ifname.clone()]);
    assert_eq!(holders(&e.engine, &bridge), vec!["bob".to_string()]);

    run(&e.engine, req("cat", NetworkMode::Bridge));
    let epc = endpoint(&e.engine, "cat", "bridge");
    assert_eq!(v4(&epc), "172.17.0.2/16", "a's address is free again");
    assert_eq!(epc.mac, "02:42:ac:11:00:02");

    // A second start of a makes a fresh endpoint with the lowest free address.
    e.engine.start_container("ana").unwrap();
    let again = endpoint(&e.engine, "ana", "bridge");
    assert_ne!(again.id, ep.id);
    assert_eq!(
        (again.ifname.as_str(), v4(&again)),
        ("eth0", "172.17.0.4/16".into())
    );

    // rm -f of a running container gives its address back too.
    let since = e.kernel.ops().len();
    e.engine.remove_container(&b, true).unwrap();
    assert_eq!(
        ops_since(&e, since),
        vec![format!("delete_sandbox {}", netns(&e, &b).display())]
    );
    run(&e.engine, req("dan", NetworkMode::Bridge));
    assert_eq!(v4(&endpoint(&e.engine, "dan", "bridge")), "172.17.0.3/16");
}

#[test]
fn several_networks_at_create_get_eth0_eth1_and_one_default_route_in_dockers_order() {
    let e = env();
    let bridgetest = network(&e, "bridgetest");
    let bt = bridge_of(&bridgetest);
    assert_eq!(bridgetest.pools[0].subnet.to_string(), "172.18.0.0/16");

    // eth0 on the mode's network; `bridge` sorts before `bridgetest`, so eth1 gets the route.
    let id = e
        .engine
        .create_container(on(
            "one",
            NetworkMode::Network("bridgetest".into()),
            &[("bridge", EndpointRequest::default())],
        ))
        .unwrap()
        .id;
    assert_eq!(
        attached(&e.engine, "one"),
        vec![("bridgetest".into(), None), ("bridge".into(), None)]
    );
    let since = e.kernel.ops().len();
    e.engine.start_container("one").unwrap();
    let eth0 = endpoint(&e.engine, "one", "bridgetest");
    let eth1 = endpoint(&e.engine, "one", "bridge");
    assert_eq!(
        (eth0.ifname.as_str(), eth1.ifname.as_str()),
        ("eth0", "eth1")
    );
    assert_eq!(eth0.mac, "02:42:ac:12:00:02");
    assert_eq!(eth0.gateway4, Some("172.18.0.1".parse().unwrap()));
    assert_eq!(eth1.gateway4, Some("172.17.0.1".parse().unwrap()));
    let ns = netns(&e, &id);
    assert_eq!(
        ops_since(&e, since),
        vec![
            format!("delete_sandbox {}", ns.display()),
            format!("create_sandbox {}", ns.display()),
            format!(
                "add_endpoint {} eth0 {bt} mac=02:42:ac:12:00:02 addrs=[172.18.0.2/16]",
                eth0.host_ifname
            ),
            format!(
                "add_endpoint {} eth1 berth0 mac=02:42:ac:11:00:02 addrs=[172.17.0.2/16] v4gw=172.17.0.1",
                eth1.host_ifname
            ),
            format!("set_loopback_ipv6 {} false", ns.display()),
        ]
    );
    assert_eq!(e.kernel.default_routes(&ns), route_v4("eth1", "172.17.0.1"));

    // A higher gateway priority beats the name.
    let since = e.kernel.ops().len();
    let prio = EndpointRequest {
        gw_priority: 1,
        ..Default::default()
    };
    let id = run(
        &e.engine,
        on("two", NetworkMode::Bridge, &[("bridgetest", prio)]),
    );
    assert_eq!(
        masked(ops_since(&e, since))[2..4],
        [
            "add_endpoint veth* eth0 berth0 mac=02:42:ac:11:00:03 addrs=[172.17.0.3/16]".to_string(),
            format!(
                "add_endpoint veth* eth1 {bt} mac=02:42:ac:12:00:03 addrs=[172.18.0.3/16] v4gw=172.18.0.1"
            ),
        ]
    );
    assert_eq!(
        e.kernel.default_routes(&netns(&e, &id)),
        route_v4("eth1", "172.18.0.1")
    );

    // Between two user networks the name decides, whichever one is the mode's...
    let alpha = bridge_of(&network(&e, "alpha"));
    let beta = bridge_of(&network(&e, "beta"));
    let since = e.kernel.ops().len();
    run(
        &e.engine,
        on(
            "three",
            NetworkMode::Network("beta".into()),
            &[("alpha", EndpointRequest::default())],
        ),
    );
    assert_eq!(
        masked(ops_since(&e, since))[2..4],
        [
            format!("add_endpoint veth* eth0 {beta} mac=02:42:ac:14:00:02 addrs=[172.20.0.2/16]"),
            format!(
                "add_endpoint veth* eth1 {alpha} mac=02:42:ac:13:00:02 addrs=[172.19.0.2/16] v4gw=172.19.0.1"
            ),
        ]
    );
    // ...unless a priority below the default (0) sends it back.
    let low = EndpointRequest {
        gw_priority: -1,
        ..Default::default()
    };
    let since = e.kernel.ops().len();
    run(
        &e.engine,
        on(
            "four",
            NetworkMode::Network("beta".into()),
            &[("alpha", low)],
        ),
    );
    assert_eq!(
        masked(ops_since(&e, since))[2..4],
        [
            format!(
                "add_endpoint veth* eth0 {beta} mac=02:42:ac:14:00:03 addrs=[172.20.0.3/16] v4gw=172.20.0.1"
            ),
            format!("add_endpoint veth* eth1 {alpha} mac=02:42:ac:13:00:03 addrs=[172.19.0.3/16]"),
        ]
    );
}

#[test]
fn a_plug_failing_midway_rolls_the_whole_start_back() {
    let e = env();
    let bridge = e.engine.inspect_network("bridge").unwrap();
    let second = network(&e, "second");
    let br = bridge_of(&second);
    let id = e
        .engine
        .create_container(on(
            "ana",
            NetworkMode::Bridge,
            &[("second", EndpointRequest::default())],
        ))
        .unwrap()
        .id;
    let before = e.engine.inspect_container("ana").unwrap();
    // The second network's bridge vanished behind berth's back: eth0 is plugged, eth1 fails.
    e.kernel.delete_link(&br).unwrap();
    let since = e.kernel.ops().len();
    let err = e.engine.start_container("ana").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Internal);
    assert!(
        err.message
            .starts_with("failed to set up the endpoint of container ana on network second: "),
        "{}",
        err.message
    );
    let ns = netns(&e, &id);
    assert_eq!(
        masked(ops_since(&e, since)),
        vec![
            format!("delete_sandbox {}", ns.display()),
            format!("create_sandbox {}", ns.display()),
            "add_endpoint veth* eth0 berth0 mac=02:42:ac:11:00:02 addrs=[172.17.0.2/16] v4gw=172.17.0.1".into(),
            format!("add_endpoint veth* eth1 {br} mac=02:42:ac:12:00:02 addrs=[172.18.0.2/16]"),
            format!("delete_sandbox {}", ns.display()),
        ]
    );
    // The namespace took eth0's veth with it.
    assert!(e.kernel.endpoints().is_empty());
    assert!(e
        .kernel
        .list_links()
        .unwrap()
        .iter()
        .all(|l| l.kind.as_deref() != Some("veth")));
    let mut after = e.engine.inspect_container("ana").unwrap();
    // Docker records the failure (State.Error, exit code 128) and nothing else.
    assert_eq!(after.state.error, err.message);
    assert_eq!(after.state.exit_code, 128);
    after.state.error.clear();
    after.state.exit_code = 0;
    assert_eq!(after, before, "still created, no endpoint recorded");
    assert!(e.engine.network_endpoints(&bridge.id).is_empty());
    assert!(e.engine.network_endpoints(&second.id).is_empty());

    // Both addresses are free again, the plugged one and the one that never reached the kernel.
    e.kernel.add_link(LinkInfo {
        name: br.clone(),
        index: 0,
        kind: Some("bridge".into()),
        alias: None,
        mtu: 1500,
        up: true,
        addresses: vec![],
    });
    run(
        &e.engine,
        on(
            "bob",
            NetworkMode::Bridge,
            &[("second", EndpointRequest::default())],
        ),
    );
    assert_eq!(v4(&endpoint(&e.engine, "bob", "bridge")), "172.17.0.2/16");
    assert_eq!(v4(&endpoint(&e.engine, "bob", "second")), "172.18.0.2/16");
    // And the container that failed starts once the bridge is back.
    e.engine.start_container("ana").unwrap();
    assert_eq!(
        attached(&e.engine, "ana"),
        vec![
            ("bridge".into(), Some("eth0".into())),
            ("second".into(), Some("eth1".into()))
        ]
    );
}

#[test]
fn injected_kernel_and_runtime_failures_give_back_every_address_taken() {
    let e = env();
    let second = network(&e, "second");
    let both = |name: &str| {
        on(
            name,
            NetworkMode::Bridge,
            &[("second", EndpointRequest::default())],
        )
    };
    let id = e.engine.create_container(both("ana")).unwrap().id;
    let ns = netns(&e, &id);

    // The first plug fails: the second endpoint had its address already; both are given back.
    e.kernel.fail_next("add_endpoint");
    let since = e.kernel.ops().len();
    let err = e.engine.start_container("ana").unwrap_err();
    assert_eq!(
        err.message,
        "failed to set up the endpoint of container ana on network bridge: injected failure of add_endpoint"
    );
    assert_eq!(
        masked(ops_since(&e, since)),
        vec![
            format!("delete_sandbox {}", ns.display()),
            format!("create_sandbox {}", ns.display()),
            "add_endpoint veth* eth0 berth0 mac=02:42:ac:11:00:02 addrs=[172.17.0.2/16] v4gw=172.17.0.1 FAILED".into(),
            format!("delete_sandbox {}", ns.display()),
        ]
    );
    assert_eq!(
        e.engine.inspect_container("ana").unwrap().state.status,
        Status::Created
    );
    assert!(e.engine.network_endpoints(&second.id).is_empty());

    // No namespace: nothing is taken at all.
    e.kernel.fail_next("create_sandbox");
    let since = e.kernel.ops().len();
    let err = e.engine.start_container("ana").unwrap_err();
    assert_eq!(
        err.message,
        "cannot create the network namespace: injected failure of create_sandbox"
    );
    assert_eq!(
        ops_since(&e, since),
        vec![
            format!("delete_sandbox {}", ns.display()),
            format!("create_sandbox {} FAILED", ns.display()),
        ]
    );

    e.engine.start_container("ana").unwrap();
    assert_eq!(v4(&endpoint(&e.engine, "ana", "bridge")), "172.17.0.2/16");
    assert_eq!(v4(&endpoint(&e.engine, "ana", "second")), "172.18.0.2/16");

    // The runtime fails after the plug: the endpoints go, the failure is recorded.
    let mut r = both("broken");
    r.cmd = Some(vec!["nosuch".into()]);
    let broken = e.engine.create_container(r).unwrap().id;
    let bns = netns(&e, &broken);
    let since = e.kernel.ops().len();
    assert!(e.engine.start_container("broken").is_err());
    assert_eq!(
        masked(ops_since(&e, since)),
        vec![
            format!("delete_sandbox {}", bns.display()),
            format!("create_sandbox {}", bns.display()),
            "add_endpoint veth* eth0 berth0 mac=02:42:ac:11:00:03 addrs=[172.17.0.3/16] v4gw=172.17.0.1".into(),
            format!(
                "add_endpoint veth* eth1 {} mac=02:42:ac:12:00:03 addrs=[172.18.0.3/16]",
                bridge_of(&second)
            ),
            format!("set_loopback_ipv6 {} false", bns.display()),
            format!("delete_sandbox {}", bns.display()),
        ]
    );
    let c = e.engine.inspect_container("broken").unwrap();
    assert_eq!((c.state.status, c.state.exit_code), (Status::Created, 127));
    assert_eq!(
        attached(&e.engine, "broken"),
        vec![("bridge".into(), None), ("second".into(), None)]
    );
    assert_eq!(holders(&e.engine, &second), vec!["ana".to_string()]);
    run(&e.engine, both("bob"));
    assert_eq!(v4(&endpoint(&e.engine, "bob", "bridge")), "172.17.0.3/16");
    assert_eq!(v4(&endpoint(&e.engine, "bob", "second")), "172.18.0.3/16");
}

#[test]
fn connect_and_disconnect_hot_plug_and_move_the_default_route() {
    let e = env();
    let bridge = e.engine.inspect_network("bridge").unwrap();
    let zeta = network(&e, "zeta");
    let zz = bridge_of(&network(&e, "zz"));
    let id = run(&e.engine, req("cat", NetworkMode::Network("zeta".into())));
    let ns = netns(&e, &id);
    let eth0 = endpoint(&e.engine, "cat", "zeta");
    assert_eq!(
        (eth0.ifname.as_str(), v4(&eth0)),
        ("eth0", "172.18.0.2/16".into())
    );
    assert_eq!(e.kernel.default_routes(&ns), route_v4("eth0", "172.18.0.1"));

    // `bridge` sorts before `zeta`: the new endpoint takes the default route as it is added.
    let since = e.kernel.ops().len();
    e.engine
        .connect_network("bridge", "cat", EndpointRequest::default())
        .unwrap();
    let eth1 = endpoint(&e.engine, "cat", "bridge");
    assert_eq!(eth1.ifname, "eth1");
    assert_eq!(
        ops_since(&e, since),
        vec![format!(
            "add_endpoint {} eth1 berth0 mac=02:42:ac:11:00:02 addrs=[172.17.0.2/16] v4gw=172.17.0.1",
            eth1.host_ifname
        )]
    );
    assert_eq!(e.kernel.default_routes(&ns), route_v4("eth1", "172.17.0.1"));
    assert_eq!(
        e.engine.network_endpoints(&bridge.id),
        vec![(id.clone(), "cat".to_string(), eth1.clone())]
    );

    // Disconnect: the route moves back to eth0 at once; the veth goes in the background.
    let since = e.kernel.ops().len();
    e.engine.disconnect_network("bridge", "cat", false).unwrap();
    let moved = format!(
        "set_default_routes {} v4=eth0 via 172.18.0.1 v6=none",
        ns.display()
    );
    assert_eq!(ops_since(&e, since)[0], moved);
    e.engine.shutdown();
    assert_eq!(
        ops_since(&e, since),
        vec![moved, format!("remove_endpoint {}", eth1.host_ifname)]
    );
    assert_eq!(e.kernel.default_routes(&ns), route_v4("eth0", "172.18.0.1"));
    assert_eq!(plugged_veths(&e), vec![eth0.host_ifname.clone()]);
    assert_eq!(
        attached(&e.engine, "cat"),
        vec![("zeta".into(), Some("eth0".into()))]
    );
    assert!(e.engine.network_endpoints(&bridge.id).is_empty());

    // Connect again: the interface counter only grows (eth2); the address is reused.
    let since = e.kernel.ops().len();
    e.engine
        .connect_network("bridge", "cat", EndpointRequest::default())
        .unwrap();
    let eth2 = endpoint(&e.engine, "cat", "bridge");
    assert_eq!(
        (eth2.ifname.as_str(), v4(&eth2)),
        ("eth2", "172.17.0.2/16".into())
    );
    assert_ne!(eth2.id, eth1.id);
    assert_eq!(
        ops_since(&e, since),
        vec![format!(
            "add_endpoint {} eth2 berth0 mac=02:42:ac:11:00:02 addrs=[172.17.0.2/16] v4gw=172.17.0.1",
            eth2.host_ifname
        )]
    );

    // A network sorting after the route's holder leaves the route alone, plugged or unplugged.
    let since = e.kernel.ops().len();
    e.engine
        .connect_network("zz", "cat", EndpointRequest::default())
        .unwrap();
    let eth3 = endpoint(&e.engine, "cat", "zz");
    assert_eq!(
        ops_since(&e, since),
        vec![format!(
            "add_endpoint {} eth3 {zz} mac=02:42:ac:13:00:02 addrs=[172.19.0.2/16]",
            eth3.host_ifname
        )]
    );
    let since = e.kernel.ops().len();
    e.engine.disconnect_network("zz", "cat", false).unwrap();
    e.engine.shutdown();
    assert_eq!(
        ops_since(&e, since),
        vec![format!("remove_endpoint {}", eth3.host_ifname)]
    );
    assert_eq!(e.kernel.default_routes(&ns), route_v4("eth2", "172.17.0.1"));
    assert_eq!(holders(&e.engine, &zeta), vec!["cat".to_string()]);

    // A restart configures afresh: eth0 and eth1 again, in connect order.
    stop(&e, "cat");
    e.engine.start_container("cat").unwrap();
    assert_eq!(
        attached(&e.engine, "cat"),
        vec![
            ("zeta".into(), Some("eth0".into())),
            ("bridge".into(), Some("eth1".into()))
        ]
    );
    assert_eq!(e.kernel.default_routes(&ns), route_v4("eth1", "172.17.0.1"));
}

#[test]
fn connect_and_disconnect_of_a_container_not_running_only_change_the_record() {
    let e = env();
    let zeta = bridge_of(&network(&e, "zeta"));
    let extra = bridge_of(&network(&e, "extra"));
    let id = e
        .engine
        .create_container(req("dan", NetworkMode::Bridge))
        .unwrap()
        .id;
    let ns = netns(&e, &id);
    let since = e.kernel.ops().len();
    let none = EndpointRequest::default;
    e.engine.connect_network("zeta", "dan", none()).unwrap();
    e.engine.connect_network("extra", "dan", none()).unwrap();
    e.engine.disconnect_network("extra", "dan", false).unwrap();
    // Connecting again while not running replaces the stored settings (Docker does too).
    let first = EndpointRequest {
        gw_priority: 5,
        ..Default::default()
    };
    e.engine
        .connect_network("zeta", "dan", first.clone())
        .unwrap();
    e.engine.shutdown();
    assert_eq!(e.kernel.ops().len(), since, "no kernel operation");
    let c = e.engine.inspect_container("dan").unwrap();
    assert_eq!(
        attached(&e.engine, "dan"),
        vec![("bridge".into(), None), ("zeta".into(), None)]
    );
    assert_eq!(c.networks[1].config, first);

    // Applied at start; the priority gives zeta the route although `bridge` sorts first.
    e.engine.start_container("dan").unwrap();
    assert_eq!(
        masked(ops_since(&e, since)),
        vec![
            format!("delete_sandbox {}", ns.display()),
            format!("create_sandbox {}", ns.display()),
            "add_endpoint veth* eth0 berth0 mac=02:42:ac:11:00:02 addrs=[172.17.0.2/16]".into(),
            format!(
                "add_endpoint veth* eth1 {zeta} mac=02:42:ac:12:00:02 addrs=[172.18.0.2/16] v4gw=172.18.0.1"
            ),
            format!("set_loopback_ipv6 {} false", ns.display()),
        ]
    );

    // The same on a stopped container.
    stop(&e, "dan");
    let since = e.kernel.ops().len();
    e.engine.disconnect_network("zeta", "dan", false).unwrap();
    e.engine.connect_network("extra", "dan", none()).unwrap();
    e.engine.shutdown();
    assert_eq!(e.kernel.ops().len(), since, "no kernel operation");
    e.engine.start_container("dan").unwrap();
    assert_eq!(
        masked(ops_since(&e, since)),
        vec![
            format!("delete_sandbox {}", ns.display()),
            format!("create_sandbox {}", ns.display()),
            "add_endpoint veth* eth0 berth0 mac=02:42:ac:11:00:02 addrs=[172.17.0.2/16] v4gw=172.17.0.1".into(),
            format!("add_endpoint veth* eth1 {extra} mac=02:42:ac:13:00:02 addrs=[172.19.0.2/16]"),
            format!("set_loopback_ipv6 {} false", ns.display()),
        ]
    );
}

/// Everything a refused request must leave alone: the records, the kernel, the endpoints.
fn snapshot(e: &Env, names: &[&str]) -> (Vec<Container>, Vec<String>, Vec<usize>) {
    e.engine.shutdown();
    let records = names
        .iter()
        .map(|n| e.engine.inspect_container(n).unwrap())
        .collect();
    let counts = e
        .engine
        .list_networks(&Default::default())
        .unwrap()
        .iter()
        .map(|n| e.engine.network_endpoints(&n.id).len())
        .collect();
    (records, e.kernel.ops(), counts)
}

/// A request to refuse, with the error kind and message Docker answers.
type Refusal = (Box<dyn FnOnce() -> Result<(), ApiError>>, ErrorKind, String);

fn refused(e: &Env, names: &[&str], f: impl FnOnce() -> Result<(), ApiError>) -> ApiError {
    let before = snapshot(e, names);
    let err = f().unwrap_err();
    assert_eq!(snapshot(e, names), before, "{err:?} changed something");
    err
}

#[test]
fn refusals_have_dockers_kinds_and_messages_and_change_nothing() {
    let e = env();
    let usernet = network_with_subnet(&e, "usernet", "10.9.0.0/24");
    network(&e, "zeta");
    run(&e.engine, req("nonec", NetworkMode::None));
    run(&e.engine, req("hostc", NetworkMode::Host));
    e.engine
        .create_container(req("joiner", NetworkMode::Container("nonec".into())))
        .unwrap();
    let web = run(&e.engine, req("web", NetworkMode::Bridge));
    run(&e.engine, req("solo", NetworkMode::Network("zeta".into())));
    let fixed = EndpointRequest {
        ipv4_address: "10.9.0.5".into(),
        ..Default::default()
    };
    run(
        &e.engine,
        on(
            "fixed",
            NetworkMode::Network("usernet".into()),
            &[("usernet", fixed.clone())],
        ),
    );
    assert_eq!(v4(&endpoint(&e.engine, "fixed", "usernet")), "10.9.0.5/24");
    let all = ["nonec", "hostc", "joiner", "web", "solo", "fixed"];
    let connect = |net: &'static str, c: &'static str, config: EndpointRequest| {
        let engine = e.engine.clone();
        move || engine.connect_network(net, c, config)
    };
    let none = EndpointRequest::default;
    let private =
        "container cannot be connected to multiple networks with one of the networks in private (none) mode";
    let shared = "container sharing network namespace with another container or host cannot be connected to any other network";

    let cases: Vec<Refusal> = vec![
        (Box::new(connect("bridge", "nonec", none())), ErrorKind::InvalidParameter, private.into()),
        (Box::new(connect("none", "web", none())), ErrorKind::InvalidParameter, private.into()),
        (Box::new(connect("zeta", "hostc", none())), ErrorKind::InvalidParameter, shared.into()),
        (
            Box::new(connect("host", "hostc", none())),
            ErrorKind::InvalidParameter,
            "container cannot be disconnected from host network or connected to host network".into(),
        ),
        (Box::new(connect("bridge", "joiner", none())), ErrorKind::InvalidParameter, shared.into()),
        (
            Box::new(connect("bridge", "web", none())),
            ErrorKind::Forbidden,
            "endpoint with name web already exists in network bridge".into(),
        ),
        (
            Box::new(connect("usernet", "web", fixed.clone())),
            ErrorKind::Forbidden,
            "Address already in use".into(),
        ),
        (
            Box::new(connect(
                "zeta",
                "web",
                EndpointRequest {
                    ipv4_address: "172.18.0.9".into(),
                    ..Default::default()
                },
            )),
            ErrorKind::InvalidParameter,
            "invalid endpoint settings:\nuser specified IP address is supported only when connecting to networks with user configured subnets".into(),
        ),
        (
            Box::new(connect(
                "bridge",
                "solo",
                EndpointRequest {
                    aliases: vec!["db".into()],
                    ipv4_address: "172.17.0.9".into(),
                    ..Default::default()
                },
            )),
            ErrorKind::InvalidParameter,
            "invalid endpoint settings:\n* user specified IP address is supported on user defined networks only\n* network-scoped aliases are only supported for user-defined networks".into(),
        ),
        (
            Box::new(connect("nosuch", "web", none())),
            ErrorKind::NotFound,
            "network nosuch not found".into(),
        ),
        (
            Box::new({
                let engine = e.engine.clone();
                move || engine.disconnect_network("zeta", "web", false)
            }),
            ErrorKind::Internal,
            format!("container {web} is not connected to network zeta"),
        ),
        (
            Box::new({
                let engine = e.engine.clone();
                move || engine.remove_network("usernet").map(|_| ())
            }),
            ErrorKind::Forbidden,
            format!(
                "error while removing network: network usernet has active endpoints (name:\"fixed\" id:\"{}\")",
                &e.engine.inspect_container("fixed").unwrap().networks[0]
                    .endpoint
                    .as_ref()
                    .unwrap()
                    .id[..12]
            ),
        ),
    ];
    for (f, kind, message) in cases {
        let err = refused(&e, &all, f);
        assert_eq!((err.kind, err.message.as_str()), (kind, message.as_str()));
    }

    // A start that wants a taken static address fails and gives back what it took.
    e.engine
        .create_container(on(
            "twin",
            NetworkMode::Network("usernet".into()),
            &[("usernet", fixed)],
        ))
        .unwrap();
    let err = e.engine.start_container("twin").unwrap_err();
    assert_eq!(
        (err.kind, err.message.as_str()),
        (ErrorKind::Forbidden, "Address already in use")
    );
    assert_eq!(holders(&e.engine, &usernet), vec!["fixed".to_string()]);

    // network rm succeeds once the last endpoint is gone; the bridge follows.
    stop(&e, "fixed");
    e.engine.remove_network("usernet").unwrap();
    e.engine.shutdown();
    assert_eq!(
        e.kernel.ops().last().unwrap(),
        &format!("delete_bridge {}", bridge_of(&usernet))
    );
}

fn veth(name: &str, alias: Option<String>) -> LinkInfo {
    LinkInfo {
        name: name.into(),
        index: 0,
        kind: Some("veth".into()),
        alias,
        mtu: 1500,
        up: true,
        addresses: vec![],
    }
}

#[test]
fn a_restarted_engine_keeps_running_containers_addresses_and_removes_veths_nobody_owns() {
    let e = env();
    let bridge = e.engine.inspect_network("bridge").unwrap();
    run(&e.engine, req("ana", NetworkMode::Bridge));
    let b = run(&e.engine, req("bob", NetworkMode::Bridge));
    let epb = endpoint(&e.engine, "bob", "bridge");
    assert_eq!(v4(&epb), "172.17.0.3/16");
    stop(&e, "ana");
    // A daemon that died while starting `half` had recorded an endpoint it never used.
    e.engine
        .create_container(req("half", NetworkMode::Bridge))
        .unwrap();
    let mut half = e.engine.inspect_container("half").unwrap();
    half.networks[0].endpoint = Some(EndpointState {
        id: "e".repeat(64),
        ifname: "eth0".into(),
        host_ifname: format!("veth{}", "e".repeat(7)),
        ipv4: Some("172.17.0.5/16".parse().unwrap()),
        ipv6: None,
        gateway4: Some("172.17.0.1".parse().unwrap()),
        gateway6: None,
        mac: "02:42:ac:11:00:05".into(),
    });
    e.engine.store.put_container(&half).unwrap();
    // A veth of an endpoint no record knows (a crash between plug and commit), and two veths
    // that are not berth's.
    let dead = "d".repeat(64);
    e.kernel
        .add_link(veth("vethddddddd", Some(format!("berth endpoint {dead}"))));
    e.kernel
        .add_link(veth("vethforeign", Some("someone else's".into())));
    e.kernel.add_link(veth("vethnoalias", None));

    // As after kill -9: the old engine still holds its store open (its waiter threads keep
    // it alive), so the new one opens a copy taken while nothing is being written.
    let dir = e._dir.path();
    std::fs::copy(dir.join("state.redb"), dir.join("restarted.redb")).unwrap();
    let store = Store::open(&dir.join("restarted.redb")).unwrap();
    let since = e.kernel.ops().len();
    let e2 = Arc::new(Engine::start(EngineConfig::default(), store, e.kernel.clone()).unwrap());
    e2.enable_containers(ContainerDeps {
        images: Arc::new(FakeImages),
        runtime: e.runtime.clone(),
        data_root: dir.join("data"),
        exec_root: dir.join("run"),
    })
    .unwrap();
    e2.shutdown();
    assert_eq!(
        ops_since(&e, since),
        vec![
            "ensure_bridge berth0 mtu=1500 addrs=[172.17.0.1/16]".to_string(),
            "remove_endpoint vethddddddd".to_string(),
        ]
    );
    let links: Vec<String> = e
        .kernel
        .list_links()
        .unwrap()
        .into_iter()
        .map(|l| l.name)
        .collect();
    for kept in ["vethforeign", "vethnoalias", epb.host_ifname.as_str()] {
        assert!(links.iter().any(|l| l == kept), "{kept} is gone: {links:?}");
    }
    assert!(!links.iter().any(|l| l == "vethddddddd"));
    assert_eq!(plugged_veths(&e), vec![epb.host_ifname.clone()]);

    // b was adopted with its endpoint; half lost the endpoint it never had.
    let rb = e2.inspect_container("bob").unwrap();
    assert_eq!(rb.state.status, Status::Running);
    assert_eq!(endpoint(&e2, "bob", "bridge"), epb);
    assert_eq!(
        e2.network_endpoints(&bridge.id),
        vec![(b, "bob".to_string(), epb)]
    );
    assert_eq!(attached(&e2, "half"), vec![("bridge".into(), None)]);

    // New containers get .2 (free), then .4 (.3 is b's), then .5 (half never held it).
    for (name, want) in [
        ("xen", "172.17.0.2/16"),
        ("yul", "172.17.0.4/16"),
        ("zed", "172.17.0.5/16"),
    ] {
        run(&e2, req(name, NetworkMode::Bridge));
        assert_eq!(v4(&endpoint(&e2, name, "bridge")), want, "{name}");
    }
}

#[test]
fn a_network_made_after_create_is_found_at_start() {
    let e = env();
    let id = e
        .engine
        .create_container(req("late", NetworkMode::Network("later".into())))
        .unwrap()
        .id;
    // Docker looks the network up at start.
    let since = e.kernel.ops().len();
    let err = e.engine.start_container("late").unwrap_err();
    assert_eq!(
        (err.kind, err.message.as_str()),
        (ErrorKind::NotFound, "network later not found")
    );
    let ns = netns(&e, &id);
    assert_eq!(
        ops_since(&e, since),
        vec![
            format!("delete_sandbox {}", ns.display()),
            format!("create_sandbox {}", ns.display()),
            format!("delete_sandbox {}", ns.display()),
        ],
        "the namespace made before the lookup is removed again"
    );
    let later = network(&e, "later");
    e.engine.start_container("late").unwrap();
    let c = e.engine.inspect_container("late").unwrap();
    assert_eq!(c.networks[0].network_id, later.id);
    assert_eq!(v4(&endpoint(&e.engine, "late", "later")), "172.18.0.2/16");
    assert_eq!(
        e.kernel.default_routes(&netns(&e, &id)),
        route_v4("eth0", "172.18.0.1")
    );
}

/// Engine bug (reported, not fixed here): `connect_network` finds an existing attachment by
/// network ID only, so an attachment whose network did not exist at create (empty ID) or was
/// re-created since (stale ID) is not found, and a second one is pushed; the start then plugs
/// two endpoints on the same network (eth0 and eth1). Docker keys a container's networks by
/// name and replaces the settings.
#[test]
fn connecting_a_created_container_to_the_network_it_waits_for_replaces_the_settings() {
    let e = env();
    e.engine
        .create_container(req("late", NetworkMode::Network("later".into())))
        .unwrap();
    network(&e, "later");
    // ...and one whose network was removed and made again under the same name.
    network(&e, "again");
    e.engine
        .create_container(req("redo", NetworkMode::Network("again".into())))
        .unwrap();
    e.engine.remove_network("again").unwrap();
    network(&e, "again");
    let prio = EndpointRequest {
        gw_priority: 3,
        ..Default::default()
    };
    for (c, net) in [("late", "later"), ("redo", "again")] {
        e.engine.connect_network(net, c, prio.clone()).unwrap();
        assert_eq!(attached(&e.engine, c), vec![(net.to_string(), None)]);
        assert_eq!(
            e.engine.inspect_container(c).unwrap().networks[0].config,
            prio
        );
        e.engine.start_container(c).unwrap();
        assert_eq!(
            attached(&e.engine, c),
            vec![(net.to_string(), Some("eth0".to_string()))]
        );
    }
}

/// Engine hazard (reported, not fixed here): `Registry::release` frees the addresses of an
/// endpoint even when that endpoint was already released, so a second release through a stale
/// copy of a record (the exit handler does not take the container's op lock, so it can hold a
/// copy from before a concurrent `disconnect`) frees an address another container holds now.
/// Releasing only an endpoint that is still registered would make it idempotent.
#[test]
fn releasing_an_endpoint_twice_does_not_free_another_containers_address() {
    let e = env();
    let bridge = e.engine.inspect_network("bridge").unwrap();
    run(&e.engine, req("old", NetworkMode::Bridge));
    let stale = endpoint(&e.engine, "old", "bridge");
    stop(&e, "old");
    run(&e.engine, req("new", NetworkMode::Bridge));
    assert_eq!(v4(&endpoint(&e.engine, "new", "bridge")), "172.17.0.2/16");
    // What an exit handler working on a stale copy of `old` would do.
    e.engine.endpoints.release(&bridge.id, &stale);
    run(&e.engine, req("third", NetworkMode::Bridge));
    assert_eq!(v4(&endpoint(&e.engine, "third", "bridge")), "172.17.0.3/16");
}
