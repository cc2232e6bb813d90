//! Candor's HTTP surface: the public trust pages, the JSON API, and the middleware
//! every response passes through (security headers, body cap, error envelope, access log).

pub mod access;
pub mod acme;
pub mod admin;
pub mod analytics;
pub mod api;
pub mod auth;
pub mod branding;
pub mod caller;
pub mod csaf;
pub mod documents;
pub mod error;
pub mod feed;
pub mod headers;
pub mod history;
pub use candor_i18n as i18n;
pub mod incidents;
pub mod language;
pub mod limits;
pub mod log;
pub mod markdown;
pub mod metrics;
pub mod openapi;
pub mod oscal;
pub mod page_cache;
pub mod page_error;
pub mod pages;
pub mod parsing;
pub mod privacy;
pub mod questionnaires;
pub mod readers;
pub mod reports;
pub mod router;
pub mod securitytxt;
pub mod server;
pub mod signing;
pub mod state;
pub mod subscribe;
pub mod views;
pub mod witnessing;

pub use router::router;
pub use server::{serve, serve_https_redirect, tls_config, tls_config_resolving};
pub use state::{AppState, AppStateInner, FeedCache, Limits, WebConfig};
