//! clap definitions of `berth volume ...`, with docker's flag names.

use clap::{Args, Subcommand};

#[derive(Args, Debug)]
pub struct VolumeGroup {
    #[command(subcommand)]
    pub command: Option<VolumeCommand>,
}

#[derive(Subcommand, Debug)]
pub enum VolumeCommand {
    /// Create a volume
    Create(CreateArgs),
    /// Display detailed information on one or more volumes
    Inspect(InspectArgs),
    /// List volumes
    #[command(visible_alias = "list")]
    Ls(LsArgs),
    /// Remove all unused local volumes
    Prune(PruneArgs),
    /// Remove one or more volumes
    #[command(visible_alias = "remove")]
    Rm(RmArgs),
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// Specify volume driver name
    #[arg(short = 'd', long, default_value = "local", value_name = "string")]
    pub driver: String,
    /// Set metadata for a volume
    #[arg(long, value_name = "list")]
    pub label: Vec<String>,
    /// Set driver specific options
    #[arg(short = 'o', long, value_name = "map")]
    pub opt: Vec<String>,
    /// Specify volume name
    #[arg(long, hide = true, value_name = "string")]
    pub name: Option<String>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Format output using a custom template ('json', 'TEMPLATE')
    #[arg(short = 'f', long)]
    pub format: Option<String>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct LsArgs {
    /// Provide filter values (e.g. "dangling=true")
    #[arg(short = 'f', long, value_name = "filter")]
    pub filter: Vec<String>,
    /// Format output using a custom template ('table', 'table TEMPLATE', 'json', 'TEMPLATE')
    #[arg(long)]
    pub format: Option<String>,
    /// Only display volume names
    #[arg(short = 'q', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub quiet: Option<bool>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RmArgs {
    /// Force the removal of one or more volumes
    #[arg(short = 'f', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub force: Option<bool>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct PruneArgs {
    /// Remove all unused volumes, not just anonymous ones
    #[arg(short = 'a', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub all: Option<bool>,
    /// Provide filter values (e.g. "label=<label>")
    #[arg(long, value_name = "filter")]
    pub filter: Vec<String>,
    /// Do not prompt for confirmation
    #[arg(short = 'f', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub force: Option<bool>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}
