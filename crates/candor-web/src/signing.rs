//! The org's transparency-log signer, unsealed with the operator's master key
//! on first use and kept: what the log endpoints and the trust page (which
//! prints the verifier key) need, without the rest of the app state.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use candor_domain::OrgSlug;
use candor_log::note::NoteSigner;
use candor_store::keys::MasterKey;
use candor_store::{OrgScope, Store, StoreError};

/// Each org's checkpoint signer with its key's generation, unsealed once.
pub type SignerMap = RwLock<HashMap<OrgSlug, (u32, Arc<NoteSigner>)>>;

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
    /// when the server has no master key. May be a key rotated out since (the
    /// trust page names it until it is rendered again); signing uses
    /// [`LogKeys::current_signer`].
    pub async fn signer(
        &self,
        store: &dyn Store,
        scope: &OrgScope,
    ) -> Result<Option<Arc<NoteSigner>>, StoreError> {
        if let Some((_, signer)) = self.cached(scope) {
            return Ok(Some(signer));
        }
        self.load(store, scope, None).await
    }

    /// The signer of the org's current key: one read to learn the key's
    /// generation, so a rotation (by the CLI, or on another replica) is
    /// picked up at the next checkpoint.
    pub async fn current_signer(
        &self,
        store: &dyn Store,
        scope: &OrgScope,
    ) -> Result<Option<Arc<NoteSigner>>, StoreError> {
        if self.master().is_none() {
            return Ok(None);
        }
        let generation = candor_store::log::log_key_generation(store, scope).await?;
        self.signer_at(store, scope, generation).await
    }

    /// The signer of the org's key of `generation` (its current one, just read).
    pub async fn signer_at(
        &self,
        store: &dyn Store,
        scope: &OrgScope,
        generation: u32,
    ) -> Result<Option<Arc<NoteSigner>>, StoreError> {
        match self.cached(scope) {
            Some((cached, signer)) if cached == generation => Ok(Some(signer)),
            _ => self.load(store, scope, Some(generation)).await,
        }
    }

    fn cached(&self, scope: &OrgScope) -> Option<(u32, Arc<NoteSigner>)> {
        self.signers
            .read()
            .ok()
            .and_then(|m| m.get(scope.slug()).cloned())
    }

    async fn load(
        &self,
        store: &dyn Store,
        scope: &OrgScope,
        generation: Option<u32>,
    ) -> Result<Option<Arc<NoteSigner>>, StoreError> {
        let Some(master) = self.master() else {
            return Ok(None);
        };
        let generation = match generation {
            Some(g) => g,
            None => candor_store::log::log_key_generation(store, scope).await?,
        };
        let signer = Arc::new(
            candor_store::log::log_signer(store, scope, master, &self.origin(scope)).await?,
        );
        if let Ok(mut map) = self.signers.write() {
            map.insert(scope.slug().clone(), (generation, signer.clone()));
        }
        Ok(Some(signer))
    }
}
