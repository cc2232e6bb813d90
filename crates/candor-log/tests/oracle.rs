//! candor-log checked by an implementation we did not write: Go's
//! golang.org/x/mod/sumdb/tlog and sumdb/note, from Debian's packages, built
//! offline (scripts/test.sh installs golang-go and golang-golang-x-mod-dev).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use candor_log::checkpoint::Checkpoint;
use candor_log::note::NoteSigner;
use candor_log::tree::{MemoryTree, NodeStore, consistency_proof, inclusion_proof, root};
use candor_testkit::process::output_with_input;
use serde_json::{Value, json};

fn b64(h: &[u8; 32]) -> String {
    STANDARD.encode(h)
}

fn build_oracle(dir: &std::path::Path) -> std::path::PathBuf {
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle/verify.go");
    candor_testkit::go::build(std::path::Path::new(source), dir)
}

fn run_oracle(oracle: &std::path::Path, input: &Value) -> String {
    let out = output_with_input(&mut Command::new(oracle), input.to_string().as_bytes());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "the Go oracle disagreed: {text}");
    text
}

fn tree(n: u64) -> MemoryTree {
    let mut t = MemoryTree::new();
    for i in 0..n {
        t.append(format!("{{\"revision\":{i}}}").as_bytes());
    }
    t
}

fn inclusion_case(t: &MemoryTree, index: u64, size: u64) -> Value {
    json!({
        "index": index,
        "size": size,
        "leaf": b64(&t.node(0, index).unwrap()),
        "proof": inclusion_proof(t, index, size).unwrap().iter().map(b64).collect::<Vec<_>>(),
        "root": b64(&root(t, size).unwrap()),
    })
}

fn consistency_case(t: &MemoryTree, old: u64, new: u64) -> Value {
    json!({
        "old": old,
        "new": new,
        "old_root": b64(&root(t, old).unwrap()),
        "new_root": b64(&root(t, new).unwrap()),
        "proof": consistency_proof(t, old, new).unwrap().iter().map(b64).collect::<Vec<_>>(),
    })
}

#[test]
fn go_x_mod_verifies_every_proof_up_to_300_a_few_large_trees_and_our_signed_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let oracle = build_oracle(dir.path());

    let small = tree(300);
    let mut inclusion = Vec::new();
    let mut consistency = Vec::new();
    for size in 1..=300u64 {
        for index in 0..size {
            inclusion.push(inclusion_case(&small, index, size));
        }
        for old in 1..size {
            consistency.push(consistency_case(&small, old, size));
        }
    }
    let large = tree(1_000_003);
    for (index, size) in [
        (0, 1_000_003),
        (524_287, 1_000_003),
        (1_000_002, 1_000_003),
        (65_536, 65_537),
        (123_456, 999_999),
    ] {
        inclusion.push(inclusion_case(&large, index, size));
    }
    for (old, new) in [
        (1, 1_000_003),
        (65_536, 1_000_003),
        (999_999, 1_000_003),
        (300_001, 700_003),
    ] {
        consistency.push(consistency_case(&large, old, new));
    }
    let mut bad = inclusion_case(&small, 17, 200);
    bad["index"] = json!(18);

    let signer = NoteSigner::new("trust.example.com/quillfeather", &[9; 32]).unwrap();
    let notes: Vec<String> = [1u64, 2, 7, 300]
        .iter()
        .map(|&size| {
            let body = Checkpoint {
                origin: "trust.example.com/quillfeather".into(),
                size,
                root: root(&small, size).unwrap(),
            }
            .body();
            signer.sign(&body).unwrap()
        })
        .collect();
    let tampered = notes[3].replacen("\n300\n", "\n299\n", 1);

    let input = json!({
        "vkey": signer.verifier_key(),
        "notes": notes,
        "bad_notes": [tampered],
        "inclusion": inclusion,
        "consistency": consistency,
        "bad_inclusion": [bad],
    });
    let expected = notes.len() + inclusion.len() + consistency.len();
    assert_eq!(run_oracle(&oracle, &input).trim(), format!("ok {expected}"));
}
