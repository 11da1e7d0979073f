//! Small fd helpers for the monitor's poll loop (raw libc where nix's lifetimes get in the way).

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

pub fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(io::Error::from)
}

pub fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // SAFETY: fcntl on an fd we own; no memory is passed.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

pub enum ReadResult {
    Data(usize),
    WouldBlock,
    /// EOF, or EIO from a pty master whose slave side is gone.
    Closed,
}

pub fn read_fd(fd: RawFd, buf: &mut [u8]) -> ReadResult {
    loop {
        // SAFETY: buf is valid for buf.len() bytes.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n > 0 {
            return ReadResult::Data(n as usize);
        }
        if n == 0 {
            return ReadResult::Closed;
        }
        match io::Error::last_os_error().raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EAGAIN) => return ReadResult::WouldBlock,
            _ => return ReadResult::Closed,
        }
    }
}

/// Writes everything to a non-blocking fd (a process's stdin pipe or pty), waiting up to
/// five seconds for room each time it is full: a process that never reads its stdin must not
/// stall the monitor for ever.
pub fn write_all_fd(fd: RawFd, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        // SAFETY: data is valid for data.len() bytes.
        let n = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
        if n < 0 {
            let e = io::Error::last_os_error();
            match e.raw_os_error() {
                Some(libc::EINTR) => continue,
                Some(libc::EAGAIN) => {
                    let mut p = libc::pollfd {
                        fd,
                        events: libc::POLLOUT,
                        revents: 0,
                    };
                    // SAFETY: one valid pollfd.
                    if unsafe { libc::poll(&mut p, 1, 5000) } <= 0 {
                        return Err(io::Error::from_raw_os_error(libc::ETIMEDOUT));
                    }
                    continue;
                }
                _ => return Err(e),
            }
        }
        data = &data[n as usize..];
    }
    Ok(())
}

pub fn set_winsize(fd: RawFd, height: u16, width: u16) -> io::Result<()> {
    let ws = libc::winsize {
        ws_row: height,
        ws_col: width,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads a winsize struct we own.
    if unsafe { libc::ioctl(fd, libc::TIOCSWINSZ, &ws) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Receives one fd sent with SCM_RIGHTS (the pty master, sent by the container's init over
/// the console socket, as `runc --console-socket` does).
pub fn recv_fd(sock: RawFd) -> io::Result<OwnedFd> {
    let mut data = [0u8; 4096];
    let mut iov = libc::iovec {
        iov_base: data.as_mut_ptr().cast(),
        iov_len: data.len(),
    };
    let mut cmsg = [0u64; 8];
    // SAFETY: msghdr points at buffers that live until recvmsg returns.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cmsg.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&cmsg) as _;
    // SAFETY: as above.
    let n = unsafe { libc::recvmsg(sock, &mut msg, libc::MSG_CMSG_CLOEXEC) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: walking the control messages the kernel filled in.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(&msg);
        while !c.is_null() {
            if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_RIGHTS {
                let fd = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast::<RawFd>());
                return Ok(OwnedFd::from_raw_fd(fd));
            }
            c = libc::CMSG_NXTHDR(&msg, c);
        }
    }
    Err(io::Error::other(
        "no file descriptor received on the console socket",
    ))
}

/// Makes `fds[i]` the child's fd `3 + i` (called between fork and exec: only dup/dup2).
/// Duplicates go above 10 first, so a source that already is 3..5 is not clobbered.
pub fn place_fds(fds: &[RawFd]) -> io::Result<()> {
    let mut high = Vec::with_capacity(fds.len());
    for &fd in fds {
        // SAFETY: F_DUPFD on a valid fd.
        let h = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 10) };
        if h < 0 {
            return Err(io::Error::last_os_error());
        }
        high.push(h);
    }
    for (i, h) in high.into_iter().enumerate() {
        // SAFETY: dup2 clears FD_CLOEXEC on the target, which the exec'd helper inherits.
        if unsafe { libc::dup2(h, 3 + i as RawFd) } < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

pub fn raw(fd: &Option<OwnedFd>) -> RawFd {
    fd.as_ref().map_or(-1, |f| f.as_raw_fd())
}
