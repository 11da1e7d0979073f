//! `HostConfig.SecurityOpt` (`--security-opt`), parsed with the rules and messages of
//! Docker's daemon (moby `parseSecurityOpt`).

use crate::error::ApiError;
use crate::network::parse_go_bool;

/// The seccomp filter a container asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SeccompProfile {
    /// Docker's default profile (no option, `seccomp=builtin`).
    #[default]
    Default,
    /// `seccomp=unconfined`: no filter.
    Unconfined,
    /// A profile's JSON, as the docker CLI sends it after reading `seccomp=FILE`.
    Custom(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityOptions {
    pub no_new_privileges: bool,
    pub seccomp: SeccompProfile,
}

impl SecurityOptions {
    /// Parses the options; labels and AppArmor profiles are accepted and ignored, as Docker
    /// does on a host without SELinux or AppArmor.
    pub fn parse(opts: &[String]) -> Result<SecurityOptions, ApiError> {
        let mut out = SecurityOptions::default();
        for opt in opts {
            match opt.as_str() {
                "no-new-privileges" => {
                    out.no_new_privileges = true;
                    continue;
                }
                "disable" => continue,
                _ => {}
            }
            // `key:value` is Docker's deprecated spelling, still accepted.
            let cut = if opt.contains('=') {
                opt.split_once('=')
            } else {
                opt.split_once(':')
            };
            let Some((key, value)) = cut else {
                return Err(ApiError::invalid(format!(
                    "invalid --security-opt 1: {opt:?}"
                )));
            };
            let invalid = || ApiError::invalid(format!("invalid --security-opt 2: {opt:?}"));
            match key {
                "label" | "apparmor" => {}
                "seccomp" => {
                    out.seccomp = match value {
                        "" | "builtin" => SeccompProfile::Default,
                        "unconfined" => SeccompProfile::Unconfined,
                        json => SeccompProfile::Custom(json.to_string()),
                    }
                }
                "no-new-privileges" => {
                    out.no_new_privileges = parse_go_bool(value).ok_or_else(invalid)?;
                }
                "writable-cgroups" => {
                    if parse_go_bool(value).ok_or_else(invalid)? {
                        return Err(ApiError::not_implemented(
                            "writable-cgroups is not supported by berth yet",
                        ));
                    }
                }
                _ => return Err(invalid()),
            }
        }
        Ok(out)
    }

    /// What berth can run: custom seccomp profiles are refused until they are supported.
    pub fn check_supported(&self) -> Result<(), ApiError> {
        if let SeccompProfile::Custom(_) = self.seccomp {
            return Err(ApiError::not_implemented(
                "custom seccomp profiles are not supported by berth yet: use the default profile or seccomp=unconfined",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(opts: &[&str]) -> Result<SecurityOptions, ApiError> {
        SecurityOptions::parse(&opts.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn defaults_and_seccomp_values() {
        assert_eq!(parse(&[]).unwrap(), SecurityOptions::default());
        assert_eq!(
            parse(&["seccomp=unconfined"]).unwrap().seccomp,
            SeccompProfile::Unconfined
        );
        assert_eq!(
            parse(&["seccomp:unconfined"]).unwrap().seccomp,
            SeccompProfile::Unconfined
        );
        assert_eq!(
            parse(&["seccomp=builtin"]).unwrap().seccomp,
            SeccompProfile::Default
        );
        let custom = parse(&[r#"seccomp={"defaultAction":"SCMP_ACT_ALLOW"}"#]).unwrap();
        assert_eq!(
            custom.seccomp,
            SeccompProfile::Custom(r#"{"defaultAction":"SCMP_ACT_ALLOW"}"#.into())
        );
        let err = custom.check_supported().unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::NotImplemented);
    }

    #[test]
    fn no_new_privileges_forms() {
        assert!(parse(&["no-new-privileges"]).unwrap().no_new_privileges);
        assert!(
            parse(&["no-new-privileges=true"])
                .unwrap()
                .no_new_privileges
        );
        assert!(!parse(&["no-new-privileges=0"]).unwrap().no_new_privileges);
        assert!(parse(&["label=disable", "apparmor=unconfined", "disable"]).is_ok());
    }

    #[test]
    fn bad_options_carry_dockers_text() {
        assert_eq!(
            parse(&["unknown"]).unwrap_err().message,
            "invalid --security-opt 1: \"unknown\""
        );
        assert_eq!(
            parse(&["unknown=something"]).unwrap_err().message,
            "invalid --security-opt 2: \"unknown=something\""
        );
        assert_eq!(
            parse(&["no-new-privileges=maybe"]).unwrap_err().message,
            "invalid --security-opt 2: \"no-new-privileges=maybe\""
        );
    }
}
