//! The engine's side: [`Runtime`], a blocking API over the helper and the monitors.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use oci_spec::runtime::Spec;

use crate::bundle::{build_spec, env_with_path, exec_security, process};
use crate::error::classify_helper_error;
use crate::protocol::{self, ExitStatus, MonitorConfig, MonitorStatus, Reply, Request};
use crate::spec::{validate_id, ContainerSpec, ExecSpec};
use crate::streams::{AttachOptions, Attachment, ExecHandle, InputWriter, OutputReader};
use crate::user::{resolve_user, ResolvedUser};
use crate::RuntimeError;

/// Where the runtime keeps its files and how it runs its helper processes.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// The daemon's exec root `E` (e.g. `/run/berth`).
    pub exec_root: PathBuf,
    /// argv prefix of the libcontainer helper, e.g. `[berth, "__runtime"]`.
    pub helper: Vec<String>,
    /// argv prefix of the monitor, e.g. `[berth-monitor]` or `[berth, "__monitor"]`.
    pub monitor: Vec<String>,
}

impl RuntimeConfig {
    /// berth's arrangement: the helper is `<this exe> __runtime`; the monitor is the
    /// `berth-monitor` binary next to this exe when present, else `<this exe> __monitor`.
    pub fn for_current_exe(exec_root: impl Into<PathBuf>) -> Result<Self, RuntimeError> {
        let exe = std::env::current_exe()
            .map_err(|e| RuntimeError::io("locating", "the berth binary", e))?;
        let exe_s = exe.to_string_lossy().into_owned();
        let sibling = exe.with_file_name("berth-monitor");
        let monitor = if sibling.is_file() {
            vec![sibling.to_string_lossy().into_owned()]
        } else {
            vec![exe_s.clone(), "__monitor".into()]
        };
        Ok(RuntimeConfig {
            exec_root: exec_root.into(),
            helper: vec![exe_s, "__runtime".into()],
            monitor,
        })
    }
}

/// A container whose monitor is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Started {
    pub monitor_pid: i32,
    pub init_pid: i32,
}

/// What [`Runtime::adopt`] found after a daemon restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Adopted {
    /// The monitor is alive (`status.state` is `running` or `created`).
    Running(MonitorStatus),
    /// The monitor is gone; the container ended with this status.
    Exited(ExitStatus),
    /// Nothing left: no monitor and no exit file (e.g. the host rebooted: /run is a tmpfs).
    Gone,
}

/// The runtime, as the engine sees it. All methods block; call them from `spawn_blocking`.
#[derive(Debug, Clone)]
pub struct Runtime {
    cfg: RuntimeConfig,
    /// Reaps the monitors this runtime starts (see [`Runtime::with_reaper`]).
    reaper: Option<crate::MonitorReaper>,
}

const SOCKET_PATH_MAX: usize = 107;

impl Runtime {
    pub fn new(cfg: RuntimeConfig) -> Self {
        Runtime { cfg, reaper: None }
    }

    /// The monitors started from now on are registered with `reaper`: for a caller that is
    /// a child subreaper (the daemon), whose children they become.
    pub fn with_reaper(mut self, reaper: crate::MonitorReaper) -> Self {
        self.reaper = Some(reaper);
        self
    }

    /// `E/containers/<id>`: the bundle and the monitor's files.
    pub fn container_dir(&self, id: &str) -> PathBuf {
        self.cfg.exec_root.join("containers").join(id)
    }

    fn state_root(&self) -> PathBuf {
        self.cfg.exec_root.join("runtime")
    }

    fn check_id(id: &str) -> Result<(), RuntimeError> {
        if validate_id(id) {
            Ok(())
        } else {
            Err(RuntimeError::InvalidId(id.to_string()))
        }
    }

    /// Creates the container and its monitor; the process is set up but has not exec'ed yet.
    /// Attach now to see all of its output, then call [`Runtime::start_created`].
    pub fn create(&self, spec: &ContainerSpec) -> Result<Started, RuntimeError> {
        Self::check_id(&spec.id)?;
        let dir = self.container_dir(&spec.id);
        if dir.join(protocol::MONITOR_SOCKET).as_os_str().len() > SOCKET_PATH_MAX {
            return Err(RuntimeError::InvalidSpec(format!(
                "exec root {} is too long for unix socket paths",
                self.cfg.exec_root.display()
            )));
        }
        if self.status(&spec.id)?.is_some() {
            return Err(RuntimeError::AlreadyRunning(spec.id.clone()));
        }
        // A previous run's leftovers (state, cgroup, files) must not block this one.
        self.delete_state(&spec.id)?;
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| RuntimeError::io("creating", &dir, e))?;
        std::fs::create_dir_all(self.state_root())
            .map_err(|e| RuntimeError::io("creating", self.state_root(), e))?;

        let result = self.create_in(spec, &dir);
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        result
    }

    fn create_in(&self, spec: &ContainerSpec, dir: &Path) -> Result<Started, RuntimeError> {
        let rootfs = std::fs::canonicalize(&spec.rootfs)
            .map_err(|e| RuntimeError::io("opening the root filesystem", &spec.rootfs, e))?;
        let user = resolve_user(&rootfs, &spec.user)?;
        ensure_workdir(&rootfs, &spec.cwd)?;
        let mut spec_abs = spec.clone();
        spec_abs.rootfs = rootfs;
        build_spec(&spec_abs, &user)?
            .save(dir.join(protocol::BUNDLE_CONFIG))
            .map_err(|e| RuntimeError::Oci(format!("writing config.json: {e}")))?;
        let mcfg = MonitorConfig {
            id: spec.id.clone(),
            state_root: self.state_root().to_string_lossy().into_owned(),
            log_path: absolute(&spec.log_path).to_string_lossy().into_owned(),
            tty: spec.tty,
            open_stdin: spec.open_stdin,
            helper: self.cfg.helper.clone(),
        };
        let text = serde_json::to_vec(&mcfg).map_err(|e| RuntimeError::Monitor(e.to_string()))?;
        let path = dir.join(protocol::MONITOR_CONFIG);
        std::fs::write(&path, text).map_err(|e| RuntimeError::io("writing", &path, e))?;

        let reply = self.spawn_monitor(dir)?;
        // A monitor that failed is as much the daemon's child as one that runs.
        if let (Some(reaper), Some(status)) = (&self.reaper, &reply.status) {
            reaper.register(status.monitor_pid);
        }
        if let Some(message) = &reply.error {
            let kind = reply.error_kind.as_deref().unwrap_or("oci");
            return Err(classify_helper_error(kind, message, &spec.args[0]));
        }
        let status = reply
            .status
            .ok_or_else(|| RuntimeError::Monitor("no status in the monitor's answer".into()))?;
        Ok(Started {
            monitor_pid: status.monitor_pid,
            init_pid: status.init_pid,
        })
    }

    fn spawn_monitor(&self, dir: &Path) -> Result<Reply, RuntimeError> {
        let (program, prefix) = self
            .cfg
            .monitor
            .split_first()
            .ok_or_else(|| RuntimeError::Monitor("no monitor command configured".into()))?;
        let log_path = dir.join(protocol::MONITOR_LOG);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| RuntimeError::io("opening", &log_path, e))?;
        let mut child = Command::new(program)
            .args(prefix)
            .arg(dir)
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| RuntimeError::io("running the monitor", program, e))?;
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        // The first monitor process exits at once (the real monitor is its child).
        let _ = child.wait();
        serde_json::from_str(line.trim()).map_err(|_| {
            let diag = std::fs::read_to_string(&log_path).unwrap_or_default();
            RuntimeError::Monitor(format!("the monitor failed to start: {}", diag.trim()))
        })
    }

    /// Lets a created container's process run (exec its command).
    pub fn start_created(&self, id: &str) -> Result<MonitorStatus, RuntimeError> {
        let reply = self.request(id, &Request::Start)?;
        reply
            .status
            .ok_or_else(|| RuntimeError::Monitor("no status after start".into()))
    }

    /// [`Runtime::create`] + [`Runtime::start_created`]: returns once the process runs.
    pub fn start(&self, spec: &ContainerSpec) -> Result<Started, RuntimeError> {
        let started = self.create(spec)?;
        if let Err(e) = self.start_created(&spec.id) {
            let _ = self.kill(&spec.id, libc::SIGKILL);
            let _ = self.wait(&spec.id, Some(Duration::from_secs(5)));
            let _ = self.delete(&spec.id);
            return Err(e);
        }
        Ok(started)
    }

    fn connect(&self, id: &str) -> Result<Option<UnixStream>, RuntimeError> {
        Self::check_id(id)?;
        let sock = self.container_dir(id).join(protocol::MONITOR_SOCKET);
        match UnixStream::connect(&sock) {
            Ok(s) => Ok(Some(s)),
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::ENOENT) | Some(libc::ECONNREFUSED)
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(RuntimeError::io("connecting to", sock, e)),
        }
    }

    /// Sends one request and reads the one-line reply.
    fn exchange(
        stream: UnixStream,
        req: &Request,
    ) -> Result<(Reply, BufReader<UnixStream>), RuntimeError> {
        let mut line = serde_json::to_vec(req).map_err(|e| RuntimeError::Monitor(e.to_string()))?;
        line.push(b'\n');
        (&stream)
            .write_all(&line)
            .map_err(|e| RuntimeError::Monitor(format!("sending: {e}")))?;
        let mut reader = BufReader::new(stream);
        let mut answer = String::new();
        match reader.read_line(&mut answer) {
            Ok(0) => {
                return Err(RuntimeError::Monitor(
                    "the monitor closed the connection".into(),
                ))
            }
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(RuntimeError::Timeout("waiting for the container".into()))
            }
            Err(e) => return Err(RuntimeError::Monitor(format!("reading: {e}"))),
        }
        let reply: Reply = serde_json::from_str(answer.trim())
            .map_err(|e| RuntimeError::Monitor(format!("bad answer {answer:?}: {e}")))?;
        Ok((reply, reader))
    }

    fn request(&self, id: &str, req: &Request) -> Result<Reply, RuntimeError> {
        let stream = self
            .connect(id)?
            .ok_or_else(|| RuntimeError::NotRunning(id.to_string()))?;
        match Self::exchange(stream, req) {
            Ok((reply, _)) => reply_ok(id, reply),
            // Connected while the monitor was leaving: the container has just exited.
            Err(RuntimeError::Monitor(_)) if self.exit_status(id).is_some() => {
                Err(RuntimeError::NotRunning(id.to_string()))
            }
            Err(e) => Err(e),
        }
    }

    /// The monitor's view, or `None` when no monitor is alive.
    pub fn status(&self, id: &str) -> Result<Option<MonitorStatus>, RuntimeError> {
        let Some(stream) = self.connect(id)? else {
            return Ok(None);
        };
        match Self::exchange(stream, &Request::Status) {
            Ok((reply, _)) => Ok(reply.status),
            // The monitor is exiting right now.
            Err(RuntimeError::Monitor(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Sends `signal` to the container's init.
    pub fn kill(&self, id: &str, signal: i32) -> Result<(), RuntimeError> {
        self.request(id, &Request::Kill { signal }).map(|_| ())
    }

    /// Resizes the container's pty.
    pub fn resize(&self, id: &str, height: u16, width: u16) -> Result<(), RuntimeError> {
        self.request(id, &Request::Resize { height, width })
            .map(|_| ())
    }

    /// The exit file a monitor leaves behind.
    pub fn exit_status(&self, id: &str) -> Option<ExitStatus> {
        let text = std::fs::read(self.container_dir(id).join(protocol::EXIT_FILE)).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Blocks until the container's init has exited (at most `timeout`), by the monitor's
    /// socket, or from the exit file when the monitor is already gone.
    pub fn wait(&self, id: &str, timeout: Option<Duration>) -> Result<ExitStatus, RuntimeError> {
        let Some(stream) = self.connect(id)? else {
            return self
                .exit_status(id)
                .ok_or_else(|| RuntimeError::NotFound(id.to_string()));
        };
        let _ = stream.set_read_timeout(timeout);
        match Self::exchange(stream, &Request::Wait) {
            Ok((reply, _)) => {
                if let Some(exit) = reply.exit {
                    return Ok(exit);
                }
                reply_ok(id, reply)?;
                Err(RuntimeError::Monitor("no exit status in the answer".into()))
            }
            Err(RuntimeError::Monitor(_)) => {
                // The monitor went away mid-wait: it writes the exit file before it leaves.
                let deadline = Instant::now() + Duration::from_secs(1);
                loop {
                    if let Some(exit) = self.exit_status(id) {
                        return Ok(exit);
                    }
                    if Instant::now() > deadline {
                        return Err(RuntimeError::Monitor(
                            "the monitor died without an exit status".into(),
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            Err(e) => Err(e),
        }
    }

    /// `docker stop`: SIGTERM, then SIGKILL once `timeout` has passed.
    pub fn stop(&self, id: &str, timeout: Duration) -> Result<ExitStatus, RuntimeError> {
        self.stop_with_signal(id, libc::SIGTERM, timeout)
    }

    /// Like [`Runtime::stop`] with the image's stop signal.
    pub fn stop_with_signal(
        &self,
        id: &str,
        signal: i32,
        timeout: Duration,
    ) -> Result<ExitStatus, RuntimeError> {
        match self.kill(id, signal) {
            Ok(()) => {}
            Err(RuntimeError::NotRunning(_)) => return self.wait(id, None),
            Err(e) => return Err(e),
        }
        match self.wait(id, Some(timeout)) {
            Err(RuntimeError::Timeout(_)) => {}
            other => return other,
        }
        match self.kill(id, libc::SIGKILL) {
            Ok(()) | Err(RuntimeError::NotRunning(_)) => {}
            Err(e) => return Err(e),
        }
        self.wait(id, None)
    }

    /// Attaches to the container's init: its output from now on, and its stdin if asked.
    pub fn attach(&self, id: &str, opts: AttachOptions) -> Result<Attachment, RuntimeError> {
        let stream = self
            .connect(id)?
            .ok_or_else(|| RuntimeError::NotRunning(id.to_string()))?;
        let writer = stream
            .try_clone()
            .map_err(|e| RuntimeError::Monitor(e.to_string()))?;
        let req = Request::Attach {
            stdin: opts.stdin,
            stdout: opts.stdout,
            stderr: opts.stderr,
        };
        let (reply, reader) = Self::exchange(stream, &req)?;
        reply_ok(id, reply)?;
        Ok(Attachment {
            output: OutputReader { reader },
            input: InputWriter { stream: writer },
        })
    }

    /// Runs a process in the running container (`docker exec`).
    pub fn exec(&self, id: &str, exec: &ExecSpec) -> Result<ExecHandle, RuntimeError> {
        if exec.args.is_empty() {
            return Err(RuntimeError::InvalidSpec(
                "No exec command specified".into(),
            ));
        }
        let dir = self.container_dir(id);
        let spec = Spec::load(dir.join(protocol::BUNDLE_CONFIG))
            .map_err(|_| RuntimeError::NotRunning(id.to_string()))?;
        let (container_process, rootfs) = match (spec.process(), spec.root()) {
            (Some(p), Some(r)) => (p.clone(), r.path().clone()),
            _ => return Err(RuntimeError::Oci("the bundle has no process".into())),
        };
        let user = if exec.user.is_empty() {
            let u = container_process.user();
            ResolvedUser {
                uid: u.uid(),
                gid: u.gid(),
                additional_gids: u.additional_gids().clone().unwrap_or_default(),
                home: String::new(),
            }
        } else {
            resolve_user(&rootfs, &exec.user)?
        };
        let env = merge_env(container_process.env().as_deref().unwrap_or(&[]), &exec.env);
        let cwd = if exec.cwd.is_empty() {
            container_process.cwd().to_string_lossy().into_owned()
        } else {
            exec.cwd.clone()
        };
        let (caps, nnp) = exec_security(&spec, &user)?;
        let process = process(
            &exec.args,
            env_with_path(&env),
            &cwd,
            &user,
            exec.tty,
            nnp,
            caps,
        )?;
        let path = dir.join(format!("exec-{}-{}.json", std::process::id(), unique()));
        let text = serde_json::to_vec(&process).map_err(|e| RuntimeError::Oci(e.to_string()))?;
        std::fs::write(&path, text).map_err(|e| RuntimeError::io("writing", &path, e))?;

        let Some(stream) = self.connect(id)? else {
            let _ = std::fs::remove_file(&path);
            return Err(RuntimeError::NotRunning(id.to_string()));
        };
        let writer = stream
            .try_clone()
            .map_err(|e| RuntimeError::Monitor(e.to_string()))?;
        let req = Request::Exec {
            process: path.to_string_lossy().into_owned(),
            tty: exec.tty,
            stdin: exec.stdin,
        };
        let (reply, reader) = Self::exchange(stream, &req)?;
        if let Some(message) = &reply.error {
            let _ = std::fs::remove_file(&path);
            return Err(match reply.error_kind.as_deref() {
                Some("not_running") => RuntimeError::NotRunning(id.to_string()),
                Some(kind @ ("not_found" | "not_executable")) => {
                    match classify_helper_error(kind, message, &exec.args[0]) {
                        RuntimeError::CommandNotFound(m) => RuntimeError::ExecFailed {
                            message: m,
                            exit_code: 127,
                        },
                        RuntimeError::CommandNotExecutable(m) => RuntimeError::ExecFailed {
                            message: m,
                            exit_code: 126,
                        },
                        other => other,
                    }
                }
                _ => RuntimeError::Oci(message.clone()),
            });
        }
        let pid = reply
            .pid
            .ok_or_else(|| RuntimeError::Monitor("no pid for the exec".into()))?;
        Ok(ExecHandle {
            pid,
            output: OutputReader { reader },
            input: InputWriter { stream: writer },
        })
    }

    /// Removes what is left of a stopped container: libcontainer's state, its cgroups and its
    /// runtime dir (exit file included: read it first). Refused while the monitor is alive.
    pub fn delete(&self, id: &str) -> Result<(), RuntimeError> {
        Self::check_id(id)?;
        if self.status(id)?.is_some() {
            return Err(RuntimeError::AlreadyRunning(id.to_string()));
        }
        self.delete_state(id)?;
        let dir = self.container_dir(id);
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(RuntimeError::io("removing", dir, e)),
        }
    }

    /// libcontainer state and cgroups (the cgroups also when the state is already gone).
    fn delete_state(&self, id: &str) -> Result<(), RuntimeError> {
        let cgroups_path = Spec::load(self.container_dir(id).join(protocol::BUNDLE_CONFIG))
            .ok()
            .and_then(|s| s.linux().as_ref().and_then(|l| l.cgroups_path().clone()));
        if self.state_root().join(id).exists() {
            self.run_helper(id, &["delete"])?;
        }
        if let Some(path) = cgroups_path {
            remove_cgroup_dirs(&path);
        }
        Ok(())
    }

    fn run_helper(&self, id: &str, args: &[&str]) -> Result<Reply, RuntimeError> {
        let (program, prefix) = self
            .cfg
            .helper
            .split_first()
            .ok_or_else(|| RuntimeError::Oci("no runtime helper configured".into()))?;
        let out = Command::new(program)
            .args(prefix)
            .arg("--root")
            .arg(self.state_root())
            .args(["--id", id])
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| RuntimeError::io("running the runtime helper", program, e))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let reply: Reply = serde_json::from_str(text.trim()).map_err(|_| {
            RuntimeError::Oci(format!(
                "runtime helper: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        })?;
        match reply.error {
            Some(message) => Err(RuntimeError::Oci(message)),
            None => Ok(reply),
        }
    }

    /// Ids that have a runtime dir (running, or stopped and not deleted yet).
    pub fn list(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.cfg.exec_root.join("containers")) else {
            return Vec::new();
        };
        let mut ids: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|id| validate_id(id))
            .collect();
        ids.sort();
        ids
    }

    /// Containers with a live monitor, after a daemon restart.
    pub fn list_running(&self) -> Vec<(String, MonitorStatus)> {
        self.list()
            .into_iter()
            .filter_map(|id| match self.status(&id) {
                Ok(Some(st)) => Some((id, st)),
                _ => None,
            })
            .collect()
    }

    /// Picks a container up again after a daemon restart.
    pub fn adopt(&self, id: &str) -> Result<Adopted, RuntimeError> {
        if let Some(status) = self.status(id)? {
            return Ok(Adopted::Running(status));
        }
        Ok(self.exit_status(id).map_or(Adopted::Gone, Adopted::Exited))
    }

    /// `docker top`: the container's processes, as `ps -ef` shows them, or as the host's
    /// `ps` shows them with `ps_args`.
    pub fn top(&self, id: &str, ps_args: &str) -> Result<crate::Top, RuntimeError> {
        let status = self
            .status(id)?
            .ok_or_else(|| RuntimeError::NotRunning(id.to_string()))?;
        if ps_args.is_empty() {
            return Ok(crate::top::top(status.init_pid));
        }
        crate::top_ps::top_with_ps(ps_args, &crate::top::pids(status.init_pid))
            .map_err(RuntimeError::Top)
    }
}

fn reply_ok(id: &str, reply: Reply) -> Result<Reply, RuntimeError> {
    match (&reply.error, reply.error_kind.as_deref()) {
        (None, _) => Ok(reply),
        (Some(_), Some("not_running")) => Err(RuntimeError::NotRunning(id.to_string())),
        (Some(m), Some("invalid")) => Err(RuntimeError::InvalidSpec(m.clone())),
        (Some(m), _) => Err(RuntimeError::Oci(m.clone())),
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    (NEXT.fetch_add(1, Ordering::Relaxed) << 32) | nanos
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

/// The container's environment with the exec's entries added or overriding by key.
fn merge_env(base: &[String], extra: &[String]) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for e in base.iter().chain(extra) {
        let key = e.split('=').next().unwrap_or("").to_string();
        if !map.contains_key(&key) {
            order.push(key.clone());
        }
        map.insert(key, e.clone());
    }
    order.into_iter().filter_map(|k| map.remove(&k)).collect()
}

/// Docker creates a missing working directory. Only plain directories are created, and no
/// component may be a symlink (it could lead outside the root filesystem).
fn ensure_workdir(rootfs: &Path, cwd: &str) -> Result<(), RuntimeError> {
    if cwd.is_empty() {
        return Ok(());
    }
    let rel = Path::new(cwd);
    if !rel.is_absolute() {
        return Err(RuntimeError::InvalidSpec(format!(
            "the working directory '{cwd}' is invalid, it needs to be an absolute path"
        )));
    }
    let mut path = rootfs.to_path_buf();
    for c in rel.components() {
        match c {
            Component::Normal(part) => path.push(part),
            Component::RootDir | Component::CurDir => continue,
            _ => return Ok(()), // `..`: leave it to the runtime
        }
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Ok(()), // a symlink or a file: the runtime decides
            Err(_) => {
                std::fs::create_dir(&path)
                    .map_err(|e| RuntimeError::io("creating the working directory", &path, e))?;
            }
        }
    }
    Ok(())
}

/// rmdir of the container's cgroup in every hierarchy (v1 controllers, or the v2 tree).
fn remove_cgroup_dirs(cgroups_path: &Path) {
    let rel = cgroups_path.strip_prefix("/").unwrap_or(cgroups_path);
    let Ok(entries) = std::fs::read_dir("/sys/fs/cgroup") else {
        return;
    };
    let _ = std::fs::remove_dir(Path::new("/sys/fs/cgroup").join(rel));
    for e in entries.flatten() {
        let _ = std::fs::remove_dir(e.path().join(rel));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_env_overrides_by_key() {
        let base = vec!["PATH=/bin".to_string(), "A=1".to_string()];
        let extra = vec!["A=2".to_string(), "B=3".to_string()];
        assert_eq!(merge_env(&base, &extra), vec!["PATH=/bin", "A=2", "B=3"]);
    }
}
