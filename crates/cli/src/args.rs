//! The command line, as clap definitions with docker's flag names. Positional arguments are
//! collected loosely and counted by the commands, so the count errors read as docker's.

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "berth",
    about = "A Docker-compatible container engine",
    disable_help_subcommand = true,
    disable_version_flag = true
)]
pub struct Cli {
    /// Daemon socket to connect to
    #[arg(short = 'H', long, global = true, value_name = "list")]
    pub host: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Manage networks
    Network(Box<NetworkArgs>),
    /// Return low-level information on Docker objects
    Inspect(InspectArgs),
    /// Show the berth version information
    Version(FormatOnly),
    /// Display system-wide information
    Info(FormatOnly),
    /// Get real time events from the server
    Events(crate::commands::events::EventsArgs),
    /// Manage containers
    Container(crate::commands::container::args::ContainerGroup),
    #[command(flatten)]
    Containers(crate::commands::container::args::TopLevel),
    /// Manage images
    Image(crate::commands::image::args::ImageGroup),
    /// Manage volumes
    Volume(crate::commands::volume::args::VolumeGroup),
    #[command(flatten)]
    Images(crate::commands::image::args::TopLevel),
}

#[derive(Args, Debug)]
pub struct NetworkArgs {
    #[command(subcommand)]
    pub command: Option<NetworkCommand>,
}

#[derive(Subcommand, Debug)]
pub enum NetworkCommand {
    /// Create a network
    Create(Box<CreateArgs>),
    /// List networks
    #[command(visible_alias = "list")]
    Ls(LsArgs),
    /// Display detailed information on one or more networks
    Inspect(NetworkInspectArgs),
    /// Remove one or more networks
    #[command(visible_alias = "remove")]
    Rm(RmArgs),
    /// Remove all unused networks
    Prune(PruneArgs),
    /// Connect a container to a network
    Connect(Box<ConnectArgs>),
    /// Disconnect a container from a network
    Disconnect(DisconnectArgs),
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// Driver to manage the Network
    #[arg(short = 'd', long, default_value = "bridge")]
    pub driver: String,
    /// Set driver specific options
    #[arg(short = 'o', long = "opt", value_name = "map")]
    pub opt: Vec<String>,
    /// Set metadata on a network
    #[arg(long, value_name = "list")]
    pub label: Vec<String>,
    /// Restrict external access to the network
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub internal: Option<bool>,
    /// Enable or disable IPv4 address assignment (default true)
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub ipv4: Option<bool>,
    /// Enable or disable IPv6 address assignment
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub ipv6: Option<bool>,
    /// Enable manual container attachment
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub attachable: Option<bool>,
    /// Create swarm routing-mesh network
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub ingress: Option<bool>,
    /// Control the network's scope
    #[arg(long)]
    pub scope: Option<String>,
    /// Create a configuration only network
    #[arg(long = "config-only", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub config_only: Option<bool>,
    /// The network from which to copy the configuration
    #[arg(long = "config-from")]
    pub config_from: Option<String>,
    /// IP Address Management Driver
    #[arg(long = "ipam-driver", default_value = "default")]
    pub ipam_driver: String,
    /// Subnet in CIDR format that represents a network segment
    #[arg(long, value_name = "strings")]
    pub subnet: Vec<String>,
    /// Allocate container ip from a sub-range
    #[arg(long = "ip-range", value_name = "strings")]
    pub ip_range: Vec<String>,
    /// IPv4 or IPv6 Gateway for the master subnet
    #[arg(long, value_name = "strings")]
    pub gateway: Vec<String>,
    /// Auxiliary IPv4 or IPv6 addresses used by Network driver
    #[arg(long = "aux-address", value_name = "map")]
    pub aux_address: Vec<String>,
    /// Set IPAM driver specific options
    #[arg(long = "ipam-opt", value_name = "map")]
    pub ipam_opt: Vec<String>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct LsArgs {
    /// Provide filter values (e.g. "driver=bridge")
    #[arg(short = 'f', long, value_name = "filter")]
    pub filter: Vec<String>,
    /// Format output using a custom template ('table', 'table TEMPLATE', 'json', 'TEMPLATE')
    #[arg(long)]
    pub format: Option<String>,
    /// Do not truncate the output
    #[arg(long = "no-trunc", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub no_trunc: Option<bool>,
    /// Only display network IDs
    #[arg(short = 'q', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub quiet: Option<bool>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct NetworkInspectArgs {
    /// Format output using a custom template ('json', 'TEMPLATE')
    #[arg(short = 'f', long)]
    pub format: Option<String>,
    /// Verbose output for diagnostics
    #[arg(short = 'v', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub verbose: Option<bool>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RmArgs {
    /// Do not error if the network does not exist
    #[arg(short = 'f', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub force: Option<bool>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct PruneArgs {
    /// Provide filter values (e.g. "until=<timestamp>")
    #[arg(long, value_name = "filter")]
    pub filter: Vec<String>,
    /// Do not prompt for confirmation
    #[arg(short = 'f', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub force: Option<bool>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// `network connect`. Values are kept as typed and checked by the command, so the errors
/// read as pflag's; a repeated single-value flag keeps the last value, as pflag does.
#[derive(Args, Debug)]
#[command(args_override_self = true)]
pub struct ConnectArgs {
    /// Add network-scoped alias for the container
    #[arg(long, value_name = "strings", allow_hyphen_values = true)]
    pub alias: Vec<String>,
    /// driver options for the network
    #[arg(
        long = "driver-opt",
        value_name = "strings",
        allow_hyphen_values = true
    )]
    pub driver_opt: Vec<String>,
    /// Highest gw-priority provides the default gateway. Accepts positive and negative values.
    #[arg(long = "gw-priority", value_name = "int", allow_hyphen_values = true)]
    pub gw_priority: Option<String>,
    /// IPv4 address (e.g., "172.30.100.104")
    #[arg(long, value_name = "string", allow_hyphen_values = true)]
    pub ip: Option<String>,
    /// IPv6 address (e.g., "2001:db8::33")
    #[arg(long, value_name = "string", allow_hyphen_values = true)]
    pub ip6: Option<String>,
    /// Add link to another container
    #[arg(long, value_name = "list", allow_hyphen_values = true)]
    pub link: Vec<String>,
    /// Add a link-local address for the container
    #[arg(
        long = "link-local-ip",
        value_name = "strings",
        allow_hyphen_values = true
    )]
    pub link_local_ip: Vec<String>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct DisconnectArgs {
    /// Force the container to disconnect from a network
    #[arg(short = 'f', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub force: Option<bool>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Format output using a custom template ('json', 'TEMPLATE')
    #[arg(short = 'f', long)]
    pub format: Option<String>,
    /// Display total file sizes if the type is container
    #[arg(short = 's', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub size: Option<bool>,
    /// Only inspect objects of the given type
    #[arg(long = "type")]
    pub kind: Option<String>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct FormatOnly {
    /// Format output using a custom template ('json', 'TEMPLATE')
    #[arg(short = 'f', long)]
    pub format: Option<String>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Splits pflag `StringSlice` values (`--subnet a,b`) into their items.
pub fn split_slice(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::to_string)
        .collect()
}

/// `key=value` options (`-o`, `--aux-address`, `--label`) in order; a bare key has value "".
pub fn key_values(values: &[String]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|v| match v.split_once('=') {
            Some((k, val)) => (k.to_string(), val.to_string()),
            None => (v.clone(), String::new()),
        })
        .collect()
}
