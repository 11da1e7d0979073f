//! The image commands: `images`, `import`, `load`, `save`, `tag`, `rmi` at the top level,
//! and `berth image ls|import|load|save|tag|rm|inspect`.

pub mod args;
mod build;
mod history;
pub mod inspect;
mod ls;
mod stream;
mod tag_rm;
mod transfer;

use crate::error::Result;
use crate::Output;
use args::{GroupCommand, ImageGroup, TopLevel};

pub fn run_top(host: &str, path: &str, c: TopLevel, o: &mut Output) -> Result<()> {
    match c {
        TopLevel::Build(a) => build::run(host, path, a, o),
        TopLevel::History(a) => history::run(host, path, a, o),
        TopLevel::Images(a) => ls::run(host, path, a, o),
        TopLevel::Import(a) => transfer::import(host, path, a, o),
        TopLevel::Load(a) => transfer::load(host, a, o),
        TopLevel::Save(a) => transfer::save(host, a, o),
        TopLevel::Tag(a) => tag_rm::tag(host, path, a, o),
        TopLevel::Rmi(a) => tag_rm::rmi(host, path, a, o),
    }
}

pub fn run_group(host: &str, path: &str, g: ImageGroup, o: &mut Output) -> Result<()> {
    match g.command {
        None => {
            o.out.push_str(HELP);
            Ok(())
        }
        Some(GroupCommand::Build(a)) => build::run(host, path, a, o),
        Some(GroupCommand::History(a)) => history::run(host, path, a, o),
        Some(GroupCommand::Ls(a)) => ls::run(host, path, a, o),
        Some(GroupCommand::Import(a)) => transfer::import(host, path, a, o),
        Some(GroupCommand::Load(a)) => transfer::load(host, a, o),
        Some(GroupCommand::Save(a)) => transfer::save(host, a, o),
        Some(GroupCommand::Tag(a)) => tag_rm::tag(host, path, a, o),
        Some(GroupCommand::Rm(a)) => tag_rm::rmi(host, path, a, o),
        Some(GroupCommand::Inspect(a)) => inspect::run(host, a, o),
    }
}

/// Words of the image commands, for usage messages (`berth image ls`).
pub fn is_path_word(words: &[String], w: &str) -> bool {
    match words.len() {
        1 => [
            "build", "image", "images", "import", "load", "save", "tag", "rmi",
        ]
        .contains(&w),
        2 if words[1] == "image" => [
            "build", "history", "ls", "list", "import", "load", "save", "tag", "rm", "remove",
            "rmi", "inspect",
        ]
        .contains(&w),
        _ => false,
    }
}

pub fn usage_line(path: &str) -> Option<String> {
    let u = match path {
        "berth images" => "berth images [OPTIONS] [REPOSITORY[:TAG]]",
        "berth image ls" => "berth image ls [OPTIONS] [REPOSITORY[:TAG]]",
        "berth import" | "berth image import" => {
            return Some(format!("{path} [OPTIONS] file|URL|- [REPOSITORY[:TAG]]"))
        }
        "berth load" | "berth image load" => return Some(format!("{path} [OPTIONS]")),
        "berth save" | "berth image save" => {
            return Some(format!("{path} [OPTIONS] IMAGE [IMAGE...]"))
        }
        "berth tag" | "berth image tag" => {
            return Some(format!("{path} SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]"))
        }
        "berth rmi" | "berth image rm" => {
            return Some(format!("{path} [OPTIONS] IMAGE [IMAGE...]"))
        }
        "berth image inspect" => "berth image inspect [OPTIONS] IMAGE [IMAGE...]",
        "berth history" | "berth image history" => return Some(format!("{path} [OPTIONS] IMAGE")),
        "berth build" | "berth image build" => {
            return Some(format!("{path} [OPTIONS] PATH | URL | -"))
        }
        "berth image" => "berth image COMMAND",
        _ => return None,
    };
    Some(u.to_string())
}

const HELP: &str = "\nUsage:  berth image COMMAND\n\nManage images\n\nCommands:\n  build       Build an image from a Dockerfile\n  history     Show the history of an image\n  import      Import the contents from a tarball to create a filesystem image\n  inspect     Display detailed information on one or more images\n  load        Load an image from a tar archive or STDIN\n  ls          List images\n  rm          Remove one or more images\n  save        Save one or more images to a tar archive (streamed to STDOUT by default)\n  tag         Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n\nRun 'berth image COMMAND --help' for more information on a command.\n";
