//! A tiny upstream DNS server for forwarding tests, on UDP and TCP port 53 of a loopback
//! address in the test's own (private) namespace: the "daemon side".

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::{rdata, Name, RData, Record};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behavior {
    /// One A record 192.0.2.1.
    Answer,
    /// TC over UDP; 40 A records (192.0.2.1..40) over TCP.
    TruncateUdp,
    /// Never answers.
    Silent,
    /// SERVFAIL.
    ServFail,
}

#[derive(Default)]
pub struct Seen {
    pub udp: AtomicUsize,
    pub tcp: AtomicUsize,
    /// EDNS payload size of each query seen (None: no EDNS).
    pub edns: Mutex<Vec<Option<u16>>>,
    pub names: Mutex<Vec<String>>,
}

pub struct Stub {
    pub addr: SocketAddr,
    pub seen: Arc<Seen>,
    stop: Arc<AtomicBool>,
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

impl Stub {
    /// Serves on `ip`:53 (UDP and TCP) until dropped; threads inherit the caller's namespace.
    pub fn start(ip: Ipv4Addr, behavior: Behavior) -> Stub {
        let addr = SocketAddr::from((ip, 53));
        let udp = UdpSocket::bind(addr).unwrap();
        udp.set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let tcp = TcpListener::bind(addr).unwrap();
        tcp.set_nonblocking(true).unwrap();
        let seen = Arc::new(Seen::default());
        let stop = Arc::new(AtomicBool::new(false));
        {
            let (seen, stop) = (seen.clone(), stop.clone());
            thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while !stop.load(Ordering::SeqCst) {
                    let Ok((n, peer)) = udp.recv_from(&mut buf) else {
                        continue;
                    };
                    seen.udp.fetch_add(1, Ordering::SeqCst);
                    if let Some(answer) = answer(&buf[..n], behavior, false, &seen) {
                        let _ = udp.send_to(&answer, peer);
                    }
                }
            });
        }
        {
            let (seen, stop) = (seen.clone(), stop.clone());
            thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let Ok((mut stream, _)) = tcp.accept() else {
                        thread::sleep(Duration::from_millis(5));
                        continue;
                    };
                    stream.set_nonblocking(false).unwrap();
                    stream
                        .set_read_timeout(Some(Duration::from_secs(2)))
                        .unwrap();
                    let mut len = [0u8; 2];
                    if stream.read_exact(&mut len).is_err() {
                        continue;
                    }
                    let mut q = vec![0u8; usize::from(u16::from_be_bytes(len))];
                    if stream.read_exact(&mut q).is_err() {
                        continue;
                    }
                    seen.tcp.fetch_add(1, Ordering::SeqCst);
                    if let Some(answer) = answer(&q, behavior, true, &seen) {
                        let mut msg = (answer.len() as u16).to_be_bytes().to_vec();
                        msg.extend_from_slice(&answer);
                        let _ = stream.write_all(&msg);
                    }
                }
            });
        }
        Stub { addr, seen, stop }
    }
}

fn answer(query: &[u8], behavior: Behavior, tcp: bool, seen: &Seen) -> Option<Vec<u8>> {
    let q = Message::from_vec(query).ok()?;
    seen.edns
        .lock()
        .unwrap()
        .push(q.edns.as_ref().map(|e| e.max_payload()));
    let question = q.queries.first()?.clone();
    seen.names.lock().unwrap().push(question.name.to_string());
    let mut m = Message::new(q.metadata.id, MessageType::Response, OpCode::Query);
    m.metadata.recursion_desired = q.metadata.recursion_desired;
    m.metadata.recursion_available = true;
    m.add_query(question.clone());
    if q.edns.is_some() {
        let mut e = Edns::new();
        e.set_max_payload(4096);
        m.set_edns(e);
    }
    let a = |i: u8| {
        Record::from_rdata(
            question.name.clone(),
            60,
            RData::A(rdata::A(Ipv4Addr::new(192, 0, 2, i))),
        )
    };
    match behavior {
        Behavior::Silent => return None,
        Behavior::ServFail => m.metadata.response_code = ResponseCode::ServFail,
        Behavior::Answer => {
            m.add_answer(a(1));
        }
        Behavior::TruncateUdp if !tcp => m.metadata.truncation = true,
        Behavior::TruncateUdp => {
            for i in 1..=40 {
                m.add_answer(a(i));
            }
        }
    }
    m.to_vec().ok()
}

#[allow(dead_code)]
pub fn name(s: &str) -> Name {
    Name::from_str(s).unwrap()
}
