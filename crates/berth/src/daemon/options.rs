//! dockerd-compatible daemon flags; every path is an option so tests can isolate a daemon.

use berth_model::ipam::PoolSpec;
use clap::Parser;
use ipnet::IpNet;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "berth daemon",
    about = "Run the berth daemon (Docker Engine API on a unix socket)"
)]
struct Flags {
    /// Socket to listen on
    #[arg(
        short = 'H',
        long = "host",
        default_value = "unix:///run/berth/berth.sock"
    )]
    host: String,
    /// Root of persistent state
    #[arg(long = "data-root", default_value = "/var/lib/berth")]
    data_root: PathBuf,
    /// Root of runtime state (sockets, netns mounts)
    #[arg(long = "exec-root", default_value = "/run/berth")]
    exec_root: PathBuf,
    /// Default bridge address and prefix, e.g. 172.17.0.1/16
    #[arg(long = "bip")]
    bip: Option<String>,
    /// Enable inter-container communication on the default bridge (`--icc=false` leaves only
    /// what legacy links open)
    #[arg(long = "icc", default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    icc: bool,
    /// Pool for automatic subnets: base=CIDR,size=N (repeatable)
    #[arg(long = "default-address-pool")]
    default_address_pool: Vec<String>,
    /// debug, info, warn, error, fatal
    #[arg(short = 'l', long = "log-level", default_value = "info")]
    log_level: String,
}

#[derive(Debug, Clone)]
pub struct DaemonOptions {
    pub socket_path: PathBuf,
    pub data_root: PathBuf,
    pub exec_root: PathBuf,
    pub bip: Option<IpNet>,
    pub icc: bool,
    pub default_address_pools: Vec<PoolSpec>,
    pub log_level: String,
}

/// Parses the flags; on error or `--help` prints and returns the exit code.
pub fn parse(args: &[String]) -> Result<DaemonOptions, i32> {
    let flags = Flags::try_parse_from(
        std::iter::once("berth daemon".to_string()).chain(args.iter().cloned()),
    )
    .map_err(|e| {
        let _ = e.print();
        if e.use_stderr() {
            1
        } else {
            0
        }
    })?;
    let fail = |msg: String| {
        eprintln!("berth daemon: {msg}");
        1
    };
    let socket_path = flags
        .host
        .strip_prefix("unix://")
        .map(PathBuf::from)
        .ok_or_else(|| {
            fail(format!(
                "unsupported --host {}: only unix:///path is supported",
                flags.host
            ))
        })?;
    let bip = match flags.bip {
        None => None,
        Some(b) => {
            let net: IpNet = b.parse().map_err(|_| {
                fail(format!(
                    "invalid --bip {b}: expected an address with a prefix, e.g. 172.17.0.1/16"
                ))
            })?;
            if !matches!(net, IpNet::V4(_)) || net.addr() == net.network() || net.prefix_len() > 30
            {
                return Err(fail(format!("invalid --bip {b}: it must be an IPv4 host address with a prefix of /30 or shorter")));
            }
            Some(net)
        }
    };
    let mut pools = Vec::new();
    for p in &flags.default_address_pool {
        pools.push(
            p.parse::<PoolSpec>()
                .map_err(|e| fail(format!("invalid --default-address-pool {p}: {e}")))?,
        );
    }
    if !["debug", "info", "warn", "error", "fatal"].contains(&flags.log_level.as_str()) {
        return Err(fail(format!(
            "unable to parse logging level: {}",
            flags.log_level
        )));
    }
    Ok(DaemonOptions {
        socket_path,
        data_root: flags.data_root,
        exec_root: flags.exec_root,
        bip,
        icc: flags.icc,
        default_address_pools: pools,
        log_level: flags.log_level,
    })
}
