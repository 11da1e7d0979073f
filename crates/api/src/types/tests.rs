//! The networking JSON of containers and networks, field for field and in Docker's order,
//! and the connect/disconnect body parsers with dockerd's 400 messages.

use super::container::{inspect_json, summary_json, InspectContext};
use super::endpoint::dns_names;
use super::network::{EndpointResourceJson, NetworkJson, View};
use super::network_connect::{parse_connect_request, parse_disconnect_request};
use berth_engine::containers::ContainerPaths;
use berth_model::container::create::EndpointRequest;
use berth_model::container::{
    Attachment, Container, ContainerState, CreateContainer, EndpointState, NetworkMode, Status,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

const CID: &str = "3613f73ba0e4c0d5e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";
const BRIDGE_ID: &str = "f2de39df4171b0dc801e8002d1d999b77256983dfc63041c0f34030aa3977566";
const USER_ID: &str = "08754567f1f40222263eab4102e1c733ae697e8e354aa9cd6e18d7402835292a";
const EP_ID: &str = "b88f5b905aabf2893f3cbc4ee42d1ea7980bbc0a92e2c8922b1e1795298afb0b";

fn paths() -> ContainerPaths {
    ContainerPaths::new(Path::new("/var/lib/berth"), Path::new("/run/berth"), CID)
}

fn container(status: Status, mode: NetworkMode, networks: Vec<Attachment>) -> Container {
    let mut request = CreateContainer {
        image: "busybox".into(),
        ..Default::default()
    };
    request.host.network_mode = mode;
    Container {
        id: CID.into(),
        name: "foobar".into(),
        created: berth_model::time::now(),
        image: "busybox".into(),
        image_id: "sha256:abc".into(),
        request,
        config: Default::default(),
        hostname: "3613f73ba0e4".into(),
        state: ContainerState {
            status,
            ..Default::default()
        },
        networks,
        published: Vec::new(),
        mounts: Vec::new(),
    }
}

fn attachment(net_id: &str, name: &str, config: EndpointRequest, live: bool) -> Attachment {
    let endpoint = live.then(|| EndpointState {
        id: EP_ID.into(),
        ifname: "eth0".into(),
        host_ifname: "vethb88f5b9".into(),
        ipv4: Some(if name == "bridge" {
            "172.17.0.2/16".parse().unwrap()
        } else {
            "172.18.0.5/16".parse().unwrap()
        }),
        ipv6: None,
        gateway4: Some(if name == "bridge" {
            "172.17.0.1".parse().unwrap()
        } else {
            "172.18.0.1".parse().unwrap()
        }),
        gateway6: None,
        mac: if name == "bridge" {
            "02:42:ac:11:00:02".into()
        } else {
            "02:42:ac:12:00:05".into()
        },
    });
    Attachment {
        network_id: net_id.into(),
        network_name: name.into(),
        config,
        endpoint,
    }
}

fn inspect(c: &Container, mode_network: Option<(&str, &str)>) -> String {
    let p = paths();
    let ctx = InspectContext {
        exec_ids: Vec::new(),
        paths: &p,
        mode_network: mode_network.map(|(n, i)| (n.to_string(), i.to_string())),
    };
    serde_json::to_string(&inspect_json(c, &ctx)).unwrap()
}

/// The raw text of one field, so the order inside it is checked too.
fn raw_field<'a>(text: &'a str, key: &str) -> &'a str {
    let start = text.find(&format!("\"{key}\":")).unwrap() + key.len() + 3;
    let bytes = text.as_bytes();
    let mut depth = 0;
    for (i, &b) in bytes[start..].iter().enumerate() {
        match b {
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth == 0 => return &text[start..start + i],
            b'}' | b']' => depth -= 1,
            b',' if depth == 0 => return &text[start..start + i],
            _ => {}
        }
    }
    &text[start..]
}

#[test]
fn running_on_the_default_bridge() {
    let c = container(
        Status::Running,
        NetworkMode::Bridge,
        vec![attachment(
            BRIDGE_ID,
            "bridge",
            EndpointRequest::default(),
            true,
        )],
    );
    let text = inspect(&c, None);
    assert_eq!(
        raw_field(&text, "Networks"),
        format!(
            r#"{{"bridge":{{"IPAMConfig":null,"Links":null,"Aliases":null,"MacAddress":"02:42:ac:11:00:02","DriverOpts":null,"GwPriority":0,"NetworkID":"{BRIDGE_ID}","EndpointID":"{EP_ID}","Gateway":"172.17.0.1","IPAddress":"172.17.0.2","IPPrefixLen":16,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null}}}}"#
        )
    );
    let v: Value = serde_json::from_str(&text).unwrap();
    let ns = &v["NetworkSettings"];
    // `docker inspect -f '{{.NetworkSettings.IPAddress}}'` as the tutorials use it.
    assert_eq!(ns["IPAddress"], "172.17.0.2");
    assert_eq!(ns["IPPrefixLen"], 16);
    assert_eq!(ns["Gateway"], "172.17.0.1");
    assert_eq!(ns["MacAddress"], "02:42:ac:11:00:02");
    assert_eq!(ns["EndpointID"], EP_ID);
    assert_eq!(ns["SandboxKey"], format!("/run/berth/netns/{CID}"));
    let sandbox = ns["SandboxID"].as_str().unwrap();
    assert_eq!(sandbox.len(), 64);
    assert_ne!(sandbox, CID);
    // The legacy fields sit between the base fields and Networks, in Docker's order.
    let settings_start = text.find("\"NetworkSettings\":").unwrap();
    let keys: Vec<&str> = [
        "Bridge",
        "SandboxID",
        "SandboxKey",
        "Ports",
        "HairpinMode",
        "LinkLocalIPv6Address",
        "LinkLocalIPv6PrefixLen",
        "SecondaryIPAddresses",
        "SecondaryIPv6Addresses",
        "EndpointID",
        "Gateway",
        "GlobalIPv6Address",
        "GlobalIPv6PrefixLen",
        "IPAddress",
        "IPPrefixLen",
        "IPv6Gateway",
        "MacAddress",
        "Networks",
    ]
    .to_vec();
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| settings_start + text[settings_start..].find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    // The top level keeps Docker's order too.
    assert!(text.starts_with(r#"{"Id":""#));
    assert!(text.find("\"HostConfig\"").unwrap() < text.find("\"NetworkSettings\"").unwrap());
}

#[test]
fn running_on_a_user_network() {
    let config = EndpointRequest {
        aliases: vec!["server_x".into(), "foobar".into()],
        links: vec!["db:database".into()],
        ipv4_address: "172.18.0.5".into(),
        driver_opts: BTreeMap::from([("k".to_string(), "v".to_string())]),
        gw_priority: 7,
        ..Default::default()
    };
    let c = container(
        Status::Running,
        NetworkMode::Network("mynet".into()),
        vec![attachment(USER_ID, "mynet", config, true)],
    );
    let text = inspect(&c, None);
    assert_eq!(
        raw_field(&text, "Networks"),
        format!(
            r#"{{"mynet":{{"IPAMConfig":{{"IPv4Address":"172.18.0.5"}},"Links":["db:database"],"Aliases":["server_x","foobar"],"MacAddress":"02:42:ac:12:00:05","DriverOpts":{{"k":"v"}},"GwPriority":7,"NetworkID":"{USER_ID}","EndpointID":"{EP_ID}","Gateway":"172.18.0.1","IPAddress":"172.18.0.5","IPPrefixLen":16,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":["foobar","server_x","3613f73ba0e4"]}}}}"#
        )
    );
    // Not on the default bridge: the legacy fields are empty, as in Docker.
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["NetworkSettings"]["IPAddress"], "");
    assert_eq!(v["NetworkSettings"]["EndpointID"], "");
    assert_eq!(v["NetworkSettings"]["MacAddress"], "");
}

#[test]
fn dns_names_follow_docker_order_without_repeats() {
    let mut c = container(Status::Running, NetworkMode::Bridge, vec![]);
    c.hostname = "web-host".into();
    assert_eq!(
        dns_names(&c, &["alias1".into(), "web-host".into()]),
        vec!["foobar", "alias1", "web-host", "3613f73ba0e4"]
    );
}

#[test]
fn stopped_and_created_keep_the_configuration_only() {
    let config = EndpointRequest {
        mac_address: "92:d0:c6:0a:29:33".into(),
        ipv6_address: "fd00::5".into(),
        ..Default::default()
    };
    for status in [Status::Exited, Status::Created] {
        let c = container(
            status,
            NetworkMode::Bridge,
            vec![
                attachment(BRIDGE_ID, "bridge", config.clone(), false),
                attachment(USER_ID, "mynet", EndpointRequest::default(), false),
            ],
        );
        let text = inspect(&c, None);
        assert_eq!(
            raw_field(&text, "Networks"),
            format!(
                r#"{{"bridge":{{"IPAMConfig":{{"IPv6Address":"fd00::5"}},"Links":null,"Aliases":null,"MacAddress":"92:d0:c6:0a:29:33","DriverOpts":null,"GwPriority":0,"NetworkID":"{BRIDGE_ID}","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null}},"mynet":{{"IPAMConfig":null,"Links":null,"Aliases":null,"MacAddress":"","DriverOpts":null,"GwPriority":0,"NetworkID":"{USER_ID}","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null}}}}"#
            ),
            "{status:?}"
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        let ns = &v["NetworkSettings"];
        assert_eq!(ns["SandboxID"], "");
        assert_eq!(ns["SandboxKey"], "");
        assert_eq!(ns["IPAddress"], "");
        // The legacy MacAddress mirrors the bridge endpoint's, configured one included.
        assert_eq!(ns["MacAddress"], "92:d0:c6:0a:29:33");
    }
}

#[test]
fn host_none_and_container_modes() {
    let host_id = "aa".repeat(32);
    let c = container(Status::Running, NetworkMode::Host, vec![]);
    let v: Value = serde_json::from_str(&inspect(&c, Some(("host", &host_id)))).unwrap();
    let nets = v["NetworkSettings"]["Networks"].as_object().unwrap();
    assert_eq!(nets.len(), 1);
    assert_eq!(nets["host"]["NetworkID"], host_id.as_str());
    assert_eq!(nets["host"]["EndpointID"].as_str().unwrap().len(), 64);
    assert_eq!(nets["host"]["IPAddress"], "");
    assert_eq!(v["NetworkSettings"]["SandboxKey"], "");
    let stopped = container(Status::Exited, NetworkMode::None, vec![]);
    let v: Value = serde_json::from_str(&inspect(&stopped, Some(("none", &host_id)))).unwrap();
    assert_eq!(v["NetworkSettings"]["Networks"]["none"]["EndpointID"], "");
    let shared = container(Status::Running, NetworkMode::Container("db".into()), vec![]);
    let v: Value = serde_json::from_str(&inspect(&shared, None)).unwrap();
    assert_eq!(v["NetworkSettings"]["Networks"], json!({}));
}

#[test]
fn ps_summary_uses_the_same_networks() {
    let c = container(
        Status::Running,
        NetworkMode::Bridge,
        vec![attachment(
            BRIDGE_ID,
            "bridge",
            EndpointRequest::default(),
            true,
        )],
    );
    let p = paths();
    let ctx = InspectContext {
        exec_ids: Vec::new(),
        paths: &p,
        mode_network: None,
    };
    let text = serde_json::to_string(&summary_json(&c, &ctx, berth_model::time::now())).unwrap();
    assert!(text.starts_with(r#"{"Id":""#), "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v["NetworkSettings"]["Networks"]["bridge"]["IPAddress"],
        "172.17.0.2"
    );
    assert_eq!(v["HostConfig"]["NetworkMode"], "bridge");
}

#[test]
fn network_inspect_lists_endpoints_by_container_id() {
    let net = test_network();
    let ep = EndpointState {
        id: EP_ID.into(),
        ifname: "eth0".into(),
        host_ifname: "vethb88f5b9".into(),
        ipv4: Some("172.18.0.2/16".parse().unwrap()),
        ipv6: Some("fd00::2/64".parse().unwrap()),
        gateway4: None,
        gateway6: None,
        mac: "02:42:ac:12:00:02".into(),
    };
    let containers = BTreeMap::from([(
        CID.to_string(),
        EndpointResourceJson::from_endpoint("test", &ep),
    )]);
    let out = serde_json::to_string(
        &NetworkJson::from_network(&net, View::Inspect).with_containers(containers),
    )
    .unwrap();
    assert_eq!(
        raw_field(&out, "Containers"),
        format!(
            r#"{{"{CID}":{{"Name":"test","EndpointID":"{EP_ID}","MacAddress":"02:42:ac:12:00:02","IPv4Address":"172.18.0.2/16","IPv6Address":"fd00::2/64"}}}}"#
        )
    );
    let no_v6 = EndpointState { ipv6: None, ..ep };
    let one = EndpointResourceJson::from_endpoint("test", &no_v6);
    assert_eq!(one.ipv6_address, "");
    let list = serde_json::to_value(NetworkJson::from_network(&net, View::List)).unwrap();
    assert!(
        list.get("Containers").is_none(),
        "the list has no Containers"
    );
    let empty = serde_json::to_value(NetworkJson::from_network(&net, View::Inspect)).unwrap();
    assert_eq!(empty["Containers"], json!({}));
}

fn test_network() -> berth_model::network::Network {
    berth_model::network::Network {
        id: USER_ID.into(),
        name: "bridgetest".into(),
        driver: berth_model::network::driver::Driver::Bridge,
        created: Some(berth_model::time::now()),
        scope: "local".into(),
        internal: false,
        attachable: false,
        ingress: false,
        config_only: false,
        config_from: String::new(),
        enable_ipv4: true,
        enable_ipv6: false,
        ipam_driver: "default".into(),
        ipam_options: BTreeMap::new(),
        pools: vec![],
        options: BTreeMap::new(),
        labels: BTreeMap::new(),
        bridge: None,
        predefined: false,
    }
}

#[test]
fn connect_bodies_decode_as_dockerd_does() {
    let body = json!({
        "Container": "3613f73ba0e4",
        "EndpointConfig": {
            "IPAMConfig": {"IPv4Address": "172.24.56.89", "IPv6Address": "2001:db8::5689",
                           "LinkLocalIPs": ["169.254.34.68"]},
            "Links": ["container_1:alias"], "Aliases": ["server_x"],
            "MacAddress": "02:42:ac:12:05:02", "DriverOpts": {"k": "v"}, "GwPriority": -2,
            "NetworkID": "", "IPAddress": "", "DNSNames": null
        }
    });
    let r = parse_connect_request(Some(&body)).unwrap();
    assert_eq!(r.container, "3613f73ba0e4");
    assert_eq!(
        r.config,
        EndpointRequest {
            aliases: vec!["server_x".into()],
            links: vec!["container_1:alias".into()],
            ipv4_address: "172.24.56.89".into(),
            ipv6_address: "2001:db8::5689".into(),
            mac_address: "02:42:ac:12:05:02".into(),
            driver_opts: BTreeMap::from([("k".to_string(), "v".to_string())]),
            gw_priority: -2,
        }
    );
    // What the docker CLI sends for a plain `network connect`, and Go's case-folding.
    let plain = json!({"container": "c1", "EndpointConfig": {"IPAMConfig": {}, "Links": null,
        "Aliases": [], "DriverOpts": {}, "GwPriority": 0}});
    let r = parse_connect_request(Some(&plain)).unwrap();
    assert_eq!(r.container, "c1");
    assert_eq!(r.config, EndpointRequest::default());
    // No body at all decodes to nothing (the handler then refuses the empty container).
    assert_eq!(parse_connect_request(None).unwrap().container, "");
    let d = parse_disconnect_request(Some(&json!({"Container": "c1", "Force": true}))).unwrap();
    assert_eq!((d.container.as_str(), d.force), ("c1", true));
}

#[test]
fn connect_bodies_of_the_wrong_type_are_refused_with_go_messages() {
    let cases = [
        (
            json!([1]),
            "invalid JSON: json: cannot unmarshal array into Go value of type network.ConnectOptions",
        ),
        (
            json!({"Container": 5}),
            "invalid JSON: json: cannot unmarshal number into Go struct field ConnectOptions.Container of type string",
        ),
        (
            json!({"Container": "c", "EndpointConfig": "x"}),
            "invalid JSON: json: cannot unmarshal string into Go struct field ConnectOptions.EndpointConfig of type network.EndpointSettings",
        ),
        (
            json!({"Container": "c", "EndpointConfig": {"Aliases": [1]}}),
            "invalid JSON: json: cannot unmarshal number into Go struct field EndpointSettings.Aliases of type string",
        ),
        (
            json!({"Container": "c", "EndpointConfig": {"GwPriority": "high"}}),
            "invalid JSON: json: cannot unmarshal string into Go struct field EndpointSettings.GwPriority of type int",
        ),
        (
            json!({"Container": "c", "EndpointConfig": {"IPAMConfig": {"IPv4Address": 1}}}),
            "invalid JSON: json: cannot unmarshal number into Go struct field EndpointIPAMConfig.IPv4Address of type string",
        ),
        (
            json!({"Container": "c", "EndpointConfig": {"DriverOpts": {"k": 1}}}),
            "invalid JSON: json: cannot unmarshal number into Go struct field EndpointSettings.DriverOpts of type string",
        ),
    ];
    for (body, message) in cases {
        let e = parse_connect_request(Some(&body)).unwrap_err();
        assert_eq!(e.kind, berth_model::ErrorKind::InvalidParameter, "{body}");
        assert_eq!(e.message, message, "{body}");
    }
    let e = parse_disconnect_request(Some(&json!({"Container": "c", "Force": "yes"}))).unwrap_err();
    assert_eq!(
        e.message,
        "invalid JSON: json: cannot unmarshal string into Go struct field DisconnectOptions.Force of type bool"
    );
}
