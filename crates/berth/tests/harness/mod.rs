//! End-to-end harness: a real `berth daemon` inside its own fake-host network namespace (no
//! uplink, so no packet can leave), with a private data root, exec root and socket. Tests drive
//! it as users do — the berth CLI, the stock docker CLI, raw HTTP — and look at the kernel
//! objects inside that namespace. Everything is removed on drop, also when a test fails.
#![allow(dead_code)]

pub mod ctr;
pub mod fake_host;
pub mod http;
pub mod probe;
pub mod pty;
pub mod stub_dns;

use fake_host::FakeHost;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub use http::HttpResponse;

pub struct Daemon {
    pub host: FakeHost,
    dir: tempfile::TempDir,
    child: Option<Child>,
    extra_args: Vec<String>,
}

pub fn berth_bin() -> &'static str {
    env!("CARGO_BIN_EXE_berth")
}

impl Daemon {
    /// Starts a daemon with default options in a new fake host.
    pub fn start() -> Daemon {
        Daemon::start_with(&[])
    }

    pub fn start_with(extra_args: &[&str]) -> Daemon {
        let host = FakeHost::new();
        let dir = tempfile::Builder::new()
            // Short: the runtime's sockets live at <exec-root>/containers/<64 hex>/monitor.sock
            // and a unix socket path may not exceed 107 bytes.
            .prefix("be")
            .tempdir()
            .expect("tempdir");
        let mut d = Daemon {
            host,
            dir,
            child: None,
            extra_args: extra_args.iter().map(|s| s.to_string()).collect(),
        };
        d.spawn_and_wait();
        d
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("berth.sock")
    }

    pub fn data_root(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn exec_root(&self) -> PathBuf {
        self.dir.path().join("r")
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("daemon.log")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    pub fn docker_host(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    /// The command that runs `berth daemon` for this test inside the fake host.
    pub fn daemon_command(&self, extra: &[String]) -> Command {
        let mut cmd = self.host.exec(berth_bin());
        cmd.arg("daemon")
            .arg("--host")
            .arg(self.docker_host())
            .arg("--data-root")
            .arg(self.data_root())
            .arg("--exec-root")
            .arg(self.exec_root())
            .arg("--log-level")
            .arg("debug")
            .args(extra);
        cmd
    }

    fn spawn_and_wait(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .expect("daemon log");
        let child = self
            .daemon_command(&self.extra_args.clone())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log fd"))
            .stderr(log)
            .spawn()
            .expect("spawn berth daemon");
        self.child = Some(child);
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("daemon exited early ({status}):\n{}", self.log());
                }
            }
            if let Ok(r) = self.try_api("GET", "/_ping", None) {
                if r.status == 200 {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("daemon not ready after 20s:\n{}", self.log());
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(|c| c.id()).expect("daemon running")
    }

    /// kill -9, and reap.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM; returns the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let mut c = self.child.take().expect("daemon running");
        signal(c.id(), libc::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(Some(st)) = c.try_wait() {
                return st;
            }
            if Instant::now() > deadline {
                let _ = c.kill();
                panic!("daemon did not stop on SIGTERM:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts the daemon again on the same data root and fake host.
    pub fn restart(&mut self) {
        if self.child.is_some() {
            self.terminate();
        }
        self.spawn_and_wait();
    }

    /// Starts it again after a crash (the caller killed it).
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "daemon still running");
        self.spawn_and_wait();
    }

    /// `berth ARGS` against this daemon.
    pub fn berth(&self, args: &[&str]) -> CmdResult {
        let out = Command::new(berth_bin())
            .env_remove("DOCKER_HOST")
            .env("BERTH_HOST", self.docker_host())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run berth cli");
        CmdResult::from(out)
    }

    /// The stock docker CLI against this daemon.
    pub fn docker(&self, args: &[&str]) -> CmdResult {
        let out = Command::new("docker")
            .env("DOCKER_HOST", self.docker_host())
            .env("DOCKER_CONFIG", self.dir.path().join("docker-config"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run docker cli (is it on PATH?)");
        CmdResult::from(out)
    }

    pub fn try_api(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> std::io::Result<HttpResponse> {
        http::request(
            &self.socket(),
            method,
            path,
            body.map(|b| ("application/json", b.as_bytes())),
        )
    }

    /// One HTTP request to the API.
    pub fn api(&self, method: &str, path: &str, body: Option<&str>) -> HttpResponse {
        self.try_api(method, path, body).expect("API request")
    }

    pub fn api_json(&self, method: &str, path: &str, body: Option<&str>) -> serde_json::Value {
        let r = self.api(method, path, body);
        assert!(
            r.status < 300,
            "{method} {path} -> {}: {}",
            r.status,
            r.text()
        );
        r.json()
    }

    /// Names of the networks the daemon lists.
    pub fn network_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .api_json("GET", "/networks", None)
            .as_array()
            .expect("array")
            .iter()
            .map(|n| n["Name"].as_str().unwrap_or_default().to_string())
            .collect();
        v.sort();
        v
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(c) = self.child.as_mut() {
            signal(c.id(), libc::SIGTERM);
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = c.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
        // the fake host (and every bridge in it) goes when `host` drops
    }
}

fn signal(pid: u32, sig: i32) {
    // SAFETY: kill(2) on a PID this test spawned and has not reaped yet.
    unsafe {
        libc::kill(pid as i32, sig);
    }
}

#[derive(Debug)]
pub struct CmdResult {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for CmdResult {
    fn from(o: Output) -> Self {
        CmdResult {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl CmdResult {
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "command failed:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        &self.stdout
    }

    #[track_caller]
    pub fn fails_with(&self, stderr_part: &str) {
        assert_ne!(
            self.code, 0,
            "command succeeded unexpectedly: {}",
            self.stdout
        );
        assert!(
            self.stderr.contains(stderr_part),
            "stderr {:?} lacks {:?}",
            self.stderr,
            stderr_part
        );
    }
}

pub fn path_exists(p: &Path) -> bool {
    p.exists()
}
