//! A CLI driven through a real pseudo-terminal, as a person at a terminal drives it: the CLI
//! is a session leader with the pty as its controlling terminal (so it sees a TTY on stdin and
//! stdout, and the kernel sends it SIGWINCH when the window changes), the test types into the
//! master and reads what the CLI prints from it.

use super::{berth_bin, Daemon};
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct PtyCli {
    /// The pty master, or the write end of a stdin pipe (see [`PtyCli::spawn_piped`]).
    master: std::fs::File,
    child: Child,
    output: Arc<Mutex<Vec<u8>>>,
}

/// Appends everything `r` yields to `sink` until EOF or an error.
fn collect(mut r: impl Read + Send + 'static, sink: Arc<Mutex<Vec<u8>>>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        // A pty master reads EIO once every slave fd is closed: the CLI has exited.
        while let Ok(n) = r.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
}

/// `berth ARGS` or `docker ARGS` (by `tool`) against the daemon, not yet started.
pub fn cli_command(d: &Daemon, tool: &str, args: &[&str]) -> Command {
    let mut cmd = if tool == "berth" {
        let mut c = Command::new(berth_bin());
        c.env_remove("DOCKER_HOST")
            .env("BERTH_HOST", d.docker_host());
        c
    } else {
        let mut c = Command::new("docker");
        c.env("DOCKER_HOST", d.docker_host()).env(
            "DOCKER_CONFIG",
            d.data_root().with_file_name("docker-config"),
        );
        c
    };
    cmd.args(args).env("TERM", "xterm");
    cmd
}

fn set_size(fd: i32, rows: u16, cols: u16) {
    let ws = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads the winsize we pass, on a pty fd we own.
    let r = unsafe { libc::ioctl(fd, libc::TIOCSWINSZ, &ws) };
    assert_eq!(r, 0, "TIOCSWINSZ: {}", std::io::Error::last_os_error());
}

impl PtyCli {
    /// Runs `cmd` on a new pty of `rows` x `cols`.
    pub fn spawn(mut cmd: Command, rows: u16, cols: u16) -> PtyCli {
        let (mut m, mut s) = (0, 0);
        // SAFETY: openpty writes two fds into the ints we pass; no name, termios or size.
        let r = unsafe {
            libc::openpty(
                &mut m,
                &mut s,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        assert_eq!(r, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: both fds were just returned by openpty and are owned by nobody else.
        let (master, slave) = unsafe { (OwnedFd::from_raw_fd(m), OwnedFd::from_raw_fd(s)) };
        set_size(master.as_raw_fd(), rows, cols);
        let io = |fd: &OwnedFd| Stdio::from(fd.try_clone().expect("dup pty slave"));
        cmd.stdin(io(&slave)).stdout(io(&slave)).stderr(io(&slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn the CLI on a pty");
        // Our copies of the slave (also those the Command holds) must go, or the master
        // never reads EOF.
        drop(cmd);
        drop(slave);
        let master = std::fs::File::from(master);
        let output = Arc::new(Mutex::new(Vec::new()));
        collect(master.try_clone().expect("dup pty master"), output.clone());
        PtyCli {
            master,
            child,
            output,
        }
    }

    /// Runs `cmd` without a terminal: stdin a pipe the test writes to, stdout and stderr
    /// (interleaved) a pipe it reads.
    pub fn spawn_piped(mut cmd: Command) -> PtyCli {
        let (out_r, out_w) = std::io::pipe().expect("pipe");
        cmd.stdin(Stdio::piped())
            .stdout(out_w.try_clone().expect("dup pipe"))
            .stderr(out_w);
        let mut child = cmd.spawn().expect("spawn the CLI");
        drop(cmd);
        let stdin = child.stdin.take().expect("stdin pipe");
        let master = std::fs::File::from(OwnedFd::from(stdin));
        let output = Arc::new(Mutex::new(Vec::new()));
        collect(out_r, output.clone());
        PtyCli {
            master,
            child,
            output,
        }
    }

    /// Closes the CLI's stdin (EOF on a pipe).
    pub fn close_input(&mut self) {
        if let Ok(null) = std::fs::File::open("/dev/null") {
            self.master = null;
        }
    }

    /// Types `bytes` (as the keyboard would: `\r` for Enter).
    pub fn send(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).expect("write to the pty");
    }

    /// Types a command line and Enter.
    pub fn line(&mut self, text: &str) {
        self.send(format!("{text}\r").as_bytes());
    }

    /// Everything the CLI has printed so far.
    pub fn output(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    /// True once the output contains `text` (false after `secs` seconds).
    pub fn wait_for(&self, text: &str, secs: u64) -> bool {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if self.output().contains(text) {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Changes the window size: the kernel sends SIGWINCH to the CLI.
    pub fn resize(&self, rows: u16, cols: u16) {
        set_size(self.master.as_raw_fd(), rows, cols);
    }

    /// The CLI's exit status once it has exited, or `None` after `secs` seconds.
    pub fn wait_exit(&mut self, secs: u64) -> Option<ExitStatus> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                return Some(st);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The exit code, failing the test (with the screen) if the CLI does not exit in time.
    #[track_caller]
    pub fn exit_code(&mut self, secs: u64) -> i32 {
        match self.wait_exit(secs) {
            Some(st) => st.code().unwrap_or(-1),
            None => panic!("the CLI did not exit; screen:\n{}", self.output()),
        }
    }
}

impl Drop for PtyCli {
    fn drop(&mut self) {
        // The CLI this test spawned, by its PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
