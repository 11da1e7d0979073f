//! A standalone berth DNS server for `bench/dns.sh`: serves a table of N container names
//! (`c0` … `c{N-1}` on one network) at 127.0.0.11:53 inside the network namespace given by
//! `--netns`, to the container `asker`, forwarding other names to `--upstream` from the
//! namespace it runs in (the "daemon's"). Runs until SIGTERM or SIGINT.
//!
//! ```text
//! dns_bench_server --netns /run/netns/NAME [--names 1000] [--upstream 127.0.0.53:53]
//!                  [--hosts FILE]   # also write the same names as a hosts file (for dnsmasq)
//! ```

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use berth_dns::{open_sockets, DnsServer, ForwardConfig, TableBuilder};

struct Args {
    netns: PathBuf,
    names: u32,
    upstream: Option<SocketAddr>,
    hosts: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        netns: PathBuf::new(),
        names: 1000,
        upstream: None,
        hosts: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--netns" => args.netns = value.into(),
            "--names" => args.names = value.parse().map_err(|e| format!("--names: {e}"))?,
            "--upstream" => {
                args.upstream = Some(value.parse().map_err(|e| format!("--upstream: {e}"))?)
            }
            "--hosts" => args.hosts = Some(value.into()),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if args.netns.as_os_str().is_empty() {
        return Err("--netns is required".into());
    }
    Ok(args)
}

/// The address of container `i`: 10.88.0.0/16 from .2 on, never routed anywhere.
fn address(i: u32) -> Ipv4Addr {
    let n = i + 2;
    Ipv4Addr::new(10, 88, (n >> 8) as u8, n as u8)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("dns_bench_server: {e}");
            return ExitCode::from(2);
        }
    };
    let mut table = TableBuilder::new();
    table.network("bench-net", "bench", false);
    table.endpoint(
        "asker",
        "bench-net",
        &["client".to_string()],
        Some(Ipv4Addr::new(10, 89, 0, 2)),
        None,
    );
    let mut hosts = String::new();
    for i in 0..args.names {
        let name = format!("c{i}");
        table.endpoint(
            &format!("ctr{i}"),
            "bench-net",
            &[name.clone(), format!("{i:012x}")],
            Some(address(i)),
            None,
        );
        hosts.push_str(&format!("{}\t{name}\n", address(i)));
    }
    if let Some(path) = &args.hosts {
        if let Err(e) = std::fs::write(path, hosts) {
            eprintln!("dns_bench_server: writing {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }

    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("dns_bench_server: runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let server = DnsServer::new(runtime.handle().clone());
    server.publish(table.build());
    let sockets = match open_sockets(&args.netns) {
        Ok(sockets) => sockets,
        Err(e) => {
            eprintln!("dns_bench_server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let forward = ForwardConfig {
        upstreams: args.upstream.into_iter().collect(),
        ndots: 0,
        forward: true,
    };
    if let Err(e) = server.serve("asker", sockets, forward) {
        eprintln!("dns_bench_server: {e}");
        return ExitCode::FAILURE;
    }
    println!("serving {} names", args.names);
    runtime.block_on(async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    });
    server.stop("asker");
    ExitCode::SUCCESS
}
