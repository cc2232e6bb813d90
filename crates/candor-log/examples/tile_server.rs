//! Serves a log of a million entries as C2SP tiles from memory, for Go's x/mod
//! tlog to read in the benchmark (scripts/bench-witness.sh): the same tile
//! encoding `candor serve` uses, at a size where the tree has three tile levels.
//! Usage: tile_server ENTRIES — prints `http://ADDR VKEY`, then serves until killed.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark tool: failing loudly is right

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use candor_log::checkpoint::Checkpoint;
use candor_log::note::NoteSigner;
use candor_log::tiles::{TileRef, entry_bundle};
use candor_log::tree::{MemoryTree, NodeStore, root};

fn entry(i: u64) -> Vec<u8> {
    format!(
        "{{\"content_hash\":\"sha256:{i:064x}\",\"org\":\"bench\",\"revision\":{}}}",
        i + 1
    )
    .into_bytes()
}

fn main() {
    let entries: u64 = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("ENTRIES"))
        .unwrap_or(1_000_000);
    let mut tree = MemoryTree::new();
    for i in 0..entries {
        tree.append(&entry(i));
    }
    let signer = NoteSigner::new("bench.example/bench", &[11; 32]).unwrap();
    let body = Checkpoint {
        origin: "bench.example/bench".into(),
        size: entries,
        root: root(&tree, entries).unwrap(),
    }
    .body();
    let note = signer.sign(&body).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    println!(
        "http://{} {}",
        listener.local_addr().unwrap(),
        signer.verifier_key()
    );
    std::io::stdout().flush().unwrap();
    let shared = Arc::new((tree, note, entries));
    for stream in listener.incoming().map_while(Result::ok) {
        let shared = shared.clone();
        std::thread::spawn(move || {
            let (tree, note, size) = &*shared;
            let _ = serve(stream, tree, note, *size);
        });
    }
}

fn serve(mut stream: TcpStream, tree: &MemoryTree, note: &str, size: u64) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    loop {
        let mut request = String::new();
        if reader.read_line(&mut request)? == 0 {
            return Ok(());
        }
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 || header == "\r\n" {
                break;
            }
        }
        let path = request.split_whitespace().nth(1).unwrap_or("/");
        let body = if path == "/checkpoint" {
            Some(note.as_bytes().to_vec())
        } else {
            path.strip_prefix("/tile/")
                .and_then(TileRef::parse)
                .filter(|t| t.exists_in(size))
                .map(|t| tile(tree, t))
        };
        match body {
            Some(b) => write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                b.len()
            )
            .and_then(|()| stream.write_all(&b))?,
            None => stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")?,
        }
    }
}

fn tile(tree: &MemoryTree, t: TileRef) -> Vec<u8> {
    let (start, end) = t.range();
    match t.level {
        None => entry_bundle(&(start..end).map(entry).collect::<Vec<_>>()).unwrap(),
        Some(_) => (start..end)
            .flat_map(|i| tree.node(t.tree_level(), i).unwrap())
            .collect(),
    }
}
