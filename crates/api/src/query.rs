//! Query-string values as dockerd reads them.

use std::collections::HashMap;

/// dockerd's `httputils.BoolValue`: anything but "", "0", "no", "false" and "none" is true.
pub fn bool_value(q: &HashMap<String, String>, key: &str) -> bool {
    match q.get(key) {
        None => false,
        Some(v) => !matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "" | "0" | "no" | "false" | "none"
        ),
    }
}

pub fn get<'a>(q: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    q.get(key).map(String::as_str).filter(|v| !v.is_empty())
}
