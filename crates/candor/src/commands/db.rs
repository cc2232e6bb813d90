//! `candor db migrate|check`: setting the database up on purpose, and saying
//! what is wrong with it in terms an operator can act on.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::sqlite_file;
use crate::cli::{Cli, DbCommand};

pub(super) async fn run(cli: &Cli, command: &DbCommand) -> Result<ExitCode> {
    let url = cli.database_url.as_str();
    if let Some(path) = sqlite_file(url) {
        // SQLite has no roles: opening the file creates or migrates it.
        if path.is_empty() {
            bail!("--database-url sqlite:// needs a file path, e.g. sqlite://candor.db");
        }
        candor_store_sqlite::SqliteStore::open(path)
            .await
            .with_context(|| format!("opening SQLite database {path}"))?;
        println!("ok: SQLite database {path} has the schema this build needs");
        return Ok(ExitCode::SUCCESS);
    }
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        bail!("--database-url must start with sqlite:// or postgres://");
    }
    match command {
        DbCommand::Migrate => {
            let owner = cli.database_owner_url.as_deref().context(
                "candor db migrate on PostgreSQL runs as the schema owner: give its URL with --database-owner-url (or CANDOR_DATABASE_OWNER_URL)",
            )?;
            let version = candor_store_pg::setup::migrate_schema(url, owner).await?;
            println!(
                "schema at version {version}; the app role has what it needs (check with `candor db check`)"
            );
            Ok(ExitCode::SUCCESS)
        }
        DbCommand::Check => {
            let problems = candor_store_pg::setup::check(url).await?;
            if problems.is_empty() {
                println!(
                    "ok: schema at version {}, and the app role can run Candor",
                    candor_store_pg::setup::expected_schema_version()
                );
                return Ok(ExitCode::SUCCESS);
            }
            for problem in &problems {
                println!("problem: {problem}");
            }
            Ok(ExitCode::FAILURE)
        }
    }
}
