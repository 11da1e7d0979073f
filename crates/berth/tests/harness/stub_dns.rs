//! A stub upstream DNS server on 127.0.0.1:53 inside a fake host's network namespace, so
//! forwarding tests never reach the machine's real resolver. It answers A queries for the
//! names it is given, NXDOMAIN for others, and `big.test` with 40 addresses: truncated (TC)
//! over UDP, whole over TCP. It counts the queries it gets.

use super::fake_host::FakeHost;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub struct StubDns {
    stop: Arc<AtomicBool>,
    pub queries: Arc<AtomicUsize>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

type Records = Arc<Vec<(String, Ipv4Addr)>>;

impl StubDns {
    pub fn start(host: &FakeHost, records: &[(&str, Ipv4Addr)]) -> StubDns {
        let records: Records = Arc::new(
            records
                .iter()
                .map(|(n, ip)| (n.to_ascii_lowercase(), *ip))
                .collect(),
        );
        let stop = Arc::new(AtomicBool::new(false));
        let queries = Arc::new(AtomicUsize::new(0));
        let netns = format!("/run/netns/{}", host.name);
        let (tx, rx) = std::sync::mpsc::channel();
        let mut threads = Vec::new();
        for tcp in [false, true] {
            let (netns, records, stop, queries, tx) = (
                netns.clone(),
                records.clone(),
                stop.clone(),
                queries.clone(),
                tx.clone(),
            );
            threads.push(std::thread::spawn(move || {
                enter_netns(&netns);
                if tcp {
                    let l = TcpListener::bind("127.0.0.1:53").expect("stub tcp bind");
                    l.set_nonblocking(true).unwrap();
                    tx.send(()).unwrap();
                    serve_tcp(l, &records, &stop, &queries);
                } else {
                    let s = UdpSocket::bind("127.0.0.1:53").expect("stub udp bind");
                    s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
                    tx.send(()).unwrap();
                    serve_udp(s, &records, &stop, &queries);
                }
            }));
        }
        rx.recv().unwrap();
        rx.recv().unwrap();
        StubDns {
            stop,
            queries,
            threads,
        }
    }

    pub fn count(&self) -> usize {
        self.queries.load(Ordering::SeqCst)
    }
}

impl Drop for StubDns {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn enter_netns(path: &str) {
    let f = std::fs::File::open(path).expect("open fake host netns");
    use std::os::fd::AsRawFd;
    let rc = unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) };
    assert_eq!(rc, 0, "setns into the fake host");
}

fn serve_udp(s: UdpSocket, records: &Records, stop: &AtomicBool, queries: &AtomicUsize) {
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::SeqCst) {
        let Ok((n, from)) = s.recv_from(&mut buf) else {
            continue;
        };
        queries.fetch_add(1, Ordering::SeqCst);
        if let Some(reply) = answer(&buf[..n], records, false) {
            let _ = s.send_to(&reply, from);
        }
    }
}

fn serve_tcp(l: TcpListener, records: &Records, stop: &AtomicBool, queries: &AtomicUsize) {
    while !stop.load(Ordering::SeqCst) {
        let Ok((mut conn, _)) = l.accept() else {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        };
        let _ = conn.set_nonblocking(false);
        let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
        let mut len = [0u8; 2];
        if conn.read_exact(&mut len).is_err() {
            continue;
        }
        let mut q = vec![0u8; u16::from_be_bytes(len) as usize];
        if conn.read_exact(&mut q).is_err() {
            continue;
        }
        queries.fetch_add(1, Ordering::SeqCst);
        if let Some(reply) = answer(&q, records, true) {
            let mut out = (reply.len() as u16).to_be_bytes().to_vec();
            out.extend(reply);
            let _ = conn.write_all(&out);
        }
    }
}

/// A reply to one query, or None if it can't be parsed.
fn answer(q: &[u8], records: &Records, tcp: bool) -> Option<Vec<u8>> {
    if q.len() < 12 {
        return None;
    }
    let mut at = 12;
    let mut labels = Vec::new();
    loop {
        let len = *q.get(at)? as usize;
        at += 1;
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(q.get(at..at + len)?).to_ascii_lowercase());
        at += len;
    }
    let qtype = u16::from_be_bytes([*q.get(at)?, *q.get(at + 1)?]);
    let question = &q[12..at + 4];
    let name = labels.join(".");
    let mut addrs: Vec<Ipv4Addr> = records
        .iter()
        .filter(|(n, _)| *n == name)
        .map(|(_, ip)| *ip)
        .collect();
    let mut truncated = false;
    if name == "big.test" {
        if tcp {
            addrs = (1..=40).map(|i| Ipv4Addr::new(10, 0, 0, i)).collect();
        } else {
            truncated = true;
        }
    }
    let known = !addrs.is_empty() || name == "big.test";
    let answers: Vec<Ipv4Addr> = if qtype == 1 { addrs } else { vec![] };
    let mut flags: u16 = 0x8180;
    if truncated {
        flags |= 0x0200;
    }
    if !known {
        flags |= 3; // NXDOMAIN
    }
    let mut out = Vec::new();
    out.extend_from_slice(&q[0..2]);
    out.extend_from_slice(&flags.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&(answers.len() as u16).to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(question);
    for ip in answers {
        out.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
        out.extend_from_slice(&ip.octets());
    }
    Some(out)
}

/// How many answer records 127.0.0.11 gives for `name` (type A) when asked from inside the
/// network namespace of process `pid`: over TCP, or over UDP with an EDNS size of `edns`.
pub fn answers_from_resolver(pid: i64, name: &str, tcp: bool, edns: Option<u16>) -> usize {
    let path = format!("/proc/{pid}/ns/net");
    let mut q = vec![
        0xab,
        0xcd,
        0x01,
        0x00,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
        u8::from(edns.is_some()),
    ];
    for label in name.split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    if let Some(size) = edns {
        q.extend_from_slice(&[0, 0, 41]);
        q.extend_from_slice(&size.to_be_bytes());
        q.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    }
    std::thread::spawn(move || {
        enter_netns(&path);
        let reply = if tcp {
            let mut s = std::net::TcpStream::connect("127.0.0.11:53").expect("tcp 127.0.0.11");
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut out = (q.len() as u16).to_be_bytes().to_vec();
            out.extend(&q);
            s.write_all(&out).unwrap();
            let mut len = [0u8; 2];
            s.read_exact(&mut len).expect("tcp answer length");
            let mut r = vec![0u8; u16::from_be_bytes(len) as usize];
            s.read_exact(&mut r).expect("tcp answer");
            r
        } else {
            let s = UdpSocket::bind("127.0.0.1:0").unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            s.send_to(&q, "127.0.0.11:53").unwrap();
            let mut r = vec![0u8; 65535];
            let n = s.recv(&mut r).expect("udp answer");
            r.truncate(n);
            r
        };
        u16::from_be_bytes([reply[6], reply[7]]) as usize
    })
    .join()
    .expect("resolver query thread")
}

/// Binds 0.0.0.0:53 over UDP and TCP inside the network namespace of process `pid`, as a DNS
/// server in that container would, without SO_REUSEADDR; the sockets stay in that namespace.
pub fn bind_port_53_in(pid: i64) -> std::io::Result<(UdpSocket, TcpListener)> {
    let path = format!("/proc/{pid}/ns/net");
    std::thread::spawn(move || {
        enter_netns(&path);
        Ok((
            UdpSocket::bind("0.0.0.0:53")?,
            TcpListener::bind("0.0.0.0:53")?,
        ))
    })
    .join()
    .expect("bind thread")
}
