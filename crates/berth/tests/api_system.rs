//! The daemon as a process and as an API server: ping, version negotiation, routing of
//! unknown and unimplemented paths, the stock docker CLI's `version`/`info`, the data-root
//! lock, SIGTERM, the socket's mode, and the list/inspect/prune query surface.

mod harness;

use harness::{berth_bin, Daemon};
use serde_json::Value;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::process::Stdio;
use std::time::{Duration, Instant};

const VERSION: &str = env!("CARGO_PKG_VERSION");

#[test]
fn ping_get_and_head() {
    let d = Daemon::start();
    for path in ["/_ping", "/v1.50/_ping", "/v1.24/_ping"] {
        for method in ["GET", "HEAD"] {
            let r = d.api(method, path, None);
            assert_eq!(r.status, 200, "{method} {path}");
            let want_body = if method == "GET" { "OK" } else { "" };
            assert_eq!(r.text(), want_body, "{method} {path}");
            for (name, value) in [
                ("Api-Version", "1.50"),
                ("Ostype", "linux"),
                ("Docker-Experimental", "false"),
                ("Cache-Control", "no-cache, no-store, must-revalidate"),
                ("Pragma", "no-cache"),
                ("Content-Type", "text/plain; charset=utf-8"),
            ] {
                assert_eq!(r.header(name), Some(value), "{method} {path} {name}");
            }
            assert_eq!(
                r.header("Server"),
                Some(format!("Docker/{VERSION} (linux)").as_str())
            );
        }
    }
}

#[test]
fn version_body() {
    let d = Daemon::start();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    for path in [
        "/version",
        "/v1.41/version",
        "/v1.50/version",
        "/v1.24/version",
    ] {
        let v = d.api_json("GET", path, None);
        assert_eq!(v["ApiVersion"], "1.50", "{path}");
        assert_eq!(v["MinAPIVersion"], "1.24");
        assert_eq!(v["Version"], VERSION);
        assert_eq!(v["Os"], "linux");
        assert_eq!(v["KernelVersion"], kernel.trim());
        let engine = &v["Components"][0];
        assert_eq!(engine["Name"], "Engine");
        assert_eq!(engine["Version"], VERSION);
        let details = &engine["Details"];
        assert_eq!(details["ApiVersion"], "1.50");
        assert_eq!(details["MinAPIVersion"], "1.24");
        assert_eq!(details["Os"], "linux");
        assert_eq!(details["Arch"], v["Arch"]);
        assert_eq!(details["Experimental"], "false");
        assert!(
            ["amd64", "arm64"].contains(&v["Arch"].as_str().unwrap()),
            "{v}"
        );
    }
}

#[test]
fn api_versions_outside_the_supported_range() {
    let d = Daemon::start();
    for old in ["1.12", "1.23", "1.0"] {
        let r = d.api("GET", &format!("/v{old}/version"), None);
        assert_eq!(
            (r.status, r.message()),
            (
                400,
                format!(
                    "client version {old} is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version"
                )
            )
        );
    }
    for new in ["1.99", "1.51", "2.0"] {
        for path in ["version", "_ping", "networks"] {
            let r = d.api("GET", &format!("/v{new}/{path}"), None);
            assert_eq!(
                (r.status, r.message()),
                (
                    400,
                    format!(
                        "client version {new} is too new. Maximum supported API version is 1.50"
                    )
                ),
                "{path}"
            );
        }
    }
    // a refused version changes nothing
    let r = d.api("POST", "/v1.99/networks/create", Some(r#"{"Name":"x"}"#));
    assert_eq!(r.status, 400);
    assert!(!d.network_names().contains(&"x".to_string()));
}

#[test]
fn unknown_unimplemented_and_wrong_method() {
    let d = Daemon::start();
    for path in ["/nope", "/v1.50/nope", "/vabc/version", "/networksx", "/"] {
        let r = d.api("GET", path, None);
        assert_eq!(
            (r.status, r.message().as_str()),
            (404, "page not found"),
            "{path}"
        );
        assert_eq!(r.header("Content-Type"), Some("application/json"));
        assert!(
            r.text().ends_with('\n'),
            "Go's encoder ends JSON with a newline"
        );
    }
    for (method, path, body) in [
        ("GET", "/system/df", None),
        ("GET", "/plugins", None),
        ("POST", "/containers/x/pause", None),
        ("GET", "/v1.50/system/df", None),
    ] {
        let started = Instant::now();
        let r = d.api(method, path, body);
        let stripped = path.trim_start_matches("/v1.50");
        assert_eq!(
            (r.status, r.message()),
            (
                501,
                format!("berth does not implement {method} {stripped} yet")
            ),
            "{method} {path}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{method} {path} was slow"
        );
    }
    // a known path with the wrong method is answered as dockerd does: 404, never 405
    for (method, path) in [
        ("POST", "/version"),
        ("POST", "/v1.50/version"),
        ("PUT", "/networks"),
        ("DELETE", "/networks"),
        ("POST", "/networks/bridge"),
        ("DELETE", "/_ping"),
        ("POST", "/info"),
    ] {
        let r = d.api(method, path, None);
        assert_eq!(
            (r.status, r.message().as_str()),
            (404, "page not found"),
            "{method} {path}"
        );
    }
}

#[test]
fn stock_docker_cli_version_and_info() {
    let d = Daemon::start();
    assert_eq!(
        d.docker(&["version", "--format", "{{.Server.APIVersion}}"])
            .ok(),
        "1.50\n"
    );
    assert_eq!(
        d.docker(&[
            "version",
            "--format",
            "{{.Server.Version}} {{.Server.MinAPIVersion}}"
        ])
        .ok(),
        format!("{VERSION} 1.24\n")
    );
    let out = d.docker(&["version"]);
    let text = out.ok();
    let server = text
        .split("\nServer:")
        .nth(1)
        .unwrap_or_else(|| panic!("no Server section:\n{text}"));
    assert!(server.contains(" Engine:\n"), "{server}");
    assert!(
        server.contains(&format!("  Version:          {VERSION}\n")),
        "{server}"
    );
    assert!(
        server.contains("  API version:      1.50 (minimum version 1.24)\n"),
        "{server}"
    );
    assert!(server.contains("  OS/Arch:          linux/"), "{server}");
    assert!(server.contains("  Experimental:     false\n"), "{server}");
    // the client does not downgrade: it speaks 1.50 to berth
    assert!(text.contains(" API version:       1.50\n"), "{text}");
    assert_eq!(
        d.docker(&["info", "--format", "{{.ServerVersion}} {{.OSType}}"])
            .ok(),
        format!("{VERSION} linux\n")
    );
    let info = d.docker(&["info"]);
    let text = info.ok();
    assert!(
        text.contains(&format!(" Server Version: {VERSION}\n")),
        "{text}"
    );
    assert!(text.contains(" OSType: linux\n"), "{text}");
    assert!(
        text.contains(&format!(" Docker Root Dir: {}\n", d.data_root().display())),
        "{text}"
    );
    assert_eq!(info.stderr, "", "docker info warned");
}

#[test]
fn second_daemon_on_the_same_data_root_is_refused() {
    let d = Daemon::start();
    let other_socket = d.data_root().with_file_name("other.sock");
    let mut second = d.host.exec(berth_bin());
    second
        .arg("daemon")
        .arg("--host")
        .arg(format!("unix://{}", other_socket.display()))
        .arg("--data-root")
        .arg(d.data_root())
        .arg("--exec-root")
        .arg(d.exec_root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = second.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("second daemon kept running");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!status.success(), "second daemon exited 0: {stderr}");
    let expected = format!(
        "another berth daemon (pid {}) is already running with data root {}",
        d.pid(),
        d.data_root().display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(!other_socket.exists(), "the refused daemon left a socket");
    // the first keeps serving, on its own socket
    assert!(d.socket().exists());
    assert_eq!(d.api("GET", "/_ping", None).text(), "OK");
    assert_eq!(d.network_names(), vec!["bridge", "host", "none"]);
}

#[test]
fn sigterm_exits_cleanly_and_removes_the_socket() {
    let mut d = Daemon::start();
    let meta = std::fs::metadata(d.socket()).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o7777, 0o660);
    let id = d.api_json("POST", "/networks/create", Some(r#"{"Name":"survivor"}"#))["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let status = d.terminate();
    assert!(status.success(), "exit status {status}:\n{}", d.log());
    assert_eq!(status.code(), Some(0));
    assert!(!d.socket().exists(), "socket left behind");
    // the lock was released: the next start works and the network is still there
    d.start_again();
    assert_eq!(
        d.api_json("GET", "/networks/survivor", None)["Id"],
        id.as_str()
    );
    let meta = std::fs::metadata(d.socket()).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o660);
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

fn names_of(v: &Value) -> Vec<String> {
    let mut names: Vec<String> = v
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|n| n["Name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

fn create(d: &Daemon, body: &str) -> String {
    d.api_json("POST", "/networks/create", Some(body))["Id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn list_filters_in_both_encodings() {
    let d = Daemon::start();
    let web = create(
        &d,
        r#"{"Name":"flt-web","Labels":{"tier":"web","env":"prod"}}"#,
    );
    create(&d, r#"{"Name":"flt-db","Labels":{"tier":"db","empty":""}}"#);
    create(&d, r#"{"Name":"flt-plain"}"#);
    let all = ["bridge", "flt-db", "flt-plain", "flt-web", "host", "none"];
    let custom = ["flt-db", "flt-plain", "flt-web"];
    let builtin = ["bridge", "host", "none"];
    let web_id_prefix = &web[..10];
    let cases: Vec<(&str, Vec<&str>, Vec<&str>)> = vec![
        ("dangling", vec!["true"], custom.to_vec()),
        ("dangling", vec!["1"], custom.to_vec()),
        ("dangling", vec!["false"], builtin.to_vec()),
        ("dangling", vec!["0"], builtin.to_vec()),
        (
            "driver",
            vec!["bridge"],
            vec!["bridge", "flt-db", "flt-plain", "flt-web"],
        ),
        ("driver", vec!["null"], vec!["none"]),
        ("driver", vec!["host", "null"], vec!["host", "none"]),
        ("driver", vec!["bri"], vec![]),
        ("id", vec![web.as_str()], vec!["flt-web"]),
        ("id", vec![web_id_prefix], vec!["flt-web"]),
        ("label", vec!["tier"], vec!["flt-db", "flt-web"]),
        ("label", vec!["tier=db"], vec!["flt-db"]),
        ("label", vec!["tier=d"], vec![]),
        ("label", vec!["tier=web", "env=prod"], vec!["flt-web"]),
        ("label", vec!["tier=web", "env=dev"], vec![]),
        ("label", vec!["empty="], vec!["flt-db"]),
        ("name", vec!["flt-web"], vec!["flt-web"]),
        ("name", vec!["flt"], custom.to_vec()),
        ("name", vec!["^flt-(web|db)$"], vec!["flt-db", "flt-web"]),
        ("name", vec!["flt-web", "none"], vec!["flt-web", "none"]),
        ("name", vec!["FLT"], vec![]),
        ("scope", vec!["local"], all.to_vec()),
        ("scope", vec!["swarm"], vec![]),
        ("type", vec!["custom"], custom.to_vec()),
        ("type", vec!["builtin"], builtin.to_vec()),
        ("type", vec!["custom", "builtin"], all.to_vec()),
    ];
    for (key, values, want) in cases {
        let list = serde_json::json!({ key: values });
        let map: serde_json::Map<String, Value> = values
            .iter()
            .map(|v| (v.to_string(), Value::Bool(true)))
            .collect();
        let map = serde_json::json!({ key: map });
        for filters in [list, map] {
            let q = url_encode(&filters.to_string());
            for prefix in ["", "/v1.50"] {
                let got = d.api_json("GET", &format!("{prefix}/networks?filters={q}"), None);
                assert_eq!(names_of(&got), want, "{filters}");
            }
        }
    }
    // in the legacy form only the keys count, as in dockerd
    let q = url_encode(r#"{"name":{"flt-web":false}}"#);
    let got = d.api_json("GET", &format!("/networks?filters={q}"), None);
    assert_eq!(names_of(&got), vec!["flt-web"]);
    // different keys are ANDed
    let q = url_encode(r#"{"driver":["bridge"],"label":["tier"],"name":["web"]}"#);
    let got = d.api_json("GET", &format!("/networks?filters={q}"), None);
    assert_eq!(names_of(&got), vec!["flt-web"]);
    // empty filters mean everything; the list never carries Containers
    for q in ["", "?filters=", "?filters=%7B%7D"] {
        let got = d.api_json("GET", &format!("/networks{q}"), None);
        assert_eq!(names_of(&got), all, "{q}");
        assert!(got
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n.get("Containers").is_none()));
    }
}

#[test]
fn inspect_by_id_name_and_prefix() {
    let d = Daemon::start();
    let id = create(
        &d,
        r#"{"Name":"looked-up","Labels":{"a":"b"},"IPAM":{"Config":[{"Subnet":"10.44.0.0/16"}]}}"#,
    );
    let by_id = d.api_json("GET", &format!("/networks/{id}"), None);
    assert_eq!(by_id["Name"], "looked-up");
    assert_eq!(by_id["Containers"], serde_json::json!({}));
    assert_eq!(by_id["Labels"]["a"], "b");
    assert_eq!(by_id["IPAM"]["Config"][0]["Subnet"], "10.44.0.0/16");
    for key in [
        "looked-up".to_string(),
        id[..12].to_string(),
        id[..5].to_string(),
    ] {
        for prefix in ["", "/v1.50", "/v1.41"] {
            let got = d.api_json("GET", &format!("{prefix}/networks/{key}"), None);
            assert_eq!(got, by_id, "{prefix}/networks/{key}");
        }
    }
    // the list shows the same object, without Containers
    let listed = d.api_json("GET", "/networks", None);
    let mut in_list = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["Id"] == id.as_str())
        .unwrap()
        .clone();
    in_list
        .as_object_mut()
        .unwrap()
        .insert("Containers".into(), serde_json::json!({}));
    assert_eq!(in_list, by_id);
    // scope is checked against the network's own
    assert_eq!(
        d.api("GET", "/networks/looked-up?scope=local", None).status,
        200
    );
    let r = d.api("GET", "/networks/looked-up?scope=swarm", None);
    assert_eq!(
        (r.status, r.message().as_str()),
        (404, "network looked-up not found")
    );
}

#[test]
fn prune_with_label_and_until() {
    let d = Daemon::start();
    let p1 = create(&d, r#"{"Name":"p1","Labels":{"prune":"yes"}}"#);
    create(&d, r#"{"Name":"p2","Labels":{"prune":"yes","keep":"1"}}"#);
    create(&d, r#"{"Name":"p3"}"#);
    let prune = |filters: &str| {
        let r = d.api(
            "POST",
            &format!("/networks/prune?filters={}", url_encode(filters)),
            None,
        );
        assert_eq!(r.status, 200, "{filters}: {}", r.text());
        r
    };
    // nothing matches: null, not []
    let r = prune(r#"{"label":["nothing"]}"#);
    assert_eq!(r.text(), "{\"NetworksDeleted\":null}\n");
    // networks created just now are not older than an hour, nor than 2020
    for until in ["1h", "2020-01-01T00:00:00Z", "1577836800"] {
        let r = prune(&format!(r#"{{"until":["{until}"],"label":["prune"]}}"#));
        assert_eq!(r.json()["NetworksDeleted"], Value::Null, "{until}");
    }
    let r = prune(r#"{"label":["prune=yes"],"label!":["keep"]}"#);
    assert_eq!(r.json(), serde_json::json!({"NetworksDeleted": ["p1"]}));
    assert!(
        d.host.wait_link_gone(&format!("br-{}", &p1[..12])),
        "pruned bridge left"
    );
    assert_eq!(
        d.network_names(),
        vec!["bridge", "host", "none", "p2", "p3"]
    );
    // `until` in the future covers them; `label!=k=v` excludes only that exact label
    let future = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let r = prune(&format!(
        r#"{{"until":["{future}"],"label!":["keep=2"],"label":["prune"]}}"#
    ));
    assert_eq!(r.json(), serde_json::json!({"NetworksDeleted": ["p2"]}));
    // no filters: every custom network, never the predefined ones
    let r = d.api("POST", "/v1.50/networks/prune", None);
    assert_eq!(r.json(), serde_json::json!({"NetworksDeleted": ["p3"]}));
    assert_eq!(d.network_names(), vec!["bridge", "host", "none"]);
    let r = d.api("POST", "/networks/prune", None);
    assert_eq!(r.text(), "{\"NetworksDeleted\":null}\n");
    // bridges go in the background, right after the records
    let deadline = Instant::now() + Duration::from_secs(5);
    while d.host.bridges().iter().any(|b| b.starts_with("br-")) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(d.host.bridges(), vec!["berth0"]);
}

#[test]
fn networks_named_like_routes() {
    let d = Daemon::start();
    // dockerd matches GET/DELETE /networks/create and /networks/prune as /networks/{id}
    for word in ["create", "prune"] {
        let r = d.api("GET", &format!("/networks/{word}"), None);
        assert_eq!(
            (r.status, r.message()),
            (404, format!("network {word} not found"))
        );
        let r = d.api("DELETE", &format!("/v1.50/networks/{word}"), None);
        assert_eq!(
            (r.status, r.message()),
            (404, format!("network {word} not found"))
        );
    }
    for word in ["create", "prune"] {
        let id = create(&d, &format!(r#"{{"Name":"{word}"}}"#));
        assert_eq!(
            d.api_json("GET", &format!("/networks/{word}"), None)["Id"],
            id.as_str()
        );
        assert_eq!(
            d.docker(&["network", "inspect", "-f", "{{.Id}}", word])
                .ok()
                .trim(),
            id
        );
        assert_eq!(d.berth(&["network", "rm", word]).ok(), format!("{word}\n"));
        assert!(!d.network_names().contains(&word.to_string()));
    }
}

/// A unix socket path holds 107 bytes: an exec root too long for the per-container monitor
/// sockets is refused when the daemon starts, not at the first `run`.
#[test]
fn daemon_refuses_an_exec_root_too_long_for_unix_sockets() {
    let host = harness::fake_host::FakeHost::new();
    let dir = tempfile::Builder::new().prefix("be").tempdir().unwrap();
    let long = dir.path().join("x".repeat(60));
    let out = host
        .exec(harness::berth_bin())
        .arg("daemon")
        .arg("--host")
        .arg(format!("unix://{}", dir.path().join("s.sock").display()))
        .arg("--data-root")
        .arg(dir.path().join("data"))
        .arg("--exec-root")
        .arg(&long)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is too long"), "{err}");
    assert!(err.contains("at most 107"), "{err}");
    assert!(!long.exists(), "nothing is created");
}
