//! The json-file log, as Docker's json-file driver writes it: one JSON object per line,
//! `{"log":"...","stream":"stdout","time":"<RFC3339Nano>"}`. Output is split at newlines; a
//! line longer than 16 KiB is written in 16 KiB pieces, and a trailing partial line is written
//! without its newline when the stream ends.

use std::fs::File;
use std::io::Write;

const MAX_LINE: usize = 16 * 1024;

pub struct JsonLog {
    file: Option<File>,
    partial: [Vec<u8>; 2],
}

impl JsonLog {
    pub fn new(file: Option<File>) -> Self {
        JsonLog {
            file,
            partial: [Vec::new(), Vec::new()],
        }
    }

    /// `stderr`: which stream the bytes came from.
    pub fn write(&mut self, stderr: bool, data: &[u8]) {
        let idx = usize::from(stderr);
        self.partial[idx].extend_from_slice(data);
        loop {
            let buf = &self.partial[idx];
            let cut = match buf.iter().position(|&b| b == b'\n') {
                Some(nl) if nl < MAX_LINE => nl + 1,
                _ if buf.len() >= MAX_LINE => MAX_LINE,
                _ => break,
            };
            let line: Vec<u8> = self.partial[idx].drain(..cut).collect();
            self.emit(stderr, &line);
        }
    }

    /// Writes out whatever partial lines are left (at the end of the process).
    pub fn flush(&mut self) {
        for stderr in [false, true] {
            let rest = std::mem::take(&mut self.partial[usize::from(stderr)]);
            if !rest.is_empty() {
                self.emit(stderr, &rest);
            }
        }
    }

    fn emit(&mut self, stderr: bool, line: &[u8]) {
        let Some(file) = self.file.as_mut() else {
            return;
        };
        let mut out = String::with_capacity(line.len() + 80);
        out.push_str("{\"log\":\"");
        escape_into(&String::from_utf8_lossy(line), &mut out);
        out.push_str("\",\"stream\":\"");
        out.push_str(if stderr { "stderr" } else { "stdout" });
        out.push_str("\",\"time\":\"");
        out.push_str(&crate::protocol::rfc3339_nano(std::time::SystemTime::now()));
        out.push_str("\"}\n");
        // A full disk must not stop the container: the line is lost, as with Docker.
        if let Err(e) = file.write_all(out.as_bytes()) {
            eprintln!("berth-monitor: writing the log: {e}");
        }
    }
}

/// JSON string escaping as Docker's json-file writer does it (HTML characters too).
pub fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        let mut s = String::new();
        escape_into("a\"b\\c\n<&>\u{1}é", &mut s);
        assert_eq!(s, "a\\\"b\\\\c\\n\\u003c\\u0026\\u003e\\u0001é");
    }

    #[test]
    fn splits_lines_and_flushes_partials() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let mut log = JsonLog::new(Some(File::create(&path).unwrap()));
        log.write(false, b"one\ntw");
        log.write(true, b"err\n");
        log.write(false, b"o\nthree");
        log.flush();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let got: Vec<(&str, &str)> = lines
            .iter()
            .map(|v| (v["log"].as_str().unwrap(), v["stream"].as_str().unwrap()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("one\n", "stdout"),
                ("err\n", "stderr"),
                ("two\n", "stdout"),
                ("three", "stdout")
            ]
        );
        assert!(lines[0]["time"].as_str().unwrap().ends_with('Z'));
    }
}
