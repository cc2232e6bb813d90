//! The `candor` binary: command line, configuration and wiring.

use std::process::ExitCode;

use crate::cli::Command;

mod cli;
mod commands;
mod config;
mod demo;
mod files;
mod watch;
mod witness;

fn main() -> ExitCode {
    let (cli, matches, layered) = match config::parse() {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    if let Command::Config { .. } = cli.command {
        return config::check(&matches, &layered);
    }
    init_logging(matches!(
        cli.command,
        Command::Serve(_) | Command::Worker { .. }
    ));
    // One TLS stack: rustls with ring, for reqwest (webhooks, watch) and lettre alike.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(server: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if server { "info" } else { "warn" };
    let filter = EnvFilter::try_from_env("CANDOR_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    // JSON lines on stderr: stdout stays clean for command output.
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_current_span(false)
        .init();
}
