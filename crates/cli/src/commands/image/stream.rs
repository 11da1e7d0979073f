//! docker's `jsonmessage.DisplayJSONMessagesToStream`, for the few message kinds import
//! and load answer with: `status` and `stream` lines, and an `error` that ends the command.

use crate::error::{CliError, Result};

pub fn display(body: &[u8], out: &mut String) -> Result<()> {
    let text = String::from_utf8_lossy(body);
    let stream = serde_json::Deserializer::from_str(&text).into_iter::<serde_json::Value>();
    for msg in stream {
        let msg =
            msg.map_err(|e| CliError::msg(format!("error reading the daemon's answer: {e}")))?;
        if let Some(e) = msg
            .get("errorDetail")
            .and_then(|d| d.get("message"))
            .or(msg.get("error"))
        {
            return Err(CliError::msg(e.as_str().unwrap_or("").to_string()));
        }
        if let Some(s) = msg.get("stream").and_then(|s| s.as_str()) {
            out.push_str(s);
        } else if let Some(s) = msg.get("status").and_then(|s| s.as_str()) {
            if let Some(id) = msg.get("id").and_then(|s| s.as_str()) {
                out.push_str(&format!("{id}: "));
            }
            out.push_str(s);
            out.push('\n');
        }
    }
    Ok(())
}
