//! `vledger`: runs a node and talks to one.

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = vledger_node::cli::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("VLEDGER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let log = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // VLEDGER_LOG_FORMAT=json: one JSON object per line, for log shippers.
    if std::env::var("VLEDGER_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        log.json().init();
    } else {
        log.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init();
    }
    match vledger_node::cli::main(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vledger: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
