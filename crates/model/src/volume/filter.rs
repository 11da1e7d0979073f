//! `GET /volumes` and `POST /volumes/prune` filters, checked once into a typed form.

use super::{Volume, LOCAL_DRIVER};
use crate::error::ApiError;
use crate::filters::Filters;

#[derive(Debug, Clone, Default)]
pub struct VolumeFilter {
    raw: Filters,
    dangling: Option<bool>,
    /// prune only: `all=true` takes named volumes too.
    all: bool,
}

fn parse_bool(key: &str, values: &[String]) -> Result<Option<bool>, ApiError> {
    let mut out = None;
    for v in values {
        let b = match v.to_ascii_lowercase().as_str() {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => return Err(ApiError::invalid(format!("invalid filter '{key}={v}'"))),
        };
        out = Some(b);
    }
    Ok(out)
}

/// The filters `GET /volumes` accepts.
pub fn list_filter(raw: Filters) -> Result<VolumeFilter, ApiError> {
    raw.validate(&["name", "driver", "label", "dangling"])?;
    let dangling = parse_bool("dangling", raw.get("dangling"))?;
    Ok(VolumeFilter {
        raw,
        dangling,
        all: false,
    })
}

/// The filters `POST /volumes/prune` accepts; prune looks only at unused volumes.
pub fn prune_filter(raw: Filters) -> Result<VolumeFilter, ApiError> {
    raw.validate(&["label", "label!", "all"])?;
    let all = parse_bool("all", raw.get("all"))?.unwrap_or(false);
    Ok(VolumeFilter {
        raw,
        dangling: Some(true),
        all,
    })
}

impl VolumeFilter {
    /// Whether `v` passes; `in_use` tells whether a container refers to it.
    pub fn matches(&self, v: &Volume, in_use: bool) -> bool {
        let names = self.raw.get("name");
        if !names.is_empty() && !names.iter().any(|n| v.name.contains(n.as_str())) {
            return false;
        }
        let drivers = self.raw.get("driver");
        if !drivers.is_empty() && !drivers.iter().any(|d| d == &v.driver) {
            return false;
        }
        let labels = v.label_map();
        if !self.raw.match_labels("label", &labels) || !self.raw.match_no_labels("label!", &labels)
        {
            return false;
        }
        if let Some(d) = self.dangling {
            if d == in_use {
                return false;
            }
        }
        true
    }

    /// prune: unused, anonymous unless `all=true`, local, and matching the label filters.
    pub fn prunes(&self, v: &Volume, in_use: bool) -> bool {
        v.driver == LOCAL_DRIVER && (self.all || v.is_anonymous()) && self.matches(v, in_use)
    }
}

#[cfg(test)]
mod tests {
    use super::super::ANONYMOUS_LABEL;
    use super::*;
    use std::collections::BTreeMap;

    fn vol(name: &str, labels: &[(&str, &str)]) -> Volume {
        Volume {
            name: name.into(),
            driver: "local".into(),
            created: crate::time::now(),
            labels: Some(
                labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<BTreeMap<_, _>>(),
            ),
            options: None,
        }
    }

    fn f(s: &str) -> Filters {
        Filters::parse(Some(s)).unwrap()
    }

    #[test]
    fn list_filters() {
        let v = vol("mydata", &[("env", "prod")]);
        assert!(list_filter(f(r#"{"name":["data"]}"#))
            .unwrap()
            .matches(&v, false));
        assert!(!list_filter(f(r#"{"name":["x"]}"#))
            .unwrap()
            .matches(&v, false));
        assert!(list_filter(f(r#"{"label":["env=prod"]}"#))
            .unwrap()
            .matches(&v, false));
        assert!(!list_filter(f(r#"{"label":["env=dev"]}"#))
            .unwrap()
            .matches(&v, false));
        let dangling = list_filter(f(r#"{"dangling":["true"]}"#)).unwrap();
        assert!(dangling.matches(&v, false) && !dangling.matches(&v, true));
        assert!(!list_filter(f(r#"{"driver":["nfs"]}"#))
            .unwrap()
            .matches(&v, false));
        assert_eq!(
            list_filter(f(r#"{"bogus":["1"]}"#)).unwrap_err().message,
            "invalid filter 'bogus'"
        );
        assert!(list_filter(f(r#"{"dangling":["maybe"]}"#)).is_err());
    }

    #[test]
    fn prune_takes_anonymous_unless_all() {
        let named = vol("named", &[]);
        let anon = vol("0123", &[(ANONYMOUS_LABEL, "")]);
        let p = prune_filter(Filters::default()).unwrap();
        assert!(p.prunes(&anon, false));
        assert!(!p.prunes(&anon, true), "in use");
        assert!(!p.prunes(&named, false));
        let all = prune_filter(f(r#"{"all":["true"]}"#)).unwrap();
        assert!(all.prunes(&named, false));
        assert!(prune_filter(f(r#"{"name":["x"]}"#)).is_err());
    }
}
