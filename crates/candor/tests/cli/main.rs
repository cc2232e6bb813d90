//! The `candor` binary as an operator uses it: real processes, a real SQLite file,
//! real HTTP against `candor serve`. One test binary; a module per area.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

mod accounts;
mod acme;
mod backup;
mod config;
mod content;
mod db;
mod erasure;
mod hostile;
mod keys;
mod log;
mod metrics;
mod packaging;
mod pg_backup;
mod questionnaire;
mod replicas;
mod serve;
mod verify;
mod watch;
mod witness;
mod worker;
