//! Cosignatures on each org's checkpoints. The org lists its witnesses in its
//! content; when a checkpoint is asked for, the server serves it with the
//! cosignatures it holds for that exact checkpoint body, and (at most one at a
//! time per org) submits the checkpoint to every witness when the body changed
//! or the cosignatures are older than the refresh interval, so that their
//! timestamps stay fresh for watchers that require them.
//!
//! Nothing is stored: each replica submits for itself (a witness answers a
//! replica that is behind with 409 and its size, and the replica submits again
//! from there), and after a restart the next request starts over.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use candor_app::witness::{Answer, add_checkpoint};
use candor_domain::model::Witness;
use candor_log::cosignature::CosignatureVerifier;
use candor_store::{OrgScope, SharedStore};
use candor_verify::net::Guarded;
use uuid::Uuid;

pub struct Witnessing {
    client: Option<Guarded>,
    refresh: Duration,
    orgs: Mutex<HashMap<Uuid, OrgCosignatures>>,
}

#[derive(Default)]
struct OrgCosignatures {
    /// The checkpoint body `lines` cosign.
    body: String,
    lines: Vec<String>,
    refreshed: Option<Instant>,
    in_flight: bool,
    /// Per witness key, the size it last cosigned, as far as this replica knows.
    sizes: HashMap<String, u64>,
}

impl Witnessing {
    pub fn new(allow_private: bool, refresh: Duration) -> Witnessing {
        let client = candor_verify::net::guarded_client_builder(allow_private)
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Candor-Witnessing/", env!("CARGO_PKG_VERSION")))
            .build()
            .map(|c| Guarded::new(c, allow_private))
            .map_err(|e| tracing::error!(error = %e, "no HTTP client for witnesses"))
            .ok();
        Witnessing {
            client,
            refresh,
            orgs: Mutex::default(),
        }
    }

    /// `note` with the cosignatures held for its body; starts a submission to
    /// `witnesses` when one is due.
    pub fn cosigned(
        self: &Arc<Self>,
        store: &SharedStore,
        scope: &OrgScope,
        note: String,
        witnesses: Vec<Witness>,
    ) -> String {
        if witnesses.is_empty() {
            return note;
        }
        let Some((text, _)) = note.split_once("\n\n") else {
            return note;
        };
        let body = format!("{text}\n");
        let Ok(mut orgs) = self.orgs.lock() else {
            return note;
        };
        let org = orgs.entry(scope.org_id()).or_default();
        let held = if org.body == body {
            org.lines.concat()
        } else {
            String::new()
        };
        let due = org.body != body || org.refreshed.is_none_or(|at| at.elapsed() >= self.refresh);
        if due && !org.in_flight {
            org.in_flight = true;
            let sizes = org.sizes.clone();
            tokio::spawn(self.clone().submit(
                store.clone(),
                scope.clone(),
                note.clone(),
                body,
                witnesses,
                sizes,
            ));
        }
        note + &held
    }

    async fn submit(
        self: Arc<Self>,
        store: SharedStore,
        scope: OrgScope,
        note: String,
        body: String,
        witnesses: Vec<Witness>,
        mut sizes: HashMap<String, u64>,
    ) {
        let size: u64 = body
            .lines()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_default();
        let mut lines = Vec::new();
        for witness in &witnesses {
            let old = sizes.get(witness.key.as_str()).copied().unwrap_or(0);
            if let Some(cosigned) = self
                .submit_one(&store, &scope, &note, size, old, witness)
                .await
            {
                lines.extend(cosigned);
                sizes.insert(witness.key.as_str().to_owned(), size);
            }
        }
        if let Ok(mut orgs) = self.orgs.lock() {
            let org = orgs.entry(scope.org_id()).or_default();
            org.in_flight = false;
            org.body = body;
            org.lines = lines;
            org.refreshed = Some(Instant::now());
            org.sizes = sizes;
        }
    }

    /// One witness's cosignature lines, trying again once from the size it
    /// says it has.
    async fn submit_one(
        &self,
        store: &SharedStore,
        scope: &OrgScope,
        note: &str,
        size: u64,
        mut old: u64,
        witness: &Witness,
    ) -> Option<Vec<String>> {
        let client = self.client.as_ref()?;
        let key = CosignatureVerifier::parse(witness.key.as_str()).ok()?;
        for _ in 0..2 {
            if old > size {
                tracing::error!(org = %scope.slug(), witness = %witness.url, old, size,
                    "the witness has cosigned a larger tree of this log than this server has");
                return None;
            }
            let proof = if old == 0 || old == size {
                Vec::new()
            } else {
                match candor_store::log::log_consistency(&**store, scope, old, size).await {
                    Ok(c) => c.proof,
                    Err(e) => {
                        tracing::error!(org = %scope.slug(), error = %e, "no consistency proof for a witness");
                        return None;
                    }
                }
            };
            match add_checkpoint(client, witness.url.as_str(), &key, old, &proof, note).await {
                Answer::Cosigned(lines) => return Some(lines),
                Answer::Conflict(theirs) => old = theirs,
                Answer::Refused(why) => {
                    tracing::warn!(org = %scope.slug(), witness = %witness.url, why, "a witness did not cosign");
                    return None;
                }
            }
        }
        None
    }
}
