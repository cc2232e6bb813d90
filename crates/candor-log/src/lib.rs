//! Candor's transparency log, pure: hashing, proofs, checkpoints, signed notes.
//!
//! * [`tree`]: the RFC 6962 / RFC 9162 Merkle tree over any [`tree::NodeStore`],
//!   with inclusion and consistency proofs and their verification.
//! * [`checkpoint`]: the C2SP `tlog-checkpoint` body (origin, size, root).
//! * [`note`]: C2SP `signed-note` signing and verification with Ed25519.
//!
//! Nothing here touches a disk or a network; storage crates keep the hashes.

pub mod checkpoint;
pub mod cosignature;
pub mod note;
pub mod tiles;
pub mod tree;

pub use tree::{Hash, leaf_hash, node_hash};
