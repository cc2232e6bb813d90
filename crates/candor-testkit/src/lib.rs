//! What Candor's test binaries share (candor-web's `http`, candor's `cli`,
//! candor-verify's `peers`, candor-log's `oracle`): the real peer processes in
//! `tests/support` and the Rust side that drives them, a few process helpers,
//! and content fixtures. Test code: it panics on any failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod acme;
pub mod fixtures;
pub mod go;
pub mod mail;
pub mod peers;
pub mod process;
