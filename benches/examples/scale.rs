//! The two halves of `scripts/scale.sh`: seeds a store of the benchmarks in
//! one process, and runs one migration (or open) on a copy of it in another,
//! so that the second process's peak memory is the migration's alone.
//!
//! Usage:
//! `cargo run --release -p staged-bench --example scale -- seed <store> <rows> <path>`,
//! where `<store>` is `items` (`items::v1`), `events` (`events::v1`) or
//! `events-current` (`events::v2`); then
//! `cargo run --release -p staged-bench --example scale -- run <case> <path>`,
//! where `<case>` is one of `lightweight`, `lightweight-sql-alter`,
//! `add-column`, `add-column-sql`, `transform`, `transform-loop`, `open`,
//! `open-raw`; prints the case and the seconds it took.

use std::path::Path;
use std::time::Instant;

use staged::prelude::*;
use staged_bench::fixture;
use staged_bench::schemas::{events, items};
use staged_bench::{baseline, open_with};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |k: usize| args.get(k).map(String::as_str).ok_or("missing argument");
    match arg(0)? {
        "seed" => {
            let rows: usize = arg(2)?.parse()?;
            let path = Path::new(arg(3)?);
            let seed: fixture::SeedFn = match arg(1)? {
                "items" => fixture::items_v1,
                "events" => fixture::events_v1,
                "events-current" => fixture::events_v2,
                other => return Err(format!("unknown store `{other}`").into()),
            };
            seed(path, rows)?;
            std::fs::File::open(path)?.sync_all()?;
            Ok(())
        }
        "run" => {
            let (case, path) = (arg(1)?, Path::new(arg(2)?));
            let started = Instant::now();
            run(case, path)?;
            println!("{case} {:.6}", started.elapsed().as_secs_f64());
            Ok(())
        }
        other => Err(format!("unknown command `{other}`").into()),
    }
}

fn run(case: &str, path: &Path) -> Result<()> {
    match case {
        "lightweight" => drop(open_with(path, items::lightweight_plan()?)?),
        "lightweight-sql-alter" => baseline::lightweight_alter(path)?,
        "add-column" => drop(open_with(path, items::add_column_plan()?)?),
        "add-column-sql" => baseline::add_column(path)?,
        "transform" => drop(open_with(path, events::transform_plan()?)?),
        "transform-loop" => baseline::transform_loop(path)?,
        "open" => drop(ModelContainer::open(path, events::current_plan()?)?),
        "open-raw" => drop(baseline::open_and_query(path)?),
        other => return Err(format!("unknown case `{other}`").into()),
    }
    Ok(())
}
