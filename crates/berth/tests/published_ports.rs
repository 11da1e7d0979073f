//! Published ports end to end, without the packet path (the firewall's tests cover that):
//! which host ports a container gets (explicit, ranged, ephemeral, `-P`, IPv6), how inspect,
//! `port` and `ps` show them through both CLIs, that a host port is held by one running
//! container only (Docker's error, and a failed start changes nothing), that stop gives the
//! ports back and start takes them again, that a daemon killed with -9 keeps them, and
//! Docker's answers to bad `-p` specs.

mod harness;

use harness::ctr::*;
use harness::Daemon;
use serde_json::{json, Value};

/// The kernel's local port range inside the fake host, where the daemon runs.
fn ephemeral_range(d: &Daemon) -> (u16, u16) {
    let out = d
        .host
        .exec("cat")
        .arg("/proc/sys/net/ipv4/ip_local_port_range")
        .output()
        .expect("cat");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let v: Vec<u16> = text
        .split_whitespace()
        .map(|x| x.parse().expect("port"))
        .collect();
    (v[0], v[1])
}

fn ports_of(d: &Daemon, name: &str) -> Value {
    inspect(d, name)["NetworkSettings"]["Ports"].clone()
}

fn host_port(ports: &Value, key: &str, index: usize) -> u16 {
    ports[key][index]["HostPort"]
        .as_str()
        .unwrap_or_else(|| panic!("no {key}[{index}] in {ports}"))
        .parse()
        .expect("numeric HostPort")
}

/// The same command through both CLIs gives the same stdout, which is returned.
#[track_caller]
fn same_output(d: &Daemon, args: &[&str]) -> String {
    let [(_, b), (_, k)] = both(d, args);
    let out = b.ok().to_string();
    assert_eq!(out, k.ok(), "berth and docker differ for {args:?}");
    out
}

fn veths(d: &Daemon) -> usize {
    d.host
        .ip(&["-o", "link", "show", "type", "veth"])
        .lines()
        .count()
}

#[test]
fn explicit_ranged_and_ephemeral_ports_as_docker_shows_them() {
    let d = daemon_with_busybox();
    let (low, high) = ephemeral_range(&d);
    berth(
        &d,
        &w("run -d --name web -p 8080:80 -p 127.0.0.1:9000-9001:9000-9001/udp -p 7000-7010:70 -p 6000 --expose 5000 busybox sleep 300"),
    )
    .ok();
    let ports = ports_of(&d, "web");
    let eph = host_port(&ports, "6000/tcp", 0);
    assert!((low..=high).contains(&eph), "{eph} outside {low}-{high}");
    assert_eq!(
        ports,
        json!({
            "5000/tcp": null,
            "6000/tcp": [{"HostIp": "0.0.0.0", "HostPort": eph.to_string()}],
            "70/tcp": [{"HostIp": "0.0.0.0", "HostPort": "7000"}],
            "80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}],
            "9000/udp": [{"HostIp": "127.0.0.1", "HostPort": "9000"}],
            "9001/udp": [{"HostIp": "127.0.0.1", "HostPort": "9001"}],
        })
    );
    // HostConfig keeps the request as made
    assert_eq!(
        inspect(&d, "web")["HostConfig"]["PortBindings"],
        json!({
            "6000/tcp": [{"HostIp": "", "HostPort": ""}],
            "70/tcp": [{"HostIp": "", "HostPort": "7000-7010"}],
            "80/tcp": [{"HostIp": "", "HostPort": "8080"}],
            "9000/udp": [{"HostIp": "127.0.0.1", "HostPort": "9000"}],
            "9001/udp": [{"HostIp": "127.0.0.1", "HostPort": "9001"}],
        })
    );
    assert_eq!(
        same_output(&d, &w("port web")),
        format!(
            "70/tcp -> 0.0.0.0:7000\n80/tcp -> 0.0.0.0:8080\n6000/tcp -> 0.0.0.0:{eph}\n9000/udp -> 127.0.0.1:9000\n9001/udp -> 127.0.0.1:9001\n"
        )
    );
    assert_eq!(same_output(&d, &w("port web 80")), "0.0.0.0:8080\n");
    assert_eq!(same_output(&d, &w("port web 80/tcp")), "0.0.0.0:8080\n");
    assert_eq!(same_output(&d, &w("port web 9001/udp")), "127.0.0.1:9001\n");
    for (tool, out) in both(&d, &w("port web 81")) {
        assert_code(&out, 1, tool);
        assert_eq!(
            out.stderr, "Error: No public port '81' published for web\n",
            "{tool}"
        );
    }
    for (tool, out) in both(&d, &w("port web 5000/tcp")) {
        assert_eq!(
            out.stderr, "Error: No public port '5000/tcp' published for web\n",
            "{tool}"
        );
    }
    // ps: docker's grouping, and the API's list items
    let ps = same_output(&d, &["ps", "--format", "{{.Ports}}"]);
    assert_eq!(
        ps,
        format!("5000/tcp, 127.0.0.1:9000-9001->9000-9001/udp, 0.0.0.0:7000->70/tcp, 0.0.0.0:8080->80/tcp, 0.0.0.0:{eph}->6000/tcp\n")
    );
    let list = d.api_json("GET", "/containers/json", None);
    let items = list[0]["Ports"].as_array().expect("Ports").clone();
    assert!(items.contains(&json!({"PrivatePort": 5000, "Type": "tcp"})));
    assert!(items
        .contains(&json!({"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"})));
    assert_eq!(items.len(), 6, "{items:?}");
    berth(&d, &w("rm -f web")).ok();
}

#[test]
fn publish_all_on_an_ipv6_network_binds_both_families() {
    let d = daemon_with_busybox();
    let (low, high) = ephemeral_range(&d);
    berth(&d, &w("network create --ipv6 --subnet fd00:77::/64 dual")).ok();
    berth(
        &d,
        &w("run -d --name all --network dual -P --expose 80 --expose 53/udp -p 8443:443 busybox sleep 300"),
    )
    .ok();
    let ports = ports_of(&d, "all");
    let web = host_port(&ports, "80/tcp", 0);
    let dns = host_port(&ports, "53/udp", 0);
    for p in [web, dns] {
        assert!((low..=high).contains(&p), "{p} outside {low}-{high}");
    }
    assert_eq!(
        ports,
        json!({
            "443/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8443"}, {"HostIp": "::", "HostPort": "8443"}],
            "53/udp": [{"HostIp": "0.0.0.0", "HostPort": dns.to_string()}, {"HostIp": "::", "HostPort": dns.to_string()}],
            "80/tcp": [{"HostIp": "0.0.0.0", "HostPort": web.to_string()}, {"HostIp": "::", "HostPort": web.to_string()}],
        })
    );
    assert_eq!(
        same_output(&d, &w("port all")),
        format!(
            "53/udp -> 0.0.0.0:{dns}\n53/udp -> [::]:{dns}\n80/tcp -> 0.0.0.0:{web}\n80/tcp -> [::]:{web}\n443/tcp -> 0.0.0.0:8443\n443/tcp -> [::]:8443\n"
        )
    );
    assert_eq!(
        same_output(&d, &w("port all 443")),
        "0.0.0.0:8443\n[::]:8443\n"
    );
    let ps = same_output(&d, &["ps", "--format", "{{.Ports}}"]);
    assert!(
        ps.contains("0.0.0.0:8443->443/tcp") && ps.contains(&format!("0.0.0.0:{web}->80/tcp")),
        "{ps}"
    );
    // a restart keeps the explicit port and takes new ephemeral ones
    berth(&d, &w("restart -t 0 all")).ok();
    let again = ports_of(&d, "all");
    assert_eq!(host_port(&again, "443/tcp", 1), 8443);
    assert_ne!(host_port(&again, "80/tcp", 0), web, "{again}");
    assert_ne!(host_port(&again, "53/udp", 0), dns, "{again}");
    berth(&d, &w("rm -f all")).ok();
}

#[test]
fn a_held_port_fails_the_second_start_and_changes_nothing() {
    let d = daemon_with_busybox();
    berth(&d, &w("run -d --name first -p 8080:80 busybox sleep 300")).ok();
    berth(&d, &w("create --name second -p 8080:80 busybox sleep 300")).ok();
    let veths_before = veths(&d);
    let before = inspect(&d, "second");
    for (tool, out) in both(&d, &w("start second")) {
        assert_ne!(out.code, 0, "{tool}: {out:?}");
        let line = out.stderr.lines().next().unwrap_or_default().to_string();
        assert!(
            line.starts_with("Error response from daemon: failed to set up container networking: driver failed programming external connectivity on endpoint second (")
                && line.ends_with("): Bind for 0.0.0.0:8080 failed: port is already allocated"),
            "{tool}: {line}"
        );
    }
    let r = d.api("POST", "/containers/second/start", None);
    assert_eq!(r.status, 500, "{}", r.text());
    assert!(r
        .message()
        .ends_with("Bind for 0.0.0.0:8080 failed: port is already allocated"));
    // nothing changed but the failure Docker records (State.Error, exit code 128): still
    // created, no endpoint, no veth, no ports; the holder unchanged
    let after = inspect(&d, "second");
    let mut state = after["State"].clone();
    assert!(
        state["Error"]
            .as_str()
            .unwrap_or_default()
            .ends_with("Bind for 0.0.0.0:8080 failed: port is already allocated"),
        "{state}"
    );
    assert_eq!(state["ExitCode"], 128);
    state["Error"] = before["State"]["Error"].clone();
    state["ExitCode"] = before["State"]["ExitCode"].clone();
    assert_eq!(state, before["State"]);
    assert_eq!(after["NetworkSettings"]["Ports"], json!({}));
    assert_eq!(
        after["NetworkSettings"]["Networks"]["bridge"]["IPAddress"],
        ""
    );
    // (a netns's veths go with it in the background)
    assert!(
        wait_until(30, || veths(&d) == veths_before),
        "the failed start left a veth"
    );
    assert_eq!(host_port(&ports_of(&d, "first"), "80/tcp", 0), 8080);
    // another protocol, or another host port, is free
    berth(&d, &w("run -d --name udp -p 8080:80/udp busybox sleep 300")).ok();
    // an address of the same family overlaps the wildcard
    let line = w("run -d --name local -p 127.0.0.1:8080:80 busybox true");
    for tool in ["berth", "docker"] {
        let out = if tool == "berth" {
            berth(&d, &line)
        } else {
            docker(&d, &line)
        };
        assert!(
            out.stderr
                .contains("Bind for 127.0.0.1:8080 failed: port is already allocated"),
            "{tool}: {out:?}"
        );
        berth(&d, &w("rm -f local")).ok();
    }
    // once the holder stops, the port is free again
    berth(&d, &w("stop -t 0 first")).ok();
    berth(&d, &w("start second")).ok();
    assert_eq!(host_port(&ports_of(&d, "second"), "80/tcp", 0), 8080);
    for (tool, out) in both(&d, &w("start first")) {
        assert!(
            out.stderr
                .contains("driver failed programming external connectivity on endpoint first ("),
            "{tool}: {out:?}"
        );
    }
    assert_eq!(status(&d, "first"), "exited");
    berth(&d, &w("rm -f first second udp")).ok();
}

#[test]
fn two_concurrent_starts_of_one_port_have_one_winner() {
    let d = daemon_with_busybox();
    for round in 0..3 {
        let port = 9100 + round;
        let names = [format!("a{round}"), format!("b{round}")];
        for n in &names {
            berth(
                &d,
                &wt(
                    "create --name",
                    &[n, "-p", &format!("{port}:80"), "busybox", "sleep", "300"],
                ),
            )
            .ok();
        }
        let statuses: Vec<u16> = std::thread::scope(|s| {
            let handles: Vec<_> = names
                .iter()
                .map(|n| {
                    let d = &d;
                    s.spawn(move || {
                        d.api("POST", &format!("/containers/{n}/start"), None)
                            .status
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        let mut sorted = statuses.clone();
        sorted.sort();
        assert_eq!(sorted, vec![204, 500], "round {round}: {statuses:?}");
        let running: Vec<_> = names
            .iter()
            .filter(|n| status(&d, n) == "running")
            .collect();
        assert_eq!(running.len(), 1);
        berth(&d, &wt("rm -f", &[&names[0], &names[1]])).ok();
    }
}

#[test]
fn stop_gives_ports_back_and_a_killed_daemon_keeps_them() {
    let mut d = daemon_with_busybox();
    berth(
        &d,
        &w("run -d --name web -p 8080:80 -P --expose 81 busybox sleep 300"),
    )
    .ok();
    let ports = ports_of(&d, "web");
    let eph = host_port(&ports, "81/tcp", 0);
    let port_out = same_output(&d, &w("port web"));

    d.kill9();
    d.start_again();
    assert_eq!(status(&d, "web"), "running");
    assert_eq!(ports_of(&d, "web"), ports, "ports survive a daemon kill -9");
    assert_eq!(same_output(&d, &w("port web")), port_out);
    // and they are still reserved
    berth(&d, &w("create --name thief -p 8080:80 busybox sleep 300")).ok();
    berth(&d, &w("start thief"))
        .fails_with("Bind for 0.0.0.0:8080 failed: port is already allocated");

    berth(&d, &w("stop -t 0 web")).ok();
    assert_eq!(ports_of(&d, "web"), json!({}));
    assert_eq!(same_output(&d, &w("port web")), "");
    assert_eq!(
        same_output(
            &d,
            &["ps", "-a", "--filter", "name=web", "--format", "{{.Ports}}"]
        ),
        "\n"
    );
    berth(&d, &w("start web")).ok();
    let again = ports_of(&d, "web");
    assert_eq!(host_port(&again, "80/tcp", 0), 8080);
    assert_ne!(host_port(&again, "81/tcp", 0), eph, "a new ephemeral port");
    berth(&d, &w("rm -f web thief")).ok();
}

#[test]
fn a_host_address_not_on_the_host_is_refused_at_start() {
    let d = daemon_with_busybox();
    let line = w("run -d --name far -p 10.99.99.99:8080:80 busybox sleep 300");
    for tool in ["berth", "docker"] {
        let out = if tool == "berth" {
            berth(&d, &line)
        } else {
            docker(&d, &line)
        };
        assert_ne!(out.code, 0, "{tool}");
        assert!(
            out.stderr.contains("): failed to bind host port for 10.99.99.99:8080:172.17.0.2:80/tcp: cannot assign requested address"),
            "{tool}: {}",
            out.stderr
        );
        assert_eq!(status(&d, "far"), "created");
        berth(&d, &w("rm far")).ok();
    }
    // the host's own loopback is an address of the host
    berth(
        &d,
        &w("run -d --name near -p 127.0.0.1:8080:80 busybox sleep 300"),
    )
    .ok();
    assert_eq!(
        same_output(&d, &w("port near")),
        "80/tcp -> 127.0.0.1:8080\n"
    );
    // a port a host process listens on is taken too, in the kernel's words
    let mut listener = d
        .host
        .exec("busybox")
        .args(["nc", "-l", "-p", "8181"])
        .stdin(std::process::Stdio::null())
        .spawn()
        .expect("nc on the fake host");
    assert!(wait_until(20, || d
        .host
        .exec("busybox")
        .args(["netstat", "-ltn"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains(":8181 "))
        .unwrap_or(false)));
    let out = berth(&d, &w("run -d --name busy -p 8181:80 busybox sleep 300"));
    out.fails_with(":8181:172.17.0.3:80/tcp: address already in use");
    let _ = listener.kill();
    let _ = listener.wait();
    berth(&d, &w("rm -f near busy")).ok();
}

#[test]
fn bad_publish_specs_get_dockers_answers() {
    let d = daemon_with_busybox();
    let before = all_ids(&d);
    for spec in [
        "foo",
        "70000:80",
        "8080:70000",
        "8000-8002:80-81",
        "80/icmp",
        "1.2.3:80:80",
        "8080:",
        "8080:0",
        "65536",
    ] {
        let line = format!("create -p {spec} busybox true");
        let [(_, b), (_, k)] = both(&d, &w(&line));
        assert_eq!(b.code, k.code, "{spec}: {b:?} vs {k:?}");
        assert_ne!(b.code, 0, "{spec}");
        assert_eq!(
            b.stderr.replace("berth", "docker"),
            k.stderr,
            "{spec}: berth and docker differ"
        );
    }
    // `port` with a wrong number of arguments or a bad port
    for args in [
        vec!["port"],
        vec!["port", "a", "80", "x"],
        vec!["port", "a", "http"],
    ] {
        let [(_, b), (_, k)] = both(&d, &args);
        assert_eq!(b.code, k.code, "{args:?}: {b:?} vs {k:?}");
        assert_eq!(b.stderr.replace("berth", "docker"), k.stderr, "{args:?}");
    }
    // the API checks what a client sends as is
    for (bindings, message) in [
        (
            r#"{"80/tcp":[{"HostPort":"99999"}]}"#,
            r#"invalid port specification: "99999""#,
        ),
        (
            r#"{"80/tcp":[{"HostPort":"9-1"}]}"#,
            r#"invalid port specification: "9-1""#,
        ),
        (
            r#"{"80/tcp":[{"HostIp":"nope","HostPort":"80"}]}"#,
            "invalid IP address: nope",
        ),
    ] {
        let body = format!(
            r#"{{"Image":"busybox","Cmd":["true"],"HostConfig":{{"PortBindings":{bindings}}}}}"#
        );
        let r = d.api("POST", "/containers/create", Some(&body));
        assert_eq!(r.status, 400, "{bindings}: {}", r.text());
        assert_eq!(r.message(), message);
    }
    assert_eq!(all_ids(&d), before, "nothing may be created");
    // host mode: a warning, and the ports are discarded
    let line = w("create --name hostmode --network host -p 8080:80 busybox true");
    for tool in ["berth", "docker"] {
        let out = if tool == "berth" {
            berth(&d, &line)
        } else {
            docker(&d, &line)
        };
        out.ok();
        assert!(
            out.stderr
                .contains("Published ports are discarded when using host network mode"),
            "{tool}: {out:?}"
        );
        berth(&d, &w("rm hostmode")).ok();
    }
}

#[test]
fn ps_filters_by_published_and_exposed_ports() {
    let d = daemon_with_busybox();
    berth(&d, &w("run -d --name pub --publish=80 busybox sleep 300")).ok();
    berth(&d, &w("run -d --name exp --expose=8080 busybox sleep 300")).ok();
    let names =
        |filter: &str| same_output(&d, &["ps", "--filter", filter, "--format", "{{.Names}}"]);
    assert_eq!(names("publish=80"), "pub\n");
    assert_eq!(names("publish=80/udp"), "");
    assert_eq!(names("expose=8000-8080/tcp"), "exp\n");
    assert_eq!(
        names("expose=80"),
        "pub\n",
        "a published port is exposed too"
    );
    let r = d.api(
        "GET",
        "/containers/json?filters=%7B%22publish%22%3A%5B%228080%3A80%22%5D%7D",
        None,
    );
    assert_eq!(r.status, 500, "{}", r.text());
    assert_eq!(
        r.message(),
        "filter for 'publish' should not contain ':': 8080:80"
    );
    berth(&d, &w("rm -f pub exp")).ok();
}
