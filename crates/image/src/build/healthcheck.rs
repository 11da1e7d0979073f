//! HEALTHCHECK: `NONE`, or `[--interval= --timeout= --start-period= --start-interval=
//! --retries=] CMD ...` stored in the config as Docker's `Healthcheck` (durations in ns).

use super::dockerfile::Instruction;
use crate::changes::json_array;
use crate::error::ImageError;

fn invalid(msg: impl Into<String>) -> ImageError {
    ImageError::InvalidParameter(msg.into())
}

/// HEALTHCHECK [--interval= --timeout= --start-period= --start-interval= --retries=] CMD ... | NONE
pub(super) fn parse(ins: &Instruction) -> Result<serde_json::Value, ImageError> {
    let args = ins.args.trim();
    if args.eq_ignore_ascii_case("none") {
        return Ok(serde_json::json!({"Test": ["NONE"]}));
    }
    let Some(cmd) = args
        .strip_prefix("CMD")
        .or_else(|| args.strip_prefix("cmd"))
        .map(str::trim)
    else {
        return Err(invalid("Unknown type \"\" in HEALTHCHECK (try CMD)"));
    };
    let test: Vec<String> = match json_array(cmd) {
        Some(v) => std::iter::once("CMD".to_string()).chain(v).collect(),
        None => vec!["CMD-SHELL".into(), cmd.to_string()],
    };
    let mut hc = serde_json::json!({"Test": test});
    for (k, v) in &ins.flags {
        let field = match k.as_str() {
            "interval" => "Interval",
            "timeout" => "Timeout",
            "start-period" => "StartPeriod",
            "start-interval" => "StartInterval",
            "retries" => {
                let n: i64 = v
                    .parse()
                    .map_err(|_| invalid(format!("invalid retries: {v}")))?;
                hc["Retries"] = n.into();
                continue;
            }
            other => return Err(invalid(format!("Unknown flag: {other}"))),
        };
        hc[field] = duration_ns(v)
            .ok_or_else(|| invalid(format!("time: invalid duration \"{v}\"")))?
            .into();
    }
    Ok(hc)
}

/// Go's duration syntax (`30s`, `1m30s`, `500ms`) in nanoseconds.
fn duration_ns(s: &str) -> Option<i64> {
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let n_end = rest.find(|c: char| !c.is_ascii_digit() && c != '.')?;
        let n: f64 = rest[..n_end].parse().ok()?;
        rest = &rest[n_end..];
        let u_end = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..u_end] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += n * unit;
        rest = &rest[u_end..];
    }
    Some(total as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_ns("1m30s"), Some(90_000_000_000));
        assert_eq!(duration_ns("500ms"), Some(500_000_000));
        assert_eq!(duration_ns("x"), None);
    }
}
