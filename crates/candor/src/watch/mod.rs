//! `candor watch URL`: the customer's side of the transparency log.
//!
//! Each run fetches the org's signed checkpoint, checks its signature against a
//! pinned key and its origin against the key's name, proves the new log extends
//! the one seen last time (consistency), proves every new entry is in it
//! (inclusion), checks every new revision's content against the hash its entry
//! commits to, and on every run checks trust.json and the HTML page against the
//! log, then says in plain words what changed. The state file keeps the last
//! verified signed checkpoint verbatim.
//!
//! A failure that proves something (a fork, a rollback, a bad proof, content
//! that does not hash) exits 1 and writes an evidence bundle (see
//! [`evidence`]). A larger signed checkpoint whose consistency proof the server
//! does not serve is "could not check" (exit 2) for a bounded number of runs,
//! then a failure (exit 1) with its evidence: a server cannot turn "history was
//! rewritten" into "could not check" for ever. Every answer is read under a
//! size cap and the run has a deadline (see [`fetch`]).

pub mod evidence;
pub(crate) mod fetch;
mod tiled;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use candor_domain::{ContentHash, diff};
use candor_log::checkpoint::Checkpoint;
use candor_log::cosignature::CosignatureVerifier;
use candor_log::note::NoteVerifier;
use candor_log::tree::{
    Hash, decode_hash, empty_root, leaf_hash, verify_consistency, verify_inclusion,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use evidence::{Claim, Document, Evidence};
pub use fetch::Caps;
use fetch::{Client, Kind};
use tiled::Tiles;

/// What a previous run verified.
#[derive(Serialize, Deserialize)]
struct State {
    /// Where it was last fetched from; informational, since a host may move.
    url: String,
    /// The log's name from its checkpoints: a state belongs to one log.
    origin: String,
    /// The log's current key (after any rotation followed).
    key: String,
    /// The key first pinned, which a `--key` argument is compared with.
    #[serde(default)]
    pinned: Option<String>,
    size: u64,
    root: String,
    /// Content hash of the latest revision, as its log entry recorded it.
    content_hash: Option<String>,
    /// The last verified signed checkpoint, verbatim (state files written
    /// before it was kept lack it).
    #[serde(default)]
    checkpoint: Option<String>,
    /// A larger signed checkpoint the server showed without the proof that it
    /// extends this state's.
    #[serde(default)]
    unproven: Option<Unproven>,
}

#[derive(Serialize, Deserialize, Clone)]
struct Unproven {
    checkpoint: String,
    size: u64,
    first_seen: String,
    /// Runs that could not get the proof so far.
    runs: u32,
    /// What the server answered instead, one line a run.
    answers: Vec<String>,
}

/// How a run is bounded, and what it requires.
#[derive(Clone, Debug)]
pub struct Options {
    pub caps: Caps,
    /// The whole run, all requests included.
    pub deadline: std::time::Duration,
    /// Runs a signed checkpoint may go without its consistency proof before
    /// the watcher calls it a failure.
    pub proof_runs: u32,
    /// Read the log as C2SP tiles where the server serves them.
    pub tiles: bool,
    /// Witnesses whose cosignatures count, how many must be fresh, and how old
    /// a fresh one may be.
    pub witnesses: Vec<CosignatureVerifier>,
    pub quorum: usize,
    pub max_cosignature_age: std::time::Duration,
}

/// Why a run failed: the server's answer did not verify (with the evidence
/// file, where one was written), or it could not be checked.
pub enum WatchError {
    Verification {
        message: String,
        evidence: Option<PathBuf>,
    },
    Other(anyhow::Error),
}

impl From<anyhow::Error> for WatchError {
    fn from(e: anyhow::Error) -> WatchError {
        WatchError::Other(e)
    }
}

fn bad(message: impl Into<String>) -> WatchError {
    WatchError::Verification {
        message: message.into(),
        evidence: None,
    }
}

pub struct Report {
    pub org: String,
    pub first_run: bool,
    pub pinned_key: Option<String>,
    pub from: u64,
    pub to: u64,
    pub changes: Vec<String>,
    /// HTTP requests made and body bytes read.
    pub requests: u64,
    pub bytes: u64,
    /// Whether the log was read as tiles.
    pub tiles: bool,
    /// What each required witness's cosignature said.
    pub witnesses: Vec<String>,
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
            "requests": self.requests,
            "bytes": self.bytes,
            "tiles": self.tiles,
            "witnesses": self.witnesses,
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
    decode_hash(text).ok_or_else(|| bad(format!("{text:?} is not a base64 SHA-256 hash")))
}

/// The `proof` member of a proof answer.
fn proof_hashes(value: &Value) -> Option<Vec<Hash>> {
    value["proof"]
        .as_array()?
        .iter()
        .map(|v| decode_hash(v.as_str()?))
        .collect()
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
    crate::files::replace_file(path, &serde_json::to_vec_pretty(state)?)
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// One run, with what it needs to write evidence.
struct Run<'a> {
    client: Client,
    t: Target,
    key: String,
    verifier: NoteVerifier,
    state_path: &'a Path,
    use_tiles: bool,
    /// Set once tiles were read and fitted.
    read_tiles: std::cell::Cell<bool>,
    /// Hash tiles of the checkpoint's tree size read so far.
    tile_cache: tiled::TileCache,
}

/// A log entry proven to be in the signed tree.
struct ProvenEntry {
    index: u64,
    bytes: Vec<u8>,
    inclusion: Vec<Hash>,
    content_hash: String,
}

impl Run<'_> {
    /// A failure that proves something: its evidence is written first.
    fn proven(&self, message: String, claim: Claim) -> WatchError {
        let bundle = Evidence {
            format: evidence::FORMAT.into(),
            url: self.t.base.clone(),
            log_key: self.key.clone(),
            recorded_at: now_rfc3339(),
            message: message.clone(),
            claim,
        };
        match evidence::write(self.state_path, &bundle) {
            Ok(path) => WatchError::Verification {
                message,
                evidence: Some(path),
            },
            Err(e) => WatchError::Verification {
                message: format!("{message} (the evidence could not be written: {e:#})"),
                evidence: None,
            },
        }
    }

    /// A signed checkpoint from its note, checked against the pinned key.
    fn open(&self, note: &str) -> Result<Checkpoint, WatchError> {
        let body = self
            .verifier
            .open(note)
            .map_err(|e| bad(format!("the checkpoint's signature: {e}")))?;
        let checkpoint =
            Checkpoint::parse(body).map_err(|e| bad(format!("the checkpoint: {e}")))?;
        // C2SP tlog-checkpoint: the key's name is the log's origin.
        if checkpoint.origin != self.verifier.name {
            return Err(bad(format!(
                "the checkpoint is for log {:?}, but the key is {:?}'s",
                checkpoint.origin, self.verifier.name
            )));
        }
        if !checkpoint.origin.ends_with(&format!("/{}", self.t.slug)) {
            return Err(bad(format!(
                "the checkpoint is for log {:?}, not {}",
                checkpoint.origin, self.t.slug
            )));
        }
        Ok(checkpoint)
    }

    /// The consistency proof from `from` to `to`, or what was answered instead.
    async fn consistency(&self, from: u64, to: u64) -> Result<Vec<Hash>, String> {
        let url = format!("{}/log/proof/consistency?from={from}&to={to}", self.t.base);
        match self.client.json(&url, Kind::Log).await {
            Ok(v) => proof_hashes(&v).ok_or_else(|| format!("{url} answered no list of hashes")),
            Err(e) => Err(format!("{e:#}")),
        }
    }

    /// Entry `index`, fetched with its inclusion proof from the proof endpoint.
    async fn entry(&self, checkpoint: &Checkpoint, index: u64) -> Result<ProvenEntry, WatchError> {
        let base = &self.t.base;
        let bytes = self
            .client
            .bytes(&format!("{base}/log/entries/{index}"), Kind::Log)
            .await?;
        let proof = self
            .client
            .json(
                &format!(
                    "{base}/log/proof/inclusion?index={index}&size={}",
                    checkpoint.size
                ),
                Kind::Log,
            )
            .await?;
        let inclusion = proof_hashes(&proof).ok_or_else(|| {
            bad(format!(
                "the inclusion proof of entry {index} is not a list of hashes"
            ))
        })?;
        self.check_entry(checkpoint, index, bytes, inclusion)
    }

    /// Entries `from..to`, each proven to be in the tree of `checkpoint`: from
    /// the tiles where the server has them (256 entries a request, proofs built
    /// here from the hash tiles), else from the proof endpoints.
    async fn entries(
        &self,
        checkpoint: &Checkpoint,
        from: u64,
        to: u64,
    ) -> Result<Vec<ProvenEntry>, WatchError> {
        if self.use_tiles && from < to {
            let tiles = Tiles::new(
                &self.client,
                format!("{}/log", self.t.base),
                checkpoint.size,
                &self.tile_cache,
            );
            if let Ok(found) = tiles.entries(from, to).await {
                let proven: Result<Vec<ProvenEntry>, WatchError> = (from..)
                    .zip(found)
                    .map(|(index, (bytes, proof))| {
                        self.check_entry(checkpoint, index, bytes, proof)
                    })
                    .collect();
                // Tiles are not signed: one that does not fit proves nothing,
                // and the proof endpoints say what is wrong.
                if let Ok(proven) = proven {
                    self.read_tiles.set(true);
                    return Ok(proven);
                }
            }
        }
        let mut proven = Vec::new();
        for index in from..to {
            proven.push(self.entry(checkpoint, index).await?);
        }
        Ok(proven)
    }

    /// An entry and its inclusion proof, checked against `checkpoint`, and
    /// what it records.
    fn check_entry(
        &self,
        checkpoint: &Checkpoint,
        index: u64,
        bytes: Vec<u8>,
        inclusion: Vec<Hash>,
    ) -> Result<ProvenEntry, WatchError> {
        verify_inclusion(
            &leaf_hash(&bytes),
            index,
            checkpoint.size,
            &inclusion,
            &checkpoint.root,
        )
        .map_err(|e| bad(format!("log entry {index} is not in the signed log: {e}")))?;
        let parsed: Value = serde_json::from_slice(&bytes)
            .map_err(|_| bad(format!("log entry {index} is not JSON")))?;
        if parsed["revision"].as_u64() != Some(index + 1)
            || parsed["org"].as_str() != Some(self.t.slug.as_str())
        {
            return Err(bad(format!(
                "log entry {index} does not record revision {} of {}",
                index + 1,
                self.t.slug
            )));
        }
        let content_hash = parsed["content_hash"].as_str().unwrap_or_default();
        content_hash
            .parse::<ContentHash>()
            .map_err(|e| bad(format!("log entry {index}: {e}")))?;
        Ok(ProvenEntry {
            index,
            content_hash: content_hash.to_owned(),
            bytes,
            inclusion,
        })
    }

    /// Fetches `url` and checks it against `entry`; the served text.
    async fn check_document(
        &self,
        note: &str,
        entry: &ProvenEntry,
        url: String,
        document: Document,
    ) -> Result<String, WatchError> {
        let served = self.client.text(&url, Kind::Content).await?;
        if let Some(why) = evidence::content_mismatch(document, &served, &entry.content_hash) {
            let message = format!(
                "{url} {why}, but log entry {} records {} for revision {}",
                entry.index,
                entry.content_hash,
                entry.index + 1
            );
            return Err(self.proven(
                message,
                Claim::Content {
                    checkpoint: note.to_owned(),
                    index: entry.index,
                    entry: STANDARD.encode(&entry.bytes),
                    inclusion: evidence::b64(&entry.inclusion),
                    document,
                    served_from: url,
                    served,
                },
            ));
        }
        Ok(served)
    }
}

pub async fn run(
    url: &str,
    state_path: &Path,
    pinned: Option<&str>,
    options: Options,
) -> Result<Report, WatchError> {
    let deadline = options.deadline;
    match tokio::time::timeout(deadline, run_bounded(url, state_path, pinned, options)).await {
        Ok(result) => result,
        Err(_) => Err(WatchError::Other(anyhow!(
            "the run did not finish within {} s (--deadline); nothing was verified",
            deadline.as_secs()
        ))),
    }
}

async fn run_bounded(
    url: &str,
    state_path: &Path,
    pinned: Option<&str>,
    options: Options,
) -> Result<Report, WatchError> {
    let t = target(url)?;
    let client = Client::new(options.caps)?;
    let previous = read_state(state_path)?;
    // The key: given on the command line, remembered, or (first run only) trusted on first use.
    let (key, pinned_key) = match (pinned, &previous) {
        (Some(k), Some(p)) if k != p.pinned.as_deref().unwrap_or(&p.key) => {
            return Err(bad("the given key differs from the key pinned earlier"));
        }
        // The state's key may be a successor of the one given (a rotation followed).
        (Some(_), Some(p)) => (p.key.clone(), None),
        (Some(k), None) => (k.to_owned(), None),
        (None, Some(p)) => (p.key.clone(), None),
        (None, None) => {
            let fetched = client
                .text(&format!("{}/log/key", t.base), Kind::Log)
                .await?
                .trim()
                .to_owned();
            (fetched.clone(), Some(fetched))
        }
    };
    let verifier = NoteVerifier::parse(&key).map_err(|e| bad(format!("the log key: {e}")))?;
    let mut run = Run {
        client,
        t,
        key,
        verifier,
        state_path,
        use_tiles: options.tiles,
        read_tiles: std::cell::Cell::new(false),
        tile_cache: tiled::TileCache::default(),
    };
    let t = &run.t;
    let note = run
        .client
        .text(&format!("{}/log/checkpoint", t.base), Kind::Log)
        .await?;
    let mut rotations = Vec::new();
    if run.verifier.open(&note).is_err()
        && let Some((current, steps)) = follow_rotations(&run, &note).await
    {
        run.verifier =
            NoteVerifier::parse(&current).map_err(|e| bad(format!("the log key: {e}")))?;
        run.key = current;
        rotations = steps;
    }
    let checkpoint = run.open(&note)?;
    let witnessed = quorum(&note, &options)?;
    if let Some(p) = &previous
        && p.origin != checkpoint.origin
    {
        return Err(bad(format!(
            "this state file follows log {:?}, but the server now signs {:?}",
            p.origin, checkpoint.origin
        )));
    }

    let verified = Verified::from_state(previous.as_ref())?;
    let backed = backed_by_proofs(&run, &verified, previous.as_ref(), &note, &checkpoint).await;
    if let Err(failure) = backed {
        return Err(match failure {
            Unbacked::Proven(e) => e,
            Unbacked::Missing(answer) => missing_proof(
                &run,
                previous.as_ref(),
                &note,
                &checkpoint,
                answer,
                options.proof_runs,
            ),
        });
    }

    // Every new entry is in the signed tree, and its revision is what it records.
    let old_size = verified.size;
    let mut latest = None;
    // The newest revision as served, for the description of what changed.
    let mut newest = None;
    for entry in run.entries(&checkpoint, old_size, checkpoint.size).await? {
        let served = run
            .check_document(
                &note,
                &entry,
                format!("{}/revisions/{}", t.api, entry.index + 1),
                Document::Json,
            )
            .await?;
        latest = Some(entry);
        newest = Some(served);
    }
    // On every run, what a reader is shown is checked against the log: the
    // latest revision when nothing was added, and trust.json and the page.
    let latest = match latest {
        Some(entry) => Some(entry),
        None if checkpoint.size > 0 => run
            .entries(&checkpoint, checkpoint.size - 1, checkpoint.size)
            .await?
            .pop(),
        None => None,
    };
    let mut changes = rotations;
    if let Some(latest) = &latest {
        changes.extend(check_what_readers_see(&run, &note, &checkpoint, latest).await?);
    }

    // What changed, between revisions whose content matches the log.
    if let (Some(latest), Some(new)) = (&latest, &newest) {
        match previous.as_ref().and_then(|p| p.content_hash.clone()) {
            Some(old_hash) if old_size > 0 => {
                let old = run
                    .client
                    .text(&format!("{}/revisions/{old_size}", t.api), Kind::Content)
                    .await?;
                if let Some(why) = evidence::content_mismatch(Document::Json, &old, &old_hash) {
                    return Err(bad(format!(
                        "revision {old_size} {why}, but the log recorded {old_hash}"
                    )));
                }
                if let (Some(old), Some(new)) = (parse_content(&old), parse_content(new)) {
                    changes.splice(0..0, diff(&old, &new).describe());
                }
            }
            _ => changes.insert(
                0,
                format!(
                    "now watching {}: revision {} ({})",
                    t.base, checkpoint.size, latest.content_hash
                ),
            ),
        }
    }

    write_state(
        state_path,
        &State {
            url: t.base.clone(),
            origin: checkpoint.origin.clone(),
            key: run.key.clone(),
            pinned: Some(
                previous
                    .as_ref()
                    .and_then(|p| p.pinned.clone())
                    .or_else(|| previous.as_ref().map(|p| p.key.clone()))
                    .or_else(|| pinned.map(str::to_owned))
                    .unwrap_or_else(|| run.key.clone()),
            ),
            size: checkpoint.size,
            root: STANDARD.encode(checkpoint.root),
            content_hash: latest.map(|e| e.content_hash),
            checkpoint: Some(note),
            unproven: None,
        },
    )?;
    Ok(Report {
        org: t.slug.clone(),
        first_run: previous.is_none(),
        pinned_key,
        from: old_size,
        to: checkpoint.size,
        changes,
        witnesses: witnessed,
        requests: run.client.requests(),
        bytes: run.client.bytes_read(),
        tiles: run.read_tiles.get(),
    })
}

/// The key that signs `note`, reached from the pinned key through the log's
/// rotation statements (each signed by the key it retires and by its
/// successor), with a line per step; `None` if there is no such chain.
async fn follow_rotations(run: &Run<'_>, note: &str) -> Option<(String, Vec<String>)> {
    let url = format!("{}/log/key-history", run.t.base);
    let history = run.client.json(&url, Kind::Log).await.ok()?;
    let mut current = run.key.clone();
    let mut steps = Vec::new();
    for statement in history.as_array()?.iter().filter_map(Value::as_str) {
        let retiring = NoteVerifier::parse(&current).ok()?;
        // Rotations before the pinned key are not ours to follow.
        let Ok(text) = retiring.open(statement) else {
            continue;
        };
        let (origin, old, new) = candor_log::note::parse_rotation(text)?;
        if old != current || origin != retiring.name {
            return None;
        }
        let successor = NoteVerifier::parse(new).ok()?;
        successor.open(statement).ok()?;
        if successor.name != retiring.name {
            return None;
        }
        steps.push(format!(
            "the log key was rotated from {old} to {new} (the old key signed the change)"
        ));
        current = new.to_owned();
    }
    let signs = NoteVerifier::parse(&current).ok()?.open(note).is_ok();
    (signs && !steps.is_empty()).then_some((current, steps))
}

/// Enough fresh cosignatures by the witnesses required: a checkpoint others
/// have seen (no split view) and recently (no replay). What each said, for
/// the report.
fn quorum(note: &str, options: &Options) -> Result<Vec<String>, WatchError> {
    if options.witnesses.is_empty() {
        return Ok(Vec::new());
    }
    let now = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0);
    let max_age = options.max_cosignature_age.as_secs();
    let mut fresh = 0;
    let mut said = Vec::new();
    for witness in &options.witnesses {
        match witness.timestamp(note) {
            // A little clock skew is tolerated; a cosignature from the future is not fresh.
            Some(t) if t <= now + 300 && now.saturating_sub(t) <= max_age => {
                fresh += 1;
                said.push(format!(
                    "{}: cosigned {} s ago",
                    witness.name,
                    now.saturating_sub(t)
                ));
            }
            Some(t) => said.push(format!(
                "{}: cosignature too old ({} s, limit {max_age} s)",
                witness.name,
                now.saturating_sub(t)
            )),
            None => said.push(format!("{}: no valid cosignature", witness.name)),
        }
    }
    if fresh < options.quorum {
        return Err(bad(format!(
            "witness quorum not met: {fresh} of the {} fresh cosignatures required ({});              the checkpoint may be a fork shown only to you, or an old one replayed, or a witness is down",
            options.quorum,
            said.join("; ")
        )));
    }
    Ok(said)
}

fn parse_content(served: &str) -> Option<candor_domain::TrustCenter> {
    let doc: Value = serde_json::from_str(served).ok()?;
    let bytes = serde_json::to_vec(&doc["content"]).ok()?;
    candor_domain::TrustCenter::from_json(&bytes).ok()
}

/// The tree the state file vouches for.
struct Verified {
    size: u64,
    root: Hash,
    note: Option<String>,
}

impl Verified {
    fn from_state(state: Option<&State>) -> Result<Verified, WatchError> {
        let Some(p) = state else {
            return Ok(Verified {
                size: 0,
                root: empty_root(),
                note: None,
            });
        };
        let root = b64_hash(&p.root)?;
        if p.size == 0 && root != empty_root() {
            return Err(bad(
                "the state file records an empty log with a non-empty root",
            ));
        }
        Ok(Verified {
            size: p.size,
            root,
            note: p.checkpoint.clone(),
        })
    }
}

enum Unbacked {
    /// Proven wrong (evidence written where there was enough to write).
    Proven(WatchError),
    /// A proof that was needed was not served; what was answered instead.
    Missing(String),
}

/// Whether `to` (a signed checkpoint) extends `from`: `Missing` when the proof
/// could not be had, `Proven` when it is known not to.
async fn extends(
    run: &Run<'_>,
    from: (&Checkpoint, Option<&str>),
    to: (&Checkpoint, &str),
) -> Result<(), Unbacked> {
    let ((a, a_note), (b, b_note)) = (from, to);
    let evidence_or_bad = |message: String, claim: Option<Claim>| match claim {
        Some(claim) => Unbacked::Proven(run.proven(message, claim)),
        None => Unbacked::Proven(bad(message)),
    };
    if b.size < a.size {
        return Err(evidence_or_bad(
            format!(
                "the log shrank from {} to {} entries: history was rewritten, or an old checkpoint was replayed",
                a.size, b.size
            ),
            a_note.map(|earlier| Claim::Shrunk {
                earlier: earlier.to_owned(),
                later: b_note.to_owned(),
            }),
        ));
    }
    if b.size == a.size {
        if b.root == a.root {
            return Ok(());
        }
        return Err(evidence_or_bad(
            format!("same size {}, different root: the log was forked", a.size),
            a_note.map(|first| Claim::Fork {
                first: first.to_owned(),
                second: b_note.to_owned(),
            }),
        ));
    }
    // Any tree extends the empty one.
    if a.size == 0 {
        return Ok(());
    }
    if run.use_tiles {
        let tiles = Tiles::new(
            &run.client,
            format!("{}/log", run.t.base),
            b.size,
            &run.tile_cache,
        );
        if let Ok(proof) = tiles.consistency(a.size).await
            && verify_consistency(a.size, b.size, &a.root, &b.root, &proof).is_ok()
        {
            run.read_tiles.set(true);
            return Ok(());
        }
        // Tiles are not signed: one that does not fit proves nothing, and
        // the proof endpoint's answer is evidence either way.
    }
    let proof = run
        .consistency(a.size, b.size)
        .await
        .map_err(Unbacked::Missing)?;
    verify_consistency(a.size, b.size, &a.root, &b.root, &proof).map_err(|e| {
        evidence_or_bad(
            format!(
                "the log of size {} does not extend the one seen at size {} ({e}): history was rewritten",
                b.size, a.size
            ),
            a_note.map(|smaller| Claim::Inconsistent {
                smaller: smaller.to_owned(),
                larger: b_note.to_owned(),
                proof: evidence::b64(&proof),
            }),
        )
    })
}

/// The new checkpoint extends the verified tree, and the one shown earlier
/// without its proof (if any) is on the same history.
async fn backed_by_proofs(
    run: &Run<'_>,
    verified: &Verified,
    previous: Option<&State>,
    note: &str,
    checkpoint: &Checkpoint,
) -> Result<(), Unbacked> {
    let origin = checkpoint.origin.clone();
    let seen = Checkpoint {
        origin,
        size: verified.size,
        root: verified.root,
    };
    extends(run, (&seen, verified.note.as_deref()), (checkpoint, note)).await?;
    if let Some(u) = previous.and_then(|p| p.unproven.as_ref()) {
        let earlier = run.open(&u.checkpoint).map_err(Unbacked::Proven)?;
        extends(run, (&earlier, Some(&u.checkpoint)), (checkpoint, note)).await?;
    }
    Ok(())
}

/// A proof was not served: another run without it, and after `limit` such
/// runs a failure with the evidence (the signed claim and every answer).
fn missing_proof(
    run: &Run<'_>,
    previous: Option<&State>,
    note: &str,
    checkpoint: &Checkpoint,
    answer: String,
    limit: u32,
) -> WatchError {
    let Some(previous) = previous else {
        return WatchError::Other(anyhow!("a proof was not served: {answer}"));
    };
    let now = now_rfc3339();
    let mut u = previous.unproven.clone().unwrap_or(Unproven {
        checkpoint: note.to_owned(),
        size: checkpoint.size,
        first_seen: now.clone(),
        runs: 0,
        answers: Vec::new(),
    });
    u.runs += 1;
    u.answers.push(format!("{now}: {answer}"));
    // The first answers and the latest are enough to show the pattern.
    if u.answers.len() > 10 {
        u.answers.remove(5);
    }
    let kept = State {
        url: previous.url.clone(),
        origin: previous.origin.clone(),
        key: previous.key.clone(),
        pinned: previous.pinned.clone(),
        size: previous.size,
        root: previous.root.clone(),
        content_hash: previous.content_hash.clone(),
        checkpoint: previous.checkpoint.clone(),
        unproven: Some(u.clone()),
    };
    if let Err(e) = write_state(run.state_path, &kept) {
        return WatchError::Other(e);
    }
    if u.runs < limit {
        return WatchError::Other(anyhow!(
            "could not get the proof that the signed log of size {} extends the one verified at size {}: {answer} (run {} of {limit} without it; then it counts as a failure)",
            u.size,
            previous.size,
            u.runs
        ));
    }
    let message = format!(
        "the log signed size {} (first seen {}) but in {} runs served no proof that it extends the size {} verified before: a signed claim not backed by its proof",
        u.size, u.first_seen, u.runs, previous.size
    );
    match &previous.checkpoint {
        Some(smaller) => run.proven(
            message,
            Claim::Unproven {
                smaller: smaller.clone(),
                larger: u.checkpoint,
                runs: u.runs,
                first_seen: u.first_seen,
                answers: u.answers,
            },
        ),
        None => bad(message),
    }
}

/// trust.json and the HTML page show a revision the log records, with its
/// content; a note where they show an older one than the log's latest.
async fn check_what_readers_see(
    run: &Run<'_>,
    note: &str,
    checkpoint: &Checkpoint,
    latest: &ProvenEntry,
) -> Result<Vec<String>, WatchError> {
    let t = &run.t;
    let url = format!("{}/trust.json", t.base);
    let served = run.client.text(&url, Kind::Content).await?;
    let shown = serde_json::from_str::<Value>(&served)
        .ok()
        .and_then(|v| v["revision"].as_u64())
        .ok_or_else(|| bad(format!("{url} names no revision")))?;
    if shown == 0 || shown > checkpoint.size {
        return Err(WatchError::Other(anyhow!(
            "{url} shows revision {shown}, which the log of size {} does not have yet; try again later",
            checkpoint.size
        )));
    }
    let entry = if shown == latest.index + 1 {
        None
    } else {
        Some(run.entry(checkpoint, shown - 1).await?)
    };
    let entry = entry.as_ref().unwrap_or(latest);
    run.check_document(note, entry, url, Document::Json).await?;
    run.check_document(note, entry, t.base.clone(), Document::Page)
        .await?;
    Ok(if shown < checkpoint.size {
        vec![format!(
            "the page still shows revision {shown}; the log is at revision {}",
            checkpoint.size
        )]
    } else {
        Vec::new()
    })
}
