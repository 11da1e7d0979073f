//! Reading and answering datagrams in batches: one recvmmsg takes up to 32 queries and one
//! sendmmsg sends their answers, so the syscall cost per query (what dominates a DNS server
//! answering from memory) is split across the batch. The buffers belong to the worker thread,
//! not to a container: a thousand idle containers cost nothing here.

use std::cell::RefCell;
use std::io;
use std::mem;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::os::fd::RawFd;
use std::ptr;

use crate::rng::Rng;

/// Datagrams per recvmmsg.
pub(crate) const BATCH: usize = 32;
/// Largest query we read over UDP; a longer one is cut by the kernel and answered FORMERR.
pub(crate) const SLOT: usize = 4096;

pub(crate) struct Batch {
    bufs: Box<[u8]>,
    addrs: [libc::sockaddr_storage; BATCH],
    addr_lens: [libc::socklen_t; BATCH],
    lens: [usize; BATCH],
    cut: [bool; BATCH],
    count: usize,
    out: Vec<Vec<u8>>,
    reply: [bool; BATCH],
    rng: Rng,
}

thread_local! {
    static BATCH_BUFFERS: RefCell<Option<Box<Batch>>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's batch buffers. `f` must not await (it cannot: it is sync) and
/// must not re-enter.
pub(crate) fn with_batch<T>(f: impl FnOnce(&mut Batch) -> T) -> T {
    BATCH_BUFFERS.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => f(slot.get_or_insert_with(|| Box::new(Batch::new()))),
        // Re-entered somehow: use a temporary set rather than panic.
        Err(_) => f(&mut Batch::new()),
    })
}

impl Batch {
    fn new() -> Batch {
        Batch {
            bufs: vec![0u8; BATCH * SLOT].into_boxed_slice(),
            // SAFETY: sockaddr_storage is plain old data; all zeroes is a valid value.
            addrs: unsafe { mem::zeroed() },
            addr_lens: [0; BATCH],
            lens: [0; BATCH],
            cut: [false; BATCH],
            count: 0,
            out: (0..BATCH).map(|_| Vec::with_capacity(512)).collect(),
            reply: [false; BATCH],
            rng: Rng::from_entropy(),
        }
    }

    /// Reads up to [`BATCH`] datagrams without blocking; `WouldBlock` when none is queued.
    pub(crate) fn recv(&mut self, fd: RawFd) -> io::Result<usize> {
        self.count = 0;
        // SAFETY: iovec and mmsghdr are plain old data; all zeroes is valid (null pointers,
        // zero lengths), and every field the kernel reads is set below.
        let mut iovs: [libc::iovec; BATCH] = unsafe { mem::zeroed() };
        let mut hdrs: [libc::mmsghdr; BATCH] = unsafe { mem::zeroed() };
        let buf_base = self.bufs.as_mut_ptr();
        let addr_base = self.addrs.as_mut_ptr();
        for i in 0..BATCH {
            // SAFETY: i * SLOT + SLOT <= bufs.len() and i < addrs.len(): in bounds.
            iovs[i].iov_base = unsafe { buf_base.add(i * SLOT) }.cast();
            iovs[i].iov_len = SLOT;
            let hdr = &mut hdrs[i].msg_hdr;
            hdr.msg_name = unsafe { addr_base.add(i) }.cast();
            hdr.msg_namelen = mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            hdr.msg_iov = &mut iovs[i];
            hdr.msg_iovlen = 1;
        }
        // SAFETY: hdrs holds BATCH valid headers whose buffers (bufs, addrs, iovs) outlive the
        // call and are not otherwise borrowed during it.
        let n = unsafe {
            libc::recvmmsg(
                fd,
                hdrs.as_mut_ptr(),
                BATCH as libc::c_uint,
                libc::MSG_DONTWAIT,
                ptr::null_mut(),
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        let n = n as usize;
        for (i, hdr) in hdrs.iter().enumerate().take(n) {
            self.lens[i] = (hdr.msg_len as usize).min(SLOT);
            self.cut[i] = hdr.msg_hdr.msg_flags & libc::MSG_TRUNC != 0;
            self.addr_lens[i] = hdr.msg_hdr.msg_namelen;
            self.reply[i] = false;
        }
        self.count = n;
        Ok(n)
    }

    /// Datagram `i` of the last [`Batch::recv`], whether the kernel cut it, its answer buffer
    /// and the shuffling generator; mark the answer to be sent with [`Batch::set_reply`].
    pub(crate) fn slot(&mut self, i: usize) -> (&[u8], bool, &mut Vec<u8>, &mut Rng) {
        let start = i * SLOT;
        (
            &self.bufs[start..start + self.lens[i]],
            self.cut[i],
            &mut self.out[i],
            &mut self.rng,
        )
    }

    pub(crate) fn set_reply(&mut self, i: usize) {
        self.reply[i] = true;
    }

    /// The sender of datagram `i` (IPv4: our socket is 127.0.0.11).
    pub(crate) fn peer(&self, i: usize) -> Option<SocketAddr> {
        let storage = &self.addrs[i];
        if i32::from(storage.ss_family) != libc::AF_INET {
            return None;
        }
        // SAFETY: the family says the storage holds a sockaddr_in, which it is large enough for
        // and at least as aligned as.
        let sin =
            unsafe { &*(storage as *const libc::sockaddr_storage).cast::<libc::sockaddr_in>() };
        Some(SocketAddr::V4(SocketAddrV4::new(
            Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)),
            u16::from_be(sin.sin_port),
        )))
    }

    /// Sends every marked answer to its datagram's sender. A message the kernel refuses is
    /// dropped (UDP: the client asks again) rather than retried in a loop.
    pub(crate) fn send(&mut self, fd: RawFd) {
        // SAFETY: as in recv.
        let mut iovs: [libc::iovec; BATCH] = unsafe { mem::zeroed() };
        let mut hdrs: [libc::mmsghdr; BATCH] = unsafe { mem::zeroed() };
        let addr_base = self.addrs.as_mut_ptr();
        let mut k = 0;
        for i in 0..self.count {
            if !self.reply[i] {
                continue;
            }
            iovs[k].iov_base = self.out[i].as_mut_ptr().cast();
            iovs[k].iov_len = self.out[i].len();
            let hdr = &mut hdrs[k].msg_hdr;
            // SAFETY: i < BATCH.
            hdr.msg_name = unsafe { addr_base.add(i) }.cast();
            hdr.msg_namelen = self.addr_lens[i];
            hdr.msg_iov = &mut iovs[k];
            hdr.msg_iovlen = 1;
            k += 1;
        }
        let mut done = 0;
        while done < k {
            // SAFETY: hdrs[done..k] are valid headers whose buffers outlive the call.
            let n = unsafe {
                libc::sendmmsg(
                    fd,
                    hdrs.as_mut_ptr().add(done),
                    (k - done) as libc::c_uint,
                    libc::MSG_DONTWAIT,
                )
            };
            if n > 0 {
                done += n as usize;
            } else {
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    tracing::debug!(error = %e, "dropping a DNS answer");
                    done += 1;
                }
            }
        }
    }
}
