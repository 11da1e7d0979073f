//! `ensure_bridge`: create a bridge, or bring berth's existing bridge back in line with its spec.

use super::socket::NlSocket;
use super::{addresses, links};
use crate::kernel::{is_ipv6_link_local, validate_link_name};
use crate::{BridgeSpec, LinkInfo, NetsysError};

pub(crate) fn ensure(sock: &mut NlSocket, spec: &BridgeSpec) -> Result<(), NetsysError> {
    validate_link_name(&spec.name)?;
    if let Some(existing) = links::get(sock, &spec.name)? {
        return reconcile(sock, spec, &existing);
    }
    match create(sock, spec) {
        // Someone else created the name between our look-up and our create.
        Err(e) if e.errno() == Some(libc::EEXIST) => match links::get(sock, &spec.name)? {
            Some(existing) => reconcile(sock, spec, &existing),
            None => Err(e),
        },
        other => other,
    }
}

/// Only a bridge carrying the spec's alias is berth's to change.
fn check_owned(spec: &BridgeSpec, link: &LinkInfo) -> Result<(), NetsysError> {
    let is_bridge = link.kind.as_deref() == Some("bridge");
    let same_alias = link.alias.as_deref().unwrap_or("") == spec.alias;
    if is_bridge && same_alias {
        Ok(())
    } else {
        Err(NetsysError::NameInUse {
            name: spec.name.clone(),
        })
    }
}

/// Creates the bridge and configures it. The kernel ignores an alias at creation time, so the
/// bridge is born under a staging name ([`STAGING_PREFIX`]) that only berth uses, gets its alias,
/// and only then takes its real name: a crash at any point leaves either a staging bridge or a
/// bridge with berth's alias, both of which reconcile recognises as berth's. If configuring
/// fails, the half-made bridge is removed so a retry starts from scratch.
fn create(sock: &mut NlSocket, spec: &BridgeSpec) -> Result<(), NetsysError> {
    let staging = staging_name();
    links::create_bridge(sock, &staging, spec.mtu, random_mac()).map_err(|e| match e {
        NetsysError::Netlink { errno, message, .. } => NetsysError::Netlink {
            op: format!("create bridge {} (as {staging})", spec.name),
            errno,
            message,
        },
        other => other,
    })?;
    let link = links::get(sock, &staging)?.ok_or_else(|| NetsysError::Protocol {
        op: format!("create bridge {}", spec.name),
        detail: "the new bridge vanished".to_string(),
    })?;
    let configured = configure_new(sock, spec, link.index);
    if configured.is_err() {
        // The original error is what matters; a failed cleanup is left to reconcile.
        let _ = links::delete_by_index(sock, link.index);
    }
    configured
}

/// A random locally administered unicast MAC for a new bridge. A bridge whose MAC was given
/// keeps it; one left to the kernel takes the lowest MAC of its ports, so the gateway's MAC
/// would change as containers come and go and their ARP caches would point at a MAC that is
/// gone (Docker gives its bridges a MAC for the same reason).
fn random_mac() -> [u8; 6] {
    use std::io::Read;
    let mut mac = [0u8; 6];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut mac));
    if read.is_err() {
        // Unique enough without a random source: time, pid and a counter.
        let seed = staging_name();
        let digits = seed.trim_start_matches(STAGING_PREFIX);
        let value = u32::from_str_radix(digits, 16).unwrap_or(0);
        mac[2..].copy_from_slice(&value.to_be_bytes());
        mac[1] = std::process::id() as u8;
    }
    mac[0] = (mac[0] & 0xfe) | 0x02;
    mac
}

/// Names of bridges berth is still creating; nobody else uses this prefix.
pub const STAGING_PREFIX: &str = "berthx-";

fn staging_name() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let mixed = nanos ^ std::process::id().rotate_left(16) ^ n.wrapping_mul(0x9e37_79b9);
    format!("{STAGING_PREFIX}{mixed:08x}")
}

fn configure_new(sock: &mut NlSocket, spec: &BridgeSpec, index: u32) -> Result<(), NetsysError> {
    if !spec.alias.is_empty() {
        links::set_alias(sock, index, &spec.alias)?;
    }
    links::rename(sock, index, &spec.name).map_err(|e| {
        if e.errno() == Some(libc::EEXIST) {
            NetsysError::NameInUse {
                name: spec.name.clone(),
            }
        } else {
            e
        }
    })?;
    for net in &spec.addresses {
        addresses::add(sock, index, net)?;
    }
    links::set_up(sock, index)
}

fn reconcile(sock: &mut NlSocket, spec: &BridgeSpec, link: &LinkInfo) -> Result<(), NetsysError> {
    check_owned(spec, link)?;
    let mut current = addresses::of_link(sock, link.index)?;
    let extra: Vec<_> = current
        .iter()
        .filter(|net| !is_ipv6_link_local(net) && !spec.addresses.contains(net))
        .copied()
        .collect();
    if !extra.is_empty() {
        for net in &extra {
            addresses::delete(sock, link.index, net)?;
        }
        // Deleting a primary IPv4 address can take its secondaries with it: look again.
        current = addresses::of_link(sock, link.index)?;
    }
    for net in &spec.addresses {
        if !current.contains(net) {
            addresses::add(sock, link.index, net)?;
        }
    }
    if let Some(mtu) = spec.mtu {
        if link.mtu != mtu {
            links::set_mtu(sock, link.index, mtu)?;
        }
    }
    if !link.up {
        links::set_up(sock, link.index)?;
    }
    Ok(())
}
