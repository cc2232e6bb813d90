//! Sealing per-org secrets with the operator's master key.
//!
//! XChaCha20-Poly1305 with a random 192-bit nonce per seal; the associated data
//! binds each ciphertext to its org and purpose, so a sealed secret copied to
//! another org's row, or to another use, fails to open.

use std::fmt;

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

/// The operator's 256-bit master key. Never logged or printed.
pub struct MasterKey([u8; 32]);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(…)")
    }
}

fn aad(purpose: &str, org: Uuid) -> Vec<u8> {
    format!("candor/{purpose}/v1/{org}").into_bytes()
}

impl MasterKey {
    pub fn from_bytes(bytes: [u8; 32]) -> MasterKey {
        MasterKey(bytes)
    }

    /// From the key file's contents: 64 hex digits (surrounding space ignored).
    pub fn from_hex(text: &str) -> Result<MasterKey, String> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes)
            .map_err(|_| "the master key file must hold 64 hex digits".to_owned())?;
        Ok(MasterKey(bytes))
    }

    /// A new random key, as written to a new key file.
    pub fn generate() -> Result<(MasterKey, String), StoreError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|_| StoreError::Backend("the random number generator failed".into()))?;
        Ok((MasterKey(bytes), hex::encode(bytes)))
    }

    pub fn seal(
        &self,
        purpose: &str,
        org: Uuid,
        plaintext: &[u8],
    ) -> Result<SealedSecret, StoreError> {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce)
            .map_err(|_| StoreError::Backend("the random number generator failed".into()))?;
        let aad = aad(purpose, org);
        let ciphertext = XChaCha20Poly1305::new((&self.0).into())
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| StoreError::Backend("sealing a secret failed".into()))?;
        Ok(SealedSecret {
            nonce: nonce.to_vec(),
            ciphertext,
        })
    }

    pub fn open(
        &self,
        purpose: &str,
        org: Uuid,
        sealed: &SealedSecret,
    ) -> Result<Vec<u8>, StoreError> {
        let nonce: [u8; 24] = sealed
            .nonce
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Corrupt("sealed secret has a bad nonce".into()))?;
        let aad = aad(purpose, org);
        XChaCha20Poly1305::new((&self.0).into())
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &sealed.ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| {
                StoreError::Corrupt(
                    "a sealed secret did not open: wrong master key, or the data was altered"
                        .into(),
                )
            })
    }
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
}
