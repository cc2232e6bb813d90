//! Values sealed with the master key: an org's secrets by purpose (signing
//! keys), its data keys, and every sealed value of an org at once, for
//! re-sealing under a new master key.

use async_trait::async_trait;
use uuid::Uuid;

use crate::documents::{SealedItem, data_key_purpose};
use crate::keys::SealedSecret;
use crate::outbox::webhook_secret_purpose;
use crate::sql::audit::append_in;
use crate::sql::read_one;
use crate::sql::{Mode, SqlBackend, SqlRow, SqlTx, int_as, now_micros};
use crate::{OrgScope, Result, Secrets, StoreError, args};
use candor_domain::audit::AuditEvent;

const INSERT_SECRET: &str = "INSERT INTO org_secrets (org_id, purpose, nonce, ciphertext, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (org_id, purpose) DO NOTHING";

/// Stores a secret unless one exists for its purpose, and `audit` with it when
/// it did, in one transaction; whether it stored it.
async fn insert_secret<B: SqlBackend>(
    db: &B,
    scope: &OrgScope,
    purpose: &str,
    sealed: &SealedSecret,
    audit: Option<&AuditEvent>,
) -> Result<bool> {
    let mut tx = db.begin(scope, Mode::Write).await?;
    let stored = tx
        .execute(
            INSERT_SECRET,
            args![
                scope.org_id(),
                purpose,
                &sealed.nonce,
                &sealed.ciphertext,
                now_micros()?
            ],
        )
        .await?
        > 0;
    if stored && let Some(audit) = audit {
        append_in(&mut tx, scope, audit.clone()).await?;
    }
    tx.commit().await?;
    Ok(stored)
}

const PURPOSES: &str = "SELECT purpose FROM org_secrets WHERE org_id = $1 ORDER BY purpose";

/// What the org's sealed secrets are for (not the secrets), inside a transaction.
pub(crate) async fn purposes_in<T: SqlTx>(tx: &mut T, scope: &OrgScope) -> Result<Vec<String>> {
    let rows = tx.fetch_all(PURPOSES, args![scope.org_id()]).await?;
    rows.iter().map(|r| r.text("purpose")).collect()
}

/// A sealed value kept in two columns of a row.
pub(super) fn sealed_of(row: &impl SqlRow, nonce: &str, ciphertext: &str) -> Result<SealedSecret> {
    Ok(SealedSecret {
        nonce: row.bytes(nonce)?,
        ciphertext: row.bytes(ciphertext)?,
    })
}

#[async_trait]
impl<B: SqlBackend> Secrets for B {
    async fn org_secret_purposes(&self, scope: &OrgScope) -> Result<Vec<String>> {
        let mut tx = self.begin(scope, Mode::Read).await?;
        let purposes = purposes_in(&mut tx, scope).await?;
        tx.commit().await?;
        Ok(purposes)
    }

    async fn org_secret(&self, scope: &OrgScope, purpose: &str) -> Result<Option<SealedSecret>> {
        let row = read_one(
            self,
            scope,
            "SELECT nonce, ciphertext FROM org_secrets WHERE org_id = $1 AND purpose = $2",
            args![scope.org_id(), purpose],
        )
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SealedSecret {
            nonce: row.bytes("nonce")?,
            ciphertext: row.bytes("ciphertext")?,
        }))
    }

    /// Keeps the first secret stored for a purpose: two replicas generating one at
    /// once both end up using the same.
    async fn insert_org_secret(
        &self,
        scope: &OrgScope,
        purpose: &str,
        sealed: &SealedSecret,
    ) -> Result<()> {
        insert_secret(self, scope, purpose, sealed, None).await?;
        Ok(())
    }

    async fn insert_org_secret_audited(
        &self,
        scope: &OrgScope,
        purpose: &str,
        sealed: &SealedSecret,
        audit: &AuditEvent,
    ) -> Result<bool> {
        insert_secret(self, scope, purpose, sealed, Some(audit)).await
    }

    // Data keys.

    async fn data_keys(&self, scope: &OrgScope) -> Result<Vec<(u32, SealedSecret)>> {
        let mut tx = self.begin(scope, Mode::Read).await?;
        let keys = data_keys_in(&mut tx, scope).await?;
        tx.commit().await?;
        Ok(keys)
    }

    async fn insert_data_key(
        &self,
        scope: &OrgScope,
        version: u32,
        sealed: &SealedSecret,
    ) -> Result<()> {
        // PostgreSQL used now() here: the time is taken in Rust for both backends.
        let now = now_micros()?;
        let mut tx = self.begin(scope, Mode::Write).await?;
        tx.execute(
            "INSERT INTO data_keys (org_id, version, nonce, ciphertext, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (org_id, version) DO NOTHING",
            args![scope.org_id(), i64::from(version), &sealed.nonce, &sealed.ciphertext, now],
        )
        .await?;
        tx.commit().await
    }

    // Sealed values, for re-sealing under a new master key.

    async fn sealed_items(&self, scope: &OrgScope) -> Result<Vec<SealedItem>> {
        // Three reads that must agree: they are re-sealed and written back together.
        let mut tx = self.begin(scope, Mode::Snapshot).await?;
        let mut items = Vec::new();
        let secrets = tx
            .fetch_all(
                "SELECT purpose, nonce, ciphertext FROM org_secrets WHERE org_id = $1",
                args![scope.org_id()],
            )
            .await?;
        for r in &secrets {
            let purpose = r.text("purpose")?;
            items.push(SealedItem {
                table: "org_secrets",
                key: purpose.clone(),
                purpose,
                sealed: sealed_of(r, "nonce", "ciphertext")?,
            });
        }
        for (version, sealed) in data_keys_in(&mut tx, scope).await? {
            items.push(SealedItem {
                table: "data_keys",
                key: version.to_string(),
                purpose: data_key_purpose(version),
                sealed,
            });
        }
        let subscribers = tx
            .fetch_all(
                "SELECT id, address, secret_nonce, secret_ciphertext FROM subscribers
              WHERE org_id = $1 AND secret_nonce IS NOT NULL",
                args![scope.org_id()],
            )
            .await?;
        for r in &subscribers {
            items.push(SealedItem {
                table: "subscribers",
                key: r.id("id")?.to_string(),
                purpose: webhook_secret_purpose(&r.text("address")?),
                sealed: sealed_of(r, "secret_nonce", "secret_ciphertext")?,
            });
        }
        let hooks = tx
            .fetch_all(
                "SELECT id, url, secret_nonce, secret_ciphertext FROM event_hooks WHERE org_id = $1",
                args![scope.org_id()],
            )
            .await?;
        for r in &hooks {
            items.push(SealedItem {
                table: "event_hooks",
                key: r.id("id")?.to_string(),
                purpose: webhook_secret_purpose(&r.text("url")?),
                sealed: sealed_of(r, "secret_nonce", "secret_ciphertext")?,
            });
        }
        tx.commit().await?;
        Ok(items)
    }

    async fn replace_sealed_items(&self, scope: &OrgScope, items: &[SealedItem]) -> Result<()> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        for item in items {
            if replace_sealed_item(&mut tx, scope, item).await? != 1 {
                return Err(item_gone(item));
            }
        }
        tx.commit().await
    }
}

async fn data_keys_in<T: SqlTx>(tx: &mut T, scope: &OrgScope) -> Result<Vec<(u32, SealedSecret)>> {
    let rows = tx
        .fetch_all(
            "SELECT version, nonce, ciphertext FROM data_keys WHERE org_id = $1",
            args![scope.org_id()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                int_as::<u32>(r, "version")?,
                sealed_of(r, "nonce", "ciphertext")?,
            ))
        })
        .collect()
}

/// Writes one re-sealed value back to its row; the number of rows changed.
async fn replace_sealed_item<T: SqlTx>(
    tx: &mut T,
    scope: &OrgScope,
    item: &SealedItem,
) -> Result<u64> {
    let (nonce, ciphertext) = (&item.sealed.nonce, &item.sealed.ciphertext);
    match item.table {
        "org_secrets" => {
            tx.execute(
                "UPDATE org_secrets SET nonce = $3, ciphertext = $4 WHERE org_id = $1 AND purpose = $2",
                args![scope.org_id(), &item.key, nonce, ciphertext],
            )
            .await
        }
        "data_keys" => {
            let version: u32 = item_key(item)?;
            tx.execute(
                "UPDATE data_keys SET nonce = $3, ciphertext = $4 WHERE org_id = $1 AND version = $2",
                args![scope.org_id(), i64::from(version), nonce, ciphertext],
            )
            .await
        }
        "subscribers" => {
            let id: Uuid = item_key(item)?;
            tx.execute(
                "UPDATE subscribers SET secret_nonce = $3, secret_ciphertext = $4
                  WHERE org_id = $1 AND id = $2",
                args![scope.org_id(), id, nonce, ciphertext],
            )
            .await
        }
        "event_hooks" => {
            let id: Uuid = item_key(item)?;
            tx.execute(
                "UPDATE event_hooks SET secret_nonce = $3, secret_ciphertext = $4
                  WHERE org_id = $1 AND id = $2",
                args![scope.org_id(), id, nonce, ciphertext],
            )
            .await
        }
        other => Err(StoreError::Backend(format!("unknown sealed table {other}"))),
    }
}

/// The row an item's key names (a data key's version, a subscriber's id). A key
/// that does not parse names no row, and is reported like a row that is gone.
fn item_key<K: std::str::FromStr>(item: &SealedItem) -> Result<K> {
    item.key.parse().map_err(|_| item_gone(item))
}

fn item_gone(item: &SealedItem) -> StoreError {
    StoreError::Conflict(format!("{} {}", item.table, item.key))
}
