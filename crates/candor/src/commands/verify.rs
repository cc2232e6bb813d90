//! `candor verify`: check hosts the way public scanners do.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};

pub(super) async fn run(
    urls: &[String],
    json: bool,
    allow_private: bool,
    ca_file: Option<&Path>,
    http: Option<&str>,
    hsts_preload_list: Option<&Path>,
) -> Result<ExitCode> {
    let mut options = candor_verify::scan::ScanOptions {
        allow_private,
        http_url: http.map(str::to_owned),
        ..Default::default()
    };
    if let Some(path) = ca_file {
        options
            .extra_roots
            .push(std::fs::read(path).with_context(|| format!("reading {}", path.display()))?);
    }
    if let Some(path) = hsts_preload_list {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let list = candor_verify::observatory::PreloadList::from_json(&text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        options.hsts_preload = Arc::new(list);
    }
    verify(urls, json, &options).await
}

async fn verify(
    urls: &[String],
    json: bool,
    options: &candor_verify::scan::ScanOptions,
) -> Result<ExitCode> {
    let mut reports = Vec::new();
    for url in urls {
        reports.push(candor_verify::scan::scan(url, options).await?);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        for report in &reports {
            println!("{}", report.target);
            for finding in &report.findings {
                println!("  {finding}");
            }
            match &report.observatory {
                candor_verify::scan::ObservatoryOutcome::Graded(grade) => {
                    println!("  grade: {grade}");
                    for (test, result) in grade.tests.iter().filter(|(_, r)| r.modifier != 0) {
                        println!("    {test}: {} ({:+})", result.result, result.modifier);
                    }
                    for (test, note) in grade
                        .tests
                        .iter()
                        .filter_map(|(test, r)| r.note.map(|n| (test, n)))
                    {
                        println!("    note on {test}: {note}");
                    }
                }
                candor_verify::scan::ObservatoryOutcome::NotGraded { error } => {
                    println!("  grade: none ({error})");
                }
            }
        }
    }
    let failed = reports
        .iter()
        .any(|r| r.verdict == candor_verify::Verdict::Fail);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
