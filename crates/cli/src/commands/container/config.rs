//! The body of `POST /containers/create`, built from the create/run flags exactly as
//! docker's `parse()` builds Config, HostConfig and NetworkingConfig (field order and
//! nulls included, so the daemon sees what the docker CLI would send).

use std::collections::BTreeMap;

use super::args::ContainerFlags;
use super::security_opts::security_opts;
use super::{kv, netopts, ports};
use crate::client::version_less;
use crate::template::Value;

/// How a flag problem is reported: pflag's `invalid argument` with usage, docker's
/// `docker: <error>` with a pointer to `--help`, or a plain message (exit 1).
#[derive(Debug, PartialEq)]
pub enum FlagError {
    Invalid {
        flag: &'static str,
        value: String,
        reason: String,
    },
    Parse(String),
    Plain(String),
}

/// What create and run need besides the JSON body.
pub struct CreateRequest {
    pub name: Option<String>,
    pub image: String,
    pub tty: bool,
    pub attach_stdin: bool,
    pub attach_stdout: bool,
    pub attach_stderr: bool,
    pub auto_remove: bool,
    pub dns: Vec<String>,
    pub body: Value,
}

fn strings(v: &[String]) -> Value {
    Value::Array(v.iter().map(|s| Value::from(s.as_str())).collect())
}

fn strings_or_null(v: &[String]) -> Value {
    if v.is_empty() {
        Value::Null
    } else {
        strings(v)
    }
}

fn num(n: i64) -> Value {
    Value::Number(n.to_string())
}

fn validate_each(
    values: &[String],
    flag: &'static str,
    f: impl Fn(&str) -> Result<String, String>,
) -> Result<Vec<String>, FlagError> {
    values
        .iter()
        .map(|v| {
            f(v).map_err(|reason| FlagError::Invalid {
                flag,
                value: v.clone(),
                reason,
            })
        })
        .collect()
}

/// docker's `ValidateIPAddress`.
pub fn validate_ip(v: &str) -> Result<String, String> {
    v.trim()
        .parse::<std::net::IpAddr>()
        .map(|ip| ip.to_string())
        .map_err(|_| format!("IP address is not correctly formatted: {v}"))
}

fn validate_extra_host(v: &str) -> Result<String, String> {
    let (k, ip) = v
        .split_once('=')
        .or_else(|| v.split_once(':'))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("bad format for add-host: {v:?}"))?;
    if ip != "host-gateway" {
        let bare = if ip.len() > 2 && ip.starts_with('[') && ip.ends_with(']') {
            &ip[1..ip.len() - 1]
        } else {
            ip
        };
        validate_ip(bare).map_err(|_| format!("invalid IP address in add-host: {bare:?}"))?;
        return Ok(format!("{k}:{bare}"));
    }
    Ok(format!("{k}:{ip}"))
}

fn validate_dns_search(v: &str) -> Result<String, String> {
    let v = v.trim_matches(' ');
    if v == "." {
        return Ok(v.to_string());
    }
    let name = v.strip_suffix('.').unwrap_or(v);
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if name.len() > 255 || !name.split('.').all(label_ok) {
        return Err(format!("{v} is not a valid domain"));
    }
    Ok(v.to_string())
}

/// docker's `opts.ValidateLink`: `name` or `name:alias`; the parts themselves are the
/// daemon's to check.
pub(crate) fn validate_link(v: &str) -> Result<String, String> {
    if v.is_empty() {
        return Err("empty string specified for links".into());
    }
    if v.split(':').count() > 2 {
        return Err(format!("bad format for links: {v}"));
    }
    Ok(v.to_string())
}

fn validate_attach(v: &str) -> Result<String, String> {
    let l = v.to_lowercase();
    if ["stdin", "stdout", "stderr"].contains(&l.as_str()) {
        Ok(l)
    } else {
        Err("valid streams are STDIN, STDOUT and STDERR".into())
    }
}

/// `-v`: (binds in order, anonymous volumes).
fn volumes(specs: &[String]) -> Result<(Vec<String>, BTreeMap<String, ()>), FlagError> {
    let mut binds = Vec::new();
    let mut anon = BTreeMap::new();
    for spec in specs {
        if spec.is_empty() {
            return Err(FlagError::Parse("invalid empty volume spec".into()));
        }
        let parts: Vec<&str> = spec.split(':').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return Err(FlagError::Parse(format!(
                "invalid spec: {spec}: empty section between colons"
            )));
        }
        if parts.len() == 1 {
            anon.insert(spec.clone(), ());
            continue;
        }
        let (host, rest) = spec.split_once(':').unwrap_or((spec, ""));
        let host = if host.starts_with('.') {
            std::env::current_dir()
                .map(|d| clean(&d.join(host).display().to_string()))
                .unwrap_or_else(|_| host.to_string())
        } else {
            host.to_string()
        };
        binds.push(format!("{host}:{rest}"));
    }
    Ok((binds, anon))
}

/// Go's `filepath.Clean` for absolute paths.
fn clean(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            x => out.push(x),
        }
    }
    format!("/{}", out.join("/"))
}

/// Capabilities upper-cased with a `CAP_` prefix (`ALL` kept), in the order given: what
/// the docker 28 CLI sends (captured with `--cap-drop ALL --cap-drop net_admin`).
fn capabilities(caps: &[String]) -> Vec<String> {
    caps.iter()
        .map(|c| {
            let c = c.trim().to_uppercase();
            if c == "ALL" || c.starts_with("CAP_") {
                c
            } else {
                format!("CAP_{c}")
            }
        })
        .collect()
}

/// docker's `ParseRestartPolicy`: `(name, maximum retry count)`.
pub fn restart_policy(p: &str) -> Result<(String, i64), String> {
    if p.is_empty() {
        return Ok((String::new(), 0));
    }
    let (k, v) = p.split_once(':').unwrap_or((p, ""));
    if p.contains(':') && k.is_empty() {
        return Err("invalid restart policy format: no policy provided before colon".into());
    }
    let count = if v.is_empty() {
        0
    } else {
        v.parse::<i64>().map_err(|_| {
            "invalid restart policy format: maximum retry count must be an integer".to_string()
        })?
    };
    Ok((k.to_string(), count))
}

/// Builds the request. `detach` is run's `-d` (it clears the attach flags); `console` is
/// the terminal size `[height, width]` when stdout is a terminal.
pub fn build(
    c: &ContainerFlags,
    api_version: &str,
    detach: bool,
    console: (u16, u16),
) -> Result<CreateRequest, FlagError> {
    let attach = validate_each(&c.attach, "-a, --attach", validate_attach)?;
    let env_flags = validate_each(&c.env, "-e, --env", kv::validate_env)?;
    let labels = validate_each(&c.label, "-l, --label", kv::validate_label)?;
    let extra_hosts = validate_each(&c.add_host, "--add-host", validate_extra_host)?;
    let dns = validate_each(&c.dns, "--dns", validate_ip)?;
    let dns_search = validate_each(&c.dns_search, "--dns-search", validate_dns_search)?;
    let links = validate_each(&c.link, "--link", validate_link)?;
    let networks = validate_each(&c.network, "--network", |v| Ok(v.to_string()))?
        .iter()
        .map(|v| {
            netopts::parse_network_flag(v).map_err(|reason| FlagError::Invalid {
                flag: "--network",
                value: v.clone(),
                reason,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let image = c.args.first().cloned().unwrap_or_default();
    let cmd = &c.args[c.args.len().min(1)..];
    let parse_err = FlagError::Parse;

    let mac = c.mac_address.clone().unwrap_or_default();
    if !mac.is_empty() && netopts::normalize_mac(&mac).is_none() {
        return Err(parse_err(format!("{mac} is not a valid mac address")));
    }
    let tty = c.tty.unwrap_or(false);
    let stdin = c.interactive.unwrap_or(false);
    let mut attach_stdin = attach.iter().any(|a| a == "stdin") || stdin;
    let (mut attach_stdout, mut attach_stderr) = if attach.is_empty() {
        (true, true)
    } else {
        (
            attach.iter().any(|a| a == "stdout"),
            attach.iter().any(|a| a == "stderr"),
        )
    };
    let (binds, anon) = volumes(&c.volume)?;
    let mounts = c
        .mount
        .iter()
        .map(|m| super::mounts::parse_mount(m))
        .collect::<Result<Vec<_>, _>>()?;
    let tmpfs: Vec<(String, Value)> = c
        .tmpfs
        .iter()
        .map(|t| {
            let (path, opts) = super::mounts::parse_tmpfs(t);
            (path, Value::from(opts))
        })
        .collect();
    let entrypoint = match c.entrypoint.as_deref() {
        None => Value::Null,
        Some(e) => strings(&[e.to_string()]),
    };
    let ports = ports::parse(&c.publish, &c.expose).map_err(parse_err)?;
    let env = kv::read_env(&c.env_file, &env_flags).map_err(parse_err)?;
    let labels = kv::read_labels(&c.label_file, &labels).map_err(parse_err)?;
    let (restart_name, restart_count) = restart_policy(&c.restart).map_err(parse_err)?;
    let auto_remove = c.rm.unwrap_or(false);
    if auto_remove && !(restart_name.is_empty() || restart_name == "no") {
        return Err(parse_err(
            "conflicting options: cannot specify both --restart and --rm".into(),
        ));
    }
    let mut stdin_once = stdin && attach_stdin;
    let legacy = netopts::LegacyFlags {
        aliases: &c.network_alias,
        links: &links,
        ipv4: c.ip.as_deref(),
        ipv6: c.ip6.as_deref(),
        mac: &mac,
        link_local: &c.link_local_ip,
    };
    let (network_mode, endpoints) = netopts::endpoints(&networks, &legacy).map_err(parse_err)?;
    if !mac.is_empty() && version_less(api_version, "1.44") {
        return Err(FlagError::Plain(format!(
            "\"specify mac-address per network\" requires API version 1.44, but the berth daemon API version is {api_version}"
        )));
    }
    if detach {
        attach_stdin = false;
        attach_stdout = false;
        attach_stderr = false;
        stdin_once = false;
    }
    let (cap_add, cap_drop) = (capabilities(&c.cap_add), capabilities(&c.cap_drop));
    let security_opt = security_opts(&c.security_opt)?;

    let mut config = vec![
        ("Hostname", Value::from(c.hostname.as_deref().unwrap_or(""))),
        (
            "Domainname",
            Value::from(c.domainname.as_deref().unwrap_or("")),
        ),
        ("User", Value::from(c.user.as_deref().unwrap_or(""))),
        ("AttachStdin", Value::Bool(attach_stdin)),
        ("AttachStdout", Value::Bool(attach_stdout)),
        ("AttachStderr", Value::Bool(attach_stderr)),
    ];
    if !ports.exposed.is_empty() {
        config.push((
            "ExposedPorts",
            Value::Object(
                ports
                    .exposed
                    .keys()
                    .map(|k| (k.clone(), Value::Object(Vec::new())))
                    .collect(),
            ),
        ));
    }
    config.extend([
        ("Tty", Value::Bool(tty)),
        ("OpenStdin", Value::Bool(stdin)),
        ("StdinOnce", Value::Bool(stdin_once)),
        ("Env", strings_or_null(&env)),
        ("Cmd", strings_or_null(cmd)),
        ("Image", Value::from(image.as_str())),
        (
            "Volumes",
            Value::Object(
                anon.keys()
                    .map(|k| (k.clone(), Value::Object(Vec::new())))
                    .collect(),
            ),
        ),
        (
            "WorkingDir",
            Value::from(c.workdir.as_deref().unwrap_or("")),
        ),
        ("Entrypoint", entrypoint),
        ("OnBuild", Value::Null),
        (
            "Labels",
            Value::Object(
                labels
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                    .collect(),
            ),
        ),
    ]);
    if let Some(s) = c.stop_signal.as_deref().filter(|s| !s.is_empty()) {
        config.push(("StopSignal", Value::from(s)));
    }
    if let Some(t) = c.stop_timeout {
        config.push(("StopTimeout", num(t)));
    }
    let bindings = Value::Object(
        ports
            .bindings
            .iter()
            .map(|(port, list)| {
                let items = list
                    .iter()
                    .map(|(ip, hp)| {
                        Value::object(vec![
                            ("HostIp", Value::from(ip.as_str())),
                            ("HostPort", Value::from(hp.as_str())),
                        ])
                    })
                    .collect();
                (port.clone(), Value::Array(items))
            })
            .collect(),
    );
    let empty_list = || Value::Array(Vec::new());
    let zero = || num(0);
    let mut host = vec![
        ("Binds", strings_or_null(&binds)),
        ("ContainerIDFile", "".into()),
        (
            "LogConfig",
            Value::object(vec![
                ("Type", "".into()),
                ("Config", Value::Object(Vec::new())),
            ]),
        ),
        ("NetworkMode", Value::from(network_mode.as_str())),
        ("PortBindings", bindings),
        (
            "RestartPolicy",
            Value::object(vec![
                ("Name", Value::from(restart_name.as_str())),
                ("MaximumRetryCount", num(restart_count)),
            ]),
        ),
        ("AutoRemove", Value::Bool(auto_remove)),
        ("VolumeDriver", "".into()),
        ("VolumesFrom", Value::Null),
        (
            "ConsoleSize",
            Value::Array(vec![num(console.0.into()), num(console.1.into())]),
        ),
        ("CapAdd", strings_or_null(&cap_add)),
        ("CapDrop", strings_or_null(&cap_drop)),
        ("CgroupnsMode", "".into()),
        ("Dns", strings(&dns)),
        ("DnsOptions", strings(&c.dns_option)),
        ("DnsSearch", strings(&dns_search)),
        ("ExtraHosts", strings_or_null(&extra_hosts)),
        ("GroupAdd", Value::Null),
        ("IpcMode", "".into()),
        ("Cgroup", "".into()),
        ("Links", strings_or_null(&links)),
        ("OomScoreAdj", zero()),
        ("PidMode", "".into()),
        ("Privileged", Value::Bool(c.privileged.unwrap_or(false))),
        (
            "PublishAllPorts",
            Value::Bool(c.publish_all.unwrap_or(false)),
        ),
        ("ReadonlyRootfs", Value::Bool(c.read_only.unwrap_or(false))),
        ("SecurityOpt", strings_or_null(&security_opt)),
    ];
    if !tmpfs.is_empty() {
        host.push(("Tmpfs", Value::Object(tmpfs)));
    }
    host.extend([
        ("UTSMode", "".into()),
        ("UsernsMode", "".into()),
        ("ShmSize", zero()),
        ("Isolation", "".into()),
        ("CpuShares", zero()),
        ("Memory", zero()),
        ("NanoCpus", zero()),
        ("CgroupParent", "".into()),
        ("BlkioWeight", zero()),
        ("BlkioWeightDevice", empty_list()),
        ("BlkioDeviceReadBps", empty_list()),
        ("BlkioDeviceWriteBps", empty_list()),
        ("BlkioDeviceReadIOps", empty_list()),
        ("BlkioDeviceWriteIOps", empty_list()),
        ("CpuPeriod", zero()),
        ("CpuQuota", zero()),
        ("CpuRealtimePeriod", zero()),
        ("CpuRealtimeRuntime", zero()),
        ("CpusetCpus", "".into()),
        ("CpusetMems", "".into()),
        ("Devices", empty_list()),
        ("DeviceCgroupRules", Value::Null),
        ("DeviceRequests", Value::Null),
        ("MemoryReservation", zero()),
        ("MemorySwap", zero()),
        ("MemorySwappiness", num(-1)),
        ("OomKillDisable", Value::Bool(false)),
        ("PidsLimit", zero()),
        ("Ulimits", empty_list()),
        ("CpuCount", zero()),
        ("CpuPercent", zero()),
        ("IOMaximumIOps", zero()),
        ("IOMaximumBandwidth", zero()),
    ]);
    if !mounts.is_empty() {
        host.push(("Mounts", Value::Array(mounts)));
    }
    host.extend([("MaskedPaths", Value::Null), ("ReadonlyPaths", Value::Null)]);
    if let Some(init) = c.init {
        host.push(("Init", Value::Bool(init)));
    }
    config.push(("HostConfig", Value::object(host)));
    config.push((
        "NetworkingConfig",
        Value::object(vec![("EndpointsConfig", endpoints)]),
    ));
    Ok(CreateRequest {
        name: c.name.clone(),
        image,
        tty,
        attach_stdin,
        attach_stdout,
        attach_stderr,
        auto_remove,
        dns,
        body: Value::object(config),
    })
}
