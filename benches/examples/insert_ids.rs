//! Times the inserts of `benches/inserts.rs` with and without
//! `AUTOINCREMENT`, alternating the two tables run after run (so that load
//! from other processes hits both alike), and prints the median of each and
//! their ratio. Also the unit to count system calls with `strace -c`.
//!
//! Usage: `cargo run --release -p staged-bench --example insert_ids -- <case> <rows> <runs> [autoincrement|plain]`,
//! where `<case>` is one of `staged-tx`, `rusqlite-tx`, `staged-autocommit`;
//! with a last argument, runs only that table.

use std::path::Path;
use std::time::{Duration, Instant};

use staged_bench::inserts::{Ids, empty_store, raw_inserts, staged_autocommit, staged_inserts};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let case = args.first().map_or("staged-tx", String::as_str);
    let rows: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(10_000);
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(21);
    let run: fn(&Path, usize) = match case {
        "staged-tx" => staged_inserts,
        "rusqlite-tx" => raw_inserts,
        "staged-autocommit" => staged_autocommit,
        other => panic!("unknown case `{other}`"),
    };
    let tables: Vec<Ids> = match args.get(3).map(String::as_str) {
        None => vec![Ids::Autoincrement, Ids::Plain],
        Some("autoincrement") => vec![Ids::Autoincrement],
        Some("plain") => vec![Ids::Plain],
        Some(other) => panic!("unknown table `{other}`"),
    };
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); tables.len()];
    for _ in 0..runs {
        for (k, ids) in tables.iter().enumerate() {
            let (_dir, path) = empty_store(*ids);
            let started = Instant::now();
            run(&path, rows);
            times[k].push(started.elapsed());
        }
    }
    let mut medians = Vec::new();
    for (ids, mut times) in tables.iter().zip(times) {
        times.sort();
        let median = times[times.len() / 2];
        println!(
            "{case} {rows} rows, {}: median {:.2} ms over {runs} runs",
            ids.name(),
            median.as_secs_f64() * 1e3
        );
        medians.push(median);
    }
    if let [autoincrement, plain] = medians[..] {
        println!(
            "ratio autoincrement / plain: {:.3}",
            autoincrement.as_secs_f64() / plain.as_secs_f64()
        );
    }
}
