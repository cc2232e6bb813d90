//! CSAF 2.0 over HTTP: an org's advisories in a directory-based distribution
//! under `/.well-known/csaf/` — on the org's own host, and under `/{org}/` on
//! the server's — with `provider-metadata.json`, `white/index.txt`,
//! `white/changes.csv`, and each advisory with its `.sha256`, `.sha512` and
//! `.asc` (a detached OpenPGP signature by the key that signs security.txt).
//! The documents are written by `candor_formats::csaf` from the latest revision.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use candor_domain::Revision;
use candor_formats::csaf::{self, Distribution};
use candor_store::OrgScope;
use pgp::composed::{ArmorOptions, DetachedSignature};
use pgp::crypto::hash::HashAlgorithm;
use pgp::types::{KeyDetails, Password};
use sha2::{Digest, Sha256, Sha512};

use crate::error::ApiError;
use crate::page_cache::etag_for;
use crate::pages::cached_response;
use crate::securitytxt::{latest, openpgp_key, org_on_host};
use crate::state::AppState;

/// `GET /{org}/.well-known/csaf/{*file}`.
pub async fn org_file(
    State(state): State<AppState>,
    Path((org, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (scope, revision) = latest(&state, &org).await?;
    let base = format!("https://{}/{}", state.config.log_host, scope.slug());
    let (content_type, body) = serve(&state, &scope, &revision, &base, &file).await?;
    Ok(respond(&headers, content_type, body))
}

/// `GET /.well-known/csaf/{*file}` on an org's own host name.
pub async fn host_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (scope, revision, host) = org_on_host(&state, &headers).await?;
    let base = format!("https://{host}");
    let (content_type, body) = serve(&state, &scope, &revision, &base, &file).await?;
    Ok(respond(&headers, content_type, body))
}

/// With an ETag (a mirror revalidates), cacheable for five minutes.
fn respond(headers: &HeaderMap, content_type: &'static str, body: Vec<u8>) -> Response {
    let body = Bytes::from(body);
    let mut response = cached_response(headers, &etag_for(&body), content_type, &body);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

fn reply(content_type: &'static str, body: Vec<u8>) -> (&'static str, Vec<u8>) {
    (content_type, body)
}

async fn serve(
    state: &AppState,
    scope: &OrgScope,
    revision: &Revision,
    base: &str,
    file: &str,
) -> Result<(&'static str, Vec<u8>), ApiError> {
    let missing = || ApiError::not_found("no such CSAF file");
    if csaf::advisories(revision).is_empty() {
        return Err(ApiError::not_found(
            "this trust center publishes no advisories",
        ));
    }
    let key = openpgp_key(state, scope, revision.content.profile.name.as_str()).await?;
    let at = Distribution {
        csaf_root: format!("{base}/.well-known/csaf/"),
        page: base.to_owned(),
        key_url: format!("{base}/.well-known/openpgp-key.asc"),
        key_fingerprint: format!("{:X}", key.primary_key.fingerprint()),
    };
    match file {
        "provider-metadata.json" => Ok(reply(
            "application/json",
            pretty(&csaf::provider_metadata(revision, &at)),
        )),
        "white/index.txt" => Ok(reply(
            "text/plain; charset=utf-8",
            csaf::index_txt(revision).into_bytes(),
        )),
        "white/changes.csv" => Ok(reply(
            "text/csv; charset=utf-8",
            csaf::changes_csv(revision).into_bytes(),
        )),
        _ => {
            let path = file.strip_prefix("white/").ok_or_else(missing)?;
            let (name, suffix) = [".sha256", ".sha512", ".asc"]
                .iter()
                .find_map(|s| path.strip_suffix(s).map(|name| (name, *s)))
                .unwrap_or((path, ""));
            let published = csaf::advisories(revision)
                .into_iter()
                .find(|a| a.path() == name)
                .ok_or_else(missing)?;
            let document = pretty(&csaf::document(revision, &published, &at));
            let file_name = published.file_name();
            match suffix {
                ".sha256" => Ok(reply(
                    "text/plain; charset=utf-8",
                    format!("{}  {file_name}\n", hex::encode(Sha256::digest(&document)))
                        .into_bytes(),
                )),
                ".sha512" => Ok(reply(
                    "text/plain; charset=utf-8",
                    format!("{}  {file_name}\n", hex::encode(Sha512::digest(&document)))
                        .into_bytes(),
                )),
                ".asc" => {
                    let signature = DetachedSignature::sign_binary_data(
                        rand_for_pgp::rngs::OsRng,
                        &key.primary_key,
                        &Password::empty(),
                        HashAlgorithm::Sha256,
                        document.as_slice(),
                    )
                    .and_then(|s| s.to_armored_string(ArmorOptions::default()))
                    .map_err(|e| {
                        ApiError::from(candor_store::StoreError::Crypto(format!("OpenPGP: {e}")))
                    })?;
                    Ok(reply("application/pgp-signature", signature.into_bytes()))
                }
                _ => Ok(reply("application/json", document)),
            }
        }
    }
}

fn pretty(value: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec_pretty(value).unwrap_or_default()
}
