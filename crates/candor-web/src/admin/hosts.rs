//! Host names an org claims for evidence checks, and the proof that it controls
//! them: a token served at `https://HOST/.well-known/candor-verification.txt` or
//! published as a DNS TXT record at `_candor-verification.HOST`.
//! Checks never run against a host without that proof.

use askama::Template;
use axum::Form;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use candor_domain::audit::AuditAction;
use candor_domain::types::HostName;
use candor_store::acme::AcmeCertificate;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::auth::new_secret;
use crate::caller::Access;
use crate::page_error::{PageResult, render};
use crate::state::AppState;
use candor_app::content::working_copy;

pub const PROOF_PATH: &str = candor_verify::proof::WELL_KNOWN_PATH;

pub struct HostRow {
    pub host: String,
    pub token: String,
    pub verified: Option<String>,
    /// The checks controls name for this host.
    pub checks: String,
}

#[derive(Template)]
#[template(path = "admin/hosts.html")]
struct HostsPage<'a> {
    slug: &'a str,
    rows: Vec<HostRow>,
    /// Hosts named by controls but not claimed yet.
    unclaimed: Vec<String>,
    notice: Option<String>,
    error: Option<String>,
    proof_path: &'static str,
    /// The trust center's own host and its certificate, if it has a host.
    own_host: Option<(String, CertificateState)>,
}

/// What an admin is told of the certificate of the org's own host.
#[derive(Debug, PartialEq, Eq)]
pub struct CertificateState {
    pub text: String,
    /// Expiring without a renewal, or never issued after failures: needs action.
    pub alarm: bool,
}

/// Renewal failing within this long of expiry is an alarm.
const EXPIRY_WARNING: time::Duration = time::Duration::days(14);

/// The certificate's state in words, from the stored row (None: no row yet).
pub fn certificate_state(
    acme_directory: Option<&str>,
    proven: bool,
    certificate: Option<&AcmeCertificate>,
    now: OffsetDateTime,
) -> CertificateState {
    let calm = |text: String| CertificateState { text, alarm: false };
    let Some(directory) = acme_directory else {
        return calm(
            "Candor does not obtain certificates here: the operator serves this host's TLS.".into(),
        );
    };
    if !proven {
        return calm(format!(
            "No certificate until the host's control is proven (claim and verify it below); then Candor asks {directory} for one."
        ));
    }
    let Some(c) = certificate else {
        return calm(format!(
            "Proven: Candor will ask {directory} for a certificate within minutes."
        ));
    };
    let next = crate::views::human_time(c.next_attempt_at);
    match (&c.not_after, &c.last_error) {
        (Some(not_after), None) => calm(format!(
            "Certificate valid until {}; renewal from {next}.",
            crate::views::human_time(*not_after)
        )),
        (Some(not_after), Some(error)) => {
            let left = *not_after - now;
            let expiry = if left <= time::Duration::ZERO {
                format!("it expired {}", crate::views::human_time(*not_after))
            } else {
                format!(
                    "it expires {} (in {} days)",
                    crate::views::human_time(*not_after),
                    left.whole_days()
                )
            };
            CertificateState {
                text: format!(
                    "Renewal failing ({}): {error}. The certificate still serves, but {expiry}; next attempt {next}.",
                    attempts(c.failures)
                ),
                alarm: left <= EXPIRY_WARNING,
            }
        }
        (None, Some(error)) => CertificateState {
            text: format!(
                "No certificate yet ({}): {error}. Next attempt {next}.",
                attempts(c.failures)
            ),
            alarm: true,
        },
        (None, None) => calm(format!("Waiting for the first attempt ({next}).")),
    }
}

fn attempts(failures: u32) -> String {
    if failures == 1 {
        "1 failed attempt".into()
    } else {
        format!("{failures} failed attempts")
    }
}

/// The org's own host with its certificate's state, if the org has a host.
pub async fn own_host_certificate(
    state: &AppState,
    scope: &candor_store::OrgScope,
    claims: &[candor_store::evidence::HostClaim],
) -> Result<Option<(String, CertificateState)>, candor_store::StoreError> {
    let Some(host) = state.store.org_host(scope).await? else {
        return Ok(None);
    };
    let proven = claims
        .iter()
        .any(|c| c.host == host && c.verified_at.is_some());
    let certificate = state.store.acme_certificate(&host).await?;
    let described = certificate_state(
        state.config.acme_directory.as_deref(),
        proven,
        certificate.as_ref(),
        OffsetDateTime::now_utc(),
    );
    Ok(Some((host, described)))
}

async fn page(
    state: &AppState,
    access: &Access,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let (working, _) = working_copy(&*state.store, &access.scope).await?;
    let claims = state.store.host_claims(&access.scope).await?;
    let mut named: Vec<(String, String)> = Vec::new();
    for control in working.iter().flat_map(|w| w.controls.iter()) {
        for check in &control.checks {
            named.push((
                check.host.to_string(),
                candor_app::evidence::kind_name(check.check).to_owned(),
            ));
        }
    }
    let checks_for = |host: &str| {
        let mut kinds: Vec<&str> = named
            .iter()
            .filter(|(h, _)| h == host)
            .map(|(_, k)| k.as_str())
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        kinds.join(", ")
    };
    let rows = claims
        .iter()
        .map(|c| HostRow {
            host: c.host.clone(),
            token: c.token.clone(),
            verified: c.verified_at.map(crate::views::human_time),
            checks: checks_for(&c.host),
        })
        .collect();
    let mut unclaimed: Vec<String> = named
        .iter()
        .map(|(h, _)| h.clone())
        .filter(|h| !claims.iter().any(|c| &c.host == h))
        .collect();
    unclaimed.sort();
    unclaimed.dedup();
    let own_host = own_host_certificate(state, &access.scope, &claims).await?;
    Ok(render(
        HostsPage {
            slug: access.scope.slug().as_str(),
            rows,
            unclaimed,
            notice,
            error,
            proof_path: PROOF_PATH,
            own_host,
        },
        status,
    ))
}

/// `GET /admin/orgs/{org}/hosts`.
pub async fn hosts(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> PageResult {
    page(&state, &access, None, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct ClaimForm {
    #[serde(default)]
    host: String,
}

/// `POST /admin/orgs/{org}/hosts`: claims a host and shows the token to publish.
pub async fn claim(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Form(form): Form<ClaimForm>,
) -> PageResult {
    let host = match form.host.trim().trim_end_matches('.').parse::<HostName>() {
        Ok(h) => h.to_string(),
        Err(e) => {
            return page(
                &state,
                &access,
                None,
                Some(format!("host: {e}")),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let secret = new_secret()?;
    let token = format!("candor-verification={}", &secret[..32]);
    state
        .store
        .claim_host(&access.scope, &host, &token, OffsetDateTime::now_utc())
        .await?;
    state
        .store
        .append_audit(
            &access.scope,
            &access.audit(AuditAction::HostClaim, format!("host:{host}")),
        )
        .await?;
    let notice = format!(
        "Claimed {host}. Publish its token at https://{host}{PROOF_PATH} or as a TXT record at {}, then verify.",
        candor_verify::dns::proof_name(&host)
    );
    page(&state, &access, Some(notice), None, StatusCode::OK).await
}

/// `POST /admin/orgs/{org}/hosts/{host}/verify`: fetches the proof and, if it
/// holds the token, records the host as verified.
pub async fn verify(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, host)): Path<(String, String)>,
) -> PageResult {
    let claims = state.store.host_claims(&access.scope).await?;
    let Some(claim) = claims.into_iter().find(|c| c.host == host) else {
        return page(
            &state,
            &access,
            None,
            Some(format!("host: {host} is not claimed")),
            StatusCode::NOT_FOUND,
        )
        .await;
    };
    let proof = candor_verify::proof::prove(&host, &claim.token, &state.config.check_options).await;
    match proof {
        Ok(how) => {
            state
                .store
                .mark_host_verified(&access.scope, &host, Some(OffsetDateTime::now_utc()))
                .await?;
            state
                .store
                .append_audit(
                    &access.scope,
                    &access.audit(AuditAction::HostVerify, format!("host:{host}")),
                )
                .await?;
            state.pages.invalidate(access.scope.slug());
            if let Some(worker) = &state.worker {
                worker.recheck_evidence();
            }
            page(
                &state,
                &access,
                Some(format!("{host} is verified ({how}); its checks run next.")),
                None,
                StatusCode::OK,
            )
            .await
        }
        Err(why) => {
            page(
                &state,
                &access,
                None,
                Some(format!("{host} is not verified: {why}")),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        not_after: Option<OffsetDateTime>,
        error: Option<&str>,
        failures: u32,
    ) -> AcmeCertificate {
        AcmeCertificate {
            host: "trust.example.com".into(),
            chain_pem: not_after.map(|_| "pem".into()),
            sealed_key: None,
            not_after,
            issued_at: None,
            attempted_at: None,
            last_error: error.map(str::to_owned),
            failures,
            next_attempt_at: OffsetDateTime::now_utc() + time::Duration::hours(1),
        }
    }

    #[test]
    fn a_certificate_that_cannot_be_renewed_alarms_two_weeks_before_it_expires() {
        let now = OffsetDateTime::now_utc();
        let acme = Some("https://acme.test/dir");
        let at = |days| Some(now + time::Duration::days(days));
        let fine = certificate_state(acme, true, Some(&row(at(80), None, 0)), now);
        assert!(
            !fine.alarm && fine.text.starts_with("Certificate valid until"),
            "{fine:?}"
        );
        let early = certificate_state(acme, true, Some(&row(at(25), Some("timeout"), 2)), now);
        assert!(
            !early.alarm && early.text.contains("in 25 days"),
            "{early:?}"
        );
        let late = certificate_state(
            acme,
            true,
            Some(&row(at(9), Some("connection refused"), 7)),
            now,
        );
        assert!(late.alarm, "{late:?}");
        assert!(
            late.text
                .contains("Renewal failing (7 failed attempts): connection refused")
                && late.text.contains("in 9 days"),
            "{late:?}"
        );
        let never = certificate_state(acme, true, Some(&row(None, Some("refused"), 1)), now);
        assert!(
            never.alarm && never.text.starts_with("No certificate yet"),
            "{never:?}"
        );
        let unproven = certificate_state(acme, false, None, now);
        assert!(!unproven.alarm && unproven.text.contains("until the host's control is proven"));
        let off = certificate_state(None, true, Some(&row(at(3), Some("x"), 9)), now);
        assert!(
            !off.alarm && off.text.contains("operator serves"),
            "{off:?}"
        );
    }
}
