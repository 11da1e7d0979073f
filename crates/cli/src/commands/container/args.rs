//! clap definitions of the container commands, with docker's flag names. pflag booleans are
//! `Option<bool>` taking an optional `=value`, so `--rm=false` and `-it` both parse; `Some`
//! also tells a flag that was given from one that was not (docker's `flags.Changed`).

use clap::{ArgAction, Args, Subcommand};

/// The container commands that docker also offers at the top level (`berth run`, ...).
#[derive(Subcommand, Debug)]
pub enum TopLevel {
    /// Create a new container
    Create(Box<CreateArgs>),
    /// Create and run a new container from an image
    Run(Box<RunArgs>),
    /// Start one or more stopped containers
    Start(StartArgs),
    /// Stop one or more running containers
    Stop(StopArgs),
    /// Kill one or more running containers
    Kill(KillArgs),
    /// Restart one or more containers
    Restart(StopArgs),
    /// Remove one or more containers
    Rm(RmArgs),
    /// List containers
    Ps(PsArgs),
    /// Fetch the logs of a container
    Logs(LogsArgs),
    /// Block until one or more containers stop, then print their exit codes
    Wait(PlainArgs),
    /// Execute a command in a running container
    Exec(Box<ExecArgs>),
    /// Attach local standard input, output, and error streams to a running container
    Attach(AttachArgs),
    /// Rename a container
    Rename(PlainArgs),
    /// Display the running processes of a container
    Top(TopArgs),
    /// List port mappings or a specific mapping for the container
    Port(PlainArgs),
}

/// `berth container ...`
#[derive(Args, Debug)]
pub struct ContainerGroup {
    #[command(subcommand)]
    pub command: Option<GroupCommand>,
}

#[derive(Subcommand, Debug)]
pub enum GroupCommand {
    /// Attach local standard input, output, and error streams to a running container
    Attach(AttachArgs),
    /// Create a new container
    Create(Box<CreateArgs>),
    /// Execute a command in a running container
    Exec(Box<ExecArgs>),
    /// Display detailed information on one or more containers
    Inspect(InspectArgs),
    /// Kill one or more running containers
    Kill(KillArgs),
    /// Fetch the logs of a container
    Logs(LogsArgs),
    /// List containers
    #[command(visible_aliases = ["list", "ps"])]
    Ls(PsArgs),
    /// Rename a container
    Rename(PlainArgs),
    /// Restart one or more containers
    Restart(StopArgs),
    /// Remove one or more containers
    #[command(visible_alias = "remove")]
    Rm(RmArgs),
    /// Create and run a new container from an image
    Run(Box<RunArgs>),
    /// Start one or more stopped containers
    Start(StartArgs),
    /// Stop one or more running containers
    Stop(StopArgs),
    /// Display the running processes of a container
    Top(TopArgs),
    /// Block until one or more containers stop, then print their exit codes
    Wait(PlainArgs),
    /// List port mappings or a specific mapping for the container
    Port(PlainArgs),
}

/// The flags `create` and `run` share (docker's `addFlags` plus `--name`, `--pull`, ...).
#[derive(Args, Debug, Default, Clone)]
pub struct ContainerFlags {
    /// Attach to STDIN, STDOUT or STDERR
    #[arg(short = 'a', long, value_name = "list")]
    pub attach: Vec<String>,
    /// Set environment variables
    #[arg(short = 'e', long, value_name = "list")]
    pub env: Vec<String>,
    /// Read in a file of environment variables
    #[arg(long = "env-file", value_name = "list")]
    pub env_file: Vec<String>,
    /// Overwrite the default ENTRYPOINT of the image
    #[arg(long, value_name = "string")]
    pub entrypoint: Option<String>,
    /// Container host name
    #[arg(short = 'h', long, value_name = "string")]
    pub hostname: Option<String>,
    /// Container NIS domain name
    #[arg(long, value_name = "string")]
    pub domainname: Option<String>,
    /// Keep STDIN open even if not attached
    #[arg(short = 'i', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub interactive: Option<bool>,
    /// Set meta data on a container
    #[arg(short = 'l', long, value_name = "list")]
    pub label: Vec<String>,
    /// Read in a line delimited file of labels
    #[arg(long = "label-file", value_name = "list")]
    pub label_file: Vec<String>,
    /// Mount the container's root filesystem as read only
    #[arg(long = "read-only", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub read_only: Option<bool>,
    /// Restart policy to apply when a container exits
    #[arg(long, default_value = "no", value_name = "string")]
    pub restart: String,
    /// Signal to stop the container
    #[arg(long = "stop-signal", value_name = "string")]
    pub stop_signal: Option<String>,
    /// Timeout (in seconds) to stop a container
    #[arg(long = "stop-timeout", value_name = "int")]
    pub stop_timeout: Option<i64>,
    /// Allocate a pseudo-TTY
    #[arg(short = 't', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub tty: Option<bool>,
    /// Username or UID (format: <name|uid>[:<group|gid>])
    #[arg(short = 'u', long, value_name = "string")]
    pub user: Option<String>,
    /// Working directory inside the container
    #[arg(short = 'w', long, value_name = "string")]
    pub workdir: Option<String>,
    /// Automatically remove the container and its associated anonymous volumes when it exits
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub rm: Option<bool>,
    /// Add Linux capabilities
    #[arg(long = "cap-add", value_name = "list")]
    pub cap_add: Vec<String>,
    /// Drop Linux capabilities
    #[arg(long = "cap-drop", value_name = "list")]
    pub cap_drop: Vec<String>,
    /// Give extended privileges to this container
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub privileged: Option<bool>,
    /// Security Options
    #[arg(long = "security-opt", value_name = "list")]
    pub security_opt: Vec<String>,
    /// Add a custom host-to-IP mapping (host:ip)
    #[arg(long = "add-host", value_name = "list")]
    pub add_host: Vec<String>,
    /// Set custom DNS servers
    #[arg(long, value_name = "list")]
    pub dns: Vec<String>,
    /// Set DNS options
    #[arg(long = "dns-option", alias = "dns-opt", value_name = "list")]
    pub dns_option: Vec<String>,
    /// Set custom DNS search domains
    #[arg(long = "dns-search", value_name = "list")]
    pub dns_search: Vec<String>,
    /// Expose a port or a range of ports
    #[arg(long, value_name = "list")]
    pub expose: Vec<String>,
    /// IPv4 address (e.g., 172.30.100.104)
    #[arg(long, value_name = "ip")]
    pub ip: Option<String>,
    /// IPv6 address (e.g., 2001:db8::33)
    #[arg(long, value_name = "ip")]
    pub ip6: Option<String>,
    /// Add link to another container
    #[arg(long, value_name = "list")]
    pub link: Vec<String>,
    /// Container IPv4/IPv6 link-local addresses
    #[arg(long = "link-local-ip", value_name = "list")]
    pub link_local_ip: Vec<String>,
    /// Container MAC address (e.g., 92:d0:c6:0a:29:33)
    #[arg(long = "mac-address", value_name = "string")]
    pub mac_address: Option<String>,
    /// Publish a container's port(s) to the host
    #[arg(short = 'p', long, value_name = "list")]
    pub publish: Vec<String>,
    /// Publish all exposed ports to random ports
    #[arg(short = 'P', long = "publish-all", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub publish_all: Option<bool>,
    /// Connect a container to a network
    #[arg(long, alias = "net", value_name = "network")]
    pub network: Vec<String>,
    /// Add network-scoped alias for the container
    #[arg(long = "network-alias", alias = "net-alias", value_name = "list")]
    pub network_alias: Vec<String>,
    /// Bind mount a volume
    #[arg(short = 'v', long, value_name = "list")]
    pub volume: Vec<String>,
    /// Attach a filesystem mount to the container
    #[arg(long, value_name = "mount")]
    pub mount: Vec<String>,
    /// Mount a tmpfs directory
    #[arg(long, value_name = "list")]
    pub tmpfs: Vec<String>,
    /// Run an init inside the container that forwards signals and reaps processes
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub init: Option<bool>,
    /// Assign a name to the container
    #[arg(long, value_name = "string")]
    pub name: Option<String>,
    /// Pull image before creating ("always", "|missing", "never")
    #[arg(long, default_value = "missing", value_name = "string")]
    pub pull: String,
    /// Suppress the pull output
    #[arg(short = 'q', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub quiet: Option<bool>,
    /// Set platform if server is multi-platform capable
    #[arg(long, value_name = "string")]
    pub platform: Option<String>,
    /// Print usage
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,
    /// IMAGE [COMMAND] [ARG...]: everything from the image on is the container's command
    #[arg(hide = true, trailing_var_arg = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
#[command(disable_help_flag = true)]
pub struct CreateArgs {
    #[command(flatten)]
    pub c: ContainerFlags,
}

#[derive(Args, Debug)]
#[command(disable_help_flag = true)]
pub struct RunArgs {
    /// Run container in background and print container ID
    #[arg(short = 'd', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub detach: Option<bool>,
    /// Proxy received signals to the process
    #[arg(long = "sig-proxy", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub sig_proxy: Option<bool>,
    /// Override the key sequence for detaching a container
    #[arg(long = "detach-keys", value_name = "string")]
    pub detach_keys: Option<String>,
    #[command(flatten)]
    pub c: ContainerFlags,
}

#[derive(Args, Debug)]
pub struct StartArgs {
    /// Attach STDOUT/STDERR and forward signals
    #[arg(short = 'a', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub attach: Option<bool>,
    /// Attach container's STDIN
    #[arg(short = 'i', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub interactive: Option<bool>,
    /// Override the key sequence for detaching a container
    #[arg(long = "detach-keys", value_name = "string")]
    pub detach_keys: Option<String>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct StopArgs {
    /// Signal to send to the container
    #[arg(short = 's', long, value_name = "string")]
    pub signal: Option<String>,
    /// Seconds to wait before killing the container
    #[arg(short = 't', long = "timeout", alias = "time", value_name = "int")]
    pub timeout: Option<i64>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct KillArgs {
    /// Signal to send to the container
    #[arg(short = 's', long, value_name = "string")]
    pub signal: Option<String>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RmArgs {
    /// Force the removal of a running container (uses SIGKILL)
    #[arg(short = 'f', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub force: Option<bool>,
    /// Remove the specified link
    #[arg(short = 'l', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub link: Option<bool>,
    /// Remove anonymous volumes associated with the container
    #[arg(short = 'v', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub volumes: Option<bool>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct PsArgs {
    /// Show all containers (default shows just running)
    #[arg(short = 'a', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub all: Option<bool>,
    /// Filter output based on conditions provided
    #[arg(short = 'f', long, value_name = "filter")]
    pub filter: Vec<String>,
    /// Format output using a custom template
    #[arg(long, value_name = "string")]
    pub format: Option<String>,
    /// Show n last created containers (includes all states)
    #[arg(short = 'n', long, value_name = "int", allow_negative_numbers = true)]
    pub last: Option<i64>,
    /// Show the latest created container (includes all states)
    #[arg(short = 'l', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub latest: Option<bool>,
    /// Don't truncate output
    #[arg(long = "no-trunc", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub no_trunc: Option<bool>,
    /// Only display container IDs
    #[arg(short = 'q', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub quiet: Option<bool>,
    /// Display total file sizes
    #[arg(short = 's', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub size: Option<bool>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Format output using a custom template
    #[arg(short = 'f', long, value_name = "string")]
    pub format: Option<String>,
    /// Display total file sizes
    #[arg(short = 's', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub size: Option<bool>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct LogsArgs {
    /// Show extra details provided to logs
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub details: Option<bool>,
    /// Follow log output
    #[arg(short = 'f', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub follow: Option<bool>,
    /// Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)
    #[arg(long, value_name = "string")]
    pub since: Option<String>,
    /// Number of lines to show from the end of the logs
    #[arg(short = 'n', long, default_value = "all", value_name = "string")]
    pub tail: String,
    /// Show timestamps
    #[arg(short = 't', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub timestamps: Option<bool>,
    /// Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)
    #[arg(long, value_name = "string")]
    pub until: Option<String>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ExecArgs {
    /// Detached mode: run command in the background
    #[arg(short = 'd', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub detach: Option<bool>,
    /// Override the key sequence for detaching a container
    #[arg(long = "detach-keys", value_name = "string")]
    pub detach_keys: Option<String>,
    /// Set environment variables
    #[arg(short = 'e', long, value_name = "list")]
    pub env: Vec<String>,
    /// Read in a file of environment variables
    #[arg(long = "env-file", value_name = "list")]
    pub env_file: Vec<String>,
    /// Keep STDIN open even if not attached
    #[arg(short = 'i', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub interactive: Option<bool>,
    /// Give extended privileges to the command
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub privileged: Option<bool>,
    /// Allocate a pseudo-TTY
    #[arg(short = 't', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub tty: Option<bool>,
    /// Username or UID (format: "<name|uid>[:<group|gid>]")
    #[arg(short = 'u', long, value_name = "string")]
    pub user: Option<String>,
    /// Working directory inside the container
    #[arg(short = 'w', long, value_name = "string")]
    pub workdir: Option<String>,
    /// CONTAINER COMMAND [ARG...]
    #[arg(hide = true, trailing_var_arg = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct AttachArgs {
    /// Override the key sequence for detaching a container
    #[arg(long = "detach-keys", value_name = "string")]
    pub detach_keys: Option<String>,
    /// Do not attach STDIN
    #[arg(long = "no-stdin", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub no_stdin: Option<bool>,
    /// Proxy all received signals to the process
    #[arg(long = "sig-proxy", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub sig_proxy: Option<bool>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// `top CONTAINER [ps OPTIONS]`: everything after the container goes to ps.
#[derive(Args, Debug)]
pub struct TopArgs {
    #[arg(hide = true, trailing_var_arg = true)]
    pub args: Vec<String>,
}

/// Commands with positional arguments only.
#[derive(Args, Debug)]
pub struct PlainArgs {
    #[arg(hide = true)]
    pub args: Vec<String>,
}
