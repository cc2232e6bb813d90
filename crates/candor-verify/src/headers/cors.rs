//! Cross-origin resource sharing, as the answer to a probe from another origin.

use super::Headers;
use crate::{Finding, Verdict};

/// CORS: a wildcard or reflected origin together with credentials exposes users' data.
pub fn check_cors(headers: &Headers, probe_origin: &str) -> Finding {
    const C: &str = "cors";
    let origin = headers.one("access-control-allow-origin").map(str::trim);
    let credentials = headers
        .one("access-control-allow-credentials")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    match origin {
        None => Finding::pass(C, "no cross-origin access granted"),
        Some(o)
            if credentials && (o == "*" || o.eq_ignore_ascii_case(probe_origin) || o == "null") =>
        {
            Finding::new(
                C,
                "cors_credentials_any_origin",
                Verdict::Fail,
                format!(
                    "Access-Control-Allow-Origin {o} with credentials: any site can read users' responses"
                ),
            )
        }
        Some("*") => Finding::new(
            C,
            "cors_public",
            Verdict::Warn,
            "Access-Control-Allow-Origin * (fine for public data, without credentials)",
        ),
        Some(o) => Finding::pass(C, format!("cross-origin access only for {o}")),
    }
}
