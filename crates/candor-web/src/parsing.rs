//! Trust-as-code documents are parsed off the async runtime's threads, a few at a
//! time and under a deadline, so that no request body can stall other requests.
//! The parser's own limits (`candor_domain::yaml_guard`) keep each parse linear in
//! the body's size; this is the second wall.

use std::time::Duration;

use axum::http::StatusCode;
use candor_domain::ContentError;
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// Parses running at once; more wait for a slot (within the deadline).
static PARSE_SLOTS: Semaphore = Semaphore::const_new(2);

/// Longest a request waits for a parse, slot included.
pub const PARSE_DEADLINE: Duration = Duration::from_secs(10);

/// Why a document could not be parsed.
#[derive(Debug)]
pub enum ParseFailure {
    /// The document is wrong; the error names the field.
    Invalid(ContentError),
    /// No parse slot came free, or the parse ran past the deadline.
    Busy,
}

impl From<ParseFailure> for ApiError {
    fn from(failure: ParseFailure) -> ApiError {
        match failure {
            ParseFailure::Invalid(e) => {
                ApiError::validation(e.first().field.clone(), e.to_string())
            }
            ParseFailure::Busy => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the server is busy reading other documents; try again shortly",
            ),
        }
    }
}

/// Runs `parse` on a blocking thread, at most [`PARSE_SLOTS`] at once, giving up
/// after [`PARSE_DEADLINE`].
pub async fn off_runtime<T, F>(parse: F) -> Result<T, ParseFailure>
where
    F: FnOnce() -> Result<T, ContentError> + Send + 'static,
    T: Send + 'static,
{
    let work = async {
        let slot = PARSE_SLOTS
            .acquire()
            .await
            .map_err(|_| ParseFailure::Busy)?;
        // The slot goes with the work: a parse abandoned at the deadline keeps
        // its slot until it really ends.
        let run = move || {
            let result = parse();
            drop(slot);
            result
        };
        match tokio::task::spawn_blocking(run).await {
            Ok(result) => result.map_err(ParseFailure::Invalid),
            Err(e) => {
                tracing::error!(error = %e, "document parse panicked");
                Err(ParseFailure::Busy)
            }
        }
    };
    match tokio::time::timeout(PARSE_DEADLINE, work).await {
        Ok(result) => result,
        Err(_) => {
            tracing::warn!("document parse ran past its deadline");
            Err(ParseFailure::Busy)
        }
    }
}
