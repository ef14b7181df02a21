//! A store in a running app, each against hand-written rusqlite in the same
//! run: four reader threads fetching pages alone and while a writer thread
//! commits continuously, single-row commits in WAL + NORMAL (the default)
//! and in the rollback journal + FULL (the behaviour before WAL), and the
//! fetch of 100 000 rows. Prints the ratio table at the end.
//!
//! `cargo bench -p staged-bench --bench running_app`; see BENCHMARKS.md.

use std::hint::black_box;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use criterion::{BenchmarkId, Criterion, Throughput};
use staged_bench::report::criterion_dir;
use staged_bench::running_app::{
    FETCH_ALL_ROWS, FETCHES_PER_THREAD, Journal, READ_STORE_ROWS, READER_THREADS, Writer, markdown,
    open_raw, open_raw_reader, open_staged, ratios, raw_fetch_all, raw_insert, raw_page,
    staged_fetch_all, staged_insert, staged_page, store, timed_readers,
};

/// Writer commits and the time they took, summed over the timed rounds of
/// one benchmark, to print the writer's rate.
#[derive(Default)]
struct WriterRate {
    commits: u64,
    seconds: f64,
}

fn concurrent_reads(c: &mut Criterion) {
    let (_dir, path) = store(READ_STORE_ROWS, Journal::WalNormal);
    let container = open_staged(&path, Journal::WalNormal);
    let raw_readers: Vec<_> = (0..READER_THREADS)
        .map(|_| Mutex::new(open_raw_reader(&path)))
        .collect();
    let staged_reader = || {
        let mut ctx = container.context();
        move |k| {
            black_box(staged_page(&mut ctx, k));
        }
    };
    let raw_reader = |t: usize| {
        let conn = &raw_readers[t];
        move |k| {
            black_box(raw_page(&conn.lock().expect("reader"), k));
        }
    };
    let rounds = |iters: u64, read: &dyn Fn() -> Duration| (0..iters).map(|_| read()).sum();

    let mut group = c.benchmark_group("concurrent_reads");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(
            READER_THREADS as u64 * FETCHES_PER_THREAD,
        ));
    group.bench_function("staged_alone", |b| {
        b.iter_custom(|iters| {
            rounds(iters, &|| {
                timed_readers(READER_THREADS, FETCHES_PER_THREAD, |_| staged_reader())
            })
        })
    });
    group.bench_function("rusqlite_alone", |b| {
        b.iter_custom(|iters| {
            rounds(iters, &|| {
                timed_readers(READER_THREADS, FETCHES_PER_THREAD, raw_reader)
            })
        })
    });
    let staged_rate = Mutex::new(WriterRate::default());
    group.bench_function("staged_with_writer", |b| {
        b.iter_custom(|iters| {
            let mut ctx = container.context();
            let writer = Writer::start(move |i| staged_insert(&mut ctx, i));
            let before = writer.commits();
            let took: Duration = rounds(iters, &|| {
                timed_readers(READER_THREADS, FETCHES_PER_THREAD, |_| staged_reader())
            });
            let mut rate = staged_rate.lock().expect("rate");
            rate.commits += writer.commits() - before;
            rate.seconds += took.as_secs_f64();
            took
        })
    });
    let raw_rate = Mutex::new(WriterRate::default());
    group.bench_function("rusqlite_with_writer", |b| {
        b.iter_custom(|iters| {
            let conn = open_raw(&path, Journal::WalNormal);
            let writer = Writer::start(move |i| raw_insert(&conn, i));
            let before = writer.commits();
            let took: Duration = rounds(iters, &|| {
                timed_readers(READER_THREADS, FETCHES_PER_THREAD, raw_reader)
            });
            let mut rate = raw_rate.lock().expect("rate");
            rate.commits += writer.commits() - before;
            rate.seconds += took.as_secs_f64();
            took
        })
    });
    group.finish();
    for (name, rate) in [("staged", staged_rate), ("rusqlite", raw_rate)] {
        let rate = rate.into_inner().expect("rate");
        if rate.seconds > 0.0 {
            println!(
                "{name} writer: {:.0} commits/s while the readers read",
                rate.commits as f64 / rate.seconds
            );
        }
    }
}

fn single_commit(c: &mut Criterion) {
    let mut group = c.benchmark_group("single_commit");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    let next = AtomicUsize::new(0);
    let next = || next.fetch_add(1, Ordering::Relaxed);
    for journal in [Journal::WalNormal, Journal::RollbackFull] {
        let (_dir, path) = store(0, journal);
        let container = open_staged(&path, journal);
        let mut ctx = container.context();
        group.bench_function(format!("staged_{}", journal.name()), |b| {
            b.iter(|| staged_insert(&mut ctx, next()))
        });
        drop((ctx, container));

        let (_dir, path) = store(0, journal);
        let conn = open_raw(&path, journal);
        group.bench_function(format!("rusqlite_{}", journal.name()), |b| {
            b.iter(|| raw_insert(&conn, next()))
        });
    }
    group.finish();
}

fn fetch_all(c: &mut Criterion) {
    let (_dir, path) = store(FETCH_ALL_ROWS, Journal::WalNormal);
    let container = open_staged(&path, Journal::WalNormal);
    let mut ctx = container.context();
    let conn = open_raw_reader(&path);
    let mut group = c.benchmark_group("fetch_all");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(FETCH_ALL_ROWS as u64));
    group.bench_function(BenchmarkId::new("staged", FETCH_ALL_ROWS), |b| {
        b.iter(|| staged_fetch_all(&mut ctx))
    });
    group.bench_function(BenchmarkId::new("rusqlite", FETCH_ALL_ROWS), |b| {
        b.iter(|| raw_fetch_all(&conn))
    });
    group.finish();
}

fn main() {
    let started = SystemTime::now();
    let mut c = Criterion::default().configure_from_args();
    concurrent_reads(&mut c);
    single_commit(&mut c);
    fetch_all(&mut c);
    c.final_summary();
    let dir = criterion_dir();
    println!("\nratios (medians, same run), from {}:\n", dir.display());
    print!("{}", markdown(&ratios(&dir, started)));
}
