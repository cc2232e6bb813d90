//! Names of evidence checks as stored and shown.

use candor_domain::model::CheckKind;

/// The stored name of a check kind (the `check` column of evidence records).
pub fn kind_name(kind: CheckKind) -> &'static str {
    match kind {
        CheckKind::Hsts => "hsts",
        CheckKind::Tls => "tls",
        CheckKind::Redirect => "redirect",
        CheckKind::SecurityTxt => "security_txt",
        CheckKind::Headers => "headers",
        CheckKind::Observatory => "observatory",
    }
}
