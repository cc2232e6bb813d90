//! What each subcommand does: one module per command group, and the dispatcher.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use candor_domain::OrgSlug;
use candor_store::{OrgScope, SharedStore, scope_for};

use crate::cli::{Cli, Command};

mod audit;
mod backup;
mod content;
mod db;
mod keys;
mod log;
mod org;
mod privacy;
mod questionnaire;
mod serve;
mod user;
mod verify;
mod watch;
mod witness;

/// Who the audit log says did what the command line does: the operator, who
/// has shell access to the server, not a member of the org.
const ACTOR: &str = "operator:cli";

/// Runs the parsed command: first those that need no database, then the rest
/// with the store open.
pub async fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Verify {
        urls,
        json,
        allow_private,
        ca_file,
        http,
        hsts_preload_list,
    } = &cli.command
    {
        return verify::run(
            urls,
            *json,
            *allow_private,
            ca_file.as_deref(),
            http.as_deref(),
            hsts_preload_list.as_deref(),
        )
        .await;
    }
    if let Command::Watch { command, args } = &cli.command {
        return Ok(watch::run(command.as_ref(), args).await);
    }
    if let Command::Witness { command } = cli.command {
        return witness::run(command).await;
    }
    if let Command::Backup { command } = &cli.command {
        return backup::run(&cli, command).await;
    }
    if let Command::Health { url } = &cli.command {
        return health(url).await;
    }
    if let Command::Db { command } = &cli.command {
        return db::run(&cli, command).await;
    }
    if let Command::Schema { document } = cli.command {
        return Ok(content::schema(document));
    }
    if let Some(dir) = &cli.sentence_model
        && matches!(
            cli.command,
            Command::Serve(_) | Command::Questionnaire { .. }
        )
    {
        let encoder = candor_questionnaire::dense::Encoder::load(dir)
            .with_context(|| format!("loading the sentence model in {}", dir.display()))?;
        let dimensions = encoder.dimensions();
        candor_app::questionnaires::use_sentence_encoder(encoder);
        tracing::info!(
            model = %dir.display(),
            dimensions,
            "questionnaire answering uses the sentence model"
        );
    }
    // A dry run stores nothing, so it must not create a database either.
    if let Command::Apply {
        file,
        org,
        dry_run: true,
    } = &cli.command
        && let Some(path) = sqlite_file(&cli.database_url)
        && !path.is_empty()
        && !std::path::Path::new(path).exists()
    {
        return content::check_without_database(file, org, path);
    }
    let store = open_store(&cli).await?;
    match cli.command {
        // Printed above, before any database is opened.
        Command::Schema { .. }
        | Command::Db { .. }
        | Command::Config { .. }
        | Command::Backup { .. }
        | Command::Health { .. }
        | Command::Watch { .. }
        | Command::Verify { .. }
        | Command::Witness { .. } => Ok(ExitCode::SUCCESS),
        Command::Serve(args) => serve::run(store, *args).await,
        Command::Worker {
            master_key_file,
            outbound,
            metrics,
        } => serve::worker(store, master_key_file, outbound, metrics).await,
        Command::Keys { command } => keys::run(store, command).await,
        Command::Org { command } => org::run(store, command).await,
        Command::Apply { file, org, dry_run } => content::apply(&store, &file, &org, dry_run).await,
        Command::Export {
            org,
            output,
            oscal: true,
            public_url,
        } => content::export_oscal(store, org, output, public_url).await,
        Command::Export { org, output, .. } => content::export(store, org, output).await,
        Command::Publish { org } => content::publish(store, org).await,
        Command::User { command } => user::run(store, command).await,
        Command::Log { command } => log::run(store, command).await,
        Command::Audit { command } => audit::run(store, command).await,
        Command::Privacy { command } => privacy::run(store, command).await,
        Command::Questionnaire { command } => questionnaire::run(store, command).await,
        Command::Diff {
            org,
            from,
            to,
            json,
        } => content::show_diff(store, org, from, to, json).await,
    }
}

/// `candor health`: whether `url` answers 2xx within five seconds.
async fn health(url: &str) -> Result<ExitCode> {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()?;
    match client.get(url).send().await {
        Ok(answer) if answer.status().is_success() => {
            println!("ok: {url} answered {}", answer.status());
            Ok(ExitCode::SUCCESS)
        }
        Ok(answer) => {
            eprintln!("unhealthy: {url} answered {}", answer.status());
            Ok(ExitCode::FAILURE)
        }
        Err(e) => {
            eprintln!("unhealthy: {url}: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The file of a `sqlite://PATH` database URL.
fn sqlite_file(url: &str) -> Option<&str> {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
}

async fn open_store(cli: &Cli) -> Result<SharedStore> {
    let url = cli.database_url.as_str();
    if let Some(path) = sqlite_file(url) {
        if path.is_empty() {
            bail!("--database-url sqlite:// needs a file path, e.g. sqlite://candor.db");
        }
        let store = candor_store_sqlite::SqliteStore::open(path)
            .await
            .with_context(|| format!("opening SQLite database {path}"))?;
        Ok(Arc::new(store))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = candor_store_pg::PgStore::connect(url, cli.database_owner_url.as_deref())
            .await
            .context("connecting to PostgreSQL")?;
        Ok(Arc::new(store))
    } else {
        bail!("--database-url must start with sqlite:// or postgres://")
    }
}

fn parse_slug(slug: &str) -> Result<OrgSlug> {
    slug.parse::<OrgSlug>().map_err(|e| anyhow!("--org: {e}"))
}

/// The scope of every org in the directory.
async fn every_org(store: &SharedStore) -> Result<Vec<OrgScope>> {
    let mut scopes = Vec::new();
    for org in store.list_orgs().await? {
        if let Some(scope) = scope_for(&**store, &org.slug).await? {
            scopes.push(scope);
        }
    }
    Ok(scopes)
}

async fn existing_org(store: &SharedStore, slug: &str) -> Result<OrgScope> {
    let slug = parse_slug(slug)?;
    scope_for(&**store, &slug).await?.ok_or_else(|| {
        anyhow!("no org {slug}; create it with `candor org create {slug} --name NAME`")
    })
}
