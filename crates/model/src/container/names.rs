//! Container names: Docker's allowed pattern, and generated `adjective_surname` names for
//! containers created without one.

use crate::error::ApiError;
use rand::Rng;

/// Checks a user-given name (with or without Docker's leading `/`) and returns it without the slash.
pub fn validate_container_name(name: &str) -> Result<String, ApiError> {
    let bare = name.strip_prefix('/').unwrap_or(name);
    let mut chars = bare.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if bare.len() < 2 || !first_ok || !rest_ok {
        return Err(ApiError::invalid(format!(
            "Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
        )));
    }
    Ok(bare.to_string())
}

const ADJECTIVES: &[&str] = &[
    "agile", "amber", "brave", "bright", "calm", "clever", "cosmic", "crisp", "daring", "eager",
    "fearless", "gentle", "golden", "happy", "humble", "keen", "lively", "lucid", "mellow",
    "nimble", "patient", "quiet", "rapid", "serene", "sharp", "steady", "swift", "tidy", "vivid",
    "witty",
];

const SURNAMES: &[&str] = &[
    "archimedes",
    "babbage",
    "bohr",
    "curie",
    "darwin",
    "dijkstra",
    "euclid",
    "euler",
    "faraday",
    "fermi",
    "galileo",
    "gauss",
    "hopper",
    "hypatia",
    "kepler",
    "knuth",
    "lamarr",
    "lovelace",
    "maxwell",
    "meitner",
    "newton",
    "noether",
    "pascal",
    "planck",
    "ritchie",
    "shannon",
    "tesla",
    "thompson",
    "turing",
    "wozniak",
];

/// A fresh `adjective_surname`; `attempt > 0` appends a digit, as Docker does on collisions.
pub fn random_name(attempt: u32) -> String {
    let mut rng = rand::rng();
    let a = ADJECTIVES[rng.random_range(0..ADJECTIVES.len())];
    let s = SURNAMES[rng.random_range(0..SURNAMES.len())];
    if attempt == 0 {
        format!("{a}_{s}")
    } else {
        format!("{a}_{s}{}", rng.random_range(0..10))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(validate_container_name("/web-1").unwrap(), "web-1");
        assert_eq!(validate_container_name("a.b_c").unwrap(), "a.b_c");
        for bad in ["", "a", "-x", "has space", "x/y", "_lead"] {
            let e = validate_container_name(bad).unwrap_err();
            assert!(e.message.starts_with("Invalid container name"), "{bad}");
        }
        let n = random_name(0);
        assert!(validate_container_name(&n).is_ok());
        assert!(n.contains('_'));
    }
}
