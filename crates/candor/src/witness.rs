//! `candor witness serve`: a C2SP tlog-witness. It cosigns a log's checkpoint
//! (C2SP cosignature/v1) only if the log signed it and it extends the last
//! checkpoint of that log the witness cosigned, so two readers who require its
//! cosignature cannot be shown two different histories, and a timestamped
//! cosignature lets them refuse an old checkpoint replayed.
//!
//! State is a directory: `witness.json` (per log origin, the size and root
//! hash last cosigned: written and synced before a cosignature leaves) and
//! `witness-key.json` (the Ed25519 seed, sealed with the master key).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use candor_log::checkpoint::Checkpoint;
use candor_log::cosignature::Cosigner;
use candor_log::note::NoteVerifier;
use candor_log::tree::{Hash, decode_hash, empty_root, verify_consistency};
use candor_store::keys::{MasterKey, SealedSecret};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

/// What the witness has cosigned, per log origin.
#[derive(Serialize, Deserialize, Default)]
struct Cosigned {
    logs: BTreeMap<String, Latest>,
}

#[derive(Serialize, Deserialize, Clone)]
struct Latest {
    size: u64,
    root: String,
}

pub struct Witness {
    cosigner: Cosigner,
    /// The logs it witnesses, by origin (the key's name).
    logs: BTreeMap<String, NoteVerifier>,
    state_file: PathBuf,
    /// Check-then-write of the state is one step (the spec requires it to be atomic).
    cosigned: Mutex<Cosigned>,
}

const KEY_PURPOSE: &str = "witness-key";

impl Witness {
    /// Opens (or, the first time, creates) the witness in `dir`.
    pub fn open(
        dir: &Path,
        name: &str,
        master: &MasterKey,
        log_keys: &[String],
    ) -> Result<Witness> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let key_file = dir.join("witness-key.json");
        let seed: [u8; 32] = match std::fs::read(&key_file) {
            Ok(bytes) => {
                let sealed: SealedHex = serde_json::from_slice(&bytes)
                    .with_context(|| format!("reading {}", key_file.display()))?;
                let sealed = SealedSecret {
                    nonce: hex::decode(sealed.nonce)?,
                    ciphertext: hex::decode(sealed.ciphertext)?,
                };
                master
                    .open(KEY_PURPOSE, uuid::Uuid::nil(), &sealed)
                    .map_err(|e| anyhow!("opening the witness key: {e}"))?
                    .try_into()
                    .map_err(|_| anyhow!("the witness key is not 32 bytes"))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|e| anyhow!("no randomness: {e}"))?;
                let sealed = master
                    .seal(KEY_PURPOSE, uuid::Uuid::nil(), &seed)
                    .map_err(|e| anyhow!("sealing the witness key: {e}"))?;
                let text = serde_json::to_vec_pretty(&SealedHex {
                    nonce: hex::encode(sealed.nonce),
                    ciphertext: hex::encode(sealed.ciphertext),
                })?;
                crate::files::replace_file(&key_file, &text)?;
                seed
            }
            Err(e) => return Err(anyhow!("reading {}: {e}", key_file.display())),
        };
        let cosigner = Cosigner::new(name, &seed).map_err(|e| anyhow!("the witness name: {e}"))?;
        let mut logs = BTreeMap::new();
        for key in log_keys {
            let verifier =
                NoteVerifier::parse(key.trim()).map_err(|e| anyhow!("--log {key}: {e}"))?;
            logs.insert(verifier.name.clone(), verifier);
        }
        let state_file = dir.join("witness.json");
        let cosigned = match std::fs::read(&state_file) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .with_context(|| format!("reading {}", state_file.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Cosigned::default(),
            Err(e) => return Err(anyhow!("reading {}: {e}", state_file.display())),
        };
        Ok(Witness {
            cosigner,
            logs,
            state_file,
            cosigned: Mutex::new(cosigned),
        })
    }

    pub fn verifier_key(&self) -> String {
        self.cosigner.verifier_key()
    }

    /// `POST /add-checkpoint`.
    async fn add_checkpoint(&self, body: &[u8]) -> Response {
        let Ok(body) = std::str::from_utf8(body) else {
            return refuse(StatusCode::BAD_REQUEST, "the body is not UTF-8");
        };
        let Some((head, note)) = body.split_once("\n\n") else {
            return refuse(
                StatusCode::BAD_REQUEST,
                "no blank line before the checkpoint",
            );
        };
        let mut head_lines = head.lines();
        let Some(old) = head_lines
            .next()
            .and_then(|l| l.strip_prefix("old "))
            .filter(|n| *n == "0" || !n.starts_with('0'))
            .and_then(|n| n.parse::<u64>().ok())
        else {
            return refuse(
                StatusCode::BAD_REQUEST,
                "the first line is not `old <size>`",
            );
        };
        let proof: Option<Vec<Hash>> = head_lines.map(decode_hash).collect();
        let Some(proof) = proof.filter(|p| p.len() <= 63) else {
            return refuse(StatusCode::BAD_REQUEST, "a proof line is not a base64 hash");
        };
        let origin = note.lines().next().unwrap_or_default();
        let Some(verifier) = self.logs.get(origin) else {
            return refuse(
                StatusCode::NOT_FOUND,
                "this witness does not witness that log",
            );
        };
        let Ok(text) = verifier.open(note) else {
            return refuse(StatusCode::FORBIDDEN, "no valid signature by the log's key");
        };
        let Ok(checkpoint) = Checkpoint::parse(text) else {
            return refuse(StatusCode::BAD_REQUEST, "the checkpoint is malformed");
        };
        if old > checkpoint.size {
            return refuse(
                StatusCode::BAD_REQUEST,
                "the old size is larger than the checkpoint's",
            );
        }
        let mut cosigned = self.cosigned.lock().await;
        let latest = cosigned.logs.get(origin).cloned();
        let (size, root) = match &latest {
            Some(l) => match decode_hash(&l.root) {
                Some(root) => (l.size, root),
                None => {
                    return refuse(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "the witness's state is damaged",
                    );
                }
            },
            None => (0, empty_root()),
        };
        if old != size {
            return (
                StatusCode::CONFLICT,
                [(header::CONTENT_TYPE, "text/x.tlog.size")],
                format!("{size}\n"),
            )
                .into_response();
        }
        if checkpoint.size == 0 && checkpoint.root != empty_root() {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "an empty tree has the empty root",
            );
        }
        let consistent = if old == 0 {
            proof.is_empty()
        } else if old == checkpoint.size {
            proof.is_empty() && checkpoint.root == root
        } else {
            verify_consistency(old, checkpoint.size, &root, &checkpoint.root, &proof).is_ok()
        };
        if !consistent {
            tracing::warn!(
                origin,
                old,
                size = checkpoint.size,
                "refused a checkpoint that does not extend the one cosigned"
            );
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "the checkpoint does not extend the one this witness cosigned",
            );
        }
        let grew = latest.is_none() || checkpoint.size > size;
        cosigned.logs.insert(
            origin.to_owned(),
            Latest {
                size: checkpoint.size,
                root: STANDARD.encode(checkpoint.root),
            },
        );
        // Persisted before the cosignature leaves: a witness that forgot what
        // it cosigned could be made to cosign a fork after a restart. The same
        // checkpoint again (a refresh) changes nothing to persist.
        let saved = if grew {
            serde_json::to_vec_pretty(&*cosigned)
                .map_err(anyhow::Error::from)
                .and_then(|bytes| crate::files::replace_file(&self.state_file, &bytes))
        } else {
            Ok(())
        };
        if let Err(e) = saved {
            match latest {
                Some(l) => cosigned.logs.insert(origin.to_owned(), l),
                None => cosigned.logs.remove(origin),
            };
            tracing::error!(error = %e, "could not save the witness state");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the witness could not save its state",
            );
        }
        drop(cosigned);
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let line = self.cosigner.cosign(text, u64::try_from(now).unwrap_or(0));
        ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], line).into_response()
    }
}

#[derive(Serialize, Deserialize)]
struct SealedHex {
    nonce: String,
    ciphertext: String,
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{message}\n"),
    )
        .into_response()
}

/// The witness's HTTP surface: `POST /add-checkpoint`, and `GET /key` (its
/// verifier key, for people who set it up).
pub fn router(witness: Arc<Witness>) -> axum::Router {
    use axum::routing::{get, post};
    axum::Router::new()
        .route(
            "/add-checkpoint",
            post(|State(w): State<Arc<Witness>>, body: Bytes| async move {
                w.add_checkpoint(&body).await
            }),
        )
        .route(
            "/key",
            get(|State(w): State<Arc<Witness>>| async move { format!("{}\n", w.verifier_key()) }),
        )
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .with_state(witness)
}
