//! What a watcher keeps when a check fails: the signed checkpoints, the proof
//! (or the answers given instead of one) and the content that did not hash, in
//! one file that `candor watch verify-evidence` checks offline, so that a
//! customer can forward a fork to anyone without asking them to trust the
//! customer or the server.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use candor_domain::TrustCenter;
use candor_log::checkpoint::Checkpoint;
use candor_log::note::NoteVerifier;
use candor_log::tree::{Hash, decode_hash, leaf_hash, verify_consistency, verify_inclusion};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const FORMAT: &str = "candor-watch-evidence/1";

#[derive(Serialize, Deserialize, Debug)]
pub struct Evidence {
    pub format: String,
    /// The trust center watched.
    pub url: String,
    /// The log's verifier key the checkpoints are signed with.
    pub log_key: String,
    pub recorded_at: String,
    /// What the watcher concluded, in words.
    pub message: String,
    pub claim: Claim,
}

#[derive(Serialize, Deserialize, Debug)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Claim {
    /// Two signed checkpoints of one size with different roots.
    Fork { first: String, second: String },
    /// A signed checkpoint smaller than one seen before: a rollback or a replay.
    Shrunk { earlier: String, later: String },
    /// Two signed checkpoints and the consistency proof served for them, which
    /// does not connect them.
    Inconsistent {
        smaller: String,
        larger: String,
        proof: Vec<String>,
    },
    /// A larger signed checkpoint that no consistency proof was served for.
    Unproven {
        smaller: String,
        larger: String,
        runs: u32,
        first_seen: String,
        answers: Vec<String>,
    },
    /// A log entry inside a signed checkpoint, and what the server served for
    /// that revision (`document`: its revision JSON, trust.json or the page),
    /// which does not match the content hash the entry records.
    Content {
        checkpoint: String,
        index: u64,
        entry: String,
        inclusion: Vec<String>,
        document: Document,
        served_from: String,
        served: String,
    },
}

#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Document {
    /// `/api/v1/orgs/{org}/revisions/{n}` or `/{org}/trust.json`: its `content`
    /// member must hash to the entry's content hash.
    Json,
    /// The HTML page: it must show the entry's content hash.
    Page,
}

/// Writes the bundle next to the state file; its path.
pub fn write(state_path: &Path, evidence: &Evidence) -> Result<PathBuf> {
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let path = PathBuf::from(format!("{}.evidence-{stamp}.json", state_path.display()));
    std::fs::write(&path, serde_json::to_vec_pretty(evidence)?)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

pub fn read(path: &Path) -> Result<Evidence> {
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let evidence: Evidence = serde_json::from_slice(&text)
        .with_context(|| format!("{} is not a watch evidence file", path.display()))?;
    anyhow::ensure!(
        evidence.format == FORMAT,
        "{} is in format {:?}; this candor reads {FORMAT}",
        path.display(),
        evidence.format
    );
    Ok(evidence)
}

pub fn b64(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(|h| STANDARD.encode(h)).collect()
}

fn unb64(hashes: &[String]) -> Result<Vec<Hash>, String> {
    hashes
        .iter()
        .map(|h| decode_hash(h).ok_or_else(|| format!("{h:?} is not a base64 SHA-256 hash")))
        .collect()
}

/// Checks a bundle offline. `Ok`: what it proves; `Err`: why it proves nothing.
/// With `pinned`, the bundle's key must be that key (else anyone could sign
/// two checkpoints with a key of their own).
pub fn verify(evidence: &Evidence, pinned: Option<&str>) -> Result<String, String> {
    if let Some(k) = pinned
        && k.trim() != evidence.log_key.trim()
    {
        return Err("the evidence is signed with another key than the one given".into());
    }
    let verifier =
        NoteVerifier::parse(&evidence.log_key).map_err(|e| format!("the log key: {e}"))?;
    let open = |note: &str| -> Result<Checkpoint, String> {
        let body = verifier
            .open(note)
            .map_err(|e| format!("a checkpoint's signature does not verify: {e}"))?;
        let c = Checkpoint::parse(body).map_err(|e| format!("a checkpoint: {e}"))?;
        if c.origin != verifier.name {
            return Err(format!(
                "a checkpoint names log {:?}, but the key is {:?}'s",
                c.origin, verifier.name
            ));
        }
        Ok(c)
    };
    match &evidence.claim {
        Claim::Fork { first, second } => {
            let (a, b) = (open(first)?, open(second)?);
            if a.size == b.size && a.root != b.root {
                Ok(format!(
                    "the log {} signed two different trees of size {}: a fork",
                    a.origin, a.size
                ))
            } else {
                Err("the two checkpoints do not conflict".into())
            }
        }
        Claim::Shrunk { earlier, later } => {
            let (a, b) = (open(earlier)?, open(later)?);
            if b.size < a.size {
                Ok(format!(
                    "the log {} was shown at size {} after size {} had been signed: a rollback or a replayed checkpoint",
                    a.origin, b.size, a.size
                ))
            } else {
                Err("the later checkpoint is not smaller".into())
            }
        }
        Claim::Inconsistent {
            smaller,
            larger,
            proof,
        } => {
            let (a, b) = (open(smaller)?, open(larger)?);
            let proof = unb64(proof)?;
            if a.size > b.size {
                return Err("the checkpoints are in the wrong order".into());
            }
            match verify_consistency(a.size, b.size, &a.root, &b.root, &proof) {
                Ok(()) => Err("the proof verifies: the two checkpoints are consistent".into()),
                Err(e) => Ok(format!(
                    "the log {} signed sizes {} and {}, and the consistency proof it served does not connect them ({e})",
                    a.origin, a.size, b.size
                )),
            }
        }
        Claim::Unproven {
            smaller,
            larger,
            runs,
            first_seen,
            answers,
        } => {
            let (a, b) = (open(smaller)?, open(larger)?);
            if a.size >= b.size {
                return Err("the checkpoints are in the wrong order".into());
            }
            Ok(format!(
                "the log {} signed size {} (first seen {first_seen}) but served no consistency proof from size {} in {runs} runs; it answered: {}",
                a.origin,
                b.size,
                a.size,
                answers.join("; ")
            ))
        }
        Claim::Content {
            checkpoint,
            index,
            entry,
            inclusion,
            document,
            served_from,
            served,
        } => {
            let c = open(checkpoint)?;
            let entry = STANDARD
                .decode(entry)
                .map_err(|_| "the entry is not base64".to_owned())?;
            verify_inclusion(
                &leaf_hash(&entry),
                *index,
                c.size,
                &unb64(inclusion)?,
                &c.root,
            )
            .map_err(|e| format!("the entry is not in the signed log: {e}"))?;
            let recorded = serde_json::from_slice::<Value>(&entry)
                .ok()
                .and_then(|v| v["content_hash"].as_str().map(str::to_owned))
                .ok_or("the entry records no content hash")?;
            match content_mismatch(*document, served, &recorded) {
                Some(why) => Ok(format!(
                    "entry {index} of the log {} records content hash {recorded}, but {served_from} {why}",
                    c.origin
                )),
                None => Err("the served content matches the entry".into()),
            }
        }
    }
}

/// Why `served` does not match the content hash `recorded`, if it does not.
pub fn content_mismatch(document: Document, served: &str, recorded: &str) -> Option<String> {
    match document {
        Document::Page => {
            (!served.contains(recorded)).then(|| "does not show that hash".to_owned())
        }
        Document::Json => {
            let content = serde_json::from_str::<Value>(served)
                .ok()
                .map(|v| v["content"].clone());
            let parsed = content
                .and_then(|c| serde_json::to_vec(&c).ok())
                .map(|bytes| TrustCenter::from_json(&bytes));
            match parsed {
                Some(Ok(tc)) => {
                    let actual = tc.content_hash().to_string();
                    (actual != recorded).then(|| format!("hashes to {actual}"))
                }
                Some(Err(e)) => Some(format!("is not a valid trust center ({e})")),
                None => Some("has no JSON content member".to_owned()),
            }
        }
    }
}
