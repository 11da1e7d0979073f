//! Container JSON: `GET /containers/{id}/json` (inspect) and `GET /containers/json` (ps),
//! shaped as Engine API 1.50 shapes them, including the legacy top-level network fields that
//! 1.50 still returns (tutorials read `.NetworkSettings.IPAddress`).

use berth_engine::containers::ContainerPaths;
use berth_model::container::{Container, NetworkMode, Status};
use berth_model::time::{rfc3339_nano, GO_ZERO_TIME};
use serde_json::{json, Map, Value};

/// Facts inspect needs from outside the record.
pub struct InspectContext<'a> {
    pub paths: &'a ContainerPaths,
    /// (network name, network ID) of the network the container's mode names (none/host).
    pub mode_network: Option<(String, String)>,
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
        "Volumes": null,
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
            format!(
                "{}:{}{}",
                b.source,
                b.destination,
                if b.read_only { ":ro" } else { "" }
            )
        })
        .collect();
    json!({
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
        "Links": str_list(&h.links),
        "OomScoreAdj": 0,
        "PidMode": "",
        "Privileged": h.privileged,
        "PublishAllPorts": h.publish_all_ports,
        "ReadonlyRootfs": false,
        "SecurityOpt": null,
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
    })
}

fn empty_endpoint(network_id: &str, endpoint_id: &str) -> Value {
    json!({
        "IPAMConfig": null, "Links": null, "Aliases": null, "MacAddress": "", "DriverOpts": null,
        "GwPriority": 0, "NetworkID": network_id, "EndpointID": endpoint_id, "Gateway": "",
        "IPAddress": "", "IPPrefixLen": 0, "IPv6Gateway": "", "GlobalIPv6Address": "",
        "GlobalIPv6PrefixLen": 0, "DNSNames": null,
    })
}

/// The container's endpoints: for none/host one empty endpoint on that network (its
/// EndpointID set while running, as in Docker); nothing for `container:`.
fn networks_json(c: &Container, ctx: &InspectContext<'_>) -> Value {
    let mut m = Map::new();
    if let Some((name, id)) = &ctx.mode_network {
        let endpoint = if c.state.is_running() {
            // Stable per container and network, so inspect agrees with itself.
            let digest = berth_model::ids::derive_id(&[c.id.as_str(), id.as_str(), "endpoint"]);
            digest
        } else {
            String::new()
        };
        m.insert(name.clone(), empty_endpoint(id, &endpoint));
    }
    Value::Object(m)
}

pub fn inspect_json(c: &Container, ctx: &InspectContext<'_>) -> Value {
    let argv = c.config.argv();
    let sandbox_key = if c.request.host.network_mode.owns_netns() && c.state.is_running() {
        ctx.paths.netns.display().to_string()
    } else {
        String::new()
    };
    let mounts: Vec<Value> = c
        .request
        .host
        .binds
        .iter()
        .map(|b| {
            json!({"Type": "bind", "Source": b.source, "Destination": b.destination,
                   "Mode": if b.read_only { "ro" } else { "" }, "RW": !b.read_only, "Propagation": "rprivate"})
        })
        .collect();
    let (hosts, resolv, hostname) = match &c.request.host.network_mode {
        NetworkMode::Container(_) => (String::new(), String::new(), String::new()),
        _ => (
            ctx.paths.hosts.display().to_string(),
            ctx.paths.resolv_conf.display().to_string(),
            ctx.paths.hostname.display().to_string(),
        ),
    };
    json!({
        "Id": c.id,
        "Created": rfc3339_nano(&c.created),
        "Path": argv.first().cloned().unwrap_or_default(),
        "Args": argv.iter().skip(1).cloned().collect::<Vec<_>>(),
        "State": state_json(c),
        "Image": c.image_id,
        "ResolvConfPath": resolv,
        "HostnamePath": hostname,
        "HostsPath": hosts,
        "LogPath": ctx.paths.log.display().to_string(),
        "Name": format!("/{}", c.name),
        "RestartCount": c.state.restart_count,
        "Driver": "overlayfs",
        "Platform": "linux",
        "MountLabel": "",
        "ProcessLabel": "",
        "AppArmorProfile": "",
        "ExecIDs": null,
        "HostConfig": host_config_json(c),
        "GraphDriver": {"Name": "overlay2", "Data": {
            "MergedDir": ctx.paths.merged.display().to_string(),
            "UpperDir": ctx.paths.upper.display().to_string(),
            "WorkDir": ctx.paths.work.display().to_string(),
        }},
        "Mounts": mounts,
        "Config": config_json(c),
        "NetworkSettings": {
            "Bridge": "", "SandboxID": if sandbox_key.is_empty() { String::new() } else { c.id.clone() },
            "SandboxKey": sandbox_key, "Ports": {}, "HairpinMode": false,
            "LinkLocalIPv6Address": "", "LinkLocalIPv6PrefixLen": 0,
            "SecondaryIPAddresses": null, "SecondaryIPv6Addresses": null, "EndpointID": "",
            "Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "IPAddress": "",
            "IPPrefixLen": 0, "IPv6Gateway": "", "MacAddress": "",
            "Networks": networks_json(c, ctx),
        },
    })
}

/// One `GET /containers/json` item.
pub fn summary_json(
    c: &Container,
    ctx: &InspectContext<'_>,
    now: berth_model::time::Timestamp,
) -> Value {
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
    let ports: Vec<Value> = c
        .config
        .exposed_ports
        .iter()
        .map(|p| json!({"PrivatePort": p.port, "Type": p.proto.as_str()}))
        .collect();
    json!({
        "Id": c.id,
        "Names": [format!("/{}", c.name)],
        "Image": c.image,
        "ImageID": c.image_id,
        "Command": command,
        "Created": c.created.timestamp(),
        "Ports": ports,
        "Labels": c.config.labels,
        "State": c.state.status.as_str(),
        "Status": c.state.human(now),
        "HostConfig": {"NetworkMode": c.request.host.network_mode.as_string()},
        "NetworkSettings": {"Networks": networks_json(c, ctx)},
        "Mounts": [],
    })
}
