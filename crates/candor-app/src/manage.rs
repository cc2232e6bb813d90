//! Manage links: the capability in every notice's unsubscribe and objection links
//! and in the subscriber's own data download and erasure. A link carries the
//! subscriber's salt and an HMAC of it under the org's manage-link key (sealed
//! with the master key). The database keeps the salt only, and queued messages
//! keep [`TOKEN_SLOT`] where the token goes, filled in as each one is sent: a
//! copy of the database, or of its backups, cannot make a working link.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use candor_store::keys::{MasterKey, org_key};
use candor_store::outbox::{ManageLookup, legacy_token_hash};
use candor_store::{OrgScope, Store};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The org secret's purpose (also the MAC's domain).
pub const MANAGE_LINK_PURPOSE: &str = "subscriber-manage-link-key";

/// Stands for the subscriber's token in queued messages. Made of characters that
/// URLs and JSON strings carry unchanged, so it survives inside a link.
pub const TOKEN_SLOT: &str = "CANDOR-MANAGE-TOKEN-SLOT";

/// Bytes of MAC in a link: 128 bits, beyond guessing.
const MAC_BYTES: usize = 16;

/// An org's manage-link key, opened.
pub struct ManageLinkKey {
    key: [u8; 32],
    org: uuid::Uuid,
}

impl ManageLinkKey {
    /// The org's key, generated on first use.
    pub async fn load(
        store: &dyn Store,
        scope: &OrgScope,
        master: &MasterKey,
    ) -> candor_store::Result<ManageLinkKey> {
        Ok(ManageLinkKey {
            key: org_key(store, scope, master, MANAGE_LINK_PURPOSE).await?,
            org: scope.org_id(),
        })
    }

    fn mac(&self, salt: &str) -> Option<Hmac<Sha256>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).ok()?;
        mac.update(MANAGE_LINK_PURPOSE.as_bytes());
        mac.update(self.org.as_bytes());
        mac.update(salt.as_bytes());
        Some(mac)
    }

    /// The token for a subscriber with this salt: `salt.mac`.
    pub fn token(&self, salt: &str) -> String {
        let mac = self
            .mac(salt)
            .map(|m| m.finalize().into_bytes())
            .unwrap_or_default();
        format!(
            "{salt}.{}",
            URL_SAFE_NO_PAD.encode(&mac[..MAC_BYTES.min(mac.len())])
        )
    }

    /// The salt a token names, if its MAC is right (compared in constant time).
    fn check(&self, token: &str) -> Option<String> {
        let (salt, tag) = token.split_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        if tag.len() != MAC_BYTES {
            return None;
        }
        self.mac(salt)?.verify_truncated_left(&tag).ok()?;
        Some(salt.to_owned())
    }

    /// Fills every [`TOKEN_SLOT`] in a queued message with this subscriber's token.
    pub fn fill(&self, message: &str, salt: &str) -> String {
        message.replace(TOKEN_SLOT, &self.token(salt))
    }
}

/// How to find the subscriber a presented token names, if it can name one: a
/// MACed token needs the org's key (`None` without a master key); a token from
/// before MACs (no dot) is looked up by its hash.
pub fn lookup(key: Option<&ManageLinkKey>, token: &str) -> Option<ManageLookup> {
    if token.contains('.') {
        key?.check(token).map(ManageLookup::Salt)
    } else if !token.is_empty() {
        Some(ManageLookup::LegacyTokenHash(legacy_token_hash(token)))
    } else {
        None
    }
}

/// A fresh salt for a new subscriber (128 random bits, hex).
pub fn new_salt() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8, org: u128) -> ManageLinkKey {
        ManageLinkKey {
            key: [byte; 32],
            org: uuid::Uuid::from_u128(org),
        }
    }

    #[test]
    fn a_token_names_its_salt_only_under_the_same_key_and_org() {
        let k = key(1, 1);
        let token = k.token("abc123");
        assert_eq!(
            lookup(Some(&k), &token),
            Some(ManageLookup::Salt("abc123".into()))
        );
        assert_eq!(lookup(Some(&key(2, 1)), &token), None, "another key");
        assert_eq!(lookup(Some(&key(1, 2)), &token), None, "another org");
        assert_eq!(lookup(None, &token), None, "no key at all");
        // Changing the salt or the MAC breaks it.
        let (salt, tag) = token.split_once('.').unwrap();
        assert_eq!(lookup(Some(&k), &format!("abc124.{tag}")), None);
        assert_eq!(lookup(Some(&k), &format!("{salt}.{}", &tag[1..])), None);
        assert_eq!(lookup(Some(&k), &format!("{salt}.")), None);
    }

    #[test]
    fn old_tokens_are_looked_up_by_their_hash_and_slots_are_filled() {
        assert_eq!(
            lookup(None, "0f0f"),
            Some(ManageLookup::LegacyTokenHash(legacy_token_hash("0f0f")))
        );
        assert_eq!(lookup(None, ""), None);
        let k = key(3, 3);
        let filled = k.fill(&format!("a={TOKEN_SLOT}&b={TOKEN_SLOT}"), "s");
        let token = k.token("s");
        assert_eq!(filled, format!("a={token}&b={token}"));
    }
}
