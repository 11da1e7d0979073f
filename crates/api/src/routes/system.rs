//! `/_ping`, `/version` and `/info`: what clients use to find and describe the daemon.

use super::json;
use crate::{AppState, API_VERSION, MIN_API_VERSION};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use berth_model::ipam::PoolSpec;
use serde_json::json;

/// Facts about the daemon and its host, gathered once at start.
#[derive(Debug, Clone)]
pub struct DaemonInfo {
    pub id: String,
    pub name: String,
    pub data_root: String,
    pub kernel_version: String,
    pub operating_system: String,
    pub architecture: String,
    pub ncpu: usize,
    pub mem_total: u64,
    pub default_address_pools: Vec<PoolSpec>,
    pub debug: bool,
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn ping_response(body: &'static str) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store, must-revalidate"),
    );
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    // "1" is the classic builder (what `POST /build` runs); "2" would be BuildKit, which
    // berth does not serve, so clients must not pick it
    h.insert("builder-version", HeaderValue::from_static("1"));
    res
}

pub async fn ping() -> Response {
    ping_response("OK")
}

pub async fn ping_head() -> Response {
    ping_response("")
}

fn go_arch(arch: &str) -> &str {
    match arch {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

pub async fn version(State(s): State<AppState>) -> Response {
    let i = &s.info;
    let arch = go_arch(&i.architecture);
    let build_time = "";
    json(
        StatusCode::OK,
        &json!({
            "Platform": {"Name": "berth"},
            "Components": [{
                "Name": "Engine",
                "Version": VERSION,
                "Details": {
                    "ApiVersion": API_VERSION,
                    "Arch": arch,
                    "BuildTime": build_time,
                    "Experimental": "false",
                    "GitCommit": "berth",
                    "GoVersion": "rust",
                    "KernelVersion": i.kernel_version,
                    "MinAPIVersion": MIN_API_VERSION,
                    "Os": "linux"
                }
            }],
            "Version": VERSION,
            "ApiVersion": API_VERSION,
            "MinAPIVersion": MIN_API_VERSION,
            "GitCommit": "berth",
            "GoVersion": "rust",
            "Os": "linux",
            "Arch": arch,
            "KernelVersion": i.kernel_version,
            "BuildTime": build_time
        }),
    )
}

pub async fn info(State(s): State<AppState>) -> Response {
    let i = &s.info;
    let pools: Vec<_> = i
        .default_address_pools
        .iter()
        .map(|p| json!({"Base": p.base.to_string(), "Size": p.size}))
        .collect();
    json(
        StatusCode::OK,
        &json!({
            "ID": i.id,
            "Containers": 0, "ContainersRunning": 0, "ContainersPaused": 0, "ContainersStopped": 0,
            "Images": 0,
            "Driver": "overlayfs",
            "DriverStatus": [],
            "Plugins": {
                "Volume": ["local"],
                "Network": ["bridge", "host", "null"],
                "Authorization": null,
                "Log": ["json-file"]
            },
            "MemoryLimit": true, "SwapLimit": false, "KernelMemoryTCP": false,
            "CpuCfsPeriod": true, "CpuCfsQuota": true, "CPUShares": true, "CPUSet": true,
            "PidsLimit": true, "IPv4Forwarding": true,
            "BridgeNfIptables": false, "BridgeNfIp6tables": false,
            "Debug": i.debug,
            "NFd": open_fds(), "OomKillDisable": false, "NGoroutines": 0,
            "SystemTime": berth_model::time::rfc3339_nano(&berth_model::time::now()),
            "LoggingDriver": "json-file",
            "CgroupDriver": "cgroupfs",
            "CgroupVersion": cgroup_version(),
            "NEventsListener": 0,
            "KernelVersion": i.kernel_version,
            "OperatingSystem": i.operating_system,
            "OSVersion": "",
            "OSType": "linux",
            "Architecture": i.architecture,
            "IndexServerAddress": "https://index.docker.io/v1/",
            "RegistryConfig": {
                "AllowNondistributableArtifactsCIDRs": null,
                "AllowNondistributableArtifactsHostnames": null,
                "InsecureRegistryCIDRs": ["::1/128", "127.0.0.0/8"],
                "IndexConfigs": {},
                "Mirrors": null
            },
            "NCPU": i.ncpu,
            "MemTotal": i.mem_total,
            "GenericResources": null,
            "DockerRootDir": i.data_root,
            "HttpProxy": "", "HttpsProxy": "", "NoProxy": "",
            "Name": i.name,
            "Labels": [],
            "ExperimentalBuild": false,
            "ServerVersion": VERSION,
            "Runtimes": {"berth": {"path": "berth"}},
            "DefaultRuntime": "berth",
            "Swarm": {
                "NodeID": "", "NodeAddr": "", "LocalNodeState": "inactive",
                "ControlAvailable": false, "Error": "", "RemoteManagers": null
            },
            "LiveRestoreEnabled": true,
            "Isolation": "",
            "InitBinary": "",
            "ContainerdCommit": {"ID": ""},
            "RuncCommit": {"ID": ""},
            "InitCommit": {"ID": ""},
            "SecurityOptions": ["name=seccomp,profile=builtin"],
            "CDISpecDirs": [],
            "DefaultAddressPools": pools,
            "Warnings": null
        }),
    )
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

fn cgroup_version() -> &'static str {
    if std::path::Path::new("/sys/fs/cgroup/cgroup.controllers").exists() {
        "2"
    } else {
        "1"
    }
}
