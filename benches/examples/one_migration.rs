//! Runs one migration of the benchmarks once, on a fresh seeded store, and
//! prints its time: the unit to profile (`valgrind --tool=callgrind`,
//! `strace -c`, `perf record`).
//!
//! Usage: `cargo run --release -p staged-bench --example one_migration -- <case> <rows>`,
//! where `<case>` is one of `lightweight`, `lightweight-sql-alter`,
//! `lightweight-sql-rebuild`, `add-column`, `add-column-unchecked`, `add-column-sql`, `transform`,
//! `transform-loop`, `native`, `open`, `open-raw`.

use std::path::Path;
use std::time::Instant;

use staged::prelude::*;
use staged_bench::fixture::{self, Fixture};
use staged_bench::schemas::{events, items};
use staged_bench::{baseline, native, open_unchecked, open_with};

type Run = Box<dyn Fn(&Path) -> Result<(), Box<dyn std::error::Error>>>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let case = args.next().unwrap_or_else(|| "lightweight".to_owned());
    let rows: usize = args
        .next()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1_000_000);
    let (seed, run): (fixture::SeedFn, Run) = match case.as_str() {
        "lightweight" => (
            fixture::items_v1,
            Box::new(|p| Ok(open_with(p, items::lightweight_plan()?).map(|_| ())?)),
        ),
        "lightweight-sql-alter" => (
            fixture::items_v1,
            Box::new(|p| Ok(baseline::lightweight_alter(p)?)),
        ),
        "lightweight-sql-rebuild" => (
            fixture::items_v1,
            Box::new(|p| Ok(baseline::lightweight_rebuild(p)?)),
        ),
        "add-column" => (
            fixture::items_v1,
            Box::new(|p| Ok(open_with(p, items::add_column_plan()?).map(|_| ())?)),
        ),
        "add-column-unchecked" => (
            fixture::items_v1,
            Box::new(|p| Ok(open_unchecked(p, items::add_column_plan()?).map(|_| ())?)),
        ),
        "add-column-sql" => (
            fixture::items_v1,
            Box::new(|p| Ok(baseline::add_column(p)?)),
        ),
        "transform" => (
            fixture::events_v1,
            Box::new(|p| Ok(open_with(p, events::transform_plan()?).map(|_| ())?)),
        ),
        "transform-loop" => (
            fixture::events_v1,
            Box::new(|p| Ok(baseline::transform_loop(p)?)),
        ),
        "open" => (
            fixture::events_v2,
            Box::new(|p| Ok(ModelContainer::open(p, events::current_plan()?).map(drop)?)),
        ),
        "open-raw" => (
            fixture::events_v2,
            Box::new(|p| Ok(baseline::open_and_query(p).map(drop)?)),
        ),
        "native" => {
            let fixture = Fixture::build("native", |p| {
                native::seed(p, rows).map_err(|e| e as Box<dyn std::error::Error>)
            })?;
            let copy = fixture.fresh_copy();
            let clock = Instant::now();
            native::migrate(&copy).map_err(|e| e.to_string())?;
            println!("native {rows}: {:.2?}", clock.elapsed());
            return Ok(());
        }
        other => return Err(format!("unknown case `{other}`").into()),
    };
    let fixture = Fixture::build(&case, |p| seed(p, rows))?;
    let copy = fixture.fresh_copy();
    let clock = Instant::now();
    run(&copy)?;
    println!("{case} {rows}: {:.2?}", clock.elapsed());
    Ok(())
}
