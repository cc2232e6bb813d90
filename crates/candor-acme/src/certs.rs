//! The certificates a replica serves, by SNI, as the store holds them.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use candor_store::acme::{AcmeCertificate, key_purpose};
use candor_store::keys::MasterKey;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use time::OffsetDateTime;
use uuid::Uuid;

/// What one host is served with, and which issuance it came from.
struct Loaded {
    issued_at: OffsetDateTime,
    key: Arc<CertifiedKey>,
}

/// The certificates this replica serves, found by the name the client asks
/// for; a client that names none (an IP address) gets the server's own.
#[derive(Default)]
pub struct CertificateSet {
    by_host: RwLock<HashMap<String, Loaded>>,
    default_host: Option<String>,
}

impl std::fmt::Debug for CertificateSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateSet")
            .field("hosts", &self.hosts())
            .finish()
    }
}

impl CertificateSet {
    pub fn new(default_host: Option<String>) -> CertificateSet {
        CertificateSet {
            by_host: RwLock::new(HashMap::new()),
            default_host,
        }
    }

    /// The hosts with a certificate loaded.
    pub fn hosts(&self) -> Vec<String> {
        let map = self.by_host.read().unwrap_or_else(|e| e.into_inner());
        let mut hosts: Vec<String> = map.keys().cloned().collect();
        hosts.sort();
        hosts
    }

    /// Makes the set what `rows` hold: new issuances are loaded (a chain or key
    /// that does not load is logged and skipped, keeping what was served),
    /// hosts without a row are dropped.
    pub fn load(&self, rows: &[AcmeCertificate], master: &MasterKey) {
        let mut fresh: Vec<(String, Loaded)> = Vec::new();
        {
            let map = self.by_host.read().unwrap_or_else(|e| e.into_inner());
            for row in rows {
                let Some(issued_at) = row.issued_at else {
                    continue;
                };
                if map.get(&row.host).is_some_and(|l| l.issued_at == issued_at) {
                    continue;
                }
                match certified_key(row, master) {
                    Ok(key) => fresh.push((row.host.clone(), Loaded { issued_at, key })),
                    Err(e) => {
                        tracing::warn!(host = %row.host, error = %e, "stored certificate does not load")
                    }
                }
            }
        }
        let mut map = self.by_host.write().unwrap_or_else(|e| e.into_inner());
        map.retain(|host, _| rows.iter().any(|r| &r.host == host));
        for (host, loaded) in fresh {
            tracing::info!(%host, "serving a new certificate");
            map.insert(host, loaded);
        }
    }
}

impl ResolvesServerCert for CertificateSet {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let map = self.by_host.read().unwrap_or_else(|e| e.into_inner());
        let asked = hello.server_name().map(str::to_ascii_lowercase);
        asked
            .as_deref()
            .and_then(|name| map.get(name))
            .or_else(|| self.default_host.as_deref().and_then(|h| map.get(h)))
            .map(|loaded| loaded.key.clone())
    }
}

fn certified_key(row: &AcmeCertificate, master: &MasterKey) -> Result<Arc<CertifiedKey>, String> {
    let (Some(chain_pem), Some(sealed)) = (&row.chain_pem, &row.sealed_key) else {
        return Err("no certificate stored".into());
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("chain: {e}"))?;
    if chain.is_empty() {
        return Err("chain: no certificate".into());
    }
    let key_pem = master
        .open(&key_purpose(&row.host), Uuid::nil(), sealed)
        .map_err(|e| format!("key: {e}"))?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| format!("key: {e}"))?;
    let signing =
        rustls::crypto::ring::sign::any_supported_type(&key).map_err(|e| format!("key: {e}"))?;
    Ok(Arc::new(CertifiedKey::new(chain, signing)))
}
