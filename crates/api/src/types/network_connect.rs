//! `POST /networks/{id}/connect` and `/disconnect` bodies, and the `EndpointSettings` they
//! share with `POST /containers/create`, decoded with Go's rules.

use crate::json_obj::Obj;
use berth_model::container::create::EndpointRequest;
use berth_model::ApiError;
use serde_json::Value;

/// Docker's `network.ConnectOptions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectRequest {
    pub container: String,
    pub config: EndpointRequest,
}

/// Docker's `network.DisconnectOptions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisconnectRequest {
    pub container: String,
    pub force: bool,
}

pub fn parse_connect_request(body: Option<&Value>) -> Result<ConnectRequest, ApiError> {
    let o = Obj::new(body, "network.ConnectOptions")?;
    let container = o.string("Container")?;
    let e = o.object("EndpointConfig", "network.EndpointSettings")?;
    Ok(ConnectRequest {
        container,
        config: endpoint_request(&e)?,
    })
}

pub fn parse_disconnect_request(body: Option<&Value>) -> Result<DisconnectRequest, ApiError> {
    let o = Obj::new(body, "network.DisconnectOptions")?;
    Ok(DisconnectRequest {
        container: o.string("Container")?,
        force: o.bool("Force")?,
    })
}

/// The configuration half of an `EndpointSettings`; the operational fields a client may
/// echo back (`NetworkID`, `IPAddress`, ...) are ignored, as dockerd ignores them.
pub fn endpoint_request(e: &Obj<'_>) -> Result<EndpointRequest, ApiError> {
    let ipam = e.object("IPAMConfig", "network.EndpointIPAMConfig")?;
    // Checked for type like the rest; the model has no place for link-local addresses yet.
    ipam.string_list("LinkLocalIPs")?;
    Ok(EndpointRequest {
        aliases: e.string_list("Aliases")?,
        links: e.string_list("Links")?,
        ipv4_address: ipam.string("IPv4Address")?,
        ipv6_address: ipam.string("IPv6Address")?,
        mac_address: e.string("MacAddress")?,
        driver_opts: e.string_map("DriverOpts")?,
        gw_priority: e.opt_int("GwPriority")?.unwrap_or(0),
    })
}
