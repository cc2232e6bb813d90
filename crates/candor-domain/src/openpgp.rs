//! The OpenPGP public key an org publishes for researchers to encrypt reports
//! to: checked when the content is read, so a page never offers a key that
//! cannot be used (or, worse, a private key).

use pgp::composed::{Deserializable, SignedPublicKey};
use pgp::types::KeyDetails;

/// The key's fingerprint, in groups of four (`ABCD 1234 …`), if `armored` is
/// one public key that can encrypt (its primary key or a subkey).
pub fn researcher_key_fingerprint(armored: &str) -> Result<String, String> {
    if armored.contains("PRIVATE KEY BLOCK") {
        return Err(
            "this is a private key: publish the public key only, and treat this \
                    private key as disclosed"
                .into(),
        );
    }
    let (key, _) = SignedPublicKey::from_string(armored)
        .map_err(|e| format!("not an ASCII-armored OpenPGP public key: {e}"))?;
    let can_encrypt = key.primary_key.algorithm().can_encrypt()
        || key
            .public_subkeys
            .iter()
            .any(|sub| sub.key.algorithm().can_encrypt());
    if !can_encrypt {
        return Err(
            "this key can only sign: researchers need a key they can encrypt to (add an \
             encryption subkey)"
                .into(),
        );
    }
    let hex = format!("{:X}", key.primary_key.fingerprint());
    Ok(hex
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" "))
}
