//! docker's `timetypes.GetTimestamp`: what `--since` and `--until` accept — a Go duration
//! back from now (`10m`), RFC 3339 with or without zone and fraction, a date, or Unix seconds
//! — turned into the `seconds.nanoseconds` text the API takes.

use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, TimeZone};

pub fn get_timestamp(value: &str, now: DateTime<Local>) -> Result<String, String> {
    if value != "0" {
        if let Some(nanos) = go_duration(value) {
            let t = now.timestamp_nanos_opt().unwrap_or(0).saturating_sub(nanos);
            return Ok(t.div_euclid(1_000_000_000).to_string());
        }
    }
    let in_location = !(value.contains(['z', 'Z', '+']) || value.matches('-').count() == 3);
    match parse_time(value, in_location, now) {
        Some(t) => Ok(format!(
            "{}.{:09}",
            t.timestamp(),
            t.timestamp_subsec_nanos()
        )),
        None if value.contains('-') => Err(format!("parsing time {value:?}: cannot parse")),
        None if unix_seconds(value) => Ok(value.to_string()),
        None => Err(format!(
            "failed to parse value as time or duration: {value:?}"
        )),
    }
}

fn parse_time(
    value: &str,
    in_location: bool,
    now: DateTime<Local>,
) -> Option<DateTime<FixedOffset>> {
    if !in_location {
        let v = value.replace('z', "Z");
        if let Ok(t) = DateTime::parse_from_rfc3339(&v) {
            return Some(t);
        }
        for f in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H%:z"] {
            if let Ok(t) = DateTime::parse_from_str(&v.replace('Z', "+00:00"), f) {
                return Some(t);
            }
        }
        let (date, zone) = (v.get(..10)?, v.get(10..)?);
        let zone = if zone == "Z" { "+00:00" } else { zone };
        let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
        let off = DateTime::parse_from_str(
            &format!("2000-01-01T00:00:00{zone}"),
            "%Y-%m-%dT%H:%M:%S%:z",
        )
        .ok()?
        .offset()
        .to_owned();
        return off.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single();
    }
    let local = if value.contains('T') {
        ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(value, f).ok())
            .or_else(|| {
                NaiveDateTime::parse_from_str(&format!("{value}:00"), "%Y-%m-%dT%H:%M").ok()
            })?
    } else {
        NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .ok()?
            .and_hms_opt(0, 0, 0)?
    };
    now.offset()
        .from_local_datetime(&local)
        .single()
        .map(|t| t.fixed_offset())
}

/// `123` or `123.456`, as the daemon takes them.
fn unix_seconds(value: &str) -> bool {
    let (s, f) = value.split_once('.').unwrap_or((value, "0"));
    let digits = |x: &str| {
        let x = x.strip_prefix(['+', '-']).unwrap_or(x);
        !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit())
    };
    digits(s) && digits(f)
}

/// Go's `time.ParseDuration` in nanoseconds: `300ms`, `-1.5h`, `2h45m`.
fn go_duration(s: &str) -> Option<i64> {
    let (neg, mut rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let n = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let number: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = match &rest[..u] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += number * unit;
        rest = &rest[u..];
    }
    Some(if neg { -total } else { total } as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Local> {
        Local.timestamp_opt(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn durations_count_back_from_now() {
        assert_eq!(get_timestamp("10m", now()).unwrap(), "1799999400");
        assert_eq!(get_timestamp("1h30m", now()).unwrap(), "1799994600");
        // absurd durations saturate rather than overflow
        assert!(get_timestamp("-9999999999999h", now()).is_ok());
        assert!(get_timestamp("9999999999999h", now()).is_ok());
        assert!(get_timestamp("ééééééé+01:00", now()).is_err());
    }

    #[test]
    fn rfc3339_and_unix_seconds() {
        assert_eq!(
            get_timestamp("2027-01-15T08:00:00Z", now()).unwrap(),
            "1800000000.000000000"
        );
        assert_eq!(
            get_timestamp("2027-01-15T09:00:00.5+01:00", now()).unwrap(),
            "1800000000.500000000"
        );
        assert_eq!(
            get_timestamp("1800000000.25", now()).unwrap(),
            "1800000000.25"
        );
        assert_eq!(get_timestamp("0", now()).unwrap(), "0");
        assert_eq!(
            get_timestamp("soon", now()).unwrap_err(),
            "failed to parse value as time or duration: \"soon\""
        );
    }
}
