//! The local terminal: raw mode for `-t`, its size for the container's pty (initially and
//! on SIGWINCH), and the signals `--sig-proxy` forwards.

use std::os::fd::RawFd;

/// `[height, width]` of stdout when it is a terminal, else zeros (docker's `GetTtySize`).
pub fn stdout_size() -> (u16, u16) {
    size_of(libc::STDOUT_FILENO).unwrap_or((0, 0))
}

fn size_of(fd: RawFd) -> Option<(u16, u16)> {
    // SAFETY: TIOCGWINSZ writes a winsize into the struct we pass.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) };
    (r == 0).then_some((ws.ws_row, ws.ws_col))
}

pub fn is_terminal(fd: RawFd) -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(fd) == 1 }
}

/// Puts stdin in raw mode until dropped.
pub struct RawMode {
    saved: Option<libc::termios>,
}

impl RawMode {
    pub fn enable() -> RawMode {
        let fd = libc::STDIN_FILENO;
        if !is_terminal(fd) {
            return RawMode { saved: None };
        }
        // SAFETY: tcgetattr/tcsetattr on our own stdin with a properly sized struct.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(fd, &mut t) != 0 {
                return RawMode { saved: None };
            }
            let saved = t;
            // Output post-processing off too: the container's pty already turns \n into \r\n.
            libc::cfmakeraw(&mut t);
            libc::tcsetattr(fd, libc::TCSANOW, &t);
            RawMode { saved: Some(saved) }
        }
    }

    pub fn restore(&mut self) {
        if let Some(t) = self.saved.take() {
            // SAFETY: restores the attributes read in `enable`.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &t);
            }
        }
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        self.restore();
    }
}

/// The signals `--sig-proxy` forwards, with the names docker's `kill` accepts.
pub const PROXIED: &[(libc::c_int, &str)] = &[
    (libc::SIGHUP, "HUP"),
    (libc::SIGINT, "INT"),
    (libc::SIGQUIT, "QUIT"),
    (libc::SIGTERM, "TERM"),
    (libc::SIGUSR1, "USR1"),
    (libc::SIGUSR2, "USR2"),
];

/// Blocks `signals` in this thread (and so in the threads it starts later) and handles
/// them one by one on a dedicated thread. Call before starting other threads.
pub fn on_signals(signals: &[libc::c_int], mut handler: impl FnMut(libc::c_int) + Send + 'static) {
    if signals.is_empty() {
        return;
    }
    // SAFETY: sigset manipulation on a local set; pthread_sigmask on the calling thread.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in signals {
            libc::sigaddset(&mut set, *s);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    };
    std::thread::spawn(move || loop {
        let mut sig: libc::c_int = 0;
        // SAFETY: sigwait on the set blocked above.
        if unsafe { libc::sigwait(&set, &mut sig) } == 0 {
            handler(sig);
        }
    });
}
