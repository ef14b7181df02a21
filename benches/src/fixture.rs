//! Seeded stores, built once per benchmark and copied for every iteration.
//!
//! Stores are created by staged (so their tables, indexes and metadata are
//! exactly staged's) and filled with one `INSERT … SELECT` over a recursive
//! CTE, which writes a million rows in about a second.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use staged::prelude::*;
use staged::rusqlite::{self, Connection};
use tempfile::TempDir;

use crate::schemas::{events, items, skip};

/// The payload every seeded event carries (100 bytes).
pub const PAYLOAD: &str = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

/// A seeded file in its own temporary directory; hands out fresh copies.
#[derive(Debug)]
pub struct Fixture {
    dir: TempDir,
    seeded: PathBuf,
    copies: AtomicUsize,
}

impl Fixture {
    /// Builds the seeded file with `seed(path)`.
    pub fn build(
        name: &str,
        seed: impl FnOnce(&Path) -> Result<(), Box<dyn std::error::Error>>,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let dir = tempfile::Builder::new().prefix("staged-bench-").tempdir()?;
        let seeded = dir.path().join(format!("{name}.seed"));
        seed(&seeded)?;
        // Written back now, not in the background while the first
        // benchmark on it runs.
        std::fs::File::open(&seeded)?.sync_all()?;
        Ok(Fixture {
            dir,
            seeded,
            copies: AtomicUsize::new(0),
        })
    }

    /// The seeded file itself (do not change it).
    pub fn seeded(&self) -> &Path {
        &self.seeded
    }

    /// A fresh copy of the seeded file, flushed to disk (otherwise the
    /// migration's first `fsync` would pay for writing the whole copy); the
    /// previous copy is removed.
    pub fn fresh_copy(&self) -> PathBuf {
        let k = self.copies.fetch_add(1, Ordering::Relaxed);
        if k > 0 {
            let _ = std::fs::remove_file(self.copy_path(k - 1));
        }
        let copy = self.copy_path(k);
        std::fs::copy(&self.seeded, &copy).expect("copy the seeded store");
        std::fs::File::open(&copy)
            .and_then(|file| file.sync_all())
            .expect("flush the copy");
        copy
    }

    fn copy_path(&self, k: usize) -> PathBuf {
        self.dir.path().join(format!("copy-{k}"))
    }
}

/// Creates the store at `path` at `plan`'s version, then runs `fill` on it.
fn create_and_fill<S: VersionedSchema>(
    path: &Path,
    plan: SchemaMigrationPlan<S>,
    fill: &str,
    params: impl rusqlite::Params,
) -> SeedResult {
    drop(ModelContainer::open(path, plan)?);
    let mut conn = Connection::open(path)?;
    let tx = conn.transaction()?;
    tx.execute(fill, params)?;
    tx.commit()?;
    Ok(())
}

/// An `Item` store at `items::v1` with `rows` rows (a quarter without notes).
pub fn items_v1(path: &Path, rows: usize) -> SeedResult {
    let plan = SchemaMigrationPlan::builder()
        .schema::<items::v1::Schema>()
        .build()?;
    create_and_fill(
        path,
        plan,
        r#"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
           INSERT INTO "Item" ("_id", "uid", "title", "notes", "priority", "legacy")
           SELECT i, printf('uid-%08d', i), 'item number ' || i,
                  CASE WHEN i % 4 = 0 THEN NULL ELSE 'notes of item ' || i END, i % 5, i * 7
           FROM n"#,
        [rows as i64],
    )
}

/// A `Doc` store at `skip::v1` with `rows` rows (a quarter without body).
pub fn docs_v1(path: &Path, rows: usize) -> SeedResult {
    let plan = SchemaMigrationPlan::builder()
        .schema::<skip::v1::Schema>()
        .build()?;
    create_and_fill(
        path,
        plan,
        r#"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
           INSERT INTO "Doc" ("_id", "uid", "title", "body", "a", "b", "c")
           SELECT i, 'doc-' || i, 'title ' || i,
                  CASE WHEN i % 4 = 0 THEN NULL ELSE 'body of doc ' || i END, i, 2 * i, 3 * i
           FROM n"#,
        [rows as i64],
    )
}

/// An `Event` store at `events::v1` with `rows` rows.
pub fn events_v1(path: &Path, rows: usize) -> SeedResult {
    let plan = SchemaMigrationPlan::builder()
        .schema::<events::v1::Schema>()
        .build()?;
    create_and_fill(
        path,
        plan,
        r#"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
           INSERT INTO "Event" ("_id", "name", "minute", "payload")
           SELECT i, 'event ' || i, i % 1440, ?2 FROM n"#,
        (rows as i64, PAYLOAD),
    )
}

/// An `Event` store at `events::v2` (up to date) with `rows` rows.
pub fn events_v2(path: &Path, rows: usize) -> SeedResult {
    create_and_fill(
        path,
        events::current_plan()?,
        r#"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
           INSERT INTO "Event" ("_id", "name", "hour", "minute_of_hour", "payload")
           SELECT i, 'event ' || i, (i % 1440) / 60, i % 60, ?2 FROM n"#,
        (rows as i64, PAYLOAD),
    )
}

/// What a seeding function returns.
pub type SeedResult = Result<(), Box<dyn std::error::Error>>;

/// A seeding function: fills a new store at `path` with `rows` rows.
pub type SeedFn = fn(&Path, usize) -> SeedResult;
