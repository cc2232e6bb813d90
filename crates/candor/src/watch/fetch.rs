//! Fetching from a server that may be hostile: every answer is read in pieces
//! up to a cap (a 4 GB checkpoint is refused after the cap, not buffered), and
//! the whole run has a deadline (set by the caller), so a slow server cannot
//! keep a watcher busy for hours.

use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;

/// How much a watcher reads of each kind of answer.
#[derive(Clone, Copy, Debug)]
pub struct Caps {
    /// Checkpoints, log entries and proofs: small by construction.
    pub log: usize,
    /// Revisions, trust.json and the HTML page.
    pub content: usize,
}

/// Which cap an answer is read under.
#[derive(Clone, Copy)]
pub enum Kind {
    Log,
    Content,
}

pub struct Client {
    http: reqwest::Client,
    caps: Caps,
    requests: AtomicU64,
    bytes: AtomicU64,
}

impl Client {
    pub fn new(caps: Caps) -> Result<Client> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()
            .map_err(|e| anyhow!("starting the HTTP client: {e}"))?;
        Ok(Client {
            http,
            caps,
            requests: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
        })
    }

    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub fn bytes_read(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// The body of a successful answer, refused past its cap.
    pub async fn bytes(&self, url: &str, kind: Kind) -> Result<Vec<u8>> {
        let cap = match kind {
            Kind::Log => self.caps.log,
            Kind::Content => self.caps.content,
        };
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut resp = self
            .http
            .get(url)
            .send()
            .await
            .with_context(|| format!("fetching {url}"))?;
        if !resp.status().is_success() {
            bail!("{url} answered {}", resp.status());
        }
        let too_large =
            || anyhow!("{url} answered more than {cap} bytes (the limit for this kind of answer)");
        if resp.content_length().is_some_and(|n| n > cap as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .with_context(|| format!("reading {url}"))?
        {
            if body.len() + chunk.len() > cap {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
            self.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        }
        Ok(body)
    }

    pub async fn text(&self, url: &str, kind: Kind) -> Result<String> {
        String::from_utf8(self.bytes(url, kind).await?)
            .map_err(|_| anyhow!("{url} did not answer with text"))
    }

    pub async fn json(&self, url: &str, kind: Kind) -> Result<Value> {
        serde_json::from_slice(&self.bytes(url, kind).await?)
            .with_context(|| format!("{url} did not answer with JSON"))
    }
}
