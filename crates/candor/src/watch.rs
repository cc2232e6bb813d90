//! `candor watch URL`: the customer's side of the transparency log.
//!
//! Each run fetches the org's signed checkpoint, checks the signature against a
//! pinned key, proves the new log extends the one seen last time (consistency),
//! proves every new entry is in it (inclusion), checks the latest revision's
//! content against the hash its log entry commits to, and says in plain words
//! what changed. The last verified checkpoint is kept in a local state file.
//! Any verification failure exits non-zero: a rewritten history cannot pass.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use candor_domain::{ContentHash, TrustCenter, diff};
use candor_log::checkpoint::Checkpoint;
use candor_log::note::NoteVerifier;
use candor_log::tree::{Hash, leaf_hash, verify_consistency, verify_inclusion};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// What a previous run verified.
#[derive(Serialize, Deserialize)]
struct State {
    /// Where it was last fetched from; informational, since a host may move.
    url: String,
    /// The log's name from its checkpoints: a state belongs to one log.
    origin: String,
    key: String,
    size: u64,
    root: String,
    /// Content hash of the latest revision, as its log entry recorded it.
    content_hash: Option<String>,
}

/// Why a run failed: the server's answer did not verify, or it could not be fetched.
pub enum WatchError {
    Verification(String),
    Other(anyhow::Error),
}

impl From<anyhow::Error> for WatchError {
    fn from(e: anyhow::Error) -> WatchError {
        WatchError::Other(e)
    }
}

fn bad(message: impl Into<String>) -> WatchError {
    WatchError::Verification(message.into())
}

pub struct Report {
    pub org: String,
    pub first_run: bool,
    pub pinned_key: Option<String>,
    pub from: u64,
    pub to: u64,
    pub changes: Vec<String>,
}

impl Report {
    pub fn to_json(&self) -> Value {
        json!({
            "ok": true,
            "org": self.org,
            "first_run": self.first_run,
            "pinned_key": self.pinned_key,
            "from_size": self.from,
            "to_size": self.to,
            "changes": self.changes,
        })
    }
}

struct Target {
    /// `https://host/slug`
    base: String,
    /// `https://host/api/v1/orgs/slug`
    api: String,
    slug: String,
}

fn target(url: &str) -> Result<Target> {
    let parsed = url::Url::parse(url).with_context(|| format!("{url:?} is not a URL"))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        bail!("the trust center URL must be https:// (or http:// for a local test)");
    }
    let slug = parsed
        .path_segments()
        .and_then(|mut s| s.find(|seg| !seg.is_empty()))
        .ok_or_else(|| {
            anyhow!("the URL must name the trust center, e.g. https://trust.example.com/acme")
        })?
        .to_owned();
    let origin = parsed.origin().ascii_serialization();
    Ok(Target {
        base: format!("{origin}/{slug}"),
        api: format!("{origin}/api/v1/orgs/{slug}"),
        slug,
    })
}

fn b64_hash(text: &str) -> Result<Hash, WatchError> {
    STANDARD
        .decode(text)
        .ok()
        .and_then(|b| <Hash>::try_from(b.as_slice()).ok())
        .ok_or_else(|| bad(format!("{text:?} is not a base64 SHA-256 hash")))
}

fn hashes(value: &Value) -> Result<Vec<Hash>, WatchError> {
    value
        .as_array()
        .ok_or_else(|| bad("a proof is not a list of hashes"))?
        .iter()
        .map(|v| b64_hash(v.as_str().unwrap_or_default()))
        .collect()
}

struct Client(reqwest::Client);

impl Client {
    async fn bytes(&self, url: &str) -> Result<Vec<u8>> {
        let resp = self
            .0
            .get(url)
            .send()
            .await
            .with_context(|| format!("fetching {url}"))?;
        if !resp.status().is_success() {
            bail!("{url} answered {}", resp.status());
        }
        Ok(resp.bytes().await?.to_vec())
    }

    async fn text(&self, url: &str) -> Result<String> {
        String::from_utf8(self.bytes(url).await?)
            .map_err(|_| anyhow!("{url} did not answer with text"))
    }

    async fn json(&self, url: &str) -> Result<Value> {
        serde_json::from_slice(&self.bytes(url).await?)
            .with_context(|| format!("{url} did not answer with JSON"))
    }
}

fn read_state(path: &Path) -> Result<Option<State>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(
            serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()))?,
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow!("reading {}: {e}", path.display())),
    }
}

fn write_state(path: &Path, state: &State) -> Result<()> {
    // Write then rename, so a crash never leaves half a state file.
    let tmp = PathBuf::from(format!("{}.tmp", path.display()));
    std::fs::write(&tmp, serde_json::to_vec_pretty(state)?)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// A revision as served, checked against the content hash the log recorded.
async fn revision_content(
    client: &Client,
    t: &Target,
    number: u64,
    expected: &str,
) -> Result<TrustCenter, WatchError> {
    let doc = client
        .json(&format!("{}/revisions/{number}", t.api))
        .await?;
    let content = serde_json::to_vec(&doc["content"]).map_err(|e| bad(e.to_string()))?;
    let content = TrustCenter::from_json(&content).map_err(|e| {
        bad(format!(
            "revision {number} is not a valid trust center: {e}"
        ))
    })?;
    let actual = content.content_hash().to_string();
    if actual != expected {
        return Err(bad(format!(
            "revision {number} hashes to {actual}, but the log recorded {expected}"
        )));
    }
    Ok(content)
}

pub async fn run(url: &str, state_path: &Path, pinned: Option<&str>) -> Result<Report, WatchError> {
    let t = target(url)?;
    let client = Client(
        reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| anyhow!("starting the HTTP client: {e}"))?,
    );
    let previous = read_state(state_path)?;
    // The key: given on the command line, remembered, or (first run only) trusted on first use.
    let (key, pinned_key) = match (pinned, &previous) {
        (Some(k), Some(p)) if k != p.key => {
            return Err(bad("the given key differs from the key pinned earlier"));
        }
        (Some(k), _) => (k.to_owned(), None),
        (None, Some(p)) => (p.key.clone(), None),
        (None, None) => {
            let fetched = client
                .text(&format!("{}/log/key", t.base))
                .await?
                .trim()
                .to_owned();
            (fetched.clone(), Some(fetched))
        }
    };
    let verifier = NoteVerifier::parse(&key).map_err(|e| bad(format!("the log key: {e}")))?;
    let note = client.text(&format!("{}/log/checkpoint", t.base)).await?;
    let body = verifier
        .open(&note)
        .map_err(|e| bad(format!("the checkpoint's signature: {e}")))?;
    let checkpoint = Checkpoint::parse(body).map_err(|e| bad(format!("the checkpoint: {e}")))?;
    if !checkpoint.origin.ends_with(&format!("/{}", t.slug)) {
        return Err(bad(format!(
            "the checkpoint is for log {:?}, not {}",
            checkpoint.origin, t.slug
        )));
    }
    if let Some(p) = &previous
        && p.origin != checkpoint.origin
    {
        return Err(bad(format!(
            "this state file follows log {:?}, but the server now signs {:?}",
            p.origin, checkpoint.origin
        )));
    }

    let (old_size, old_root) = match &previous {
        Some(p) => (p.size, Some(b64_hash(&p.root)?)),
        None => (0, None),
    };
    if checkpoint.size < old_size {
        return Err(bad(format!(
            "the log shrank from {old_size} to {} entries: history was rewritten",
            checkpoint.size
        )));
    }
    if let Some(old_root) = old_root {
        if checkpoint.size == old_size {
            if checkpoint.root != old_root {
                return Err(bad(format!(
                    "same size {old_size}, different root: the log was forked"
                )));
            }
        } else {
            let proof = client
                .json(&format!(
                    "{}/log/proof/consistency?from={old_size}&to={}",
                    t.base, checkpoint.size
                ))
                .await?;
            verify_consistency(old_size, checkpoint.size, &old_root, &checkpoint.root, &hashes(&proof["proof"])?)
                .map_err(|e| bad(format!("the log of size {} does not extend the one seen at size {old_size} ({e}): history was rewritten", checkpoint.size)))?;
        }
    }

    // Every new entry is in the signed tree, and is what it claims to be.
    let mut latest_hash = previous.as_ref().and_then(|p| p.content_hash.clone());
    for index in old_size..checkpoint.size {
        let entry = client
            .bytes(&format!("{}/log/entries/{index}", t.base))
            .await?;
        let proof = client
            .json(&format!(
                "{}/log/proof/inclusion?index={index}&size={}",
                t.base, checkpoint.size
            ))
            .await?;
        verify_inclusion(
            &leaf_hash(&entry),
            index,
            checkpoint.size,
            &hashes(&proof["proof"])?,
            &checkpoint.root,
        )
        .map_err(|e| bad(format!("log entry {index} is not in the signed log: {e}")))?;
        let parsed: Value = serde_json::from_slice(&entry)
            .map_err(|_| bad(format!("log entry {index} is not JSON")))?;
        if parsed["revision"].as_u64() != Some(index + 1)
            || parsed["org"].as_str() != Some(t.slug.as_str())
        {
            return Err(bad(format!(
                "log entry {index} does not record revision {} of {}",
                index + 1,
                t.slug
            )));
        }
        let hash = parsed["content_hash"].as_str().unwrap_or_default();
        hash.parse::<ContentHash>()
            .map_err(|e| bad(format!("log entry {index}: {e}")))?;
        latest_hash = Some(hash.to_owned());
    }

    // What changed, between revisions whose content matches the log.
    let mut changes = Vec::new();
    if checkpoint.size > old_size
        && let Some(new_hash) = &latest_hash
    {
        let new = revision_content(&client, &t, checkpoint.size, new_hash).await?;
        match previous.as_ref().and_then(|p| p.content_hash.clone()) {
            Some(old_hash) if old_size > 0 => {
                let old = revision_content(&client, &t, old_size, &old_hash).await?;
                changes = diff(&old, &new).describe();
            }
            _ => changes.push(format!(
                "now watching {}: revision {} ({new_hash})",
                t.base, checkpoint.size
            )),
        }
    }

    write_state(
        state_path,
        &State {
            url: t.base.clone(),
            origin: checkpoint.origin.clone(),
            key,
            size: checkpoint.size,
            root: STANDARD.encode(checkpoint.root),
            content_hash: latest_hash,
        },
    )?;
    Ok(Report {
        org: t.slug,
        first_run: previous.is_none(),
        pinned_key,
        from: old_size,
        to: checkpoint.size,
        changes,
    })
}
