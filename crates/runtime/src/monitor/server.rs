//! The monitor's event loop: one `poll` over the SIGCHLD signalfd, the listening socket, the
//! container's output, each exec's output, and every client connection.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

use super::fds::{self, ReadResult};
use super::{helper_call, Monitor, Phase, Stdio};
use crate::protocol::{self, ExitStatus, Reply, Request};

/// A client that reads slower than this much buffered output is dropped.
const MAX_CLIENT_BACKLOG: usize = 8 << 20;

pub(crate) enum Role {
    /// Connected; its request line has not arrived yet.
    Request,
    Attach {
        stdin: bool,
        stdout: bool,
        stderr: bool,
    },
    Waiter,
    Exec {
        pid: i32,
    },
    /// Answered; closed once its output is flushed.
    Done,
}

pub(crate) struct Client {
    id: u64,
    stream: UnixStream,
    inbuf: Vec<u8>,
    outbuf: Vec<u8>,
    role: Role,
    dead: bool,
}

pub(crate) struct ExecProc {
    pid: i32,
    client: u64,
    stdio: Stdio,
    /// The exec's process.json, removed when the exec ends.
    process_file: String,
}

enum Source {
    Signal,
    Listener,
    InitOut,
    InitErr,
    ExecOut(i32),
    ExecErr(i32),
    Client(u64),
}

impl Client {
    fn send_line(&mut self, reply: &Reply) {
        if let Ok(mut line) = serde_json::to_vec(reply) {
            line.push(b'\n');
            self.outbuf.extend_from_slice(&line);
        }
    }

    fn send_frame(&mut self, kind: u8, payload: &[u8]) {
        if self.outbuf.len() > MAX_CLIENT_BACKLOG {
            self.dead = true;
            return;
        }
        self.outbuf
            .extend_from_slice(&protocol::encode_frame(kind, payload));
    }

    fn flush(&mut self) {
        while !self.outbuf.is_empty() {
            match self.stream.write(&self.outbuf) {
                Ok(0) => {
                    self.dead = true;
                    return;
                }
                Ok(n) => {
                    self.outbuf.drain(..n);
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => {
                    self.dead = true;
                    return;
                }
            }
        }
        if matches!(self.role, Role::Done) {
            self.dead = true;
        }
    }
}

fn exit_code(status: WaitStatus) -> Option<(i32, i32)> {
    match status {
        WaitStatus::Exited(pid, code) => Some((pid.as_raw(), code)),
        WaitStatus::Signaled(pid, sig, _) => Some((pid.as_raw(), 128 + sig as i32)),
        _ => None,
    }
}

fn now() -> String {
    protocol::rfc3339_nano(std::time::SystemTime::now())
}

impl Monitor {
    pub(crate) fn run(&mut self) {
        let exit = loop {
            if let Some(exit) = self.poll_once() {
                break exit;
            }
        };
        self.finish(exit);
    }

    /// One round of the loop; returns the init's exit once it has been reaped.
    fn poll_once(&mut self) -> Option<ExitStatus> {
        let mut pollfds = Vec::new();
        let mut sources = Vec::new();
        let mut add = |fd: RawFd, events: i16, src: Source| {
            if fd >= 0 {
                pollfds.push(libc::pollfd {
                    fd,
                    events,
                    revents: 0,
                });
                sources.push(src);
            }
        };
        add(self.sigfd.as_raw_fd(), libc::POLLIN, Source::Signal);
        add(self.listener.as_raw_fd(), libc::POLLIN, Source::Listener);
        add(fds::raw(&self.init.out), libc::POLLIN, Source::InitOut);
        add(fds::raw(&self.init.err), libc::POLLIN, Source::InitErr);
        for e in &self.execs {
            add(fds::raw(&e.stdio.out), libc::POLLIN, Source::ExecOut(e.pid));
            add(fds::raw(&e.stdio.err), libc::POLLIN, Source::ExecErr(e.pid));
        }
        for c in &self.clients {
            let events = if c.outbuf.is_empty() {
                libc::POLLIN
            } else {
                libc::POLLIN | libc::POLLOUT
            };
            add(c.stream.as_raw_fd(), events, Source::Client(c.id));
        }
        // SAFETY: pollfds is a valid array of pollfd for its length.
        let n = unsafe { libc::poll(pollfds.as_mut_ptr(), pollfds.len() as libc::nfds_t, -1) };
        if n < 0 {
            return None; // EINTR
        }
        let mut init_exit = None;
        for (pfd, src) in pollfds.iter().zip(sources) {
            if pfd.revents == 0 {
                continue;
            }
            match src {
                Source::Signal => init_exit = self.reap().or(init_exit),
                Source::Listener => self.accept(),
                Source::InitOut => self.pump_init(false),
                Source::InitErr => self.pump_init(true),
                Source::ExecOut(pid) => self.pump_exec(pid, false),
                Source::ExecErr(pid) => self.pump_exec(pid, true),
                Source::Client(id) => self.serve_client(id, pfd.revents),
            }
        }
        self.clients.retain(|c| !c.dead);
        init_exit
    }

    /// Reaps every exited child; returns the init's exit if it was among them.
    fn reap(&mut self) -> Option<ExitStatus> {
        while self.sigfd.read_signal().ok().flatten().is_some() {}
        let mut init_exit = None;
        loop {
            match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) | Err(_) => break,
                Ok(status) => {
                    let Some((pid, code)) = exit_code(status) else {
                        continue;
                    };
                    if pid == self.init_pid {
                        init_exit = Some(ExitStatus {
                            exit_code: code,
                            finished_at: now(),
                        });
                    } else {
                        self.exec_exited(pid, code);
                    }
                }
            }
        }
        init_exit
    }

    fn accept(&mut self) {
        while let Ok((stream, _)) = self.listener.accept() {
            let _ = stream.set_nonblocking(true);
            self.next_id += 1;
            self.clients.push(Client {
                id: self.next_id,
                stream,
                inbuf: Vec::new(),
                outbuf: Vec::new(),
                role: Role::Request,
                dead: false,
            });
        }
    }

    fn pump_init(&mut self, stderr: bool) {
        let fd = if stderr {
            &mut self.init.err
        } else {
            &mut self.init.out
        };
        let mut buf = [0u8; 32 * 1024];
        let data = match fd.as_ref().map(|f| fds::read_fd(f.as_raw_fd(), &mut buf)) {
            Some(ReadResult::Data(n)) => &buf[..n],
            Some(ReadResult::WouldBlock) | None => return,
            Some(ReadResult::Closed) => {
                *fd = None;
                return;
            }
        };
        self.log.write(stderr, data);
        let kind = if stderr {
            protocol::STDERR
        } else {
            protocol::STDOUT
        };
        for c in &mut self.clients {
            if let Role::Attach {
                stdout,
                stderr: want_err,
                ..
            } = c.role
            {
                if (stderr && want_err) || (!stderr && stdout) {
                    c.send_frame(kind, data);
                    c.flush();
                }
            }
        }
    }

    fn pump_exec(&mut self, pid: i32, stderr: bool) {
        let Some(e) = self.execs.iter_mut().find(|e| e.pid == pid) else {
            return;
        };
        let fd = if stderr {
            &mut e.stdio.err
        } else {
            &mut e.stdio.out
        };
        let mut buf = [0u8; 32 * 1024];
        let data = match fd.as_ref().map(|f| fds::read_fd(f.as_raw_fd(), &mut buf)) {
            Some(ReadResult::Data(n)) => &buf[..n],
            Some(ReadResult::WouldBlock) | None => return,
            Some(ReadResult::Closed) => {
                *fd = None;
                return;
            }
        };
        let kind = if stderr {
            protocol::STDERR
        } else {
            protocol::STDOUT
        };
        let client = e.client;
        if let Some(c) = self.clients.iter_mut().find(|c| c.id == client) {
            c.send_frame(kind, data);
            c.flush();
        }
    }

    /// Reads what is left in an exec's pipes, sends its exit, and forgets it.
    fn exec_exited(&mut self, pid: i32, code: i32) {
        if !self.execs.iter().any(|e| e.pid == pid) {
            return; // an orphan re-parented to us, or a helper
        }
        for stderr in [false, true] {
            for _ in 0..64 {
                let before = self.execs.iter().find(|e| e.pid == pid).map(|e| {
                    if stderr {
                        e.stdio.err.is_some()
                    } else {
                        e.stdio.out.is_some()
                    }
                });
                if before != Some(true) {
                    break;
                }
                let Some(e) = self.execs.iter().find(|e| e.pid == pid) else {
                    break;
                };
                let fd = if stderr { &e.stdio.err } else { &e.stdio.out };
                let mut probe = libc::pollfd {
                    fd: fds::raw(fd),
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd, zero timeout.
                if unsafe { libc::poll(&mut probe, 1, 0) } <= 0 {
                    break;
                }
                self.pump_exec(pid, stderr);
            }
        }
        let Some(idx) = self.execs.iter().position(|e| e.pid == pid) else {
            return;
        };
        let exec = self.execs.remove(idx);
        let _ = std::fs::remove_file(&exec.process_file);
        let exit = ExitStatus {
            exit_code: code,
            finished_at: now(),
        };
        if let Some(c) = self.clients.iter_mut().find(|c| c.id == exec.client) {
            c.send_frame(
                protocol::EXIT,
                &serde_json::to_vec(&exit).unwrap_or_default(),
            );
            c.role = Role::Done;
            c.flush();
        }
    }

    fn serve_client(&mut self, id: u64, revents: i16) {
        let Some(idx) = self.clients.iter().position(|c| c.id == id) else {
            return;
        };
        if revents & libc::POLLOUT != 0 {
            self.clients[idx].flush();
        }
        if revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0 {
            let mut buf = [0u8; 32 * 1024];
            match self.clients[idx].stream.read(&mut buf) {
                Ok(0) => {
                    self.clients[idx].dead = true;
                    return;
                }
                Ok(n) => self.clients[idx].inbuf.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => {
                    self.clients[idx].dead = true;
                    return;
                }
            }
        }
        if matches!(self.clients[idx].role, Role::Request) {
            let Some(nl) = self.clients[idx].inbuf.iter().position(|&b| b == b'\n') else {
                if self.clients[idx].inbuf.len() > 64 * 1024 {
                    self.clients[idx].dead = true;
                }
                return;
            };
            let line: Vec<u8> = self.clients[idx].inbuf.drain(..=nl).collect();
            match serde_json::from_slice::<Request>(&line) {
                Ok(req) => self.handle(idx, req),
                Err(e) => {
                    let c = &mut self.clients[idx];
                    c.send_line(&Reply::error("protocol", format!("bad request: {e}")));
                    c.role = Role::Done;
                    c.flush();
                }
            }
        }
        self.client_frames(id);
    }

    /// Frames from an attach or exec client: stdin bytes, stdin close, resize.
    fn client_frames(&mut self, id: u64) {
        loop {
            let Some(c) = self.clients.iter_mut().find(|c| c.id == id) else {
                return;
            };
            let (target_pid, may_write) = match c.role {
                Role::Attach { stdin, .. } => (None, stdin),
                Role::Exec { pid } => (Some(pid), true),
                _ => return,
            };
            let frame = match protocol::decode_frame(&mut c.inbuf) {
                Ok(Some(f)) => f,
                Ok(None) => return,
                Err(_) => {
                    c.dead = true;
                    return;
                }
            };
            let stdio = match target_pid {
                None => Some(&mut self.init),
                Some(pid) => self
                    .execs
                    .iter_mut()
                    .find(|e| e.pid == pid)
                    .map(|e| &mut e.stdio),
            };
            let Some(stdio) = stdio else { continue };
            match frame {
                (protocol::STDIN, data) if may_write => {
                    if let Some(input) = &stdio.input {
                        if fds::write_all_fd(input.as_raw_fd(), &data).is_err() && !stdio.tty {
                            stdio.input = None;
                        }
                    }
                }
                (protocol::STDIN_CLOSE, _) if may_write && !stdio.tty => stdio.input = None,
                (protocol::RESIZE, p) if p.len() == 4 => {
                    if let (true, Some(input)) = (stdio.tty, &stdio.input) {
                        let h = u16::from_be_bytes([p[0], p[1]]);
                        let w = u16::from_be_bytes([p[2], p[3]]);
                        let _ = fds::set_winsize(input.as_raw_fd(), h, w);
                    }
                }
                _ => {}
            }
        }
    }

    fn handle(&mut self, idx: usize, req: Request) {
        let reply = match req {
            Request::Status => Reply {
                status: Some(self.status()),
                ..Reply::default()
            },
            Request::Start => self.start(),
            Request::Kill { signal } => {
                let sig = nix::sys::signal::Signal::try_from(signal);
                match sig {
                    Ok(sig) => match nix::sys::signal::kill(Pid::from_raw(self.init_pid), sig) {
                        Ok(()) => Reply::default(),
                        Err(e) => Reply::error("oci", format!("kill: {e}")),
                    },
                    Err(_) => Reply::error("invalid", format!("invalid signal {signal}")),
                }
            }
            Request::Resize { height, width } => match (&self.init.input, self.init.tty) {
                (Some(master), true) => match fds::set_winsize(master.as_raw_fd(), height, width) {
                    Ok(()) => Reply::default(),
                    Err(e) => Reply::error("oci", format!("resize: {e}")),
                },
                _ => Reply::error("invalid", "the container has no tty"),
            },
            Request::Wait => {
                self.clients[idx].role = Role::Waiter;
                return;
            }
            Request::Attach {
                stdin,
                stdout,
                stderr,
            } => {
                let c = &mut self.clients[idx];
                c.role = Role::Attach {
                    stdin,
                    stdout,
                    stderr,
                };
                c.send_line(&Reply::default());
                c.flush();
                return;
            }
            Request::Exec {
                process,
                tty,
                stdin,
            } => match self.exec(&process, tty, stdin) {
                Ok(exec) => {
                    let pid = exec.pid;
                    let c = &mut self.clients[idx];
                    c.role = Role::Exec { pid };
                    c.send_line(&Reply {
                        pid: Some(pid),
                        ..Reply::default()
                    });
                    c.flush();
                    self.execs.push(ExecProc {
                        client: self.clients[idx].id,
                        ..exec
                    });
                    return;
                }
                Err(reply) => {
                    let _ = std::fs::remove_file(&process);
                    reply
                }
            },
        };
        let c = &mut self.clients[idx];
        c.send_line(&reply);
        c.role = Role::Done;
        c.flush();
    }

    fn start(&mut self) -> Reply {
        if self.phase != Phase::Created {
            return Reply::error("invalid", "the container's process is already started");
        }
        match helper_call::call(&self.cfg, &["start"], None) {
            Ok(_) => {
                self.phase = Phase::Running;
                self.started_at = Some(now());
                Reply {
                    status: Some(self.status()),
                    ..Reply::default()
                }
            }
            Err(reply) => reply,
        }
    }

    fn exec(&mut self, process: &str, tty: bool, want_stdin: bool) -> Result<ExecProc, Reply> {
        if self.phase != Phase::Running {
            return Err(Reply::error(
                "not_running",
                format!("container {} is not running", self.cfg.id),
            ));
        }
        let fail =
            |what: &str, e: std::io::Error| Reply::error("oci", format!("exec: {what}: {e}"));
        let (reply, stdio) = if tty {
            self.next_id += 1;
            let console = self.dir.join(format!("exec-{}.sock", self.next_id));
            let console_arg = console.to_string_lossy().into_owned();
            super::run_with_console(
                &self.cfg,
                &console,
                &[
                    "exec",
                    "--process",
                    process,
                    "--console-socket",
                    &console_arg,
                ],
            )?
        } else {
            let (in_r, in_w): (OwnedFd, Option<OwnedFd>) = if want_stdin {
                let (r, w) = fds::pipe().map_err(|e| fail("pipe", e))?;
                (r, Some(w))
            } else {
                let null = std::fs::File::open("/dev/null").map_err(|e| fail("/dev/null", e))?;
                (null.into(), None)
            };
            let (out_r, out_w) = fds::pipe().map_err(|e| fail("pipe", e))?;
            let (err_r, err_w) = fds::pipe().map_err(|e| fail("pipe", e))?;
            let three = [in_r.as_raw_fd(), out_w.as_raw_fd(), err_w.as_raw_fd()];
            let reply = helper_call::call(&self.cfg, &["exec", "--process", process], Some(three))?;
            drop((in_r, out_w, err_w));
            for fd in [Some(&out_r), Some(&err_r), in_w.as_ref()]
                .into_iter()
                .flatten()
            {
                let _ = fds::set_nonblocking(fd.as_raw_fd());
            }
            (
                reply,
                Stdio {
                    out: Some(out_r),
                    err: Some(err_r),
                    input: in_w,
                    tty: false,
                },
            )
        };
        let pid = reply
            .pid
            .ok_or_else(|| Reply::error("oci", "exec: the helper returned no pid"))?;
        Ok(ExecProc {
            pid,
            client: 0,
            stdio,
            process_file: process.to_string(),
        })
    }

    /// The init has exited: drain its output, record the exit, tell everyone, and leave.
    fn finish(&mut self, exit: ExitStatus) {
        let deadline = Instant::now() + Duration::from_millis(500);
        while (self.init.out.is_some() || self.init.err.is_some()) && Instant::now() < deadline {
            let mut probe: Vec<libc::pollfd> = [fds::raw(&self.init.out), fds::raw(&self.init.err)]
                .into_iter()
                .filter(|fd| *fd >= 0)
                .map(|fd| libc::pollfd {
                    fd,
                    events: libc::POLLIN,
                    revents: 0,
                })
                .collect();
            // SAFETY: a valid pollfd array.
            if unsafe { libc::poll(probe.as_mut_ptr(), probe.len() as libc::nfds_t, 50) } <= 0 {
                break;
            }
            self.pump_init(false);
            self.pump_init(true);
        }
        self.log.flush();
        // Execs die with the init's pid namespace; give their exits a moment to arrive.
        let deadline = Instant::now() + Duration::from_millis(500);
        while !self.execs.is_empty() && Instant::now() < deadline {
            let _ = self.reap();
            std::thread::sleep(Duration::from_millis(10));
        }
        write_exit_file(&self.dir, &exit);
        // From here on a new client finds no socket and reads the exit file instead.
        let _ = std::fs::remove_file(self.dir.join(protocol::MONITOR_SOCKET));
        let payload = serde_json::to_vec(&exit).unwrap_or_default();
        for c in &mut self.clients {
            match c.role {
                Role::Attach { .. } | Role::Exec { .. } => c.send_frame(protocol::EXIT, &payload),
                Role::Waiter => c.send_line(&Reply {
                    exit: Some(exit.clone()),
                    ..Reply::default()
                }),
                _ => {}
            }
            let _ = c.stream.set_nonblocking(false);
            let _ = c.stream.set_write_timeout(Some(Duration::from_secs(1)));
            let _ = c.stream.write_all(&c.outbuf);
            let _ = c.stream.shutdown(std::net::Shutdown::Write);
        }
    }
}

/// tmp + rename, so a reader never sees half a file.
fn write_exit_file(dir: &std::path::Path, exit: &ExitStatus) {
    let tmp = dir.join(format!("{}.tmp", protocol::EXIT_FILE));
    let text = serde_json::to_vec(exit).unwrap_or_default();
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(&text).and_then(|_| f.sync_all()))
        .and_then(|_| std::fs::rename(&tmp, dir.join(protocol::EXIT_FILE)));
    if let Err(e) = result {
        eprintln!("berth-monitor: writing the exit file: {e}");
    }
}
