//! `candor questionnaire answer|import`: the CLI parses, calls
//! `candor_app::questionnaires` and prints.

use std::process::ExitCode;

use anyhow::{Context, Result};
use candor_app::questionnaires::{self, Answered, Source};
use candor_domain::model::Visibility;
use candor_questionnaire::Audience;
use candor_questionnaire::json::Questionnaire;
use candor_store::SharedStore;

use super::existing_org;
use crate::cli::{AudienceArg, QuestionnaireCommand, VisibilityArg};

pub(super) async fn run(store: SharedStore, command: QuestionnaireCommand) -> Result<ExitCode> {
    match command {
        QuestionnaireCommand::Answer {
            file,
            org,
            draft,
            audience,
            json,
            output,
        } => {
            let scope = existing_org(&store, &org).await?;
            let questionnaire = read(&file)?;
            let original = std::fs::read(&file)?;
            let audience = match audience {
                AudienceArg::Public => Audience::Public,
                AudienceArg::Customer => Audience::Customer,
                AudienceArg::Internal => Audience::Internal,
            };
            let answered =
                questionnaires::answer(&*store, &scope, &questionnaire, draft, audience).await?;
            let text = match json {
                true => serde_json::to_string_pretty(&answered)? + "\n",
                false => as_text(&answered),
            };
            let has_extension = |p: &std::path::Path, ext: &str| {
                p.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext))
            };
            let is_xlsx = |p: &std::path::Path| has_extension(p, "xlsx");
            match output {
                // One row per question, for a customer who sent no workbook.
                Some(path) if has_extension(&path, "csv") => {
                    crate::files::replace_file(&path, &answered.to_csv()?)
                        .with_context(|| format!("writing {}", path.display()))?;
                }
                // A workbook in, a workbook out: the customer's own file, filled.
                Some(path) if is_xlsx(&path) => {
                    if !is_xlsx(&file) {
                        anyhow::bail!(
                            "only an XLSX questionnaire can be filled as XLSX; write JSON or text instead"
                        );
                    }
                    let filled =
                        questionnaires::fill_workbook(&original, &questionnaire, &answered)?;
                    crate::files::replace_file(&path, &filled)
                        .with_context(|| format!("writing {}", path.display()))?;
                }
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => print!("{text}"),
            }
            eprintln!(
                "{} of {} questions answered; the rest need review",
                answered.answered(),
                answered.answers.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        QuestionnaireCommand::Import {
            file,
            org,
            visibility,
            prefix,
        } => {
            let scope = existing_org(&store, &org).await?;
            let questionnaire = read(&file)?;
            let prefix = prefix.unwrap_or_else(|| {
                file.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "imported".into())
            });
            let visibility = match visibility {
                VisibilityArg::Public => Visibility::Public,
                VisibilityArg::Gated => Visibility::Gated,
                VisibilityArg::Internal => Visibility::Internal,
            };
            let done = questionnaires::import(&*store, &scope, &questionnaire, &prefix, visibility)
                .await?;
            println!(
                "knowledge base of {org}'s draft: {} added, {} replaced; run `candor publish --org {org}` to publish the public ones",
                done.added, done.replaced
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A questionnaire from an XLSX, CSV or JSON file; a bad one is refused whole,
/// naming the sheet, row and column at fault.
fn read(file: &std::path::Path) -> Result<Questionnaire> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    candor_questionnaire::sheet::read(&name, &bytes).with_context(|| format!("{}", file.display()))
}

fn as_text(answered: &Answered) -> String {
    let mut out = match &answered.source {
        Source::Revision {
            revision,
            log_index,
            content_hash,
        } => format!(
            "{}: answered from revision {revision} (log entry {log_index}, {content_hash})\n",
            answered.questionnaire
        ),
        Source::Draft => format!(
            "{}: answered from the draft (not published, not in the log)\n",
            answered.questionnaire
        ),
    };
    for a in &answered.answers {
        let verdict = a.draft.verdict.map_or("needs review", |v| v.as_str());
        let cites: Vec<&str> = a.draft.citations.iter().map(|c| c.cite.as_str()).collect();
        out.push_str(&format!(
            "{}\t{verdict}\t{:.2}\t{}\t{}\n",
            a.id,
            a.draft.confidence,
            cites.join(" "),
            a.question
        ));
    }
    out
}
