//! C2SP `tlog-cosignature` (cosignature/v1, Ed25519): a witness's statement
//! that, as of a time, the largest consistent tree it has seen for a log has
//! this root. Signed message: `cosignature/v1\ntime <t>\n` then the whole
//! checkpoint body; written as a note signature line whose payload is key ID
//! (4) ‖ timestamp (8, big-endian) ‖ Ed25519 signature (64). Verifier keys are
//! `NAME+KEYID+BASE64(0x04 ‖ PUBLIC KEY)`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};

use crate::note::{DASH, NoteError, format_vkey, named_key, split_note};

/// The signature type of Ed25519 cosignatures.
pub const COSIGNATURE_V1: u8 = 0x04;

fn message(body: &str, timestamp: u64) -> String {
    format!("cosignature/v1\ntime {timestamp}\n{body}")
}

/// A witness's named cosigning key.
pub struct Cosigner {
    name: String,
    key: SigningKey,
    id: [u8; 4],
}

impl Cosigner {
    /// `secret` is the 32-byte Ed25519 seed; keep it secret, store it encrypted.
    pub fn new(name: &str, secret: &[u8; 32]) -> Result<Cosigner, NoteError> {
        let (key, id) = named_key(name, COSIGNATURE_V1, secret)?;
        Ok(Cosigner {
            name: name.to_owned(),
            key,
            id,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The verifier key to give to the people who check cosignatures.
    pub fn verifier_key(&self) -> String {
        format_vkey(&self.name, &self.id, COSIGNATURE_V1, &self.key)
    }

    /// The note signature line (ending in a newline) cosigning the checkpoint
    /// `body` at `timestamp` (seconds since the epoch).
    pub fn cosign(&self, body: &str, timestamp: u64) -> String {
        let signature = self.key.sign(message(body, timestamp).as_bytes());
        let mut blob = self.id.to_vec();
        blob.extend_from_slice(&timestamp.to_be_bytes());
        blob.extend_from_slice(&signature.to_bytes());
        format!("{DASH} {} {}\n", self.name, STANDARD.encode(blob))
    }
}

/// A witness's cosigning key, parsed from its verifier key.
#[derive(Debug, Clone)]
pub struct CosignatureVerifier {
    pub name: String,
    id: [u8; 4],
    key: VerifyingKey,
}

impl CosignatureVerifier {
    pub fn parse(vkey: &str) -> Result<CosignatureVerifier, NoteError> {
        let (name, id, alg, public) = crate::note::parse_vkey(vkey.trim())?;
        if alg != COSIGNATURE_V1 {
            return Err(NoteError::VerifierKey);
        }
        let key = VerifyingKey::from_bytes(&public).map_err(|_| NoteError::VerifierKey)?;
        Ok(CosignatureVerifier {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// The latest timestamp at which this key validly cosigned `note`'s text,
    /// if it did.
    pub fn timestamp(&self, note: &str) -> Option<u64> {
        let (text, lines) = split_note(note).ok()?;
        let mut best = None;
        for (name, blob) in lines {
            if name != self.name || blob.len() != 4 + 8 + 64 || blob[..4] != self.id {
                continue;
            }
            let timestamp = u64::from_be_bytes(blob[4..12].try_into().ok()?);
            let signature = Signature::from_bytes(&blob[12..].try_into().ok()?);
            if self
                .key
                .verify(message(text, timestamp).as_bytes(), &signature)
                .is_ok()
            {
                best = best.max(Some(timestamp));
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{NoteSigner, NoteVerifier};

    const BODY: &str = "trust.example.com/acme\n3\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n";

    #[test]
    fn cosignatures_verify_with_their_timestamp_and_any_change_breaks_them() {
        let log = NoteSigner::new("trust.example.com/acme", &[1; 32]).unwrap();
        let witness = Cosigner::new("witness.example/w1", &[2; 32]).unwrap();
        let verifier = CosignatureVerifier::parse(&witness.verifier_key()).unwrap();
        let note = log.sign(BODY).unwrap();
        let cosigned = format!("{note}{}", witness.cosign(BODY, 1_700_000_000));
        assert_eq!(verifier.timestamp(&cosigned), Some(1_700_000_000));
        // The log's own signature still verifies with the cosignature beside it.
        let log_verifier = NoteVerifier::parse(&log.verifier_key()).unwrap();
        assert_eq!(log_verifier.open(&cosigned).unwrap(), BODY);
        // Another body, another time, another key: no cosignature.
        assert_eq!(
            verifier.timestamp(&cosigned.replacen("\n3\n", "\n4\n", 1)),
            None
        );
        let line = witness.cosign(BODY, 1_700_000_000);
        let mut blob = STANDARD
            .decode(line.trim_end().rsplit(' ').next().unwrap())
            .unwrap();
        blob[11] ^= 1;
        let forged = format!(
            "{note}{DASH} witness.example/w1 {}\n",
            STANDARD.encode(blob)
        );
        assert_eq!(verifier.timestamp(&forged), None);
        let other = Cosigner::new("witness.example/w1", &[3; 32]).unwrap();
        assert_eq!(
            CosignatureVerifier::parse(&other.verifier_key())
                .unwrap()
                .timestamp(&cosigned),
            None
        );
        // An Ed25519 note key is not a cosignature key, nor the other way round.
        assert!(CosignatureVerifier::parse(&log.verifier_key()).is_err());
        assert!(NoteVerifier::parse(&witness.verifier_key()).is_err());
    }

    #[test]
    fn the_signed_message_is_the_spec_s() {
        // tlog-cosignature: two header lines, then the whole checkpoint body.
        assert_eq!(
            message(BODY, 1_679_315_147),
            format!("cosignature/v1\ntime 1679315147\n{BODY}")
        );
    }
}
