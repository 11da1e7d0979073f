//! docker's usage errors, with `berth` in place of `docker`.

use crate::error::CliError;

const USAGES: &[(&str, &str, &str)] = &[
    (
        "berth network create",
        "berth network create [OPTIONS] NETWORK",
        "Run",
    ),
    ("berth network ls", "berth network ls [OPTIONS]", "Run"),
    (
        "berth network inspect",
        "berth network inspect [OPTIONS] NETWORK [NETWORK...]",
        "See",
    ),
    (
        "berth network rm",
        "berth network rm NETWORK [NETWORK...]",
        "See",
    ),
    (
        "berth network prune",
        "berth network prune [OPTIONS]",
        "Run",
    ),
    (
        "berth network connect",
        "berth network connect [OPTIONS] NETWORK CONTAINER",
        "Run",
    ),
    (
        "berth network disconnect",
        "berth network disconnect [OPTIONS] NETWORK CONTAINER",
        "Run",
    ),
    ("berth network", "berth network COMMAND", "Run"),
    (
        "berth volume create",
        "berth volume create [OPTIONS] [VOLUME]",
        "See",
    ),
    ("berth volume ls", "berth volume ls [OPTIONS]", "See"),
    (
        "berth volume inspect",
        "berth volume inspect [OPTIONS] VOLUME [VOLUME...]",
        "See",
    ),
    (
        "berth volume rm",
        "berth volume rm [OPTIONS] VOLUME [VOLUME...]",
        "See",
    ),
    ("berth volume prune", "berth volume prune [OPTIONS]", "See"),
    ("berth volume", "berth volume COMMAND", "Run"),
    (
        "berth inspect",
        "berth inspect [OPTIONS] NAME|ID [NAME|ID...]",
        "See",
    ),
    ("berth version", "berth version [OPTIONS]", "Run"),
    ("berth info", "berth info [OPTIONS]", "Run"),
];

pub fn usage_line(path: &str) -> String {
    USAGES
        .iter()
        .find(|u| u.0 == path)
        .map(|u| u.1.to_string())
        .or_else(|| crate::commands::container::usage_line(path))
        .or_else(|| crate::commands::image::usage_line(path))
        .unwrap_or_else(|| path.to_string())
}

pub fn see_word(path: &str) -> &'static str {
    USAGES
        .iter()
        .find(|u| u.0 == path)
        .map(|u| u.2)
        .unwrap_or("Run")
}

fn usage(path: &str, message: String) -> CliError {
    CliError::Usage {
        code: 1,
        message,
        path: path.to_string(),
    }
}

/// cobra's `ExactArgs(1)`.
pub fn exactly_one(path: &str, args: &[String]) -> Result<(), CliError> {
    exactly(path, args, 1)
}

/// cobra's `ExactArgs(n)`.
pub fn exactly(path: &str, args: &[String], n: usize) -> Result<(), CliError> {
    if args.len() == n {
        return Ok(());
    }
    let what = if n == 1 { "argument" } else { "arguments" };
    Err(usage(path, format!("berth: '{path}' requires {n} {what}")))
}

/// cobra's `NoArgs`.
pub fn none(path: &str, args: &[String]) -> Result<(), CliError> {
    if args.is_empty() {
        return Ok(());
    }
    Err(usage(path, format!("berth: '{path}' accepts no arguments")))
}

/// docker's `RequiresMinArgs(1)`.
pub fn at_least_one(path: &str, args: &[String]) -> Result<(), CliError> {
    if !args.is_empty() {
        return Ok(());
    }
    Err(usage(
        path,
        format!("berth: '{path}' requires at least 1 argument"),
    ))
}
