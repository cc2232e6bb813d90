//! The watermark's cost (run by `scripts/bench-watermark.sh`): a 50-page PDF
//! stamped on every page, timed over several runs, against the time to only
//! parse and write it back unchanged (the floor any PDF library pays).
//!
//! Usage: watermark_bench [PAGES] [RUNS] [OUT.pdf]

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let pages: usize = args.first().map_or(Ok(50), |a| a.parse())?;
    let runs: usize = args.get(1).map_or(Ok(20), |a| a.parse())?;
    let pdf = candor_watermark::sample_pdf("Benchmark report", pages);
    let lines = vec![
        "reader@example.com (Example Corp)".to_owned(),
        "2026-12-01 12:00 UTC, grant 3f2a9c1e-4b7d-4e1a-9c55-0a1b2c3d4e5f".to_owned(),
    ];
    let mut stamped = Vec::new();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        stamped = candor_watermark::watermark(&pdf, &lines)?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let mut floor = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let mut doc = lopdf::Document::load_mem(&pdf)?;
        let mut out = Vec::new();
        doc.save_to(&mut out)?;
        floor.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    floor.sort_by(f64::total_cmp);
    let median = |v: &[f64]| v[v.len() / 2];
    println!(
        "{pages} pages, {} bytes in, {} bytes out; {runs} runs",
        pdf.len(),
        stamped.len()
    );
    println!(
        "watermark: median {:.2} ms, max {:.2} ms; parse + write only: median {:.2} ms; ratio {:.2}",
        median(&times),
        times[times.len() - 1],
        median(&floor),
        median(&times) / median(&floor)
    );
    if let Some(out) = args.get(2) {
        std::fs::write(out, &stamped)?;
    }
    Ok(())
}
