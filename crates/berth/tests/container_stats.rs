//! `docker stats` against berth: the stock CLI's one-shot table, the API's shapes (one-shot,
//! two samples, a stream), the network counters of the container's own interfaces, and a
//! missing container.

mod harness;

use harness::ctr::*;
use std::io::{BufRead, BufReader, Write};

#[test]
fn stats_report_cpu_memory_pids_and_the_containers_own_network_traffic() {
    let d = daemon_with_busybox();
    berth(&d, &w("run -d --name s1 busybox sleep 600")).ok();
    // Some traffic on eth0: pings to the gateway.
    let gw = inspect(&d, "s1")["NetworkSettings"]["Gateway"]
        .as_str()
        .unwrap()
        .to_string();
    berth(&d, &["exec", "s1", "ping", "-c", "3", "-W", "1", &gw]).ok();

    let out = docker(
        &d,
        &[
            "stats",
            "--no-stream",
            "--format",
            "{{.Name}} {{.PIDs}} {{.NetIO}} {{.MemUsage}}",
            "s1",
        ],
    );
    let line = out.ok().trim().to_string();
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields[0], "s1", "{line}");
    assert_eq!(fields[1], "1", "one process: {line}");
    assert!(!line.contains("0B / 0B"), "eth0 counted traffic: {line}");

    let one = d.api_json(
        "GET",
        "/containers/s1/stats?stream=false&one-shot=true",
        None,
    );
    assert_eq!(one["name"], "/s1");
    assert!(
        one["cpu_stats"]["cpu_usage"]["total_usage"]
            .as_u64()
            .unwrap()
            > 0,
        "{one}"
    );
    assert!(
        one["cpu_stats"]["system_cpu_usage"].as_u64().unwrap() > 0,
        "{one}"
    );
    assert!(one["memory_stats"]["usage"].as_u64().unwrap() > 0, "{one}");
    assert_eq!(one["pids_stats"]["current"], 1);
    let eth0 = &one["networks"]["eth0"];
    assert!(eth0["rx_packets"].as_u64().unwrap() >= 3, "{one}");
    assert!(eth0["tx_packets"].as_u64().unwrap() >= 3, "{one}");
    assert!(one["networks"].get("lo").is_none(), "lo is not reported");
    assert_eq!(one["preread"], "0001-01-01T00:00:00Z");

    // Without one-shot: a second sample, with the first as precpu.
    let two = d.api_json("GET", "/containers/s1/stats?stream=false", None);
    assert_ne!(two["preread"], "0001-01-01T00:00:00Z", "{two}");
    assert!(two["precpu_stats"]["system_cpu_usage"].as_u64().unwrap() > 0);

    // A stream: one entry a second, each with the one before as precpu.
    let mut conn = std::os::unix::net::UnixStream::connect(d.socket()).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    conn.write_all(b"GET /containers/s1/stats HTTP/1.0\r\nHost: berth\r\n\r\n")
        .unwrap();
    let mut reader = BufReader::new(conn);
    let mut entries = Vec::new();
    let mut line = String::new();
    while entries.len() < 2 && reader.read_line(&mut line).unwrap() > 0 {
        if line.starts_with('{') {
            entries.push(serde_json::from_str::<serde_json::Value>(&line).unwrap());
        }
        line.clear();
    }
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["preread"], entries[0]["read"]);

    // Stopped: zeros; missing: Docker's 404.
    berth(&d, &w("stop -t 0 s1")).ok();
    let stopped = d.api_json("GET", "/containers/s1/stats?stream=false", None);
    assert_eq!(stopped["read"], "0001-01-01T00:00:00Z", "{stopped}");
    let missing = d.api("GET", "/containers/nope/stats?stream=false", None);
    assert_eq!(missing.status, 404);
    assert_eq!(missing.message(), "No such container: nope");
}
