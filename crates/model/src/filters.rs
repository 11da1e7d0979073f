//! Docker's `filters` query parameter: a JSON map from filter name to values, sent either
//! as `{"name":["a","b"]}` (current) or `{"name":{"a":true}}` (the legacy form old clients send).

use crate::error::ApiError;
use crate::json_syntax::{go_syntax_message, GoReader};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    map: BTreeMap<String, Vec<String>>,
}

impl Filters {
    pub fn parse(raw: Option<&str>) -> Result<Filters, ApiError> {
        let raw = match raw {
            None => return Ok(Filters::default()),
            Some(r) if r.trim().is_empty() => return Ok(Filters::default()),
            Some(r) => r,
        };
        let value: serde_json::Value = serde_json::from_str(raw).map_err(|e| {
            let msg = go_syntax_message(raw.as_bytes(), &e, GoReader::Unmarshal);
            ApiError::invalid(format!("invalid filter: {msg}"))
        })?;
        let obj = value
            .as_object()
            .ok_or_else(|| ApiError::invalid("invalid filter: filters must be a JSON object"))?;
        let mut map = BTreeMap::new();
        for (k, v) in obj {
            let values: Vec<String> = match v {
                serde_json::Value::Array(a) => a
                    .iter()
                    .map(|x| {
                        x.as_str().map(str::to_string).ok_or_else(|| {
                            ApiError::invalid(format!(
                                "invalid filter '{k}': values must be strings"
                            ))
                        })
                    })
                    .collect::<Result<_, _>>()?,
                // the legacy form's booleans carry no meaning: dockerd reads only the keys
                serde_json::Value::Object(o) => o.keys().cloned().collect(),
                _ => {
                    return Err(ApiError::invalid(format!(
                        "invalid filter '{k}': values must be a list"
                    )))
                }
            };
            map.insert(k.clone(), values);
        }
        Ok(Filters { map })
    }

    /// Refuses filter names outside `accepted`, with Docker 28's message (lowercase since moby
    /// unified its filter errors).
    pub fn validate(&self, accepted: &[&str]) -> Result<(), ApiError> {
        for k in self.map.keys() {
            if !accepted.contains(&k.as_str()) {
                return Err(ApiError::invalid(format!("invalid filter '{k}'")));
            }
        }
        Ok(())
    }

    pub fn get(&self, key: &str) -> &[String] {
        self.map.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn contains(&self, key: &str) -> bool {
        self.map.get(key).is_some_and(|v| !v.is_empty())
    }

    /// Docker's label match: every `label` value (`k` or `k=v`) must match.
    pub fn match_labels(&self, key: &str, labels: &BTreeMap<String, String>) -> bool {
        self.get(key).iter().all(|want| label_matches(want, labels))
    }

    /// `label!`: none of the values may match.
    pub fn match_no_labels(&self, key: &str, labels: &BTreeMap<String, String>) -> bool {
        !self.get(key).iter().any(|want| label_matches(want, labels))
    }
}

fn label_matches(want: &str, labels: &BTreeMap<String, String>) -> bool {
    match want.split_once('=') {
        Some((k, v)) => labels.get(k).is_some_and(|have| have == v),
        None => labels.contains_key(want),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_encodings() {
        let a = Filters::parse(Some(r#"{"name":["x","y"]}"#)).unwrap();
        let b = Filters::parse(Some(r#"{"name":{"x":true,"y":true}}"#)).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.get("name"), ["x", "y"]);
        // the legacy form's booleans are ignored, as dockerd ignores them
        let c = Filters::parse(Some(r#"{"name":{"x":false,"y":true}}"#)).unwrap();
        assert_eq!(c, a);
        assert_eq!(
            Filters::parse(Some("{bad")).unwrap_err().message,
            "invalid filter: invalid character 'b' looking for beginning of object key string"
        );
        assert!(Filters::parse(Some("[]")).is_err());
    }

    #[test]
    fn labels_and_validation() {
        let f = Filters::parse(Some(r#"{"label":["a","b=2"]}"#)).unwrap();
        let mut l = BTreeMap::new();
        l.insert("a".to_string(), "1".to_string());
        assert!(!f.match_labels("label", &l));
        l.insert("b".to_string(), "2".to_string());
        assert!(f.match_labels("label", &l));
        assert!(f.validate(&["label"]).is_ok());
        assert_eq!(
            f.validate(&["name"]).unwrap_err().message,
            "invalid filter 'label'"
        );
    }
}
