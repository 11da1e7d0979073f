//! Names of a container's interfaces.
//!
//! Docker names them `eth0`, `eth1`, … from a counter kept per sandbox (moby `osl`'s
//! `nextIfIndex`) that only grows: connect, disconnect and connect again gives `eth2`, even
//! though `eth1` is free again. The sandbox, and so the counter, is made afresh at each container
//! start. Since Docker 28 an endpoint may ask for its own name with the driver option
//! `com.docker.network.endpoint.ifname`; such a name does not advance the counter (a chosen
//! `eth1` can then collide with a later automatic one, as in moby#49155).

use crate::container::create::EndpointRequest;
use crate::error::ApiError;

/// The endpoint driver option that names the container-side interface.
pub const IFNAME_OPTION: &str = "com.docker.network.endpoint.ifname";

/// Docker's default container interface prefix.
pub const DEFAULT_PREFIX: &str = "eth";

/// The Linux limit (IFNAMSIZ is 16, with the terminating NUL).
const MAX_LEN: usize = 15;

/// The automatic name for the `index`-th interface created in a sandbox.
pub fn ifname(index: u32) -> String {
    format!("{DEFAULT_PREFIX}{index}")
}

/// The interface name an endpoint asks for, if any, checked against the kernel's rules so a bad
/// name is refused at create/connect instead of failing at start.
pub fn requested_ifname(req: &EndpointRequest) -> Result<Option<String>, ApiError> {
    match req.driver_opts.get(IFNAME_OPTION) {
        None => Ok(None),
        Some(name) => check_ifname(name)
            .map(|()| Some(name.clone()))
            .map_err(ApiError::invalid),
    }
}

/// The kernel's `dev_valid_name` rules, plus `lo`, which every namespace already has.
/// The error is the text shown to the client.
pub(crate) fn check_ifname(name: &str) -> Result<(), String> {
    let problem = if name.is_empty() {
        Some("it is empty".to_string())
    } else if name.len() > MAX_LEN {
        Some(format!("it is longer than {MAX_LEN} bytes"))
    } else if name == "." || name == ".." {
        Some("it is reserved".to_string())
    } else if name
        .chars()
        .any(|c| c == '/' || c == ':' || c.is_ascii_whitespace() || c == '\0')
    {
        Some("it contains '/', ':', a space or a NUL".to_string())
    } else if name == "lo" {
        Some("it is the loopback interface".to_string())
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(why) => Err(format!(
            "invalid interface name \"{name}\" in driver option {IFNAME_OPTION}: {why}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req_with(name: &str) -> EndpointRequest {
        let mut r = EndpointRequest::default();
        r.driver_opts.insert(IFNAME_OPTION.into(), name.into());
        r
    }

    #[test]
    fn automatic_names() {
        assert_eq!(ifname(0), "eth0");
        assert_eq!(ifname(2), "eth2");
    }

    #[test]
    fn requested_names() {
        assert_eq!(requested_ifname(&EndpointRequest::default()).unwrap(), None);
        assert_eq!(
            requested_ifname(&req_with("foobar")).unwrap().as_deref(),
            Some("foobar")
        );
        assert_eq!(
            requested_ifname(&req_with("exactly15chars_"))
                .unwrap()
                .as_deref(),
            Some("exactly15chars_")
        );
        for bad in [
            "",
            "sixteen_chars_xx",
            ".",
            "..",
            "a/b",
            "a:b",
            "a b",
            "a\tb",
            "lo",
        ] {
            let e = requested_ifname(&req_with(bad)).unwrap_err();
            assert_eq!(e.kind, crate::ErrorKind::InvalidParameter, "{bad:?}");
            assert!(
                e.message
                    .starts_with(&format!("invalid interface name \"{bad}\"")),
                "{}",
                e.message
            );
        }
    }
}
