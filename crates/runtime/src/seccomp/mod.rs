//! Docker's default seccomp profile as an OCI `linux.seccomp`: everything not allowed fails
//! with EPERM; the allow list and the conditional rules ([`rules`]) are filtered for the host's
//! architecture, its kernel and the container's capabilities, as moby's `setupSeccomp` does.

mod allowed;
mod executor;
mod rules;

use std::collections::HashSet;

use oci_spec::runtime::{
    Arch as OciArch, Capability, LinuxSeccomp, LinuxSeccompAction, LinuxSeccompArgBuilder,
    LinuxSeccompBuilder, LinuxSeccompOperator, LinuxSyscall, LinuxSyscallBuilder,
};

pub(crate) use executor::SeccompExecutor;
pub use rules::Arch;

use crate::RuntimeError;
use rules::{Action, Rule, RULES};

const EPERM: u32 = 1;

fn oci(e: oci_spec::OciSpecError) -> RuntimeError {
    RuntimeError::InvalidSpec(format!("building the seccomp profile: {e}"))
}

/// The architecture berth runs on, if the profile knows it.
pub fn host_arch() -> Option<Arch> {
    match std::env::consts::ARCH {
        "x86_64" => Some(Arch::Amd64),
        "x86" => Some(Arch::X86),
        "aarch64" => Some(Arch::Arm64),
        "arm" => Some(Arch::Arm),
        "s390x" => Some(Arch::S390x),
        "powerpc64" if cfg!(target_endian = "little") => Some(Arch::Ppc64le),
        "riscv64" => Some(Arch::Riscv64),
        _ => None,
    }
}

/// The architectures a filter covers on `arch`: the native one and the compat ones its
/// kernel also runs (moby's `archMap`). Empty: libseccomp's native only.
fn arch_map(arch: Option<Arch>) -> Vec<OciArch> {
    match arch {
        Some(Arch::Amd64) => vec![
            OciArch::ScmpArchX86_64,
            OciArch::ScmpArchX86,
            OciArch::ScmpArchX32,
        ],
        Some(Arch::Arm64) => vec![OciArch::ScmpArchAarch64, OciArch::ScmpArchArm],
        Some(Arch::S390x) => vec![OciArch::ScmpArchS390x, OciArch::ScmpArchS390],
        Some(Arch::Riscv64) => vec![OciArch::ScmpArchRiscv64],
        _ => Vec::new(),
    }
}

/// The running kernel's (major, minor); (0, 0) if its release string is unreadable, which
/// only drops the rules that need a newer kernel.
fn kernel_version() -> (u32, u32) {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let mut numbers = release
        .split(|c: char| !c.is_ascii_digit())
        .map(|n| n.parse::<u32>().unwrap_or(0));
    (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0))
}

/// Whether `rule` applies to a container with capabilities `caps` (its bounding set).
fn applies(
    rule: &Rule,
    arch: Option<Arch>,
    kernel: (u32, u32),
    caps: &HashSet<Capability>,
) -> bool {
    let on = |list: &[Arch]| arch.is_some_and(|a| list.contains(&a));
    if on(rule.not_arches) || rule.not_caps.iter().any(|c| caps.contains(c)) {
        return false;
    }
    (rule.arches.is_empty() || on(rule.arches))
        && rule.caps.iter().all(|c| caps.contains(c))
        && rule.min_kernel.is_none_or(|min| kernel >= min)
}

fn syscall(rule: &Rule) -> Result<LinuxSyscall, RuntimeError> {
    let mut b = LinuxSyscallBuilder::default()
        .names(rule.names.iter().map(|n| n.to_string()).collect::<Vec<_>>());
    b = match rule.action {
        Action::Allow => b.action(LinuxSeccompAction::ScmpActAllow),
        Action::Errno(errno) => b.action(LinuxSeccompAction::ScmpActErrno).errno_ret(errno),
    };
    if !rule.args.is_empty() {
        let args = rule
            .args
            .iter()
            .map(|a| {
                let arg = LinuxSeccompArgBuilder::default().index(a.index).op(a.op);
                if a.op == LinuxSeccompOperator::ScmpCmpMaskedEq {
                    // The OCI spec reads `value` as the mask and `valueTwo` as the expected
                    // result, but libcontainer 0.7 hands them to libseccomp the other way
                    // round (with a zero mask the rule would allow every clone). The bundle
                    // is only ever read by that pinned libcontainer, so the mask goes in
                    // `valueTwo` and the expected 0 in `value` (tests/seccomp.rs proves it).
                    arg.value(0u64).value_two(a.value).build()
                } else {
                    arg.value(a.value).build()
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(oci)?;
        b = b.args(args);
    }
    b.build().map_err(oci)
}

/// Docker's default profile for `arch` and `kernel`, for a container whose bounding
/// capability set is `caps`.
pub fn profile_for(
    arch: Option<Arch>,
    kernel: (u32, u32),
    caps: &HashSet<Capability>,
) -> Result<LinuxSeccomp, RuntimeError> {
    let always = Rule {
        names: allowed::ALWAYS_ALLOWED,
        action: Action::Allow,
        args: &[],
        arches: &[],
        not_arches: &[],
        caps: &[],
        not_caps: &[],
        min_kernel: None,
    };
    let mut syscalls = vec![syscall(&always)?];
    for rule in RULES.iter().filter(|r| applies(r, arch, kernel, caps)) {
        syscalls.push(syscall(rule)?);
    }
    let mut b = LinuxSeccompBuilder::default()
        .default_action(LinuxSeccompAction::ScmpActErrno)
        .default_errno_ret(EPERM)
        .syscalls(syscalls);
    let arches = arch_map(arch);
    if !arches.is_empty() {
        b = b.architectures(arches);
    }
    b.build().map_err(oci)
}

/// Docker's default profile on this host for a container with capabilities `caps`.
pub fn default_profile(caps: &HashSet<Capability>) -> Result<LinuxSeccomp, RuntimeError> {
    profile_for(host_arch(), kernel_version(), caps)
}

#[cfg(test)]
mod tests;
