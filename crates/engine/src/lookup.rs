//! Finding a network by what a user typed, in Docker's order: full ID, then exact name,
//! then ID prefix (moby's `findUniqueNetwork`).

use berth_model::network::Network;
use berth_model::ApiError;
use std::sync::Arc;

pub fn find_network<'a>(networks: &'a [Arc<Network>], term: &str) -> Result<&'a Network, ApiError> {
    if let Some(n) = networks.iter().map(|n| n.as_ref()).find(|n| n.id == term) {
        return Ok(n);
    }
    let by_name: Vec<&Network> = networks
        .iter()
        .map(|n| n.as_ref())
        .filter(|n| n.name == term)
        .collect();
    match by_name.len() {
        1 => return Ok(by_name[0]),
        0 => {}
        k => {
            return Err(ApiError::invalid(format!(
                "network {term} is ambiguous ({k} matches found based on name)"
            )))
        }
    }
    if !term.is_empty() {
        let by_prefix: Vec<&Network> = networks
            .iter()
            .map(|n| n.as_ref())
            .filter(|n| n.id.starts_with(term))
            .collect();
        match by_prefix.len() {
            1 => return Ok(by_prefix[0]),
            0 => {}
            k => {
                return Err(ApiError::invalid(format!(
                    "network {term} is ambiguous ({k} matches found based on ID prefix)"
                )))
            }
        }
    }
    Err(ApiError::not_found(format!("network {term} not found")))
}
