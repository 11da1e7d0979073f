//! Data: the rules of Docker's default profile that depend on the architecture, the
//! container's capabilities, the kernel or the syscall's arguments (moby
//! `profiles/seccomp/default.json` after its first group; the `socket` rule also refuses
//! AF_ALG, as Docker does since the CVE-2026-31431 fix, and the `lsm_*` calls need
//! CAP_SYS_ADMIN as in moby#50097).

use oci_spec::runtime::Capability as Cap;
use oci_spec::runtime::LinuxSeccompOperator as Op;

/// An architecture as the rules name it (libseccomp's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    X86,
    Amd64,
    X32,
    Arm,
    Arm64,
    S390,
    S390x,
    Ppc64le,
    Riscv64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    Allow,
    Errno(u32),
}

/// `args[index] <op> value`; for [`Op::ScmpCmpMaskedEq`], `args[index] & value == 0`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Condition {
    pub index: usize,
    pub value: u64,
    pub op: Op,
}

/// One rule; it is kept when every filter (arches, capabilities, kernel) agrees.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rule {
    pub names: &'static [&'static str],
    pub action: Action,
    /// All must hold (several rules for one syscall are alternatives).
    pub args: &'static [Condition],
    /// Kept only on these architectures; empty means all.
    pub arches: &'static [Arch],
    /// Dropped on these architectures.
    pub not_arches: &'static [Arch],
    /// Kept only when the container has every one of these capabilities.
    pub caps: &'static [Cap],
    /// Dropped when the container has any of these capabilities.
    pub not_caps: &'static [Cap],
    /// Kept only on kernels at least this (major, minor).
    pub min_kernel: Option<(u32, u32)>,
}

const ALLOW: Rule = Rule {
    names: &[],
    action: Action::Allow,
    args: &[],
    arches: &[],
    not_arches: &[],
    caps: &[],
    not_caps: &[],
    min_kernel: None,
};

const fn arg0(op: Op, value: u64) -> Condition {
    Condition {
        index: 0,
        value,
        op,
    }
}

const AF_ALG: u64 = 38;
const AF_VSOCK: u64 = 40;
/// CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
/// CLONE_NEWCGROUP: without CAP_SYS_ADMIN, clone may create no namespace.
const NAMESPACE_FLAGS: u64 = 0x7E02_0000;
const ENOSYS: u32 = 38;

pub(super) const RULES: &[Rule] = &[
    Rule {
        names: &["process_vm_readv", "process_vm_writev", "ptrace"],
        min_kernel: Some((4, 8)),
        ..ALLOW
    },
    // Every address family but AF_ALG (38) and AF_VSOCK (40): three ranges, since the
    // conditions of one rule must all hold.
    Rule {
        names: &["socket"],
        args: &[arg0(Op::ScmpCmpLt, AF_ALG)],
        ..ALLOW
    },
    Rule {
        names: &["socket"],
        args: &[arg0(Op::ScmpCmpEq, AF_ALG + 1)],
        ..ALLOW
    },
    Rule {
        names: &["socket"],
        args: &[arg0(Op::ScmpCmpGt, AF_VSOCK)],
        ..ALLOW
    },
    // personality: only PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32 and the query.
    Rule {
        names: &["personality"],
        args: &[arg0(Op::ScmpCmpEq, 0x0)],
        ..ALLOW
    },
    Rule {
        names: &["personality"],
        args: &[arg0(Op::ScmpCmpEq, 0x0008)],
        ..ALLOW
    },
    Rule {
        names: &["personality"],
        args: &[arg0(Op::ScmpCmpEq, 0x20000)],
        ..ALLOW
    },
    Rule {
        names: &["personality"],
        args: &[arg0(Op::ScmpCmpEq, 0x20008)],
        ..ALLOW
    },
    Rule {
        names: &["personality"],
        args: &[arg0(Op::ScmpCmpEq, 0xffff_ffff)],
        ..ALLOW
    },
    Rule {
        names: &["sync_file_range2", "swapcontext"],
        arches: &[Arch::Ppc64le],
        ..ALLOW
    },
    Rule {
        names: &[
            "arm_fadvise64_64",
            "arm_sync_file_range",
            "sync_file_range2",
            "breakpoint",
            "cacheflush",
            "set_tls",
        ],
        arches: &[Arch::Arm, Arch::Arm64],
        ..ALLOW
    },
    Rule {
        names: &["arch_prctl"],
        arches: &[Arch::Amd64, Arch::X32],
        ..ALLOW
    },
    Rule {
        names: &["modify_ldt"],
        arches: &[Arch::Amd64, Arch::X32, Arch::X86],
        ..ALLOW
    },
    Rule {
        names: &[
            "s390_pci_mmio_read",
            "s390_pci_mmio_write",
            "s390_runtime_instr",
        ],
        arches: &[Arch::S390, Arch::S390x],
        ..ALLOW
    },
    Rule {
        names: &["riscv_flush_icache", "riscv_hwprobe"],
        arches: &[Arch::Riscv64],
        ..ALLOW
    },
    Rule {
        names: &["open_by_handle_at"],
        caps: &[Cap::DacReadSearch],
        ..ALLOW
    },
    Rule {
        names: &[
            "bpf",
            "clone",
            "clone3",
            "fanotify_init",
            "fsconfig",
            "fsmount",
            "fsopen",
            "fspick",
            "lookup_dcookie",
            "lsm_get_self_attr",
            "lsm_list_modules",
            "lsm_set_self_attr",
            "mount",
            "mount_setattr",
            "move_mount",
            "open_tree",
            "perf_event_open",
            "quotactl",
            "quotactl_fd",
            "setdomainname",
            "sethostname",
            "setns",
            "syslog",
            "umount",
            "umount2",
            "unshare",
        ],
        caps: &[Cap::SysAdmin],
        ..ALLOW
    },
    Rule {
        names: &["clone"],
        args: &[arg0(Op::ScmpCmpMaskedEq, NAMESPACE_FLAGS)],
        not_caps: &[Cap::SysAdmin],
        not_arches: &[Arch::S390, Arch::S390x],
        ..ALLOW
    },
    // s390 passes clone's flags second.
    Rule {
        names: &["clone"],
        args: &[Condition {
            index: 1,
            value: NAMESPACE_FLAGS,
            op: Op::ScmpCmpMaskedEq,
        }],
        arches: &[Arch::S390, Arch::S390x],
        not_caps: &[Cap::SysAdmin],
        ..ALLOW
    },
    // clone3's flags sit behind a pointer seccomp cannot read: ENOSYS makes libcs fall back
    // to clone, whose flags the rule above checks.
    Rule {
        names: &["clone3"],
        action: Action::Errno(ENOSYS),
        not_caps: &[Cap::SysAdmin],
        ..ALLOW
    },
    Rule {
        names: &["reboot"],
        caps: &[Cap::SysBoot],
        ..ALLOW
    },
    Rule {
        names: &["chroot"],
        caps: &[Cap::SysChroot],
        ..ALLOW
    },
    Rule {
        names: &["delete_module", "init_module", "finit_module"],
        caps: &[Cap::SysModule],
        ..ALLOW
    },
    Rule {
        names: &["acct"],
        caps: &[Cap::SysPacct],
        ..ALLOW
    },
    Rule {
        names: &[
            "kcmp",
            "pidfd_getfd",
            "process_madvise",
            "process_vm_readv",
            "process_vm_writev",
            "ptrace",
        ],
        caps: &[Cap::SysPtrace],
        ..ALLOW
    },
    Rule {
        names: &["iopl", "ioperm"],
        caps: &[Cap::SysRawio],
        ..ALLOW
    },
    Rule {
        names: &["settimeofday", "stime", "clock_settime", "clock_settime64"],
        caps: &[Cap::SysTime],
        ..ALLOW
    },
    Rule {
        names: &["vhangup"],
        caps: &[Cap::SysTtyConfig],
        ..ALLOW
    },
    Rule {
        names: &[
            "get_mempolicy",
            "mbind",
            "set_mempolicy",
            "set_mempolicy_home_node",
        ],
        caps: &[Cap::SysNice],
        ..ALLOW
    },
    Rule {
        names: &["syslog"],
        caps: &[Cap::Syslog],
        ..ALLOW
    },
    Rule {
        names: &["bpf"],
        caps: &[Cap::Bpf],
        ..ALLOW
    },
    Rule {
        names: &["perf_event_open"],
        caps: &[Cap::Perfmon],
        ..ALLOW
    },
];
