//! The container commands: `create`, `run`, `start`, `stop`, `kill`, `restart`, `rm`, `ps`,
//! `inspect`, `logs`, `wait`, `exec`, `attach`, `rename`, `top`, at the top level and under
//! `berth container`.

pub mod args;
mod attach;
pub(crate) mod config;
mod create;
mod exec;
pub mod format;
mod inspect;
mod kv;
mod lifecycle;
mod logs;
mod mounts;
pub(crate) mod netopts;
mod port;
mod ports;
mod ps;
mod run;
mod security_opts;
pub mod stream;
mod terminal;
mod top;

pub use inspect::fetch as fetch_inspect;

use crate::error::{CliError, Result};
use crate::Output;
use args::{ContainerGroup, GroupCommand, TopLevel};

/// `(command, usage after "berth ")`, by canonical command name.
const USAGES: &[(&str, &str)] = &[
    ("create", "[OPTIONS] IMAGE [COMMAND] [ARG...]"),
    ("run", "[OPTIONS] IMAGE [COMMAND] [ARG...]"),
    ("start", "[OPTIONS] CONTAINER [CONTAINER...]"),
    ("stop", "[OPTIONS] CONTAINER [CONTAINER...]"),
    ("kill", "[OPTIONS] CONTAINER [CONTAINER...]"),
    ("restart", "[OPTIONS] CONTAINER [CONTAINER...]"),
    ("rm", "[OPTIONS] CONTAINER [CONTAINER...]"),
    ("ps", "[OPTIONS]"),
    ("ls", "[OPTIONS]"),
    ("logs", "[OPTIONS] CONTAINER"),
    ("wait", "CONTAINER [CONTAINER...]"),
    ("exec", "[OPTIONS] CONTAINER COMMAND [ARG...]"),
    ("attach", "[OPTIONS] CONTAINER"),
    ("rename", "CONTAINER NEW_NAME"),
    ("top", "CONTAINER [ps OPTIONS]"),
    ("port", "CONTAINER [PRIVATE_PORT[/PROTO]]"),
    ("inspect", "[OPTIONS] CONTAINER [CONTAINER...]"),
];

const TOP_WORDS: &[&str] = &[
    "container",
    "create",
    "run",
    "start",
    "stop",
    "kill",
    "restart",
    "rm",
    "ps",
    "logs",
    "wait",
    "exec",
    "attach",
    "rename",
    "top",
    "port",
];
const GROUP_WORDS: &[&str] = &[
    "attach", "create", "exec", "inspect", "kill", "logs", "ls", "list", "ps", "rename", "restart",
    "rm", "remove", "run", "start", "stop", "top", "wait", "port",
];

/// Whether `word` continues the command path `words` (`["berth"]` or `["berth", "container"]`).
pub fn is_path_word(words: &[String], word: &str) -> bool {
    match words {
        [_] => TOP_WORDS.contains(&word),
        [_, g] if g == "container" => GROUP_WORDS.contains(&word),
        _ => false,
    }
}

/// The usage line for `berth container ls`, `berth run`, ...
pub fn usage_line(path: &str) -> Option<String> {
    let last = path.rsplit(' ').next()?;
    if path == "berth container" {
        return Some("berth container COMMAND".into());
    }
    let grouped = path.starts_with("berth container ");
    if !grouped && (last == "inspect" || last == "ls") {
        return None;
    }
    USAGES
        .iter()
        .find(|u| u.0 == last)
        .map(|u| format!("{path} {}", u.1))
}

/// cobra's argument-count errors: `requires at least` points to `See`, the others to `Run`.
pub fn arg_error(path: &str, message: &str, see: bool) -> CliError {
    let usage = usage_line(path).unwrap_or_else(|| path.to_string());
    let word = if see { "See" } else { "Run" };
    CliError::Status(
        1,
        format!("berth: '{path}' {message}\n\nUsage:  {usage}\n\n{word} '{path} --help' for more information"),
    )
}

pub fn min_args(path: &str, args: &[String], n: usize) -> Result<()> {
    if args.len() >= n {
        return Ok(());
    }
    let what = if n == 1 { "argument" } else { "arguments" };
    Err(arg_error(
        path,
        &format!("requires at least {n} {what}"),
        true,
    ))
}

pub fn exact_args(path: &str, args: &[String], n: usize) -> Result<()> {
    if args.len() == n {
        return Ok(());
    }
    let what = if n == 1 { "argument" } else { "arguments" };
    Err(arg_error(path, &format!("requires {n} {what}"), false))
}

pub fn no_args(path: &str, args: &[String]) -> Result<()> {
    if args.is_empty() {
        return Ok(());
    }
    Err(arg_error(path, "accepts no arguments", false))
}

/// A container name or ID in a URL path.
pub fn escape(name: &str) -> String {
    crate::http::query_escape(name).replace('+', "%20")
}

pub fn run_top(host: &str, path: &str, c: TopLevel, o: &mut Output) -> Result<()> {
    match c {
        TopLevel::Create(a) => create::run(host, path, *a, o),
        TopLevel::Run(a) => run::run(host, path, *a, o),
        TopLevel::Start(a) => lifecycle::start(host, path, a, o),
        TopLevel::Stop(a) => lifecycle::stop(host, path, a, o, "stop"),
        TopLevel::Kill(a) => lifecycle::kill(host, path, a, o),
        TopLevel::Restart(a) => lifecycle::stop(host, path, a, o, "restart"),
        TopLevel::Rm(a) => lifecycle::rm(host, path, a, o),
        TopLevel::Ps(a) => ps::run(host, path, a, o),
        TopLevel::Logs(a) => logs::run(host, path, a, o),
        TopLevel::Wait(a) => lifecycle::wait(host, path, a, o),
        TopLevel::Exec(a) => exec::run(host, path, *a, o),
        TopLevel::Attach(a) => attach::run(host, path, a, o),
        TopLevel::Rename(a) => lifecycle::rename(host, path, a, o),
        TopLevel::Top(a) => top::run(host, path, a, o),
        TopLevel::Port(a) => port::run(host, path, a, o),
    }
}

pub fn run_group(host: &str, path: &str, g: ContainerGroup, o: &mut Output) -> Result<()> {
    let Some(cmd) = g.command else {
        // docker prints a command group's help on stderr when no subcommand is given.
        o.err.push_str(&group_help()[1..]);
        return Ok(());
    };
    let top = match cmd {
        GroupCommand::Inspect(a) => return inspect::run(host, path, a, o),
        GroupCommand::Ls(a) => TopLevel::Ps(a),
        GroupCommand::Attach(a) => TopLevel::Attach(a),
        GroupCommand::Create(a) => TopLevel::Create(a),
        GroupCommand::Exec(a) => TopLevel::Exec(a),
        GroupCommand::Kill(a) => TopLevel::Kill(a),
        GroupCommand::Logs(a) => TopLevel::Logs(a),
        GroupCommand::Rename(a) => TopLevel::Rename(a),
        GroupCommand::Restart(a) => TopLevel::Restart(a),
        GroupCommand::Rm(a) => TopLevel::Rm(a),
        GroupCommand::Run(a) => TopLevel::Run(a),
        GroupCommand::Start(a) => TopLevel::Start(a),
        GroupCommand::Stop(a) => TopLevel::Stop(a),
        GroupCommand::Top(a) => TopLevel::Top(a),
        GroupCommand::Port(a) => TopLevel::Port(a),
        GroupCommand::Wait(a) => TopLevel::Wait(a),
    };
    run_top(host, path, top, o)
}

fn group_help() -> String {
    let cmds = [
        (
            "attach",
            "Attach local standard input, output, and error streams to a running container",
        ),
        ("create", "Create a new container"),
        ("exec", "Execute a command in a running container"),
        (
            "inspect",
            "Display detailed information on one or more containers",
        ),
        ("kill", "Kill one or more running containers"),
        ("logs", "Fetch the logs of a container"),
        ("ls", "List containers"),
        (
            "port",
            "List port mappings or a specific mapping for the container",
        ),
        ("rename", "Rename a container"),
        ("restart", "Restart one or more containers"),
        ("rm", "Remove one or more containers"),
        ("run", "Create and run a new container from an image"),
        ("start", "Start one or more stopped containers"),
        ("stop", "Stop one or more running containers"),
        ("top", "Display the running processes of a container"),
        (
            "wait",
            "Block until one or more containers stop, then print their exit codes",
        ),
    ];
    let mut s = "\nUsage:  berth container COMMAND\n\nManage containers\n\nCommands:\n".to_string();
    for (c, d) in cmds {
        s.push_str(&format!("  {c:<11} {d}\n"));
    }
    s.push_str("\nRun 'berth container COMMAND --help' for more information on a command.\n");
    s
}
#[cfg(test)]
mod tests;
