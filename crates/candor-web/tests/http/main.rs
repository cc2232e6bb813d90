//! The HTTP surface over real HTTP: the app runs on 127.0.0.1:0 against a fresh
//! database (SQLite, or PostgreSQL with CANDOR_TEST_BACKEND=postgres), and every
//! test talks to it with a real client. One test binary; a module per area.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

mod accounts;
mod admin;
mod analytics;
mod api;
mod auth;
mod branding;
mod documents;
mod formats;
mod history;
mod incidents;
mod languages;
mod limits;
mod log;
mod pages;
mod privacy;
mod questionnaires;
mod readers;
mod reports;
mod security_txt;
mod subscribers;
mod transcription;
