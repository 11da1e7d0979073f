//! The event stream (`GET /events`, `docker events`, `berth events`) end to end: what a
//! container's life, a network's connects and an image's tags announce, replayed with
//! `--since/--until` and read live while things happen, through the stock docker CLI, the
//! berth CLI, the Python Docker SDK and raw HTTP, with filters and Docker's errors.

mod harness;

use harness::ctr::*;
use harness::Daemon;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// Now as the docker CLI sends times: `seconds.nanoseconds`.
fn now_stamp() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970");
    format!("{}.{:09}", d.as_secs(), d.subsec_nanos())
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The past events between two times through the API, optionally filtered.
fn api_events(d: &Daemon, since: &str, until: &str, filters: Option<&str>) -> Vec<Value> {
    let mut path = format!("/v1.50/events?since={since}&until={until}");
    if let Some(f) = filters {
        path.push_str(&format!("&filters={}", percent(f)));
    }
    let r = d.api("GET", &path, None);
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    json_lines(&r.text())
}

fn attr<'a>(e: &'a Value, key: &str) -> &'a str {
    e["Actor"]["Attributes"][key].as_str().unwrap_or("")
}

/// `Type Action` of the events about one actor (or naming it as `container`), in order.
fn actions_of(events: &[Value], id: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["Actor"]["ID"] == id || attr(e, "container") == id)
        .map(|e| {
            format!(
                "{} {}",
                e["Type"].as_str().unwrap_or(""),
                e["Action"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn container_id(d: &Daemon, name: &str) -> String {
    inspect(d, name)["Id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn docker_cli_replays_a_containers_life_with_dockers_shapes() {
    let d = daemon_with_busybox();
    let t0 = now_stamp();
    let run = docker(
        &d,
        &wt("run --name ev1 --label tier=web busybox sh -c", &["exit 3"]),
    );
    assert_code(&run, 3, "docker run");
    let id = container_id(&d, "ev1");
    docker(&d, &w("rm ev1")).ok();
    let t1 = now_stamp();

    let out = docker(
        &d,
        &[
            "events",
            "--since",
            &t0,
            "--until",
            &t1,
            "--format",
            "{{json .}}",
        ],
    );
    let events = json_lines(out.ok());
    assert_eq!(
        actions_of(&events, &id),
        [
            "container create",
            "container attach",
            "network connect",
            "container start",
            "container die",
            "network disconnect",
            "container destroy"
        ],
        "{events:#?}"
    );
    for e in events.iter().filter(|e| e["Actor"]["ID"] == id.as_str()) {
        // Docker's container attributes and the legacy fields of API 1.50
        assert_eq!(attr(e, "name"), "ev1", "{e}");
        assert_eq!(attr(e, "image"), "busybox", "{e}");
        assert_eq!(attr(e, "tier"), "web", "{e}");
        assert_eq!(e["status"], e["Action"], "{e}");
        assert_eq!(e["id"], id.as_str(), "{e}");
        assert_eq!(e["from"], "busybox", "{e}");
        assert_eq!(e["scope"], "local", "{e}");
        let nano = e["timeNano"].as_i64().expect("timeNano");
        assert_eq!(e["time"].as_i64(), Some(nano / 1_000_000_000), "{e}");
    }
    let die = events
        .iter()
        .find(|e| e["Action"] == "die")
        .expect("a die event");
    assert_eq!(attr(die, "exitCode"), "3", "{die}");
    let connect = events
        .iter()
        .find(|e| e["Action"] == "connect")
        .expect("a connect event");
    assert_eq!(attr(connect, "name"), "bridge", "{connect}");
    assert_eq!(attr(connect, "type"), "bridge", "{connect}");
    assert_eq!(attr(connect, "container"), id, "{connect}");
    assert!(connect.get("status").is_none(), "{connect}");
    // times never go backwards
    let times: Vec<i64> = events
        .iter()
        .filter_map(|e| e["timeNano"].as_i64())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");

    // docker's default line format: berth prints the window exactly as the docker CLI does
    let [(_, ours), (_, theirs)] = both(&d, &["events", "--since", &t0, "--until", &t1]);
    assert_eq!(ours.ok(), theirs.ok());
    assert_eq!(ours.stdout.lines().count(), events.len());
    // a --format template sees docker's field names
    let tmpl = "{{.Status}}|{{.ID}}|{{.From}}|{{.Scope}}|{{.Actor.Attributes.name}}";
    let [(_, ours), (_, theirs)] = both(
        &d,
        &[
            "events",
            "--since",
            &t0,
            "--until",
            &t1,
            "--filter",
            "event=die",
            "--format",
            tmpl,
        ],
    );
    assert_eq!(ours.ok(), theirs.ok());
    assert_eq!(ours.stdout, format!("die|{id}|busybox|local|ev1\n"));
    let tmpl = "{{.Actor.Attributes.nope}}";
    let [(_, ours), (_, theirs)] = both(
        &d,
        &[
            "events",
            "--since",
            &t0,
            "--until",
            &t1,
            "--filter",
            "event=die",
            "--format",
            tmpl,
        ],
    );
    assert_eq!(ours.ok(), theirs.ok());
    assert_eq!(ours.stdout, "<no value>\n");

    // the same window through berth, in docker's line format
    let out = Command::new("timeout")
        .args(["-k", "5", CLI_TIMEOUT, harness::berth_bin()])
        .args(["events", "--since", &t0, "--until", &t1])
        .args(["--filter", "container=ev1", "--filter", "event=die"])
        .env("BERTH_HOST", d.docker_host())
        .env("TZ", "UTC")
        .output()
        .expect("berth events");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    let (time, rest) = lines[0].split_once(' ').expect("time first");
    // execDuration (whole seconds the process ran) depends on the machine's load
    let (head, tail) = rest.split_once("execDuration=").expect("execDuration");
    assert_eq!(head, format!("container die {id} ("), "{rest}");
    let (secs, tail) = tail.split_once(',').expect("more attributes");
    assert!(secs.parse::<u64>().is_ok(), "{rest}");
    assert_eq!(
        tail, " exitCode=3, image=busybox, name=ev1, tier=web)",
        "{rest}"
    );
    // 2026-11-29T02:40:00.123456789Z
    assert_eq!(time.len(), 30, "{time}");
    assert!(time.ends_with('Z') && time.as_bytes()[19] == b'.', "{time}");
}

#[test]
fn filters_select_events_as_dockerd_does() {
    let d = daemon_with_busybox();
    let t0 = now_stamp();
    docker(&d, &w("network create evnet")).ok();
    docker(&d, &w("create --name alpha --label tier=web busybox true")).ok();
    docker(&d, &w("create --name beta --network evnet busybox true")).ok();
    docker(&d, &w("start alpha")).ok();
    docker(&d, &w("tag busybox busybox:evtag")).ok();
    docker(&d, &w("rmi busybox:evtag")).ok();
    let alpha = container_id(&d, "alpha");
    let beta = container_id(&d, "beta");
    assert!(wait_until(30, || status(&d, "alpha") == "exited"));
    let t1 = now_stamp();

    let only = |f: &str| api_events(&d, &t0, &t1, Some(f));
    let networks = only(r#"{"type":["network"]}"#);
    assert!(
        networks.iter().all(|e| e["Type"] == "network"),
        "{networks:#?}"
    );
    assert!(networks
        .iter()
        .any(|e| e["Action"] == "create" && attr(e, "name") == "evnet"));

    let by_name = only(r#"{"container":["alpha"]}"#);
    assert!(!by_name.is_empty());
    assert!(
        by_name.iter().all(|e| e["Actor"]["ID"] == alpha.as_str()),
        "{by_name:#?}"
    );
    // an ID prefix works as dockerd's FuzzyMatch does; the legacy filter encoding too
    let by_prefix = only(&format!(r#"{{"container":{{"{}":true}}}}"#, &alpha[..10]));
    assert_eq!(by_prefix, by_name);

    let labelled = only(r#"{"label":["tier=web"],"event":["create"]}"#);
    assert_eq!(actions_of(&labelled, &alpha), ["container create"]);
    assert!(actions_of(&labelled, &beta).is_empty());

    let dies = only(r#"{"event":["die"]}"#);
    assert_eq!(dies.len(), 1, "{dies:#?}");
    assert_eq!(attr(&dies[0], "exitCode"), "0");

    let on_net = only(r#"{"network":["evnet"]}"#);
    assert!(!on_net.is_empty());
    assert!(
        on_net.iter().all(|e| attr(e, "name") == "evnet"),
        "{on_net:#?}"
    );

    let images = only(r#"{"type":["image"]}"#);
    let actions: Vec<&str> = images.iter().filter_map(|e| e["Action"].as_str()).collect();
    assert_eq!(actions, ["tag", "untag"], "{images:#?}");
    assert_eq!(attr(&images[0], "name"), "busybox:evtag");
    assert_eq!(images[0]["id"], images[0]["Actor"]["ID"]);
    // image=busybox takes the image events and the containers made from it
    let from_busybox = only(r#"{"image":["busybox"],"event":["create"]}"#);
    assert_eq!(from_busybox.len(), 2, "{from_busybox:#?}");

    // no window, or one with nothing in it
    let empty = api_events(&d, &t1, &now_stamp(), Some(r#"{"container":["alpha"]}"#));
    assert!(empty.is_empty(), "{empty:#?}");
}

#[test]
fn bad_filters_and_times_get_dockers_errors() {
    let d = Daemon::start();
    let r = d.api("GET", "/events?filters=%7Bbad", None);
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(
        r.message(),
        "invalid filter: invalid character 'b' looking for beginning of object key string"
    );
    let r = d.api("GET", "/v1.50/events?since=yesterday", None);
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(
        r.message(),
        "strconv.ParseInt: parsing \"yesterday\": invalid syntax"
    );
    let r = d.api("GET", "/events?since=20&until=10", None);
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(
        r.message(),
        "`since` time (20) cannot be after `until` time (10)"
    );
    // extreme times are taken, never a reason to fail
    let r = d.api("GET", "/events?since=-9223372036&until=-9223372035", None);
    assert_eq!((r.status, r.text()), (200, String::new()));
    let r = d.api("GET", "/events?since=99999999999999999999", None);
    assert_eq!(r.status, 400, "{}", r.text());
    for (tool, out) in both(&d, &["events", "--format", "{{.Nope}}"]) {
        assert_code(&out, 64, tool);
        assert_eq!(
            out.stderr.trim(),
            "Error parsing format: template: :1:2: executing \"\" at <.Nope>: can't evaluate field Nope in type *events.Message",
            "{tool}"
        );
    }
    // RFC 3339 is taken at the API too; a window in the past ends after the replay
    let r = d.api(
        "GET",
        "/events?since=2020-01-01T00:00:00Z&until=2020-01-02T00:00:00.5Z",
        None,
    );
    assert_eq!((r.status, r.text()), (200, String::new()));
    for (tool, out) in both(&d, &w("events --filter nonsense")) {
        assert_code(&out, 125, tool);
        assert!(
            out.stderr
                .contains("bad format of filter (expected name=value)"),
            "{tool}: {}",
            out.stderr
        );
    }
    for (tool, out) in both(&d, &w("events --since someday")) {
        assert_ne!(out.code, 0, "{tool}");
        assert!(
            out.stderr
                .contains("failed to parse value as time or duration: \"someday\""),
            "{tool}: {}",
            out.stderr
        );
    }
    // an RFC 3339 window in the past is taken by both CLIs and ends by itself
    for (tool, out) in both(
        &d,
        &w("events --since 2020-01-01T00:00:00Z --until 2020-01-02T00:00:00Z"),
    ) {
        assert_eq!(out.ok(), "", "{tool}");
    }
}

/// A `docker events` process whose output lines are collected as they come.
struct LiveEvents {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl LiveEvents {
    fn start(d: &Daemon) -> LiveEvents {
        let config = d.data_root().with_file_name("docker-config");
        let mut child = Command::new("docker")
            .args(["events", "--format", "{{json .}}"])
            .env("DOCKER_HOST", d.docker_host())
            .env("DOCKER_CONFIG", config)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker events");
        let stdout = child.stdout.take().expect("piped stdout");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        LiveEvents { child, lines }
    }

    fn events(&self) -> Vec<Value> {
        json_lines(&self.lines.lock().unwrap().join("\n"))
    }

    /// Waits until the stream is subscribed: networks are made until one is seen.
    fn wait_subscribed(&self, d: &Daemon) {
        for i in 0..30 {
            let name = format!("marker{i}");
            docker(d, &["network", "create", &name]).ok();
            let seen = wait_until(3, || {
                self.events()
                    .iter()
                    .any(|e| e["Action"] == "create" && attr(e, "name") == name)
            });
            if seen {
                return;
            }
        }
        panic!("docker events never showed a marker network");
    }
}

impl Drop for LiveEvents {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_live_docker_events_sees_containers_and_networks_as_they_change() {
    let d = daemon_with_busybox();
    let live = LiveEvents::start(&d);
    live.wait_subscribed(&d);

    docker(&d, &w("network create livenet")).ok();
    docker(&d, &w("run -d --name live busybox sleep 300")).ok();
    let id = container_id(&d, "live");
    docker(&d, &w("network connect livenet live")).ok();
    docker(&d, &w("network disconnect livenet live")).ok();
    docker(&d, &w("rename live lively")).ok();
    docker(&d, &w("kill lively")).ok();
    assert!(wait_until(30, || status(&d, "lively") == "exited"));
    docker(&d, &w("rm lively")).ok();
    docker(&d, &w("network rm livenet")).ok();

    let done = wait_until(30, || {
        actions_of(&live.events(), &id).contains(&"container destroy".to_string())
            && live
                .events()
                .iter()
                .any(|e| e["Action"] == "destroy" && attr(e, "name") == "livenet")
    });
    let events = live.events();
    assert!(done, "{events:#?}");
    assert_eq!(
        actions_of(&events, &id),
        [
            "container create",
            "network connect",
            "container start",
            "network connect",
            "network disconnect",
            "container rename",
            "container kill",
            "container die",
            "network disconnect",
            "container destroy"
        ],
        "{events:#?}"
    );
    let find = |action: &str| {
        events
            .iter()
            .filter(|e| e["Actor"]["ID"] == id.as_str() || attr(e, "container") == id)
            .find(|e| e["Action"] == action)
            .cloned()
            .unwrap_or_else(|| panic!("no {action}: {events:#?}"))
    };
    assert_eq!(attr(&find("kill"), "signal"), "9");
    let die = find("die");
    assert_eq!(attr(&die, "exitCode"), "137");
    assert_eq!(attr(&die, "name"), "lively");
    assert_eq!(attr(&find("rename"), "oldName"), "/live");
    let livenet: Vec<&Value> = events
        .iter()
        .filter(|e| e["Type"] == "network" && attr(e, "name") == "livenet")
        .collect();
    let net_actions: Vec<&str> = livenet
        .iter()
        .filter_map(|e| e["Action"].as_str())
        .collect();
    assert_eq!(
        net_actions,
        ["create", "connect", "disconnect", "destroy"],
        "{livenet:#?}"
    );
    assert_eq!(attr(livenet[1], "container"), id);
    assert_eq!(attr(livenet[2], "container"), id);
}

#[test]
fn stop_and_exec_announce_dockers_actions() {
    let d = daemon_with_busybox();
    let t0 = now_stamp();
    // sh as PID 1 ignores SIGTERM until its trap is set: each run says when it is
    let trap = "trap 'exit 5' TERM; echo ready; while true; do sleep 0.1; done";
    docker(
        &d,
        &wt("run -d --name st --network none busybox sh -c", &[trap]),
    )
    .ok();
    let id = container_id(&d, "st");
    let readies = |n: usize| {
        wait_until(30, || {
            docker(&d, &w("logs st")).stdout.matches("ready").count() >= n
        })
    };
    assert!(readies(1));
    docker(&d, &w("exec st true")).ok();
    let exec_died = wait_until(30, || {
        !api_events(&d, &t0, &now_stamp(), Some(r#"{"event":["exec_die"]}"#)).is_empty()
    });
    assert!(exec_died);
    docker(&d, &w("stop -t 20 st")).ok();
    let t1 = now_stamp();
    let events = api_events(&d, &t0, &t1, Some(r#"{"type":["container"]}"#));
    let actions: Vec<&str> = events.iter().filter_map(|e| e["Action"].as_str()).collect();
    assert_eq!(
        actions,
        [
            "create",
            "start",
            "exec_create: true ",
            "exec_start: true ",
            "exec_die",
            "kill",
            "die",
            "stop"
        ],
        "{events:#?}"
    );
    assert!(events.iter().all(|e| e["Actor"]["ID"] == id.as_str()));
    assert_eq!(attr(&events[5], "signal"), "15");
    assert_eq!(attr(&events[6], "exitCode"), "5");
    let exec_id = attr(&events[2], "execID");
    assert_eq!(exec_id.len(), 64, "{:#}", events[2]);
    assert_eq!(attr(&events[4], "execID"), exec_id);
    assert_eq!(attr(&events[4], "exitCode"), "0");
    // the predefined network its mode joins is announced as dockerd does (driver `null`)
    let nets = api_events(&d, &t0, &t1, Some(r#"{"type":["network"]}"#));
    let seen: Vec<String> = nets
        .iter()
        .map(|e| {
            format!(
                "{} {} {} {}",
                e["Action"].as_str().unwrap_or(""),
                attr(e, "name"),
                attr(e, "type"),
                attr(e, "container") == id
            )
        })
        .collect();
    assert_eq!(
        seen,
        ["connect none null true", "disconnect none null true"]
    );
    // `event=exec_start` takes the action with its command, as dockerd's filter does
    let starts = api_events(&d, &t0, &t1, Some(r#"{"event":["exec_start"]}"#));
    assert_eq!(starts.len(), 1, "{starts:#?}");

    // restart: the stop's events, the start, then `restart`
    docker(&d, &w("start st")).ok();
    assert!(readies(2));
    let t2 = now_stamp();
    docker(&d, &w("restart -t 20 st")).ok();
    let t3 = now_stamp();
    let events = api_events(&d, &t2, &t3, Some(r#"{"container":["st"]}"#));
    let actions: Vec<&str> = events.iter().filter_map(|e| e["Action"].as_str()).collect();
    assert_eq!(
        actions,
        ["kill", "die", "stop", "start", "restart"],
        "{events:#?}"
    );
    docker(&d, &w("rm -f st")).ok();
}

#[test]
fn the_python_sdk_reads_the_stream() {
    let d = daemon_with_busybox();
    let t0 = now_stamp();
    docker(&d, &wt("run --name py busybox sh -c", &["exit 7"])).ok_or_code(7);
    let t1 = now_stamp();
    let script = r#"
import docker, json, sys
c = docker.DockerClient(base_url=sys.argv[1])
since, until = float(sys.argv[2]), float(sys.argv[3])
for e in c.events(decode=True, since=int(since), until=int(until) + 1,
                  filters={"event": "die", "container": "py"}):
    print(json.dumps(e))
# since without until: the replay, then live events as they happen
stream = c.events(decode=True, since=int(since), filters={"type": "network"})
c.networks.create("pynet")
for e in stream:
    if e["Actor"]["Attributes"].get("name") == "pynet":
        print(json.dumps(e))
        break
stream.close()
"#;
    let out = Command::new("timeout")
        .args(["-k", "5", CLI_TIMEOUT, "python3", "-c", script])
        .arg(d.docker_host())
        .args([&t0, &t1])
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = json_lines(&text);
    assert_eq!(events.len(), 2, "{events:#?}");
    assert_eq!(events[1]["Type"], "network");
    assert_eq!(events[1]["Action"], "create");
    assert_eq!(events[0]["Type"], "container");
    assert_eq!(events[0]["Action"], "die");
    assert_eq!(attr(&events[0], "exitCode"), "7");
    assert_eq!(attr(&events[0], "name"), "py");
}

trait OkOrCode {
    fn ok_or_code(&self, code: i32);
}

impl OkOrCode for harness::CmdResult {
    #[track_caller]
    fn ok_or_code(&self, code: i32) {
        assert_code(self, code, "command");
    }
}

#[test]
fn a_client_that_goes_away_is_let_go() {
    use std::io::{Read, Write};
    let d = Daemon::start();
    let mut s = std::os::unix::net::UnixStream::connect(d.socket()).expect("connect");
    s.write_all(b"GET /v1.50/events HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("request");
    // the head comes at once, before any event, as dockerd flushes it (clients wait for it)
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut byte).expect("head"), 1, "closed early");
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("content-type: application/json"), "{head}");
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    drop(s);
    assert!(
        wait_until(30, || d.log().contains("events subscriber gone")),
        "{}",
        d.log()
    );
}

#[test]
fn images_announce_import_load_tag_untag_and_delete() {
    let d = daemon_with_busybox();
    let dir = d.data_root().with_file_name("img");
    std::fs::create_dir_all(&dir).expect("dir");
    let archive = dir.join("busybox-save.tar");
    let rootfs = dir.join("rootfs.tar");
    berth_image::testing::write_busybox_rootfs_tar(&rootfs);
    docker(&d, &["save", "-o", archive.to_str().unwrap(), "busybox"]).ok();
    let id = d.api_json("GET", "/images/busybox/json", None)["Id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(id.starts_with("sha256:"), "{id}");

    let t0 = now_stamp();
    docker(&d, &w("rmi busybox")).ok();
    docker(&d, &["load", "-i", archive.to_str().unwrap()]).ok();
    docker(&d, &["import", rootfs.to_str().unwrap(), "second:v1"]).ok();
    let t1 = now_stamp();

    let events = api_events(&d, &t0, &t1, Some(r#"{"type":["image"]}"#));
    let seen: Vec<String> = events
        .iter()
        .map(|e| format!("{} {}", e["Action"].as_str().unwrap_or(""), attr(e, "name")))
        .collect();
    let imported = events.last().map(|e| e["Actor"]["ID"].clone());
    let imported = imported.and_then(|v| v.as_str().map(String::from));
    let imported = imported.unwrap_or_default();
    assert_eq!(
        seen,
        [
            "untag busybox:latest".to_string(),
            format!("delete {id}"),
            format!("load {id}"),
            "tag second:v1".to_string(),
            format!("import {imported}"),
        ],
        "{events:#?}"
    );
    assert!(events
        .iter()
        .all(|e| e["id"] == e["Actor"]["ID"] && e["status"] == e["Action"]));
    // a duration counts back from now in both CLIs (the daemon is younger than an hour)
    let [(_, ours), (_, theirs)] = both(&d, &["events", "--since", "1h", "--until", &t1]);
    assert_eq!(ours.ok(), theirs.ok());
    assert!(
        ours.stdout.lines().count() >= events.len(),
        "{}",
        ours.stdout
    );
    // image=second matches by name without the tag
    let second = api_events(&d, &t0, &t1, Some(r#"{"image":["second"]}"#));
    assert_eq!(second.len(), 1, "{second:#?}");
}

#[test]
fn a_tty_resize_and_top_are_announced() {
    let d = daemon_with_busybox();
    docker(&d, &w("run -dt --name rz --network none busybox sh")).ok();
    let t0 = now_stamp();
    let r = d.api("POST", "/v1.50/containers/rz/resize?h=30&w=100", None);
    assert_eq!(r.status, 200, "{}", r.text());
    let t1 = now_stamp();
    let events = api_events(&d, &t0, &t1, Some(r#"{"event":["resize"]}"#));
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(attr(&events[0], "height"), "30");
    assert_eq!(attr(&events[0], "width"), "100");
    assert_eq!(attr(&events[0], "name"), "rz");
    // `top` is announced too, as dockerd does
    docker(&d, &w("top rz")).ok();
    let tops = api_events(&d, &t0, &now_stamp(), Some(r#"{"event":["top"]}"#));
    assert_eq!(tops.len(), 1, "{tops:#?}");
    docker(&d, &w("rm -f rz")).ok();
}

#[test]
fn a_subscriber_that_never_reads_holds_nothing_up() {
    use std::io::{Read, Write};
    let d = daemon_with_busybox();
    // a large label makes every event of this container a few kilobytes
    let label = format!("big={}", "x".repeat(8000));
    docker(
        &d,
        &[
            "run",
            "-d",
            "--name",
            "busy",
            "--network",
            "none",
            "--label",
            &label,
        ]
        .into_iter()
        .chain(w("busybox sleep 300"))
        .collect::<Vec<_>>(),
    )
    .ok();
    let mut stuck = std::os::unix::net::UnixStream::connect(d.socket()).expect("connect");
    stuck
        .write_all(b"GET /v1.50/events HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("request");
    let mut first = [0u8; 12];
    stuck.read_exact(&mut first).expect("head");
    // far more than the socket's buffers and the subscriber's live buffer hold, none read
    let total = 2000;
    for i in 0..total {
        let body = format!(r#"{{"Cmd":["echo","{i}"]}}"#);
        let r = d.api("POST", "/v1.50/containers/busy/exec", Some(&body));
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let last_action = format!("exec_create: echo {}", total - 1);
    // the daemon answers, and a replay has the newest of them
    let replay = api_events(&d, "0", &now_stamp(), Some(r#"{"event":["exec_create"]}"#));
    assert_eq!(replay.len(), 256, "the ring holds the last 256");
    assert_eq!(replay[255]["Action"], last_action.as_str());
    // the stuck client, once it reads, gets whole events up to the newest
    stuck
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .expect("timeout");
    let mut reader = BufReader::new(stuck);
    let mut newest = String::new();
    let mut received = 0;
    let mut line = String::new();
    while newest != last_action {
        line.clear();
        if reader.read_line(&mut line).expect("read") == 0 {
            break;
        }
        if line.starts_with('{') {
            let e: Value = serde_json::from_str(line.trim()).expect("a whole event");
            newest = e["Action"].as_str().unwrap_or_default().to_string();
            received += 1;
        }
    }
    assert_eq!(newest, last_action);
    // it fell behind and lost the oldest rather than holding the daemon up
    assert!(received < total, "{received}");
    docker(&d, &w("rm -f busy")).ok();
}

#[test]
fn open_streams_end_when_the_daemon_stops() {
    let mut d = Daemon::start();
    let mut live = LiveEvents::start(&d);
    live.wait_subscribed(&d);
    let status = d.terminate();
    assert!(status.success(), "{status:?}\n{}", d.log());
    // the stream ended cleanly rather than being cut after the shutdown grace period
    assert!(!d.log().contains("streams still open"), "{}", d.log());
    let mut exit = None;
    assert!(wait_until(30, || {
        exit = live.child.try_wait().ok().flatten();
        exit.is_some()
    }));
    assert_eq!(exit.and_then(|s| s.code()), Some(0));
}
