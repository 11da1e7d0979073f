//! The per-container monitor (the role of conmon / containerd-shim): a small single-threaded
//! process, in its own session and a child subreaper, that outlives the daemon. It creates the
//! container through the libcontainer helper, owns the container's stdio (pipes, or the pty
//! master received over the console socket), writes the json-file log, serves attach, exec,
//! kill, resize, start and wait requests on `monitor.sock` (protocol: [`crate::protocol`]),
//! reaps the init, writes `exit.json` atomically, tells its clients, and exits.
//!
//! Run as `berth-monitor <runtime dir>` (or `berth __monitor <runtime dir>`). The first
//! process forks and exits at once, so the monitor is never the daemon's child; the monitor
//! prints one JSON `Reply` line (its status, or the error) on the inherited stdout once the
//! container is created, then detaches from it.

// Errors travel as the `Reply` sent to the client; they are rare, so their size is no concern.
#![allow(clippy::result_large_err)]

mod fds;
mod helper_call;
mod log;
mod server;

use std::fs::{File, OpenOptions};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};

use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};

use crate::protocol::{self, MonitorConfig, MonitorStatus, Reply};

/// Entry point of the monitor; returns the process exit code.
pub fn monitor_main(args: &[String]) -> i32 {
    let Some(dir) = args.first() else {
        eprintln!("usage: berth-monitor <runtime dir>");
        return 2;
    };
    // SAFETY: the monitor is single-threaded here (it has just been exec'ed).
    match unsafe { nix::unistd::fork() } {
        Ok(nix::unistd::ForkResult::Parent { .. }) => return 0,
        Ok(nix::unistd::ForkResult::Child) => {}
        Err(e) => {
            report(&Reply::error("oci", format!("monitor: fork: {e}")));
            return 1;
        }
    }
    let _ = nix::unistd::setsid();
    if let Err(e) = nix::sys::prctl::set_child_subreaper(true) {
        report_failure(Reply::error(
            "oci",
            format!("monitor: cannot become a subreaper: {e}"),
        ));
        return 1;
    }
    let mut monitor = match Monitor::setup(Path::new(dir)) {
        Ok(m) => m,
        Err(reply) => {
            report_failure(reply);
            reap_orphans();
            return 1;
        }
    };
    report(&Reply {
        status: Some(monitor.status()),
        ..Reply::default()
    });
    detach_stdout();
    monitor.run();
    0
}

/// A failure after the fork, with this process's PID: the daemon reaps it (see
/// `MonitorReaper`).
fn report_failure(mut reply: Reply) {
    reply.status = Some(MonitorStatus {
        monitor_pid: std::process::id() as i32,
        init_pid: 0,
        state: "failed".into(),
        started_at: None,
    });
    report(&reply);
}

/// After a failed create, libcontainer's processes (its intermediate and init) may have been
/// re-parented to this subreaper; reap them before leaving, or they would pass on to the daemon
/// as zombies. Bounded: a child still running after a second is left to the daemon.
fn reap_orphans() {
    use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) => {
                if std::time::Instant::now() > deadline {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Ok(_) => {}
            Err(_) => return, // ECHILD: none left
        }
    }
}

fn report(reply: &Reply) {
    let line = serde_json::to_string(reply).unwrap_or_else(|_| "{}".into());
    println!("{line}");
}

/// Points stdout at /dev/null so the daemon's pipe sees EOF and nothing else is written to it.
fn detach_stdout() {
    if let Ok(null) = File::options().write(true).open("/dev/null") {
        let _ = nix::unistd::dup2(null.as_raw_fd(), 1);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Created,
    Running,
}

/// A process whose stdio the monitor relays: the container's init or an exec.
pub(crate) struct Stdio {
    /// stdout pipe, or the pty master.
    out: Option<OwnedFd>,
    err: Option<OwnedFd>,
    /// stdin pipe's write end, or a duplicate of the pty master.
    input: Option<OwnedFd>,
    tty: bool,
}

pub(crate) struct Monitor {
    cfg: MonitorConfig,
    dir: PathBuf,
    init_pid: i32,
    phase: Phase,
    started_at: Option<String>,
    init: Stdio,
    log: log::JsonLog,
    listener: UnixListener,
    sigfd: SignalFd,
    clients: Vec<server::Client>,
    execs: Vec<server::ExecProc>,
    next_id: u64,
}

fn fail(context: &str, e: impl std::fmt::Display) -> Reply {
    Reply::error("oci", format!("monitor: {context}: {e}"))
}

impl Monitor {
    fn setup(dir: &Path) -> Result<Monitor, Reply> {
        let cfg_path = dir.join(protocol::MONITOR_CONFIG);
        let text =
            std::fs::read_to_string(&cfg_path).map_err(|e| fail("reading monitor.json", e))?;
        let cfg: MonitorConfig =
            serde_json::from_str(&text).map_err(|e| fail("parsing monitor.json", e))?;

        let mut mask = SigSet::empty();
        mask.add(Signal::SIGCHLD);
        nix::sys::signal::sigprocmask(SigmaskHow::SIG_BLOCK, Some(&mask), None)
            .map_err(|e| fail("blocking SIGCHLD", e))?;
        let sigfd = SignalFd::with_flags(&mask, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)
            .map_err(|e| fail("signalfd", e))?;
        // SAFETY: ignoring SIGPIPE: a client that hangs up must not kill the monitor.
        unsafe {
            let _ = nix::sys::signal::signal(Signal::SIGPIPE, nix::sys::signal::SigHandler::SigIgn);
        }

        let log_path = Path::new(&cfg.log_path);
        if let Some(parent) = log_path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let log_file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(log_path)
            .map_err(|e| fail(&format!("opening the log {}", log_path.display()), e))?;

        let (init_pid, init) = create_container(&cfg, dir)?;
        let sock = dir.join(protocol::MONITOR_SOCKET);
        let _ = std::fs::remove_file(&sock);
        let listener = match UnixListener::bind(&sock) {
            Ok(l) => l,
            Err(e) => {
                abandon(&cfg, init_pid);
                return Err(fail("binding monitor.sock", e));
            }
        };
        let _ = listener.set_nonblocking(true);
        Ok(Monitor {
            cfg,
            dir: dir.to_path_buf(),
            init_pid,
            phase: Phase::Created,
            started_at: None,
            init,
            log: log::JsonLog::new(Some(log_file)),
            listener,
            sigfd,
            clients: Vec::new(),
            execs: Vec::new(),
            next_id: 0,
        })
    }

    fn status(&self) -> MonitorStatus {
        MonitorStatus {
            monitor_pid: std::process::id() as i32,
            init_pid: self.init_pid,
            state: match self.phase {
                Phase::Created => "created".into(),
                Phase::Running => "running".into(),
            },
            started_at: self.started_at.clone(),
        }
    }
}

/// Kills a half-set-up container and removes its libcontainer state.
fn abandon(cfg: &MonitorConfig, init_pid: i32) {
    if init_pid > 0 {
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(init_pid), Signal::SIGKILL);
        let _ = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(init_pid), None);
    }
    let _ = helper_call::call(cfg, &["delete"], None);
}

/// Creates the container (process blocked before exec) with its stdio wired to the monitor.
fn create_container(cfg: &MonitorConfig, dir: &Path) -> Result<(i32, Stdio), Reply> {
    let bundle = dir.to_string_lossy().into_owned();
    let (reply, stdio) = if cfg.tty {
        let console = dir.join(protocol::CONSOLE_SOCKET);
        let console_arg = console.to_string_lossy().into_owned();
        let args = [
            "create",
            "--bundle",
            &bundle,
            "--console-socket",
            &console_arg,
        ];
        run_with_console(cfg, &console, &args).map_err(|e| helper_failure(cfg, e))?
    } else {
        let (stdin_r, stdin_w) = if cfg.open_stdin {
            let (r, w) = fds::pipe().map_err(|e| fail("pipe", e))?;
            (r, Some(w))
        } else {
            let null = File::open("/dev/null").map_err(|e| fail("opening /dev/null", e))?;
            (OwnedFd::from(null), None)
        };
        let (out_r, out_w) = fds::pipe().map_err(|e| fail("pipe", e))?;
        let (err_r, err_w) = fds::pipe().map_err(|e| fail("pipe", e))?;
        let fds3 = [stdin_r.as_raw_fd(), out_w.as_raw_fd(), err_w.as_raw_fd()];
        let reply = helper_call::call(cfg, &["create", "--bundle", &bundle], Some(fds3))
            .map_err(|e| helper_failure(cfg, e))?;
        // The container holds its own copies now; ours would keep the pipes from closing.
        drop((stdin_r, out_w, err_w));
        for fd in [Some(&out_r), Some(&err_r), stdin_w.as_ref()]
            .into_iter()
            .flatten()
        {
            let _ = fds::set_nonblocking(fd.as_raw_fd());
        }
        let stdio = Stdio {
            out: Some(out_r),
            err: Some(err_r),
            input: stdin_w,
            tty: false,
        };
        (reply, stdio)
    };
    match reply.pid {
        Some(pid) => Ok((pid, stdio)),
        None => {
            abandon(cfg, 0);
            Err(Reply::error("oci", "the runtime helper returned no pid"))
        }
    }
}

/// Runs the helper with a console socket at `console` and receives the pty master the new
/// process sends over it.
pub(crate) fn run_with_console(
    cfg: &MonitorConfig,
    console: &Path,
    args: &[&str],
) -> Result<(Reply, Stdio), Reply> {
    let _ = std::fs::remove_file(console);
    let listener =
        UnixListener::bind(console).map_err(|e| fail("binding the console socket", e))?;
    let reply = helper_call::call(cfg, args, None);
    let _ = std::fs::remove_file(console);
    let reply = reply?;
    match receive_master(&listener) {
        Ok(stdio) => Ok((reply, stdio)),
        Err(e) => {
            if let Some(pid) = reply.pid {
                let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), Signal::SIGKILL);
            }
            Err(e)
        }
    }
}

/// The helper has returned, so the process has already sent the master: it waits in the
/// listener's backlog.
fn receive_master(listener: &UnixListener) -> Result<Stdio, Reply> {
    let _ = listener.set_nonblocking(true);
    let (conn, _) = listener
        .accept()
        .map_err(|e| fail("accepting the console connection", e))?;
    let master = fds::recv_fd(conn.as_raw_fd()).map_err(|e| fail("receiving the pty master", e))?;
    let _ = fds::set_nonblocking(master.as_raw_fd());
    let input = master
        .try_clone()
        .map_err(|e| fail("dup of the pty master", e))?;
    Ok(Stdio {
        out: Some(master),
        err: None,
        input: Some(input),
        tty: true,
    })
}

/// A failed `create`: leave no libcontainer state behind.
fn helper_failure(cfg: &MonitorConfig, reply: Reply) -> Reply {
    let _ = helper_call::call(cfg, &["delete"], None);
    reply
}
