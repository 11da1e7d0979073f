//! docker's go-units as `docker images` uses them: sizes with 3 significant digits in
//! decimal units, and "N minutes ago".

/// `units.HumanSizeWithPrecision(size, 3)`.
pub fn human_size(size: f64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut s = size;
    let mut i = 0;
    while s >= 1000.0 && i < UNITS.len() - 1 {
        s /= 1000.0;
        i += 1;
    }
    format!("{}{}", go_g3(s), UNITS[i])
}

/// `units.HumanSize` (4 significant digits), as `Sending build context ...` prints sizes.
pub fn human_size4(size: f64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut s = size;
    let mut i = 0;
    while s >= 1000.0 && i < UNITS.len() - 1 {
        s /= 1000.0;
        i += 1;
    }
    // Go's %.4g below 1000: four significant digits, trailing zeros dropped
    let text = if s == 0.0 {
        "0".to_string()
    } else {
        let exp = s.abs().log10().floor() as i32;
        let decimals = (3 - exp).max(0) as usize;
        let t = format!("{s:.decimals$}");
        if t.contains('.') {
            t.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            t
        }
    };
    format!("{text}{}", UNITS[i])
}

/// Go's `%.3g` for 0 <= v < 1000: three significant digits, trailing zeros dropped.
fn go_g3(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let exp = v.abs().log10().floor() as i32;
    let decimals = (2 - exp).max(0) as usize;
    let mut text = format!("{v:.decimals$}");
    // rounding may carry into a fourth digit (999.7 → "1000"): Go prints 1e+03 then
    let digits = text.replace('.', "").trim_start_matches('0').len();
    if text.starts_with("1000") || (exp >= 0 && digits > 3 && !text.contains('.')) {
        return "1e+03".into();
    }
    if text.contains('.') {
        text = text.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    text
}

/// `units.HumanDuration`.
pub fn human_duration(secs: i64) -> String {
    let minutes = secs / 60;
    let hours = ((secs as f64) / 3600.0 + 0.5) as i64;
    if secs < 1 {
        "Less than a second".into()
    } else if secs == 1 {
        "1 second".into()
    } else if secs < 60 {
        format!("{secs} seconds")
    } else if minutes == 1 {
        "About a minute".into()
    } else if minutes < 60 {
        format!("{minutes} minutes")
    } else if hours == 1 {
        "About an hour".into()
    } else if hours < 48 {
        format!("{hours} hours")
    } else if hours < 24 * 7 * 2 {
        format!("{} days", hours / 24)
    } else if hours < 24 * 30 * 2 {
        format!("{} weeks", hours / 24 / 7)
    } else if hours < 24 * 365 * 2 {
        format!("{} months", hours / 24 / 30)
    } else {
        format!("{} years", secs / 3600 / 24 / 365)
    }
}

/// Unix seconds as RFC 3339 in UTC (`2024-01-02T03:04:05Z`).
pub fn rfc3339_utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod human_size4_tests {
    #[test]
    fn four_digits() {
        assert_eq!(super::human_size4(2048.0), "2.048kB");
        assert_eq!(super::human_size4(4096.0), "4.096kB");
        assert_eq!(super::human_size4(512.0), "512B");
        assert_eq!(super::human_size4(33_360_000.0), "33.36MB");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_as_docker_prints_them() {
        assert_eq!(human_size(0.0), "0B");
        assert_eq!(human_size_4(0.0), "0B");
        assert_eq!(human_size_4(12.0), "12B");
        assert_eq!(human_size_4(1234.0), "1.234kB");
        assert_eq!(human_size_4(1_500_000.0), "1.5MB");
        assert_eq!(human_size(999.0), "999B");
        assert_eq!(human_size(1234.0), "1.23kB");
        assert_eq!(human_size(2_145_000.0), "2.15MB");
        assert_eq!(human_size(4_000_000.0), "4MB");
        assert_eq!(human_size(4_100_000.0), "4.1MB");
        assert_eq!(human_size(12_300_000.0), "12.3MB");
        assert_eq!(human_size(999_700.0), "1e+03kB");
    }

    #[test]
    fn durations_as_docker_prints_them() {
        assert_eq!(human_duration(0), "Less than a second");
        assert_eq!(human_duration(45), "45 seconds");
        assert_eq!(human_duration(90), "About a minute");
        assert_eq!(human_duration(600), "10 minutes");
        assert_eq!(human_duration(3600), "About an hour");
        assert_eq!(human_duration(5 * 3600), "5 hours");
        assert_eq!(human_duration(3 * 86400), "3 days");
        assert_eq!(rfc3339_utc(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}

/// `units.HumanSize` (precision 4), as `volume prune` and `system prune` print sizes.
pub fn human_size_4(size: f64) -> String {
    human_size4(size)
}
