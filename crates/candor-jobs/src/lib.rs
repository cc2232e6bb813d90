//! Candor's background worker. Everything it sends was first written to the outbox
//! (in the transaction that decided to send it); the worker turns published
//! revisions into notices, then claims due messages with a lease and delivers them:
//! mail over SMTP, webhooks signed per Standard Webhooks. A worker that dies leaves
//! its claims to expire, so delivery is at least once; each message keeps one id
//! (Message-ID, `webhook-id`) across attempts so receivers can drop repeats.

pub mod evidence;
pub mod mail;
pub mod webhook;

// Composing messages and manage links is the application layer's; the worker sends them.
pub use candor_app::{compose, manage};
pub mod worker;

pub use worker::{Worker, WorkerConfig};
