//! ACME certificates, challenges and accounts: global rows, keyed by host name,
//! token and directory URL.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::acme::{
    AcmeCertificate, IssuedCertificate, SealedRow, account_purpose, key_purpose, row_of,
};
use crate::keys::SealedSecret;
use crate::sql::secrets::sealed_of;
use crate::sql::{
    Mode, SqlBackend, SqlRow, SqlTx, int_as, micros, read_global_all, read_global_one, read_one,
};
use crate::{Certificates, OrgScope, Result, args, parse_slug};
use candor_domain::OrgSlug;

macro_rules! select_certificates {
    ($tail:literal) => {
        concat!(
            "SELECT host, chain_pem, key_nonce, key_ciphertext, not_after, issued_at,
                attempted_at, last_error, failures, next_attempt_at FROM acme_certificates",
            $tail
        )
    };
}

fn certificate_row(row: &impl SqlRow) -> Result<AcmeCertificate> {
    let sealed_key = match (
        row.opt_bytes("key_nonce")?,
        row.opt_bytes("key_ciphertext")?,
    ) {
        (Some(nonce), Some(ciphertext)) => Some(SealedSecret { nonce, ciphertext }),
        _ => None,
    };
    Ok(AcmeCertificate {
        host: row.text("host")?,
        chain_pem: row.opt_text("chain_pem")?,
        sealed_key,
        not_after: row.opt_time("not_after")?,
        issued_at: row.opt_time("issued_at")?,
        attempted_at: row.opt_time("attempted_at")?,
        last_error: row.opt_text("last_error")?,
        failures: int_as(row, "failures")?,
        next_attempt_at: row.time("next_attempt_at")?,
    })
}

#[async_trait]
impl<B: SqlBackend> Certificates for B {
    async fn org_hosts(&self) -> Result<Vec<(OrgSlug, String)>> {
        let rows = read_global_all(
            self,
            "SELECT o.slug, h.host FROM org_hosts h JOIN orgs o ON o.id = h.org_id ORDER BY h.host",
            args![],
        )
        .await?;
        rows.iter()
            .map(|r| Ok((parse_slug(&r.text("slug")?)?, r.text("host")?)))
            .collect()
    }

    async fn org_host(&self, scope: &OrgScope) -> Result<Option<String>> {
        let row = read_one(
            self,
            scope,
            "SELECT host FROM org_hosts WHERE org_id = $1",
            args![scope.org_id()],
        )
        .await?;
        row.map(|r| r.text("host")).transpose()
    }

    async fn acme_certificates(&self) -> Result<Vec<AcmeCertificate>> {
        let rows = read_global_all(self, select_certificates!(" ORDER BY host"), args![]).await?;
        rows.iter().map(certificate_row).collect()
    }

    async fn acme_certificate(&self, host: &str) -> Result<Option<AcmeCertificate>> {
        let row =
            read_global_one(self, select_certificates!(" WHERE host = $1"), args![host]).await?;
        row.as_ref().map(certificate_row).transpose()
    }

    async fn want_acme_hosts(&self, wanted: &[String], now: OffsetDateTime) -> Result<()> {
        let mut tx = self.begin_global(Mode::Write).await?;
        let known = tx
            .fetch_all("SELECT host FROM acme_certificates", args![])
            .await?
            .iter()
            .map(|r| r.text("host"))
            .collect::<Result<Vec<_>>>()?;
        for host in &known {
            if !wanted.contains(host) {
                tx.execute("DELETE FROM acme_certificates WHERE host = $1", args![host])
                    .await?;
            }
        }
        let now = micros(now)?;
        for host in wanted {
            if !known.contains(host) {
                tx.execute(
                    "INSERT INTO acme_certificates (host, next_attempt_at) VALUES ($1, $2)
                     ON CONFLICT (host) DO NOTHING",
                    args![host, now],
                )
                .await?;
            }
        }
        tx.commit().await
    }

    async fn claim_acme_attempt(
        &self,
        host: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = self.begin_global(Mode::Write).await?;
        // Due, and not held by another replica's unexpired lease: one attempt at a time.
        let claimed = tx
            .execute(
                "UPDATE acme_certificates SET leased_until = $3, attempted_at = $2
                 WHERE host = $1 AND next_attempt_at <= $2
                   AND (leased_until IS NULL OR leased_until <= $2)",
                args![host, micros(now)?, micros(until)?],
            )
            .await?
            > 0;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn store_acme_certificate(
        &self,
        host: &str,
        issued: &IssuedCertificate<'_>,
    ) -> Result<bool> {
        let mut tx = self.begin_global(Mode::Write).await?;
        let stored = tx
            .execute(
                "UPDATE acme_certificates SET chain_pem = $2, key_nonce = $3, key_ciphertext = $4,
                    not_after = $5, issued_at = $6, next_attempt_at = $7, last_error = NULL,
                    failures = 0, leased_until = NULL
                 WHERE host = $1",
                args![
                    host,
                    issued.chain_pem,
                    &issued.sealed_key.nonce,
                    &issued.sealed_key.ciphertext,
                    micros(issued.not_after)?,
                    micros(issued.issued_at)?,
                    micros(issued.renew_at)?
                ],
            )
            .await?
            > 0;
        tx.commit().await?;
        Ok(stored)
    }

    async fn record_acme_failure(
        &self,
        host: &str,
        error: &str,
        retry_at: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.begin_global(Mode::Write).await?;
        tx.execute(
            "UPDATE acme_certificates SET last_error = $2, failures = failures + 1,
                next_attempt_at = $3, leased_until = NULL
             WHERE host = $1",
            args![host, error, micros(retry_at)?],
        )
        .await?;
        tx.commit().await
    }

    async fn put_acme_challenge(
        &self,
        token: &str,
        key_authorization: &str,
        at: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.begin_global(Mode::Write).await?;
        tx.execute(
            "INSERT INTO acme_challenges (token, key_authorization, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (token) DO NOTHING",
            args![token, key_authorization, micros(at)?],
        )
        .await?;
        tx.commit().await
    }

    async fn acme_challenge(&self, token: &str) -> Result<Option<String>> {
        let row = read_global_one(
            self,
            "SELECT key_authorization FROM acme_challenges WHERE token = $1",
            args![token],
        )
        .await?;
        row.map(|r| r.text("key_authorization")).transpose()
    }

    async fn delete_acme_challenges(
        &self,
        tokens: &[String],
        older_than: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.begin_global(Mode::Write).await?;
        for token in tokens {
            tx.execute("DELETE FROM acme_challenges WHERE token = $1", args![token])
                .await?;
        }
        // Answers left behind by a replica that stopped mid-order.
        tx.execute(
            "DELETE FROM acme_challenges WHERE created_at < $1",
            args![micros(older_than)?],
        )
        .await?;
        tx.commit().await
    }

    async fn acme_account(&self, directory: &str) -> Result<Option<SealedSecret>> {
        let row = read_global_one(
            self,
            "SELECT nonce, ciphertext FROM acme_accounts WHERE directory = $1",
            args![directory],
        )
        .await?;
        row.as_ref()
            .map(|r| sealed_of(r, "nonce", "ciphertext"))
            .transpose()
    }

    async fn insert_acme_account(
        &self,
        directory: &str,
        sealed: &SealedSecret,
        at: OffsetDateTime,
    ) -> Result<SealedSecret> {
        let mut tx = self.begin_global(Mode::Write).await?;
        tx.execute(
            "INSERT INTO acme_accounts (directory, nonce, ciphertext, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (directory) DO NOTHING",
            args![directory, &sealed.nonce, &sealed.ciphertext, micros(at)?],
        )
        .await?;
        // The first replica to store an account wins; the others use it.
        let row = tx
            .fetch_optional(
                "SELECT nonce, ciphertext FROM acme_accounts WHERE directory = $1",
                args![directory],
            )
            .await?;
        tx.commit().await?;
        match row {
            Some(row) => sealed_of(&row, "nonce", "ciphertext"),
            None => Err(crate::StoreError::Backend(
                "the ACME account vanished".into(),
            )),
        }
    }

    async fn acme_sealed(&self) -> Result<Vec<(String, SealedSecret)>> {
        let mut tx = self.begin_global(Mode::Read).await?;
        let accounts = tx
            .fetch_all(
                "SELECT directory, nonce, ciphertext FROM acme_accounts",
                args![],
            )
            .await?;
        let keys = tx
            .fetch_all(
                "SELECT host, key_nonce, key_ciphertext FROM acme_certificates
                 WHERE key_nonce IS NOT NULL",
                args![],
            )
            .await?;
        tx.commit().await?;
        let mut sealed = Vec::new();
        for row in &accounts {
            sealed.push((
                account_purpose(&row.text("directory")?),
                sealed_of(row, "nonce", "ciphertext")?,
            ));
        }
        for row in &keys {
            sealed.push((
                key_purpose(&row.text("host")?),
                sealed_of(row, "key_nonce", "key_ciphertext")?,
            ));
        }
        Ok(sealed)
    }

    async fn reseal_acme(
        &self,
        purpose: &str,
        old: &SealedSecret,
        new: &SealedSecret,
    ) -> Result<bool> {
        let (sql, key) = match row_of(purpose) {
            Some(SealedRow::Account { directory }) => (
                "UPDATE acme_accounts SET nonce = $2, ciphertext = $3
                 WHERE directory = $1 AND nonce = $4 AND ciphertext = $5",
                directory,
            ),
            Some(SealedRow::Key { host }) => (
                "UPDATE acme_certificates SET key_nonce = $2, key_ciphertext = $3
                 WHERE host = $1 AND key_nonce = $4 AND key_ciphertext = $5",
                host,
            ),
            None => return Ok(false),
        };
        let mut tx = self.begin_global(Mode::Write).await?;
        let replaced = tx
            .execute(
                sql,
                args![
                    key,
                    &new.nonce,
                    &new.ciphertext,
                    &old.nonce,
                    &old.ciphertext
                ],
            )
            .await?
            > 0;
        tx.commit().await?;
        Ok(replaced)
    }
}
