//! Builds a store with N rows at 1.0.0 (default 200 000), then migrates it to
//! 2.0.0 through a custom `transform` over every row, and prints the timings.
//! Peak memory stays flat because rows are streamed; measure it with
//! `scripts/peak_rss.sh` (`/usr/bin/time -v`).
//!
//! Run with `cargo run --release --example transform_memory -- 1000000`.

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
        /// Minutes since midnight.
        pub minute: i64,
        /// A payload that makes rows a realistic size.
        pub payload: String,
    }
}

/// The schema after: `minute` becomes `hour` and `minute_of_hour`.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    /// A row with a free-text payload.
    #[model]
    pub struct Event {
        /// The event's name.
        pub name: String,
        /// The hour.
        pub hour: i64,
        /// The minute within the hour.
        pub minute_of_hour: i64,
        /// A payload that makes rows a realistic size.
        pub payload: String,
    }
}

fn main() -> staged::Result<()> {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("events.sqlite");
    let clock = Instant::now();
    {
        let plan = SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .build()?;
        let mut ctx = ModelContainer::open(&path, plan)?.context();
        ctx.transaction(|ctx| {
            for i in 0..rows {
                ctx.insert(v1::Event {
                    name: format!("event {i}"),
                    minute: (i % 1440) as i64,
                    payload: "x".repeat(100),
                })?;
            }
            Ok(())
        })?;
    }
    println!("built {rows} rows at 1.0.0 in {:.2?}", clock.elapsed());
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .stage(
            MigrationStage::custom::<v1::Schema, v2::Schema>().transform(|old: v1::Event| {
                Ok(v2::Event {
                    name: old.name,
                    hour: old.minute / 60,
                    minute_of_hour: old.minute % 60,
                    payload: old.payload,
                })
            }),
        )
        .build()?;
    let clock = Instant::now();
    let container = ModelContainer::open(&path, plan)?;
    println!(
        "transformed {rows} rows to {} in {:.2?}",
        container.store_version(),
        clock.elapsed()
    );
    assert_eq!(container.context().count::<v2::Event>()?, rows as u64);
    Ok(())
}
