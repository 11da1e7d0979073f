//! `since` and `until` of `GET /events`: Unix seconds with an optional fraction, as the
//! docker CLI sends them (`1732848000.123456789`); dockerd's `timetypes.ParseTimestamps`.

use crate::error::ApiError;

/// Nanoseconds since the epoch; `None` for an empty value.
pub fn parse_timestamp(value: &str) -> Result<Option<i64>, ApiError> {
    if value.is_empty() {
        return Ok(None);
    }
    let (secs, frac) = match value.split_once('.') {
        Some((s, f)) => (s, Some(f)),
        None => (value, None),
    };
    let secs: i64 = parse_int(secs)?;
    let nanos = match frac {
        None => 0,
        Some(f) => {
            let n = parse_int(f)?;
            // a fraction of any length: scaled to nanoseconds as dockerd scales it
            let digits = f.trim_start_matches(['+', '-']).len() as i32;
            (n as f64 * 10f64.powi(9 - digits)) as i64
        }
    };
    secs.checked_mul(1_000_000_000)
        .and_then(|s| s.checked_add(nanos))
        .map(Some)
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "strconv.ParseInt: parsing {value:?}: value out of range"
            ))
        })
}

fn parse_int(s: &str) -> Result<i64, ApiError> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid(format!(
            "strconv.ParseInt: parsing {s:?}: invalid syntax"
        )));
    }
    s.parse().map_err(|_| {
        ApiError::invalid(format!(
            "strconv.ParseInt: parsing {s:?}: value out of range"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_and_fractions() {
        assert_eq!(parse_timestamp("").unwrap(), None);
        assert_eq!(parse_timestamp("10").unwrap(), Some(10_000_000_000));
        assert_eq!(
            parse_timestamp("10.000000001").unwrap(),
            Some(10_000_000_001)
        );
        assert_eq!(parse_timestamp("10.5").unwrap(), Some(10_500_000_000));
    }

    #[test]
    fn go_wording_for_bad_values() {
        assert_eq!(
            parse_timestamp("yesterday").unwrap_err().message,
            "strconv.ParseInt: parsing \"yesterday\": invalid syntax"
        );
        assert_eq!(
            parse_timestamp("1.x").unwrap_err().message,
            "strconv.ParseInt: parsing \"x\": invalid syntax"
        );
    }
}
