//! `/{org}/.well-known/security.txt` (RFC 9116), generated from the org's
//! vulnerability-disclosure commitment and signed as an OpenPGP cleartext
//! message with the org's own key (rPGP; GnuPG verifies it). The key is made on
//! first use and stored sealed with the master key, like the log keys; its
//! public half is at `/{org}/.well-known/openpgp-key.asc`, linked from
//! `Encryption:`. `Expires:` is always 30 days after the day it is served, so
//! the file never goes stale while the server runs. On an org's own host name
//! (`candor org set-host`) the same file is at `/.well-known/security.txt`, with
//! `Canonical:` and `Encryption:` on that host.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use candor_domain::{OrgSlug, Revision};
use candor_store::keys::MasterKey;
use candor_store::{OrgScope, StoreError, scope_for};
use pgp::composed::{
    ArmorOptions, CleartextSignedMessage, Deserializable, KeyType, SecretKeyParamsBuilder,
    SignedSecretKey,
};
use pgp::types::Password;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::ApiError;
use crate::state::AppState;
pub use crate::views::RESEARCHER_KEY_FILE;

const OPENPGP_PURPOSE: &str = "openpgp-key";
const EXPIRES_DAYS: i64 = 30;

fn pgp_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Crypto(format!("OpenPGP: {e}"))
}

/// The org's OpenPGP signing key: unsealed from the store, or made and stored.
pub async fn openpgp_key(
    state: &AppState,
    scope: &OrgScope,
    name: &str,
) -> Result<Arc<SignedSecretKey>, ApiError> {
    if let Some(key) = state
        .openpgp_keys
        .read()
        .ok()
        .and_then(|m| m.get(scope.slug()).cloned())
    {
        return Ok(key);
    }
    let master: &MasterKey = state.config.master_key.as_deref().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "signing_not_configured",
            "this server has no master key to sign with",
        )
    })?;
    let sealed = match state.store.org_secret(scope, OPENPGP_PURPOSE).await? {
        Some(sealed) => sealed,
        None => {
            let params = SecretKeyParamsBuilder::default()
                // v4 EdDSA ("legacy" Ed25519): what GnuPG 2.2 verifies.
                .key_type(KeyType::Ed25519Legacy)
                .can_sign(true)
                .can_certify(true)
                .primary_user_id(format!(
                    "{name} security.txt <security-txt@{}>",
                    state.config.log_host
                ))
                .build()
                .map_err(|e| ApiError::from(pgp_error(e)))?;
            let key = params
                .generate(rand_for_pgp::rngs::OsRng)
                .map_err(|e| ApiError::from(pgp_error(e)))?;
            let armored = key
                .to_armored_string(ArmorOptions::default())
                .map_err(|e| ApiError::from(pgp_error(e)))?;
            let sealed = master.seal(OPENPGP_PURPOSE, scope.org_id(), armored.as_bytes())?;
            state
                .store
                .insert_org_secret(scope, OPENPGP_PURPOSE, &sealed)
                .await?;
            // Another replica may have won the race: use whatever is stored.
            state
                .store
                .org_secret(scope, OPENPGP_PURPOSE)
                .await?
                .ok_or_else(|| {
                    ApiError::from(StoreError::Corrupt("the OpenPGP key vanished".into()))
                })?
        }
    };
    let armored = master.open(OPENPGP_PURPOSE, scope.org_id(), &sealed)?;
    let armored = String::from_utf8(armored)
        .map_err(|_| ApiError::from(pgp_error("stored key is not text")))?;
    let (key, _) =
        SignedSecretKey::from_string(&armored).map_err(|e| ApiError::from(pgp_error(e)))?;
    let key = Arc::new(key);
    if let Ok(mut map) = state.openpgp_keys.write() {
        map.insert(scope.slug().clone(), key.clone());
    }
    Ok(key)
}

/// The body of security.txt for a revision, as of `now`; none without a contact
/// (RFC 9116 requires one, and Candor does not invent it).
pub fn body(revision: &Revision, base: &str, now: OffsetDateTime) -> Option<String> {
    let v = revision
        .content
        .commitments
        .vulnerability_disclosure
        .as_ref()?;
    if v.contact.is_empty() {
        return None;
    }
    // The key that signs this file only signs: it is not an `Encryption:` key.
    let mut lines = vec![format!(
        "# Signed (OpenPGP cleartext signature) with the key at {base}/.well-known/openpgp-key.asc"
    )];
    lines.extend(v.contact.iter().map(|c| format!("Contact: {c}")));
    let expires = (now + time::Duration::days(EXPIRES_DAYS))
        .replace_time(time::Time::MIDNIGHT)
        .format(&Rfc3339)
        .unwrap_or_default();
    lines.push(format!("Expires: {expires}"));
    if v.openpgp_public_key.is_some() {
        lines.push(format!(
            "Encryption: {base}/.well-known/{RESEARCHER_KEY_FILE}"
        ));
    }
    if let Some(key) = &v.openpgp_key_url {
        lines.push(format!("Encryption: {key}"));
    }
    if let Some(ack) = &v.acknowledgements_url {
        lines.push(format!("Acknowledgments: {ack}"));
    }
    // The policy's own preference, else the languages the page is written in.
    let langs: Vec<&str> = match v.preferred_languages.is_empty() {
        false => v.preferred_languages.iter().map(|l| l.as_str()).collect(),
        true => revision
            .content
            .profile
            .locales
            .iter()
            .map(|l| l.as_str())
            .collect(),
    };
    if !langs.is_empty() {
        lines.push(format!("Preferred-Languages: {}", langs.join(", ")));
    }
    lines.push(format!("Canonical: {base}/.well-known/security.txt"));
    if let Some(policy) = &v.policy_url {
        lines.push(format!("Policy: {policy}"));
    }
    // The CSAF field (IANA's security.txt registry): where the advisories are.
    if !candor_formats::csaf::advisories(revision).is_empty() {
        lines.push(format!(
            "CSAF: {base}/.well-known/csaf/provider-metadata.json"
        ));
    }
    let mut text = lines.join("\n");
    text.push('\n');
    Some(text)
}

pub(crate) async fn latest(state: &AppState, org: &str) -> Result<(OrgScope, Revision), ApiError> {
    let slug: OrgSlug = org
        .parse()
        .map_err(|_| ApiError::not_found("no such org"))?;
    let scope = scope_for(&*state.store, &slug)
        .await?
        .ok_or_else(|| ApiError::not_found("no such org"))?;
    let revision =
        state.store.latest_revision(&scope).await?.ok_or_else(|| {
            ApiError::not_found("this trust center has not published a revision yet")
        })?;
    Ok((scope, revision))
}

fn text_response(body: String) -> Response {
    let mut response =
        ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}

/// `GET /{org}/.well-known/security.txt`: signed with the org's OpenPGP key.
pub async fn security_txt(
    State(state): State<AppState>,
    Path(org): Path<String>,
) -> Result<Response, ApiError> {
    let (scope, revision) = latest(&state, &org).await?;
    let base = format!("https://{}/{}", state.config.log_host, scope.slug());
    signed_response(&state, &scope, &revision, &base).await
}

/// The host a request was sent to: lowercase, without port.
pub fn request_host(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    Some(name.trim_end_matches('.').to_ascii_lowercase())
}

/// The org served on the request's host name, with its latest revision.
pub(crate) async fn org_on_host(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(OrgScope, Revision, String), ApiError> {
    let host = request_host(headers).ok_or_else(|| ApiError::not_found("no such org"))?;
    let org = state
        .store
        .org_by_host(&host)
        .await?
        .ok_or_else(|| ApiError::not_found("no trust center is served on this host"))?;
    let (scope, revision) = latest(state, org.slug.as_str()).await?;
    // Canonical names the address as requested, port included when there is one.
    let authority = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(|h| {
            let h = h.to_ascii_lowercase();
            // The HTTPS default port is no part of the canonical address.
            h.strip_suffix(":443")
                .unwrap_or(&h)
                .trim_end_matches('.')
                .to_owned()
        })
        .unwrap_or(host);
    Ok((scope, revision, authority))
}

/// `GET /.well-known/security.txt` on an org's own host name (`candor org set-host`).
pub async fn host_security_txt(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (scope, revision, host) = org_on_host(&state, &headers).await?;
    signed_response(&state, &scope, &revision, &format!("https://{host}")).await
}

fn researcher_key_response(revision: &Revision) -> Result<Response, ApiError> {
    let key = revision
        .content
        .commitments
        .vulnerability_disclosure
        .as_ref()
        .and_then(|v| v.openpgp_public_key.as_ref())
        .ok_or_else(|| ApiError::not_found("this org publishes no key for researchers"))?;
    let mut response = text_response(key.to_string());
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pgp-keys"),
    );
    Ok(response)
}

/// `GET /{org}/.well-known/researcher-key.asc`: the org's own key, to encrypt
/// reports to (the key that signs security.txt only signs).
pub async fn researcher_key(
    State(state): State<AppState>,
    Path(org): Path<String>,
) -> Result<Response, ApiError> {
    let (_, revision) = latest(&state, &org).await?;
    researcher_key_response(&revision)
}

/// The same on an org's own host name.
pub async fn host_researcher_key(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (_, revision, _) = org_on_host(&state, &headers).await?;
    researcher_key_response(&revision)
}

/// `GET /.well-known/openpgp-key.asc` on an org's own host name.
pub async fn host_openpgp_public_key(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (scope, revision, _) = org_on_host(&state, &headers).await?;
    public_key_response(&state, &scope, &revision).await
}

async fn signed_response(
    state: &AppState,
    scope: &OrgScope,
    revision: &Revision,
    base: &str,
) -> Result<Response, ApiError> {
    let text = body(revision, base, OffsetDateTime::now_utc()).ok_or_else(|| {
        ApiError::not_found("this trust center publishes no vulnerability-disclosure contact")
    })?;
    let key = openpgp_key(state, scope, revision.content.profile.name.as_str()).await?;
    let signed = CleartextSignedMessage::sign(
        rand_for_pgp::rngs::OsRng,
        &text,
        &key.primary_key,
        &Password::empty(),
    )
    .and_then(|m| m.to_armored_string(ArmorOptions::default()))
    .map_err(|e| ApiError::from(pgp_error(e)))?;
    Ok(text_response(signed))
}

/// `GET /{org}/.well-known/openpgp-key.asc`: the public key security.txt is signed with.
pub async fn openpgp_public_key(
    State(state): State<AppState>,
    Path(org): Path<String>,
) -> Result<Response, ApiError> {
    let (scope, revision) = latest(&state, &org).await?;
    public_key_response(&state, &scope, &revision).await
}

async fn public_key_response(
    state: &AppState,
    scope: &OrgScope,
    revision: &Revision,
) -> Result<Response, ApiError> {
    let key = openpgp_key(state, scope, revision.content.profile.name.as_str()).await?;
    let public = key
        .to_public_key()
        .to_armored_string(ArmorOptions::default())
        .map_err(|e| ApiError::from(pgp_error(e)))?;
    Ok(text_response(public))
}
