//! Containers end to end: the lifecycle commands and flags, the none / host / container:
//! network modes, Docker's errors, crash safety of running containers, restart policies and
//! concurrency — checked the way a user checks them, through the berth CLI and the stock docker
//! CLI against a daemon in its own fake host, with a busybox image imported from Debian's
//! busybox-static.

mod harness;

use harness::{berth_bin, CmdResult, Daemon};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every CLI call is bounded, so a hung attach or follow fails the test instead of the run.
const CLI_TIMEOUT: &str = "60";

/// `berth ARGS` against the daemon, killed after [`CLI_TIMEOUT`] seconds (exit 124).
fn berth(d: &Daemon, args: &[&str]) -> CmdResult {
    let out = Command::new("timeout")
        .args(["-k", "5", CLI_TIMEOUT, berth_bin()])
        .args(args)
        .env_remove("DOCKER_HOST")
        .env("BERTH_HOST", d.docker_host())
        .stdin(Stdio::null())
        .output()
        .expect("run berth cli");
    CmdResult::from(out)
}

/// The stock docker CLI against the daemon, bounded the same way.
fn docker(d: &Daemon, args: &[&str]) -> CmdResult {
    let config = d.data_root().with_file_name("docker-config");
    let out = Command::new("timeout")
        .args(["-k", "5", CLI_TIMEOUT, "docker"])
        .args(args)
        .env("DOCKER_HOST", d.docker_host())
        .env("DOCKER_CONFIG", config)
        .stdin(Stdio::null())
        .output()
        .expect("run docker cli");
    CmdResult::from(out)
}

/// A daemon with the busybox test image imported as `busybox`.
fn daemon_with_busybox() -> Daemon {
    let d = Daemon::start();
    let tar = d.data_root().with_file_name("busybox.tar");
    berth_image::testing::write_busybox_rootfs_tar(&tar);
    berth(&d, &["import", tar.to_str().unwrap(), "busybox"]).ok();
    d
}

fn inspect(d: &Daemon, name: &str) -> Value {
    d.api_json("GET", &format!("/containers/{name}/json"), None)
}

fn status(d: &Daemon, name: &str) -> String {
    inspect(d, name)["State"]["Status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// IDs of every container the daemon lists (`ps -a`).
fn all_ids(d: &Daemon) -> Vec<String> {
    d.api_json("GET", "/containers/json?all=1", None)
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c["Id"].as_str().map(str::to_string))
        .collect()
}

/// Polls `cond` every 50 ms until it holds; false after `secs` seconds.
fn wait_until(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    cond()
}

#[track_caller]
fn assert_code(r: &CmdResult, code: i32) {
    assert_eq!(
        r.code, code,
        "exit code\nstdout: {}\nstderr: {}",
        r.stdout, r.stderr
    );
}

/// Interface names in `ip link` / `ip addr` output (`3: veth0@if4: <...>` → `veth0`).
fn link_names(ip_output: &str) -> BTreeSet<String> {
    ip_output
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .filter_map(|l| l.split(':').nth(1))
        .map(|n| n.trim().split('@').next().unwrap_or_default().to_string())
        .collect()
}

fn process_alive(pid: i64) -> bool {
    // a zombie is not alive: it has exited and waits to be reaped
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            !s.rsplit(')')
                .next()
                .unwrap_or_default()
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(false)
}

fn pid_of(d: &Daemon, name: &str) -> i64 {
    inspect(d, name)["State"]["Pid"].as_i64().unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// network mode none, exit codes

#[test]
fn none_mode_has_only_loopback_up_and_exit_codes_come_back() {
    let d = daemon_with_busybox();
    for out in [
        berth(
            &d,
            &["run", "--rm", "--network", "none", "busybox", "ip", "addr"],
        ),
        docker(
            &d,
            &["run", "--rm", "--network", "none", "busybox", "ip", "addr"],
        ),
    ] {
        let text = out.ok();
        assert_eq!(
            link_names(text),
            BTreeSet::from(["lo".to_string()]),
            "{text}\n{}",
            d.log()
        );
        assert!(text.contains("<LOOPBACK,UP,LOWER_UP>"), "lo not up: {text}");
        assert!(text.contains("inet 127.0.0.1/8"), "{text}");
    }
    for out in [
        berth(
            &d,
            &["run", "--network", "none", "busybox", "sh", "-c", "exit 3"],
        ),
        docker(
            &d,
            &["run", "--network", "none", "busybox", "sh", "-c", "exit 3"],
        ),
    ] {
        assert_code(&out, 3);
    }
    // the two --rm containers are gone, the two others remain with their exit code
    let ids = all_ids(&d);
    assert_eq!(ids.len(), 2, "{ids:?}");
    for id in &ids {
        assert_eq!(inspect(&d, id)["State"]["ExitCode"], 3);
        berth(&d, &["rm", id]).ok();
    }
    assert!(all_ids(&d).is_empty());
}

// ---------------------------------------------------------------------------------------------
// lifecycle: ps, inspect, logs, stop, start, restart, kill, rm, wait

#[test]
fn lifecycle_of_a_detached_container() {
    let d = daemon_with_busybox();
    let id = berth(
        &d,
        &[
            "run",
            "-d",
            "--name",
            "web",
            "--network",
            "none",
            "busybox",
            "sleep",
            "300",
        ],
    )
    .ok()
    .trim()
    .to_string();
    assert_eq!(id.len(), 64, "{id}");

    for ps in [
        berth(
            &d,
            &["ps", "--format", "{{.Names}}|{{.Status}}|{{.Command}}"],
        ),
        docker(
            &d,
            &["ps", "--format", "{{.Names}}|{{.Status}}|{{.Command}}"],
        ),
    ] {
        let line = ps.ok().trim().to_string();
        assert!(line.starts_with("web|Up "), "{line}");
        assert!(line.ends_with("|\"sleep 300\""), "{line}");
    }
    let q = berth(&d, &["ps", "-q"]);
    assert_eq!(q.ok().trim(), &id[..12]);
    for out in [
        berth(
            &d,
            &[
                "inspect",
                "-f",
                "{{.State.Running}} {{.HostConfig.NetworkMode}}",
                "web",
            ],
        ),
        docker(
            &d,
            &[
                "inspect",
                "-f",
                "{{.State.Running}} {{.HostConfig.NetworkMode}}",
                "web",
            ],
        ),
    ] {
        assert_eq!(out.ok().trim(), "true none");
    }

    // stop -t 1: `sleep` as PID 1 ignores SIGTERM, so it is killed after one second
    let t = Instant::now();
    assert_eq!(berth(&d, &["stop", "-t", "1", "web"]).ok().trim(), "web");
    let took = t.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(6),
        "{took:?}"
    );
    let s = inspect(&d, "web");
    assert_eq!(s["State"]["Status"], "exited");
    assert_eq!(s["State"]["ExitCode"], 137);
    let ps = docker(&d, &["ps", "-a", "--format", "{{.Status}}"]);
    assert!(ps.ok().starts_with("Exited (137) "), "{}", ps.stdout);
    assert!(docker(&d, &["ps", "-q"]).ok().trim().is_empty());

    // start again, then restart: a new process each time
    assert_eq!(docker(&d, &["start", "web"]).ok().trim(), "web");
    assert_eq!(status(&d, "web"), "running");
    let pid1 = pid_of(&d, "web");
    assert!(process_alive(pid1));
    assert_eq!(berth(&d, &["restart", "-t", "1", "web"]).ok().trim(), "web");
    assert_eq!(status(&d, "web"), "running");
    let pid2 = pid_of(&d, "web");
    assert_ne!(pid1, pid2);
    assert!(process_alive(pid2));
    assert!(wait_until(5, || !process_alive(pid1)));

    // kill -s KILL
    assert_eq!(
        docker(&d, &["kill", "-s", "KILL", "web"]).ok().trim(),
        "web"
    );
    assert!(
        wait_until(5, || status(&d, "web") == "exited"),
        "{}",
        d.log()
    );
    assert_eq!(inspect(&d, "web")["State"]["ExitCode"], 137);
    assert!(wait_until(5, || !process_alive(pid2)));
    // killing a stopped container is Docker's 409
    let r = d.api("POST", "/containers/web/kill", None);
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.message().contains("is not running"), "{}", r.message());

    // rm of a running container is refused, -f works
    berth(&d, &["start", "web"]).ok();
    for out in [berth(&d, &["rm", "web"]), docker(&d, &["rm", "web"])] {
        out.fails_with("cannot remove container \"/web\": container is running: stop the container before removing or force remove");
    }
    let r = d.api("DELETE", "/containers/web", None);
    assert_eq!(r.status, 409);
    assert_eq!(status(&d, "web"), "running");
    let pid3 = pid_of(&d, "web");
    assert_eq!(docker(&d, &["rm", "-f", "web"]).ok().trim(), "web");
    assert!(all_ids(&d).is_empty());
    assert!(wait_until(5, || !process_alive(pid3)));
    assert_eq!(d.api("GET", "/containers/web/json", None).status, 404);
    // nothing of it is left on disk
    assert!(!d.data_root().join("containers").join(&id).exists());
    assert!(!d.exec_root().join("containers").join(&id).exists());

    // wait returns the exit code, from both CLIs
    let w = berth(
        &d,
        &[
            "run",
            "-d",
            "--name",
            "w",
            "--network",
            "none",
            "busybox",
            "sh",
            "-c",
            "sleep 1; exit 4",
        ],
    );
    w.ok();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| berth(&d, &["wait", "w"]));
        let b = s.spawn(|| docker(&d, &["wait", "w"]));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(a.ok().trim(), "4");
    assert_eq!(b.ok().trim(), "4");
    // and once more on the exited container: immediately
    assert_eq!(docker(&d, &["wait", "w"]).ok().trim(), "4");
    berth(&d, &["rm", "w"]).ok();
}

#[test]
fn logs_keep_stdout_and_stderr_apart_and_follow_ends_with_the_container() {
    let d = daemon_with_busybox();
    berth(
        &d,
        &[
            "run",
            "-d",
            "--name",
            "talk",
            "--network",
            "none",
            "busybox",
            "sh",
            "-c",
            "echo out; echo err >&2",
        ],
    )
    .ok();
    assert_eq!(berth(&d, &["wait", "talk"]).ok().trim(), "0");
    for out in [berth(&d, &["logs", "talk"]), docker(&d, &["logs", "talk"])] {
        assert_eq!(out.ok(), "out\n");
        assert_eq!(out.stderr, "err\n");
    }
    // stored as json-file does
    let id = inspect(&d, "talk")["Id"].as_str().unwrap().to_string();
    let log = std::fs::read_to_string(
        d.data_root()
            .join("containers")
            .join(&id)
            .join(format!("{id}-json.log")),
    )
    .unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert!(lines
        .iter()
        .any(|l| l["log"] == "out\n" && l["stream"] == "stdout"));
    assert!(lines
        .iter()
        .any(|l| l["log"] == "err\n" && l["stream"] == "stderr"));

    berth(
        &d,
        &[
            "run",
            "-d",
            "--name",
            "slow",
            "--network",
            "none",
            "busybox",
            "sh",
            "-c",
            "echo one; sleep 1; echo two; sleep 1; echo three",
        ],
    )
    .ok();
    let t = Instant::now();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| berth(&d, &["logs", "-f", "slow"]));
        let b = s.spawn(|| docker(&d, &["logs", "-f", "slow"]));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert_eq!(a.ok(), "one\ntwo\nthree\n");
    assert_eq!(b.ok(), "one\ntwo\nthree\n");
    assert_eq!(status(&d, "slow"), "exited");
    assert_eq!(docker(&d, &["logs", "--tail", "1", "slow"]).ok(), "three\n");
    let stamped = berth(&d, &["logs", "-t", "slow"]);
    for line in stamped.ok().lines() {
        let (ts, _) = line.split_once(' ').unwrap();
        assert!(ts.starts_with("20") && ts.ends_with('Z'), "{line}");
    }
    berth(&d, &["rm", "talk", "slow"]).ok();
}

// ---------------------------------------------------------------------------------------------
// network mode host

#[test]
fn host_mode_sees_the_host_links_and_hostname() {
    let d = daemon_with_busybox();
    // this kernel has no dummy driver: a veth pair gives the fake host two extra links
    d.host.ip(&[
        "link", "add", "hveth0", "type", "veth", "peer", "name", "hveth1",
    ]);
    d.host.ip(&["addr", "add", "10.77.0.1/24", "dev", "hveth0"]);
    d.host.ip(&["link", "set", "hveth0", "up"]);
    let host_links: BTreeSet<String> = d
        .host
        .links()
        .iter()
        .filter_map(|l| l["ifname"].as_str().map(str::to_string))
        .collect();
    assert!(host_links.contains("hveth1"));
    let host_name = d.host.exec("hostname").output().unwrap();
    let host_name = String::from_utf8_lossy(&host_name.stdout)
        .trim()
        .to_string();

    for out in [
        berth(
            &d,
            &[
                "run",
                "--rm",
                "--network",
                "host",
                "busybox",
                "sh",
                "-c",
                "ip addr; echo HOST=$(hostname)",
            ],
        ),
        docker(
            &d,
            &[
                "run",
                "--rm",
                "--network",
                "host",
                "busybox",
                "sh",
                "-c",
                "ip addr; echo HOST=$(hostname)",
            ],
        ),
    ] {
        let text = out.ok();
        assert_eq!(link_names(text), host_links, "{text}");
        assert!(text.contains("inet 10.77.0.1/24"), "{text}");
        assert!(text.contains(&format!("HOST={host_name}\n")), "{text}");
    }
    let c = berth(&d, &["create", "--network", "host", "busybox", "true"]);
    let id = c.ok().trim().to_string();
    let i = inspect(&d, &id);
    assert_eq!(i["Config"]["Hostname"], host_name.as_str());
    assert_eq!(i["HostConfig"]["NetworkMode"], "host");
    berth(&d, &["rm", &id]).ok();
}

// ---------------------------------------------------------------------------------------------
// network mode container:NAME

#[test]
fn container_mode_shares_the_network_of_a_running_container() {
    let d = daemon_with_busybox();
    berth(
        &d,
        &[
            "run",
            "-d",
            "--name",
            "web",
            "--network",
            "none",
            "--hostname",
            "webhost",
            "busybox",
            "nc",
            "-ll",
            "-p",
            "3306",
            "-e",
            "echo",
            "hi",
        ],
    )
    .ok();
    let web_links = "ip addr; echo HOST=$(hostname)";
    let probe = "for i in 1 2 3 4 5 6 7 8 9 10; do r=$(nc localhost 3306 </dev/null) && [ -n \"$r\" ] && echo \"GOT $r\" && exit 0; sleep 0.2; done; exit 1";
    for (tool, out) in [
        (
            "berth",
            berth(
                &d,
                &[
                    "run",
                    "--rm",
                    "--network",
                    "container:web",
                    "busybox",
                    "sh",
                    "-c",
                    web_links,
                ],
            ),
        ),
        (
            "docker",
            docker(
                &d,
                &[
                    "run",
                    "--rm",
                    "--network",
                    "container:web",
                    "busybox",
                    "sh",
                    "-c",
                    web_links,
                ],
            ),
        ),
    ] {
        let text = out.ok();
        assert_eq!(
            link_names(text),
            BTreeSet::from(["lo".to_string()]),
            "{tool}: {text}"
        );
        assert!(text.contains("HOST=webhost\n"), "{tool}: {text}");
    }
    for (tool, out) in [
        (
            "berth",
            berth(
                &d,
                &[
                    "run",
                    "--rm",
                    "--network",
                    "container:web",
                    "busybox",
                    "sh",
                    "-c",
                    probe,
                ],
            ),
        ),
        (
            "docker",
            docker(
                &d,
                &[
                    "run",
                    "--rm",
                    "--network",
                    "container:web",
                    "busybox",
                    "sh",
                    "-c",
                    probe,
                ],
            ),
        ),
    ] {
        assert_eq!(out.ok(), "GOT hi\n", "{tool}\n{}", d.log());
    }
    // control: a container with its own namespace cannot reach it
    let out = berth(
        &d,
        &[
            "run",
            "--rm",
            "--network",
            "none",
            "busybox",
            "sh",
            "-c",
            "nc localhost 3306 </dev/null && echo CONNECTED",
        ],
    );
    assert!(!out.stdout.contains("CONNECTED"), "{out:?}");
    // by ID works too, and inspect says what it joined
    let web_id = inspect(&d, "web")["Id"].as_str().unwrap().to_string();
    let mode = format!("container:{}", &web_id[..12]);
    let c = berth(
        &d,
        &[
            "create",
            "--name",
            "joiner",
            "--network",
            &mode,
            "busybox",
            "true",
        ],
    );
    c.ok();
    let j = inspect(&d, "joiner");
    assert_eq!(j["Config"]["Hostname"], "webhost");
    assert!(j["HostConfig"]["NetworkMode"]
        .as_str()
        .unwrap()
        .starts_with("container:"));
    berth(&d, &["rm", "joiner"]).ok();
    berth(&d, &["rm", "-f", "web"]).ok();
}

#[test]
fn container_mode_refuses_missing_and_stopped_targets_and_conflicting_flags() {
    let d = daemon_with_busybox();
    // a missing target
    for out in [
        berth(
            &d,
            &[
                "run",
                "--rm",
                "--network",
                "container:nope",
                "busybox",
                "true",
            ],
        ),
        docker(
            &d,
            &[
                "run",
                "--rm",
                "--network",
                "container:nope",
                "busybox",
                "true",
            ],
        ),
    ] {
        out.fails_with("No such container: nope");
        assert_code(&out, 125);
    }
    assert!(all_ids(&d).is_empty(), "{:?}", all_ids(&d));

    // a stopped target: create succeeds, start is Docker's conflict
    berth(
        &d,
        &[
            "create",
            "--name",
            "stopped",
            "--network",
            "none",
            "busybox",
            "sleep",
            "30",
        ],
    )
    .ok();
    let before = all_ids(&d).len();
    for out in [
        berth(
            &d,
            &[
                "run",
                "--rm",
                "--network",
                "container:stopped",
                "busybox",
                "true",
            ],
        ),
        docker(
            &d,
            &[
                "run",
                "--rm",
                "--network",
                "container:stopped",
                "busybox",
                "true",
            ],
        ),
    ] {
        out.fails_with("cannot join network of a non running container");
        assert_code(&out, 125);
    }
    let body =
        r#"{"Image":"busybox","Cmd":["true"],"HostConfig":{"NetworkMode":"container:stopped"}}"#;
    let r = d.api("POST", "/containers/create?name=j1", Some(body));
    assert_eq!(r.status, 201, "{}", r.text());
    let r = d.api("POST", "/containers/j1/start", None);
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r
        .message()
        .contains("cannot join network of a non running container"));
    d.api("DELETE", "/containers/j1", None);
    // --rm removed the two that failed to start
    assert!(
        wait_until(5, || all_ids(&d).len() == before),
        "{:?}",
        all_ids(&d)
    );

    // conflicting flags: 400 from the daemon, exit 125 from the CLIs, nothing created
    berth(
        &d,
        &[
            "run",
            "-d",
            "--name",
            "web",
            "--network",
            "none",
            "busybox",
            "sleep",
            "300",
        ],
    )
    .ok();
    let before = all_ids(&d);
    let cases: [(&[&str], &str, &str); 4] = [
        (
            &["--hostname", "x"],
            r#""Hostname":"x""#,
            "conflicting options: hostname and the network mode",
        ),
        (
            &["-p", "8080:80"],
            r#""HostConfig":{"NetworkMode":"container:web","PortBindings":{"80/tcp":[{"HostPort":"8080"}]}}"#,
            "conflicting options: port publishing and the container type network mode",
        ),
        (
            &["--dns", "1.1.1.1"],
            r#""HostConfig":{"NetworkMode":"container:web","Dns":["1.1.1.1"]}"#,
            "conflicting options: dns and the network mode",
        ),
        (
            &["--add-host", "db:10.0.0.1"],
            r#""HostConfig":{"NetworkMode":"container:web","ExtraHosts":["db:10.0.0.1"]}"#,
            "conflicting options: custom host-to-IP mapping and the network mode",
        ),
    ];
    for (flags, json, message) in cases {
        let mut args = vec!["run", "--rm", "--network", "container:web"];
        args.extend_from_slice(flags);
        args.extend(["busybox", "true"]);
        for out in [berth(&d, &args), docker(&d, &args)] {
            out.fails_with(message);
            assert_code(&out, 125);
        }
        let body = if json.starts_with(r#""HostConfig""#) {
            format!(r#"{{"Image":"busybox","Cmd":["true"],{json}}}"#)
        } else {
            format!(
                r#"{{"Image":"busybox","Cmd":["true"],{json},"HostConfig":{{"NetworkMode":"container:web"}}}}"#
            )
        };
        let r = d.api("POST", "/containers/create", Some(&body));
        assert_eq!(r.status, 400, "{body}: {}", r.text());
        assert_eq!(r.message(), message);
    }
    // an invalid mode string
    let r = d.api(
        "POST",
        "/containers/create",
        Some(r#"{"Image":"busybox","Cmd":["true"],"HostConfig":{"NetworkMode":"container:"}}"#),
    );
    assert!(
        r.status == 400 || r.status == 404,
        "{} {}",
        r.status,
        r.text()
    );
    assert_eq!(all_ids(&d), before);
    assert_eq!(status(&d, "web"), "running");
    berth(&d, &["rm", "-f", "web", "stopped"]).ok();
}

// ---------------------------------------------------------------------------------------------
// bridge mode: not yet

#[test]
fn bridge_mode_is_refused_with_501_and_creates_nothing() {
    let d = daemon_with_busybox();
    let links_before = d.host.links().len();
    let r = d.api(
        "POST",
        "/containers/create?name=b1",
        Some(r#"{"Image":"busybox","Cmd":["true"]}"#),
    );
    assert_eq!(r.status, 501, "{}", r.text());
    assert!(r.message().contains("bridge"), "{}", r.message());
    let r = d.api(
        "POST",
        "/containers/create?name=b2",
        Some(r#"{"Image":"busybox","Cmd":["true"],"HostConfig":{"NetworkMode":"bridge"}}"#),
    );
    assert_eq!(r.status, 501, "{}", r.text());
    berth(&d, &["network", "create", "usernet"]).ok();
    for out in [
        berth(&d, &["run", "--rm", "busybox", "true"]),
        docker(&d, &["run", "--rm", "busybox", "true"]),
        docker(
            &d,
            &["run", "--rm", "--network", "usernet", "busybox", "true"],
        ),
    ] {
        out.fails_with("bridge");
        assert_code(&out, 125);
    }
    assert!(all_ids(&d).is_empty());
    assert!(
        !d.data_root().join("containers").exists()
            || std::fs::read_dir(d.data_root().join("containers"))
                .unwrap()
                .count()
                == 0
    );
    // the bridge of `usernet` is the only new link: no veth was handed out
    assert_eq!(
        d.host.links().len(),
        links_before + 1,
        "{:?}",
        d.host.links()
    );
}

// ---------------------------------------------------------------------------------------------
// exec

#[test]
fn exec_runs_in_a_running_container_and_is_refused_in_a_stopped_one() {
    let d = daemon_with_busybox();
    berth(
        &d,
        &[
            "run",
            "-d",
            "--name",
            "web",
            "--network",
            "none",
            "busybox",
            "sleep",
            "300",
        ],
    )
    .ok();
    let hostname = inspect(&d, "web")["Config"]["Hostname"]
        .as_str()
        .unwrap()
        .to_string();
    for out in [
        berth(
            &d,
            &[
                "exec",
                "web",
                "sh",
                "-c",
                "echo $HOSTNAME; hostname; echo err >&2; exit 5",
            ],
        ),
        docker(
            &d,
            &[
                "exec",
                "web",
                "sh",
                "-c",
                "echo $HOSTNAME; hostname; echo err >&2; exit 5",
            ],
        ),
    ] {
        assert_code(&out, 5);
        assert_eq!(out.stdout, format!("{hostname}\n{hostname}\n"));
        assert_eq!(out.stderr, "err\n");
    }
    for out in [
        berth(
            &d,
            &[
                "exec",
                "-e",
                "X=1",
                "-w",
                "/tmp",
                "-u",
                "nobody",
                "web",
                "sh",
                "-c",
                "echo $X $(pwd) $(id -u)",
            ],
        ),
        docker(
            &d,
            &[
                "exec",
                "-e",
                "X=1",
                "-w",
                "/tmp",
                "-u",
                "nobody",
                "web",
                "sh",
                "-c",
                "echo $X $(pwd) $(id -u)",
            ],
        ),
    ] {
        assert_eq!(out.ok(), "1 /tmp 65534\n");
    }
    // the exec shares the container's PID namespace: PID 1 is the container's sleep
    let out = docker(&d, &["exec", "web", "cat", "/proc/1/cmdline"]);
    assert_eq!(out.ok(), "sleep\u{0}300\u{0}");
    // exec -d leaves a process behind in the container
    docker(
        &d,
        &["exec", "-d", "web", "sh", "-c", "echo detached > /tmp/d"],
    )
    .ok();
    assert!(wait_until(5, || docker(
        &d,
        &["exec", "web", "cat", "/tmp/d"]
    )
    .stdout
        == "detached\n"));
    // a missing command
    for out in [
        berth(&d, &["exec", "web", "nosuchcmd"]),
        docker(&d, &["exec", "web", "nosuchcmd"]),
    ] {
        assert_code(&out, 127);
        assert!(
            out.stderr.contains("executable file not found in $PATH"),
            "{out:?}"
        );
    }

    berth(&d, &["stop", "-t", "0", "web"]).ok();
    for out in [
        berth(&d, &["exec", "web", "true"]),
        docker(&d, &["exec", "web", "true"]),
    ] {
        out.fails_with("is not running");
    }
    let r = d.api(
        "POST",
        "/containers/web/exec",
        Some(r#"{"Cmd":["true"],"AttachStdout":true}"#),
    );
    assert_eq!(r.status, 409, "{}", r.text());
    berth(&d, &["rm", "web"]).ok();
}

// ---------------------------------------------------------------------------------------------
// flags

#[test]
fn run_flags_reach_the_process() {
    let d = daemon_with_busybox();
    let tmp = tempfile::tempdir().unwrap();
    let env_file = tmp.path().join("env");
    std::fs::write(&env_file, "# a comment\nB=two\n\nC=three words\n").unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("f"), "from host\n").unwrap();
    let rw = tmp.path().join("rw");
    std::fs::create_dir(&rw).unwrap();
    let ro_mount = format!("{}:/data:ro", data.display());
    let rw_mount = format!("{}:/rw", rw.display());
    let script = "echo A=$A B=$B C=$C; pwd; id -u; hostname; cat /etc/hostname; cat /data/f; \
                  touch /data/x 2>&1 || true; echo written > /rw/out; \
                  echo HOSTS; cat /etc/hosts; echo RESOLV; cat /etc/resolv.conf";
    for (tool, name) in [("berth", "f1"), ("docker", "f2")] {
        let args = [
            "run",
            "--name",
            name,
            "--network",
            "none",
            "-e",
            "A=1",
            "--env-file",
            env_file.to_str().unwrap(),
            "-w",
            "/tmp",
            "--hostname",
            "flaghost",
            "-v",
            &ro_mount,
            "-v",
            &rw_mount,
            "-l",
            "team=net",
            "--label",
            "tier=db",
            "--add-host",
            "db.local:10.1.2.3",
            "--dns",
            "9.9.9.9",
            "--dns-search",
            "example.org",
            "--dns-option",
            "ndots:2",
            "busybox",
            "sh",
            "-c",
            script,
        ];
        let out = if tool == "berth" {
            berth(&d, &args)
        } else {
            docker(&d, &args)
        };
        let text = out.ok();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("A=1 B=two C=three words"),
            "{tool}: {text}"
        );
        assert_eq!(lines.next(), Some("/tmp"), "{tool}: {text}");
        assert_eq!(lines.next(), Some("0"), "{tool}: {text}");
        assert_eq!(lines.next(), Some("flaghost"), "{tool}: {text}");
        assert_eq!(lines.next(), Some("flaghost"), "{tool}: {text}");
        assert_eq!(lines.next(), Some("from host"), "{tool}: {text}");
        assert!(text.contains("Read-only file system"), "{tool}: {text}");
        let (_, rest) = text.split_once("HOSTS\n").unwrap();
        let (hosts, resolv) = rest.split_once("RESOLV\n").unwrap();
        assert!(hosts.contains("127.0.0.1\tlocalhost"), "{tool}: {hosts}");
        assert!(hosts.contains("10.1.2.3\tdb.local"), "{tool}: {hosts}");
        let resolv: Vec<&str> = resolv.lines().collect();
        assert!(resolv.contains(&"nameserver 9.9.9.9"), "{tool}: {resolv:?}");
        assert!(resolv.contains(&"search example.org"), "{tool}: {resolv:?}");
        assert!(resolv.contains(&"options ndots:2"), "{tool}: {resolv:?}");
        assert_eq!(
            std::fs::read_to_string(rw.join("out")).unwrap(),
            "written\n"
        );
        std::fs::remove_file(rw.join("out")).unwrap();
        assert!(!data.join("x").exists());

        let i = inspect(&d, name);
        assert_eq!(i["Config"]["Labels"]["team"], "net");
        assert_eq!(i["Config"]["Labels"]["tier"], "db");
        assert_eq!(i["Config"]["Hostname"], "flaghost");
        assert_eq!(i["Config"]["WorkingDir"], "/tmp");
        let env: Vec<&str> = i["Config"]["Env"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert!(env.contains(&"A=1") && env.contains(&"B=two"), "{env:?}");
        let labels = docker(
            &d,
            &[
                "ps",
                "-a",
                "--filter",
                "label=team=net",
                "--format",
                "{{.Names}}",
            ],
        );
        assert!(labels.ok().lines().any(|l| l == name), "{}", labels.stdout);
    }
    berth(&d, &["rm", "f1", "f2"]).ok();

    // -u, --entrypoint
    for out in [
        berth(
            &d,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "-u",
                "nobody",
                "busybox",
                "id",
            ],
        ),
        docker(
            &d,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "-u",
                "65534:65534",
                "busybox",
                "id",
            ],
        ),
    ] {
        let text = out.ok();
        assert!(
            text.starts_with("uid=65534(nobody) gid=65534(nogroup)"),
            "{text}"
        );
    }
    for out in [
        berth(
            &d,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "--entrypoint",
                "echo",
                "busybox",
                "hello",
                "world",
            ],
        ),
        docker(
            &d,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "--entrypoint",
                "echo",
                "busybox",
                "hello",
                "world",
            ],
        ),
    ] {
        assert_eq!(out.ok(), "hello world\n");
    }
    // an invalid bind mount: a relative host path
    for out in [
        berth(
            &d,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "-v",
                "relative/dir:/x",
                "busybox",
                "true",
            ],
        ),
        docker(
            &d,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "-v",
                "relative/dir:/x",
                "busybox",
                "true",
            ],
        ),
    ] {
        assert_ne!(out.code, 0, "{out:?}");
    }
    assert!(all_ids(&d).is_empty(), "{:?}", all_ids(&d));
}

// ---------------------------------------------------------------------------------------------
// Docker's errors

#[test]
fn missing_image_name_in_use_and_missing_command() {
    let d = daemon_with_busybox();
    let out = berth(&d, &["run", "--network", "none", "nosuchimage", "true"]);
    out.fails_with("No such image: nosuchimage:latest");
    assert_code(&out, 125);
    let out = docker(&d, &["run", "--network", "none", "nosuchimage", "true"]);
    out.fails_with("Unable to find image 'nosuchimage:latest' locally");
    assert_code(&out, 125);
    let r = d.api(
        "POST",
        "/containers/create",
        Some(r#"{"Image":"nosuchimage","Cmd":["true"],"HostConfig":{"NetworkMode":"none"}}"#),
    );
    assert_eq!(r.status, 404, "{}", r.text());
    assert_eq!(r.message(), "No such image: nosuchimage:latest");
    assert!(all_ids(&d).is_empty());

    let id = berth(
        &d,
        &[
            "create",
            "--name",
            "x",
            "--network",
            "none",
            "busybox",
            "true",
        ],
    )
    .ok()
    .trim()
    .to_string();
    let expected = format!(
        "Conflict. The container name \"/x\" is already in use by container \"{id}\". You have to remove (or rename) that container to be able to reuse that name."
    );
    for out in [
        berth(
            &d,
            &["run", "--name", "x", "--network", "none", "busybox", "true"],
        ),
        docker(
            &d,
            &["run", "--name", "x", "--network", "none", "busybox", "true"],
        ),
        docker(
            &d,
            &[
                "create",
                "--name",
                "x",
                "--network",
                "none",
                "busybox",
                "true",
            ],
        ),
    ] {
        out.fails_with(&expected);
        assert_code(&out, 125);
    }
    let r = d.api(
        "POST",
        "/containers/create?name=x",
        Some(r#"{"Image":"busybox","Cmd":["true"],"HostConfig":{"NetworkMode":"none"}}"#),
    );
    assert_eq!(r.status, 409);
    assert_eq!(r.message(), expected);
    assert_eq!(all_ids(&d), vec![id.clone()]);
    berth(&d, &["rm", "x"]).ok();

    for (tool, out) in [
        (
            "berth",
            berth(
                &d,
                &[
                    "run",
                    "--name",
                    "nc1",
                    "--network",
                    "none",
                    "busybox",
                    "nosuchcmd",
                ],
            ),
        ),
        (
            "docker",
            docker(
                &d,
                &[
                    "run",
                    "--name",
                    "nc2",
                    "--network",
                    "none",
                    "busybox",
                    "nosuchcmd",
                ],
            ),
        ),
    ] {
        assert_code(&out, 127);
        assert!(
            out.stderr
                .contains("exec: \"nosuchcmd\": executable file not found in $PATH"),
            "{tool}: {out:?}"
        );
    }
    for name in ["nc1", "nc2"] {
        let s = inspect(&d, name);
        assert_eq!(s["State"]["Status"], "created", "{s}");
        assert_eq!(s["State"]["ExitCode"], 127);
        assert!(s["State"]["Error"]
            .as_str()
            .unwrap()
            .contains("executable file not found"));
    }
    berth(&d, &["rm", "nc1", "nc2"]).ok();
    // the daemon is unharmed
    berth(&d, &["run", "--rm", "--network", "none", "busybox", "true"]).ok();
}

// ---------------------------------------------------------------------------------------------
// crash safety and restart policies

#[test]
fn containers_survive_kill9_and_are_adopted_again() {
    let mut d = daemon_with_busybox();
    berth(
        &d,
        &[
            "run",
            "-d",
            "--name",
            "survivor",
            "--network",
            "none",
            "busybox",
            "sh",
            "-c",
            "echo before; exec sleep 300",
        ],
    )
    .ok();
    berth(
        &d,
        &[
            "run",
            "-d",
            "--name",
            "quitter",
            "--network",
            "none",
            "busybox",
            "sh",
            "-c",
            "sleep 2; exit 7",
        ],
    )
    .ok();
    let survivor = pid_of(&d, "survivor");
    let quitter = pid_of(&d, "quitter");
    assert!(process_alive(survivor) && process_alive(quitter));

    d.kill9();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        process_alive(survivor),
        "the container died with the daemon"
    );
    assert!(process_alive(quitter), "the container died with the daemon");
    // the quitter ends while no daemon is there
    assert!(wait_until(6, || !process_alive(quitter)));
    d.start_again();

    assert_eq!(status(&d, "survivor"), "running", "{}", d.log());
    assert_eq!(pid_of(&d, "survivor"), survivor);
    assert!(
        wait_until(5, || status(&d, "quitter") == "exited"),
        "{}",
        d.log()
    );
    assert_eq!(inspect(&d, "quitter")["State"]["ExitCode"], 7);
    let ps = docker(&d, &["ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
    let text = ps.ok();
    assert!(
        text.lines().any(|l| l.starts_with("survivor Up ")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("quitter Exited (7) ")),
        "{text}"
    );

    // exec, logs, stop work on the adopted container
    assert_eq!(
        docker(&d, &["exec", "survivor", "echo", "inside"]).ok(),
        "inside\n"
    );
    assert_eq!(berth(&d, &["logs", "survivor"]).ok(), "before\n");
    assert_eq!(docker(&d, &["logs", "quitter"]).ok(), "");
    let t = Instant::now();
    berth(&d, &["stop", "-t", "1", "survivor"]).ok();
    assert!(t.elapsed() < Duration::from_secs(6));
    assert_eq!(inspect(&d, "survivor")["State"]["ExitCode"], 137);
    assert!(wait_until(5, || !process_alive(survivor)));
    // and it starts again under the new daemon
    berth(&d, &["start", "survivor"]).ok();
    assert_eq!(status(&d, "survivor"), "running");
    berth(&d, &["rm", "-f", "survivor", "quitter"]).ok();
}

#[test]
fn containers_survive_a_clean_daemon_restart_too() {
    let mut d = daemon_with_busybox();
    berth(
        &d,
        &[
            "run",
            "-d",
            "--name",
            "s",
            "--network",
            "none",
            "busybox",
            "sleep",
            "300",
        ],
    )
    .ok();
    let pid = pid_of(&d, "s");
    d.restart();
    assert!(process_alive(pid));
    assert_eq!(status(&d, "s"), "running", "{}", d.log());
    assert_eq!(pid_of(&d, "s"), pid);
    berth(&d, &["rm", "-f", "s"]).ok();
    assert!(wait_until(5, || !process_alive(pid)));
}

fn restart_count(d: &Daemon, name: &str) -> i64 {
    inspect(d, name)["RestartCount"].as_i64().unwrap_or(-1)
}

#[test]
fn restart_always_restarts_also_after_a_daemon_crash() {
    let mut d = daemon_with_busybox();
    berth(
        &d,
        &[
            "run",
            "-d",
            "--name",
            "again",
            "--restart",
            "always",
            "--network",
            "none",
            "busybox",
            "sh",
            "-c",
            "sleep 1; exit 1",
        ],
    )
    .ok();
    // a container without a policy beside it stays exited
    berth(
        &d,
        &[
            "run",
            "-d",
            "--name",
            "once",
            "--network",
            "none",
            "busybox",
            "sh",
            "-c",
            "sleep 1; exit 1",
        ],
    )
    .ok();
    assert!(
        wait_until(10, || restart_count(&d, "again") >= 1),
        "{}",
        d.log()
    );
    assert_eq!(
        inspect(&d, "again")["HostConfig"]["RestartPolicy"]["Name"],
        "always"
    );
    assert!(wait_until(5, || status(&d, "once") == "exited"));
    assert_eq!(restart_count(&d, "once"), 0);

    // the daemon dies; the container exits while it is away and is restarted by the next daemon
    let before_crash = restart_count(&d, "again");
    d.kill9();
    std::thread::sleep(Duration::from_secs(3));
    d.start_again();
    assert!(
        wait_until(5, || restart_count(&d, "again") > before_crash),
        "{}",
        d.log()
    );
    let before = restart_count(&d, "again");
    assert!(
        wait_until(10, || restart_count(&d, "again") > before),
        "{}",
        d.log()
    );
    assert_eq!(status(&d, "once"), "exited");

    // stopped by the user: not restarted while the daemon runs; at the daemon's next start
    // `always` starts again and `unless-stopped` does not (Docker's documented difference)
    berth(
        &d,
        &[
            "run",
            "-d",
            "--name",
            "us",
            "--restart",
            "unless-stopped",
            "--network",
            "none",
            "busybox",
            "sleep",
            "300",
        ],
    )
    .ok();
    berth(&d, &["stop", "-t", "0", "again", "us"]).ok();
    let stopped_count = restart_count(&d, "again");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(status(&d, "again"), "exited");
    assert_eq!(status(&d, "us"), "exited");
    assert_eq!(restart_count(&d, "again"), stopped_count);
    d.restart();
    assert!(
        wait_until(5, || status(&d, "again") == "running"),
        "{}",
        d.log()
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(status(&d, "us"), "exited", "{}", d.log());
    berth(&d, &["rm", "-f", "again", "once", "us"]).ok();
}

// ---------------------------------------------------------------------------------------------
// concurrency

fn mounted_overlays(d: &Daemon) -> usize {
    let out = d
        .host
        .exec("cat")
        .arg("/proc/self/mounts")
        .output()
        .unwrap();
    let root = d.data_root().display().to_string();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(&root))
        .count()
}

#[test]
fn twenty_containers_started_concurrently_all_run_and_stop_cleanly() {
    let d = daemon_with_busybox();
    let names: Vec<String> = (0..20).map(|i| format!("c{i:02}")).collect();
    let results: Vec<CmdResult> = std::thread::scope(|s| {
        let handles: Vec<_> = names
            .iter()
            .map(|n| {
                let d = &d;
                s.spawn(move || {
                    berth(
                        d,
                        &[
                            "run",
                            "-d",
                            "--name",
                            n,
                            "--network",
                            "none",
                            "busybox",
                            "sleep",
                            "300",
                        ],
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in &results {
        r.ok();
    }
    let running = docker(&d, &["ps", "-q"]);
    assert_eq!(running.ok().lines().count(), 20);
    let pids: Vec<i64> = names.iter().map(|n| pid_of(&d, n)).collect();
    let distinct: BTreeSet<i64> = pids.iter().copied().collect();
    assert_eq!(distinct.len(), 20, "{pids:?}");
    assert!(pids.iter().all(|p| *p > 0 && process_alive(*p)));
    assert!(mounted_overlays(&d) >= 20);

    // stop all at once (the docker CLI stops its arguments in parallel)
    let mut args = vec!["stop", "-t", "1"];
    args.extend(names.iter().map(String::as_str));
    let t = Instant::now();
    let out = docker(&d, &args);
    assert_eq!(out.ok().lines().count(), 20);
    assert!(t.elapsed() < Duration::from_secs(15), "{:?}", t.elapsed());
    for n in &names {
        let s = inspect(&d, n);
        assert_eq!(s["State"]["Status"], "exited", "{n}");
        assert_eq!(s["State"]["ExitCode"], 137, "{n}");
    }
    assert!(wait_until(5, || pids.iter().all(|p| !process_alive(*p))));
    assert!(docker(&d, &["ps", "-q"]).ok().trim().is_empty());

    let mut args = vec!["rm"];
    args.extend(names.iter().map(String::as_str));
    berth(&d, &args).ok();
    assert!(all_ids(&d).is_empty());
    assert_eq!(mounted_overlays(&d), 0, "overlays left mounted");
    let left = |p: &Path| std::fs::read_dir(p).map(|r| r.count()).unwrap_or(0);
    assert_eq!(left(&d.data_root().join("containers")), 0);
    assert_eq!(left(&d.exec_root().join("containers")), 0);
}
