//! Times one migration of the benchmarks, staged against its hand-written
//! baselines, on fresh copies of one seeded store, alternating the variants
//! run after run (the first variant rotates too), so that load from other
//! processes and `fsync` times that drift hit every variant alike. Prints the
//! median of each variant and its ratio to the last one (the baseline).
//!
//! Usage: `cargo run --release -p staged-bench --example migration_ratio -- <case> <rows> <runs>`,
//! where `<case>` is one of `add-column` (staged, staged without the
//! pre-migration check, hand-written `ADD COLUMN`), `lightweight` (staged,
//! staged without the check, hand-written rebuild, hand-written `ALTER`),
//! `transform` (staged, hand-written rusqlite loop), `open` (an up-to-date
//! store: staged's plan build, open and close; a raw open, one query of the
//! version and close).

use std::path::Path;
use std::time::{Duration, Instant};

use staged_bench::fixture::{self, Fixture};
use staged_bench::schemas::{events, items};
use staged_bench::{baseline, open_unchecked, open_with};

type Run = fn(&Path) -> Result<(), Box<dyn std::error::Error>>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let case = args.first().map_or("add-column", String::as_str);
    let rows: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(1_000);
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(21);
    let (seed, variants): (fixture::SeedFn, Vec<(&str, Run)>) = match case {
        "add-column" => (
            fixture::items_v1,
            vec![
                ("staged", |p| {
                    Ok(open_with(p, items::add_column_plan()?).map(drop)?)
                }),
                ("staged_unchecked", |p| {
                    Ok(open_unchecked(p, items::add_column_plan()?).map(drop)?)
                }),
                ("sql", |p| Ok(baseline::add_column(p)?)),
            ],
        ),
        "lightweight" => (
            fixture::items_v1,
            vec![
                ("staged", |p| {
                    Ok(open_with(p, items::lightweight_plan()?).map(drop)?)
                }),
                ("staged_unchecked", |p| {
                    Ok(open_unchecked(p, items::lightweight_plan()?).map(drop)?)
                }),
                ("sql_rebuild", |p| Ok(baseline::lightweight_rebuild(p)?)),
                ("sql_alter", |p| Ok(baseline::lightweight_alter(p)?)),
            ],
        ),
        "transform" => (
            fixture::events_v1,
            vec![
                ("staged", |p| {
                    Ok(open_with(p, events::transform_plan()?).map(drop)?)
                }),
                ("hand_loop", |p| Ok(baseline::transform_loop(p)?)),
            ],
        ),
        "open" => (
            fixture::events_v2,
            vec![
                ("staged", |p| {
                    Ok(staged::ModelContainer::open(p, events::current_plan()?).map(drop)?)
                }),
                ("raw", |p| Ok(baseline::open_and_query(p).map(drop)?)),
            ],
        ),
        other => return Err(format!("unknown case `{other}`").into()),
    };
    let fixture = Fixture::build(&format!("{case}-{rows}"), |p| seed(p, rows))?;
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); variants.len()];
    for run in 0..runs {
        for k in 0..variants.len() {
            let k = (run + k) % variants.len();
            let copy = fixture.fresh_copy();
            let started = Instant::now();
            (variants[k].1)(&copy)?;
            times[k].push(started.elapsed());
        }
    }
    let medians: Vec<Duration> = times
        .into_iter()
        .map(|mut t| {
            t.sort();
            t[t.len() / 2]
        })
        .collect();
    let baseline = *medians.last().expect("a baseline");
    for ((name, _), median) in variants.iter().zip(&medians) {
        println!(
            "{case} {rows} {name}: median {:.3} ms over {runs} runs, ratio to {} {:.2}",
            median.as_secs_f64() * 1e3,
            variants.last().expect("a baseline").0,
            median.as_secs_f64() / baseline.as_secs_f64()
        );
    }
    Ok(())
}
