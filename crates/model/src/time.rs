//! Timestamps in the exact text form Docker's Go code emits (RFC 3339 with nanoseconds,
//! trailing zeros of the fraction dropped, as Go's `time.RFC3339Nano` does).

use chrono::{DateTime, Timelike, Utc};

pub fn rfc3339_nano(t: &DateTime<Utc>) -> String {
    let base = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = t.nanosecond() % 1_000_000_000;
    if nanos == 0 {
        return format!("{base}Z");
    }
    let frac = format!("{nanos:09}");
    format!("{base}.{}Z", frac.trim_end_matches('0'))
}

/// The timestamp type of berth's records.
pub type Timestamp = DateTime<Utc>;

pub fn now() -> Timestamp {
    Utc::now()
}

/// The zero time Docker prints for objects that have none (the predefined `host` and `none`).
pub const GO_ZERO_TIME: &str = "0001-01-01T00:00:00Z";

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn trims_trailing_zeros_like_go() {
        let t = Utc.with_ymd_and_hms(2026, 11, 28, 1, 2, 3).unwrap();
        assert_eq!(rfc3339_nano(&t), "2026-11-28T01:02:03Z");
        let t2 = t + chrono::Duration::nanoseconds(120_000_000);
        assert_eq!(rfc3339_nano(&t2), "2026-11-28T01:02:03.12Z");
        let t3 = t + chrono::Duration::nanoseconds(123_456_789);
        assert_eq!(rfc3339_nano(&t3), "2026-11-28T01:02:03.123456789Z");
    }
}
