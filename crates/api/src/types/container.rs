//! Container JSON: `GET /containers/{id}/json` (inspect) and `GET /containers/json` (ps),
//! shaped as Engine API 1.50 shapes them, including the legacy top-level network fields that
//! 1.50 still returns (tutorials read `.NetworkSettings.IPAddress`). The outer objects are
//! structs so their fields come out in Docker's order (`docker inspect` prints them as sent).

use super::endpoint::{legacy_default, networks_map, EndpointSettingsJson, LegacyDefaultJson};
use berth_engine::containers::ContainerPaths;
use berth_model::container::{Container, NetworkMode, Status};
use berth_model::time::{rfc3339_nano, GO_ZERO_TIME};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Facts inspect needs from outside the record.
pub struct InspectContext<'a> {
    pub paths: &'a ContainerPaths,
    /// (network name, network ID) of the network the container's mode names (none/host).
    pub mode_network: Option<(String, String)>,
    /// Execs created or running in the container (Docker's `ExecIDs`; null when none).
    pub exec_ids: Vec<String>,
}

fn time_or_zero(t: Option<&berth_model::time::Timestamp>) -> String {
    t.map(rfc3339_nano)
        .unwrap_or_else(|| GO_ZERO_TIME.to_string())
}

fn str_list(v: &[String]) -> Value {
    if v.is_empty() {
        Value::Null
    } else {
        json!(v)
    }
}

pub fn state_json(c: &Container) -> Value {
    let s = &c.state;
    json!({
        "Status": s.status.as_str(),
        "Running": matches!(s.status, Status::Running | Status::Paused),
        "Paused": s.status == Status::Paused,
        "Restarting": s.status == Status::Restarting,
        "OOMKilled": s.oom_killed,
        "Dead": s.status == Status::Dead,
        "Pid": s.pid,
        "ExitCode": s.exit_code,
        "Error": s.error,
        "StartedAt": time_or_zero(s.started_at.as_ref()),
        "FinishedAt": time_or_zero(s.finished_at.as_ref()),
    })
}

fn exposed_ports(c: &Container) -> Value {
    if c.config.exposed_ports.is_empty() {
        return Value::Null;
    }
    let m: Map<String, Value> = c
        .config
        .exposed_ports
        .iter()
        .map(|p| (p.key(), json!({})))
        .collect();
    Value::Object(m)
}

fn port_bindings(c: &Container) -> Value {
    let m: Map<String, Value> = c
        .request
        .host
        .port_bindings
        .iter()
        .map(|(k, v)| {
            let list: Vec<Value> = v
                .iter()
                .map(|b| json!({"HostIp": b.host_ip, "HostPort": b.host_port}))
                .collect();
            (k.key(), json!(list))
        })
        .collect();
    Value::Object(m)
}

/// `HostConfig.Links` as Docker stores them: `/<child>:/<parent>/<alias>`.
fn legacy_links(c: &Container) -> Vec<String> {
    c.request
        .host
        .links
        .iter()
        .map(|spec| {
            let (name, alias) = berth_model::container::links::parse_link(spec);
            format!("/{name}:/{}/{alias}", c.name)
        })
        .collect()
}

pub fn config_json(c: &Container) -> Value {
    let r = &c.request;
    json!({
        "Hostname": c.hostname,
        "Domainname": r.domainname,
        "User": c.config.user,
        "AttachStdin": r.attach_stdin,
        "AttachStdout": r.attach_stdout,
        "AttachStderr": r.attach_stderr,
        "ExposedPorts": exposed_ports(c),
        "Tty": r.tty,
        "OpenStdin": r.open_stdin,
        "StdinOnce": r.stdin_once,
        "Env": c.config.env,
        "Cmd": str_list(&c.config.cmd),
        "Image": c.image,
        "Volumes": if r.volumes.is_empty() { Value::Null } else {
            Value::Object(r.volumes.iter().map(|v| (v.clone(), json!({}))).collect())
        },
        "WorkingDir": c.config.working_dir,
        "Entrypoint": str_list(&c.config.entrypoint),
        "OnBuild": null,
        "Labels": c.config.labels,
        "StopSignal": if c.config.stop_signal.is_empty() { Value::Null } else { json!(c.config.stop_signal) },
    })
}

pub fn host_config_json(c: &Container) -> Value {
    let h = &c.request.host;
    let binds: Vec<String> = h
        .binds
        .iter()
        .map(|b| {
            let mode = if !b.mode.is_empty() {
                format!(":{}", b.mode)
            } else if b.read_only {
                ":ro".to_string()
            } else {
                String::new()
            };
            format!("{}:{}{mode}", b.source, b.destination)
        })
        .collect();
    let mut out = json!({
        "Binds": str_list(&binds),
        "ContainerIDFile": "",
        "LogConfig": {"Type": "json-file", "Config": {}},
        "NetworkMode": h.network_mode.as_string(),
        "PortBindings": port_bindings(c),
        "RestartPolicy": {"Name": h.restart_policy.name(), "MaximumRetryCount": h.restart_policy.max_retries()},
        "AutoRemove": h.auto_remove,
        "VolumeDriver": "",
        "VolumesFrom": null,
        "ConsoleSize": [0, 0],
        "CapAdd": str_list(&h.cap_add),
        "CapDrop": str_list(&h.cap_drop),
        "CgroupnsMode": "host",
        "Dns": h.dns,
        "DnsOptions": h.dns_options,
        "DnsSearch": h.dns_search,
        "ExtraHosts": str_list(&h.extra_hosts),
        "GroupAdd": null,
        "IpcMode": "private",
        "Cgroup": "",
        "Links": str_list(&legacy_links(c)),
        "OomScoreAdj": 0,
        "PidMode": "",
        "Privileged": h.privileged,
        "PublishAllPorts": h.publish_all_ports,
        "ReadonlyRootfs": false,
        "SecurityOpt": str_list(&h.security_opt),
        "UTSMode": "",
        "UsernsMode": "",
        "ShmSize": 67108864,
        "Runtime": "berth",
        "Isolation": "",
        "CpuShares": 0, "Memory": 0, "NanoCpus": 0, "CgroupParent": "",
        "BlkioWeight": 0, "BlkioWeightDevice": [], "BlkioDeviceReadBps": [], "BlkioDeviceWriteBps": [],
        "BlkioDeviceReadIOps": [], "BlkioDeviceWriteIOps": [], "CpuPeriod": 0, "CpuQuota": 0,
        "CpuRealtimePeriod": 0, "CpuRealtimeRuntime": 0, "CpusetCpus": "", "CpusetMems": "",
        "Devices": [], "DeviceCgroupRules": null, "DeviceRequests": null, "MemoryReservation": 0,
        "MemorySwap": 0, "MemorySwappiness": null, "OomKillDisable": null, "PidsLimit": null,
        "Ulimits": [], "CpuCount": 0, "CpuPercent": 0, "IOMaximumIOps": 0, "IOMaximumBandwidth": 0,
        "Init": h.init,
        "MaskedPaths": ["/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
            "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"],
        "ReadonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    });
    // both are `omitempty` in moby's HostConfig
    if !h.mounts.is_empty() {
        out["Mounts"] = Value::Array(h.mounts.iter().map(|m| m.raw.clone()).collect());
    }
    if !h.tmpfs.is_empty() {
        out["Tmpfs"] = json!(h.tmpfs);
    }
    out
}

/// `NetworkSettings` of inspect: `NetworkSettingsBase`, the legacy `DefaultNetworkSettings`
/// and `Networks`, as Docker embeds them.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkSettingsJson {
    pub bridge: String,
    #[serde(rename = "SandboxID")]
    pub sandbox_id: String,
    pub sandbox_key: String,
    pub ports: Value,
    pub hairpin_mode: bool,
    #[serde(rename = "LinkLocalIPv6Address")]
    pub link_local_ipv6_address: String,
    #[serde(rename = "LinkLocalIPv6PrefixLen")]
    pub link_local_ipv6_prefix_len: u8,
    #[serde(rename = "SecondaryIPAddresses")]
    pub secondary_ip_addresses: Option<Vec<Value>>,
    #[serde(rename = "SecondaryIPv6Addresses")]
    pub secondary_ipv6_addresses: Option<Vec<Value>>,
    #[serde(flatten)]
    pub legacy: LegacyDefaultJson,
    pub networks: BTreeMap<String, EndpointSettingsJson>,
}

pub fn network_settings_json(c: &Container, ctx: &InspectContext<'_>) -> NetworkSettingsJson {
    let sandbox = c.request.host.network_mode.owns_netns() && c.state.is_running();
    let networks = networks_map(c, ctx.mode_network.as_ref());
    NetworkSettingsJson {
        bridge: String::new(),
        // Nothing is stored for the sandbox; an ID derived from the container's stays stable.
        sandbox_id: if sandbox {
            berth_model::ids::derive_id(&[c.id.as_str(), "sandbox"])
        } else {
            String::new()
        },
        sandbox_key: if sandbox {
            ctx.paths.netns.display().to_string()
        } else {
            String::new()
        },
        ports: super::ports::network_settings_ports(c),
        hairpin_mode: false,
        link_local_ipv6_address: String::new(),
        link_local_ipv6_prefix_len: 0,
        secondary_ip_addresses: None,
        secondary_ipv6_addresses: None,
        legacy: legacy_default(&networks),
        networks,
    }
}

/// `GET /containers/{id}/json`, in Docker's field order.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerInspectJson {
    pub id: String,
    pub created: String,
    pub path: String,
    pub args: Vec<String>,
    pub state: Value,
    pub image: String,
    pub resolv_conf_path: String,
    pub hostname_path: String,
    pub hosts_path: String,
    pub log_path: String,
    pub name: String,
    pub restart_count: u64,
    pub driver: &'static str,
    pub platform: &'static str,
    pub mount_label: &'static str,
    pub process_label: &'static str,
    pub app_armor_profile: &'static str,
    #[serde(rename = "ExecIDs")]
    pub exec_ids: Option<Vec<String>>,
    pub host_config: Value,
    pub graph_driver: Value,
    pub mounts: Vec<super::mounts::MountPointJson>,
    pub config: Value,
    pub network_settings: NetworkSettingsJson,
}

pub fn inspect_json(c: &Container, ctx: &InspectContext<'_>) -> ContainerInspectJson {
    let argv = c.config.argv();
    let mounts = mounts_json(c);
    let (hosts, resolv, hostname) = match &c.request.host.network_mode {
        NetworkMode::Container(_) => (String::new(), String::new(), String::new()),
        _ => (
            ctx.paths.hosts.display().to_string(),
            ctx.paths.resolv_conf.display().to_string(),
            ctx.paths.hostname.display().to_string(),
        ),
    };
    ContainerInspectJson {
        id: c.id.clone(),
        created: rfc3339_nano(&c.created),
        path: argv.first().cloned().unwrap_or_default(),
        args: argv.iter().skip(1).cloned().collect(),
        state: state_json(c),
        image: c.image_id.clone(),
        resolv_conf_path: resolv,
        hostname_path: hostname,
        hosts_path: hosts,
        log_path: ctx.paths.log.display().to_string(),
        name: format!("/{}", c.name),
        restart_count: c.state.restart_count.into(),
        driver: "overlayfs",
        platform: "linux",
        mount_label: "",
        process_label: "",
        app_armor_profile: "",
        exec_ids: (!ctx.exec_ids.is_empty()).then(|| ctx.exec_ids.clone()),
        host_config: host_config_json(c),
        graph_driver: json!({"Name": "overlay2", "Data": {
            "MergedDir": ctx.paths.merged.display().to_string(),
            "UpperDir": ctx.paths.upper.display().to_string(),
            "WorkDir": ctx.paths.work.display().to_string(),
        }}),
        mounts,
        config: config_json(c),
        network_settings: network_settings_json(c, ctx),
    }
}

/// One `GET /containers/json` item, in Docker's field order.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerSummaryJson {
    pub id: String,
    pub names: Vec<String>,
    pub image: String,
    #[serde(rename = "ImageID")]
    pub image_id: String,
    pub command: String,
    pub created: i64,
    pub ports: Vec<Value>,
    pub labels: BTreeMap<String, String>,
    pub state: &'static str,
    pub status: String,
    pub host_config: Value,
    pub network_settings: SummaryNetworksJson,
    pub mounts: Vec<super::mounts::MountPointJson>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SummaryNetworksJson {
    pub networks: BTreeMap<String, EndpointSettingsJson>,
}

pub fn summary_json(
    c: &Container,
    ctx: &InspectContext<'_>,
    now: berth_model::time::Timestamp,
) -> ContainerSummaryJson {
    let command = c
        .config
        .argv()
        .iter()
        .map(|a| {
            if a.contains(' ') {
                format!("'{a}'")
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    let ports = super::ports::summary_ports(c);
    ContainerSummaryJson {
        id: c.id.clone(),
        names: vec![format!("/{}", c.name)],
        image: c.image.clone(),
        image_id: c.image_id.clone(),
        command,
        created: c.created.timestamp(),
        ports,
        labels: c.config.labels.clone(),
        state: c.state.status.as_str(),
        status: c.state.human(now),
        host_config: json!({"NetworkMode": c.request.host.network_mode.as_string()}),
        network_settings: SummaryNetworksJson {
            networks: networks_map(c, ctx.mode_network.as_ref()),
        },
        mounts: mounts_json(c),
    }
}

/// `Mounts` of inspect and of the list.
pub fn mounts_json(c: &Container) -> Vec<super::mounts::MountPointJson> {
    use berth_model::container::mounts::{MountPoint, MountType};
    if c.mounts.is_empty() {
        // a record from before mount points were kept: its binds are all host paths
        c.request
            .host
            .binds
            .iter()
            .map(|b| {
                super::mounts::mount_point_json(&MountPoint {
                    typ: MountType::Bind,
                    source: b.source.clone(),
                    destination: b.destination.clone(),
                    mode: if b.read_only {
                        "ro".into()
                    } else {
                        String::new()
                    },
                    rw: !b.read_only,
                    propagation: "rprivate".into(),
                    ..Default::default()
                })
            })
            .collect()
    } else {
        c.mounts
            .iter()
            .map(super::mounts::mount_point_json)
            .collect()
    }
}
