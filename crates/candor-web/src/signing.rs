//! The org's transparency-log signer, unsealed with the operator's master key
//! on first use and kept: what the log endpoints and the trust page (which
//! prints the verifier key) need, without the rest of the app state.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use candor_domain::OrgSlug;
use candor_log::note::NoteSigner;
use candor_store::keys::MasterKey;
use candor_store::{OrgScope, Store, StoreError};

/// Each org's checkpoint signer, unsealed once.
pub type SignerMap = RwLock<HashMap<OrgSlug, Arc<NoteSigner>>>;

/// How an org's log signer is found: the master key that unseals it, the host
/// that names the log (`HOST/SLUG`), and the signers already unsealed.
#[derive(Clone)]
pub struct LogKeys {
    master: Option<Arc<MasterKey>>,
    host: String,
    signers: Arc<SignerMap>,
}

impl LogKeys {
    pub fn new(master: Option<Arc<MasterKey>>, host: String, signers: Arc<SignerMap>) -> LogKeys {
        LogKeys {
            master,
            host,
            signers,
        }
    }

    /// The master key, if this server has one (without it nothing is signed).
    pub fn master(&self) -> Option<&MasterKey> {
        self.master.as_deref()
    }

    /// The name of an org's log, and of its signing key: `HOST/SLUG`.
    pub fn origin(&self, scope: &OrgScope) -> String {
        format!("{}/{}", self.host, scope.slug())
    }

    /// The org's checkpoint signer, unsealed on first use and cached; `None`
    /// when the server has no master key.
    pub async fn signer(
        &self,
        store: &dyn Store,
        scope: &OrgScope,
    ) -> Result<Option<Arc<NoteSigner>>, StoreError> {
        if let Some(signer) = self
            .signers
            .read()
            .ok()
            .and_then(|m| m.get(scope.slug()).cloned())
        {
            return Ok(Some(signer));
        }
        let Some(master) = self.master() else {
            return Ok(None);
        };
        let signer = Arc::new(
            candor_store::log::log_signer(store, scope, master, &self.origin(scope)).await?,
        );
        if let Ok(mut map) = self.signers.write() {
            map.insert(scope.slug().clone(), signer.clone());
        }
        Ok(Some(signer))
    }
}
