//! The trust-as-code commands: `apply`, `export`, `publish`, `diff` and `schema`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use candor_domain::{ContentError, TrustCenter, diff};
use candor_store::{OrgScope, PublishOutcome, SharedStore, publish_draft};

use super::{ACTOR, existing_org};
use crate::cli::SchemaDocument;

pub(super) fn schema(document: SchemaDocument) -> ExitCode {
    println!("{}", schema_json(document));
    ExitCode::SUCCESS
}

fn schema_json(document: SchemaDocument) -> String {
    let schema = match document {
        SchemaDocument::TrustCenter => schemars::schema_for!(TrustCenter),
        SchemaDocument::TrustJson => {
            schemars::schema_for!(candor_domain::PublishedDocument<'static>)
        }
    };
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}

/// `apply --dry-run` without a database file: checks the document, and says the
/// org cannot exist.
pub(super) fn check_without_database(file: &Path, org: &str, path: &str) -> Result<ExitCode> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    if let Err(e) = TrustCenter::from_yaml(&text) {
        return Ok(report_invalid(file, &e));
    }
    bail!(
        "no database at {path}, so no org {org}: {} is valid, and nothing was created \
         (create the org with `candor org create {org} --name NAME`)",
        file.display()
    );
}

pub(super) async fn apply(
    store: &SharedStore,
    file: &std::path::Path,
    org: &str,
    dry_run: bool,
) -> Result<ExitCode> {
    let scope = existing_org(store, org).await?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let content = match TrustCenter::from_yaml(&text) {
        Ok(c) => c,
        Err(e) => return Ok(report_invalid(file, &e)),
    };
    for warning in content.missing_translations() {
        eprintln!("warning: {warning}");
    }
    let current = store.draft(&scope).await?.map(|d| d.content);
    let verb = if dry_run { "would" } else { "will" };
    match &current {
        None => println!(
            "{verb} create the draft of {org}: {} controls, {} subprocessors, {} documents",
            content.controls.len(),
            content.subprocessors.len(),
            content.documents.len()
        ),
        Some(old) => {
            let changes = diff(old, &content);
            if changes.is_empty() {
                println!(
                    "no changes: the draft of {org} already matches {}",
                    file.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            println!("{verb} change the draft of {org}:");
            for line in changes.describe() {
                println!("  {line}");
            }
        }
    }
    if dry_run {
        println!("dry run: nothing was stored");
    } else {
        store.save_draft(&scope, &content).await?;
        println!("draft saved; run `candor publish --org {org}` to publish it");
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints every field error, one per line, for a refused document.
fn report_invalid(file: &std::path::Path, err: &ContentError) -> ExitCode {
    eprintln!(
        "error: {} is not a valid trust center; nothing was changed",
        file.display()
    );
    for e in &err.errors {
        eprintln!("  {e}");
    }
    ExitCode::from(2)
}

pub(super) async fn export(
    store: SharedStore,
    org: String,
    output: Option<PathBuf>,
) -> Result<ExitCode> {
    let scope = existing_org(&store, &org).await?;
    let content = match store.draft(&scope).await? {
        Some(draft) => draft.content,
        None => store
            .latest_revision(&scope)
            .await?
            .map(|r| r.content)
            .ok_or_else(|| anyhow!("org {org} has no draft and no revision to export"))?,
    };
    let yaml = content.to_yaml();
    match output {
        Some(path) => {
            std::fs::write(&path, yaml).with_context(|| format!("writing {}", path.display()))?
        }
        None => print!("{yaml}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// `export --oscal`: the latest revision as an OSCAL component definition,
/// exactly as `/{org}/oscal/component-definition.json` serves it.
pub(super) async fn export_oscal(
    store: SharedStore,
    org: String,
    output: Option<PathBuf>,
    public_url: Option<url::Url>,
) -> Result<ExitCode> {
    let Some(base) = public_url else {
        bail!(
            "--oscal needs --public-url (or CANDOR_PUBLIC_URL): the server's address, for the document's links"
        );
    };
    let scope = existing_org(&store, &org).await?;
    let revision = store
        .latest_revision(&scope)
        .await?
        .ok_or_else(|| anyhow!("org {org} has not published a revision"))?;
    let evidence = candor_store::evidence::EvidenceSnapshot {
        records: store.evidence(&scope).await?,
        claims: store.host_claims(&scope).await?,
    };
    let checks = candor_web::oscal::check_results(
        &revision,
        Some(&evidence),
        time::OffsetDateTime::now_utc(),
        candor_web::WebConfig::default().check_interval,
    );
    let doc = candor_formats::oscal::component_definition(candor_formats::oscal::Component {
        slug: &org,
        revision: &revision,
        site: candor_formats::oscal::Site { base: &base },
        checks: &checks,
    });
    let text = serde_json::to_string_pretty(&doc)?;
    match output {
        Some(path) => {
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?
        }
        None => println!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn publish(store: SharedStore, org: String) -> Result<ExitCode> {
    let scope = existing_org(&store, &org).await?;
    match publish_draft(&*store, &scope, time::OffsetDateTime::now_utc(), ACTOR).await? {
        PublishOutcome::Published { revision, changes } => {
            println!(
                "published revision {} of {org} ({})",
                revision.number, revision.content_hash
            );
            for line in changes.describe() {
                println!("  {line}");
            }
            Ok(ExitCode::SUCCESS)
        }
        PublishOutcome::Unchanged { latest } => {
            println!("nothing to publish: the draft equals revision {latest}");
            Ok(ExitCode::SUCCESS)
        }
        PublishOutcome::NoDraft => {
            bail!("org {org} has no draft; run `candor apply FILE --org {org}` first")
        }
        PublishOutcome::Refused(refusal) => {
            bail!("not published: {refusal}")
        }
        PublishOutcome::Held { restored_size } => {
            bail!(
                "not published: {}",
                candor_store::hold_explanation(&org, restored_size)
            )
        }
    }
}

pub(super) async fn show_diff(
    store: SharedStore,
    org: String,
    from: String,
    to: String,
    json: bool,
) -> Result<ExitCode> {
    let scope = existing_org(&store, &org).await?;
    let old = load_version(&store, &scope, &from).await?;
    let new = load_version(&store, &scope, &to).await?;
    let changes = diff(&old, &new);
    if json {
        println!("{}", serde_json::to_string_pretty(&changes)?);
    } else if changes.is_empty() {
        println!("no differences between {from} and {to}");
    } else {
        for line in changes.describe() {
            println!("{line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A revision number or `draft` (as publishing it would publish it: without
/// the knowledge entries that are not public).
async fn load_version(store: &SharedStore, scope: &OrgScope, which: &str) -> Result<TrustCenter> {
    if which == "draft" {
        return Ok(store
            .draft(scope)
            .await?
            .ok_or_else(|| anyhow!("there is no draft"))?
            .content
            .published());
    }
    let number: u64 = which
        .parse()
        .map_err(|_| anyhow!("{which:?} is neither a revision number nor `draft`"))?;
    Ok(store
        .revision(scope, number)
        .await?
        .ok_or_else(|| anyhow!("there is no revision {number}"))?
        .content)
}
