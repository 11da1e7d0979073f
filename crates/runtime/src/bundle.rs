//! The OCI bundle (`config.json`) with Docker's defaults rather than runc's (moby's
//! `oci.DefaultLinuxSpec` and `daemon/oci_linux.go`): Docker's 14 capabilities, its masked and
//! read-only paths, its /dev, /dev/pts, /dev/shm, /dev/mqueue, /proc, read-only /sys and cgroup
//! mounts, its device cgroup allow-list, no rlimits (inherited, as Docker does), a writable
//! root, no_new_privs off unless asked, the host cgroup namespace on cgroup v1, and Docker's
//! default seccomp profile for the container's capabilities (none for `--privileged` or
//! `seccomp=unconfined`).
//!
//! Not ported: AppArmor.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path};

use oci_spec::runtime::{
    Capability, LinuxBuilder, LinuxCapabilities, LinuxCapabilitiesBuilder,
    LinuxDeviceCgroupBuilder, LinuxDeviceType, LinuxNamespace, LinuxNamespaceBuilder,
    LinuxNamespaceType, LinuxResourcesBuilder, Mount, MountBuilder, Process, ProcessBuilder,
    RootBuilder, Spec, UserBuilder,
};

use crate::caps::container_capabilities;
use crate::spec::{ContainerSpec, NetworkNamespace, SeccompMode, DEFAULT_PATH};
use crate::user::ResolvedUser;
use crate::{host_devices, seccomp, RuntimeError};

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

pub(crate) fn capabilities(set: HashSet<Capability>) -> Result<LinuxCapabilities, RuntimeError> {
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

/// Docker's mounts; a privileged container's /sys and cgroup mounts are writable.
fn default_mounts(privileged: bool) -> Result<Vec<Mount>, RuntimeError> {
    let sys: &[&str] = if privileged {
        &["nosuid", "noexec", "nodev"]
    } else {
        &["nosuid", "noexec", "nodev", "ro"]
    };
    let cgroup: &[&str] = if privileged {
        &["nosuid", "noexec", "nodev"]
    } else {
        &["ro", "nosuid", "noexec", "nodev"]
    };
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
        mount("/sys", "sysfs", "sysfs", sys)?,
        mount("/sys/fs/cgroup", "cgroup", "cgroup", cgroup)?,
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

/// Docker's defaults for a tmpfs, then the user's options; a later flag overrides its
/// opposite (`exec` lifts `noexec`), as moby's `MergeTmpfsOptions` does.
fn tmpfs_options(user: &[String]) -> Vec<String> {
    let mut out: Vec<String> = ["noexec", "nosuid", "nodev", "rprivate"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for o in user {
        let key = o.split_once('=').map(|(k, _)| k).unwrap_or(o);
        let opposite = key
            .strip_prefix("no")
            .map(str::to_string)
            .unwrap_or_else(|| format!("no{key}"));
        out.retain(|x| {
            let xk = x.split_once('=').map(|(k, _)| k).unwrap_or(x);
            xk != key && xk != opposite
        });
        out.push(o.clone());
    }
    out
}

/// The user's binds, volumes and tmpfs mounts, parents before children as Docker sorts
/// them (by number of path components).
fn bind_mounts(spec: &ContainerSpec) -> Result<Vec<Mount>, RuntimeError> {
    let mut all: Vec<(usize, Mount)> = Vec::new();
    for m in &spec.mounts {
        check_destination(&m.destination)?;
        let mut options = vec!["rbind", "rprivate"];
        if m.read_only {
            options.push("ro");
        }
        let depth = Path::new(&m.destination).components().count();
        all.push((
            depth,
            mount(
                &m.destination,
                "bind",
                &m.source.to_string_lossy(),
                &options,
            )?,
        ));
    }
    for t in &spec.tmpfs {
        check_destination(&t.destination)?;
        let options = tmpfs_options(&t.options);
        let options: Vec<&str> = options.iter().map(String::as_str).collect();
        let depth = Path::new(&t.destination).components().count();
        all.push((depth, mount(&t.destination, "tmpfs", "tmpfs", &options)?));
    }
    all.sort_by_key(|(depth, _)| *depth);
    Ok(all.into_iter().map(|(_, m)| m).collect())
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
/// standard character devices, ptys and /dev/net/tun; a privileged container may use all.
fn device_rules(
    privileged: bool,
) -> Result<Vec<oci_spec::runtime::LinuxDeviceCgroup>, RuntimeError> {
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
    if privileged {
        return Ok(vec![rule(None, None, None, "rwm", true)?]);
    }
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
    capabilities: LinuxCapabilities,
) -> Result<Process, RuntimeError> {
    let user = UserBuilder::default()
        .uid(user.uid)
        .gid(user.gid)
        .additional_gids(user.additional_gids.clone())
        .build()
        .map_err(oci)?;
    let mut process = ProcessBuilder::default()
        .terminal(tty)
        .user(user)
        .args(args.to_vec())
        .env(env)
        .cwd(if cwd.is_empty() { "/" } else { cwd })
        .capabilities(capabilities)
        .rlimits(Vec::new())
        .build()
        .map_err(oci)?;
    // oci-spec's default is runc's `true`; Docker's is off. Absent rather than `false`:
    // libcontainer then loads the seccomp filter before dropping capabilities, as runc does,
    // which a process without CAP_SYS_ADMIN and without no_new_privs needs.
    process.set_no_new_privileges(no_new_privileges.then_some(true));
    Ok(process)
}

/// The capabilities and no_new_privs of a process exec'ed in the container whose bundle is
/// `container`: the container's capabilities; no_new_privs when the container has it, or when
/// the exec must load the container's seccomp filter after dropping to `user` without
/// CAP_SYS_ADMIN (see [`crate::seccomp`]'s executor).
pub(crate) fn exec_security(
    container: &Spec,
    user: &ResolvedUser,
) -> Result<(LinuxCapabilities, bool), RuntimeError> {
    let process = container.process().as_ref();
    let caps = match process.and_then(|p| p.capabilities().clone()) {
        Some(caps) => caps,
        None => capabilities(crate::DOCKER_CAPABILITIES.into_iter().collect())?,
    };
    let filtered = container
        .linux()
        .as_ref()
        .is_some_and(|l| l.seccomp().is_some());
    let keeps_admin = user.uid == 0
        && caps
            .effective()
            .as_ref()
            .is_some_and(|e| e.contains(&Capability::SysAdmin));
    let container_nnp = process.and_then(|p| p.no_new_privileges()).unwrap_or(false);
    Ok((caps, container_nnp || (filtered && !keeps_admin)))
}

/// Builds the whole spec for `spec`, the user already resolved.
pub fn build_spec(spec: &ContainerSpec, user: &ResolvedUser) -> Result<Spec, RuntimeError> {
    if spec.args.is_empty() {
        return Err(RuntimeError::InvalidSpec("no command specified".into()));
    }
    let caps = container_capabilities(spec.privileged, &spec.cap_add, &spec.cap_drop)?;
    // Docker filters on the bounding set, which is the whole set here.
    let seccomp = if spec.privileged || spec.seccomp == SeccompMode::Unconfined {
        None
    } else {
        Some(seccomp::default_profile(&caps)?)
    };
    let mut mounts = default_mounts(spec.privileged)?;
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
    let (masked, readonly) = if spec.privileged {
        (Vec::new(), Vec::new())
    } else {
        (
            masked_paths(),
            READONLY_PATHS.iter().map(|s| s.to_string()).collect(),
        )
    };
    let mut linux = LinuxBuilder::default()
        .namespaces(namespaces)
        .masked_paths(masked)
        .readonly_paths(readonly)
        .cgroups_path(cgroups_path)
        .sysctl(sysctl)
        .resources(
            LinuxResourcesBuilder::default()
                .devices(device_rules(spec.privileged)?)
                .build()
                .map_err(oci)?,
        );
    if spec.privileged {
        linux = linux.devices(host_devices::host_devices());
    }
    if let Some(profile) = seccomp {
        linux = linux.seccomp(profile);
    }
    let linux = linux.build().map_err(oci)?;

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
        capabilities(caps)?,
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

#[cfg(test)]
mod mount_tests {
    use super::*;

    #[test]
    fn tmpfs_options_merge_over_dockers_defaults() {
        let user = ["exec".to_string(), "size=1m".to_string()];
        assert_eq!(
            tmpfs_options(&user),
            ["nosuid", "nodev", "rprivate", "exec", "size=1m"]
        );
        assert_eq!(
            tmpfs_options(&["size=2m".to_string(), "size=3m".to_string()]),
            ["noexec", "nosuid", "nodev", "rprivate", "size=3m"]
        );
    }
}
