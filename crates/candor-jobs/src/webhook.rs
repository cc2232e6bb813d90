//! The HTTP client webhooks are sent with, which will not be pointed at the
//! operator's own network. Secrets, signing and the target check are
//! `candor_app::webhook`.

use std::time::Duration;

pub use candor_app::webhook::*;

/// The client webhooks are sent with: short timeouts, no redirects (a redirect
/// could lead anywhere), and, unless the operator allows private targets, a
/// resolver that only returns public addresses.
pub fn client(allow_private: bool) -> reqwest::Result<reqwest::Client> {
    candor_verify::net::guarded_client_builder(allow_private)
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Candor-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}
