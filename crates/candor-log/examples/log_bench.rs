//! Measures the Merkle log at a million entries: appends, inclusion-proof
//! generation and verification. Writes the proofs it made to the file named by
//! the first argument, so the Go benchmark can time its own verifier on the
//! very same proofs. Run by scripts/bench-log.sh (release build).
#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark tool: failing loudly is right

use std::io::Write;
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use candor_log::tree::{MemoryTree, NodeStore, inclusion_proof, root, verify_inclusion};

const ENTRIES: u64 = 1_000_000;
const PROOFS: u64 = 10_000;

fn main() {
    let out_path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "proofs.json".into());
    let start = Instant::now();
    let mut tree = MemoryTree::new();
    for i in 0..ENTRIES {
        tree.append(
            format!(
                "{{\"content_hash\":\"sha256:{i:064x}\",\"org\":\"acme\",\"revision\":{}}}",
                i + 1
            )
            .as_bytes(),
        );
    }
    let append_secs = start.elapsed().as_secs_f64();
    let root_hash = root(&tree, ENTRIES).expect("root");

    // Indices spread over the whole tree, the same every run.
    let indices: Vec<u64> = (0..PROOFS).map(|k| (k * 7_919_723) % ENTRIES).collect();
    let start = Instant::now();
    let proofs: Vec<Vec<[u8; 32]>> = indices
        .iter()
        .map(|&i| inclusion_proof(&tree, i, ENTRIES).expect("proof"))
        .collect();
    let prove_ns = start.elapsed().as_nanos() as f64 / PROOFS as f64;

    let leaves: Vec<[u8; 32]> = indices
        .iter()
        .map(|&i| tree.node(0, i).expect("leaf"))
        .collect();
    let start = Instant::now();
    for ((leaf, &index), proof) in leaves.iter().zip(&indices).zip(&proofs) {
        verify_inclusion(leaf, index, ENTRIES, proof, &root_hash).expect("verifies");
    }
    let verify_ns = start.elapsed().as_nanos() as f64 / PROOFS as f64;

    let mut file = std::io::BufWriter::new(std::fs::File::create(&out_path).expect("proof file"));
    write!(
        file,
        "{{\"size\":{ENTRIES},\"root\":\"{}\",\"proofs\":[",
        STANDARD.encode(root_hash)
    )
    .expect("write");
    for (n, ((leaf, index), proof)) in leaves.iter().zip(&indices).zip(&proofs).enumerate() {
        let hashes: Vec<String> = proof
            .iter()
            .map(|h| format!("\"{}\"", STANDARD.encode(h)))
            .collect();
        let sep = if n == 0 { "" } else { "," };
        write!(
            file,
            "{sep}{{\"index\":{index},\"leaf\":\"{}\",\"proof\":[{}]}}",
            STANDARD.encode(leaf),
            hashes.join(",")
        )
        .expect("write");
    }
    writeln!(file, "]}}").expect("write");
    println!(
        "{{\"entries\":{ENTRIES},\"appends_per_sec\":{:.0},\"prove_ns\":{prove_ns:.0},\"verify_ns\":{verify_ns:.0}}}",
        ENTRIES as f64 / append_secs
    );
}
