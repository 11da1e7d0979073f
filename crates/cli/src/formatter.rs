//! docker's `formatter.Context`: `table`, `table TEMPLATE`, `json`, `raw` and plain templates
//! over a list of rows, with headers and the tabwriter (minwidth 10, padding 3).

use crate::error::{CliError, Result};
use crate::tabwriter::TabWriter;
use crate::template::{FuncSet, Missing, Template, Value};

/// Renders rows with a `--format` value already resolved by the command (`table` replaced by
/// its default template). `header` maps field names to column titles; `type_name` is the
/// Go type docker's errors name for a missing field.
pub fn write(format: &str, rows: &[Value], header: &Value, type_name: &str) -> Result<String> {
    let is_table = format.starts_with("table");
    let mut body = if is_table {
        &format[5..]
    } else if format == "json" {
        "{{json .}}"
    } else {
        format
    }
    .trim_matches(' ')
    .to_string();
    body = body.replace("\\t", "\t").replace("\\n", "\n");
    let tmpl = Template::parse("", &body)
        .map_err(|e| CliError::msg(format!("template parsing error: {e}")))?;
    let mut buffer = String::new();
    for row in rows {
        let text = tmpl
            .execute(row, Missing::Struct(type_name.to_string()), FuncSet::Basic)
            .map_err(|(_, e)| CliError::msg(format!("template parsing error: {e}")))?;
        buffer.push_str(&text);
        buffer.push('\n');
    }
    if !is_table {
        return Ok(buffer);
    }
    // Header errors are ignored by docker: whatever was produced before the error is kept.
    let head = match tmpl.execute(header, Missing::Zero, FuncSet::Header) {
        Ok(h) => h,
        Err((partial, _)) => partial,
    };
    let mut tw = TabWriter::new(10, 3);
    tw.write(&head);
    tw.write("\n");
    tw.write(&buffer);
    Ok(tw.finish())
}

/// docker's `stringid.TruncateID`.
pub fn truncate_id(id: &str) -> String {
    let id = id.split_once(':').map(|(_, rest)| rest).unwrap_or(id);
    id.chars().take(12).collect()
}

/// `sortorder.NaturalLess`: digit runs compare by value, everything else byte-wise.
pub fn natural_less(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (da, db) = (a[i].is_ascii_digit(), b[j].is_ascii_digit());
        if da && db {
            let si = i;
            while i < a.len() && a[i] == b'0' {
                i += 1;
            }
            let sj = j;
            while j < b.len() && b[j] == b'0' {
                j += 1;
            }
            let (ni, nj) = (i, j);
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let (na, nb) = (&a[ni..i], &b[nj..j]);
            if na.len() != nb.len() {
                return na.len() < nb.len();
            }
            if na != nb {
                return na < nb;
            }
            if i - si != j - sj {
                return i - si < j - sj;
            }
        } else {
            if a[i] != b[j] {
                return a[i] < b[j];
            }
            i += 1;
            j += 1;
        }
    }
    a.len() - i < b.len() - j
}
