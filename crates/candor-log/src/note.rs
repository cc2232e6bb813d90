//! C2SP `signed-note` with Ed25519 signatures.
//!
//! A note is its text (ending in a newline), a blank line, then one line per
//! signature: `— NAME BASE64(KEYID ‖ SIGNATURE)` (the dash is U+2014). An Ed25519
//! key's id is the first four bytes of SHA-256(NAME ‖ "\n" ‖ 0x01 ‖ PUBLIC KEY),
//! and its verifier key is written `NAME+KEYID(8 hex)+BASE64(0x01 ‖ PUBLIC KEY)`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};

const ED25519: u8 = 0x01;
pub(crate) const DASH: &str = "\u{2014}";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("the key name must be non-empty and contain no spaces or '+'")]
    Name,
    #[error("malformed verifier key")]
    VerifierKey,
    #[error("malformed note")]
    Malformed,
    #[error("no valid signature by {0}")]
    NotSigned(String),
}

/// SHA-256(NAME ‖ "\n" ‖ TYPE ‖ PUBLIC KEY), first four bytes.
pub(crate) fn key_id(name: &str, alg: u8, public: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([alg]);
    h.update(public);
    let digest = h.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// A named Ed25519 signing key.
pub struct NoteSigner {
    name: String,
    key: SigningKey,
    id: [u8; 4],
}

impl NoteSigner {
    /// `secret` is the 32-byte Ed25519 seed; keep it secret, store it encrypted.
    pub fn new(name: &str, secret: &[u8; 32]) -> Result<NoteSigner, NoteError> {
        let (key, id) = named_key(name, ED25519, secret)?;
        Ok(NoteSigner {
            name: name.to_owned(),
            key,
            id,
        })
    }

    /// The public verifier key string to publish.
    pub fn verifier_key(&self) -> String {
        format_vkey(&self.name, &self.id, ED25519, &self.key)
    }

    /// Signs `text` (which must end in a newline) into a complete signed note.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        Ok(format!("{text}\n{}", self.signature_line(text)?))
    }

    /// This key's signature line on `text`, to add to a note other keys sign too.
    pub fn signature_line(&self, text: &str) -> Result<String, NoteError> {
        if !text.ends_with('\n') || text.contains("\n\n") {
            return Err(NoteError::Malformed);
        }
        let signature = self.key.sign(text.as_bytes());
        let mut blob = self.id.to_vec();
        blob.extend_from_slice(&signature.to_bytes());
        Ok(format!("{DASH} {} {}\n", self.name, STANDARD.encode(blob)))
    }
}

/// An Ed25519 key under `name` for signature type `alg`, with its key ID.
pub(crate) fn named_key(
    name: &str,
    alg: u8,
    secret: &[u8; 32],
) -> Result<(SigningKey, [u8; 4]), NoteError> {
    if !crate::checkpoint::valid_origin(name) {
        return Err(NoteError::Name);
    }
    let key = SigningKey::from_bytes(secret);
    let id = key_id(name, alg, key.verifying_key().as_bytes());
    Ok((key, id))
}

/// `NAME+KEYID+BASE64(TYPE ‖ PUBLIC KEY)`.
pub(crate) fn format_vkey(name: &str, id: &[u8; 4], alg: u8, key: &SigningKey) -> String {
    let mut material = vec![alg];
    material.extend_from_slice(key.verifying_key().as_bytes());
    format!("{name}+{}+{}", hex8(id), STANDARD.encode(material))
}

pub(crate) fn hex8(id: &[u8; 4]) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// A verifier parsed from its published key string.
#[derive(Debug, Clone)]
pub struct NoteVerifier {
    pub name: String,
    id: [u8; 4],
    key: VerifyingKey,
}

impl NoteVerifier {
    pub fn parse(vkey: &str) -> Result<NoteVerifier, NoteError> {
        let (name, id, alg, public) = parse_vkey(vkey)?;
        if alg != ED25519 {
            return Err(NoteError::VerifierKey);
        }
        let key = VerifyingKey::from_bytes(&public).map_err(|_| NoteError::VerifierKey)?;
        Ok(NoteVerifier {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// Checks that `note` carries a valid signature by this key; returns its text.
    pub fn open<'a>(&self, note: &'a str) -> Result<&'a str, NoteError> {
        let (text, lines) = split_note(note)?;
        for (name, blob) in lines {
            if name != self.name || blob.len() != 4 + 64 || blob[..4] != self.id {
                continue;
            }
            let Ok(bytes) = <[u8; 64]>::try_from(&blob[4..]) else {
                continue;
            };
            if self
                .key
                .verify(text.as_bytes(), &Signature::from_bytes(&bytes))
                .is_ok()
            {
                return Ok(text);
            }
        }
        Err(NoteError::NotSigned(self.name.clone()))
    }
}

/// The first line of a log key's rotation statement.
pub const KEY_ROTATION_HEADER: &str = "candor-log-key-rotation/v1";

/// The text of a statement that the log `origin`'s key `old` is replaced by
/// `new` (both verifier keys); signed by both keys.
pub fn rotation_text(origin: &str, old: &str, new: &str) -> String {
    format!("{KEY_ROTATION_HEADER}\n{origin}\nold {old}\nnew {new}\n")
}

/// (origin, old key, new key) of a rotation statement's text.
pub fn parse_rotation(text: &str) -> Option<(&str, &str, &str)> {
    let mut lines = text.strip_suffix('\n')?.split('\n');
    if lines.next()? != KEY_ROTATION_HEADER {
        return None;
    }
    let origin = lines.next()?;
    let old = lines.next()?.strip_prefix("old ")?;
    let new = lines.next()?.strip_prefix("new ")?;
    lines.next().is_none().then_some((origin, old, new))
}

/// A parsed verifier key: name, key ID, signature type, public key.
pub(crate) type ParsedKey<'a> = (&'a str, [u8; 4], u8, [u8; 32]);

/// A note's text and its signature lines as (key name, decoded payload).
pub(crate) type SplitNote<'a> = (&'a str, Vec<(&'a str, Vec<u8>)>);

/// `NAME+KEYID+BASE64(TYPE ‖ PUBLIC KEY)`, with the key ID checked.
pub(crate) fn parse_vkey(vkey: &str) -> Result<ParsedKey<'_>, NoteError> {
    let mut parts = vkey.splitn(3, '+');
    let (Some(name), Some(id_hex), Some(key_b64)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(NoteError::VerifierKey);
    };
    if !crate::checkpoint::valid_origin(name) || id_hex.len() != 8 {
        return Err(NoteError::VerifierKey);
    }
    let material = STANDARD
        .decode(key_b64)
        .map_err(|_| NoteError::VerifierKey)?;
    let (alg, public) = material.split_first().ok_or(NoteError::VerifierKey)?;
    let public: [u8; 32] = public.try_into().map_err(|_| NoteError::VerifierKey)?;
    let id = key_id(name, *alg, &public);
    if hex8(&id) != id_hex {
        return Err(NoteError::VerifierKey);
    }
    Ok((name, id, *alg, public))
}

/// A note's text (with its final newline) and its signature lines as (key
/// name, decoded payload); lines whose payload is not base64 are skipped, a
/// line that is not a signature line makes the note malformed.
pub(crate) fn split_note(note: &str) -> Result<SplitNote<'_>, NoteError> {
    let split = note.rfind("\n\n").ok_or(NoteError::Malformed)?;
    let (text, signatures) = (&note[..=split], &note[split + 2..]);
    if !signatures.ends_with('\n') {
        return Err(NoteError::Malformed);
    }
    let mut lines = Vec::new();
    for line in signatures.lines() {
        let rest = line
            .strip_prefix(DASH)
            .and_then(|l| l.strip_prefix(' '))
            .ok_or(NoteError::Malformed)?;
        let (name, blob) = rest.split_once(' ').ok_or(NoteError::Malformed)?;
        if let Ok(blob) = STANDARD.decode(blob) {
            lines.push((name, blob));
        }
    }
    Ok((text, lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_example_key_id_is_reproduced() {
        // From the C2SP signed-note specification.
        let v = NoteVerifier::parse(
            "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        )
        .unwrap();
        assert_eq!(v.name, "example.com/foo");
        assert!(
            NoteVerifier::parse(
                "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
            )
            .is_err()
        );
    }

    #[test]
    fn notes_sign_and_verify_and_any_change_breaks_them() {
        let signer = NoteSigner::new("trust.example.com/acme", &[42; 32]).unwrap();
        let verifier = NoteVerifier::parse(&signer.verifier_key()).unwrap();
        let text = "trust.example.com/acme\n3\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n";
        let note = signer.sign(text).unwrap();
        assert!(note.contains("\n\n\u{2014} trust.example.com/acme "));
        assert_eq!(verifier.open(&note).unwrap(), text);
        assert!(verifier.open(&note.replacen("\n3\n", "\n4\n", 1)).is_err());
        let other = NoteSigner::new("trust.example.com/acme", &[43; 32]).unwrap();
        assert!(
            NoteVerifier::parse(&other.verifier_key())
                .unwrap()
                .open(&note)
                .is_err()
        );
        assert!(signer.sign("no newline").is_err());
        assert!(NoteSigner::new("bad name", &[1; 32]).is_err());
    }
}
