//! Skip-version migration versus step by step, on 100,000 rows.
//!
//! A store at 1.0.0 is migrated to 5.0.0 twice: once with the whole plan
//! (the planner composes the four lightweight versions into one physical
//! step, so the table is rebuilt once), and once by opening it with plans
//! that add one schema at a time (four steps, each rebuilding the table,
//! because every version removes an attribute or makes one required). Prints
//! the rows each way rewrote (the history's `rows_touched`) and the time.
//!
//! Run with `cargo run --release --example skip_timing`.

use std::path::Path;
use std::time::{Duration, Instant};

use staged::prelude::*;
use staged::rusqlite;

const ROWS: usize = 100_000;
const RUNS: usize = 3;

#[versioned_schema(version = "1.0.0")]
mod v1 {
    #[model]
    pub struct Item {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub body: Option<String>,
        pub a: i64,
        pub b: i64,
        pub c: i64,
    }
}

/// Renames `title`, adds `priority`, removes `c` (a rebuild).
#[versioned_schema(version = "2.0.0")]
mod v2 {
    #[model]
    pub struct Item {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(original_name = "title")]
        pub name: String,
        pub body: Option<String>,
        pub a: i64,
        pub b: i64,
        #[attribute(default = 0)]
        pub priority: i64,
    }
}

/// Renames `name`, removes `b` (a rebuild).
#[versioned_schema(version = "3.0.0")]
mod v3 {
    #[model]
    pub struct Item {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(original_name = "name")]
        pub label: String,
        pub body: Option<String>,
        pub a: i64,
        pub priority: i64,
    }
}

/// Renames `body` and makes it required with a default (a rebuild).
#[versioned_schema(version = "4.0.0")]
mod v4 {
    #[model]
    pub struct Item {
        #[attribute(unique)]
        pub uid: String,
        pub label: String,
        #[attribute(original_name = "body", default = "")]
        pub text: String,
        pub a: i64,
        pub priority: i64,
    }
}

/// Renames `label`, removes `a` (a rebuild), adds `pinned`.
#[versioned_schema(version = "5.0.0")]
mod v5 {
    #[model]
    pub struct Item {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(original_name = "label")]
        pub heading: String,
        pub text: String,
        pub priority: i64,
        #[attribute(default = false)]
        pub pinned: bool,
    }
}

fn seed(path: &Path) -> staged::Result<()> {
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()?;
    let container = ModelContainer::open(path, plan)?;
    container.context().transaction(|ctx| {
        for i in 0..ROWS {
            ctx.insert(v1::Item {
                uid: format!("item-{i}"),
                title: format!("title {i}"),
                body: (i % 4 != 0).then(|| format!("body of item {i}")),
                a: i as i64,
                b: 2 * i as i64,
                c: 3 * i as i64,
            })?;
        }
        Ok(())
    })
}

fn full_plan() -> staged::Result<SchemaMigrationPlan<v5::Schema>> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .schema::<v4::Schema>()
        .schema::<v5::Schema>()
        .build()
}

/// Opens the store with the whole plan: one physical step.
fn one_step(path: &Path) -> staged::Result<Duration> {
    let plan = full_plan()?;
    let clock = Instant::now();
    drop(ModelContainer::open(path, plan)?);
    Ok(clock.elapsed())
}

/// Opens the store with plans that add one schema at a time: four steps.
fn step_by_step(path: &Path) -> staged::Result<Duration> {
    let to_2 = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build()?;
    let to_3 = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .build()?;
    let to_4 = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .schema::<v4::Schema>()
        .build()?;
    let to_5 = full_plan()?;
    let clock = Instant::now();
    drop(ModelContainer::open(path, to_2)?);
    drop(ModelContainer::open(path, to_3)?);
    drop(ModelContainer::open(path, to_4)?);
    drop(ModelContainer::open(path, to_5)?);
    Ok(clock.elapsed())
}

/// `(steps, rows rewritten)` from the store's history.
fn history(path: &Path) -> rusqlite::Result<(i64, i64)> {
    let conn = rusqlite::Connection::open(path)?;
    conn.query_row(
        "SELECT count(*), coalesce(sum(rows_touched), 0) FROM _staged_history",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let seeded = dir.path().join("seed.sqlite");
    seed(&seeded)?;
    let size = std::fs::metadata(&seeded)?.len();
    println!(
        "store: {ROWS} rows at 1.0.0 ({:.1} MB); plan 1.0.0 .. 5.0.0, every version needs a rebuild",
        size as f64 / 1e6
    );
    println!(
        "path with the whole plan: {}",
        full_plan()?.migration_path(Version::new(1, 0, 0))?
    );

    let mut runs = [
        ("one step (skip)", Vec::new(), (0, 0)),
        ("step by step", Vec::new(), (0, 0)),
    ];
    for run in 0..RUNS {
        for (k, (_, times, counts)) in runs.iter_mut().enumerate() {
            let path = dir.path().join(format!("run-{run}-{k}.sqlite"));
            std::fs::copy(&seeded, &path)?;
            times.push(if k == 0 {
                one_step(&path)?
            } else {
                step_by_step(&path)?
            });
            *counts = history(&path)?;
            std::fs::remove_file(&path)?;
        }
    }
    println!();
    println!(
        "{:<16} {:>6} {:>15} {:>12}   runs",
        "", "steps", "rows rewritten", "median"
    );
    for (name, times, (steps, rows)) in &runs {
        let all: Vec<String> = times.iter().map(|t| format!("{:.0?}", t)).collect();
        println!(
            "{name:<16} {steps:>6} {rows:>15} {:>12.0?}   {}",
            median(times.clone()),
            all.join(", ")
        );
    }
    let (one, steps) = (median(runs[0].1.clone()), median(runs[1].1.clone()));
    println!(
        "\nstep by step rewrites {:.1}x the rows and takes {:.1}x the time",
        runs[1].2.1 as f64 / runs[0].2.1.max(1) as f64,
        steps.as_secs_f64() / one.as_secs_f64()
    );
    Ok(())
}
