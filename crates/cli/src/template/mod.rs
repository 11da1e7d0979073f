//! A Go text/template evaluator for docker's `--format` flags. Written here rather than
//! using `gtmpl` because docker's output depends on details gtmpl does not have: methods
//! with arguments (`{{.Label "k"}}`), Go's map printing order, and Go's error wording.

mod exec;
mod funcs;
mod parse;
pub mod value;

pub use exec::{FuncSet, Missing};
use parse::Node;
pub use value::Value;

/// A parsed template.
pub struct Template {
    name: String,
    src: String,
    nodes: Vec<Node>,
}

impl Template {
    /// Parses `src`; `extra_funcs` names functions a caller adds (none so far besides docker's).
    pub fn parse(name: &str, src: &str) -> Result<Template, String> {
        let nodes = parse::parse(name, src, &[])?;
        Ok(Template {
            name: name.to_string(),
            src: src.to_string(),
            nodes,
        })
    }

    /// Executes the template. On error, the text produced before it is returned too, since
    /// docker writes partial output in some places (table headers).
    pub fn execute(
        &self,
        data: &Value,
        missing: Missing,
        funcs: FuncSet,
    ) -> Result<String, (String, String)> {
        let exec = exec::Exec::new(&self.name, &self.src, missing, funcs);
        match exec.run(&self.nodes, data) {
            (out, None) => Ok(out),
            (out, Some(e)) => Err((out, e)),
        }
    }

    /// Executes with a map-like lookup where missing keys are an error (docker's inspect).
    pub fn render(&self, data: &Value) -> Result<String, String> {
        self.execute(data, Missing::MapError, FuncSet::Basic)
            .map_err(|(_, e)| e)
    }
}

#[cfg(test)]
mod tests;
