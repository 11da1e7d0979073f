//! A fake host: a named network namespace with only `lo`, created for one test and deleted
//! (with everything in it) when the test ends, pass or fail.

use serde_json::Value;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct FakeHost {
    pub name: String,
    /// A process holding the fake host's own mount namespace, so the mounts a daemon makes
    /// (rootfs overlays, namespace files) survive its restarts, as they would on a real host,
    /// and never appear in the real host's mount table.
    mount_holder: std::process::Child,
}

impl FakeHost {
    pub fn new() -> FakeHost {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("berth-e2e-{}-{n}", std::process::id());
        run("ip", &["netns", "add", &name]);
        let mount_holder = Command::new("unshare")
            .args([
                "--mount",
                "--propagation",
                "private",
                "--",
                "sleep",
                "infinity",
            ])
            .stdin(std::process::Stdio::null())
            .spawn()
            .expect("start the mount namespace holder (unshare)");
        let host = FakeHost { name, mount_holder };
        host.wait_mount_ns();
        host.ip(&["link", "set", "lo", "up"]);
        host
    }

    /// Waits until the holder has entered its own mount namespace.
    fn wait_mount_ns(&self) {
        let mine = std::fs::read_link("/proc/self/ns/mnt").ok();
        for _ in 0..500 {
            let theirs = std::fs::read_link(self.mount_ns_path()).ok();
            if theirs.is_some() && theirs != mine {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        panic!("the mount namespace holder did not start");
    }

    pub fn mount_ns_path(&self) -> String {
        format!("/proc/{}/ns/mnt", self.mount_holder.id())
    }

    /// A command that runs inside the fake host: its network namespace and its mount namespace.
    pub fn exec(&self, program: &str) -> Command {
        let mut c = Command::new("nsenter");
        c.arg(format!("--net=/run/netns/{}", self.name))
            .arg(format!("--mount={}", self.mount_ns_path()))
            .arg("--")
            .arg(program);
        c
    }

    /// Ends every process still running in the fake host (containers and their monitors
    /// outlive the daemon by design): all of them descend from this test's daemons.
    fn kill_leftover_processes(&self) {
        let Ok(ns) = std::fs::read_link(self.mount_ns_path()) else {
            return;
        };
        let holder = self.mount_holder.id();
        for _ in 0..3 {
            let mut found = false;
            for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
                let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
                    continue;
                };
                if pid as u32 == holder {
                    continue;
                }
                if std::fs::read_link(format!("/proc/{pid}/ns/mnt"))
                    .ok()
                    .as_ref()
                    == Some(&ns)
                {
                    found = true;
                    // SAFETY: kill(2) on a process inside this test's own mount namespace.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                }
            }
            if !found {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// `ip -n NAME ARGS`, asserting success; returns stdout.
    pub fn ip(&self, args: &[&str]) -> String {
        let mut full = vec!["-n", &self.name];
        full.extend_from_slice(args);
        run("ip", &full)
    }

    /// The links of the fake host as `ip -j -d addr` reports them.
    pub fn links(&self) -> Vec<Value> {
        let out = self.ip(&["-j", "-d", "addr", "show"]);
        serde_json::from_str::<Value>(&out)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
    }

    pub fn link(&self, name: &str) -> Option<Value> {
        self.links().into_iter().find(|l| l["ifname"] == name)
    }

    /// Names of the bridges in the fake host.
    pub fn bridges(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .links()
            .into_iter()
            .filter(|l| l["linkinfo"]["info_kind"] == "bridge")
            .filter_map(|l| l["ifname"].as_str().map(str::to_string))
            .collect();
        v.sort();
        v
    }

    /// Waits (up to 5 s) until a link is gone; false if it is still there.
    pub fn wait_link_gone(&self, name: &str) -> bool {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if self.link(name).is_none() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        false
    }

    /// IPv4/IPv6 addresses of a link as `a.b.c.d/nn`.
    pub fn addresses(&self, link: &str) -> Vec<String> {
        self.link(link)
            .map(|l| {
                l["addr_info"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .filter(|a| a["scope"] != "link")
                    .map(|a| format!("{}/{}", a["local"].as_str().unwrap_or(""), a["prefixlen"]))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for FakeHost {
    fn drop(&mut self) {
        self.kill_leftover_processes();
        let _ = self.mount_holder.kill();
        let _ = self.mount_holder.wait();
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .expect("run command");
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
