//! `docker top`: the container's processes (every pid in the init's cgroup), in the columns
//! Docker shows by default (those of `ps -ef`), read from /proc.

use std::path::PathBuf;

pub const TOP_TITLES: [&str; 8] = ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Top {
    pub titles: Vec<String>,
    pub processes: Vec<Vec<String>>,
}

/// The `cgroup.procs` file holding the init's cgroup: the v1 `pids` (or `memory`)
/// hierarchy, else the v2 tree.
fn procs_file(init_pid: i32) -> Option<PathBuf> {
    let text = std::fs::read_to_string(format!("/proc/{init_pid}/cgroup")).ok()?;
    let mut v2 = None;
    for line in text.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        let rel = path.trim_start_matches('/');
        for ctl in ["pids", "memory"] {
            if controllers.split(',').any(|c| c == ctl) {
                let file = PathBuf::from("/sys/fs/cgroup")
                    .join(ctl)
                    .join(rel)
                    .join("cgroup.procs");
                if file.exists() {
                    return Some(file);
                }
            }
        }
        if controllers.is_empty() {
            v2 = Some(rel.to_string());
        }
    }
    let rel = v2?;
    ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"]
        .iter()
        .map(|base| PathBuf::from(base).join(&rel).join("cgroup.procs"))
        .find(|f| f.exists())
}

pub(crate) fn pids(init_pid: i32) -> Vec<i32> {
    let mut pids: Vec<i32> = procs_file(init_pid)
        .and_then(|f| std::fs::read_to_string(f).ok())
        .map(|t| t.lines().filter_map(|l| l.trim().parse().ok()).collect())
        .unwrap_or_default();
    if pids.is_empty() {
        pids.push(init_pid);
    }
    pids.sort_unstable();
    pids
}

fn clock_ticks() -> u64 {
    // SAFETY: sysconf has no memory effects.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as u64
    } else {
        100
    }
}

fn boot_time() -> u64 {
    std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("btime ").and_then(|v| v.trim().parse().ok()))
        })
        .unwrap_or(0)
}

fn user_name(uid: u32) -> String {
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() > 2 && f[2] == uid.to_string()).then(|| f[0].to_string())
            })
        })
        .unwrap_or_else(|| uid.to_string())
}

fn tty_name(tty_nr: u64) -> String {
    let major = (tty_nr >> 8) & 0xfff;
    let minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    match major {
        0 => "?".into(),
        136..=143 => format!("pts/{}", (major - 136) * 256 + minor),
        4 => format!("tty{minor}"),
        _ => "?".into(),
    }
}

fn row(pid: i32, ticks: u64, btime: u64, now: u64) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let close = stat.rfind(')')?;
    let comm = stat.get(stat.find('(')? + 1..close)?.to_string();
    let f: Vec<&str> = stat.get(close + 2..)?.split_whitespace().collect();
    let num = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let (ppid, tty_nr, utime, stime, start) = (num(1), num(4), num(11), num(12), num(19));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let cmd = if cmdline.is_empty() {
        format!("[{comm}]")
    } else {
        String::from_utf8_lossy(&cmdline)
            .trim_end_matches('\0')
            .replace('\0', " ")
    };
    let cpu_secs = (utime + stime) / ticks;
    let started = btime + start / ticks;
    let elapsed = now.saturating_sub(started).max(1);
    let c = (cpu_secs * 100 / elapsed).min(99);
    let stime_col = {
        let s = started % 86_400;
        format!("{:02}:{:02}", s / 3600, (s / 60) % 60)
    };
    let time_col = format!(
        "{:02}:{:02}:{:02}",
        cpu_secs / 3600,
        (cpu_secs / 60) % 60,
        cpu_secs % 60
    );
    Some(vec![
        user_name(uid),
        pid.to_string(),
        ppid.to_string(),
        c.to_string(),
        stime_col,
        tty_name(tty_nr),
        time_col,
        cmd,
    ])
}

pub(crate) fn top(init_pid: i32) -> Top {
    let (ticks, btime) = (clock_ticks(), boot_time());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Top {
        titles: TOP_TITLES.iter().map(|s| s.to_string()).collect(),
        processes: pids(init_pid)
            .into_iter()
            .filter_map(|p| row(p, ticks, btime, now))
            .collect(),
    }
}
