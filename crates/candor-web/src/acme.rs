//! Answers to ACME HTTP-01 challenges (RFC 8555 §8.3), stored by whichever
//! replica placed the order: the CA fetches
//! `http://HOST/.well-known/acme-challenge/TOKEN` and expects the key
//! authorization as the body.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use candor_store::SharedStore;

/// A token is base64url (RFC 8555 §8.1), 128 bits or more: anything else is
/// not looked up.
fn plausible_token(token: &str) -> bool {
    (16..=256).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// On the plain-HTTP listener (the redirect), and on the main one for a CA
/// that followed the redirect to HTTPS.
pub async fn challenge_answer(
    State(store): State<SharedStore>,
    Path(token): Path<String>,
) -> Response {
    let token = token.as_str();
    let plain = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
    if !plausible_token(token) {
        return (StatusCode::NOT_FOUND, plain, "no such challenge\n").into_response();
    }
    match store.acme_challenge(token).await {
        Ok(Some(key_authorization)) => (StatusCode::OK, plain, key_authorization).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, plain, "no such challenge\n").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "challenge answer not read");
            (StatusCode::SERVICE_UNAVAILABLE, plain, "try again\n").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::plausible_token;

    #[test]
    fn only_base64url_tokens_are_looked_up() {
        assert!(plausible_token(
            "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"
        ));
        assert!(!plausible_token("short"));
        assert!(!plausible_token("../../etc/passwd/../../../../aaaa"));
        assert!(!plausible_token(&"a".repeat(300)));
    }
}
