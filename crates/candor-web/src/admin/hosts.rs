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
    Ok(render(
        HostsPage {
            slug: access.scope.slug().as_str(),
            rows,
            unclaimed,
            notice,
            error,
            proof_path: PROOF_PATH,
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
