//! Containers end to end: the lifecycle commands and flags, the none / host / container:
//! network modes, Docker's errors, crash safety of running containers, restart policies and
//! concurrency — checked the way a user checks them, through the berth CLI and the stock docker
//! CLI against a daemon in its own fake host, with a busybox image imported from Debian's
//! busybox-static.

mod harness;

use harness::ctr::*;
use harness::{CmdResult, Daemon};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// network mode none, exit codes

#[test]
fn none_mode_has_only_loopback_up_and_exit_codes_come_back() {
    let d = daemon_with_busybox();
    for (tool, out) in both(&d, &w("run --rm --network none busybox ip addr")) {
        let text = out.ok();
        let names = link_names(text);
        assert_eq!(names, BTreeSet::from(["lo".to_string()]), "{tool}: {text}");
        assert!(
            text.contains("<LOOPBACK,UP,LOWER_UP>"),
            "{tool}: lo down: {text}"
        );
        assert!(text.contains("inet 127.0.0.1/8"), "{tool}: {text}");
    }
    for (tool, out) in both(&d, &wt("run --network none busybox sh -c", &["exit 3"])) {
        assert_code(&out, 3, tool);
    }
    // the two --rm containers are gone, the two others remain with their exit code
    let ids = all_ids(&d);
    assert_eq!(ids.len(), 2, "{ids:?}");
    for id in &ids {
        assert_eq!(exit_code(&d, id), 3);
        berth(&d, &["rm", id]).ok();
    }
    assert!(all_ids(&d).is_empty());
}

// ---------------------------------------------------------------------------------------------
// lifecycle: ps, inspect, stop, start, restart, kill, rm, wait

#[test]
fn lifecycle_of_a_detached_container() {
    let d = daemon_with_busybox();
    let run = berth(&d, &w("run -d --name web --network none busybox sleep 300"));
    let id = run.ok().trim().to_string();
    assert_eq!(id.len(), 64, "{id}");

    for (tool, ps) in both(
        &d,
        &["ps", "--format", "{{.Names}}|{{.Status}}|{{.Command}}"],
    ) {
        let line = ps.ok().trim().to_string();
        assert!(line.starts_with("web|Up "), "{tool}: {line}");
        assert!(line.ends_with("|\"sleep 300\""), "{tool}: {line}");
    }
    assert_eq!(berth(&d, &["ps", "-q"]).ok().trim(), &id[..12]);
    let format = "{{.State.Running}} {{.HostConfig.NetworkMode}}";
    for (tool, out) in both(&d, &["inspect", "-f", format, "web"]) {
        assert_eq!(out.ok().trim(), "true none", "{tool}");
    }

    // stop -t 1: `sleep` as PID 1 ignores SIGTERM, so it is killed after one second
    let t = Instant::now();
    assert_eq!(berth(&d, &w("stop -t 1 web")).ok().trim(), "web");
    let took = t.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(6),
        "{took:?}"
    );
    assert_eq!(status(&d, "web"), "exited");
    assert_eq!(exit_code(&d, "web"), 137);
    let ps = docker(&d, &["ps", "-a", "--format", "{{.Status}}"]);
    assert!(ps.ok().starts_with("Exited (137) "), "{}", ps.stdout);
    assert!(docker(&d, &["ps", "-q"]).ok().trim().is_empty());

    // start again, then restart: a new process each time
    assert_eq!(docker(&d, &w("start web")).ok().trim(), "web");
    assert_eq!(status(&d, "web"), "running");
    let pid1 = pid_of(&d, "web");
    assert!(process_alive(pid1));
    assert_eq!(berth(&d, &w("restart -t 1 web")).ok().trim(), "web");
    assert_eq!(status(&d, "web"), "running");
    let pid2 = pid_of(&d, "web");
    assert_ne!(pid1, pid2);
    assert!(process_alive(pid2));
    assert!(wait_until(5, || !process_alive(pid1)));
    assert_eq!(restart_count(&d, "web"), 0, "a user restart is not counted");

    // kill -s KILL
    assert_eq!(docker(&d, &w("kill -s KILL web")).ok().trim(), "web");
    assert!(
        wait_until(5, || status(&d, "web") == "exited"),
        "{}",
        d.log()
    );
    assert_eq!(exit_code(&d, "web"), 137);
    assert!(wait_until(5, || !process_alive(pid2)));
    // killing a stopped container is Docker's 409
    let r = d.api("POST", "/containers/web/kill", None);
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.message().contains("is not running"), "{}", r.message());

    // rm of a running container is refused, -f works
    berth(&d, &w("start web")).ok();
    for (tool, out) in both(&d, &w("rm web")) {
        let m = "cannot remove container \"/web\": container is running: stop the container before removing or force remove";
        assert!(out.code != 0 && out.stderr.contains(m), "{tool}: {out:?}");
    }
    let r = d.api("DELETE", "/containers/web", None);
    assert_eq!(r.status, 409);
    assert_eq!(status(&d, "web"), "running");
    let pid3 = pid_of(&d, "web");
    assert_eq!(docker(&d, &w("rm -f web")).ok().trim(), "web");
    assert!(all_ids(&d).is_empty());
    assert!(wait_until(5, || !process_alive(pid3)));
    assert_eq!(d.api("GET", "/containers/web/json", None).status, 404);
    // nothing of it is left on disk
    assert!(!d.data_root().join("containers").join(&id).exists());
    assert!(!d.exec_root().join("containers").join(&id).exists());

    // wait returns the exit code, from both CLIs at once
    let script = ["sleep 1; exit 4"];
    berth(
        &d,
        &wt("run -d --name waiter --network none busybox sh -c", &script),
    )
    .ok();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| berth(&d, &w("wait waiter")));
        let b = s.spawn(|| docker(&d, &w("wait waiter")));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(a.ok().trim(), "4");
    assert_eq!(b.ok().trim(), "4");
    // and once more on the exited container: at once
    assert_eq!(docker(&d, &w("wait waiter")).ok().trim(), "4");
    berth(&d, &w("rm waiter")).ok();
}

#[test]
fn logs_keep_stdout_and_stderr_apart_and_follow_ends_with_the_container() {
    let d = daemon_with_busybox();
    let script = ["echo out; echo err >&2"];
    berth(
        &d,
        &wt("run -d --name talk --network none busybox sh -c", &script),
    )
    .ok();
    assert_eq!(berth(&d, &w("wait talk")).ok().trim(), "0");
    for (tool, out) in both(&d, &w("logs talk")) {
        assert_eq!(out.ok(), "out\n", "{tool}");
        assert_eq!(out.stderr, "err\n", "{tool}");
    }
    // stored as json-file does
    let id = inspect(&d, "talk")["Id"].as_str().unwrap().to_string();
    let log_path = d
        .data_root()
        .join("containers")
        .join(&id)
        .join(format!("{id}-json.log"));
    let log = std::fs::read_to_string(&log_path).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{log}");
    let has = |text: &str, stream: &str| {
        lines
            .iter()
            .any(|l| l["log"] == text && l["stream"] == stream && l["time"].is_string())
    };
    assert!(has("out\n", "stdout") && has("err\n", "stderr"), "{log}");

    let script = ["echo one; sleep 1; echo two; sleep 1; echo three"];
    berth(
        &d,
        &wt("run -d --name slow --network none busybox sh -c", &script),
    )
    .ok();
    let t = Instant::now();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| berth(&d, &w("logs -f slow")));
        let b = s.spawn(|| docker(&d, &w("logs -f slow")));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert_eq!(a.ok(), "one\ntwo\nthree\n");
    assert_eq!(b.ok(), "one\ntwo\nthree\n");
    assert_eq!(status(&d, "slow"), "exited");
    for (tool, out) in both(&d, &w("logs --tail 1 slow")) {
        assert_eq!(out.ok(), "three\n", "{tool}");
    }
    for (tool, out) in both(&d, &w("logs -t slow")) {
        let text = out.ok();
        assert_eq!(text.lines().count(), 3, "{tool}: {text}");
        for line in text.lines() {
            let (ts, _) = line.split_once(' ').unwrap();
            assert!(ts.starts_with("20") && ts.ends_with('Z'), "{tool}: {line}");
        }
    }
    berth(&d, &w("rm talk slow")).ok();
}

// ---------------------------------------------------------------------------------------------
// network mode host

#[test]
fn host_mode_sees_the_host_links_and_hostname() {
    let d = daemon_with_busybox();
    // this kernel has no dummy driver: a veth pair gives the fake host two extra links
    d.host.ip(&w("link add hveth0 type veth peer name hveth1"));
    d.host.ip(&w("addr add 10.77.0.1/24 dev hveth0"));
    d.host.ip(&w("link set hveth0 up"));
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

    let script = ["ip addr; echo HOST=$(hostname)"];
    for (tool, out) in both(&d, &wt("run --rm --network host busybox sh -c", &script)) {
        let text = out.ok();
        assert_eq!(link_names(text), host_links, "{tool}: {text}");
        assert!(text.contains("inet 10.77.0.1/24"), "{tool}: {text}");
        assert!(
            text.contains(&format!("HOST={host_name}\n")),
            "{tool}: {text}"
        );
    }
    let id = berth(&d, &w("create --network host busybox true"))
        .ok()
        .trim()
        .to_string();
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
    let server =
        "run -d --name web --network none --hostname webhost busybox nc -ll -p 3306 -e echo hi";
    berth(&d, &w(server)).ok();
    let view = ["ip addr; echo HOST=$(hostname)"];
    for (tool, out) in both(
        &d,
        &wt("run --rm --network container:web busybox sh -c", &view),
    ) {
        let text = out.ok();
        let names = link_names(text);
        assert_eq!(names, BTreeSet::from(["lo".to_string()]), "{tool}: {text}");
        assert!(text.contains("HOST=webhost\n"), "{tool}: {text}");
    }
    // the server in `web` answers on the joiner's localhost (retried while nc starts)
    let probe = ["for i in $(seq 20); do r=$(nc localhost 3306 </dev/null) && [ -n \"$r\" ] && echo \"GOT $r\" && exit 0; sleep 0.2; done; exit 1"];
    for (tool, out) in both(
        &d,
        &wt("run --rm --network container:web busybox sh -c", &probe),
    ) {
        assert_eq!(out.ok(), "GOT hi\n", "{tool}\n{}", d.log());
    }
    // control: a container with its own namespace cannot reach it
    let lone = ["nc localhost 3306 </dev/null && echo CONNECTED"];
    let out = berth(&d, &wt("run --rm --network none busybox sh -c", &lone));
    assert!(!out.stdout.contains("CONNECTED"), "{out:?}");
    // by short ID works too, and inspect shows what it joined
    let web_id = inspect(&d, "web")["Id"].as_str().unwrap().to_string();
    let mode = format!("container:{}", &web_id[..12]);
    let create = [
        "create",
        "--name",
        "joiner",
        "--network",
        &mode,
        "busybox",
        "true",
    ];
    berth(&d, &create).ok();
    let j = inspect(&d, "joiner");
    assert_eq!(j["HostConfig"]["NetworkMode"], mode.as_str());
    berth(&d, &w("start joiner")).ok();
    assert_eq!(berth(&d, &w("wait joiner")).ok().trim(), "0");
    assert_eq!(inspect(&d, "joiner")["Config"]["Hostname"], "webhost");
    berth(&d, &w("rm joiner")).ok();
    berth(&d, &w("rm -f web")).ok();
}

#[test]
fn container_mode_with_a_missing_target_fails_at_start() {
    let d = daemon_with_busybox();
    // a missing target: Docker creates the container and fails at start
    for (tool, out) in both(&d, &w("run --rm --network container:nope busybox true")) {
        assert!(
            out.stderr.contains("No such container: nope"),
            "{tool}: {out:?}"
        );
        assert!(
            !out.stderr.contains("Unable to find image"),
            "{tool}: {out:?}"
        );
        assert_code(&out, 125, tool);
    }
    // Docker does not check the target at create: the create is 201, the start fails
    let body =
        r#"{"Image":"busybox","Cmd":["true"],"HostConfig":{"NetworkMode":"container:nope"}}"#;
    let r = d.api("POST", "/containers/create?name=j2", Some(body));
    assert_eq!(r.status, 201, "{}", r.text());
    let r = d.api("POST", "/containers/j2/start", None);
    assert!(r.status >= 400, "{}", r.text());
    assert!(
        r.message().contains("No such container: nope"),
        "{}",
        r.text()
    );
    assert_eq!(d.api("DELETE", "/containers/j2", None).status, 204);
    assert!(
        wait_until(5, || all_ids(&d).is_empty()),
        "{:?}",
        all_ids(&d)
    );
}

#[test]
fn container_mode_refuses_a_stopped_target() {
    let d = daemon_with_busybox();
    // create succeeds, start is Docker's conflict, the container stays created
    berth(
        &d,
        &w("create --name stopped --network none busybox sleep 30"),
    )
    .ok();
    let body =
        r#"{"Image":"busybox","Cmd":["true"],"HostConfig":{"NetworkMode":"container:stopped"}}"#;
    let r = d.api("POST", "/containers/create?name=j1", Some(body));
    assert_eq!(r.status, 201, "{}", r.text());
    let r = d.api("POST", "/containers/j1/start", None);
    assert_eq!(r.status, 409, "{}", r.text());
    let m = "cannot join network of a non running container";
    assert!(r.message().contains(m), "{}", r.text());
    assert_eq!(status(&d, "j1"), "created");
    assert_eq!(d.api("DELETE", "/containers/j1", None).status, 204);
    let line = "run --name NAME --network container:stopped busybox true";
    for (tool, name) in [("berth", "j2"), ("docker", "j3")] {
        let args = w(line)
            .iter()
            .map(|a| if *a == "NAME" { name } else { a })
            .collect::<Vec<_>>();
        let out = if tool == "berth" {
            berth(&d, &args)
        } else {
            docker(&d, &args)
        };
        assert!(out.stderr.contains(m), "{tool}: {out:?}");
        assert_code(&out, 125, tool);
        assert_eq!(status(&d, name), "created");
        berth(&d, &["rm", name]).ok();
    }
    // with --rm the container that failed to start is removed and the CLIs return
    for (tool, out) in both(&d, &w("run --rm --network container:stopped busybox true")) {
        assert!(out.stderr.contains(m), "{tool}: {out:?}");
        assert_code(&out, 125, tool);
    }
    assert_eq!(all_ids(&d).len(), 1, "--rm left containers behind");
    // Docker names the target as the user wrote it
    let r = d.api("POST", "/containers/create?name=j4", Some(body));
    assert_eq!(r.status, 201, "{}", r.text());
    let r = d.api("POST", "/containers/j4/start", None);
    assert_eq!(r.message(), format!("{m}: stopped"));
    berth(&d, &w("rm j4 stopped")).ok();
}

#[test]
fn container_mode_refuses_conflicting_flags() {
    let d = daemon_with_busybox();
    berth(&d, &w("run -d --name web --network none busybox sleep 300")).ok();
    let before = all_ids(&d);
    // (flags, the same as JSON in the create body, Docker's message)
    let cases = [
        (
            "--hostname x",
            r#""Hostname":"x","HostConfig":{"NetworkMode":"container:web"}"#,
            "conflicting options: hostname and the network mode",
        ),
        (
            "-p 8080:80",
            r#""HostConfig":{"NetworkMode":"container:web","PortBindings":{"80/tcp":[{"HostPort":"8080"}]}}"#,
            "conflicting options: port publishing and the container type network mode",
        ),
        (
            "--dns 1.1.1.1",
            r#""HostConfig":{"NetworkMode":"container:web","Dns":["1.1.1.1"]}"#,
            "conflicting options: dns and the network mode",
        ),
        (
            "--add-host db:10.0.0.1",
            r#""HostConfig":{"NetworkMode":"container:web","ExtraHosts":["db:10.0.0.1"]}"#,
            "conflicting options: custom host-to-IP mapping and the network mode",
        ),
    ];
    for (flags, json, message) in cases {
        let line = format!("run --rm --network container:web {flags} busybox true");
        for (tool, out) in both(&d, &w(&line)) {
            assert!(out.stderr.contains(message), "{tool} {flags}: {out:?}");
            assert_code(&out, 125, tool);
        }
        let body = format!(r#"{{"Image":"busybox","Cmd":["true"],{json}}}"#);
        let r = d.api("POST", "/containers/create", Some(&body));
        assert_eq!(r.status, 400, "{body}: {}", r.text());
        assert_eq!(r.message(), message);
    }
    // an invalid mode string
    let body = r#"{"Image":"busybox","Cmd":["true"],"HostConfig":{"NetworkMode":"container:"}}"#;
    let r = d.api("POST", "/containers/create", Some(body));
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(all_ids(&d), before, "nothing may be created");
    assert_eq!(status(&d, "web"), "running");
    berth(&d, &w("rm -f web")).ok();
}

// ---------------------------------------------------------------------------------------------
// exec

#[test]
fn exec_runs_in_a_running_container_and_is_refused_in_a_stopped_one() {
    let d = daemon_with_busybox();
    berth(&d, &w("run -d --name web --network none busybox sleep 300")).ok();
    let hostname = inspect(&d, "web")["Config"]["Hostname"]
        .as_str()
        .unwrap()
        .to_string();
    let script = ["echo $HOSTNAME; hostname; echo err >&2; exit 5"];
    for (tool, out) in both(&d, &wt("exec web sh -c", &script)) {
        assert_code(&out, 5, tool);
        assert_eq!(out.stdout, format!("{hostname}\n{hostname}\n"), "{tool}");
        assert_eq!(out.stderr, "err\n", "{tool}");
    }
    let script = ["echo $X $(pwd) $(id -u)"];
    for (tool, out) in both(&d, &wt("exec -e X=1 -w /tmp -u nobody web sh -c", &script)) {
        assert_eq!(out.ok(), "1 /tmp 65534\n", "{tool}");
    }
    // the exec shares the container's PID namespace: PID 1 is the container's sleep
    let out = docker(&d, &w("exec web cat /proc/1/cmdline"));
    assert_eq!(out.ok(), "sleep\u{0}300\u{0}");
    // exec -d leaves a process running in the container
    docker(&d, &wt("exec -d web sh -c", &["echo detached > /tmp/d"])).ok();
    assert!(wait_until(5, || docker(&d, &w("exec web cat /tmp/d"))
        .stdout
        == "detached\n"));
    assert_eq!(status(&d, "web"), "running");

    berth(&d, &w("stop -t 0 web")).ok();
    for (tool, out) in both(&d, &w("exec web true")) {
        assert!(
            out.code != 0 && out.stderr.contains("is not running"),
            "{tool}: {out:?}"
        );
    }
    let body = r#"{"Cmd":["true"],"AttachStdout":true}"#;
    let r = d.api("POST", "/containers/web/exec", Some(body));
    assert_eq!(r.status, 409, "{}", r.text());
    berth(&d, &w("rm web")).ok();
}

#[test]
fn exec_of_a_missing_command_reports_126_in_the_stream() {
    let d = daemon_with_busybox();
    berth(&d, &w("run -d --name web --network none busybox sleep 300")).ok();
    // a missing command: Docker writes the error into the stream and reports 126
    for (tool, out) in both(&d, &w("exec web nosuchcmd")) {
        assert_code(&out, 126, tool);
        let all = format!("{}{}", out.stdout, out.stderr);
        let m = "exec: \"nosuchcmd\": executable file not found in $PATH";
        assert!(all.contains(m), "{tool}: {out:?}");
    }
    assert_eq!(status(&d, "web"), "running");
    berth(&d, &w("rm -f web")).ok();
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
    let env_file = env_file.to_str().unwrap();
    let script = "echo A=$A B=$B C=$C; pwd; id -u; hostname; cat /etc/hostname; cat /data/f; \
                  touch /data/x 2>&1 || true; echo written > /rw/out; \
                  echo HOSTS; cat /etc/hosts; echo RESOLV; cat /etc/resolv.conf";
    for (tool, name) in [("berth", "f1"), ("docker", "f2")] {
        let mut args = vec!["run", "--name", name, "--network", "none", "-e", "A=1"];
        args.extend([
            "--env-file",
            env_file,
            "-w",
            "/tmp",
            "--hostname",
            "flaghost",
        ]);
        args.extend([
            "-v", &ro_mount, "-v", &rw_mount, "-l", "team=net", "--label", "tier=db",
        ]);
        args.extend(w(
            "--add-host db.local:10.1.2.3 --dns 9.9.9.9 --dns-search example.org",
        ));
        args.extend(w("--dns-option ndots:2 busybox sh -c"));
        args.push(script);
        let out = if tool == "berth" {
            berth(&d, &args)
        } else {
            docker(&d, &args)
        };
        let text = out.ok();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[..6],
            [
                "A=1 B=two C=three words",
                "/tmp",
                "0",
                "flaghost",
                "flaghost",
                "from host"
            ],
            "{tool}: {text}"
        );
        assert!(text.contains("Read-only file system"), "{tool}: {text}");
        let (_, rest) = text.split_once("HOSTS\n").unwrap();
        let (hosts, resolv) = rest.split_once("RESOLV\n").unwrap();
        assert!(hosts.contains("127.0.0.1\tlocalhost"), "{tool}: {hosts}");
        assert!(hosts.contains("10.1.2.3\tdb.local"), "{tool}: {hosts}");
        let resolv: Vec<&str> = resolv.lines().collect();
        for line in [
            "nameserver 9.9.9.9",
            "search example.org",
            "options ndots:2",
        ] {
            assert!(resolv.contains(&line), "{tool}: {resolv:?}");
        }
        assert_eq!(
            std::fs::read_to_string(rw.join("out")).unwrap(),
            "written\n"
        );
        std::fs::remove_file(rw.join("out")).unwrap();
        assert!(!data.join("x").exists());

        let i = inspect(&d, name);
        assert_eq!(i["Config"]["Labels"]["team"], "net", "{tool}");
        assert_eq!(i["Config"]["Labels"]["tier"], "db", "{tool}");
        assert_eq!(i["Config"]["Hostname"], "flaghost", "{tool}");
        assert_eq!(i["Config"]["WorkingDir"], "/tmp", "{tool}");
        let env: Vec<&str> = i["Config"]["Env"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert!(
            env.contains(&"A=1") && env.contains(&"B=two"),
            "{tool}: {env:?}"
        );
        let format = ["--format", "{{.Names}}"];
        let labels = docker(&d, &wt("ps -a --filter label=team=net", &format));
        assert!(labels.ok().lines().any(|l| l == name), "{}", labels.stdout);
    }
    berth(&d, &w("rm f1 f2")).ok();

    // -u by name and by number, --entrypoint
    for (tool, out) in both(&d, &w("run --rm --network none -u nobody busybox id")) {
        let text = out.ok();
        assert!(
            text.starts_with("uid=65534(nobody) gid=65534(nogroup)"),
            "{tool}: {text}"
        );
    }
    let out = docker(&d, &w("run --rm --network none -u 1234:5678 busybox id"));
    assert!(out.ok().starts_with("uid=1234 gid=5678"), "{}", out.stdout);
    let line = "run --rm --network none --entrypoint echo busybox hello world";
    for (tool, out) in both(&d, &w(line)) {
        assert_eq!(out.ok(), "hello world\n", "{tool}");
    }
    // an invalid bind mount: a relative host path
    for (tool, out) in both(
        &d,
        &w("run --rm --network none -v relative/dir:/x busybox true"),
    ) {
        assert_code(&out, 125, tool);
    }
    assert!(
        wait_until(5, || all_ids(&d).is_empty()),
        "{:?}",
        all_ids(&d)
    );
}

// ---------------------------------------------------------------------------------------------
// Docker's errors

#[test]
fn missing_image_name_in_use_and_missing_command() {
    let d = daemon_with_busybox();
    // both CLIs try to pull a missing image, which berth cannot do; with --pull never the
    // daemon's own message shows
    for (tool, out) in both(&d, &w("run --network none nosuchimage true")) {
        let m = "Unable to find image 'nosuchimage:latest' locally";
        assert!(out.stderr.contains(m), "{tool}: {out:?}");
        assert_code(&out, 125, tool);
    }
    for (tool, out) in both(&d, &w("run --pull never --network none nosuchimage true")) {
        let m = "No such image: nosuchimage:latest";
        assert!(out.stderr.contains(m), "{tool}: {out:?}");
        assert_code(&out, 125, tool);
    }
    let body = r#"{"Image":"nosuchimage","Cmd":["true"],"HostConfig":{"NetworkMode":"none"}}"#;
    let r = d.api("POST", "/containers/create", Some(body));
    assert_eq!(r.status, 404, "{}", r.text());
    assert_eq!(r.message(), "No such image: nosuchimage:latest");
    assert!(all_ids(&d).is_empty());

    let id = berth(&d, &w("create --name x1 --network none busybox true"))
        .ok()
        .trim()
        .to_string();
    let expected = format!(
        "Conflict. The container name \"/x1\" is already in use by container \"{id}\". You have to remove (or rename) that container to be able to reuse that name."
    );
    // `run` reports a failed create with 125, `create` with 1 (the docker CLI's codes)
    for (line, code) in [
        ("run --name x1 --network none busybox true", 125),
        ("create --name x1 --network none busybox true", 1),
    ] {
        for (tool, out) in both(&d, &w(line)) {
            assert!(out.stderr.contains(&expected), "{tool}: {out:?}");
            assert_code(&out, code, tool);
        }
    }
    let body = r#"{"Image":"busybox","Cmd":["true"],"HostConfig":{"NetworkMode":"none"}}"#;
    let r = d.api("POST", "/containers/create?name=x1", Some(body));
    assert_eq!(r.status, 409);
    assert_eq!(r.message(), expected);
    assert_eq!(all_ids(&d), vec![id.clone()]);
    berth(&d, &w("rm x1")).ok();

    for (tool, name) in [("berth", "nc1"), ("docker", "nc2")] {
        let args = [
            "run",
            "--name",
            name,
            "--network",
            "none",
            "busybox",
            "nosuchcmd",
        ];
        let out = if tool == "berth" {
            berth(&d, &args)
        } else {
            docker(&d, &args)
        };
        assert_code(&out, 127, tool);
        let m = "exec: \"nosuchcmd\": executable file not found in $PATH";
        assert!(out.stderr.contains(m), "{tool}: {out:?}");
        let s = inspect(&d, name);
        assert_eq!(s["State"]["Status"], "created", "{s}");
        assert_eq!(s["State"]["ExitCode"], 127);
        assert!(s["State"]["Error"].as_str().unwrap().contains(m), "{s}");
    }
    berth(&d, &w("rm nc1 nc2")).ok();
    // the daemon is unharmed
    berth(&d, &w("run --rm --network none busybox true")).ok();
}

// ---------------------------------------------------------------------------------------------
// crash safety and restart policies

#[test]
fn containers_survive_kill9_and_are_adopted_again() {
    let mut d = daemon_with_busybox();
    let script = ["echo before; exec sleep 300"];
    berth(
        &d,
        &wt(
            "run -d --name survivor --network none busybox sh -c",
            &script,
        ),
    )
    .ok();
    let script = ["sleep 2; exit 7"];
    berth(
        &d,
        &wt(
            "run -d --name quitter --network none busybox sh -c",
            &script,
        ),
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
    assert_eq!(exit_code(&d, "quitter"), 7);
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
    assert_eq!(docker(&d, &w("exec survivor echo inside")).ok(), "inside\n");
    assert_eq!(berth(&d, &w("logs survivor")).ok(), "before\n");
    assert_eq!(docker(&d, &w("logs quitter")).ok(), "");
    let t = Instant::now();
    berth(&d, &w("stop -t 1 survivor")).ok();
    assert!(t.elapsed() < Duration::from_secs(6));
    assert_eq!(exit_code(&d, "survivor"), 137);
    assert!(wait_until(5, || !process_alive(survivor)));
    // and it starts again under the new daemon
    berth(&d, &w("start survivor")).ok();
    assert_eq!(status(&d, "survivor"), "running");
    let out = berth(&d, &w("rm -f survivor quitter"));
    assert_code(&out, 0, &format!("rm -f after a daemon crash\n{}", d.log()));
}

#[test]
fn containers_survive_a_clean_daemon_restart_too() {
    let mut d = daemon_with_busybox();
    berth(
        &d,
        &w("run -d --name solo --network none busybox sleep 300"),
    )
    .ok();
    let pid = pid_of(&d, "solo");
    d.restart();
    assert!(process_alive(pid));
    assert_eq!(status(&d, "solo"), "running", "{}", d.log());
    assert_eq!(pid_of(&d, "solo"), pid);
    let out = berth(&d, &w("rm -f solo"));
    assert_code(
        &out,
        0,
        &format!("rm -f of an adopted container\n{}", d.log()),
    );
    assert!(wait_until(5, || !process_alive(pid)));
}

#[test]
fn restart_always_restarts_also_after_a_daemon_crash() {
    let mut d = daemon_with_busybox();
    let script = ["sleep 1; exit 1"];
    let line = "run -d --name again --restart always --network none busybox sh -c";
    berth(&d, &wt(line, &script)).ok();
    // a container without a policy beside it stays exited
    berth(
        &d,
        &wt("run -d --name once --network none busybox sh -c", &script),
    )
    .ok();
    assert!(
        wait_until(10, || restart_count(&d, "again") >= 1),
        "{}",
        d.log()
    );
    let policy = &inspect(&d, "again")["HostConfig"]["RestartPolicy"]["Name"];
    assert_eq!(policy, "always");
    assert!(wait_until(5, || status(&d, "once") == "exited"));
    assert_eq!(restart_count(&d, "once"), 0);

    // the daemon dies; the container exits while it is away and the next daemon restarts it
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
    let line = "run -d --name us --restart unless-stopped --network none busybox sleep 300";
    berth(&d, &w(line)).ok();
    berth(&d, &w("stop -t 0 again us")).ok();
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
    berth(&d, &w("rm -f again once us")).ok();
}

// ---------------------------------------------------------------------------------------------
// concurrency

/// Mounts under the daemon's data root, as the fake host's mount namespace sees them.
fn mounts_under_data_root(d: &Daemon) -> usize {
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
                let args = wt(
                    "run -d --name",
                    &[n, "--network", "none", "busybox", "sleep", "300"],
                );
                s.spawn(move || berth(d, &args))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in &results {
        r.ok();
    }
    assert_eq!(docker(&d, &w("ps -q")).ok().lines().count(), 20);
    let pids: Vec<i64> = names.iter().map(|n| pid_of(&d, n)).collect();
    let distinct: BTreeSet<i64> = pids.iter().copied().collect();
    assert_eq!(distinct.len(), 20, "{pids:?}");
    assert!(pids.iter().all(|p| *p > 0 && process_alive(*p)));
    assert!(mounts_under_data_root(&d) >= 20);

    // stop all at once (the docker CLI stops its arguments in parallel)
    let mut args = w("stop -t 1");
    args.extend(names.iter().map(String::as_str));
    let t = Instant::now();
    assert_eq!(docker(&d, &args).ok().lines().count(), 20);
    assert!(t.elapsed() < Duration::from_secs(15), "{:?}", t.elapsed());
    for n in &names {
        assert_eq!(status(&d, n), "exited", "{n}");
        assert_eq!(exit_code(&d, n), 137, "{n}");
    }
    assert!(wait_until(5, || pids.iter().all(|p| !process_alive(*p))));
    assert!(docker(&d, &w("ps -q")).ok().trim().is_empty());

    let mut args = w("rm");
    args.extend(names.iter().map(String::as_str));
    berth(&d, &args).ok();
    assert!(all_ids(&d).is_empty());
    assert_eq!(mounts_under_data_root(&d), 0, "mounts left behind");
    let left = |p: &Path| std::fs::read_dir(p).map_or(0, |r| r.count());
    assert_eq!(left(&d.data_root().join("containers")), 0);
    assert_eq!(left(&d.exec_root().join("containers")), 0);
}
