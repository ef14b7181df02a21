//! The cost of `AUTOINCREMENT` ids on inserts: the same inserts into an
//! `Item` table created by staged (`"_id" INTEGER PRIMARY KEY AUTOINCREMENT`)
//! and into the same table as earlier versions created it (without
//! `AUTOINCREMENT`, which lets SQLite give a deleted newest id again), through
//! `ModelContext::insert` and through a hand-written rusqlite loop.
//!
//! `cargo bench -p staged-bench --bench inserts`; see BENCHMARKS.md.

use std::path::Path;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkGroup, BenchmarkId, Criterion, measurement::WallTime};
use staged_bench::inserts::{Ids, empty_store, raw_inserts, staged_autocommit, staged_inserts};

fn bench(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, rows: usize, run: fn(&Path, usize)) {
    for ids in [Ids::Autoincrement, Ids::Plain] {
        group.bench_with_input(
            BenchmarkId::new(format!("{name}/{}", ids.name()), rows),
            &rows,
            |b, &rows| {
                b.iter_batched(
                    || empty_store(ids),
                    |(_dir, path)| run(&path, rows),
                    BatchSize::PerIteration,
                );
            },
        );
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("insert");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    bench(&mut group, "staged_tx", 10_000, staged_inserts);
    bench(&mut group, "rusqlite_tx", 10_000, raw_inserts);
    bench(&mut group, "staged_autocommit", 100, staged_autocommit);
    group.finish();
    c.final_summary();
}
