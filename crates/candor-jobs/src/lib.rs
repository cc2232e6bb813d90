//! Candor's background worker. Everything it sends was first written to the outbox
//! (in the transaction that decided to send it); the worker turns published
//! revisions into notices, then claims due messages with a lease and delivers them:
//! mail over SMTP, webhooks signed per Standard Webhooks. A worker that dies leaves
//! its claims to expire, so delivery is at least once; each message keeps one id
//! (Message-ID, `webhook-id`) across attempts so receivers can drop repeats.

pub mod compose;
pub mod evidence;
pub mod mail;
pub mod manage;
pub mod webhook;
pub mod worker;

pub use worker::{Worker, WorkerConfig};
