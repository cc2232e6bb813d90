//! Certificates Candor obtains and renews itself over ACME (RFC 8555): for the
//! server's own host and for every org host whose control the org proved.
//!
//! Every replica runs a [`Manager`]; the store is what they share: the ACME
//! account and each certificate's private key are sealed with the master key,
//! one replica at a time holds a host's attempt (a lease), and the HTTP-01
//! answers live in the store so that whichever replica the CA reaches can give
//! them. Each replica serves the certificates by SNI from its
//! [`CertificateSet`], reloaded from the store on every pass.

mod certs;
mod manager;

pub use certs::CertificateSet;
pub use manager::{AcmeConfig, Manager, renewal_time, retry_delay};

/// Where HTTP-01 answers are served, over plain HTTP on port 80 (RFC 8555 §8.3).
pub const CHALLENGE_PATH: &str = "/.well-known/acme-challenge/";
