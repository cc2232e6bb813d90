//! Obtaining and renewing: which hosts want a certificate, one ACME order per
//! due host (HTTP-01), and the schedule of the next attempt.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use candor_store::SharedStore;
use candor_store::acme::{IssuedCertificate, account_purpose, key_purpose};
use candor_store::keys::MasterKey;
use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, ChallengeType, Identifier, NewAccount,
    NewOrder, OrderStatus, RetryPolicy,
};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::certs::CertificateSet;

/// How a replica obtains certificates.
#[derive(Clone, Debug)]
pub struct AcmeConfig {
    /// The ACME directory URL (Let's Encrypt's, or a test CA's).
    pub directory: String,
    /// Contact addresses for the account (`mailto:` URLs).
    pub contact: Vec<String>,
    /// A PEM root to trust for the ACME server's own HTTPS (a test CA);
    /// None: the system's roots.
    pub ca_file: Option<PathBuf>,
    /// The server's own host name (from the public URL), if it is a DNS name.
    pub own_host: Option<String>,
    /// How often the replica looks for due hosts and reloads certificates.
    pub pass_interval: Duration,
    /// The wait after a first failure, doubled after each further one (up to a day).
    pub retry_after: Duration,
    /// How long one attempt may hold a host before another replica may try.
    pub lease: Duration,
}

impl AcmeConfig {
    pub fn new(directory: String) -> AcmeConfig {
        AcmeConfig {
            directory,
            contact: Vec::new(),
            ca_file: None,
            own_host: None,
            pass_interval: Duration::from_secs(60),
            retry_after: Duration::from_secs(300),
            lease: Duration::from_secs(300),
        }
    }
}

/// When to renew a certificate: at two thirds of its lifetime (day 60 of
/// Let's Encrypt's 90), leaving a third for retries.
pub fn renewal_time(not_before: OffsetDateTime, not_after: OffsetDateTime) -> OffsetDateTime {
    not_before + (not_after - not_before) * 2 / 3
}

/// The wait before the next attempt after `failures` failures in a row.
pub fn retry_delay(first: Duration, failures: u32) -> Duration {
    const CAP: Duration = Duration::from_secs(24 * 3600);
    let doubled = first.saturating_mul(1u32 << failures.saturating_sub(1).min(16));
    doubled.min(CAP)
}

/// One replica's share of the work: wanted hosts, due attempts, loaded certificates.
pub struct Manager {
    store: SharedStore,
    master: Arc<MasterKey>,
    config: AcmeConfig,
    certs: Arc<CertificateSet>,
    account: tokio::sync::Mutex<Option<Account>>,
}

impl Manager {
    pub fn new(
        store: SharedStore,
        master: Arc<MasterKey>,
        config: AcmeConfig,
        certs: Arc<CertificateSet>,
    ) -> Manager {
        Manager {
            store,
            master,
            config,
            certs,
            account: tokio::sync::Mutex::new(None),
        }
    }

    /// Passes until `stop` is cancelled.
    pub async fn run(self: Arc<Self>, stop: CancellationToken) {
        loop {
            if let Err(e) = self.pass().await {
                tracing::warn!(error = %e, "certificate pass failed");
            }
            tokio::select! {
                () = tokio::time::sleep(self.config.pass_interval) => {}
                () = stop.cancelled() => break,
            }
        }
    }

    /// One pass: records which hosts want certificates, attempts each due host
    /// this replica can claim, then serves what the store holds.
    pub async fn pass(&self) -> Result<(), String> {
        let wanted = self.wanted_hosts().await?;
        let now = OffsetDateTime::now_utc();
        self.store
            .want_acme_hosts(&wanted, now)
            .await
            .map_err(|e| e.to_string())?;
        // Serve what is there before ordering (a restarted replica needs no CA).
        let rows = self.load_stored().await?;
        let mut attempted = false;
        for row in rows.iter().filter(|r| r.next_attempt_at <= now) {
            let until = now + self.config.lease;
            let claimed = self
                .store
                .claim_acme_attempt(&row.host, now, until)
                .await
                .map_err(|e| e.to_string())?;
            if !claimed {
                continue;
            }
            attempted = true;
            match self.obtain(&row.host).await {
                Ok(()) => tracing::info!(host = %row.host, "certificate issued"),
                Err(error) => {
                    let retry_at = OffsetDateTime::now_utc()
                        + retry_delay(self.config.retry_after, row.failures + 1);
                    tracing::warn!(host = %row.host, %error, %retry_at, "certificate not issued");
                    self.store
                        .record_acme_failure(&row.host, &short(&error), retry_at)
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        if attempted {
            self.load_stored().await?;
        }
        Ok(())
    }

    /// Serves what the store holds; returns it.
    async fn load_stored(&self) -> Result<Vec<candor_store::acme::AcmeCertificate>, String> {
        let rows = self
            .store
            .acme_certificates()
            .await
            .map_err(|e| e.to_string())?;
        self.certs.load(&rows, &self.master);
        Ok(rows)
    }

    /// The server's own host and every org host whose control its org proved.
    async fn wanted_hosts(&self) -> Result<Vec<String>, String> {
        let mut wanted: Vec<String> = self.config.own_host.iter().cloned().collect();
        let org_hosts = self.store.org_hosts().await.map_err(|e| e.to_string())?;
        for (slug, host) in org_hosts {
            let Some(scope) = candor_store::scope_for(&*self.store, &slug)
                .await
                .map_err(|e| e.to_string())?
            else {
                continue;
            };
            let claims = self
                .store
                .host_claims(&scope)
                .await
                .map_err(|e| e.to_string())?;
            if claims
                .iter()
                .any(|c| c.host == host && c.verified_at.is_some())
            {
                wanted.push(host);
            }
        }
        wanted.sort();
        wanted.dedup();
        Ok(wanted)
    }

    /// One order for `host`, answered over HTTP-01 from the store.
    async fn obtain(&self, host: &str) -> Result<(), String> {
        let account = self.account().await?;
        let identifiers = [Identifier::Dns(host.to_owned())];
        let mut order = account
            .new_order(&NewOrder::new(&identifiers))
            .await
            .map_err(|e| format!("new order: {e}"))?;
        let mut tokens = Vec::new();
        let answered = self.answer_challenges(&mut order, &mut tokens).await;
        let ready = match answered {
            Ok(()) => order
                .poll_ready(&RetryPolicy::new().timeout(Duration::from_secs(120)))
                .await
                .map_err(|e| match e {
                    instant_acme::Error::Api(problem) => format!(
                        "{host} validation failed: {}",
                        problem.detail.as_deref().unwrap_or("no detail given")
                    ),
                    other => format!("waiting for validation: {other}"),
                }),
            Err(e) => Err(e),
        };
        let cutoff = OffsetDateTime::now_utc() - time::Duration::hours(1);
        if let Err(e) = self.store.delete_acme_challenges(&tokens, cutoff).await {
            tracing::warn!(error = %e, "challenge answers not removed");
        }
        match ready? {
            OrderStatus::Ready => {}
            status => return Err(why_invalid(&mut order, status).await),
        }
        let key_pem = order
            .finalize()
            .await
            .map_err(|e| format!("finalize: {e}"))?;
        let chain_pem = order
            .poll_certificate(&RetryPolicy::new().timeout(Duration::from_secs(120)))
            .await
            .map_err(|e| format!("certificate: {e}"))?;
        let (not_before, not_after) = validity(&chain_pem)?;
        let sealed = self
            .master
            .seal(&key_purpose(host), Uuid::nil(), key_pem.as_bytes())
            .map_err(|e| e.to_string())?;
        let issued = IssuedCertificate {
            chain_pem: &chain_pem,
            sealed_key: &sealed,
            not_after,
            issued_at: OffsetDateTime::now_utc(),
            renew_at: renewal_time(not_before, not_after),
        };
        let stored = self
            .store
            .store_acme_certificate(host, &issued)
            .await
            .map_err(|e| e.to_string())?;
        if !stored {
            tracing::info!(%host, "host no longer wanted; certificate dropped");
        }
        Ok(())
    }

    async fn answer_challenges(
        &self,
        order: &mut instant_acme::Order,
        tokens: &mut Vec<String>,
    ) -> Result<(), String> {
        let mut authorizations = order.authorizations();
        while let Some(authz) = authorizations.next().await {
            let mut authz = authz.map_err(|e| format!("authorization: {e}"))?;
            match authz.status {
                AuthorizationStatus::Pending => {}
                AuthorizationStatus::Valid => continue,
                status => return Err(format!("authorization is {status:?}")),
            }
            let mut challenge = authz
                .challenge(ChallengeType::Http01)
                .ok_or("the CA offers no HTTP-01 challenge")?;
            let answer = challenge.key_authorization();
            self.store
                .put_acme_challenge(&challenge.token, answer.as_str(), OffsetDateTime::now_utc())
                .await
                .map_err(|e| e.to_string())?;
            tokens.push(challenge.token.clone());
            challenge
                .set_ready()
                .await
                .map_err(|e| format!("challenge: {e}"))?;
        }
        Ok(())
    }

    /// The account for the directory: this replica's, the store's, or a new one.
    async fn account(&self) -> Result<Account, String> {
        let mut cached = self.account.lock().await;
        if let Some(account) = cached.as_ref() {
            return Ok(account.clone());
        }
        let purpose = account_purpose(&self.config.directory);
        let stored = self
            .store
            .acme_account(&self.config.directory)
            .await
            .map_err(|e| e.to_string())?;
        let sealed = match stored {
            Some(sealed) => sealed,
            None => {
                let contact: Vec<&str> = self.config.contact.iter().map(String::as_str).collect();
                let (_, credentials) = self
                    .builder()?
                    .create(
                        &NewAccount {
                            contact: &contact,
                            terms_of_service_agreed: true,
                            only_return_existing: false,
                        },
                        self.config.directory.clone(),
                        None,
                    )
                    .await
                    .map_err(|e| format!("new account: {e}"))?;
                let json = serde_json::to_vec(&credentials).map_err(|e| e.to_string())?;
                let sealed = self
                    .master
                    .seal(&purpose, Uuid::nil(), &json)
                    .map_err(|e| e.to_string())?;
                // Another replica may have stored one first: everyone uses that.
                self.store
                    .insert_acme_account(&self.config.directory, &sealed, OffsetDateTime::now_utc())
                    .await
                    .map_err(|e| e.to_string())?
            }
        };
        let json = self
            .master
            .open(&purpose, Uuid::nil(), &sealed)
            .map_err(|e| format!("account key: {e}"))?;
        let credentials: AccountCredentials =
            serde_json::from_slice(&json).map_err(|e| format!("account key: {e}"))?;
        let account = self
            .builder()?
            .from_credentials(credentials)
            .await
            .map_err(|e| format!("account: {e}"))?;
        *cached = Some(account.clone());
        Ok(account)
    }

    fn builder(&self) -> Result<instant_acme::AccountBuilder, String> {
        match &self.config.ca_file {
            Some(path) => Account::builder_with_root(path),
            None => Account::builder(),
        }
        .map_err(|e| format!("ACME client: {e}"))
    }
}

/// Why an order did not become ready: the first challenge error the CA gives.
async fn why_invalid(order: &mut instant_acme::Order, status: OrderStatus) -> String {
    let mut authorizations = order.authorizations();
    while let Some(Ok(authz)) = authorizations.next().await {
        for challenge in &authz.challenges {
            if let Some(problem) = &challenge.error {
                return format!(
                    "{} validation failed: {}",
                    authz.identifier(),
                    problem.detail.as_deref().unwrap_or("no detail given")
                );
            }
        }
    }
    format!("the order is {status:?}")
}

/// The leaf's validity period.
fn validity(chain_pem: &str) -> Result<(OffsetDateTime, OffsetDateTime), String> {
    let leaf = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
        .next()
        .ok_or("the CA returned no certificate")?
        .map_err(|e| format!("certificate: {e}"))?;
    let (_, cert) =
        x509_parser::parse_x509_certificate(&leaf).map_err(|e| format!("certificate: {e}"))?;
    let at = |t: x509_parser::time::ASN1Time| {
        OffsetDateTime::from_unix_timestamp(t.timestamp()).map_err(|e| e.to_string())
    };
    Ok((
        at(cert.validity().not_before)?,
        at(cert.validity().not_after)?,
    ))
}

/// Errors are shown to admins: one readable line, bounded.
fn short(error: &str) -> String {
    let line = error.replace(['\n', '\r'], " ");
    match line.char_indices().nth(500) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewal_comes_at_two_thirds_of_the_lifetime() {
        let issued = OffsetDateTime::now_utc();
        let renew = renewal_time(issued, issued + time::Duration::days(90));
        assert_eq!(renew - issued, time::Duration::days(60));
    }

    #[test]
    fn retries_back_off_doubling_up_to_a_day() {
        let first = Duration::from_secs(300);
        assert_eq!(retry_delay(first, 1), first);
        assert_eq!(retry_delay(first, 2), first * 2);
        assert_eq!(retry_delay(first, 4), first * 8);
        assert_eq!(retry_delay(first, 40), Duration::from_secs(24 * 3600));
    }

    #[test]
    fn errors_are_one_bounded_line() {
        assert_eq!(short("a\nb"), "a b");
        assert_eq!(short(&"é".repeat(600)).chars().count(), 501);
    }
}
