//! Docker's checks of one endpoint request against its network (moby `daemon/network.go`
//! `validateEndpointSettings`, with the address rules of `api/types/network/endpoint.go` as of
//! Docker 28), in Docker's order and with Docker's messages.
//!
//! Every problem is collected and reported at once as one 400:
//! `invalid endpoint settings:\n<problem>` for one problem, `\n* a\n* b` for several (moby's
//! `internal/multierror`). An unparseable MAC address is the exception: Docker 28 returns
//! `invalid MAC address X` alone, before the others. At container create Docker prefixes the
//! whole message with `invalid config for network NAME: `; that is the caller's to add.

use super::ifname::{check_ifname, IFNAME_OPTION};
use super::mac::parse_mac;
use crate::container::create::EndpointRequest;
use crate::error::ApiError;
use crate::ipam::Family;
use crate::network::Network;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// moby `netlabel.EndpointSysctls`.
pub const SYSCTLS_OPTION: &str = "com.docker.network.endpoint.sysctls";

/// The rules that differ between Docker versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointRules {
    /// Refuse a static address on a user-defined network unless a subnet of that family was
    /// given by the user (`user specified IP address is supported only when connecting to
    /// networks with user configured subnets`). Docker 20.10 enforces it; later releases up to
    /// 28 let it through by accident (their IPAM config always held the subnet, moby#51577) and
    /// moby master dropped it on purpose. berth's issue asks for the refusal: on by default.
    pub static_ip_needs_user_subnet: bool,
}

impl Default for EndpointRules {
    fn default() -> Self {
        EndpointRules {
            static_ip_needs_user_subnet: true,
        }
    }
}

/// The static addresses an endpoint asks for, once they passed validation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StaticAddresses {
    pub ipv4: Option<Ipv4Addr>,
    pub ipv6: Option<Ipv6Addr>,
}

/// [`validate_endpoint_with`] under berth's default rules.
pub fn validate_endpoint(net: &Network, req: &EndpointRequest) -> Result<(), ApiError> {
    validate_endpoint_with(net, req, EndpointRules::default())
}

/// The checks that need no network record: Docker runs these at create, where the network
/// may not exist yet (it is looked up at start).
pub fn validate_endpoint_by_name(network: &str, req: &EndpointRequest) -> Result<(), ApiError> {
    validate_settings(network, None, req, EndpointRules::default())
}

pub fn validate_endpoint_with(
    net: &Network,
    req: &EndpointRequest,
    rules: EndpointRules,
) -> Result<(), ApiError> {
    validate_settings(&net.name, Some(net), req, rules)
}

fn validate_settings(
    name: &str,
    net: Option<&Network>,
    req: &EndpointRequest,
    rules: EndpointRules,
) -> Result<(), ApiError> {
    let mut errs: Vec<String> = Vec::new();
    let user_defined = is_user_defined(name);
    if !user_defined {
        if !req.ipv4_address.is_empty() || !req.ipv6_address.is_empty() {
            errs.push(
                "user specified IP address is supported on user defined networks only".into(),
            );
        }
        if !req.aliases.is_empty() {
            // moby master's wording (older releases: "network-scoped alias is supported only
            // for containers in user defined networks").
            errs.push("network-scoped aliases are only supported for user-defined networks".into());
        }
    }

    let ipv4 = parse_field(&req.ipv4_address, parse_ipv4);
    let ipv6 = parse_field(&req.ipv6_address, parse_ipv6);
    if ipv4.is_err() {
        errs.push(format!("invalid IPv4 address: {}", req.ipv4_address));
    }
    if ipv6.is_err() {
        errs.push(format!("invalid IPv6 address: {}", req.ipv6_address));
    }
    // Docker checks unparseable addresses against the subnets too and adds a second, useless
    // error; moby master cannot (the API type no longer decodes them). Check parsed ones only.
    let check_subnet_rule = rules.static_ip_needs_user_subnet && user_defined;
    if let (Ok(Some(a)), Some(net)) = (ipv4, net) {
        check_in_subnets(net, IpAddr::V4(a), check_subnet_rule, &mut errs);
    }
    if let (Ok(Some(a)), Some(net)) = (ipv6, net) {
        check_in_subnets(net, IpAddr::V6(a), check_subnet_rule, &mut errs);
    }

    if !req.mac_address.is_empty() {
        parse_mac(&req.mac_address)?;
    }

    if let Some(sysctls) = req.driver_opts.get(SYSCTLS_OPTION) {
        for sysctl in sysctls.split(',') {
            if !is_interface_sysctl(sysctl) {
                errs.push(format!(
                    "unrecognised network interface sysctl '{sysctl}'; represent 'net.X.Y.ethN.Z=V' as 'net.X.Y.IFNAME.Z=V', 'X' must be 'ipv4', 'ipv6' or 'mpls'"
                ));
            }
        }
    }
    // Beyond Docker, which only fails at start when the kernel refuses the name.
    if let Some(name) = req.driver_opts.get(IFNAME_OPTION) {
        if let Err(e) = check_ifname(name) {
            errs.push(e);
        }
    }

    if errs.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "invalid endpoint settings:\n{}",
            join_errors(&errs)
        )))
    }
}

/// The static addresses of a request, parsed and unmapped; call after validation (an address
/// that does not parse is left out).
pub fn static_addresses(req: &EndpointRequest) -> StaticAddresses {
    StaticAddresses {
        ipv4: parse_field(&req.ipv4_address, parse_ipv4).ok().flatten(),
        ipv6: parse_field(&req.ipv6_address, parse_ipv6).ok().flatten(),
    }
}

/// What moby's `NetworkMode.IsUserDefined` says of a network name.
pub fn is_user_defined(network_name: &str) -> bool {
    !matches!(network_name, "bridge" | "host" | "none" | "default")
        && !network_name.starts_with("container:")
}

fn parse_field<T>(raw: &str, parse: fn(&str) -> Option<T>) -> Result<Option<T>, ()> {
    if raw.is_empty() {
        Ok(None)
    } else {
        parse(raw).map(Some).ok_or(())
    }
}

/// An IPv4 address, or an IPv4-mapped IPv6 one (unmapped), never 0.0.0.0.
fn parse_ipv4(raw: &str) -> Option<Ipv4Addr> {
    match raw.parse::<IpAddr>().ok()? {
        IpAddr::V4(a) => Some(a),
        IpAddr::V6(a) => a.to_ipv4_mapped(),
    }
    .filter(|a| !a.is_unspecified())
}

/// A real IPv6 address: not IPv4-mapped, never `::`.
fn parse_ipv6(raw: &str) -> Option<Ipv6Addr> {
    match raw.parse::<IpAddr>().ok()? {
        IpAddr::V6(a) if a.to_ipv4_mapped().is_none() && !a.is_unspecified() => Some(a),
        _ => None,
    }
}

fn check_in_subnets(net: &Network, addr: IpAddr, needs_user_subnet: bool, errs: &mut Vec<String>) {
    let family = Family::of_addr(&addr);
    let pools = || net.pools.iter().filter(|p| p.family() == family);
    if needs_user_subnet && !pools().any(|p| p.subnet_given) {
        errs.push(
            "user specified IP address is supported only when connecting to networks with user configured subnets"
                .into(),
        );
        return;
    }
    if !pools().any(|p| p.subnet.contains(&addr)) {
        // moby master's and Docker 28's wording. Docker 25–27 said "no configured subnet or
        // ip-range contain the IP address X", 20.10 "Invalid address X: It does not belong to
        // any of this network's subnets" (still moby's allocator's last resort).
        errs.push(format!("no configured subnet contains IP address {addr}"));
    }
}

/// `net.X.Y.IFNAME.Z=V` with X one of ipv4, ipv6, mpls (moby accepts `ifname` too, because the
/// CLI lowercases driver options).
fn is_interface_sysctl(sysctl: &str) -> bool {
    let parts: Vec<&str> = sysctl.splitn(5, '.').collect();
    parts.len() == 5
        && matches!(parts[1], "ipv4" | "ipv6" | "mpls")
        && matches!(parts[3], "IFNAME" | "ifname")
}

/// moby `internal/multierror.Join`: one error as is, several as a `* ` list, nested lines
/// indented by a tab.
fn join_errors(errs: &[String]) -> String {
    match errs {
        [one] => one.trim().to_string(),
        many => {
            let items: Vec<String> = many.iter().map(|e| e.replace('\n', "\n\t")).collect();
            format!("* {}", items.join("\n* "))
        }
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
