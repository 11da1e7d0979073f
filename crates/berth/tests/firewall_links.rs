//! Legacy links under `--icc=false` (issue 6, item 4), live in the fake host: on a default
//! bridge with inter-container communication off, a link opens exactly the linked
//! container's exposed ports to the linking container, in the exposed protocol, and nothing
//! else; other containers stay cut off, and the opening closes when the linking container stops.

mod harness;

use harness::ctr::*;
use harness::probe::*;

fn at(ip: &str, port: u16) -> String {
    format!("{ip}:{port}")
}

#[test]
fn a_link_opens_exactly_the_exposed_ports_with_icc_off() {
    let d = daemon_with_busybox_and(&["--icc=false"]);
    // The docker CLI sees the option as on Docker's default bridge.
    let out = docker(
        &d,
        &[
            "network",
            "inspect",
            "-f",
            "{{index .Options \"com.docker.network.bridge.enable_icc\"}}",
            "bridge",
        ],
    );
    assert_eq!(out.ok().trim(), "false");
    berth(
        &d,
        &w("run -d --name web --expose 7000 --expose 7001/udp busybox sleep 600"),
    )
    .ok();
    // Through the docker CLI, as a tutorial would.
    docker(&d, &w("run -d --name app --link web:db busybox sleep 600")).ok();
    berth(&d, &w("run -d --name other busybox sleep 600")).ok();
    let ip = |c: &str| ip_on(&d, c, "bridge");
    let (web, app) = (ip("web"), ip("app"));
    let ns = |c: &str| container_ns(&d, c);
    for port in [7000, 7001, 7002] {
        serve(&ns("web"), port);
    }
    serve(&ns("app"), 7000);
    assert_reaches(
        &ns("app"),
        Proto::Tcp,
        &at(&web, 7000),
        "app -> web 7000/tcp (linked)",
    );
    assert_reaches(
        &ns("app"),
        Proto::Udp,
        &at(&web, 7001),
        "app -> web 7001/udp (linked)",
    );
    assert_blocked(
        &ns("app"),
        Proto::Udp,
        &at(&web, 7000),
        "app -> web 7000/udp (not exposed)",
    );
    assert_blocked(
        &ns("app"),
        Proto::Tcp,
        &at(&web, 7001),
        "app -> web 7001/tcp (not exposed)",
    );
    assert_blocked(
        &ns("app"),
        Proto::Tcp,
        &at(&web, 7002),
        "app -> web 7002/tcp (not exposed)",
    );
    assert_blocked(
        &ns("web"),
        Proto::Tcp,
        &at(&app, 7000),
        "web -> app (a link is one-way)",
    );
    assert_blocked(
        &ns("other"),
        Proto::Tcp,
        &at(&web, 7000),
        "other -> web (not linked)",
    );
    // The host still reaches every container.
    assert_reaches(
        &fake_host_ns(&d),
        Proto::Tcp,
        &at(&web, 7002),
        "host -> web",
    );
    assert_eq!(
        family_set(&d, "bridge", "links4").map(|e| e.len()),
        Some(2),
        "one element per exposed port"
    );
    // The opening lives as long as the linking container runs.
    berth(&d, &w("stop -t 0 app")).ok();
    assert_eq!(family_set(&d, "bridge", "links4").map(|e| e.len()), Some(0));
}

#[test]
fn with_icc_on_the_default_bridge_is_open_and_links_change_nothing() {
    let d = daemon_with_busybox();
    let out = berth(
        &d,
        &["network", "inspect", "-f", "{{json .Options}}", "bridge"],
    );
    assert!(
        out.ok()
            .contains("\"com.docker.network.bridge.enable_icc\":\"true\""),
        "{}",
        out.stdout
    );
    berth(&d, &w("run -d --name web --expose 7000 busybox sleep 600")).ok();
    berth(&d, &w("run -d --name other busybox sleep 600")).ok();
    let web = ip_on(&d, "web", "bridge");
    serve(&container_ns(&d, "web"), 7002);
    assert_reaches(
        &container_ns(&d, "other"),
        Proto::Tcp,
        &at(&web, 7002),
        "other -> web",
    );
}
