//! `POST /containers/create` bodies, decoded with Go's rules into the model's typed request.

use super::network_connect::endpoint_request;
use crate::json_obj::Obj;
use berth_model::container::capabilities::validate_capabilities;
use berth_model::container::create::{Bind, HostSettings};
use berth_model::container::ports::{PortBinding, PortProto};
use berth_model::container::security_opts::SecurityOptions;
use berth_model::container::{CreateContainer, NetworkMode, RestartPolicy};
use berth_model::ApiError;
use serde_json::Value;
use std::collections::BTreeMap;

pub fn parse_create_container(
    name: Option<String>,
    body: Option<&Value>,
) -> Result<CreateContainer, ApiError> {
    let c = Obj::new(body, "container.CreateRequest")?;
    let image = c.string("Image")?;
    if image.is_empty() {
        return Err(ApiError::invalid(
            "config cannot be empty in order to create a container",
        ));
    }
    let h = c.object("HostConfig", "container.HostConfig")?;
    let n = c.object("NetworkingConfig", "network.NetworkingConfig")?;
    let mut exposed_ports = std::collections::BTreeSet::new();
    for k in c.keys("ExposedPorts")? {
        exposed_ports.insert(PortProto::parse(&k)?);
    }
    let restart = h.object("RestartPolicy", "container.RestartPolicy")?;
    let mut port_bindings = BTreeMap::new();
    for (k, v) in h.object_map("PortBindings", "nat.PortBinding")? {
        let key = PortProto::parse(&k)?;
        let list = match v.raw_self() {
            None => vec![],
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    let b = Obj::new(Some(item), "nat.PortBinding")?;
                    Ok(PortBinding {
                        host_ip: b.string("HostIp")?,
                        host_port: b.string("HostPort")?,
                    })
                })
                .collect::<Result<Vec<_>, ApiError>>()?,
            Some(other) => {
                return Err(ApiError::invalid(format!(
                "invalid JSON: json: cannot unmarshal {} into Go value of type []nat.PortBinding",
                kind(other)
            )))
            }
        };
        port_bindings.insert(key, list);
    }
    let mut binds = Vec::new();
    for b in h.string_list("Binds")? {
        binds.push(Bind::parse(&b)?);
    }
    let host = HostSettings {
        binds,
        network_mode: NetworkMode::parse(&h.string("NetworkMode")?)?,
        port_bindings,
        publish_all_ports: h.bool("PublishAllPorts")?,
        restart_policy: RestartPolicy::parse(
            &restart.string("Name")?,
            restart.opt_int("MaximumRetryCount")?.unwrap_or(0),
        )?,
        auto_remove: h.bool("AutoRemove")?,
        links: h.string_list("Links")?,
        dns: h.string_list("Dns")?,
        dns_options: h.string_list("DnsOptions")?,
        dns_search: h.string_list("DnsSearch")?,
        extra_hosts: h.string_list("ExtraHosts")?,
        privileged: h.bool("Privileged")?,
        cap_add: h.string_list("CapAdd")?,
        cap_drop: h.string_list("CapDrop")?,
        init: h.opt_bool("Init")?,
        security_opt: h.string_list("SecurityOpt")?,
        mounts: super::mounts::parse_mounts(&h)?,
        tmpfs: h.string_map("Tmpfs")?,
    };
    validate_capabilities(&host.cap_add, &host.cap_drop)?;
    SecurityOptions::parse(&host.security_opt)?.check_supported()?;
    let mut endpoints = BTreeMap::new();
    for (net, e) in n.object_map("EndpointsConfig", "network.EndpointSettings")? {
        endpoints.insert(net, endpoint_request(&e)?);
    }
    let stop_timeout = c.opt_int("StopTimeout")?;
    Ok(CreateContainer {
        name,
        image,
        hostname: c.string("Hostname")?,
        domainname: c.string("Domainname")?,
        user: c.string("User")?,
        attach_stdin: c.bool("AttachStdin")?,
        attach_stdout: c.bool("AttachStdout")?,
        attach_stderr: c.bool("AttachStderr")?,
        tty: c.bool("Tty")?,
        open_stdin: c.bool("OpenStdin")?,
        stdin_once: c.bool("StdinOnce")?,
        env: c.string_list("Env")?,
        cmd: c.opt_string_list("Cmd")?.filter(|v| !v.is_empty()),
        entrypoint: c.opt_string_list("Entrypoint")?.filter(|v| !v.is_empty()),
        working_dir: c.string("WorkingDir")?,
        labels: c.string_map("Labels")?,
        stop_signal: c.string("StopSignal")?,
        stop_timeout,
        exposed_ports,
        mac_address: c.string("MacAddress")?,
        host,
        endpoints,
        volumes: c.keys("Volumes")?.into_iter().collect(),
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
