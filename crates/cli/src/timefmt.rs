//! Go's time printing for the two places docker shows times: `Time.String()` (network
//! `CreatedAt`) and `time.ANSIC` (version `Built`), from RFC 3339 text the daemon sends.

struct Parsed {
    year: i64,
    month: u32,
    day: u32,
    time: String,
    frac: String,
    /// Offset in minutes east of UTC, None for `Z`.
    offset: Option<i32>,
}

fn parse(s: &str) -> Option<Parsed> {
    let (date, rest) = s.split_once('T')?;
    let mut d = date.split('-');
    let year = d.next()?.parse().ok()?;
    let month = d.next()?.parse().ok()?;
    let day = d.next()?.parse().ok()?;
    let time = rest.get(..8)?.to_string();
    let mut rest = &rest[8..];
    let mut frac = String::new();
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
        frac = r[..n].trim_end_matches('0').to_string();
        rest = &r[n..];
    }
    let offset = if rest == "Z" || rest.is_empty() {
        None
    } else {
        let sign = if rest.starts_with('-') { -1 } else { 1 };
        let (h, m) = rest.get(1..)?.split_once(':')?;
        Some(sign * (h.parse::<i32>().ok()? * 60 + m.parse::<i32>().ok()?))
    };
    Some(Parsed {
        year,
        month,
        day,
        time,
        frac,
        offset,
    })
}

fn zone(offset: Option<i32>) -> (String, String) {
    match offset {
        None => ("+0000".into(), "UTC".into()),
        Some(m) => {
            let s = format!(
                "{}{:02}{:02}",
                if m < 0 { '-' } else { '+' },
                m.abs() / 60,
                m.abs() % 60
            );
            (s.clone(), s)
        }
    }
}

/// `2026-11-28 01:34:35.41079477 +0000 UTC`; unparsable input is returned unchanged.
pub fn go_string(s: &str) -> String {
    let Some(p) = parse(s) else {
        return s.to_string();
    };
    let frac = if p.frac.is_empty() {
        String::new()
    } else {
        format!(".{}", p.frac)
    };
    let (num, name) = zone(p.offset);
    format!(
        "{:04}-{:02}-{:02} {}{frac} {num} {name}",
        p.year, p.month, p.day, p.time
    )
}

/// `Mon Jan _2 15:04:05 2006`; unparsable input is returned unchanged.
pub fn ansic(s: &str) -> String {
    let Some(p) = parse(s) else {
        return s.to_string();
    };
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = days_from_civil(p.year, p.month, p.day);
    let dow = DAYS[days.rem_euclid(7) as usize];
    let mon = MONTHS
        .get(p.month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("???");
    format!("{dow} {mon} {:>2} {} {}", p.day, p.time, p.year)
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_time_string() {
        assert_eq!(
            go_string("2026-11-28T01:34:35.410794770Z"),
            "2026-11-28 01:34:35.41079477 +0000 UTC"
        );
        assert_eq!(
            go_string("2026-11-28T01:34:35Z"),
            "2026-11-28 01:34:35 +0000 UTC"
        );
        assert_eq!(
            go_string("2026-11-28T01:34:35.5+02:00"),
            "2026-11-28 01:34:35.5 +0200 +0200"
        );
    }

    #[test]
    fn ansic_format() {
        assert_eq!(
            ansic("2026-05-07T21:09:36.000000000+00:00"),
            "Thu May  7 21:09:36 2026"
        );
        assert_eq!(ansic("2025-05-30T12:07:14Z"), "Fri May 30 12:07:14 2025");
    }
}
