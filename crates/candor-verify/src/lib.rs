//! Candor's own scanner: it checks a host the way the best public scanners do and
//! explains every verdict in one line. The analysers are pure functions over what
//! was observed (headers, a security.txt body, where a redirect went), so each can
//! be tested on its own and compared with peer tools on the same observations.

pub mod dns;
pub mod headers;
pub mod net;
pub mod observatory;
pub mod proof;
pub mod scan;
pub mod securitytxt;
pub mod tls;

use serde::Serialize;

/// How one check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    /// Works, but falls short of the recommendation.
    Warn,
    Fail,
}

/// One verdict with its reason, e.g. `hsts: fail — max-age is 86400 s, under 180 days`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Which check: `hsts`, `csp`, `security_txt`, …
    pub check: &'static str,
    /// A stable code for the problem (or `ok`), as peer tools name them where they can.
    pub code: &'static str,
    pub verdict: Verdict,
    pub message: String,
}

impl Finding {
    pub fn new(
        check: &'static str,
        code: &'static str,
        verdict: Verdict,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            check,
            code,
            verdict,
            message: message.into(),
        }
    }

    pub fn pass(check: &'static str, message: impl Into<String>) -> Finding {
        Finding::new(check, "ok", Verdict::Pass, message)
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verdict = match self.verdict {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "FAIL",
        };
        write!(f, "{}: {verdict} — {}", self.check, self.message)
    }
}

/// The worst verdict among findings (Pass when there are none).
pub fn overall(findings: &[Finding]) -> Verdict {
    findings
        .iter()
        .map(|f| f.verdict)
        .max()
        .unwrap_or(Verdict::Pass)
}
