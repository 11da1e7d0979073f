//! berth's command line client: every subcommand except `berth daemon`, speaking the Docker
//! Engine API over a unix socket with the docker CLI's syntax, output and exit codes.

mod args;
mod client;
mod commands;
mod error;
mod formatter;
mod http;
mod jsonindent;
mod tabwriter;
pub mod template;
mod timefmt;
mod units;
mod usage;

use std::io::Write;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::Parser;

use args::{Cli, Command, NetworkCommand};
pub use error::CliError;

/// What a command wants printed; collected so output is written in one go.
#[derive(Default)]
pub struct Output {
    pub out: String,
    pub err: String,
}

/// Runs `berth <args>` (without argv[0]) and returns the process exit code.
pub fn main(args: Vec<String>) -> i32 {
    let mut output = Output::default();
    let code = match run(args, &mut output) {
        Ok(()) => 0,
        Err(e) => {
            let text = e.to_string();
            if !text.is_empty() {
                output.err.push_str(&text);
                output.err.push('\n');
            }
            e.exit_code()
        }
    };
    let _ = std::io::stdout().lock().write_all(output.out.as_bytes());
    let _ = std::io::stderr().lock().write_all(output.err.as_bytes());
    code
}

fn run(args: Vec<String>, o: &mut Output) -> Result<(), CliError> {
    let path = command_path(&args);
    let cli = match Cli::try_parse_from(std::iter::once("berth".to_string()).chain(args)) {
        Ok(cli) => cli,
        Err(e) => return clap_error(e, &path, o),
    };
    let host = client::resolve_host(cli.host.as_deref());
    match cli.command {
        Command::Network(n) => match n.command {
            None => {
                o.out.push_str(&network_help());
                Ok(())
            }
            Some(NetworkCommand::Create(a)) => commands::network::create::run(&host, *a, o),
            Some(NetworkCommand::Ls(a)) => commands::network::ls::run(&host, a, o),
            Some(NetworkCommand::Inspect(a)) => commands::network::inspect::run(&host, a, o),
            Some(NetworkCommand::Rm(a)) => commands::network::rm::run(&host, a, o),
            Some(NetworkCommand::Prune(a)) => commands::network::prune::run(&host, a, o),
            Some(NetworkCommand::Connect(a)) => commands::network::connect::run(&host, *a, o),
            Some(NetworkCommand::Disconnect(a)) => commands::network::disconnect::run(&host, a, o),
        },
        Command::Inspect(a) => commands::inspect::run(&host, a, o),
        Command::Version(a) => commands::version::run(&host, a, o),
        Command::Info(a) => commands::info::run(&host, a, o),
        Command::Events(a) => commands::events::run(&host, a, o),
        Command::Container(g) => commands::container::run_group(&host, &path, g, o),
        Command::Containers(c) => commands::container::run_top(&host, &path, c, o),
        Command::Image(g) => commands::image::run_group(&host, &path, g, o),
        Command::Images(c) => commands::image::run_top(&host, &path, c, o),
        Command::Volume(g) => commands::volume::run_group(&host, g, o),
    }
}

/// `berth network create` etc.: the words naming the command, for usage messages.
fn command_path(args: &[String]) -> String {
    let mut words = vec!["berth".to_string()];
    let mut skip_value = false;
    for a in args {
        if skip_value {
            skip_value = false;
            continue;
        }
        if a == "-H" || a == "--host" {
            skip_value = true;
            continue;
        }
        if a.starts_with('-') {
            continue;
        }
        let known = match words.len() {
            1 => {
                ["network", "inspect", "version", "info", "events"].contains(&a.as_str())
                    || commands::container::is_path_word(&words, a)
                    || commands::image::is_path_word(&words, a)
                    || commands::volume::is_path_word(&words, a)
            }
            2 if words[1] == "volume" => commands::volume::is_path_word(&words, a),
            2 if words[1] == "image" => commands::image::is_path_word(&words, a),
            2 if words[1] == "container" => commands::container::is_path_word(&words, a),
            2 if words[1] == "network" => [
                "create",
                "ls",
                "list",
                "inspect",
                "rm",
                "remove",
                "prune",
                "connect",
                "disconnect",
            ]
            .contains(&a.as_str()),
            _ => false,
        };
        if !known {
            break;
        }
        words.push(match a.as_str() {
            "list" => "ls".to_string(),
            "remove" => "rm".to_string(),
            "ps" if words.len() == 2 && words[1] == "container" => "ls".to_string(),
            w => w.to_string(),
        });
    }
    words.join(" ")
}

/// Maps clap's parse errors to cobra's wording and exit codes.
fn clap_error(e: clap::Error, path: &str, o: &mut Output) -> Result<(), CliError> {
    let arg = || match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => s.split([' ', '=', '[']).next().unwrap_or("").to_string(),
        _ => String::new(),
    };
    let flag_error = |message: String| {
        Err(CliError::Usage {
            code: 125,
            message,
            path: path.to_string(),
        })
    };
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        | ErrorKind::DisplayVersion => {
            o.out.push_str(&e.render().to_string());
            Ok(())
        }
        ErrorKind::UnknownArgument => {
            let a = arg();
            match a.strip_prefix("--") {
                Some(_) => flag_error(format!("unknown flag: {a}")),
                None => {
                    let c = a.trim_start_matches('-').chars().next().unwrap_or('?');
                    flag_error(format!("unknown shorthand flag: '{c}' in {a}"))
                }
            }
        }
        ErrorKind::InvalidSubcommand => {
            let sub = match e.get(ContextKind::InvalidSubcommand) {
                Some(ContextValue::String(s)) => s.clone(),
                _ => String::new(),
            };
            if path == "berth" {
                Err(CliError::Status(1, format!("berth: unknown command: berth {sub}\n\nRun 'berth --help' for more information")))
            } else {
                Err(CliError::Status(
                    1,
                    format!("berth: unknown command: {path} {sub}\n\nUsage:  {path}\n\nRun '{path} --help' for more information"),
                ))
            }
        }
        ErrorKind::InvalidValue | ErrorKind::NoEquals | ErrorKind::ValueValidation => {
            let a = arg();
            let val = match e.get(ContextKind::InvalidValue) {
                Some(ContextValue::String(s)) => s.clone(),
                _ => String::new(),
            };
            if val.is_empty() {
                flag_error(format!("flag needs an argument: {a}"))
            } else {
                flag_error(format!("invalid argument {val:?} for {a:?} flag: strconv.ParseBool: parsing {val:?}: invalid syntax"))
            }
        }
        _ => {
            let text = e.render().to_string();
            let first = text
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ")
                .to_string();
            flag_error(first)
        }
    }
}

fn network_help() -> String {
    "\nUsage:  berth network COMMAND\n\nManage networks\n\nCommands:\n  connect     Connect a container to a network\n  create      Create a network\n  disconnect  Disconnect a container from a network\n  inspect     Display detailed information on one or more networks\n  ls          List networks\n  prune       Remove all unused networks\n  rm          Remove one or more networks\n\nRun 'berth network COMMAND --help' for more information on a command.\n".to_string()
}

#[cfg(test)]
mod tests;
