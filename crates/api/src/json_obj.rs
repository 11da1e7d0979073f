//! Typed access to a JSON object with Go's decoding rules: field names match
//! case-insensitively (Go's encoding/json does), `null` means absent, and a value of the
//! wrong type is a 400 naming the field, like Go's "cannot unmarshal" errors.

use berth_model::ApiError;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub struct Obj<'a> {
    map: Option<&'a Map<String, Value>>,
    /// The Go type name used in messages, e.g. "network.CreateRequest".
    type_name: &'static str,
}

impl<'a> Obj<'a> {
    /// Wraps a value that must be an object (or null/absent, treated as empty).
    pub fn new(value: Option<&'a Value>, type_name: &'static str) -> Result<Obj<'a>, ApiError> {
        match value {
            None | Some(Value::Null) => Ok(Obj {
                map: None,
                type_name,
            }),
            Some(Value::Object(m)) => Ok(Obj {
                map: Some(m),
                type_name,
            }),
            Some(other) => Err(ApiError::invalid(format!(
                "invalid JSON: json: cannot unmarshal {} into Go value of type {type_name}",
                go_kind(other)
            ))),
        }
    }

    /// The field's value, matching the exact name first and then case-insensitively.
    pub fn field(&self, name: &str) -> Option<&'a Value> {
        let m = self.map?;
        let v = m.get(name).or_else(|| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })?;
        (!v.is_null()).then_some(v)
    }

    fn mismatch(&self, name: &str, v: &Value, want: &str) -> ApiError {
        ApiError::invalid(format!(
            "invalid JSON: json: cannot unmarshal {} into Go struct field {}.{name} of type {want}",
            go_kind(v),
            self.type_name.rsplit('.').next().unwrap_or(self.type_name)
        ))
    }

    pub fn string(&self, name: &str) -> Result<String, ApiError> {
        match self.field(name) {
            None => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(v) => Err(self.mismatch(name, v, "string")),
        }
    }

    pub fn bool(&self, name: &str) -> Result<bool, ApiError> {
        Ok(self.opt_bool(name)?.unwrap_or(false))
    }

    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.field(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(self.mismatch(name, v, "bool")),
        }
    }

    pub fn string_map(&self, name: &str) -> Result<BTreeMap<String, String>, ApiError> {
        match self.field(name) {
            None => Ok(BTreeMap::new()),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    other => Err(self.mismatch(name, other, "string")),
                })
                .collect(),
            Some(v) => Err(self.mismatch(name, v, "map[string]string")),
        }
    }

    pub fn object(&self, name: &str, type_name: &'static str) -> Result<Obj<'a>, ApiError> {
        match self.field(name) {
            None => Ok(Obj {
                map: None,
                type_name,
            }),
            Some(Value::Object(m)) => Ok(Obj {
                map: Some(m),
                type_name,
            }),
            Some(v) => Err(self.mismatch(name, v, type_name)),
        }
    }

    pub fn objects(&self, name: &str, type_name: &'static str) -> Result<Vec<Obj<'a>>, ApiError> {
        match self.field(name) {
            None => Ok(vec![]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::Object(m) => Ok(Obj {
                        map: Some(m),
                        type_name,
                    }),
                    other => Err(self.mismatch(name, other, type_name)),
                })
                .collect(),
            Some(v) => Err(self.mismatch(name, v, &format!("[]{type_name}"))),
        }
    }
}

fn go_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn case_insensitive_and_typed() {
        let v = json!({"name": "x", "Internal": true, "Labels": {"a": "1"}, "Bad": 3});
        let o = Obj::new(Some(&v), "network.CreateRequest").unwrap();
        assert_eq!(o.string("Name").unwrap(), "x");
        assert!(o.bool("Internal").unwrap());
        assert_eq!(o.string_map("Labels").unwrap()["a"], "1");
        let e = o.string("Bad").unwrap_err();
        assert_eq!(
            e.message,
            "invalid JSON: json: cannot unmarshal number into Go struct field CreateRequest.Bad of type string"
        );
        assert!(Obj::new(Some(&json!([1])), "network.CreateRequest").is_err());
    }
}
