//! One binary: `berth daemon` serves the Docker Engine API; every other subcommand is a
//! client of that API with docker's syntax.

mod daemon;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = if args.first().map(String::as_str) == Some("daemon") {
        daemon::main(&args[1..])
    } else {
        berth_cli::main(args)
    };
    std::process::exit(code);
}
