//! `berth info`: docker's Client and Server sections from `GET /info`.

use std::fmt::Write as _;

use super::version::client_facts;
use crate::args::FormatOnly;
use crate::client::Client;
use crate::error::{CliError, Result};
use crate::template::{FuncSet, Missing, Template, Value};
use crate::{usage, Output};

pub fn run(host: &str, a: FormatOnly, o: &mut Output) -> Result<()> {
    usage::none("berth info", &a.args)?;
    let mut c = Client::new(host)?;
    let format = a.format.as_deref().unwrap_or("");
    if !format.is_empty() {
        return formatted(&mut c, format, o);
    }
    o.out.push_str("Client:\n");
    let _ = writeln!(o.out, " Version:    {}", env!("CARGO_PKG_VERSION"));
    o.out
        .push_str(" Context:    default\n Debug Mode: false\n\nServer:\n");
    let info = c.get_json("/info")?;
    server_section(&info, o);
    Ok(())
}

fn formatted(c: &mut Client, format: &str, o: &mut Output) -> Result<()> {
    let src = if format == "json" {
        "{{json .}}"
    } else {
        format
    };
    let tmpl = Template::parse("", src)
        .map_err(|e| CliError::Status(64, format!("template parsing error: {e}")))?;
    let mut data = match c.get_json("/info") {
        Ok(v) => v,
        Err(e) => {
            o.err.push_str(&format!("{e}\n"));
            Value::object(vec![])
        }
    };
    let api = c.api_version().unwrap_or_default();
    let mut client = client_facts(&api);
    if let Value::Object(f) = &mut client {
        f.retain(|(k, _)| k != "ApiVersion" || !api.is_empty());
        f.insert(0, ("Debug".into(), Value::Bool(false)));
        f.push(("Plugins".into(), Value::Array(vec![])));
        f.push(("Warnings".into(), Value::Null));
    }
    if let Value::Object(f) = &mut data {
        f.push(("ClientInfo".into(), client));
    }
    let text = tmpl.execute(
        &data,
        Missing::Struct("system.dockerInfo".into()),
        FuncSet::Basic,
    );
    match text {
        Ok(t) => {
            o.out.push_str(&t);
            o.out.push('\n');
            Ok(())
        }
        Err((partial, e)) => {
            o.out.push_str(&partial);
            o.out.push('\n');
            Err(CliError::msg(e))
        }
    }
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn n(v: &Value, k: &str) -> String {
    match v.get(k) {
        Some(Value::Number(x)) => x.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => "0".into(),
    }
}

fn b(v: &Value, k: &str) -> bool {
    v.get(k).map(Value::truthy).unwrap_or(false)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().unwrap_or("").to_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// docker's `prettyPrintServerInfo` for the fields a local engine has.
fn server_section(i: &Value, o: &mut Output) {
    let out = &mut o.out;
    let non_empty = |out: &mut String, label: &str, v: &str| {
        if !v.is_empty() {
            let _ = writeln!(out, "{label} {v}");
        }
    };
    let _ = writeln!(out, " Containers: {}", n(i, "Containers"));
    let _ = writeln!(out, "  Running: {}", n(i, "ContainersRunning"));
    let _ = writeln!(out, "  Paused: {}", n(i, "ContainersPaused"));
    let _ = writeln!(out, "  Stopped: {}", n(i, "ContainersStopped"));
    let _ = writeln!(out, " Images: {}", n(i, "Images"));
    non_empty(out, " Server Version:", s(i, "ServerVersion"));
    non_empty(out, " Storage Driver:", s(i, "Driver"));
    for (key, indent) in [("DriverStatus", "  "), ("SystemStatus", " ")] {
        if let Some(Value::Array(pairs)) = i.get(key) {
            for p in pairs {
                if let Value::Array(kv) = p {
                    let get = |j: usize| kv.get(j).and_then(Value::as_str).unwrap_or("");
                    let _ = writeln!(out, "{indent}{}: {}", get(0), get(1));
                }
            }
        }
    }
    non_empty(out, " Logging Driver:", s(i, "LoggingDriver"));
    non_empty(out, " Cgroup Driver:", s(i, "CgroupDriver"));
    non_empty(out, " Cgroup Version:", s(i, "CgroupVersion"));
    let plugins = i.get("Plugins").cloned().unwrap_or(Value::Null);
    out.push_str(" Plugins:\n");
    let _ = writeln!(
        out,
        "  Volume: {}",
        strings(plugins.get("Volume")).join(" ")
    );
    let _ = writeln!(
        out,
        "  Network: {}",
        strings(plugins.get("Network")).join(" ")
    );
    let auth = strings(plugins.get("Authorization"));
    if !auth.is_empty() {
        let _ = writeln!(out, "  Authorization: {}", auth.join(" "));
    }
    let _ = writeln!(out, "  Log: {}", strings(plugins.get("Log")).join(" "));
    let cdi = strings(i.get("CDISpecDirs"));
    if !cdi.is_empty() {
        out.push_str(" CDI spec directories:\n");
        for d in cdi {
            let _ = writeln!(out, "  {d}");
        }
    }
    let swarm = i.get("Swarm").cloned().unwrap_or(Value::Null);
    let _ = writeln!(out, " Swarm: {}", s(&swarm, "LocalNodeState"));
    if let Some(Value::Object(rt)) = i.get("Runtimes") {
        if !rt.is_empty() {
            // docker prints Go map order (random); sorted is one of those orders.
            let mut names: Vec<&str> = rt.iter().map(|(k, _)| k.as_str()).collect();
            names.sort();
            let _ = writeln!(out, " Runtimes: {}", names.join(" "));
            let _ = writeln!(out, " Default Runtime: {}", s(i, "DefaultRuntime"));
        }
    }
    if s(i, "OSType") == "linux" {
        let id = |k: &str| i.get(k).map(|c| s(c, "ID").to_string()).unwrap_or_default();
        let _ = writeln!(out, " Init Binary: {}", s(i, "InitBinary"));
        let _ = writeln!(out, " containerd version: {}", id("ContainerdCommit"));
        let _ = writeln!(out, " runc version: {}", id("RuncCommit"));
        let _ = writeln!(out, " init version: {}", id("InitCommit"));
        let opts = strings(i.get("SecurityOptions"));
        if !opts.is_empty() {
            out.push_str(" Security Options:\n");
            for opt in opts {
                for kv in opt.split(',') {
                    match kv.split_once('=') {
                        Some(("name", name)) => {
                            let _ = writeln!(out, "  {name}");
                        }
                        Some(("profile", p)) => {
                            let _ = writeln!(out, "   Profile: {p}");
                        }
                        Some(_) => {}
                        None => {
                            let _ = writeln!(out, "  {kv}");
                        }
                    }
                }
            }
        }
    }
    non_empty(out, " Kernel Version:", s(i, "KernelVersion"));
    non_empty(out, " Operating System:", s(i, "OperatingSystem"));
    non_empty(out, " OSType:", s(i, "OSType"));
    non_empty(out, " Architecture:", s(i, "Architecture"));
    let _ = writeln!(out, " CPUs: {}", n(i, "NCPU"));
    let mem: f64 = n(i, "MemTotal").parse().unwrap_or(0.0);
    let _ = writeln!(out, " Total Memory: {}", bytes_size(mem));
    non_empty(out, " Name:", s(i, "Name"));
    non_empty(out, " ID:", s(i, "ID"));
    let _ = writeln!(out, " Docker Root Dir: {}", s(i, "DockerRootDir"));
    let _ = writeln!(out, " Debug Mode: {}", b(i, "Debug"));
    if b(i, "Debug") {
        let _ = writeln!(out, "  File Descriptors: {}", n(i, "NFd"));
        let _ = writeln!(out, "  Goroutines: {}", n(i, "NGoroutines"));
        let _ = writeln!(out, "  System Time: {}", s(i, "SystemTime"));
        let _ = writeln!(out, "  EventsListeners: {}", n(i, "NEventsListener"));
    }
    non_empty(out, " HTTP Proxy:", s(i, "HttpProxy"));
    non_empty(out, " HTTPS Proxy:", s(i, "HttpsProxy"));
    non_empty(out, " No Proxy:", s(i, "NoProxy"));
    let labels = strings(i.get("Labels"));
    if !labels.is_empty() {
        out.push_str(" Labels:\n");
        for l in labels {
            let _ = writeln!(out, "  {l}");
        }
    }
    let _ = writeln!(out, " Experimental: {}", b(i, "ExperimentalBuild"));
    if let Some(reg) = i
        .get("RegistryConfig")
        .filter(|r| !matches!(r, Value::Null))
    {
        let cidrs = strings(reg.get("InsecureRegistryCIDRs"));
        let indexes = match reg.get("IndexConfigs") {
            Some(Value::Object(f)) => f.clone(),
            _ => Vec::new(),
        };
        if !cidrs.is_empty() || !indexes.is_empty() {
            out.push_str(" Insecure Registries:\n");
            for (_, cfg) in &indexes {
                if !b(cfg, "Secure") {
                    let _ = writeln!(out, "  {}", s(cfg, "Name"));
                }
            }
            for c in cidrs {
                let _ = writeln!(out, "  {c}");
            }
        }
        let mirrors = strings(reg.get("Mirrors"));
        if !mirrors.is_empty() {
            out.push_str(" Registry Mirrors:\n");
            for m in mirrors {
                let _ = writeln!(out, "  {m}");
            }
        }
    }
    let _ = writeln!(out, " Live Restore Enabled: {}", b(i, "LiveRestoreEnabled"));
    if !s(i, "ProductLicense").is_empty() {
        let _ = writeln!(out, " Product License: {}", s(i, "ProductLicense"));
    }
    if let Some(Value::Array(pools)) = i.get("DefaultAddressPools") {
        if !pools.is_empty() {
            out.push_str(" Default Address Pools:\n");
            for p in pools {
                let _ = writeln!(out, "   Base: {}, Size: {}", s(p, "Base"), n(p, "Size"));
            }
        }
    }
    out.push('\n');
    for w in strings(i.get("Warnings")) {
        o.err.push_str(&w);
        o.err.push('\n');
    }
}

/// go-units `BytesSize`: binary units with 4 significant digits (`23.54GiB`).
pub fn bytes_size(mut size: f64) -> String {
    const UNITS: [&str; 9] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];
    let mut i = 0;
    while size >= 1024.0 && i < UNITS.len() - 1 {
        size /= 1024.0;
        i += 1;
    }
    // %.4g
    let digits = if size >= 1000.0 {
        0
    } else if size >= 100.0 {
        1
    } else if size >= 10.0 {
        2
    } else {
        3
    };
    let mut s = format!("{size:.digits$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    format!("{s}{}", UNITS[i])
}
