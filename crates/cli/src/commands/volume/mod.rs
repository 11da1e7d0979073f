//! `berth volume ...`

pub mod args;
mod create;
mod ls;
mod prune;
mod rm;

use crate::error::Result;
use crate::Output;
use args::{VolumeCommand, VolumeGroup};

const HELP: &str = "\nUsage:  berth volume COMMAND\n\nManage volumes\n\nCommands:\n  create      Create a volume\n  inspect     Display detailed information on one or more volumes\n  ls          List volumes\n  prune       Remove unused local volumes\n  rm          Remove one or more volumes\n\nRun 'berth volume COMMAND --help' for more information on a command.\n";

pub fn run_group(host: &str, g: VolumeGroup, o: &mut Output) -> Result<()> {
    match g.command {
        None => {
            o.out.push_str(HELP);
            Ok(())
        }
        Some(VolumeCommand::Create(a)) => create::run(host, a, o),
        Some(VolumeCommand::Ls(a)) => ls::run(host, a, o),
        Some(VolumeCommand::Inspect(a)) => inspect(host, a, o),
        Some(VolumeCommand::Rm(a)) => rm::run(host, a, o),
        Some(VolumeCommand::Prune(a)) => prune::run(host, a, o),
    }
}

/// Words of the volume commands, for usage messages (`berth volume ls`).
pub fn is_path_word(words: &[String], w: &str) -> bool {
    match words.len() {
        1 => w == "volume",
        2 if words[1] == "volume" => {
            ["create", "inspect", "ls", "list", "prune", "rm", "remove"].contains(&w)
        }
        _ => false,
    }
}

/// `GET /volumes/{name}`: the raw body.
pub fn fetch(c: &mut crate::client::Client, name: &str) -> Result<Vec<u8>> {
    let path = format!(
        "/volumes/{}",
        crate::http::query_escape(name).replace('+', "%20")
    );
    c.call("GET", &path, None)
}

fn inspect(host: &str, a: args::InspectArgs, o: &mut Output) -> Result<()> {
    crate::usage::at_least_one("berth volume inspect", &a.args)?;
    let mut c = crate::client::Client::new(host)?;
    crate::commands::network::inspect::inspect_all(
        &a.args,
        a.format.as_deref().unwrap_or(""),
        o,
        |name| fetch(&mut c, name),
    )
}
