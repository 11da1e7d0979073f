//! Facts about the host and daemon that `/info` and `/version` report.

use super::options::DaemonOptions;
use berth_api::DaemonInfo;
use berth_model::ipam::PoolSpec;
use berth_store::Store;

/// A stable daemon ID, made on first start (Docker's is a UUID as well).
pub fn engine_id(store: &Store) -> Result<String, String> {
    if let Some(id) = store
        .meta::<String>("engine_id")
        .map_err(|e| e.to_string())?
    {
        return Ok(id);
    }
    let hex = berth_model::ids::generate_id();
    let id = format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    );
    store
        .put_meta("engine_id", &id)
        .map_err(|e| e.to_string())?;
    Ok(id)
}

pub fn gather(id: String, opts: &DaemonOptions, pools: Vec<PoolSpec>) -> DaemonInfo {
    let uname = nix::sys::utsname::uname().ok();
    let field = |f: fn(&nix::sys::utsname::UtsName) -> &std::ffi::OsStr| {
        uname
            .as_ref()
            .map(|u| f(u).to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    DaemonInfo {
        id,
        name: field(|u| u.nodename()),
        data_root: opts.data_root.display().to_string(),
        kernel_version: field(|u| u.release()),
        operating_system: os_pretty_name(),
        architecture: field(|u| u.machine()),
        ncpu: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        mem_total: mem_total(),
        default_address_pools: pools,
        debug: opts.log_level == "debug",
    }
}

fn os_pretty_name() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("PRETTY_NAME=")
                    .map(|v| v.trim_matches('"').to_string())
            })
        })
        .unwrap_or_else(|| "Linux".into())
}

fn mem_total() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                let kb = l
                    .strip_prefix("MemTotal:")?
                    .trim()
                    .trim_end_matches("kB")
                    .trim();
                kb.parse::<u64>().ok()
            })
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}
