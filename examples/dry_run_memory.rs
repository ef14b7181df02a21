//! Builds a store with N rows at 1.0.0 (default 200 000) and dry-runs the
//! migration to 2.0.0 (a table rebuild: `score` becomes required with a
//! default), then prints the report's last line. The dry run works on a
//! copy of the store on disk, so its peak memory does not grow with the
//! store; measure it with `/usr/bin/time -v` (`scripts/peak_rss.sh` does so
//! for the transform example).
//!
//! Run with `cargo run --release --example dry_run_memory -- 1000000`.
//! With a second argument, the store is built at that path and kept (a
//! second run with the same path only dry-runs it).

use std::time::Instant;

use staged::prelude::*;

/// The schema before the migration.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    /// A row with a free-text payload.
    #[model]
    pub struct Event {
        /// The event's name.
        pub name: String,
        /// A score, not always known.
        pub score: Option<i64>,
        /// A payload that makes rows a realistic size.
        pub payload: String,
    }
}

/// The schema after: `score` is required, 0 where it was unknown.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    /// A row with a free-text payload.
    #[model]
    pub struct Event {
        /// The event's name.
        pub name: String,
        /// The score.
        #[attribute(default = 0)]
        pub score: i64,
        /// A payload that makes rows a realistic size.
        pub payload: String,
    }
}

fn main() -> staged::Result<()> {
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(200_000);
    let kept = args.next().map(std::path::PathBuf::from);
    let dir = tempfile::tempdir().map_err(staged::Error::hook)?;
    let path = kept.unwrap_or_else(|| dir.path().join("events.sqlite"));
    if !path.exists() {
        let clock = Instant::now();
        let plan = SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .build()?;
        let mut ctx = ModelContainer::open(&path, plan)?.context();
        ctx.transaction(|ctx| {
            for i in 0..rows {
                ctx.insert(v1::Event {
                    name: format!("event {i}"),
                    score: (i % 3 != 0).then_some(i as i64),
                    payload: "x".repeat(100),
                })?;
            }
            Ok(())
        })?;
        println!("built {rows} rows at 1.0.0 in {:.2?}", clock.elapsed());
    }
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build()?;
    let clock = Instant::now();
    let report = ModelContainer::builder(plan).dry_run(&path)?;
    let text = report.to_string();
    println!(
        "dry run in {:.2?}: {}",
        clock.elapsed(),
        text.lines().last().unwrap_or_default()
    );
    Ok(())
}
