//! The comparisons of `benches/data_models.rs`, alternated round after
//! round (so that load from other processes hits every case alike), with
//! the median of each case and the ratios. Also a unit to profile (one case
//! alone, with `valgrind --tool=callgrind`).
//!
//! Usage: `cargo run --release -p staged-bench --example data_models -- <what> [rounds] [case]`,
//! where `<what>` is `fetch` (every row of a 100 000-note store) or
//! `upsert` (10 000 notes in one transaction, half of them stored, on a
//! fresh copy of the store each round); with a last argument, runs only
//! that case.

use std::hint::black_box;
use std::time::{Duration, Instant};

use staged_bench::data_models::{
    FETCH_ROWS, fetch_store, open_staged, raw_fetch_all, raw_upsert_all, raw_upsert_all_returning,
    staged_fetch_all, staged_upsert_all, upsert_fixture, upserts,
};
use staged_bench::fixture::Fixture;
use staged_bench::running_app::{Journal, open_raw, open_raw_reader};

/// One case: its name and one timed round.
type Case<'a> = (&'static str, Box<dyn FnMut() -> Duration + 'a>);

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn run(cases: &mut [Case<'_>], rounds: usize, only: Option<&str>, ratios: &[(&str, &str, &str)]) {
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); cases.len()];
    for _ in 0..rounds {
        for (k, (name, round)) in cases.iter_mut().enumerate() {
            if only.is_none_or(|o| o == *name) {
                times[k].push(round());
            }
        }
    }
    let mut medians = Vec::new();
    for ((name, _), times) in cases.iter().zip(&mut times) {
        if !times.is_empty() {
            let m = median(times);
            println!("{name}: median {m:.2?} of {} rounds", times.len());
            medians.push((*name, m));
        }
    }
    let find = |name: &str| medians.iter().find(|(n, _)| *n == name).map(|(_, m)| *m);
    for (what, a, b) in ratios {
        if let (Some(a), Some(b)) = (find(a), find(b)) {
            println!("{what}: {:.3}", a.as_secs_f64() / b.as_secs_f64());
        }
    }
}

fn timed(f: impl FnOnce()) -> Duration {
    let started = Instant::now();
    f();
    started.elapsed()
}

fn fetch(rounds: usize, only: Option<&str>) {
    let fixture = Fixture::build("notes-fetch", |path| fetch_store(path, FETCH_ROWS))
        .expect("seed the notes store");
    let container = open_staged(fixture.seeded());
    let mut ctx = container.context();
    let conn = open_raw_reader(fixture.seeded());
    let mut cases: Vec<Case<'_>> = vec![
        (
            "staged",
            Box::new(|| timed(|| drop(black_box(staged_fetch_all(&mut ctx))))),
        ),
        (
            "rusqlite",
            Box::new(|| timed(|| drop(black_box(raw_fetch_all(&conn))))),
        ),
    ];
    run(
        &mut cases,
        rounds,
        only,
        &[("fetch: staged / rusqlite", "staged", "rusqlite")],
    );
}

fn upsert(rounds: usize, only: Option<&str>) {
    let fixture = upsert_fixture();
    // Each round on a fresh copy, opened before the clock starts and closed
    // after it stops.
    let mut cases: Vec<Case<'_>> = vec![
        (
            "staged",
            Box::new(|| {
                let (container, notes) = (open_staged(&fixture.fresh_copy()), upserts());
                timed(|| {
                    drop(black_box(staged_upsert_all(
                        &mut container.context(),
                        notes,
                    )))
                })
            }),
        ),
        (
            "rusqlite",
            Box::new(|| {
                let (mut conn, notes) = (
                    open_raw(&fixture.fresh_copy(), Journal::WalNormal),
                    upserts(),
                );
                timed(|| raw_upsert_all(&mut conn, notes))
            }),
        ),
        (
            "rusqlite_returning",
            Box::new(|| {
                let (mut conn, notes) = (
                    open_raw(&fixture.fresh_copy(), Journal::WalNormal),
                    upserts(),
                );
                timed(|| drop(black_box(raw_upsert_all_returning(&mut conn, notes))))
            }),
        ),
    ];
    run(
        &mut cases,
        rounds,
        only,
        &[
            ("upsert: staged / rusqlite", "staged", "rusqlite"),
            (
                "upsert: rusqlite with RETURNING / without",
                "rusqlite_returning",
                "rusqlite",
            ),
        ],
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rounds = args
        .get(1)
        .map_or(9, |r| r.parse().expect("a number of rounds"));
    let only = args.get(2).map(String::as_str);
    match args.first().map(String::as_str) {
        Some("fetch") => fetch(rounds, only),
        Some("upsert") => upsert(rounds, only),
        _ => eprintln!("usage: data_models <fetch|upsert> [rounds] [case]"),
    }
}
