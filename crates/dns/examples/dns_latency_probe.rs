//! Latency one query at a time, for `bench/dns.sh`: sends A queries for `c0` … `c{N-1}` to a
//! server, each only after the previous answer, and prints the percentiles of the round trips.
//! (dnsperf 2.10 with `-q 1` paces its sender with a timer of its own and runs at a few dozen
//! queries per second, so its runs take minutes.) Run it in the server's network namespace.
//!
//! ```text
//! dns_latency_probe [--server 127.0.0.11:53] [--names 1000] [--passes 5]
//! ```
//! Output: `p50_us p99_us max_us lost`.

use std::net::{SocketAddr, UdpSocket};
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn query(id: u16, name: &str) -> Vec<u8> {
    let mut q = Vec::with_capacity(32);
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]); // RD, one question
    for label in name.split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]); // root, A, IN
    q
}

fn main() -> ExitCode {
    let mut server: SocketAddr = ([127, 0, 0, 11], 53).into();
    let mut names = 1000u32;
    let mut passes = 5u32;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_default();
        let ok = match flag.as_str() {
            "--server" => value.parse().map(|v| server = v).is_ok(),
            "--names" => value.parse().map(|v| names = v).is_ok(),
            "--passes" => value.parse().map(|v| passes = v).is_ok(),
            _ => false,
        };
        if !ok {
            eprintln!("dns_latency_probe: bad argument {flag} {value}");
            return ExitCode::from(2);
        }
    }
    let socket = match UdpSocket::bind("0.0.0.0:0").and_then(|s| s.connect(server).map(|_| s)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("dns_latency_probe: {e}");
            return ExitCode::FAILURE;
        }
    };
    let _ = socket.set_read_timeout(Some(Duration::from_secs(1)));
    let mut times = Vec::with_capacity((names * passes) as usize);
    let mut lost = 0u32;
    let mut buf = [0u8; 4096];
    let mut id = 0u16;
    for _ in 0..passes {
        for i in 0..names {
            id = id.wrapping_add(1);
            let q = query(id, &format!("c{i}"));
            let start = Instant::now();
            if socket.send(&q).is_err() {
                lost += 1;
                continue;
            }
            // Skip stray late answers to earlier queries.
            loop {
                match socket.recv(&mut buf) {
                    Ok(n) if n >= 2 && buf[..2] == id.to_be_bytes() => {
                        times.push(start.elapsed());
                        break;
                    }
                    Ok(_) => continue,
                    Err(_) => {
                        lost += 1;
                        break;
                    }
                }
            }
        }
    }
    times.sort();
    let pick = |p: f64| {
        if times.is_empty() {
            return 0;
        }
        let i = ((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1;
        times[i].as_micros()
    };
    println!(
        "{} {} {} {lost}",
        pick(0.50),
        pick(0.99),
        times.last().map_or(0, |t| t.as_micros())
    );
    ExitCode::SUCCESS
}
