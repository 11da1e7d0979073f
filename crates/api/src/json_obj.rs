//! Typed access to a JSON object with Go's decoding rules: field names match
//! case-insensitively (Go's encoding/json does), `null` means absent, and a value of the
//! wrong type is a 400 naming the field, like Go's "cannot unmarshal" errors.

use berth_model::ApiError;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub struct Obj<'a> {
    map: Option<&'a Map<String, Value>>,
    /// The value as given, kept for fields whose values are not objects.
    source: Option<&'a Value>,
    /// The Go type name used in messages, e.g. "network.CreateRequest".
    type_name: &'static str,
}

impl<'a> Obj<'a> {
    /// Wraps a value that must be an object (or null/absent, treated as empty).
    pub fn new(value: Option<&'a Value>, type_name: &'static str) -> Result<Obj<'a>, ApiError> {
        match value {
            None | Some(Value::Null) => Ok(Obj {
                map: None,
                source: None,
                type_name,
            }),
            Some(Value::Object(m)) => Ok(Obj {
                map: Some(m),
                source: value,
                type_name,
            }),
            // Port binding lists are not objects; keep them for `raw_self`.
            Some(other) if type_name.starts_with("nat.") => Ok(Obj {
                map: None,
                source: Some(other),
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

    /// A list of strings; like Docker's `StrSlice`, a single string is accepted as a list of one.
    /// `None` when absent or null (so "not given" differs from "given empty").
    pub fn opt_string_list(&self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        match self.field(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(vec![s.clone()])),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(self.mismatch(name, other, "string")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(v) => Err(self.mismatch(name, v, "[]string")),
        }
    }

    pub fn string_list(&self, name: &str) -> Result<Vec<String>, ApiError> {
        Ok(self.opt_string_list(name)?.unwrap_or_default())
    }

    pub fn opt_int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.field(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.mismatch(name, &Value::Number(n.clone()), "int")),
            Some(v) => Err(self.mismatch(name, v, "int")),
        }
    }

    /// The keys of an object-valued field (`ExposedPorts`: `{"80/tcp": {}}`).
    pub fn keys(&self, name: &str) -> Result<Vec<String>, ApiError> {
        match self.field(name) {
            None => Ok(vec![]),
            Some(Value::Object(m)) => Ok(m.keys().cloned().collect()),
            Some(v) => Err(self.mismatch(name, v, "map")),
        }
    }

    /// An object whose values are objects (`EndpointsConfig`): (key, value) pairs.
    pub fn object_map(
        &self,
        name: &str,
        type_name: &'static str,
    ) -> Result<Vec<(String, Obj<'a>)>, ApiError> {
        match self.field(name) {
            None => Ok(vec![]),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| Ok((k.clone(), Obj::new(Some(v), type_name)?)))
                .collect(),
            Some(v) => Err(self.mismatch(name, v, type_name)),
        }
    }

    /// The value this wrapper was built from, when it was not an object (lists of bindings).
    pub fn raw_self(&self) -> Option<&'a Value> {
        self.source
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
                source: None,
                type_name,
            }),
            Some(v @ Value::Object(m)) => Ok(Obj {
                map: Some(m),
                source: Some(v),
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
                        source: Some(item),
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
