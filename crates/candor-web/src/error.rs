//! The one error shape of the JSON API: `{"error":{"code","message","field"}}`.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Debug, Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    field: Option<&'a str>,
}

/// An API error; renders as the JSON envelope with its status code.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// The same error naming the field it is about.
    pub fn with_field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_failed",
            message: message.into(),
            field: Some(field.into()),
        }
    }

    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side; it has been logged",
        )
    }

    /// The envelope for a status produced outside our handlers (body limits, unknown routes).
    pub fn for_status(status: StatusCode) -> ApiError {
        let (code, message) = match status {
            StatusCode::NOT_FOUND => ("not_found", "no such endpoint"),
            StatusCode::METHOD_NOT_ALLOWED => (
                "method_not_allowed",
                "this endpoint does not accept that method",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => (
                "payload_too_large",
                "the request body is larger than the limit",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "unsupported_media_type",
                "send application/json or application/yaml",
            ),
            StatusCode::BAD_REQUEST => ("bad_request", "the request could not be read"),
            StatusCode::TOO_MANY_REQUESTS => (
                "rate_limited",
                "too many requests; wait a minute and try again",
            ),
            StatusCode::FORBIDDEN => (
                "forbidden",
                "the request was refused (a cross-site request, or no rule allows it)",
            ),
            s if s.is_server_error() => (
                "internal",
                "something went wrong on our side; it has been logged",
            ),
            _ => ("error", "the request failed"),
        };
        ApiError::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Envelope {
            error: Body {
                code: self.code,
                message: &self.message,
                field: self.field.as_deref(),
            },
        };
        let json = serde_json::to_vec(&body)
            .unwrap_or_else(|_| b"{\"error\":{\"code\":\"internal\"}}".to_vec());
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            json,
        )
            .into_response()
    }
}

impl From<candor_app::members::MembersError> for ApiError {
    fn from(e: candor_app::members::MembersError) -> ApiError {
        use candor_app::members::MembersError;
        let message = e.to_string();
        match e {
            MembersError::Invalid { field, message } => ApiError::validation(field, message),
            MembersError::Forbidden(message) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
            }
            MembersError::NotAMember => ApiError::not_found(message).with_field("email"),
            MembersError::NoSuchInvite => ApiError::not_found(message),
            MembersError::LastOwner => ApiError::new(StatusCode::CONFLICT, "last_owner", message),
            MembersError::Store(e) => e.into(),
        }
    }
}

impl From<candor_store::StoreError> for ApiError {
    fn from(e: candor_store::StoreError) -> ApiError {
        tracing::error!(error = %e, "store error");
        ApiError::internal()
    }
}
