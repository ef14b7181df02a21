//! Fixtures and baselines for staged's benchmarks.
//!
//! Every benchmark measures staged and a baseline on copies of the same
//! store, in the same run: hand-written rusqlite SQL (what an app would write
//! without staged), and native_db for a model migration. The schemas, the
//! fixture builders and the baselines live here so that the benches, the
//! memory example and the tests that check each baseline does the same work
//! as staged share them.

pub mod baseline;
pub mod data_models;
pub mod fixture;
pub mod inserts;
pub mod native;
pub mod report;
pub mod running_app;
pub mod schemas;
pub mod versions;

use std::path::Path;

use staged::prelude::*;

/// Opens the store at `path` with `plan`, migrating it; returns the store's version.
pub fn open_with<S: VersionedSchema>(
    path: &Path,
    plan: SchemaMigrationPlan<S>,
) -> staged::Result<Version> {
    Ok(ModelContainer::open(path, plan)?.store_version())
}

/// Like [`open_with`], without the check of the old store before migrating
/// it (`ModelContainerBuilder::check_before_migrating(false)`).
pub fn open_unchecked<S: VersionedSchema>(
    path: &Path,
    plan: SchemaMigrationPlan<S>,
) -> staged::Result<Version> {
    let container = ModelContainer::builder(plan)
        .check_before_migrating(false)
        .open(path)?;
    Ok(container.store_version())
}

/// The row counts of a benchmark: `STAGED_BENCH_MAX_ROWS` (default
/// 1 000 000) caps them, so a quick run can skip the largest stores.
pub fn row_counts(counts: &[usize]) -> Vec<usize> {
    let max = env_rows("STAGED_BENCH_MAX_ROWS").unwrap_or(1_000_000);
    counts.iter().copied().filter(|&n| n <= max).collect()
}

/// Whether native_db runs on a store of `rows` rows: up to
/// `STAGED_BENCH_NATIVE_MAX_ROWS` (default 100 000; its migration of 1M rows
/// takes about a minute per iteration, a quarter of an hour per benchmark).
pub fn native_rows(rows: usize) -> bool {
    rows <= env_rows("STAGED_BENCH_NATIVE_MAX_ROWS").unwrap_or(100_000)
}

fn env_rows(name: &str) -> Option<usize> {
    std::env::var(name).ok()?.replace('_', "").parse().ok()
}
