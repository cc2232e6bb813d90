//! `candor witness serve`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};

use super::keys::load_master_key;
use crate::cli::WitnessCommand;
use crate::witness::{Witness, router};

pub(super) async fn run(command: WitnessCommand) -> Result<ExitCode> {
    let WitnessCommand::Serve {
        listen,
        state_dir,
        name,
        logs,
        master_key_file,
    } = command;
    let master = load_master_key(&master_key_file)?;
    let witness = Arc::new(Witness::open(&state_dir, &name, &master, &logs)?);
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    eprintln!(
        "candor witness: serving on http://{addr}/ as {}",
        witness.verifier_key()
    );
    axum::serve(listener, router(witness))
        .with_graceful_shutdown(super::serve::shutdown_signal())
        .await?;
    Ok(ExitCode::SUCCESS)
}
