//! Bad input to `POST /networks/create` and friends, sent as raw HTTP the way a careless or
//! hostile client would: each is answered with Docker's status and message, and leaves the
//! daemon's networks and the fake host's bridges exactly as they were.

mod harness;

use harness::http::{self, HttpResponse};
use harness::Daemon;
use ipnet::Ipv4Net;
use serde_json::Value;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// Both spellings of the create route: every refusal must hold for each.
const CREATE_PATHS: [&str; 2] = ["/v1.50/networks/create", "/networks/create"];

/// What a refused request must leave untouched: the listed networks (full objects, sorted by
/// ID) and the links of the fake host.
#[derive(Debug, PartialEq)]
struct State {
    networks: Vec<Value>,
    links: Vec<String>,
}

fn state(d: &Daemon) -> State {
    let mut networks = d
        .api_json("GET", "/networks", None)
        .as_array()
        .expect("array")
        .clone();
    networks.sort_by_key(|n| n["Id"].as_str().unwrap_or_default().to_string());
    let mut links: Vec<String> = d
        .host
        .links()
        .iter()
        .map(|l| {
            format!(
                "{} {} {:?}",
                l["ifname"].as_str().unwrap_or_default(),
                l["linkinfo"]["info_kind"],
                d.host.addresses(l["ifname"].as_str().unwrap_or_default())
            )
        })
        .collect();
    links.sort();
    State { networks, links }
}

/// A create with an arbitrary body and Content-Type (None: no Content-Type header at all).
fn create_raw(d: &Daemon, path: &str, content_type: Option<&str>, body: &[u8]) -> HttpResponse {
    let mut raw =
        format!("POST {path} HTTP/1.1\r\nHost: api.moby.localhost\r\nConnection: close\r\n");
    if let Some(ct) = content_type {
        raw.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    raw.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut raw = raw.into_bytes();
    raw.extend_from_slice(body);
    http::send_raw(&d.socket(), &raw).expect("create request")
}

/// Sends the body to both create routes; each must be refused with `status` and exactly
/// `message`, and change nothing.
#[track_caller]
fn refused_raw(d: &Daemon, content_type: Option<&str>, body: &str, status: u16, message: &str) {
    for path in CREATE_PATHS {
        let before = state(d);
        let r = create_raw(d, path, content_type, body.as_bytes());
        assert_eq!(
            (r.status, r.message().as_str()),
            (status, message),
            "POST {path} {body:?}: {}",
            r.text()
        );
        assert_eq!(
            r.header("Content-Type"),
            Some("application/json"),
            "{body:?}"
        );
        assert_eq!(state(d), before, "POST {path} {body:?} changed the state");
    }
}

#[track_caller]
fn refused(d: &Daemon, body: &str, status: u16, message: &str) {
    refused_raw(d, Some("application/json"), body, status, message);
}

fn create_ok(d: &Daemon, body: &str) -> String {
    let r = d.api("POST", "/networks/create", Some(body));
    assert_eq!(r.status, 201, "{body}: {}", r.text());
    r.json()["Id"].as_str().expect("Id").to_string()
}

fn invalid_config(problems: &[&str]) -> String {
    format!("invalid network config:\n{}", problems.join("\n"))
}

#[test]
fn malformed_bodies() {
    let d = Daemon::start();
    refused(&d, r#"{"Name":"x","#, 400, "invalid JSON: unexpected EOF");
    // worded as Go's encoding/json words it (moby's API tests check this text)
    refused(
        &d,
        "{invalid json",
        400,
        "invalid JSON: invalid character 'i' looking for beginning of object key string",
    );
    refused(
        &d,
        r#"{"Name" "x"}"#,
        400,
        "invalid JSON: invalid character '\"' after object key",
    );
    refused(
        &d,
        "[1,2]",
        400,
        "invalid JSON: json: cannot unmarshal array into Go value of type network.CreateRequest",
    );
    refused(
        &d,
        r#""str""#,
        400,
        "invalid JSON: json: cannot unmarshal string into Go value of type network.CreateRequest",
    );
    refused(
        &d,
        "42",
        400,
        "invalid JSON: json: cannot unmarshal number into Go value of type network.CreateRequest",
    );
    refused(
        &d,
        "",
        400,
        "invalid JSON: got EOF while reading request body",
    );
    refused(
        &d,
        " \n ",
        400,
        "invalid JSON: got EOF while reading request body",
    );
    refused(
        &d,
        r#"{"Name":"x"} {"Name":"y"}"#,
        400,
        "unexpected content after JSON",
    );
    refused(
        &d,
        r#"{"Name":"x","Internal":"yes"}"#,
        400,
        "invalid JSON: json: cannot unmarshal string into Go struct field CreateRequest.Internal of type bool",
    );
    refused(
        &d,
        r#"{"Name":"x","Options":{"com.docker.network.driver.mtu":1400}}"#,
        400,
        "invalid JSON: json: cannot unmarshal number into Go struct field CreateRequest.Options of type string",
    );
    refused(
        &d,
        r#"{"Name":"x","IPAM":{"Config":{"Subnet":"10.1.0.0/16"}}}"#,
        400,
        "invalid JSON: json: cannot unmarshal object into Go struct field IPAM.Config of type []network.IPAMConfig",
    );
    // invalid UTF-8 is malformed JSON too
    for path in CREATE_PATHS {
        let before = state(&d);
        let r = create_raw(&d, path, Some("application/json"), b"{\"Name\":\"\xff\"}");
        assert_eq!(r.status, 400, "{}", r.text());
        assert!(r.message().starts_with("invalid JSON: "), "{}", r.text());
        assert_eq!(state(&d), before);
    }
}

#[test]
fn content_type_must_be_json() {
    let d = Daemon::start();
    let body = r#"{"Name":"typed"}"#;
    refused_raw(
        &d,
        Some("text/plain"),
        body,
        400,
        "unsupported Content-Type header (text/plain): must be 'application/json'",
    );
    refused_raw(
        &d,
        Some("application/x-www-form-urlencoded"),
        body,
        400,
        "unsupported Content-Type header (application/x-www-form-urlencoded): must be 'application/json'",
    );
    // a body without any Content-Type is refused as well, as Go's mime parser refuses ""
    refused_raw(
        &d,
        None,
        body,
        400,
        "malformed Content-Type header (): mime: no media type",
    );
    // parameters after the media type are fine
    let r = create_raw(
        &d,
        "/networks/create",
        Some("application/json; charset=utf-8"),
        body.as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
}

#[test]
fn missing_empty_and_invalid_names() {
    let d = Daemon::start();
    for body in ["{}", r#"{"Name":""}"#, "null", r#"{"Name":null}"#] {
        refused(&d, body, 400, "invalid name: ");
    }
    // no body and no Content-Type at all: nothing to decode, so the name is missing
    refused_raw(&d, None, "", 400, "invalid name: ");
    refused(&d, r#"{"Name":"a\nb"}"#, 400, "invalid name: a\\nb");
    let long = "n".repeat(300);
    refused(
        &d,
        &format!(r#"{{"Name":"{long}"}}"#),
        400,
        &format!(
            "invalid name: {}...: a network name is at most 255 bytes",
            &long[..32]
        ),
    );
    // Docker accepts any other name; so does berth (field names match case-insensitively)
    create_ok(&d, r#"{"name":"with space"}"#);
    create_ok(&d, r#"{"Name":"a/b"}"#);
    assert!(d.network_names().contains(&"with space".to_string()));
}

#[test]
fn duplicate_and_predefined_names() {
    let d = Daemon::start();
    create_ok(&d, r#"{"Name":"dup"}"#);
    refused(
        &d,
        r#"{"Name":"dup"}"#,
        409,
        "network with name dup already exists",
    );
    // a different config does not make the name free
    refused(
        &d,
        r#"{"Name":"dup","IPAM":{"Config":[{"Subnet":"10.77.0.0/16"}]},"CheckDuplicate":false}"#,
        409,
        "network with name dup already exists",
    );
    for name in ["bridge", "host", "none", "default"] {
        refused(
            &d,
            &format!(r#"{{"Name":"{name}"}}"#),
            403,
            &format!("operation is not permitted on predefined {name} network "),
        );
    }
}

#[test]
fn twenty_concurrent_creates_of_one_name_make_one_network() {
    let d = Daemon::start();
    let before = state(&d);
    let socket = d.socket();
    let barrier = Arc::new(Barrier::new(20));
    let threads: Vec<_> = (0..20)
        .map(|_| {
            let socket = socket.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                http::request(
                    &socket,
                    "POST",
                    "/v1.50/networks/create",
                    Some(("application/json", br#"{"Name":"race"}"#)),
                )
                .expect("create")
            })
        })
        .collect();
    let results: Vec<HttpResponse> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let created: Vec<&HttpResponse> = results.iter().filter(|r| r.status == 201).collect();
    assert_eq!(created.len(), 1, "{results:?}");
    for r in results.iter().filter(|r| r.status != 201) {
        assert_eq!(
            (r.status, r.message().as_str()),
            (409, "network with name race already exists")
        );
    }
    let id = created[0].json()["Id"].as_str().unwrap().to_string();
    let after = state(&d);
    assert_eq!(after.networks.len(), before.networks.len() + 1);
    let races: Vec<&Value> = after
        .networks
        .iter()
        .filter(|n| n["Name"] == "race")
        .collect();
    assert_eq!(races.len(), 1);
    assert_eq!(races[0]["Id"], id);
    let new_bridges: Vec<String> = d
        .host
        .bridges()
        .into_iter()
        .filter(|b| b.starts_with("br-"))
        .collect();
    assert_eq!(new_bridges, vec![format!("br-{}", &id[..12])]);
}

#[test]
fn invalid_and_non_canonical_subnets() {
    let d = Daemon::start();
    let ipam = |cfg: &str| format!(r#"{{"Name":"bad","IPAM":{{"Config":[{cfg}]}}}}"#);
    refused(
        &d,
        &ipam(r#"{"Subnet":"172.20.0.5/16"}"#),
        400,
        "invalid network config:\ninvalid subnet 172.20.0.5/16: it should be 172.20.0.0/16",
    );
    for bad in ["300.1.1.1/16", "10.50.0.0", "bogus", "10.0.0.0/33"] {
        refused(
            &d,
            &ipam(&format!(r#"{{"Subnet":"{bad}"}}"#)),
            400,
            &invalid_config(&[&format!(
                "invalid subnet {bad}: invalid CIDR block notation"
            )]),
        );
    }
}

#[test]
fn ip_range_gateway_and_aux_address_problems() {
    let d = Daemon::start();
    let ipam = |cfg: &str| format!(r#"{{"Name":"bad","IPAM":{{"Config":[{cfg}]}}}}"#);
    refused(
        &d,
        &ipam(r#"{"Subnet":"10.50.0.0/16","IPRange":"10.51.0.0/24"}"#),
        400,
        &invalid_config(&[
            "invalid ip-range 10.51.0.0/24: parent subnet 10.50.0.0/16 doesn't contain ip-range",
        ]),
    );
    refused(
        &d,
        &ipam(r#"{"Subnet":"10.50.0.0/16","IPRange":"10.0.0.0/8"}"#),
        400,
        &invalid_config(&[
            "invalid ip-range 10.0.0.0/8: CIDR block is bigger than its parent subnet 10.50.0.0/16",
        ]),
    );
    refused(
        &d,
        &ipam(r#"{"Subnet":"10.50.0.0/16","Gateway":"10.51.0.1"}"#),
        400,
        &invalid_config(&[
            "invalid gateway 10.51.0.1: parent subnet 10.50.0.0/16 doesn't contain this address",
        ]),
    );
    for (gw, what) in [("10.50.0.0", "network"), ("10.50.255.255", "broadcast")] {
        let _ = what;
        refused(
            &d,
            &ipam(&format!(r#"{{"Subnet":"10.50.0.0/16","Gateway":"{gw}"}}"#)),
            400,
            &invalid_config(&[&format!(
                "invalid gateway {gw}: address {gw} is the network or broadcast address of 10.50.0.0/16"
            )]),
        );
    }
    refused(
        &d,
        &ipam(r#"{"Subnet":"10.50.0.0/16","AuxiliaryAddresses":{"router":"10.99.0.1"}}"#),
        400,
        &invalid_config(&[
            "invalid auxiliary address router: parent subnet 10.50.0.0/16 doesn't contain this address",
        ]),
    );
    // several problems at once are listed together, in Docker's order
    refused(
        &d,
        &ipam(
            r#"{"Subnet":"10.50.0.0/16","IPRange":"10.51.0.0/24","Gateway":"10.50.0.0","AuxiliaryAddresses":{"x":"10.99.0.1"}}"#,
        ),
        400,
        &invalid_config(&[
            "invalid ip-range 10.51.0.0/24: parent subnet 10.50.0.0/16 doesn't contain ip-range",
            "invalid gateway 10.50.0.0: address 10.50.0.0 is the network or broadcast address of 10.50.0.0/16",
            "invalid auxiliary address x: parent subnet 10.50.0.0/16 doesn't contain this address",
        ]),
    );
    refused(
        &d,
        &ipam(r#"{"Subnet":"172.20.0.5/16","Gateway":"10.0.0.1"}"#),
        400,
        &invalid_config(&[
            "invalid subnet 172.20.0.5/16: it should be 172.20.0.0/16",
            "invalid gateway 10.0.0.1: parent subnet 172.20.0.5/16 doesn't contain this address",
        ]),
    );
}

#[test]
fn overlapping_and_multiple_subnets() {
    let d = Daemon::start();
    create_ok(
        &d,
        r#"{"Name":"taken","IPAM":{"Config":[{"Subnet":"10.123.0.0/16"}]}}"#,
    );
    for subnet in [
        "10.123.0.0/16",
        "10.123.128.0/20",
        "10.0.0.0/8",
        "172.17.5.0/24",
    ] {
        refused(
            &d,
            &format!(r#"{{"Name":"ovl","IPAM":{{"Config":[{{"Subnet":"{subnet}"}}]}}}}"#),
            403,
            "Pool overlaps with other one on this address space",
        );
    }
    refused(
        &d,
        r#"{"Name":"two","IPAM":{"Config":[{"Subnet":"10.60.0.0/16"},{"Subnet":"10.61.0.0/16"}]}}"#,
        403,
        "bridge driver doesn't support multiple subnets",
    );
}

#[test]
fn unknown_and_singleton_drivers() {
    let d = Daemon::start();
    refused(
        &d,
        r#"{"Name":"drv","Driver":"nosuch"}"#,
        404,
        "plugin \"nosuch\" not found",
    );
    refused(
        &d,
        r#"{"Name":"drv","IPAM":{"Driver":"nosuchipam"}}"#,
        404,
        "plugin \"nosuchipam\" not found",
    );
    for driver in ["host", "null"] {
        refused(
            &d,
            &format!(r#"{{"Name":"drv","Driver":"{driver}"}}"#),
            403,
            &format!("only one instance of \"{driver}\" network is allowed"),
        );
    }
}

#[test]
fn bad_driver_options() {
    let d = Daemon::start();
    let opt = |k: &str, v: &str| {
        format!(
            r#"{{"Name":"opt","IPAM":{{"Config":[{{"Subnet":"10.88.0.0/24"}}]}},"Options":{{"{k}":"{v}"}}}}"#
        )
    };
    let mtu = "com.docker.network.driver.mtu";
    refused(
        &d,
        &opt(mtu, "abc"),
        400,
        "failed to parse com.docker.network.driver.mtu value \"abc\": not a number",
    );
    for bad in ["-1", "70000"] {
        refused(
            &d,
            &opt(mtu, bad),
            400,
            &format!("invalid MTU number: {bad} (must be between 68 and 65535)"),
        );
    }
    for key in ["enable_icc", "enable_ip_masquerade"] {
        refused(
            &d,
            &opt(&format!("com.docker.network.bridge.{key}"), "maybe"),
            400,
            &format!(
                "failed to parse com.docker.network.bridge.{key} value: \"maybe\" is not a valid bool"
            ),
        );
    }
    refused(
        &d,
        &opt("com.docker.network.bridge.host_binding_ipv4", "notanip"),
        400,
        "failed to parse com.docker.network.bridge.host_binding_ipv4 value \"notanip\": not an IP address",
    );
    for bad in ["oracle-br-123456789", "a/b", "a:b", ""] {
        refused(
            &d,
            &opt("com.docker.network.bridge.name", bad),
            400,
            &format!(
                "invalid com.docker.network.bridge.name \"{bad}\": an interface name is 1 to 15 printable characters without '/' or ':'"
            ),
        );
    }
}

#[test]
fn bridge_name_of_a_device_berth_does_not_own() {
    let d = Daemon::start();
    d.host.ip(&[
        "link", "add", "foreign0", "type", "veth", "peer", "name", "foreign1",
    ]);
    d.host
        .ip(&["addr", "add", "10.201.0.1/24", "dev", "foreign0"]);
    d.host.ip(&["link", "set", "foreign0", "up"]);
    let foreign_before = d.host.link("foreign0").expect("foreign0");
    for (device, why) in [
        (
            "foreign0",
            "the interface name foreign0 is in use by a device berth does not manage",
        ),
        (
            "lo",
            "the interface name lo is in use by a device berth does not manage",
        ),
    ] {
        for path in CREATE_PATHS {
            let before = state(&d);
            let body = format!(
                r#"{{"Name":"steal","IPAM":{{"Config":[{{"Subnet":"10.89.0.0/24"}}]}},"Options":{{"com.docker.network.bridge.name":"{device}"}}}}"#
            );
            let r = create_raw(&d, path, Some("application/json"), body.as_bytes());
            assert_eq!(r.status, 403, "{}", r.text());
            let msg = r.message();
            let expect_tail = format!(" ({device}): {why}");
            assert!(
                msg.starts_with("cannot create network ") && msg.ends_with(&expect_tail),
                "{msg}"
            );
            let id = &msg["cannot create network ".len()..msg.len() - expect_tail.len()];
            assert_eq!(id.len(), 64, "{msg}");
            assert_eq!(state(&d), before);
        }
    }
    // berth's own default bridge device cannot be taken over either
    let r = create_raw(
        &d,
        "/networks/create",
        Some("application/json"),
        br#"{"Name":"steal","IPAM":{"Config":[{"Subnet":"10.89.0.0/24"}]},"Options":{"com.docker.network.bridge.name":"berth0"}}"#,
    );
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(
        r.message().ends_with("networks have same bridge name"),
        "{}",
        r.text()
    );
    assert_eq!(d.host.link("foreign0").expect("foreign0"), foreign_before);
    assert_eq!(d.host.addresses("berth0"), vec!["172.17.0.1/16"]);
}

#[test]
fn remove_and_inspect_errors() {
    let d = Daemon::start();
    for name in ["bridge", "host", "none"] {
        for prefix in ["", "/v1.50"] {
            let before = state(&d);
            let r = d.api("DELETE", &format!("{prefix}/networks/{name}"), None);
            assert_eq!(
                (r.status, r.message().as_str()),
                (
                    403,
                    format!("{name} is a pre-defined network and cannot be removed").as_str()
                )
            );
            assert_eq!(state(&d), before);
        }
    }
    // a predefined network is protected under its ID too
    let bridge_id = d.api_json("GET", "/networks/bridge", None)["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = d.api("DELETE", &format!("/networks/{}", &bridge_id[..12]), None);
    assert_eq!(
        (r.status, r.message().as_str()),
        (403, "bridge is a pre-defined network and cannot be removed")
    );
    for prefix in ["", "/v1.50"] {
        let before = state(&d);
        let r = d.api("DELETE", &format!("{prefix}/networks/nosuch"), None);
        assert_eq!(
            (r.status, r.message().as_str()),
            (404, "network nosuch not found")
        );
        let r = d.api("GET", &format!("{prefix}/networks/nosuch"), None);
        assert_eq!(
            (r.status, r.message().as_str()),
            (404, "network nosuch not found")
        );
        assert_eq!(state(&d), before);
    }
    // IDs are lower-case hex: an upper-case prefix finds nothing
    let upper = bridge_id[..6].to_uppercase();
    if upper != bridge_id[..6] {
        let r = d.api("GET", &format!("/networks/{upper}"), None);
        assert_eq!(
            (r.status, r.message()),
            (404, format!("network {upper} not found"))
        );
    }
}

#[test]
fn ambiguous_id_prefix() {
    let d = Daemon::start();
    // create networks until two IDs share their first hex digit (at most 17 are needed)
    let mut ids: Vec<String> = d
        .api_json("GET", "/networks", None)
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["Id"].as_str().unwrap().to_string())
        .collect();
    let shared = loop {
        let clash = (0..16u32)
            .map(|h| char::from_digit(h, 16).unwrap())
            .find(|c| ids.iter().filter(|id| id.starts_with(*c)).count() >= 2);
        if let Some(c) = clash {
            break c;
        }
        assert!(ids.len() < 20, "no shared prefix among {ids:?}");
        ids.push(create_ok(&d, &format!(r#"{{"Name":"amb{}"}}"#, ids.len())));
    };
    let n = ids.iter().filter(|id| id.starts_with(shared)).count();
    let before = state(&d);
    for method in ["GET", "DELETE"] {
        let r = d.api(method, &format!("/networks/{shared}"), None);
        assert_eq!(
            (r.status, r.message()),
            (
                400,
                format!("network {shared} is ambiguous ({n} matches found based on ID prefix)")
            ),
            "{method}"
        );
    }
    assert_eq!(state(&d), before);
    // a longer, unique prefix finds the one network
    let one = ids.iter().find(|id| id.starts_with(shared)).unwrap();
    let unique = (2..=64)
        .map(|len| &one[..len])
        .find(|p| ids.iter().filter(|id| id.starts_with(p)).count() == 1)
        .unwrap();
    assert_eq!(
        d.api_json("GET", &format!("/networks/{unique}"), None)["Id"],
        one.as_str()
    );
}

#[test]
fn ten_megabyte_body_is_refused_clearly() {
    let d = Daemon::start();
    let before = state(&d);
    let mut body = br#"{"Name":"huge","Labels":{"x":""#.to_vec();
    body.extend(std::iter::repeat_n(b'a', 10 * 1024 * 1024));
    body.extend_from_slice(br#""}}"#);
    let head = format!(
        "POST /v1.50/networks/create HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let mut s = UnixStream::connect(d.socket()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    // the daemon may answer and close before it has read everything: a failed write is fine
    let started = Instant::now();
    let _ = s.write_all(&body);
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    assert!(
        text.starts_with("HTTP/1.1 413"),
        "no 413 after {:?}: {text:?}",
        started.elapsed()
    );
    let json_start = text.find("\r\n\r\n").unwrap() + 4;
    let v: Value = serde_json::from_str(&text[json_start..]).expect("JSON error body");
    assert_eq!(v["message"], "request body is larger than 4194304 bytes");
    assert!(started.elapsed() < Duration::from_secs(10));
    // the daemon still serves, and nothing was created
    assert_eq!(d.api("GET", "/_ping", None).status, 200);
    assert_eq!(state(&d), before);
}

#[test]
fn client_that_disconnects_mid_body() {
    let d = Daemon::start();
    let before = state(&d);
    let body = br#"{"Name":"half","IPAM":{"Config":[{"Subnet":"10.90.0.0/24"}]}}"#;
    for cut in [0, 10, body.len() - 1] {
        let mut s = UnixStream::connect(d.socket()).unwrap();
        let head = format!(
            "POST /networks/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(&body[..cut]).unwrap();
        drop(s);
    }
    // also headers cut off in the middle
    let mut s = UnixStream::connect(d.socket()).unwrap();
    s.write_all(b"POST /networks/create HTTP/1.1\r\nContent-Ty")
        .unwrap();
    drop(s);
    std::thread::sleep(Duration::from_millis(200));
    let r = d.api("GET", "/_ping", None);
    assert_eq!((r.status, r.text().as_str()), (200, "OK"));
    assert_eq!(state(&d), before);
    // and the same network can then be created normally
    create_ok(&d, std::str::from_utf8(body).unwrap());
}

/// Every berth bridge network in the list has its bridge with its gateway, and every `br-`
/// bridge in the fake host belongs to a listed network.
fn consistent(d: &Daemon) -> Result<(), String> {
    let nets = d.api_json("GET", "/networks", None);
    let mut expected: Vec<String> = Vec::new();
    for n in nets.as_array().unwrap() {
        if n["Driver"] != "bridge" || n["Name"] == "bridge" {
            continue;
        }
        let br = format!("br-{}", &n["Id"].as_str().unwrap()[..12]);
        let gw = n["IPAM"]["Config"][0]["Gateway"]
            .as_str()
            .unwrap_or_default();
        let prefix = n["IPAM"]["Config"][0]["Subnet"]
            .as_str()
            .unwrap_or_default()
            .split('/')
            .nth(1)
            .unwrap_or_default()
            .to_string();
        if d.host.addresses(&br) != vec![format!("{gw}/{prefix}")] {
            return Err(format!(
                "{br} lacks {gw}/{prefix}: {:?}",
                d.host.addresses(&br)
            ));
        }
        expected.push(br);
    }
    expected.sort();
    let actual: Vec<String> = d
        .host
        .bridges()
        .into_iter()
        .filter(|b| b.starts_with("br-"))
        .collect();
    if actual != expected {
        return Err(format!("bridges {actual:?}, networks want {expected:?}"));
    }
    Ok(())
}

#[test]
fn client_that_disconnects_right_after_a_full_create() {
    let d = Daemon::start();
    for i in 0..10 {
        let body = format!(r#"{{"Name":"gone{i}"}}"#);
        let raw = format!(
            "POST /networks/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let mut s = UnixStream::connect(d.socket()).unwrap();
        s.write_all(raw.as_bytes()).unwrap();
        drop(s);
    }
    // each network is either there with its bridge or not there at all, never half; wait
    // for the daemon to finish what it accepted
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut last = Err(String::new());
    while Instant::now() < deadline {
        last = consistent(&d);
        if last.is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(last, Ok(()));
    assert_eq!(d.api("GET", "/_ping", None).status, 200);
    // whatever was created can be removed, and the rest created, as usual
    for i in 0..10 {
        let name = format!("gone{i}");
        if d.network_names().contains(&name) {
            assert_eq!(
                d.api("DELETE", &format!("/networks/{name}"), None).status,
                204
            );
        }
    }
    create_ok(&d, r#"{"Name":"gone0"}"#);
}

#[test]
fn invalid_list_and_prune_filters() {
    let d = Daemon::start();
    let get = |f: &str| {
        let q = url_encode(f);
        d.api("GET", &format!("/networks?filters={q}"), None)
    };
    for (filters, status, message) in [
        (r#"{"foo":["bar"]}"#, 400, "invalid filter 'foo'"),
        (
            r#"{"dangling":["maybe"]}"#,
            400,
            "invalid value for filter 'dangling', must be \"true\" (or \"1\"), or \"false\" (or \"0\")",
        ),
        (r#"{"type":["bogus"]}"#, 400, "invalid filter: 'type'='bogus'"),
        (r#"{"until":["1h"]}"#, 400, "invalid filter 'until'"),
        (r#"{"label!":["x"]}"#, 400, "invalid filter 'label!'"),
    ] {
        let r = get(filters);
        assert_eq!((r.status, r.message().as_str()), (status, message), "{filters}");
    }
    let r = get("{bad");
    assert_eq!(
        (r.status, r.message().as_str()),
        (
            400,
            "invalid filter: invalid character 'b' looking for beginning of object key string"
        )
    );
    // other malformed filters are a 400 naming the problem
    for bad in ["[]", r#"{"name":"x"}"#, r#"{"name":["x""#] {
        let r = get(bad);
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
        assert!(
            r.message().starts_with("invalid filter"),
            "{bad}: {}",
            r.text()
        );
    }
    create_ok(&d, r#"{"Name":"keep","Labels":{"k":"v"}}"#);
    let before = state(&d);
    let prune = |f: &str| {
        let q = url_encode(f);
        d.api("POST", &format!("/networks/prune?filters={q}"), None)
    };
    for (filters, status, message) in [
        (r#"{"dangling":["true"]}"#, 400, "invalid filter 'dangling'"),
        (r#"{"name":["keep"]}"#, 400, "invalid filter 'name'"),
        (r#"{"foo":["bar"]}"#, 400, "invalid filter 'foo'"),
        (
            r#"{"until":["garbage"]}"#,
            400,
            "failed to parse value as time or duration: \"garbage\"",
        ),
    ] {
        let r = prune(filters);
        assert_eq!(
            (r.status, r.message().as_str()),
            (status, message),
            "{filters}"
        );
        assert_eq!(state(&d), before, "{filters} changed the state");
    }
    let r = prune("{bad");
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(state(&d), before);
}

#[test]
fn fifty_concurrent_automatic_subnets() {
    let d = Daemon::start_with(&["--default-address-pool", "base=10.10.0.0/16,size=24"]);
    let socket = d.socket();
    let barrier = Arc::new(Barrier::new(50));
    let threads: Vec<_> = (0..50)
        .map(|i| {
            let socket = socket.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                let body = format!(r#"{{"Name":"auto{i}"}}"#);
                http::request(
                    &socket,
                    "POST",
                    "/networks/create",
                    Some(("application/json", body.as_bytes())),
                )
                .expect("create")
            })
        })
        .collect();
    for t in threads {
        let r = t.join().unwrap();
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let nets = d.api_json("GET", "/networks", None);
    let mut subnets: Vec<Ipv4Net> = Vec::new();
    for n in nets.as_array().unwrap() {
        if !n["Name"].as_str().unwrap().starts_with("auto") {
            continue;
        }
        let cfg = &n["IPAM"]["Config"][0];
        let subnet: Ipv4Net = cfg["Subnet"].as_str().unwrap().parse().unwrap();
        assert_eq!(subnet.prefix_len(), 24);
        assert!("10.10.0.0/16".parse::<Ipv4Net>().unwrap().contains(&subnet));
        let gw = cfg["Gateway"].as_str().unwrap();
        let br = format!("br-{}", &n["Id"].as_str().unwrap()[..12]);
        assert_eq!(d.host.addresses(&br), vec![format!("{gw}/24")], "{br}");
        subnets.push(subnet);
    }
    assert_eq!(subnets.len(), 50);
    for (i, a) in subnets.iter().enumerate() {
        for b in &subnets[i + 1..] {
            assert!(!a.contains(b) && !b.contains(a), "{a} and {b} overlap");
        }
    }
    let bridges = d.host.bridges();
    assert_eq!(bridges.iter().filter(|b| b.starts_with("br-")).count(), 50);
}

/// Percent-encodes a query value.
fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
