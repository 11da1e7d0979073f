//! A fake host: a named network namespace with only `lo`, created for one test and deleted
//! (with everything in it) when the test ends, pass or fail.

use serde_json::Value;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct FakeHost {
    pub name: String,
}

impl FakeHost {
    pub fn new() -> FakeHost {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("berth-e2e-{}-{n}", std::process::id());
        run("ip", &["netns", "add", &name]);
        let host = FakeHost { name };
        host.ip(&["link", "set", "lo", "up"]);
        host
    }

    /// A command that runs inside the fake host.
    pub fn exec(&self, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name, program]);
        c
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
