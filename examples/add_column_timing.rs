//! Times a lightweight migration that adds a nullable column (an
//! `ALTER TABLE … ADD COLUMN`, which rewrites no row) on a 1k-row and a
//! 1M-row table, and, for contrast, one that rebuilds the table.
//!
//! The time is not constant: staged's tables are `STRICT`, and on a `STRICT`
//! table SQLite checks the table after `ADD COLUMN` (an internal
//! `pragma_quick_check`), a read-only scan of its rows. Each figure includes
//! the whole `ModelContainer::open`: metadata read, planning, the step, the
//! drift check and the commit.
//!
//! Run with `cargo run --release --example add_column_timing`.

use std::path::Path;
use std::time::{Duration, Instant};

use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
mod v1 {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub priority: i64,
    }
}

/// Adds a nullable column: no row is rewritten.
#[versioned_schema(version = "2.0.0")]
mod v2 {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub priority: i64,
        pub notes: Option<String>,
    }
}

/// Makes `priority` optional: SQLite cannot change nullability in place, so
/// the table is rebuilt (every row copied once).
#[versioned_schema(version = "2.0.0")]
mod v2_rebuild {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub priority: Option<i64>,
    }
}

const RUNS: usize = 3;

fn seed(path: &Path, rows: usize) -> staged::Result<()> {
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()?;
    let container = ModelContainer::open(path, plan)?;
    let mut ctx = container.context();
    ctx.transaction(|ctx| {
        for i in 0..rows {
            ctx.insert(v1::Reminder {
                uid: format!("uid-{i:08}"),
                title: format!("reminder number {i}"),
                priority: (i % 5) as i64,
            })?;
        }
        Ok(())
    })
}

/// The fastest of [`RUNS`] migrations of fresh copies of `seeded`.
fn time_migration(
    seeded: &Path,
    dir: &Path,
    open: impl Fn(&Path) -> staged::Result<Version>,
) -> staged::Result<Duration> {
    let mut best = Duration::MAX;
    for run in 0..RUNS {
        let copy = dir.join(format!("run-{run}.sqlite"));
        std::fs::copy(seeded, &copy).map_err(staged::Error::hook)?;
        let start = Instant::now();
        let version = open(&copy)?;
        best = best.min(start.elapsed());
        assert_eq!(version, Version::new(2, 0, 0));
        std::fs::remove_file(&copy).map_err(staged::Error::hook)?;
    }
    Ok(best)
}

fn add_column(path: &Path) -> staged::Result<Version> {
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build()?;
    Ok(ModelContainer::open(path, plan)?.store_version())
}

fn rebuild(path: &Path) -> staged::Result<Version> {
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2_rebuild::Schema>()
        .build()?;
    Ok(ModelContainer::open(path, plan)?.store_version())
}

fn main() -> staged::Result<()> {
    let dir = std::env::temp_dir().join(format!("staged-add-column-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(staged::Error::hook)?;
    println!("best of {RUNS} runs, each on a fresh copy of the seeded store");
    let mut results = Vec::new();
    for rows in [1_000, 1_000_000] {
        let seeded = dir.join(format!("seed-{rows}.sqlite"));
        let start = Instant::now();
        seed(&seeded, rows)?;
        let seeding = start.elapsed();
        let size = std::fs::metadata(&seeded)
            .map_err(staged::Error::hook)?
            .len();
        let added = time_migration(&seeded, &dir, add_column)?;
        let rebuilt = time_migration(&seeded, &dir, rebuild)?;
        println!(
            "{rows:>9} rows ({:.1} MB, seeded in {seeding:.2?}): add nullable column {added:.2?}, \
             table rebuild {rebuilt:.2?}",
            size as f64 / 1e6
        );
        results.push(added);
    }
    if let [small, large] = results[..] {
        println!(
            "add column on 1M rows / on 1k rows: {:.1}x",
            large.as_secs_f64() / small.as_secs_f64()
        );
    }
    std::fs::remove_dir_all(&dir).map_err(staged::Error::hook)?;
    Ok(())
}
