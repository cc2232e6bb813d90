//! ACME certificates, challenges and accounts: global rows, keyed by host name,
//! token and directory URL.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::acme::{AcmeCertificate, IssuedCertificate};
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
}
