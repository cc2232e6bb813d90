//! Benchmark: scan many hosts at once with bounded concurrency, and report the
//! time and the peak memory, against one host scanned alone in the same run.
//!
//!   cargo run --release -p candor-verify --example scan_many -- HOSTS IN_FLIGHT CA.pem 127.0.0.1:PORT [HTTP_PORT]
//!
//! Every host name `hN.candor.test` is pinned to the given address (one local
//! server answers for all of them, by name), so the figure is the scanner's, not
//! the network's. With HTTP_PORT, each host's plain-HTTP redirect is checked there.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use candor_verify::scan::{ScanOptions, scan};

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let hosts: usize = args[1].parse().unwrap();
    let in_flight: usize = args[2].parse().unwrap();
    let ca = std::fs::read(&args[3]).unwrap();
    let addr: std::net::SocketAddr = args[4].parse().unwrap();
    let http_port: Option<u16> = args.get(5).map(|p| p.parse().unwrap());
    let names: Vec<String> = (0..hosts).map(|i| format!("h{i}.candor.test")).collect();
    // Each scan pins only its own name: a client holds its fixed addresses, so
    // pinning every name in every client would grow with the number of hosts.
    let options_for = |name: &str| -> ScanOptions {
        ScanOptions {
            allow_private: true,
            extra_roots: vec![ca.clone()],
            resolve: vec![(name.to_owned(), addr)],
            http_url: http_port.map(|port| format!("http://{name}:{port}/")),
            ..Default::default()
        }
    };

    let start = Instant::now();
    let alone = scan(&format!("https://{}/", names[0]), &options_for(&names[0]))
        .await
        .unwrap();
    let one = start.elapsed();
    let rss_one = peak_rss_kib();

    let limit = Arc::new(tokio::sync::Semaphore::new(in_flight));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for name in names.clone() {
        let options = options_for(&name);
        // Wait for a slot before spawning, so only IN_FLIGHT scans exist at once
        // and memory is bounded by concurrency, not by the number of hosts.
        let permit = limit.clone().acquire_owned().await.unwrap();
        tasks.spawn(async move {
            let _permit = permit;
            scan(&format!("https://{name}/"), &options)
                .await
                .map(|r| r.findings.len())
        });
    }
    let mut done = 0;
    while let Some(result) = tasks.join_next().await {
        assert!(result.unwrap().unwrap() > 0);
        done += 1;
    }
    let all = start.elapsed();
    println!(
        "one host alone: {:.0} ms ({} findings, verdict {:?}, grade {})",
        one.as_secs_f64() * 1000.0,
        alone.findings.len(),
        alone.verdict,
        match &alone.observatory {
            candor_verify::scan::ObservatoryOutcome::Graded(g) => g.to_string(),
            candor_verify::scan::ObservatoryOutcome::NotGraded { error } => error.clone(),
        }
    );
    for finding in alone
        .findings
        .iter()
        .filter(|f| f.verdict != candor_verify::Verdict::Pass)
    {
        println!("  {finding}");
    }
    println!(
        "{done} hosts, {in_flight} in flight: {:.2} s, {:.0} ms per host",
        all.as_secs_f64(),
        all.as_secs_f64() * 1000.0 / done as f64
    );
    println!(
        "ratio to {done} × one host alone: {:.3}",
        all.as_secs_f64() / (one.as_secs_f64() * done as f64)
    );
    println!(
        "peak memory: {} MiB (after one host: {} MiB)",
        peak_rss_kib() / 1024,
        rss_one / 1024
    );
}
