//! `candor privacy`: data-subject requests, answered by the application layer.

use std::process::ExitCode;

use anyhow::Result;
use candor_store::SharedStore;

use super::{ACTOR, existing_org};
use crate::cli::PrivacyCommand;

pub async fn run(store: SharedStore, command: PrivacyCommand) -> Result<ExitCode> {
    match command {
        PrivacyCommand::Erase {
            org,
            email,
            master_key_file,
        } => {
            let scope = existing_org(&store, &org).await?;
            let master = candor_store::keys::MasterKey::from_file(master_key_file)
                .map_err(anyhow::Error::msg)?;
            let email = candor_app::normalize_email(&email);
            let erased =
                candor_app::privacy::erase_person(&*store, &scope, Some(&master), ACTOR, &email)
                    .await?;
            println!(
                "erased {} subscription(s), {} document request(s) and the reporter's identity in {} report(s)",
                erased.subscriptions, erased.requests, erased.reports
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
