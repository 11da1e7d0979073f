//! `CapAdd` / `CapDrop` names, checked at create as Docker checks them
//! (moby `caps.NormalizeLegacyCapabilities`): any case, `CAP_` optional, `ALL` allowed.

use crate::error::ApiError;

/// Every Linux capability name Docker knows.
const KNOWN: [&str; 41] = [
    "CAP_AUDIT_CONTROL",
    "CAP_AUDIT_READ",
    "CAP_AUDIT_WRITE",
    "CAP_BLOCK_SUSPEND",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_KILL",
    "CAP_LEASE",
    "CAP_LINUX_IMMUTABLE",
    "CAP_MAC_ADMIN",
    "CAP_MAC_OVERRIDE",
    "CAP_MKNOD",
    "CAP_NET_ADMIN",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_RAW",
    "CAP_PERFMON",
    "CAP_SETFCAP",
    "CAP_SETGID",
    "CAP_SETPCAP",
    "CAP_SETUID",
    "CAP_SYSLOG",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_CHROOT",
    "CAP_SYS_MODULE",
    "CAP_SYS_NICE",
    "CAP_SYS_PACCT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_WAKE_ALARM",
];

/// Checks `CapAdd` and `CapDrop`: `invalid CapAdd: unknown capability: "CAP_FOO"`.
pub fn validate_capabilities(cap_add: &[String], cap_drop: &[String]) -> Result<(), ApiError> {
    for (field, list) in [("CapAdd", cap_add), ("CapDrop", cap_drop)] {
        for name in list {
            let upper = name.to_uppercase();
            if upper == "ALL" {
                continue;
            }
            let full = if upper.starts_with("CAP_") {
                upper
            } else {
                format!("CAP_{upper}")
            };
            if !KNOWN.contains(&full.as_str()) {
                return Err(ApiError::invalid(format!(
                    "invalid {field}: unknown capability: {full:?}"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn any_spelling_and_all_pass() {
        assert!(
            validate_capabilities(&v(&["net_admin", "CAP_SYS_TIME", "all"]), &v(&["ALL"])).is_ok()
        );
    }

    #[test]
    fn unknown_names_carry_dockers_text() {
        let err = validate_capabilities(&v(&["FOO"]), &[]).unwrap_err();
        assert_eq!(
            err.message,
            "invalid CapAdd: unknown capability: \"CAP_FOO\""
        );
        let err = validate_capabilities(&[], &v(&["cap_bar"])).unwrap_err();
        assert_eq!(
            err.message,
            "invalid CapDrop: unknown capability: \"CAP_BAR\""
        );
    }
}
