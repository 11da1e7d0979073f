//! A synchronous rtnetlink socket: one request at a time, read until its ACK or end of dump.
//!
//! The socket belongs to the network namespace of the thread that opened it, for its whole life.

use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR,
    NLM_F_ECHO, NLM_F_REQUEST,
};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};

use crate::NetsysError;

/// Large enough for any datagram the kernel sends on a dump (it caps them at 32 KiB).
const RECV_BUFFER_LEN: usize = 64 * 1024;
/// A dump the kernel marks as interrupted (links changed meanwhile) is retried this many times.
const DUMP_ATTEMPTS: usize = 5;

/// A reply the kernel never sends must not hang the daemon forever.
const RECV_TIMEOUT_SECONDS: i64 = 30;

/// NLMSGERR_ATTR_MSG: the extended-ack TLV holding the kernel's error text.
const NLMSGERR_ATTR_MSG: u16 = 1;
const NLM_F_CAPPED: u16 = 0x100;
const NLM_F_ACK_TLVS: u16 = 0x200;

/// One change request of a [`NlSocket::batch`].
pub(crate) struct Request {
    /// Names the request in an error, e.g. "add address 172.18.0.2/16 to eth0".
    pub(crate) op: String,
    pub(crate) message: RouteNetlinkMessage,
    /// NLM_F_CREATE, NLM_F_REPLACE, ...; NLM_F_REQUEST and NLM_F_ACK are added.
    pub(crate) flags: u16,
}

pub(crate) struct NlSocket {
    socket: Socket,
    sequence: u32,
    buffer: Vec<u8>,
}

/// How a reply sequence ended, before it is turned into a result.
enum Outcome {
    Complete(Vec<RouteNetlinkMessage>),
    Interrupted,
}

impl NlSocket {
    /// Opens a NETLINK_ROUTE socket in the calling thread's network namespace.
    pub(crate) fn open() -> Result<Self, NetsysError> {
        let mut socket =
            Socket::new(NETLINK_ROUTE).map_err(|e| NetsysError::io("open netlink socket", e))?;
        socket
            .bind_auto()
            .map_err(|e| NetsysError::io("bind netlink socket", e))?;
        socket
            .connect(&SocketAddr::new(0, 0))
            .map_err(|e| NetsysError::io("connect netlink socket", e))?;
        let timeout = nix::sys::time::TimeVal::new(RECV_TIMEOUT_SECONDS, 0);
        nix::sys::socket::setsockopt(&socket, nix::sys::socket::sockopt::ReceiveTimeout, &timeout)
            .map_err(|e| {
                NetsysError::io(
                    "set netlink receive timeout",
                    std::io::Error::from_raw_os_error(e as i32),
                )
            })?;
        // Best effort: the kernel's error text is a diagnostic, not a requirement.
        let _ = socket.set_ext_ack(true);
        let _ = socket.set_cap_ack(true);
        // Lets dumps be filtered by the kernel (routes: main table only) instead of in Rust.
        let _ = socket.set_netlink_get_strict_chk(true);
        Ok(NlSocket {
            socket,
            sequence: 0,
            buffer: vec![0; RECV_BUFFER_LEN],
        })
    }

    /// Sends a request that changes something and waits for the kernel's ACK.
    pub(crate) fn request(
        &mut self,
        op: &str,
        message: RouteNetlinkMessage,
        flags: u16,
    ) -> Result<(), NetsysError> {
        match self.exchange(op, message, flags | NLM_F_ACK)? {
            Outcome::Complete(_) => Ok(()),
            Outcome::Interrupted => Err(protocol(op, "interrupted reply to a plain request")),
        }
    }

    /// Like [`NlSocket::request`], with NLM_F_ECHO: returns the kernel's echo of what it made
    /// (for a new link: its ifindex and, for a veth, the peer's ifindex in IFLA_LINK).
    pub(crate) fn request_echo(
        &mut self,
        op: &str,
        message: RouteNetlinkMessage,
        flags: u16,
    ) -> Result<Vec<RouteNetlinkMessage>, NetsysError> {
        match self.exchange(op, message, flags | NLM_F_ACK | NLM_F_ECHO)? {
            Outcome::Complete(replies) => Ok(replies),
            Outcome::Interrupted => Err(protocol(op, "interrupted reply to a plain request")),
        }
    }

    /// Sends several change requests in one datagram, then reads every ACK: one system call
    /// each way instead of one round trip per request. The kernel handles the requests in
    /// order and goes on past a failed one, so all replies are read (the socket stays clean)
    /// and the first failure is returned.
    pub(crate) fn batch(&mut self, requests: Vec<Request>) -> Result<(), NetsysError> {
        if requests.is_empty() {
            return Ok(());
        }
        let first = self.sequence.wrapping_add(1);
        let mut bytes = Vec::new();
        let mut ops = Vec::with_capacity(requests.len());
        for request in requests {
            self.sequence = self.sequence.wrapping_add(1);
            let mut header = NetlinkHeader::default();
            header.flags = NLM_F_REQUEST | NLM_F_ACK | request.flags;
            header.sequence_number = self.sequence;
            let mut packet =
                NetlinkMessage::new(header, NetlinkPayload::InnerMessage(request.message));
            packet.finalize();
            let start = bytes.len();
            // Each message starts on a 4-byte boundary (NLMSG_ALIGN).
            bytes.resize(start + ((packet.buffer_len() + 3) & !3), 0);
            packet.serialize(&mut bytes[start..start + packet.buffer_len()]);
            ops.push(request.op);
        }
        let op = ops.first().map(String::as_str).unwrap_or("batch");
        self.socket
            .send(&bytes, 0)
            .map_err(|e| NetsysError::io(format!("netlink {op}: send"), e))?;

        let mut pending = ops.len();
        let mut failure: Option<NetsysError> = None;
        while pending > 0 {
            let size = self.receive_datagram(op)?;
            for packet in decode(&self.buffer[..size], op)? {
                let at = packet.header.sequence_number.wrapping_sub(first) as usize;
                if at >= ops.len() {
                    continue;
                }
                let header_flags = packet.header.flags;
                if let NetlinkPayload::Error(error) = packet.payload {
                    pending -= 1;
                    if let (Some(code), None) = (error.code, &failure) {
                        failure = Some(NetsysError::Netlink {
                            op: ops[at].clone(),
                            errno: code.get().saturating_abs(),
                            message: extended_ack_message(header_flags, &error.header),
                        });
                    }
                }
            }
        }
        failure.map_or(Ok(()), Err)
    }

    /// Sends a GET for one object and returns the kernel's answer.
    pub(crate) fn get(
        &mut self,
        op: &str,
        message: RouteNetlinkMessage,
    ) -> Result<Vec<RouteNetlinkMessage>, NetsysError> {
        match self.exchange(op, message, NLM_F_ACK)? {
            Outcome::Complete(replies) => Ok(replies),
            Outcome::Interrupted => Err(protocol(op, "interrupted reply to a plain request")),
        }
    }

    /// Sends a dump request and returns every object, retrying when the dump was interrupted.
    pub(crate) fn dump(
        &mut self,
        op: &str,
        message: RouteNetlinkMessage,
    ) -> Result<Vec<RouteNetlinkMessage>, NetsysError> {
        for _ in 0..DUMP_ATTEMPTS {
            if let Outcome::Complete(replies) = self.exchange(op, message.clone(), NLM_F_DUMP)? {
                return Ok(replies);
            }
        }
        Err(protocol(
            op,
            "dump kept being interrupted by concurrent changes",
        ))
    }

    fn exchange(
        &mut self,
        op: &str,
        message: RouteNetlinkMessage,
        flags: u16,
    ) -> Result<Outcome, NetsysError> {
        self.sequence = self.sequence.wrapping_add(1);
        self.send(op, message, flags)?;
        self.receive(op)
    }

    fn send(
        &mut self,
        op: &str,
        message: RouteNetlinkMessage,
        flags: u16,
    ) -> Result<(), NetsysError> {
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | flags;
        header.sequence_number = self.sequence;
        let mut packet = NetlinkMessage::new(header, NetlinkPayload::InnerMessage(message));
        packet.finalize();
        let mut bytes = vec![0; packet.buffer_len()];
        packet.serialize(&mut bytes);
        self.socket
            .send(&bytes, 0)
            .map_err(|e| NetsysError::io(format!("netlink {op}: send"), e))?;
        Ok(())
    }

    /// One datagram into the buffer; its size.
    fn receive_datagram(&mut self, op: &str) -> Result<usize, NetsysError> {
        let size = self
            .socket
            .recv(&mut &mut self.buffer[..], libc::MSG_TRUNC)
            .map_err(|e| NetsysError::io(format!("netlink {op}: receive"), e))?;
        if size > self.buffer.len() {
            return Err(protocol(op, format!("datagram of {size} bytes truncated")));
        }
        Ok(size)
    }

    /// Reads datagrams until the reply to the current sequence number is complete. Messages with
    /// another sequence number are leftovers of an earlier request that failed half-way: skipped.
    fn receive(&mut self, op: &str) -> Result<Outcome, NetsysError> {
        let mut replies = Vec::new();
        let mut interrupted = false;
        loop {
            let size = self.receive_datagram(op)?;
            for packet in decode(&self.buffer[..size], op)? {
                if packet.header.sequence_number != self.sequence {
                    continue;
                }
                if packet.header.flags & NLM_F_DUMP_INTR != 0 {
                    interrupted = true;
                }
                let header_flags = packet.header.flags;
                match packet.payload {
                    NetlinkPayload::InnerMessage(inner) => {
                        replies.push(inner);
                    }
                    NetlinkPayload::Error(error) => match error.code {
                        None => return Ok(finish(replies, interrupted)),
                        Some(code) => {
                            return Err(NetsysError::Netlink {
                                op: op.to_string(),
                                errno: code.get().saturating_abs(),
                                message: extended_ack_message(header_flags, &error.header),
                            })
                        }
                    },
                    NetlinkPayload::Done(done) => {
                        if done.code != 0 {
                            return Err(NetsysError::Netlink {
                                op: op.to_string(),
                                errno: done.code.saturating_abs(),
                                message: None,
                            });
                        }
                        return Ok(finish(replies, interrupted));
                    }
                    NetlinkPayload::Overrun(_) => return Err(protocol(op, "overrun")),
                    _ => {}
                }
            }
        }
    }
}

/// Every netlink message of one datagram.
fn decode(
    datagram: &[u8],
    op: &str,
) -> Result<Vec<NetlinkMessage<RouteNetlinkMessage>>, NetsysError> {
    let mut packets = Vec::new();
    let mut offset = 0;
    while offset < datagram.len() {
        let packet = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&datagram[offset..])
            .map_err(|e| protocol(op, format!("cannot decode: {e}")))?;
        let length = packet.header.length as usize;
        if length == 0 {
            break;
        }
        offset += (length + 3) & !3;
        packets.push(packet);
    }
    Ok(packets)
}

fn finish(replies: Vec<RouteNetlinkMessage>, interrupted: bool) -> Outcome {
    if interrupted {
        Outcome::Interrupted
    } else {
        Outcome::Complete(replies)
    }
}

fn protocol(op: &str, detail: impl Into<String>) -> NetsysError {
    NetsysError::Protocol {
        op: op.to_string(),
        detail: detail.into(),
    }
}

/// Extracts the kernel's error text from an NLMSG_ERROR payload: the original request (just
/// its 16-byte header when NLM_F_CAPPED) followed by extended-ack attributes.
fn extended_ack_message(flags: u16, payload: &[u8]) -> Option<String> {
    if flags & NLM_F_ACK_TLVS == 0 {
        return None;
    }
    let request_len = if flags & NLM_F_CAPPED != 0 {
        16
    } else {
        let raw: [u8; 4] = payload.get(0..4)?.try_into().ok()?;
        u32::from_ne_bytes(raw) as usize
    };
    let mut rest = payload.get((request_len + 3) & !3..)?;
    while rest.len() >= 4 {
        let len = u16::from_ne_bytes([rest[0], rest[1]]) as usize;
        let kind = u16::from_ne_bytes([rest[2], rest[3]]) & 0x3fff;
        if len < 4 || len > rest.len() {
            return None;
        }
        if kind == NLMSGERR_ATTR_MSG {
            let text = &rest[4..len];
            let text = text.split(|b| *b == 0).next().unwrap_or(text);
            return Some(String::from_utf8_lossy(text).into_owned());
        }
        rest = rest.get((len + 3) & !3..).unwrap_or(&[]);
    }
    None
}
