//! Privacy-preserving analytics: counts per org, UTC day, metric and referrer
//! host. Nothing that identifies a reader is ever part of a count.

use std::fmt;
use std::str::FromStr;

/// What is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// The trust page (HTML) was served.
    PageView,
    /// A gated document's page (its NDA or request form) was served.
    DocumentView,
    /// A document file was downloaded.
    DocumentDownload,
    /// A reader accepted an NDA or asked for a document.
    AccessRequest,
}

impl Metric {
    pub const ALL: [Metric; 4] = [
        Metric::PageView,
        Metric::DocumentView,
        Metric::DocumentDownload,
        Metric::AccessRequest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::PageView => "page_view",
            Metric::DocumentView => "document_view",
            Metric::DocumentDownload => "document_download",
            Metric::AccessRequest => "access_request",
        }
    }

    /// For people: "page views".
    pub fn label(self) -> &'static str {
        match self {
            Metric::PageView => "page views",
            Metric::DocumentView => "document views",
            Metric::DocumentDownload => "downloads",
            Metric::AccessRequest => "access requests",
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Metric {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Metric::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| format!("unknown metric {s:?}"))
    }
}

/// One count: how many `metric` on `day` (UTC, `YYYY-MM-DD`) came from
/// `referrer` (a host name, or "" when the browser sent none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DailyCount {
    pub day: String,
    pub metric: Metric,
    pub referrer: String,
    pub count: u64,
}
