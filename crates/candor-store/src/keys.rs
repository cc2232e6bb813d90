//! Sealing per-org secrets with the operator's master key, and encrypting files
//! with per-org data keys.
//!
//! XChaCha20-Poly1305 with a random 192-bit nonce per seal; the associated data
//! binds each ciphertext to its org and purpose, so a sealed secret copied to
//! another org's row, or to another use, fails to open.
//!
//! The master key file holds one key per line (64 hex digits): the first seals,
//! all of them open. Rotation puts a new key first, re-seals everything under it
//! (`candor keys rotate`), and drops the old ones once nothing needs them
//! (`candor keys retire`). A process whose key file changed underneath it re-reads
//! the file when a secret does not open with the keys it holds, so replicas keep
//! working through a rotation without a restart.

use std::fmt;
use std::path::PathBuf;
use std::sync::RwLock;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use uuid::Uuid;

use crate::StoreError;

/// A secret as stored: only the master key opens it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedSecret {
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// The operator's 256-bit master key(s). Never logged or printed.
pub struct MasterKey {
    /// The first key seals; every key opens.
    keys: RwLock<Vec<[u8; 32]>>,
    /// Where the keys came from, re-read when a secret does not open.
    file: Option<PathBuf>,
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(…)")
    }
}

fn aad(purpose: &str, org: Uuid) -> Vec<u8> {
    format!("candor/{purpose}/v1/{org}").into_bytes()
}

pub(crate) fn random<const N: usize>() -> Result<[u8; N], StoreError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|_| StoreError::Crypto("the random number generator failed".into()))?;
    Ok(bytes)
}

/// Encrypts under `key` with a fresh nonce; returns (nonce, ciphertext).
pub fn encrypt(key: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> Result<SealedSecret, StoreError> {
    let nonce = random::<24>()?;
    let ciphertext = XChaCha20Poly1305::new(key.into())
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| StoreError::Crypto("encryption failed".into()))?;
    Ok(SealedSecret {
        nonce: nonce.to_vec(),
        ciphertext,
    })
}

/// Decrypts and authenticates; fails on a wrong key, other associated data or any
/// changed byte.
pub fn decrypt(key: &[u8; 32], aad: &[u8], sealed: &SealedSecret) -> Result<Vec<u8>, StoreError> {
    let nonce: [u8; 24] = sealed
        .nonce
        .as_slice()
        .try_into()
        .map_err(|_| StoreError::Corrupt("sealed data has a bad nonce".into()))?;
    XChaCha20Poly1305::new(key.into())
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: &sealed.ciphertext,
                aad,
            },
        )
        .map_err(|_| {
            StoreError::Corrupt(
                "encrypted data did not open: wrong key, or the data was altered".into(),
            )
        })
}

/// The keys in a key file's text: one per line, 64 hex digits; blank lines and
/// `#` comments ignored.
fn parse_keys(text: &str) -> Result<Vec<[u8; 32]>, String> {
    let mut keys = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(line, &mut bytes)
            .map_err(|_| "each line of the master key file must hold 64 hex digits".to_owned())?;
        keys.push(bytes);
    }
    if keys.is_empty() {
        return Err("the master key file holds no key".into());
    }
    Ok(keys)
}

impl MasterKey {
    pub fn from_bytes(bytes: [u8; 32]) -> MasterKey {
        MasterKey {
            keys: RwLock::new(vec![bytes]),
            file: None,
        }
    }

    /// From a key file's contents (see [`parse_keys`]); the first key seals.
    pub fn from_hex(text: &str) -> Result<MasterKey, String> {
        Ok(MasterKey {
            keys: RwLock::new(parse_keys(text)?),
            file: None,
        })
    }

    /// From a key file, which is re-read if a secret does not open.
    pub fn from_file(path: PathBuf) -> Result<MasterKey, String> {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        let keys = parse_keys(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(MasterKey {
            keys: RwLock::new(keys),
            file: Some(path),
        })
    }

    /// A new random key, as written to a new key file.
    pub fn generate() -> Result<(MasterKey, String), StoreError> {
        let bytes = random::<32>()?;
        Ok((MasterKey::from_bytes(bytes), hex::encode(bytes)))
    }

    /// The key file's text for these keys, sealing key first.
    pub fn to_file_text(&self) -> String {
        self.snapshot()
            .iter()
            .map(|k| format!("{}\n", hex::encode(k)))
            .collect()
    }

    /// How many keys open secrets (1 unless a rotation is under way).
    pub fn key_count(&self) -> usize {
        self.snapshot().len()
    }

    /// A new sealing key in front of the current ones (which still open).
    pub fn with_new_primary(&self) -> Result<MasterKey, StoreError> {
        let mut keys = vec![random::<32>()?];
        keys.extend(self.snapshot());
        Ok(MasterKey {
            keys: RwLock::new(keys),
            file: self.file.clone(),
        })
    }

    /// Keys for one use, derived from these (HMAC-SHA256 of the label under
    /// each key, in the same order): what they seal opens only with the master
    /// key and that label, and the derived keys are never stored anywhere.
    pub fn derive(&self, label: &str) -> MasterKey {
        use hmac::{Hmac, Mac};
        let keys = self
            .snapshot()
            .iter()
            .map(|key| {
                let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key)
                    .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
                mac.update(b"candor derived key\0");
                mac.update(label.as_bytes());
                mac.finalize().into_bytes().into()
            })
            .collect();
        MasterKey {
            keys: RwLock::new(keys),
            file: None,
        }
    }

    /// Only the sealing key.
    pub fn primary_only(&self) -> MasterKey {
        let keys = self.snapshot();
        MasterKey {
            keys: RwLock::new(keys.into_iter().take(1).collect()),
            file: self.file.clone(),
        }
    }

    fn snapshot(&self) -> Vec<[u8; 32]> {
        match self.keys.read() {
            Ok(keys) => keys.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn seal(
        &self,
        purpose: &str,
        org: Uuid,
        plaintext: &[u8],
    ) -> Result<SealedSecret, StoreError> {
        let keys = self.snapshot();
        let primary = keys
            .first()
            .ok_or_else(|| StoreError::Crypto("no master key".into()))?;
        encrypt(primary, &aad(purpose, org), plaintext)
    }

    pub fn open(
        &self,
        purpose: &str,
        org: Uuid,
        sealed: &SealedSecret,
    ) -> Result<Vec<u8>, StoreError> {
        let aad = aad(purpose, org);
        let try_all = |keys: &[[u8; 32]]| keys.iter().find_map(|k| decrypt(k, &aad, sealed).ok());
        if let Some(plain) = try_all(&self.snapshot()) {
            return Ok(plain);
        }
        // Perhaps the key file was rotated since this process read it.
        if let Some(path) = &self.file
            && let Ok(text) = std::fs::read_to_string(path)
            && let Ok(keys) = parse_keys(&text)
            && keys != self.snapshot()
        {
            let found = try_all(&keys);
            if let Ok(mut current) = self.keys.write() {
                *current = keys;
            }
            if let Some(plain) = found {
                tracing::info!("master key file re-read: a rotation is under way or done");
                return Ok(plain);
            }
        }
        Err(StoreError::Corrupt(
            "a sealed secret did not open: wrong master key, or the data was altered".into(),
        ))
    }
}

/// The org's 32-byte key for `purpose`, generated on first use and stored
/// sealed with `master` (so a copy of the database alone does not hold it).
pub async fn org_key(
    store: &dyn crate::Store,
    scope: &crate::OrgScope,
    master: &MasterKey,
    purpose: &str,
) -> Result<[u8; 32], StoreError> {
    let sealed = match store.org_secret(scope, purpose).await? {
        Some(sealed) => sealed,
        None => {
            let sealed = master.seal(purpose, scope.org_id(), &random::<32>()?)?;
            store.insert_org_secret(scope, purpose, &sealed).await?;
            // Another replica may have won the race: use whatever is stored.
            store.org_secret(scope, purpose).await?.ok_or_else(|| {
                StoreError::Corrupt(format!("the {purpose} vanished after it was stored"))
            })?
        }
    };
    master
        .open(purpose, scope.org_id(), &sealed)?
        .try_into()
        .map_err(|_| StoreError::Corrupt(format!("the {purpose} has the wrong length")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_org_and_purpose() {
        let (key, hex_text) = MasterKey::generate().unwrap();
        let org = Uuid::new_v4();
        let sealed = key.seal("log-signing-key", org, b"seed").unwrap();
        assert_ne!(sealed.ciphertext, b"seed".to_vec());
        assert_eq!(key.open("log-signing-key", org, &sealed).unwrap(), b"seed");
        assert_eq!(
            MasterKey::from_hex(&hex_text)
                .unwrap()
                .open("log-signing-key", org, &sealed)
                .unwrap(),
            b"seed"
        );
        assert!(
            key.open("log-signing-key", Uuid::new_v4(), &sealed)
                .is_err(),
            "another org"
        );
        assert!(
            key.open("other-purpose", org, &sealed).is_err(),
            "another purpose"
        );
        assert!(
            MasterKey::generate()
                .unwrap()
                .0
                .open("log-signing-key", org, &sealed)
                .is_err(),
            "another key"
        );
        let mut tampered = sealed.clone();
        tampered.ciphertext[0] ^= 1;
        assert!(key.open("log-signing-key", org, &tampered).is_err());
        assert!(MasterKey::from_hex("zz").is_err());
        assert_eq!(format!("{key:?}"), "MasterKey(…)");
    }

    #[test]
    fn a_rotated_key_ring_seals_with_the_new_key_and_opens_with_all() {
        let (old, _) = MasterKey::generate().unwrap();
        let org = Uuid::new_v4();
        let before = old.seal("p", org, b"secret").unwrap();
        let ring = old.with_new_primary().unwrap();
        assert_eq!(ring.key_count(), 2);
        let after = ring.seal("p", org, b"secret").unwrap();
        assert_eq!(ring.open("p", org, &before).unwrap(), b"secret");
        assert!(
            old.open("p", org, &after).is_err(),
            "sealed with the new key"
        );
        let new_only = ring.primary_only();
        assert!(new_only.open("p", org, &before).is_err());
        assert_eq!(new_only.open("p", org, &after).unwrap(), b"secret");
        let text = ring.to_file_text();
        assert_eq!(text.lines().count(), 2);
        let reread = MasterKey::from_hex(&format!("# rotated\n{text}\n")).unwrap();
        assert_eq!(reread.open("p", org, &before).unwrap(), b"secret");
    }

    #[test]
    fn a_process_re_reads_a_rotated_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let (old, old_hex) = MasterKey::generate().unwrap();
        std::fs::write(&path, format!("{old_hex}\n")).unwrap();
        let running = MasterKey::from_file(path.clone()).unwrap();
        let org = Uuid::new_v4();
        // Another process rotates the file and re-seals a secret under the new key.
        let ring = old.with_new_primary().unwrap();
        std::fs::write(&path, ring.to_file_text()).unwrap();
        let resealed = ring.seal("p", org, b"secret").unwrap();
        assert_eq!(running.open("p", org, &resealed).unwrap(), b"secret");
        assert_eq!(running.key_count(), 2);
    }
}
