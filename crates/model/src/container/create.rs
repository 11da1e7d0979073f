//! The typed form of `POST /containers/create`, Docker's checks on it, and how it combines
//! with the image's defaults.

use super::network_mode::NetworkMode;
use super::ports::{validate_host_port, PortBindings, PortProto};
use super::restart::RestartPolicy;
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A `-v` entry: `HOST:CONTAINER[:MODE]` (a bind mount) or `VOLUME:CONTAINER[:MODE]` (a named
/// volume, created when missing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bind {
    pub source: String,
    pub destination: String,
    pub read_only: bool,
    /// The mode as written (`ro`, `rw,z`, `nocopy`...), shown back by inspect.
    #[serde(default)]
    pub mode: String,
}

impl Bind {
    pub fn parse(spec: &str) -> Result<Bind, ApiError> {
        let parts: Vec<&str> = spec.split(':').collect();
        let (source, destination, mode) = match parts.as_slice() {
            [s, d] => (*s, *d, ""),
            [s, d, m] => (*s, *d, *m),
            _ => {
                return Err(ApiError::invalid(format!(
                    "invalid volume specification: '{spec}'"
                )))
            }
        };
        if source.is_empty() || destination.is_empty() {
            return Err(ApiError::invalid(format!(
                "invalid volume specification: '{spec}'"
            )));
        }
        let is_volume = !source.starts_with('/');
        if !destination.starts_with('/') {
            let typ = if is_volume { "volume" } else { "bind" };
            return Err(ApiError::invalid(format!(
                "invalid volume specification: '{spec}': invalid mount config for type \"{typ}\": invalid mount path: '{destination}' mount path must be absolute"
            )));
        }
        if is_volume {
            crate::volume::validate_volume_name(source)?;
        }
        let mut read_only = false;
        for m in mode.split(',').filter(|m| !m.is_empty()) {
            match m {
                "ro" => read_only = true,
                "rw" => read_only = false,
                "nocopy" if is_volume => {}
                "z" | "Z" | "rprivate" | "private" | "rshared" | "shared" | "rslave" | "slave" => {}
                other => {
                    return Err(ApiError::invalid(format!(
                        "invalid volume specification: '{spec}': invalid mode: {other}"
                    )))
                }
            }
        }
        Ok(Bind {
            source: source.into(),
            destination: destination.into(),
            read_only,
            mode: mode.into(),
        })
    }

    /// A source that is not a path names a volume.
    pub fn is_volume(&self) -> bool {
        !self.source.starts_with('/')
    }
}

/// What one network endpoint asks for (`NetworkingConfig.EndpointsConfig[name]`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EndpointRequest {
    pub aliases: Vec<String>,
    pub links: Vec<String>,
    pub ipv4_address: String,
    pub ipv6_address: String,
    pub mac_address: String,
    pub driver_opts: BTreeMap<String, String>,
    pub gw_priority: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HostSettings {
    pub binds: Vec<Bind>,
    pub network_mode: NetworkMode,
    pub port_bindings: PortBindings,
    pub publish_all_ports: bool,
    pub restart_policy: RestartPolicy,
    pub auto_remove: bool,
    pub links: Vec<String>,
    pub dns: Vec<String>,
    pub dns_options: Vec<String>,
    pub dns_search: Vec<String>,
    pub extra_hosts: Vec<String>,
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub init: Option<bool>,
    /// `--security-opt` entries as given (Docker's inspect shows them so); parsed with
    /// [`super::security_opts::SecurityOptions::parse`].
    #[serde(default)]
    pub security_opt: Vec<String>,
    /// `HostConfig.Mounts` (`--mount`).
    #[serde(default)]
    pub mounts: Vec<super::mounts::MountRequest>,
    /// `HostConfig.Tmpfs` (`--tmpfs`): destination → options.
    #[serde(default)]
    pub tmpfs: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CreateContainer {
    pub name: Option<String>,
    pub image: String,
    pub hostname: String,
    pub domainname: String,
    pub user: String,
    pub attach_stdin: bool,
    pub attach_stdout: bool,
    pub attach_stderr: bool,
    pub tty: bool,
    pub open_stdin: bool,
    pub stdin_once: bool,
    pub env: Vec<String>,
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub working_dir: String,
    pub labels: BTreeMap<String, String>,
    pub stop_signal: String,
    pub stop_timeout: Option<i64>,
    pub exposed_ports: BTreeSet<PortProto>,
    pub mac_address: String,
    pub host: HostSettings,
    pub endpoints: BTreeMap<String, EndpointRequest>,
    /// `Config.Volumes`: destinations that get an anonymous volume (`-v /path`).
    #[serde(default)]
    pub volumes: BTreeSet<String>,
}

impl CreateContainer {
    /// Docker's checks of the network mode against the other settings
    /// (moby's `validateNetContainerMode` and friends), in Docker's order.
    pub fn validate_network_settings(&self) -> Result<(), ApiError> {
        let mode = &self.host.network_mode;
        let is_container = matches!(mode, NetworkMode::Container(_));
        let h = &self.host;
        let conflict = |m: &str| Err(ApiError::invalid(m.to_string()));
        if is_container && !self.hostname.is_empty() {
            return conflict("conflicting options: hostname and the network mode");
        }
        if is_container && !h.links.is_empty() {
            return conflict("conflicting options: container type network can't be used with links. This would result in undefined behavior");
        }
        if is_container && !h.dns.is_empty() {
            return conflict("conflicting options: dns and the network mode");
        }
        if is_container && !h.extra_hosts.is_empty() {
            return conflict("conflicting options: custom host-to-IP mapping and the network mode");
        }
        if (is_container || *mode == NetworkMode::Host) && !self.mac_address.is_empty() {
            return conflict("conflicting options: mac-address and the network mode");
        }
        if is_container && (!h.port_bindings.is_empty() || h.publish_all_ports) {
            return conflict(
                "conflicting options: port publishing and the container type network mode",
            );
        }
        if is_container && !self.exposed_ports.is_empty() {
            return conflict(
                "conflicting options: port exposing and the container type network mode",
            );
        }
        if *mode == NetworkMode::Host && !h.links.is_empty() {
            return conflict("conflicting options: host type networking can't be used with links. This would result in undefined behavior");
        }
        for bindings in h.port_bindings.values() {
            for b in bindings {
                validate_host_port(&b.host_port)?;
                if !b.host_ip.is_empty() && b.host_ip.parse::<std::net::IpAddr>().is_err() {
                    return Err(ApiError::invalid(format!(
                        "invalid IP address: {}",
                        b.host_ip
                    )));
                }
            }
        }
        for eh in &h.extra_hosts {
            let ok = eh
                .split_once(':')
                .or_else(|| eh.split_once('='))
                .is_some_and(|(host, ip)| {
                    !host.is_empty()
                        && (ip == "host-gateway"
                            || ip
                                .trim_matches(|c| c == '[' || c == ']')
                                .parse::<std::net::IpAddr>()
                                .is_ok())
                });
            if !ok {
                return Err(ApiError::invalid(format!(
                    "invalid IP address in add-host: \"{eh}\""
                )));
            }
        }
        Ok(())
    }
}

/// What the image contributes to a container's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImageDefaults {
    pub env: Vec<String>,
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub working_dir: String,
    pub user: String,
    pub exposed_ports: BTreeSet<PortProto>,
    pub labels: BTreeMap<String, String>,
    pub stop_signal: String,
    /// The image's `Volumes`: each destination gets an anonymous volume.
    #[serde(default)]
    pub volumes: BTreeSet<String>,
}

/// The configuration a container actually runs with: the request over the image's defaults,
/// by Docker's rules (a given entrypoint drops the image's cmd; env merges by key).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EffectiveConfig {
    pub env: Vec<String>,
    pub cmd: Vec<String>,
    pub entrypoint: Vec<String>,
    pub working_dir: String,
    pub user: String,
    pub exposed_ports: BTreeSet<PortProto>,
    pub labels: BTreeMap<String, String>,
    pub stop_signal: String,
}

impl EffectiveConfig {
    pub fn merge(
        req: &CreateContainer,
        image: &ImageDefaults,
    ) -> Result<EffectiveConfig, ApiError> {
        let entrypoint = req
            .entrypoint
            .clone()
            .or_else(|| image.entrypoint.clone())
            .unwrap_or_default();
        let cmd = match (&req.cmd, &req.entrypoint) {
            (Some(c), _) => c.clone(),
            (None, Some(_)) => vec![],
            (None, None) => image.cmd.clone().unwrap_or_default(),
        };
        if entrypoint.is_empty() && cmd.is_empty() {
            return Err(ApiError::invalid("no command specified"));
        }
        let mut env = image.env.clone();
        for e in &req.env {
            let key = e.split('=').next().unwrap_or(e);
            env.retain(|x| x.split('=').next() != Some(key));
            env.push(e.clone());
        }
        if !env.iter().any(|e| e.starts_with("PATH=")) {
            env.insert(
                0,
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
            );
        }
        let mut labels = image.labels.clone();
        labels.extend(req.labels.clone());
        let mut exposed_ports = image.exposed_ports.clone();
        exposed_ports.extend(req.exposed_ports.iter().copied());
        exposed_ports.extend(req.host.port_bindings.keys().copied());
        Ok(EffectiveConfig {
            env,
            cmd,
            entrypoint,
            working_dir: if req.working_dir.is_empty() {
                image.working_dir.clone()
            } else {
                req.working_dir.clone()
            },
            user: if req.user.is_empty() {
                image.user.clone()
            } else {
                req.user.clone()
            },
            exposed_ports,
            labels,
            stop_signal: if req.stop_signal.is_empty() {
                image.stop_signal.clone()
            } else {
                req.stop_signal.clone()
            },
        })
    }

    /// The process's argv: entrypoint then cmd.
    pub fn argv(&self) -> Vec<String> {
        self.entrypoint
            .iter()
            .chain(self.cmd.iter())
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds() {
        let b = Bind::parse("/srv/data:/data:ro").unwrap();
        assert!(b.read_only);
        assert!(Bind::parse("/a:rel").is_err());
        assert!(Bind::parse("/a").is_err());
        assert!(Bind::parse("/a:/b:bogus").is_err());
        let v = Bind::parse("vol:/b:ro").unwrap();
        assert!(v.is_volume() && v.read_only);
        assert!(
            Bind::parse("/h:/b:nocopy").is_err(),
            "nocopy is for volumes"
        );
        assert!(Bind::parse("a/b:/c")
            .unwrap_err()
            .message
            .starts_with("create a/b: \"a/b\" includes invalid characters"));
    }

    #[test]
    fn container_mode_conflicts() {
        let mut c = CreateContainer {
            image: "busybox".into(),
            ..Default::default()
        };
        c.host.network_mode = NetworkMode::Container("db".into());
        c.hostname = "x".into();
        assert_eq!(
            c.validate_network_settings().unwrap_err().message,
            "conflicting options: hostname and the network mode"
        );
        c.hostname.clear();
        c.host.dns = vec!["1.1.1.1".into()];
        assert!(c
            .validate_network_settings()
            .unwrap_err()
            .message
            .contains("dns"));
        c.host.dns.clear();
        c.host.extra_hosts = vec!["a:1.2.3.4".into()];
        assert!(c
            .validate_network_settings()
            .unwrap_err()
            .message
            .contains("host-to-IP"));
        c.host.extra_hosts.clear();
        c.exposed_ports.insert(PortProto::parse("80").unwrap());
        assert!(c
            .validate_network_settings()
            .unwrap_err()
            .message
            .contains("port exposing"));
    }

    #[test]
    fn merge_follows_docker() {
        let image = ImageDefaults {
            env: vec!["PATH=/bin".into(), "A=1".into()],
            cmd: Some(vec!["sh".into()]),
            working_dir: "/w".into(),
            ..Default::default()
        };
        let mut req = CreateContainer {
            env: vec!["A=2".into(), "B=3".into()],
            ..Default::default()
        };
        let eff = EffectiveConfig::merge(&req, &image).unwrap();
        assert_eq!(eff.env, vec!["PATH=/bin", "A=2", "B=3"]);
        assert_eq!(eff.argv(), vec!["sh"]);
        req.entrypoint = Some(vec!["/bin/echo".into()]);
        let eff = EffectiveConfig::merge(&req, &image).unwrap();
        assert_eq!(
            eff.argv(),
            vec!["/bin/echo"],
            "a given entrypoint drops the image cmd"
        );
        let none = EffectiveConfig::merge(&CreateContainer::default(), &ImageDefaults::default());
        assert_eq!(none.unwrap_err().message, "no command specified");
    }
}
