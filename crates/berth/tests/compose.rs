//! Compose as a real client: Debian's docker-compose (1.29, the Python one, on docker-py)
//! brings a two-service project up on a network of its own, with an alias and a published
//! port, and tears it down again, as a user following a compose tutorial would.

mod harness;

use harness::ctr::*;
use harness::probe::*;
use std::process::Command;

const PROJECT: &str = r#"version: "3.8"
services:
  web:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 80 -h /www"]
    networks:
      front:
        aliases: [site]
    ports: ["8080:80"]
  client:
    image: busybox
    command: ["sleep", "600"]
    depends_on: [web]
    networks: [front]
networks:
  front: {}
"#;

fn compose(d: &harness::Daemon, dir: &std::path::Path, args: &[&str]) -> harness::CmdResult {
    Command::new("timeout")
        .args([
            "-k",
            "5",
            "120",
            "docker-compose",
            "--no-ansi",
            "-p",
            "demo",
        ])
        .args(args)
        .current_dir(dir)
        .env("DOCKER_HOST", d.docker_host())
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_CONFIG")
        .env("COMPOSE_INTERACTIVE_NO_CLI", "1")
        .output()
        .expect("run docker-compose")
        .into()
}

#[test]
fn compose_up_serves_by_alias_and_port_and_down_removes_everything() {
    let d = daemon_with_busybox();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("docker-compose.yml"), PROJECT).unwrap();

    let up = compose(&d, dir.path(), &["up", "-d"]);
    assert_eq!(up.code, 0, "{up:?}");
    let ps = compose(&d, dir.path(), &["ps"]);
    assert_eq!(ps.code, 0, "{ps:?}");
    for name in ["demo_web_1", "demo_client_1"] {
        assert!(ps.stdout.contains(name), "{}", ps.stdout);
    }
    assert!(ps.stdout.contains("0.0.0.0:8080->80/tcp"), "{}", ps.stdout);
    let nets = docker(&d, &w("network ls --format {{.Name}}"));
    assert!(
        nets.ok().lines().any(|l| l == "demo_front"),
        "{}",
        nets.stdout
    );

    // By service name and by alias, from the other service, through the embedded DNS.
    for host in ["web", "site", "demo_web_1"] {
        let url = format!("http://{host}/");
        let got = docker(&d, &["exec", "demo_client_1", "wget", "-qO-", &url]);
        assert_eq!(got.ok().trim(), "hello-from-web", "{host}");
    }
    // Through the published port, from the host.
    let web = ip_on(&d, "demo_web_1", "demo_front");
    assert!(!web.is_empty());
    let host = fake_host_ns(&d);
    let page = berth_netsys::in_netns(&host, || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", 8080)).ok()?;
        s.write_all(b"GET / HTTP/1.0\r\n\r\n").ok()?;
        let mut text = String::new();
        s.read_to_string(&mut text).ok()?;
        Some(text)
    })
    .expect("enter the fake host");
    assert!(
        page.as_deref()
            .unwrap_or_default()
            .contains("hello-from-web"),
        "{page:?}"
    );

    let down = compose(&d, dir.path(), &["down"]);
    assert_eq!(down.code, 0, "{down:?}");
    let left = docker(&d, &w("ps -aq"));
    assert_eq!(left.ok().trim(), "", "containers left after down");
    let nets = docker(&d, &w("network ls --format {{.Name}}"));
    assert!(
        !nets.ok().lines().any(|l| l == "demo_front"),
        "{}",
        nets.stdout
    );
}
