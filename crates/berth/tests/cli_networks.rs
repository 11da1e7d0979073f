//! The berth CLI next to the stock docker CLI, against the same daemon: for every network
//! command a user types, both must print the same stdout and stderr and exit with the same
//! code. Commands that change state run once per CLI on equal states, and IDs and times are
//! replaced by placeholders on both sides before comparing.

mod harness;

use harness::{CmdResult, Daemon};

/// Replaces 64- and 12-digit hex IDs and RFC 3339 timestamps with placeholders.
fn scrub(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let hex_run = bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            .count();
        let ends_word = bytes
            .get(i + hex_run)
            .is_none_or(|b| !b.is_ascii_alphanumeric());
        if starts_word && ends_word && (hex_run == 64 || hex_run == 12) {
            out.push_str(if hex_run == 64 { "<ID>" } else { "<ID12>" });
            i += hex_run;
            continue;
        }
        if let Some(len) = timestamp_len(&text[i..]) {
            out.push_str("<TIME>");
            i += len;
            continue;
        }
        let ch = text[i..].chars().next().unwrap();
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// Length of an RFC 3339 timestamp (`2026-11-28T01:33:06.769199098Z`, or with an offset) at
/// the start of `s`.
fn timestamp_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd";
    if b.len() < shape.len() {
        return None;
    }
    for (c, want) in b.iter().zip(shape) {
        let ok = match want {
            b'd' => c.is_ascii_digit(),
            other => c == other,
        };
        if !ok {
            return None;
        }
    }
    let mut n = shape.len();
    if b.get(n) == Some(&b'.') {
        n += 1;
        while b.get(n).is_some_and(u8::is_ascii_digit) {
            n += 1;
        }
    }
    match b.get(n) {
        Some(b'Z') => Some(n + 1),
        Some(b'+') | Some(b'-') if b.len() >= n + 6 => Some(n + 6),
        _ => Some(n),
    }
}

#[track_caller]
fn assert_same(what: &str, docker: &CmdResult, berth: &CmdResult) {
    assert_eq!(
        (docker.code, scrub(&docker.stdout), scrub(&docker.stderr)),
        (berth.code, scrub(&berth.stdout), scrub(&berth.stderr)),
        "{what}: docker (left) and berth (right) differ"
    );
}

/// A read-only command: both CLIs on the same state.
#[track_caller]
fn same(d: &Daemon, args: &[&str]) -> CmdResult {
    let docker = d.docker(args);
    let berth = d.berth(args);
    assert_same(&args.join(" "), &docker, &berth);
    berth
}

fn create(d: &Daemon, body: &str) -> String {
    d.api_json("POST", "/networks/create", Some(body))["Id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn some_networks(d: &Daemon) {
    create(
        d,
        r#"{"Name":"web","Labels":{"tier":"web"},"IPAM":{"Config":[{"Subnet":"10.31.0.0/24","Gateway":"10.31.0.254"}]}}"#,
    );
    create(d, r#"{"Name":"db","Labels":{"tier":"db"},"Internal":true}"#);
    create(
        d,
        r#"{"Name":"plain","Options":{"com.docker.network.driver.mtu":"1400"}}"#,
    );
}

#[test]
fn network_ls_variants() {
    let d = Daemon::start();
    some_networks(&d);
    let lines = same(&d, &["network", "ls"]).stdout.lines().count();
    assert_eq!(lines, 7, "header + 6 networks");
    for args in [
        vec!["network", "ls", "-q"],
        vec!["network", "ls", "--no-trunc"],
        vec!["network", "ls", "-q", "--no-trunc"],
        vec!["network", "ls", "--filter", "name=web"],
        vec!["network", "ls", "-f", "label=tier"],
        vec!["network", "ls", "-f", "driver=bridge", "-f", "type=custom"],
        vec!["network", "ls", "--filter", "dangling=false"],
        vec!["network", "ls", "--format", "json"],
        vec!["network", "ls", "--format", "{{json .}}"],
        vec!["network", "ls", "--format", "table {{.Name}}"],
        vec![
            "network",
            "ls",
            "--format",
            "table {{.ID}}\t{{.Name}}\t{{.Internal}}\t{{.IPv6}}",
        ],
        vec![
            "network",
            "ls",
            "--format",
            "{{.Name}}: {{.Label \"tier\"}}",
        ],
        vec!["network", "ls", "--no-trunc", "--format", "{{.ID}}"],
        vec!["network", "list", "--filter", "name=nomatch"],
        // errors from the daemon
        vec!["network", "ls", "--filter", "foo=bar"],
        vec!["network", "ls", "--filter", "dangling=maybe"],
        vec!["network", "ls", "--filter", "type=bogus"],
    ] {
        same(&d, &args);
    }
    // docker joins labels in Go's random map order (also in `json`): compare them as sets
    create(
        &d,
        r#"{"Name":"multi","Labels":{"tier":"web","env":"prod"}}"#,
    );
    let args = [
        "network",
        "ls",
        "--format",
        "{{.ID}} {{.Name}} {{.Driver}} {{.Scope}} {{.Labels}}",
    ];
    let sorted_labels = |out: &str| -> Vec<String> {
        out.lines()
            .map(|l| {
                let (head, labels) = l.rsplit_once(' ').unwrap();
                let mut labels: Vec<&str> = labels.split(',').collect();
                labels.sort();
                format!("{head} {}", labels.join(","))
            })
            .collect()
    };
    let docker = d.docker(&args);
    let berth = d.berth(&args);
    assert_eq!((docker.code, berth.code), (0, 0));
    assert_eq!(sorted_labels(&docker.stdout), sorted_labels(&berth.stdout));
    assert!(
        sorted_labels(&berth.stdout)
            .iter()
            .any(|l| l.ends_with(" multi bridge local env=prod,tier=web")),
        "{}",
        berth.stdout
    );
    let err = same(&d, &["network", "ls", "--filter", "foo=bar"]);
    assert_eq!(
        (err.code, err.stderr.as_str()),
        (1, "Error response from daemon: invalid filter 'foo'\n")
    );
}

#[test]
fn network_inspect_variants() {
    let d = Daemon::start();
    some_networks(&d);
    let web_id = d.api_json("GET", "/networks/web", None)["Id"]
        .as_str()
        .unwrap()
        .to_string();
    for args in [
        vec!["network", "inspect", "bridge"],
        vec!["network", "inspect", "web", "db", "plain"],
        vec!["network", "inspect", &web_id[..12]],
        vec!["network", "inspect", &web_id],
        vec![
            "network",
            "inspect",
            "-f",
            "{{.Name}} {{.Driver}} {{json .Labels}} {{.Internal}}",
            "web",
            "db",
        ],
        vec!["network", "inspect", "--format", "{{json .IPAM}}", "web"],
        vec!["network", "inspect", "--format", "{{.Id}}", "host", "none"],
        vec!["inspect", "--type", "network", "bridge"],
        vec!["inspect", "--type", "network", "-f", "{{.Name}}", "web"],
        // missing networks: partial output, the daemon's error, exit 1
        vec!["network", "inspect", "nosuch"],
        vec![
            "network",
            "inspect",
            "nosuch",
            "bridge",
            "--format",
            "{{.Name}}",
        ],
        vec!["inspect", "--type", "network", "nosuch"],
    ] {
        same(&d, &args);
    }
    let missing = d.berth(&["network", "inspect", "nosuch"]);
    assert_eq!(
        (
            missing.code,
            missing.stdout.as_str(),
            missing.stderr.as_str()
        ),
        (
            1,
            "[]\n",
            "Error response from daemon: network nosuch not found\n"
        )
    );
}

#[test]
fn network_create_success_and_errors() {
    let d = Daemon::start();
    // success: the ID on stdout; the same network results from either CLI
    let args = [
        "network",
        "create",
        "--subnet",
        "10.55.0.0/24",
        "--gateway",
        "10.55.0.254",
        "--label",
        "k=v",
        "--internal",
        "-o",
        "com.docker.network.driver.mtu=1400",
        "made",
    ];
    let docker = d.docker(&args);
    let by_docker = d.docker(&["network", "inspect", "made"]);
    d.docker(&["network", "rm", "made"]).ok();
    let berth = d.berth(&args);
    let by_berth = d.berth(&["network", "inspect", "made"]);
    assert_same("network create", &docker, &berth);
    assert_eq!(berth.stdout.trim().len(), 64);
    assert_same("inspect of the created network", &by_docker, &by_berth);
    // errors: the daemon's message behind docker's prefix, exit 1, nothing on stdout
    for (args, message) in [
        (
            vec!["network", "create", "made"],
            "Error response from daemon: network with name made already exists\n",
        ),
        (
            vec!["network", "create", "--subnet", "10.55.0.128/25", "ovl"],
            "Error response from daemon: Pool overlaps with other one on this address space\n",
        ),
        (
            vec!["network", "create", "--driver", "nosuch", "drv"],
            "Error response from daemon: plugin \"nosuch\" not found\n",
        ),
        (
            vec!["network", "create", "--subnet", "172.20.0.5/16", "nc"],
            "Error response from daemon: invalid network config:\ninvalid subnet 172.20.0.5/16: it should be 172.20.0.0/16\n",
        ),
        (
            vec!["network", "create", "-o", "com.docker.network.driver.mtu=abc", "mtu"],
            "Error response from daemon: failed to parse com.docker.network.driver.mtu value \"abc\": not a number\n",
        ),
    ] {
        let before = d.network_names();
        let berth = same(&d, &args);
        assert_eq!(
            (berth.code, berth.stdout.as_str(), berth.stderr.as_str()),
            (1, "", message),
            "{args:?}"
        );
        assert_eq!(d.network_names(), before, "{args:?} changed the networks");
    }
    assert_eq!(
        d.host
            .bridges()
            .iter()
            .filter(|b| b.starts_with("br-"))
            .count(),
        1
    );
}

/// The daemon's message ends with a space, as moby's does; both CLIs trim it.
#[test]
fn network_create_of_a_predefined_name() {
    let d = Daemon::start();
    let r = same(&d, &["network", "create", "bridge"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "Error response from daemon: operation is not permitted on predefined bridge network\n"
        )
    );
}

#[test]
fn network_rm_missing_and_existing() {
    let d = Daemon::start();
    for args in [
        vec!["network", "rm", "nosuch"],
        vec!["network", "rm", "bridge"],
        vec!["network", "rm", "host", "none"],
    ] {
        let r = same(&d, &args);
        assert_eq!(r.code, 1);
    }
    // an existing one (by name, then by ID prefix), and a mix of missing and existing
    for (setup, args, stdout) in [
        ("gone", vec!["network", "rm", "gone"], "gone\n"),
        (
            "gone",
            vec!["network", "remove", "nosuch", "gone"],
            "gone\n",
        ),
    ] {
        let mut results = Vec::new();
        for cli in ["docker", "berth"] {
            create(&d, &format!(r#"{{"Name":"{setup}"}}"#));
            let r = if cli == "docker" {
                d.docker(&args)
            } else {
                d.berth(&args)
            };
            assert!(
                !d.network_names().contains(&setup.to_string()),
                "{cli} {args:?} left {setup}"
            );
            results.push(r);
        }
        assert_same(&args.join(" "), &results[0], &results[1]);
        assert_eq!(results[1].stdout, stdout);
    }
    let id = create(&d, r#"{"Name":"byid"}"#);
    let r = d.berth(&["network", "rm", &id[..12]]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, format!("{}\n", &id[..12]).as_str())
    );
    assert!(d.host.wait_link_gone(&format!("br-{}", &id[..12])));
    let r = d.berth(&["network", "rm", "nosuch", "gone2"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "Error response from daemon: network nosuch not found\nError response from daemon: network gone2 not found\nexit status 1\n"
        )
    );
}

#[test]
fn network_prune_with_filters() {
    let d = Daemon::start();
    for args in [
        vec!["network", "prune", "-f", "--filter", "label=nothing"],
        vec!["network", "prune", "-f", "--filter", "foo=bar"],
        vec!["network", "prune", "-f", "--filter", "until=garbage"],
        vec!["network", "prune", "-f", "--filter", "dangling=true"],
    ] {
        same(&d, &args);
    }
    for args in [
        vec!["network", "prune", "-f", "--filter", "label=prune"],
        vec![
            "network",
            "prune",
            "-f",
            "--filter",
            "label=prune",
            "--filter",
            "label!=keep",
        ],
        vec!["network", "prune", "--force", "--filter", "until=1h"],
        vec!["network", "prune", "-f"],
    ] {
        let mut results = Vec::new();
        let mut left = Vec::new();
        for cli in ["docker", "berth"] {
            create(&d, r#"{"Name":"pa","Labels":{"prune":"yes"}}"#);
            create(&d, r#"{"Name":"pb","Labels":{"prune":"yes","keep":""}}"#);
            create(&d, r#"{"Name":"pc"}"#);
            results.push(if cli == "docker" {
                d.docker(&args)
            } else {
                d.berth(&args)
            });
            left.push(d.network_names());
            d.api("POST", "/networks/prune", None);
        }
        assert_same(&args.join(" "), &results[0], &results[1]);
        assert_eq!(left[0], left[1], "{args:?}");
    }
    // what the user sees for one pruned network
    create(&d, r#"{"Name":"pa","Labels":{"prune":"yes"}}"#);
    let r = d.berth(&["network", "prune", "-f", "--filter", "label=prune"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "Deleted Networks:\npa\n\n")
    );
}

#[test]
fn version_and_info() {
    let d = Daemon::start();
    for args in [
        vec!["version", "--format", "{{.Server.APIVersion}}"],
        vec!["info", "--format", "{{.ServerVersion}} {{.OSType}}"],
        vec![
            "info",
            "--format",
            "{{.Name}} {{.DockerRootDir}} {{.Plugins.Network}}",
        ],
    ] {
        same(&d, &args);
    }
    // the client sections describe different programs; the server sections must agree
    for cmd in ["version", "info"] {
        let docker = d.docker(&[cmd]);
        let berth = d.berth(&[cmd]);
        assert_eq!((docker.code, berth.code), (0, 0), "{cmd}");
        let server = |out: &str| {
            out.split_once("\nServer:")
                .map(|(_, s)| s.to_string())
                .unwrap_or_else(|| panic!("{cmd}: no Server section in {out}"))
        };
        // The daemon's open descriptors are a live count: two calls may see two figures.
        let live = |text: String| -> String {
            text.lines()
                .map(|l| {
                    if l.trim_start().starts_with("File Descriptors:") {
                        "  File Descriptors: <N>"
                    } else {
                        l
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            live(scrub(&server(&docker.stdout))),
            live(scrub(&server(&berth.stdout))),
            "{cmd}"
        );
        assert_eq!(docker.stderr, berth.stderr, "{cmd}");
    }
}

#[test]
fn scrub_replaces_only_ids_and_times() {
    assert_eq!(
        scrub("abcdef012345 made 2026-11-28T01:33:06.769199098Z x"),
        "<ID12> made <TIME> x"
    );
    assert_eq!(scrub(&"a".repeat(64)), "<ID>");
    assert_eq!(scrub("abcdef0123456 bridge"), "abcdef0123456 bridge");
    assert_eq!(
        scrub("2026-11-28 01:33:06.1 +0000 UTC"),
        "2026-11-28 01:33:06.1 +0000 UTC"
    );
}
