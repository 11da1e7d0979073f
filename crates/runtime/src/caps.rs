//! The container's capability set, decided as Docker decides it (moby `caps.TweakCapabilities`):
//! Docker's 14 defaults, minus `--cap-drop`, plus `--cap-add`; `ALL` on either side; every
//! capability the host kernel knows for `--privileged`.

use std::collections::HashSet;

use oci_spec::runtime::Capability;
use serde::Deserialize;

use crate::RuntimeError;

/// Docker's default capability set (moby `caps.DefaultCapabilities`).
pub const DOCKER_CAPABILITIES: [Capability; 14] = [
    Capability::Chown,
    Capability::DacOverride,
    Capability::Fsetid,
    Capability::Fowner,
    Capability::Mknod,
    Capability::NetRaw,
    Capability::Setgid,
    Capability::Setuid,
    Capability::Setfcap,
    Capability::Setpcap,
    Capability::NetBindService,
    Capability::SysChroot,
    Capability::Kill,
    Capability::AuditWrite,
];

/// Every capability, indexed by its kernel number.
const ALL_CAPABILITIES: [Capability; 41] = [
    Capability::Chown,
    Capability::DacOverride,
    Capability::DacReadSearch,
    Capability::Fowner,
    Capability::Fsetid,
    Capability::Kill,
    Capability::Setgid,
    Capability::Setuid,
    Capability::Setpcap,
    Capability::LinuxImmutable,
    Capability::NetBindService,
    Capability::NetBroadcast,
    Capability::NetAdmin,
    Capability::NetRaw,
    Capability::IpcLock,
    Capability::IpcOwner,
    Capability::SysModule,
    Capability::SysRawio,
    Capability::SysChroot,
    Capability::SysPtrace,
    Capability::SysPacct,
    Capability::SysAdmin,
    Capability::SysBoot,
    Capability::SysNice,
    Capability::SysResource,
    Capability::SysTime,
    Capability::SysTtyConfig,
    Capability::Mknod,
    Capability::Lease,
    Capability::AuditWrite,
    Capability::AuditControl,
    Capability::Setfcap,
    Capability::MacOverride,
    Capability::MacAdmin,
    Capability::Syslog,
    Capability::WakeAlarm,
    Capability::BlockSuspend,
    Capability::AuditRead,
    Capability::Perfmon,
    Capability::Bpf,
    Capability::CheckpointRestore,
];

/// What `ALL` means on this host: the capabilities up to the kernel's last one that berth's
/// own bounding set still holds (a sandboxed host may lack some), so the container never asks
/// for one it cannot get.
pub(crate) fn host_capabilities() -> Vec<Capability> {
    let last = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .unwrap_or(ALL_CAPABILITIES.len() - 1);
    let bounding = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("CapBnd:"))
                .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        })
        .unwrap_or(u64::MAX);
    ALL_CAPABILITIES
        .iter()
        .enumerate()
        .take(last + 1)
        .filter(|(bit, _)| bounding & (1u64 << bit) != 0)
        .map(|(_, c)| *c)
        .collect()
}

/// One `--cap-add`/`--cap-drop` entry: `None` for `ALL`. Case and the `CAP_` prefix are free.
fn parse(name: &str) -> Result<Option<Capability>, RuntimeError> {
    let upper = name.to_uppercase();
    if upper == "ALL" {
        return Ok(None);
    }
    let full = if upper.starts_with("CAP_") {
        upper
    } else {
        format!("CAP_{upper}")
    };
    Capability::deserialize(serde_json::Value::String(full.clone()))
        .map(Some)
        .map_err(|_| RuntimeError::InvalidSpec(format!("unknown capability: {full:?}")))
}

/// The container's capabilities (bounding, effective and permitted alike).
pub fn container_capabilities(
    privileged: bool,
    add: &[String],
    drop: &[String],
) -> Result<HashSet<Capability>, RuntimeError> {
    if privileged {
        return Ok(host_capabilities().into_iter().collect());
    }
    let parse_all = |names: &[String]| -> Result<(bool, Vec<Capability>), RuntimeError> {
        let mut all = false;
        let mut caps = Vec::new();
        for name in names {
            match parse(name)? {
                None => all = true,
                Some(c) => caps.push(c),
            }
        }
        Ok((all, caps))
    };
    let (add_all, add) = parse_all(add)?;
    let (drop_all, drop) = parse_all(drop)?;
    let set = if add_all {
        host_capabilities()
            .into_iter()
            .filter(|c| !drop.contains(c))
            .collect()
    } else if drop_all {
        add.into_iter().collect()
    } else {
        DOCKER_CAPABILITIES
            .into_iter()
            .filter(|c| !drop.contains(c))
            .chain(add)
            .collect()
    };
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(add: &[&str], drop: &[&str]) -> HashSet<Capability> {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        container_capabilities(false, &s(add), &s(drop)).unwrap()
    }

    #[test]
    fn defaults_are_dockers_fourteen() {
        assert_eq!(caps(&[], &[]), DOCKER_CAPABILITIES.into_iter().collect());
    }

    #[test]
    fn add_and_drop_in_any_spelling() {
        let c = caps(&["sys_admin", "CAP_NET_ADMIN"], &["cap_chown", "Mknod"]);
        assert!(c.contains(&Capability::SysAdmin) && c.contains(&Capability::NetAdmin));
        assert!(!c.contains(&Capability::Chown) && !c.contains(&Capability::Mknod));
        assert_eq!(c.len(), 14);
    }

    #[test]
    fn all_on_either_side() {
        let c = caps(&["ALL"], &["SYS_ADMIN"]);
        assert!(c.contains(&Capability::SysModule) && !c.contains(&Capability::SysAdmin));
        assert_eq!(
            caps(&["NET_ADMIN"], &["all"]),
            [Capability::NetAdmin].into()
        );
    }

    #[test]
    fn privileged_gets_every_capability_of_the_kernel() {
        let c = container_capabilities(true, &[], &["ALL".into()]).unwrap();
        assert_eq!(c.len(), host_capabilities().len());
        assert!(c.contains(&Capability::SysAdmin));
    }

    #[test]
    fn unknown_capability_has_dockers_text() {
        let err = container_capabilities(false, &["FOO".into()], &[]).unwrap_err();
        assert_eq!(err.to_string(), "unknown capability: \"CAP_FOO\"");
    }

    #[test]
    fn kernel_numbers_match_the_names() {
        // Spot checks of the table's order against linux/capability.h.
        assert_eq!(ALL_CAPABILITIES[21], Capability::SysAdmin);
        assert_eq!(ALL_CAPABILITIES[29], Capability::AuditWrite);
        assert_eq!(ALL_CAPABILITIES[40], Capability::CheckpointRestore);
    }
}
