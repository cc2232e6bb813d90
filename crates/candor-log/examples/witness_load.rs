//! Load for a witness (`candor witness serve`), in scripts/bench-witness.sh:
//! a log grows one entry at a time and each signed checkpoint is submitted
//! with its consistency proof, then one checkpoint is submitted again and again
//! (what keeps cosignatures fresh). Every cosignature is checked.
//! Usage: witness_load key — prints the log's verifier key;
//!        witness_load run URL WITNESS_VKEY N — prints a JSON line of rates.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark tool: failing loudly is right

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use candor_log::checkpoint::Checkpoint;
use candor_log::cosignature::CosignatureVerifier;
use candor_log::note::NoteSigner;
use candor_log::tree::{MemoryTree, consistency_proof, root};

const ORIGIN: &str = "bench.example/witnessed";

fn post(addr: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /add-checkpoint HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let signer = NoteSigner::new(ORIGIN, &[12; 32]).unwrap();
    if args.get(1).map(String::as_str) == Some("key") {
        println!("{}", signer.verifier_key());
        return;
    }
    let [_, _, url, witness_key, n] = args.as_slice() else {
        panic!("usage: witness_load run URL WITNESS_VKEY N");
    };
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let witness = CosignatureVerifier::parse(witness_key).unwrap();
    let n: u64 = n.parse().unwrap();
    let mut tree = MemoryTree::new();
    let mut note = String::new();
    let start = Instant::now();
    for size in 1..=n {
        tree.append(format!("entry {size}").as_bytes());
        let body = Checkpoint {
            origin: ORIGIN.into(),
            size,
            root: root(&tree, size).unwrap(),
        }
        .body();
        note = signer.sign(&body).unwrap();
        let old = size - 1;
        let mut request = format!("old {old}\n");
        if old > 0 {
            for h in consistency_proof(&tree, old, size).unwrap() {
                request.push_str(&STANDARD.encode(h));
                request.push('\n');
            }
        }
        request.push('\n');
        request.push_str(&note);
        let (status, answer) = post(addr, &request);
        assert_eq!(status, 200, "size {size}: {answer}");
        assert!(
            witness.timestamp(&format!("{note}{answer}")).is_some(),
            "a valid cosignature"
        );
    }
    let adds = n as f64 / start.elapsed().as_secs_f64();
    let start = Instant::now();
    for _ in 0..n {
        let (status, answer) = post(addr, &format!("old {n}\n\n{note}"));
        assert_eq!(status, 200, "{answer}");
    }
    let refreshes = n as f64 / start.elapsed().as_secs_f64();
    println!(
        "{{\"checkpoints\":{n},\"adds_per_sec\":{adds:.1},\"refreshes_per_sec\":{refreshes:.1}}}"
    );
}
