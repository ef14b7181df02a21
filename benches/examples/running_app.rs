//! The comparisons of `benches/running_app.rs`, alternated round after
//! round (so that load from other processes hits every case alike), with
//! the median of each case and the ratios. Also a unit to profile (one case
//! alone, with `valgrind --tool=callgrind`).
//!
//! Usage: `cargo run --release -p staged-bench --example running_app -- <what> [rounds] [case]`,
//! where `<what>` is `reads` (4 reader threads, 50 pages each, alone and
//! while a writer commits; and hand-written with a bound `LIMIT ?`), `commits` (100 single-row commits per round)
//! or `fetch` (every row of a 100 000-row store); with a last argument, runs
//! only that case.

use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use staged_bench::running_app::{
    FETCH_ALL_ROWS, FETCHES_PER_THREAD, Journal, READ_STORE_ROWS, READER_THREADS, Writer, open_raw,
    open_raw_reader, open_staged, raw_fetch_all, raw_insert, raw_page, raw_page_bound_limit,
    staged_fetch_all, staged_insert, staged_page, store, timed_readers,
};

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

fn reads(rounds: usize, only: Option<&str>) {
    let (_dir, path) = store(READ_STORE_ROWS, Journal::WalNormal);
    let container = open_staged(&path, Journal::WalNormal);
    let raw_readers: Vec<_> = (0..READER_THREADS)
        .map(|_| Mutex::new(open_raw_reader(&path)))
        .collect();
    let staged_round = || {
        timed_readers(READER_THREADS, FETCHES_PER_THREAD, |_| {
            let mut ctx = container.context();
            move |k| {
                black_box(staged_page(&mut ctx, k));
            }
        })
    };
    let raw_round = || {
        timed_readers(READER_THREADS, FETCHES_PER_THREAD, |t| {
            let conn = &raw_readers[t];
            move |k| {
                black_box(raw_page(&conn.lock().expect("reader"), k));
            }
        })
    };
    let mut cases: Vec<Case<'_>> = vec![
        ("staged_alone", Box::new(staged_round)),
        (
            "staged_with_writer",
            Box::new(|| {
                let mut ctx = container.context();
                let _writer = Writer::start(move |i| staged_insert(&mut ctx, i));
                staged_round()
            }),
        ),
        ("rusqlite_alone", Box::new(raw_round)),
        (
            "rusqlite_bound_limit_alone",
            Box::new(|| {
                timed_readers(READER_THREADS, FETCHES_PER_THREAD, |t| {
                    let conn = &raw_readers[t];
                    move |k| {
                        black_box(raw_page_bound_limit(&conn.lock().expect("reader"), k));
                    }
                })
            }),
        ),
        (
            "rusqlite_with_writer",
            Box::new(|| {
                let conn = open_raw(&path, Journal::WalNormal);
                let _writer = Writer::start(move |i| raw_insert(&conn, i));
                raw_round()
            }),
        ),
    ];
    run(
        &mut cases,
        rounds,
        only,
        &[
            (
                "staged: time with a writer / alone",
                "staged_with_writer",
                "staged_alone",
            ),
            (
                "rusqlite: time with a writer / alone",
                "rusqlite_with_writer",
                "rusqlite_alone",
            ),
            ("alone: staged / rusqlite", "staged_alone", "rusqlite_alone"),
            (
                "with a writer: staged / rusqlite",
                "staged_with_writer",
                "rusqlite_with_writer",
            ),
        ],
    );
}

fn commits(rounds: usize, only: Option<&str>) {
    const COMMITS: usize = 100;
    let mut cases: Vec<Case<'_>> = Vec::new();
    for journal in [Journal::WalNormal, Journal::RollbackFull] {
        // Each case its own store, its rows numbered from 0.
        let (dir, path) = store(0, journal);
        let container = open_staged(&path, journal);
        let mut ctx = container.context();
        let mut next = 0;
        let staged = move || {
            let _keep = (&dir, &container);
            let started = Instant::now();
            for _ in 0..COMMITS {
                staged_insert(&mut ctx, next);
                next += 1;
            }
            started.elapsed()
        };
        let (dir, path) = store(0, journal);
        let conn = open_raw(&path, journal);
        let mut next = 0;
        let raw = move || {
            let _keep = &dir;
            let started = Instant::now();
            for _ in 0..COMMITS {
                raw_insert(&conn, next);
                next += 1;
            }
            started.elapsed()
        };
        let names = match journal {
            Journal::WalNormal => ("staged_wal_normal", "rusqlite_wal_normal"),
            Journal::RollbackFull => ("staged_rollback_full", "rusqlite_rollback_full"),
        };
        cases.push((names.0, Box::new(staged)));
        cases.push((names.1, Box::new(raw)));
    }
    run(
        &mut cases,
        rounds,
        only,
        &[
            (
                "WAL + NORMAL: staged / rusqlite",
                "staged_wal_normal",
                "rusqlite_wal_normal",
            ),
            (
                "rollback + FULL: staged / rusqlite",
                "staged_rollback_full",
                "rusqlite_rollback_full",
            ),
            (
                "staged, commits per second: WAL + NORMAL / rollback + FULL (1 / this)",
                "staged_wal_normal",
                "staged_rollback_full",
            ),
        ],
    );
}

fn fetch(rounds: usize, only: Option<&str>) {
    let (_dir, path) = store(FETCH_ALL_ROWS, Journal::WalNormal);
    let container = open_staged(&path, Journal::WalNormal);
    let mut ctx = container.context();
    let conn = open_raw_reader(&path);
    let mut cases: Vec<Case<'_>> = vec![
        (
            "staged",
            Box::new(move || {
                let started = Instant::now();
                black_box(staged_fetch_all(&mut ctx));
                started.elapsed()
            }),
        ),
        (
            "rusqlite",
            Box::new(move || {
                let started = Instant::now();
                black_box(raw_fetch_all(&conn));
                started.elapsed()
            }),
        ),
    ];
    run(
        &mut cases,
        rounds,
        only,
        &[(
            "fetch of 100k rows: staged / rusqlite",
            "staged",
            "rusqlite",
        )],
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let what = args.first().map_or("reads", String::as_str);
    let rounds = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(21);
    let only = args.get(2).map(String::as_str);
    match what {
        "reads" => reads(rounds, only),
        "commits" => commits(rounds, only),
        "fetch" => fetch(rounds, only),
        other => panic!("unknown comparison `{other}`: reads, commits or fetch"),
    }
}
