//! Development entry point: runs the client exactly as `berth <args>` would, so it can be
//! compared against the docker CLI before the `berth` binary wires it in.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(berth_cli::main(args));
}
