//! Rules for network names and the names Docker reserves.

use crate::error::ApiError;

/// Names of the networks every daemon has; they cannot be created or removed by users.
pub const PREDEFINED: [&str; 3] = ["bridge", "host", "none"];

pub fn is_predefined(name: &str) -> bool {
    PREDEFINED.contains(&name) || name == "default"
}

/// Checks a requested network name. Docker accepts any non-empty name that is not
/// predefined; berth also refuses control characters and absurd lengths, which no Docker
/// client can use sensibly (they break the CLI's tables and the kernel's bridge names).
pub fn validate_network_name(name: &str) -> Result<(), ApiError> {
    if name.is_empty() {
        return Err(ApiError::invalid("invalid name: "));
    }
    if is_predefined(name) {
        return Err(ApiError::forbidden(format!(
            "operation is not permitted on predefined {name} network "
        )));
    }
    if name.chars().any(|c| c.is_control()) {
        return Err(ApiError::invalid(format!(
            "invalid name: {}",
            name.escape_default()
        )));
    }
    if name.len() > 255 {
        return Err(ApiError::invalid(format!(
            "invalid name: {}...: a network name is at most 255 bytes",
            &name[..name.floor_char_boundary(32)]
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn names() {
        assert!(validate_network_name("my-net_1.x").is_ok());
        assert_eq!(
            validate_network_name("").unwrap_err().kind,
            ErrorKind::InvalidParameter
        );
        let e = validate_network_name("bridge").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert_eq!(
            e.message,
            "operation is not permitted on predefined bridge network "
        );
        assert!(validate_network_name("a\nb").is_err());
        assert!(validate_network_name(&"x".repeat(300)).is_err());
    }
}
