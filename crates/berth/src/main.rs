//! One binary: `berth daemon` serves the Docker Engine API; every other subcommand is a
//! client of that API with docker's syntax.

mod daemon;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("daemon") => daemon::main(&args[1..]),
        // Hidden: the single-threaded libcontainer helper and the per-container monitor.
        Some("__runtime") => berth_runtime::helper_main(&args[1..]),
        Some("__monitor") => berth_runtime::monitor_main(&args[1..]),
        _ => berth_cli::main(args),
    };
    std::process::exit(code);
}
