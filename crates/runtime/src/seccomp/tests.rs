use super::*;
use crate::caps::DOCKER_CAPABILITIES;

fn docker_caps() -> HashSet<Capability> {
    DOCKER_CAPABILITIES.into_iter().collect()
}

fn with(extra: &[Capability]) -> HashSet<Capability> {
    let mut caps = docker_caps();
    caps.extend(extra.iter().copied());
    caps
}

/// One rule as (action, errno, args as (index, value, valueTwo)).
type RuleView = (
    LinuxSeccompAction,
    Option<u32>,
    Vec<(usize, u64, Option<u64>)>,
);

/// The rules naming `name`.
fn rules_for(p: &LinuxSeccomp, name: &str) -> Vec<RuleView> {
    p.syscalls()
        .iter()
        .flatten()
        .filter(|s| s.names().iter().any(|n| n == name))
        .map(|s| {
            let args = s
                .args()
                .iter()
                .flatten()
                .map(|a| (a.index(), a.value(), a.value_two()))
                .collect();
            (s.action(), s.errno_ret(), args)
        })
        .collect()
}

fn allowed_outright(p: &LinuxSeccomp, name: &str) -> bool {
    rules_for(p, name)
        .iter()
        .any(|(action, _, args)| *action == LinuxSeccompAction::ScmpActAllow && args.is_empty())
}

const KERNEL: (u32, u32) = (6, 18);

#[test]
fn default_action_is_eperm_and_x86_64_covers_its_compat_arches() {
    let p = profile_for(Some(Arch::Amd64), KERNEL, &docker_caps()).unwrap();
    assert_eq!(p.default_action(), LinuxSeccompAction::ScmpActErrno);
    assert_eq!(p.default_errno_ret(), Some(1));
    assert_eq!(
        p.architectures().clone().unwrap(),
        vec![
            OciArch::ScmpArchX86_64,
            OciArch::ScmpArchX86,
            OciArch::ScmpArchX32
        ]
    );
    assert!(allowed_outright(&p, "read"));
    assert!(allowed_outright(&p, "arch_prctl"));
    assert!(allowed_outright(&p, "modify_ldt"));
    assert!(!allowed_outright(&p, "set_tls"));
}

#[test]
fn aarch64_covers_arm_and_gets_the_arm_calls() {
    let p = profile_for(Some(Arch::Arm64), KERNEL, &docker_caps()).unwrap();
    assert_eq!(
        p.architectures().clone().unwrap(),
        vec![OciArch::ScmpArchAarch64, OciArch::ScmpArchArm]
    );
    assert!(allowed_outright(&p, "set_tls"));
    assert!(allowed_outright(&p, "cacheflush"));
    assert!(!allowed_outright(&p, "arch_prctl"));
}

#[test]
fn unknown_arch_leaves_the_arch_list_to_libseccomp() {
    let p = profile_for(None, KERNEL, &docker_caps()).unwrap();
    assert!(p.architectures().is_none());
    assert!(!allowed_outright(&p, "arch_prctl"));
}

#[test]
fn without_sys_admin_namespaces_and_mounts_are_refused() {
    let p = profile_for(Some(Arch::Amd64), KERNEL, &docker_caps()).unwrap();
    for name in [
        "unshare",
        "setns",
        "mount",
        "umount2",
        "bpf",
        "sethostname",
        "syslog",
    ] {
        assert!(rules_for(&p, name).is_empty(), "{name} must fall to EPERM");
    }
    // clone only without namespace flags; libcontainer reads the mask from valueTwo.
    assert_eq!(
        rules_for(&p, "clone"),
        vec![(
            LinuxSeccompAction::ScmpActAllow,
            None,
            vec![(0, 0, Some(0x7E02_0000))]
        )]
    );
    // clone3 answers ENOSYS so libcs fall back to clone.
    assert_eq!(
        rules_for(&p, "clone3"),
        vec![(LinuxSeccompAction::ScmpActErrno, Some(38), vec![])]
    );
}

#[test]
fn with_sys_admin_the_admin_group_is_allowed_and_clone_is_free() {
    let p = profile_for(Some(Arch::Amd64), KERNEL, &with(&[Capability::SysAdmin])).unwrap();
    for name in [
        "unshare",
        "setns",
        "mount",
        "clone",
        "clone3",
        "lsm_set_self_attr",
    ] {
        assert!(allowed_outright(&p, name), "{name}");
    }
    assert_eq!(rules_for(&p, "clone").len(), 1);
    assert_eq!(rules_for(&p, "clone3").len(), 1);
}

#[test]
fn s390_checks_clones_second_argument() {
    let p = profile_for(Some(Arch::S390x), KERNEL, &docker_caps()).unwrap();
    assert_eq!(
        rules_for(&p, "clone"),
        vec![(
            LinuxSeccompAction::ScmpActAllow,
            None,
            vec![(1, 0, Some(0x7E02_0000))]
        )]
    );
}

#[test]
fn capability_groups_follow_the_capabilities() {
    let base = profile_for(Some(Arch::Amd64), KERNEL, &docker_caps()).unwrap();
    // CAP_SYS_CHROOT is one of Docker's defaults.
    assert!(allowed_outright(&base, "chroot"));
    let gated = [
        (Capability::SysBoot, "reboot"),
        (Capability::SysModule, "finit_module"),
        (Capability::SysPtrace, "kcmp"),
        (Capability::SysRawio, "iopl"),
        (Capability::SysTime, "settimeofday"),
        (Capability::SysNice, "mbind"),
        (Capability::Syslog, "syslog"),
        (Capability::SysPacct, "acct"),
        (Capability::SysTtyConfig, "vhangup"),
        (Capability::DacReadSearch, "open_by_handle_at"),
        (Capability::Bpf, "bpf"),
        (Capability::Perfmon, "perf_event_open"),
    ];
    for (cap, name) in gated {
        assert!(!allowed_outright(&base, name), "{name} without {cap}");
        let p = profile_for(Some(Arch::Amd64), KERNEL, &with(&[cap])).unwrap();
        assert!(allowed_outright(&p, name), "{name} with {cap}");
    }
    let no_chroot: HashSet<_> = docker_caps()
        .into_iter()
        .filter(|c| *c != Capability::SysChroot)
        .collect();
    let p = profile_for(Some(Arch::Amd64), KERNEL, &no_chroot).unwrap();
    assert!(!allowed_outright(&p, "chroot"));
}

#[test]
fn ptrace_needs_kernel_4_8() {
    let new = profile_for(Some(Arch::Amd64), KERNEL, &docker_caps()).unwrap();
    assert!(allowed_outright(&new, "ptrace"));
    let old = profile_for(Some(Arch::Amd64), (4, 4), &docker_caps()).unwrap();
    assert!(!allowed_outright(&old, "ptrace"));
}

#[test]
fn personality_and_socket_are_argument_checked() {
    let p = profile_for(Some(Arch::Amd64), KERNEL, &docker_caps()).unwrap();
    let personalities: Vec<u64> = rules_for(&p, "personality")
        .into_iter()
        .map(|(_, _, args)| args[0].1)
        .collect();
    assert_eq!(personalities, vec![0, 8, 0x20000, 0x20008, 0xffff_ffff]);
    // Every family but AF_ALG (38) and AF_VSOCK (40).
    let sockets: Vec<(u64, LinuxSeccompOperator)> = p
        .syscalls()
        .iter()
        .flatten()
        .filter(|s| s.names() == &["socket".to_string()])
        .map(|s| {
            let a = s.args().as_ref().unwrap()[0];
            (a.value(), a.op())
        })
        .collect();
    assert_eq!(
        sockets,
        vec![
            (38, LinuxSeccompOperator::ScmpCmpLt),
            (39, LinuxSeccompOperator::ScmpCmpEq),
            (40, LinuxSeccompOperator::ScmpCmpGt),
        ]
    );
}

#[test]
fn the_profile_survives_a_json_round_trip() {
    // config.json is how it reaches libcontainer.
    let p = profile_for(Some(Arch::Amd64), KERNEL, &docker_caps()).unwrap();
    let text = serde_json::to_string(&p).unwrap();
    assert!(text.contains("\"defaultErrnoRet\":1"), "{text}");
    let back: LinuxSeccomp = serde_json::from_str(&text).unwrap();
    assert_eq!(back, p);
}

#[test]
fn host_kernel_version_parses() {
    assert!(kernel_version() >= (3, 0));
}
