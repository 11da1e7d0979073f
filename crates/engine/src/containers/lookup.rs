//! Finding a container by what a user typed: full ID, name (with or without the leading
//! `/`), or unique ID prefix, with Docker's messages.

use berth_model::container::Container;
use berth_model::ApiError;
use std::collections::HashMap;

pub(crate) fn find<'a>(
    all: &'a HashMap<String, Container>,
    term: &str,
) -> Result<&'a Container, ApiError> {
    if term.is_empty() {
        return Err(ApiError::not_found("No such container: "));
    }
    if let Some(c) = all.get(term) {
        return Ok(c);
    }
    let name = term.strip_prefix('/').unwrap_or(term);
    if let Some(c) = all.values().find(|c| c.name == name) {
        return Ok(c);
    }
    let matches: Vec<&Container> = all.values().filter(|c| c.id.starts_with(term)).collect();
    match matches.len() {
        1 => Ok(matches[0]),
        0 => Err(ApiError::not_found(format!("No such container: {term}"))),
        _ => Err(ApiError::invalid(format!(
            "Multiple IDs found with provided prefix: {term}"
        ))),
    }
}
