//! Passwords, session cookies and API-token secrets.
//!
//! Secrets (session cookies, API tokens) are 32 random bytes shown to their
//! holder once; only their SHA-256 is stored, so a database leak yields nothing
//! that signs anyone in.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::http::{HeaderMap, HeaderValue, header};
use sha2::{Digest, Sha256};

/// `__Host-` binds the cookie to this exact host, over HTTPS, for the whole site.
pub const SESSION_COOKIE: &str = "__Host-candor_session";
/// How long a session lasts without signing in again.
pub const SESSION_HOURS: i64 = 12;
/// API tokens look like `cnd_<64 hex digits>`.
pub use candor_app::members::TOKEN_PREFIX;
pub const MIN_PASSWORD_CHARS: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the password must have at least {MIN_PASSWORD_CHARS} characters")]
    WeakPassword,
    #[error("could not hash the password: {0}")]
    Hashing(String),
    #[error("the system's random number generator failed")]
    Random,
}

/// argon2id with the crate's defaults (19 MiB, 2 passes), as a PHC string.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::WeakPassword);
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hashing(e.to_string()))
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Verified against when the account does not exist, so that a failed sign-in
/// costs the same time either way and does not reveal which emails have accounts.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| {
    let secret = new_secret().unwrap_or_else(|_| "decoy-password-for-timing".into());
    Argon2::default()
        .hash_password(secret.as_bytes())
        .map(|h| h.to_string())
        .unwrap_or_default()
});

pub fn burn_decoy_verification(password: &str) {
    let _ = verify_password(&DECOY_HASH, password);
}

/// 32 random bytes as hex.
pub fn new_secret() -> Result<String, AuthError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| AuthError::Random)?;
    Ok(hex::encode(bytes))
}

/// What is stored for a secret.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn session_cookie(secret: &str) -> HeaderValue {
    let max_age = SESSION_HOURS * 3600;
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={secret}; Path=/; Max-Age={max_age}; HttpOnly; Secure; SameSite=Lax"
    ))
    .unwrap_or(HeaderValue::from_static(
        "__Host-candor_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
    ))
}

pub fn expired_session_cookie() -> HeaderValue {
    HeaderValue::from_static(
        "__Host-candor_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
    )
}

/// The value of the cookie `name` in the request, if any.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value)
}

/// The session secret from the request's cookies, if any.
pub fn session_secret(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, SESSION_COOKIE)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// How long a reader's session lasts.
pub const READER_SESSION_HOURS: i64 = 12;

/// A reader's session cookie is per org (a reader of two orgs has two), and
/// as protected as an admin's.
pub fn reader_cookie_name(slug: &str) -> String {
    format!("__Host-candor_reader_{slug}")
}

pub fn reader_cookie(slug: &str, secret: &str) -> HeaderValue {
    let max_age = READER_SESSION_HOURS * 3600;
    HeaderValue::from_str(&format!(
        "{}={secret}; Path=/; Max-Age={max_age}; HttpOnly; Secure; SameSite=Lax",
        reader_cookie_name(slug)
    ))
    .unwrap_or(HeaderValue::from_static(""))
}

pub fn expired_reader_cookie(slug: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
        reader_cookie_name(slug)
    ))
    .unwrap_or(HeaderValue::from_static(""))
}

/// The reader's session secret for org `slug`, if any.
pub fn reader_secret<'a>(headers: &'a HeaderMap, slug: &str) -> Option<&'a str> {
    cookie(headers, &reader_cookie_name(slug))
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The API token secret from `Authorization: Bearer cnd_…`, if any.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?
        .strip_prefix(TOKEN_PREFIX)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub use candor_app::normalize_email;

/// A value sealed with the master key (bound to `purpose` and `id`) and written
/// URL-safe: for tokens that carry their own proof, so nothing is stored.
pub fn seal_token(
    master: &candor_store::keys::MasterKey,
    purpose: &str,
    id: uuid::Uuid,
    plain: &[u8],
) -> Option<String> {
    use base64::Engine;
    let sealed = master.seal(purpose, id, plain).ok()?;
    let mut bytes = sealed.nonce;
    bytes.extend_from_slice(&sealed.ciphertext);
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// What [`seal_token`] sealed, if `token` is genuine and bound to `purpose` and `id`.
pub fn open_token(
    master: &candor_store::keys::MasterKey,
    purpose: &str,
    id: uuid::Uuid,
    token: &str,
) -> Option<Vec<u8>> {
    use base64::Engine;
    const NONCE: usize = 24;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    if bytes.len() <= NONCE {
        return None;
    }
    let sealed = candor_store::keys::SealedSecret {
        nonce: bytes[..NONCE].to_vec(),
        ciphertext: bytes[NONCE..].to_vec(),
    };
    master.open(purpose, id, &sealed).ok()
}

/// Hashes a new password off the async threads: `Ok(Err(reason))` when the
/// password is refused (too short), `Err` if the hashing task failed.
pub async fn hash_new_password(
    password: String,
) -> Result<Result<String, String>, tokio::task::JoinError> {
    tokio::task::spawn_blocking(move || hash_password(&password).map_err(|e| e.to_string())).await
}

/// The cookie that marks a browser that has signed in to an account before.
pub const DEVICE_COOKIE: &str = "__Host-candor_device";
const DEVICE_DAYS: i64 = 90;
const DEVICE_PURPOSE: &str = "known-device";

/// A cookie proving that this browser signed in to `user` before: the expiry,
/// sealed with the master key and bound to the account. None without a master key.
pub fn device_cookie(state: &crate::state::AppState, user: uuid::Uuid) -> Option<HeaderValue> {
    let master = state.config.master_key.as_ref()?;
    let expires = time::OffsetDateTime::now_utc() + time::Duration::days(DEVICE_DAYS);
    let value = seal_token(
        master,
        DEVICE_PURPOSE,
        user,
        &expires.unix_timestamp().to_be_bytes(),
    )?;
    let max_age = DEVICE_DAYS * 86_400;
    HeaderValue::from_str(&format!(
        "{DEVICE_COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict"
    ))
    .ok()
}

/// Whether the request carries an unexpired device cookie for `user`.
pub fn known_device(state: &crate::state::AppState, headers: &HeaderMap, user: uuid::Uuid) -> bool {
    let Some(master) = state.config.master_key.as_ref() else {
        return false;
    };
    cookie(headers, DEVICE_COOKIE)
        .and_then(|token| open_token(master, DEVICE_PURPOSE, user, token))
        .and_then(|plain| <[u8; 8]>::try_from(plain.as_slice()).ok())
        .is_some_and(|expiry| {
            i64::from_be_bytes(expiry) > time::OffsetDateTime::now_utc().unix_timestamp()
        })
}

/// Whether a password may be checked now for `email` from `ip`: every place that
/// checks a password (sign-in, accepting an invitation, changing a password)
/// spends from the same per-address and per-account budgets, so no form is a
/// cheaper way to guess. Each budget is kept twice: in memory (which turns a
/// flood away before it reaches the database) and in the database, shared by
/// every replica. The account is keyed by its address's hash; a browser that
/// signed in to it before (`known_device`) is exempt from the account budget,
/// so that strangers failing on purpose cannot lock its owner out.
pub async fn password_attempt_allowed(
    state: &crate::state::AppState,
    ip: std::net::IpAddr,
    email: &str,
    known_device: bool,
) -> Result<bool, candor_store::StoreError> {
    let account_key = secret_hash(&normalize_email(email));
    if state.limits.login_by_ip.check_key(&ip).is_err()
        || (!known_device
            && state
                .limits
                .login_by_account
                .check_key(&account_key)
                .is_err())
    {
        return Ok(false);
    }
    let limit = state.config.login_attempts_per_minute.get();
    let by_address = format!("password-ip:{}", secret_hash(&ip.to_string()));
    if !crate::limits::spend_shared(state, &by_address, limit, 60).await? {
        return Ok(false);
    }
    if known_device {
        return Ok(true);
    }
    let by_account = format!("password-account:{account_key}");
    crate::limits::spend_shared(state, &by_account, limit, 60).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery staple").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse battery staple"));
        assert!(!verify_password(&hash, "correct horse battery stapler"));
        assert!(!verify_password("not a hash", "x"));
        assert!(matches!(
            hash_password("short"),
            Err(AuthError::WeakPassword)
        ));
    }

    #[test]
    fn secrets_are_random_and_only_their_hash_is_kept() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(secret_hash(&a), a);
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("x=1; {SESSION_COOKIE}={a}")).unwrap(),
        );
        assert_eq!(session_secret(&headers), Some(a.as_str()));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer cnd_{b}")).unwrap(),
        );
        assert_eq!(bearer_token(&headers), Some(b.as_str()));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer nope"),
        );
        assert_eq!(bearer_token(&headers), None);
    }

    #[test]
    fn session_cookie_has_every_protection() {
        let cookie = session_cookie(&"a".repeat(64));
        let text = cookie.to_str().unwrap();
        for part in [
            "__Host-candor_session=",
            "Path=/",
            "HttpOnly",
            "Secure",
            "SameSite=Lax",
        ] {
            assert!(text.contains(part), "{text}");
        }
        assert!(!text.contains("Domain"));
    }
}
