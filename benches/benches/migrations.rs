//! staged against its baselines, in one run: hand-written SQL, a hand-written
//! rusqlite loop, native_db, a raw open. See BENCHMARKS.md.
//!
//! `cargo bench -p staged-bench` runs everything and prints the ratio table
//! at the end; `STAGED_BENCH_MAX_ROWS=100000` skips the 1M-row stores,
//! `STAGED_BENCH_NATIVE_MAX_ROWS=1000000` adds native_db on 1M rows.

use std::cell::OnceCell;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{
    BatchSize, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput,
    measurement::WallTime,
};
use staged::prelude::*;
use staged_bench::fixture::{self, Fixture};
use staged_bench::schemas::{events, items, skip};
use staged_bench::{
    baseline, native, native_rows, open_unchecked, open_with, report, row_counts, versions,
};

/// Settings for groups whose iterations take up to seconds: ten samples of
/// one iteration each, each on a fresh copy of the seeded store.
fn slow_group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    group
}

/// A seeded store, built the first time a benchmark that needs it runs (a
/// filtered run builds only the stores it uses).
struct Lazy {
    name: String,
    seed: Box<dyn Fn(&Path) -> fixture::SeedResult>,
    cell: OnceCell<Fixture>,
}

impl Lazy {
    fn new(name: &str, rows: usize, seed: fn(&Path, usize) -> fixture::SeedResult) -> Self {
        Lazy {
            name: format!("{name}-{rows}"),
            seed: Box::new(move |path| seed(path, rows)),
            cell: OnceCell::new(),
        }
    }

    fn native(rows: usize) -> Self {
        Lazy {
            name: format!("native-{rows}"),
            seed: Box::new(move |path| {
                native::seed(path, rows).map_err(|e| e as Box<dyn std::error::Error>)
            }),
            cell: OnceCell::new(),
        }
    }

    fn get(&self) -> &Fixture {
        self.cell
            .get_or_init(|| Fixture::build(&self.name, &self.seed).expect("seed the store"))
    }
}

/// Times `run` on fresh copies of `fixture`'s store.
fn on_copies<E: std::fmt::Debug>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    rows: usize,
    fixture: &Lazy,
    run: impl Fn(&Path) -> Result<(), E>,
) {
    group.bench_with_input(BenchmarkId::new(name, rows), &rows, |b, _| {
        let fixture = fixture.get();
        b.iter_batched(
            || fixture.fresh_copy(),
            |path| run(&path).expect("migration"),
            BatchSize::PerIteration,
        );
    });
}

/// Rename + add with default + drop, against the best hand-written SQL.
fn lightweight(c: &mut Criterion) {
    let mut group = slow_group(c, "lightweight");
    for rows in row_counts(&[10_000, 100_000, 1_000_000]) {
        group.throughput(Throughput::Elements(rows as u64));
        let fixture = Lazy::new("items", rows, fixture::items_v1);
        on_copies(&mut group, "staged", rows, &fixture, |path| {
            open_with(path, items::lightweight_plan()?).map(drop)
        });
        on_copies(
            &mut group,
            "sql_alter",
            rows,
            &fixture,
            baseline::lightweight_alter,
        );
        on_copies(
            &mut group,
            "sql_rebuild",
            rows,
            &fixture,
            baseline::lightweight_rebuild,
        );
    }
    group.finish();
}

/// A nullable column added: should not depend on the row count.
fn add_column(c: &mut Criterion) {
    let mut group = slow_group(c, "add_column");
    for rows in row_counts(&[1_000, 10_000, 100_000, 1_000_000]) {
        let fixture = Lazy::new("items", rows, fixture::items_v1);
        on_copies(&mut group, "staged", rows, &fixture, |path| {
            open_with(path, items::add_column_plan()?).map(drop)
        });
        on_copies(&mut group, "staged_unchecked", rows, &fixture, |path| {
            open_unchecked(path, items::add_column_plan()?).map(drop)
        });
        on_copies(&mut group, "sql", rows, &fixture, baseline::add_column);
    }
    group.finish();
}

/// Four lightweight versions in one composed step, against the same four
/// versions one by one (staged, one open per release) and hand-written.
fn skip_path(c: &mut Criterion) {
    let mut group = slow_group(c, "skip_5_versions");
    for rows in row_counts(&[10_000, 100_000]) {
        group.throughput(Throughput::Elements(rows as u64));
        let fixture = Lazy::new("docs", rows, fixture::docs_v1);
        on_copies(&mut group, "staged_one_step", rows, &fixture, |path| {
            open_with(path, skip::plan_to_5()?).map(drop)
        });
        on_copies(&mut group, "staged_step_by_step", rows, &fixture, |path| {
            open_with(path, skip::plan_to_2()?)?;
            open_with(path, skip::plan_to_3()?)?;
            open_with(path, skip::plan_to_4()?)?;
            open_with(path, skip::plan_to_5()?).map(drop)
        });
        on_copies(
            &mut group,
            "sql_step_by_step",
            rows,
            &fixture,
            baseline::skip_step_by_step,
        );
    }
    group.finish();
}

/// A custom `transform` over every row, against a hand-written rusqlite
/// loop and native_db's `migrate` of the same models.
fn transform(c: &mut Criterion) {
    let mut group = slow_group(c, "transform");
    for rows in row_counts(&[10_000, 100_000, 1_000_000]) {
        group.throughput(Throughput::Elements(rows as u64));
        let fixture = Lazy::new("events", rows, fixture::events_v1);
        on_copies(&mut group, "staged", rows, &fixture, |path| {
            open_with(path, events::transform_plan()?).map(drop)
        });
        on_copies(
            &mut group,
            "hand_loop",
            rows,
            &fixture,
            baseline::transform_loop,
        );
        drop(fixture);
        if native_rows(rows) {
            let native_fixture = Lazy::native(rows);
            on_copies(
                &mut group,
                "native_db",
                rows,
                &native_fixture,
                native::migrate,
            );
        }
    }
    group.finish();
}

/// Opening an up-to-date store, against a raw open plus one query.
fn open(c: &mut Criterion) {
    let mut group = c.benchmark_group("open");
    group
        .sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let fixture = Lazy::new("events-current", 10_000, fixture::events_v2);
    // Every routine closes what it opened: that is part of the cost too.
    // `staged` is what an app pays at launch: build its plan, open the store.
    group.bench_function("staged", |b| {
        let path = fixture.get().seeded();
        b.iter(|| {
            drop(ModelContainer::open(path, events::current_plan().expect("plan")).expect("open"))
        });
    });
    group.bench_function("staged_prebuilt_plan", |b| {
        let path = fixture.get().seeded();
        b.iter_batched(
            || events::current_plan().expect("plan"),
            |plan| drop(ModelContainer::open(path, plan).expect("open")),
            BatchSize::PerIteration,
        );
    });
    group.bench_function("raw", |b| {
        let path = fixture.get().seeded();
        b.iter(|| drop(baseline::open_and_query(path).expect("open")));
    });
    group.finish();
}

/// Building and checking a 200-version plan, and computing its path.
fn plan(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan_200_versions");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("build", |b| b.iter(|| versions::plan().expect("plan")));
    let plan = versions::plan().expect("plan");
    group.bench_function("path_from_1", |b| {
        b.iter(|| {
            plan.migration_path(black_box(Version::new(1, 0, 0)))
                .expect("path")
        });
    });
    group.bench_function("build_and_path", |b| {
        b.iter(|| {
            versions::plan()
                .expect("plan")
                .migration_path(Version::new(1, 0, 0))
                .expect("path")
        });
    });
    group.finish();
}

fn main() {
    let started = std::time::SystemTime::now();
    let mut c = Criterion::default().configure_from_args();
    lightweight(&mut c);
    add_column(&mut c);
    skip_path(&mut c);
    transform(&mut c);
    open(&mut c);
    plan(&mut c);
    c.final_summary();
    report::print(started);
}
