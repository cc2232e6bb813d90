//! `candor org`: create and list orgs (tenants), and give one its own host name.

use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use candor_store::{SharedStore, create_org, scope_for};

use super::parse_slug;
use crate::cli::OrgCommand;

pub(super) async fn run(store: SharedStore, command: OrgCommand) -> Result<ExitCode> {
    match command {
        OrgCommand::Create { slug, name } => create(store, slug, name).await,
        OrgCommand::SetHost { slug, host, clear } => set_host(store, slug, host, clear).await,
        OrgCommand::List => list(store).await,
    }
}

async fn create(store: SharedStore, slug: String, name: String) -> Result<ExitCode> {
    let scope = create_org(&*store, &parse_slug(&slug)?, &name).await?;
    println!("created org {}", scope.slug());
    Ok(ExitCode::SUCCESS)
}

async fn set_host(
    store: SharedStore,
    slug: String,
    host: Option<String>,
    clear: bool,
) -> Result<ExitCode> {
    let slug = parse_slug(&slug)?;
    let host = match (host, clear) {
        (Some(host), false) => {
            let host = host.trim_end_matches('.').to_ascii_lowercase();
            host.parse::<candor_domain::types::HostName>()
                .map_err(|e| anyhow!("host: {e}"))?;
            Some(host)
        }
        (None, true) => None,
        _ => bail!("give a host name, or --clear"),
    };
    store.set_org_host(&slug, host.as_deref()).await?;
    match host {
        Some(host) => println!("{slug} is also served on {host}"),
        None => println!("{slug} has no host name of its own"),
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(store: SharedStore) -> Result<ExitCode> {
    for org in store.list_orgs().await? {
        let latest = match scope_for(&*store, &org.slug).await? {
            Some(scope) => store
                .latest_revision_summary(&scope)
                .await?
                .map(|r| r.number),
            None => None,
        };
        let latest = latest
            .map(|n| format!("revision {n}"))
            .unwrap_or_else(|| "unpublished".into());
        println!("{}\t{}\t{latest}", org.slug, org.name);
    }
    Ok(ExitCode::SUCCESS)
}
