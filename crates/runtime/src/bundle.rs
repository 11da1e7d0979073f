//! The OCI bundle (`config.json`) with Docker's defaults rather than runc's (moby's
//! `oci.DefaultLinuxSpec` and `daemon/oci_linux.go`): Docker's 14 capabilities, its masked and
//! read-only paths, its /dev, /dev/pts, /dev/shm, /dev/mqueue, /proc, read-only /sys and cgroup
//! mounts, its device cgroup allow-list, no rlimits (inherited, as Docker does), a writable
//! root, no_new_privs off unless asked, and the host cgroup namespace on cgroup v1.
//!
//! Not ported: Docker's default seccomp profile (containers run without seccomp) and AppArmor.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path};

use oci_spec::runtime::{
    Capability, LinuxBuilder, LinuxCapabilities, LinuxCapabilitiesBuilder,
    LinuxDeviceCgroupBuilder, LinuxDeviceType, LinuxNamespace, LinuxNamespaceBuilder,
    LinuxNamespaceType, LinuxResourcesBuilder, Mount, MountBuilder, Process, ProcessBuilder,
    RootBuilder, Spec, UserBuilder,
};

use crate::spec::{ContainerSpec, NetworkNamespace, DEFAULT_PATH};
use crate::user::ResolvedUser;
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

/// Docker's masked paths (Docker 28); the per-CPU `thermal_throttle` dirs are added at runtime.
pub const MASKED_PATHS: [&str; 12] = [
    "/proc/asound",
    "/proc/acpi",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
];

pub const READONLY_PATHS: [&str; 5] = [
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

fn oci(e: oci_spec::OciSpecError) -> RuntimeError {
    RuntimeError::InvalidSpec(format!("building the OCI spec: {e}"))
}

pub(crate) fn capabilities() -> Result<LinuxCapabilities, RuntimeError> {
    let set: HashSet<Capability> = DOCKER_CAPABILITIES.into_iter().collect();
    LinuxCapabilitiesBuilder::default()
        .bounding(set.clone())
        .effective(set.clone())
        .permitted(set)
        .inheritable(HashSet::new())
        .ambient(HashSet::new())
        .build()
        .map_err(oci)
}

fn mount(dest: &str, typ: &str, source: &str, options: &[&str]) -> Result<Mount, RuntimeError> {
    MountBuilder::default()
        .destination(dest)
        .typ(typ)
        .source(source)
        .options(options.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .build()
        .map_err(oci)
}

fn default_mounts() -> Result<Vec<Mount>, RuntimeError> {
    Ok(vec![
        mount("/proc", "proc", "proc", &["nosuid", "noexec", "nodev"])?,
        mount(
            "/dev",
            "tmpfs",
            "tmpfs",
            &["nosuid", "strictatime", "mode=755", "size=65536k"],
        )?,
        mount(
            "/dev/pts",
            "devpts",
            "devpts",
            &[
                "nosuid",
                "noexec",
                "newinstance",
                "ptmxmode=0666",
                "mode=0620",
                "gid=5",
            ],
        )?,
        mount(
            "/sys",
            "sysfs",
            "sysfs",
            &["nosuid", "noexec", "nodev", "ro"],
        )?,
        mount(
            "/sys/fs/cgroup",
            "cgroup",
            "cgroup",
            &["ro", "nosuid", "noexec", "nodev"],
        )?,
        mount(
            "/dev/mqueue",
            "mqueue",
            "mqueue",
            &["nosuid", "noexec", "nodev"],
        )?,
        mount(
            "/dev/shm",
            "tmpfs",
            "shm",
            &["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
        )?,
    ])
}

/// An absolute, normalised container path without `..`: bind destinations must be one.
fn check_destination(dest: &str) -> Result<(), RuntimeError> {
    let path = Path::new(dest);
    if !path.is_absolute() || path.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(RuntimeError::InvalidSpec(format!(
            "invalid mount config: mount path must be absolute: {dest}"
        )));
    }
    Ok(())
}

fn bind_mounts(spec: &ContainerSpec) -> Result<Vec<Mount>, RuntimeError> {
    let mut binds = spec.mounts.clone();
    // Parents before children, as Docker sorts mounts (by number of path components).
    binds.sort_by_key(|m| Path::new(&m.destination).components().count());
    binds
        .iter()
        .map(|m| {
            check_destination(&m.destination)?;
            let mut options = vec!["rbind", "rprivate"];
            if m.read_only {
                options.push("ro");
            }
            mount(
                &m.destination,
                "bind",
                &m.source.to_string_lossy(),
                &options,
            )
        })
        .collect()
}

fn namespace(typ: LinuxNamespaceType, path: Option<&Path>) -> Result<LinuxNamespace, RuntimeError> {
    let mut b = LinuxNamespaceBuilder::default().typ(typ);
    if let Some(p) = path {
        b = b.path(p);
    }
    b.build().map_err(oci)
}

/// True when /sys/fs/cgroup is a pure cgroup v2 mount (Docker then gives a private cgroupns).
fn cgroup_v2_unified() -> bool {
    nix::sys::statfs::statfs("/sys/fs/cgroup")
        .map(|s| s.filesystem_type() == nix::sys::statfs::CGROUP2_SUPER_MAGIC)
        .unwrap_or(false)
}

fn masked_paths() -> Vec<String> {
    let mut paths: Vec<String> = MASKED_PATHS.iter().map(|s| s.to_string()).collect();
    if let Ok(entries) = std::fs::read_dir("/sys/devices/system/cpu") {
        let mut extra: Vec<String> = entries
            .flatten()
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.strip_prefix("cpu")
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            })
            .map(|e| e.path().join("thermal_throttle"))
            .filter(|p| p.exists())
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        extra.sort();
        paths.extend(extra);
    }
    paths
}

/// Docker's device cgroup: deny everything, then allow mknod of any device and use of the
/// standard character devices, ptys and /dev/net/tun.
fn device_rules() -> Result<Vec<oci_spec::runtime::LinuxDeviceCgroup>, RuntimeError> {
    let rule = |typ: Option<LinuxDeviceType>,
                major: Option<i64>,
                minor: Option<i64>,
                access: &str,
                allow: bool| {
        let mut b = LinuxDeviceCgroupBuilder::default()
            .allow(allow)
            .access(access);
        if let Some(t) = typ {
            b = b.typ(t);
        }
        if let Some(m) = major {
            b = b.major(m);
        }
        if let Some(m) = minor {
            b = b.minor(m);
        }
        b.build().map_err(oci)
    };
    let c = Some(LinuxDeviceType::C);
    let mut rules = vec![
        rule(None, None, None, "rwm", false)?,
        rule(c, None, None, "m", true)?,
        rule(Some(LinuxDeviceType::B), None, None, "m", true)?,
    ];
    for (major, minor) in [
        (1, 3),
        (1, 5),
        (1, 7),
        (1, 8),
        (1, 9),
        (5, 0),
        (5, 1),
        (5, 2),
        (10, 200),
    ] {
        rules.push(rule(c, Some(major), Some(minor), "rwm", true)?);
    }
    rules.push(rule(c, Some(136), None, "rwm", true)?);
    Ok(rules)
}

/// `env` with Docker's default PATH added when it has none.
pub(crate) fn env_with_path(env: &[String]) -> Vec<String> {
    let mut env = env.to_vec();
    if !env.iter().any(|e| e.starts_with("PATH=")) {
        env.push(format!("PATH={DEFAULT_PATH}"));
    }
    env
}

pub(crate) fn process(
    args: &[String],
    env: Vec<String>,
    cwd: &str,
    user: &ResolvedUser,
    tty: bool,
    no_new_privileges: bool,
) -> Result<Process, RuntimeError> {
    let user = UserBuilder::default()
        .uid(user.uid)
        .gid(user.gid)
        .additional_gids(user.additional_gids.clone())
        .build()
        .map_err(oci)?;
    let mut b = ProcessBuilder::default()
        .terminal(tty)
        .user(user)
        .args(args.to_vec())
        .env(env)
        .cwd(if cwd.is_empty() { "/" } else { cwd })
        .capabilities(capabilities()?)
        .rlimits(Vec::new());
    if no_new_privileges {
        b = b.no_new_privileges(true);
    }
    b.build().map_err(oci)
}

/// Builds the whole spec for `spec`, the user already resolved.
pub fn build_spec(spec: &ContainerSpec, user: &ResolvedUser) -> Result<Spec, RuntimeError> {
    if spec.args.is_empty() {
        return Err(RuntimeError::InvalidSpec("no command specified".into()));
    }
    let mut mounts = default_mounts()?;
    mounts.extend(bind_mounts(spec)?);

    let mut namespaces = vec![
        namespace(LinuxNamespaceType::Pid, None)?,
        namespace(LinuxNamespaceType::Ipc, None)?,
        namespace(LinuxNamespaceType::Mount, None)?,
    ];
    if !spec.host_uts {
        namespaces.push(namespace(LinuxNamespaceType::Uts, None)?);
    }
    let mut sysctl = HashMap::new();
    if let NetworkNamespace::Path(p) = &spec.network {
        namespaces.push(namespace(LinuxNamespaceType::Network, Some(p))?);
        // Docker's defaults for a container with its own network namespace.
        sysctl.insert(
            "net.ipv4.ip_unprivileged_port_start".to_string(),
            "0".to_string(),
        );
        sysctl.insert(
            "net.ipv4.ping_group_range".to_string(),
            "0 2147483647".to_string(),
        );
    }
    if cgroup_v2_unified() {
        namespaces.push(namespace(LinuxNamespaceType::Cgroup, None)?);
    }
    let cgroups_path = spec
        .cgroups_path
        .clone()
        .unwrap_or_else(|| format!("/berth/{}", spec.id));
    let linux = LinuxBuilder::default()
        .namespaces(namespaces)
        .masked_paths(masked_paths())
        .readonly_paths(
            READONLY_PATHS
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>(),
        )
        .cgroups_path(cgroups_path)
        .sysctl(sysctl)
        .resources(
            LinuxResourcesBuilder::default()
                .devices(device_rules()?)
                .build()
                .map_err(oci)?,
        )
        .build()
        .map_err(oci)?;

    let mut oci_spec = Spec::default();
    oci_spec.set_root(Some(
        RootBuilder::default()
            .path(&spec.rootfs)
            .readonly(false)
            .build()
            .map_err(oci)?,
    ));
    oci_spec.set_mounts(Some(mounts));
    oci_spec.set_process(Some(process(
        &spec.args,
        env_with_path(&spec.env),
        &spec.cwd,
        user,
        spec.tty,
        spec.no_new_privileges,
    )?));
    oci_spec.set_hostname(if spec.host_uts {
        None
    } else {
        Some(spec.hostname.clone())
    });
    oci_spec.set_linux(Some(linux));
    oci_spec.set_annotations(None);
    Ok(oci_spec)
}
