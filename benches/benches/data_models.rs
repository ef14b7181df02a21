//! Models with value types, each against hand-written rusqlite in the same
//! run: the fetch of 100 000 notes with a `Uuid`, a `DateTime<Utc>` and a
//! status column, and `upsert` of 10 000 notes in one transaction (half of
//! them stored, matched on the unique uid) against `INSERT … ON CONFLICT …
//! DO UPDATE`. Prints the ratio table at the end.
//!
//! `cargo bench -p staged-bench --bench data_models`; see BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput};
use staged_bench::data_models::{
    FETCH_ROWS, UPSERT_ROWS, fetch_store, open_staged, ratios, raw_fetch_all, raw_upsert_all,
    raw_upsert_all_returning, staged_fetch_all, staged_upsert_all, upsert_fixture, upserts,
};
use staged_bench::fixture::Fixture;
use staged_bench::report::criterion_dir;
use staged_bench::running_app::{Journal, markdown, open_raw, open_raw_reader};

fn fetch_all(c: &mut Criterion) {
    let fixture = Fixture::build("notes-fetch", |path| fetch_store(path, FETCH_ROWS))
        .expect("seed the notes store");
    let path = fixture.seeded();
    let container = open_staged(path);
    let mut ctx = container.context();
    let conn = open_raw_reader(path);
    let mut group = c.benchmark_group("value_types_fetch_all");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .throughput(Throughput::Elements(FETCH_ROWS as u64));
    group.bench_function(BenchmarkId::new("staged", FETCH_ROWS), |b| {
        b.iter(|| staged_fetch_all(&mut ctx))
    });
    group.bench_function(BenchmarkId::new("rusqlite", FETCH_ROWS), |b| {
        b.iter(|| raw_fetch_all(&conn))
    });
    group.finish();
}

fn upsert(c: &mut Criterion) {
    let fixture = upsert_fixture();
    let mut group = c.benchmark_group("upsert");
    group
        .sample_size(15)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(UPSERT_ROWS as u64));
    // Each iteration on a fresh copy of the store, opened before the clock
    // starts and closed after it stops.
    group.bench_function(BenchmarkId::new("staged", UPSERT_ROWS), |b| {
        b.iter_batched_ref(
            || (open_staged(&fixture.fresh_copy()), upserts()),
            |(container, notes)| {
                black_box(staged_upsert_all(
                    &mut container.context(),
                    std::mem::take(notes),
                ))
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function(BenchmarkId::new("rusqlite", UPSERT_ROWS), |b| {
        b.iter_batched_ref(
            || {
                (
                    open_raw(&fixture.fresh_copy(), Journal::WalNormal),
                    upserts(),
                )
            },
            |(conn, notes)| raw_upsert_all(conn, std::mem::take(notes)),
            BatchSize::PerIteration,
        )
    });
    group.bench_function(BenchmarkId::new("rusqlite_returning", UPSERT_ROWS), |b| {
        b.iter_batched_ref(
            || {
                (
                    open_raw(&fixture.fresh_copy(), Journal::WalNormal),
                    upserts(),
                )
            },
            |(conn, notes)| black_box(raw_upsert_all_returning(conn, std::mem::take(notes))),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn main() {
    let started = SystemTime::now();
    let mut c = Criterion::default().configure_from_args();
    fetch_all(&mut c);
    upsert(&mut c);
    c.final_summary();
    let dir = criterion_dir();
    println!("\nratios (medians, same run), from {}:\n", dir.display());
    print!("{}", markdown(&ratios(&dir, started)));
}
