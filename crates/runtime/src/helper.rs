//! `berth __runtime <op> ...`: the only code that calls libcontainer. It runs in its own
//! short-lived, single-threaded process (libcontainer forks with raw clone3 and changes the
//! process's working directory), started by the per-container monitor so that the processes it
//! creates are re-parented to the monitor (a child subreaper) when it exits.
//!
//! Ops (flags in any order; all take `--root <libcontainer state root> --id <id>`):
//! - `create --bundle B [--console-socket S] [--stdio]`: create the container, its process
//!   blocked before exec. `--stdio`: the process's stdin/stdout/stderr are this helper's fds
//!   3, 4, 5. Prints `{"pid":N}`.
//! - `start`: let the created process exec.
//! - `exec --process P [--console-socket S] [--stdio]`: run process.json `P` in the container.
//!   Prints `{"pid":N}` once the process has exec'ed.
//! - `delete`: remove the container's state and cgroups (forced; a missing container is fine).
//!
//! The answer is one JSON [`Reply`] line on stdout; diagnostics go to stderr.

use std::collections::HashMap;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use libcontainer::container::builder::ContainerBuilder;
use libcontainer::container::Container;
use libcontainer::syscall::syscall::SyscallType;
use oci_spec::runtime::{LinuxSeccomp, Spec};

use crate::protocol::Reply;
use crate::seccomp::SeccompExecutor;

struct Args {
    op: String,
    flags: HashMap<String, String>,
    switches: Vec<String>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut op = None;
    let mut flags = HashMap::new();
    let mut switches = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let Some(name) = args[i].strip_prefix("--") else {
            if op.is_some() {
                return Err(format!("unexpected argument {:?}", args[i]));
            }
            op = Some(args[i].clone());
            i += 1;
            continue;
        };
        if name == "stdio" {
            switches.push(name.to_string());
            i += 1;
        } else {
            let value = args.get(i + 1).ok_or(format!("--{name} needs a value"))?;
            flags.insert(name.to_string(), value.clone());
            i += 2;
        }
    }
    let op = op.ok_or("missing operation")?;
    Ok(Args {
        op,
        flags,
        switches,
    })
}

impl Args {
    fn get(&self, name: &str) -> Result<&str, String> {
        self.flags
            .get(name)
            .map(String::as_str)
            .ok_or(format!("missing --{name}"))
    }
}

/// Entry point of `berth __runtime`; returns the process exit code.
pub fn helper_main(args: &[String]) -> i32 {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BERTH_RUNTIME_LOG")
                // The container's init inherits this subscriber with the container's stderr
                // as its fd 2: libcontainer's notes about the profile's syscalls this
                // libseccomp does not know (Docker's profile lists newer ones) would land in
                // the container's output.
                .unwrap_or_else(|_| {
                    tracing_subscriber::EnvFilter::new("warn,libcontainer::seccomp=error")
                }),
        )
        .try_init();
    let reply = match parse(args).and_then(|a| run(&a).map_err(|e| e.to_string())) {
        Ok(reply) => reply,
        Err(message) => {
            eprintln!("berth __runtime: {message}");
            Reply::error(error_kind(&message), message)
        }
    };
    let code = if reply.error.is_some() { 1 } else { 0 };
    println!(
        "{}",
        serde_json::to_string(&reply).unwrap_or_else(|_| "{}".into())
    );
    code
}

/// libcontainer's wording for a command that cannot be run, mapped to a kind the runtime
/// turns into Docker's error (and exit code 127 / 126).
fn error_kind(message: &str) -> &'static str {
    if message.contains("not found in $PATH") {
        "not_found"
    } else if message.contains("does not have correct permissions") {
        "not_executable"
    } else {
        "oci"
    }
}

/// The helper's fds 3, 4, 5 (inherited from the monitor) as the process's stdio.
fn with_stdio(builder: ContainerBuilder, args: &Args) -> ContainerBuilder {
    if !args.switches.iter().any(|s| s == "stdio") {
        return builder;
    }
    // SAFETY: the monitor hands these three fds to the helper and nothing else owns them.
    let (i, o, e) = unsafe {
        (
            OwnedFd::from_raw_fd(3),
            OwnedFd::from_raw_fd(4),
            OwnedFd::from_raw_fd(5),
        )
    };
    builder.with_stdin(i).with_stdout(o).with_stderr(e)
}

/// The seccomp filter of the running container `id`, from its bundle.
fn container_seccomp(
    root: &Path,
    id: &str,
) -> Result<Option<LinuxSeccomp>, Box<dyn std::error::Error>> {
    let container = Container::load(root.join(id))?;
    let spec = Spec::load(container.bundle().join("config.json"))?;
    Ok(spec.linux().as_ref().and_then(|l| l.seccomp().clone()))
}

fn run(args: &Args) -> Result<Reply, Box<dyn std::error::Error>> {
    let root = PathBuf::from(args.get("root")?);
    let id = args.get("id")?.to_string();
    let console = args.flags.get("console-socket").map(PathBuf::from);
    match args.op.as_str() {
        "create" => {
            let builder = ContainerBuilder::new(id, SyscallType::default())
                .with_root_path(&root)?
                .with_console_socket(console.as_ref());
            let container = with_stdio(builder, args)
                .as_init(args.get("bundle")?)
                .with_systemd(false)
                .with_detach(true)
                .build()?;
            let pid = container.pid().ok_or("created container has no pid")?;
            Ok(Reply {
                pid: Some(pid.as_raw()),
                ..Reply::default()
            })
        }
        "start" => {
            let mut container = Container::load(root.join(&id))?;
            container.start()?;
            Ok(Reply::default())
        }
        "exec" => {
            let mut builder = ContainerBuilder::new(id.clone(), SyscallType::default())
                .with_root_path(&root)?
                .with_console_socket(console.as_ref());
            // libcontainer would run the process unfiltered; it loads the filter itself.
            if let Some(profile) = container_seccomp(&root, &id)? {
                builder = builder.with_executor(SeccompExecutor::new(profile));
            }
            let pid = with_stdio(builder, args)
                .as_tenant()
                .with_process(Some(args.get("process")?))
                .with_detach(true)
                .build()?;
            Ok(Reply {
                pid: Some(pid.as_raw()),
                ..Reply::default()
            })
        }
        "delete" => {
            let dir = root.join(&id);
            if dir.exists() {
                let mut container = Container::load(dir)?;
                container.delete(true)?;
            }
            Ok(Reply::default())
        }
        other => Err(format!("unknown operation {other:?}").into()),
    }
}
