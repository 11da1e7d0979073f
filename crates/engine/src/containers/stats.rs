//! `docker stats`: one sample of a running container's resource use, read from its cgroups
//! (v1 or v2, found through `/proc/<pid>/cgroup`) and from `/proc/<pid>/net/dev` (its network
//! namespace's interfaces), plus the host's CPU time the CLI divides by.

use crate::Engine;
use berth_model::ApiError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One interface's counters, as `/proc/net/dev` has them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetCounters {
    pub rx_bytes: u64,
    pub rx_packets: u64,
    pub rx_errors: u64,
    pub rx_dropped: u64,
    pub tx_bytes: u64,
    pub tx_packets: u64,
    pub tx_errors: u64,
    pub tx_dropped: u64,
}

/// What a stats entry reports of one moment.
#[derive(Debug, Clone, Default)]
pub struct StatsSample {
    pub id: String,
    /// With Docker's leading slash.
    pub name: String,
    /// False for a container not running: every figure is zero.
    pub running: bool,
    pub read: chrono::DateTime<chrono::Utc>,
    /// The container's CPU time, ns: total, per CPU, user and kernel.
    pub cpu_total: u64,
    pub cpu_percpu: Vec<u64>,
    pub cpu_user: u64,
    pub cpu_kernel: u64,
    /// The host's CPU time, ns (all CPUs), as `system_cpu_usage`.
    pub system_cpu: u64,
    pub online_cpus: u32,
    pub memory_usage: u64,
    pub memory_limit: u64,
    pub memory_stats: BTreeMap<String, u64>,
    pub pids_current: u64,
    pub pids_limit: Option<u64>,
    pub networks: BTreeMap<String, NetCounters>,
}

impl Engine {
    /// A sample of a running container; an empty one (Docker's zeros) for one not running.
    pub fn container_stats(&self, term: &str) -> Result<StatsSample, ApiError> {
        let c = self.inspect_container(term)?;
        let mut s = StatsSample {
            id: c.id.clone(),
            name: format!("/{}", c.name),
            ..Default::default()
        };
        if !c.state.is_running() || c.state.pid == 0 {
            return Ok(s);
        }
        s.running = true;
        s.read = chrono::Utc::now();
        let pid = c.state.pid;
        let groups = cgroup_dirs(pid);
        if let Some(dir) = groups.get("cpuacct") {
            s.cpu_total = read_u64(&dir.join("cpuacct.usage"));
            s.cpu_percpu = read_list(&dir.join("cpuacct.usage_percpu"));
            let ticks = stat_map(&dir.join("cpuacct.stat"));
            let ns_per_tick = 1_000_000_000 / clock_ticks();
            s.cpu_user = ticks.get("user").copied().unwrap_or(0) * ns_per_tick;
            s.cpu_kernel = ticks.get("system").copied().unwrap_or(0) * ns_per_tick;
        } else if let Some(dir) = groups.get("") {
            let cpu = stat_map(&dir.join("cpu.stat"));
            s.cpu_total = cpu.get("usage_usec").copied().unwrap_or(0) * 1000;
            s.cpu_user = cpu.get("user_usec").copied().unwrap_or(0) * 1000;
            s.cpu_kernel = cpu.get("system_usec").copied().unwrap_or(0) * 1000;
        }
        if let Some(dir) = groups.get("memory") {
            s.memory_usage = read_u64(&dir.join("memory.usage_in_bytes"));
            s.memory_limit = read_u64(&dir.join("memory.limit_in_bytes"));
            s.memory_stats = stat_map(&dir.join("memory.stat"));
        } else if let Some(dir) = groups.get("") {
            s.memory_usage = read_u64(&dir.join("memory.current"));
            s.memory_limit = read_u64(&dir.join("memory.max"));
            s.memory_stats = stat_map(&dir.join("memory.stat"));
        }
        if s.memory_limit == 0 || s.memory_limit >= (1 << 62) {
            // No limit: Docker reports the host's memory.
            s.memory_limit = host_memory();
        }
        if let Some(dir) = groups.get("pids").or_else(|| groups.get("")) {
            s.pids_current = read_u64(&dir.join("pids.current"));
            s.pids_limit = std::fs::read_to_string(dir.join("pids.max"))
                .ok()
                .and_then(|v| v.trim().parse().ok());
        }
        s.system_cpu = system_cpu_ns();
        s.online_cpus = std::thread::available_parallelism()
            .map(|n| n.get() as u32)
            .unwrap_or(1);
        s.networks = net_dev(&PathBuf::from(format!("/proc/{pid}/net/dev")));
        s.networks.remove("lo");
        Ok(s)
    }
}

/// Controller → directory of the process's cgroup; v2's unified group under the key "".
fn cgroup_dirs(pid: u32) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/cgroup")) else {
        return out;
    };
    let v2 = Path::new("/sys/fs/cgroup/cgroup.controllers").exists();
    for line in text.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let rel = path.trim_start_matches('/');
        if controllers.is_empty() {
            if v2 {
                out.insert(String::new(), Path::new("/sys/fs/cgroup").join(rel));
            }
            continue;
        }
        // A v1 hierarchy is mounted under its controllers' joined names (`cpu,cpuacct`).
        let dir = Path::new("/sys/fs/cgroup").join(controllers).join(rel);
        for c in controllers.split(',') {
            out.insert(c.to_string(), dir.clone());
        }
    }
    out
}

fn read_u64(path: &Path) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

fn read_list(path: &Path) -> Vec<u64> {
    std::fs::read_to_string(path)
        .map(|v| {
            v.split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// `key value` lines (memory.stat, cpu.stat, cpuacct.stat).
fn stat_map(path: &Path) -> BTreeMap<String, u64> {
    std::fs::read_to_string(path)
        .map(|text| {
            text.lines()
                .filter_map(|l| {
                    let (k, v) = l.split_once(' ')?;
                    Some((k.to_string(), v.trim().parse().ok()?))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn clock_ticks() -> u64 {
    nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .and_then(|t| u64::try_from(t).ok())
        .filter(|t| *t > 0)
        .unwrap_or(100)
}

/// The host's CPU time, ns: the first line of /proc/stat, as Docker sums it.
fn system_cpu_ns() -> u64 {
    let Ok(text) = std::fs::read_to_string("/proc/stat") else {
        return 0;
    };
    let ticks: u64 = text
        .lines()
        .next()
        .map(|l| {
            l.split_whitespace()
                .skip(1)
                .take(7)
                .filter_map(|n| n.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    ticks * (1_000_000_000 / clock_ticks())
}

fn host_memory() -> u64 {
    stat_map_colon("/proc/meminfo")
        .get("MemTotal")
        .map_or(0, |kb| kb * 1024)
}

fn stat_map_colon(path: &str) -> BTreeMap<String, u64> {
    std::fs::read_to_string(path)
        .map(|text| {
            text.lines()
                .filter_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    let n = v.split_whitespace().next()?.parse().ok()?;
                    Some((k.to_string(), n))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Interfaces and their counters from a `/proc/<pid>/net/dev`.
fn net_dev(path: &Path) -> BTreeMap<String, NetCounters> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return BTreeMap::new();
    };
    text.lines()
        .skip(2)
        .filter_map(|l| {
            let (name, rest) = l.split_once(':')?;
            let n: Vec<u64> = rest
                .split_whitespace()
                .filter_map(|v| v.parse().ok())
                .collect();
            if n.len() < 12 {
                return None;
            }
            Some((
                name.trim().to_string(),
                NetCounters {
                    rx_bytes: n[0],
                    rx_packets: n[1],
                    rx_errors: n[2],
                    rx_dropped: n[3],
                    tx_bytes: n[8],
                    tx_packets: n[9],
                    tx_errors: n[10],
                    tx_dropped: n[11],
                },
            ))
        })
        .collect()
}
