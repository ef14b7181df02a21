//! Testing migrations before they reach a device (feature `testing`).
//!
//! [`MigrationTest`] creates a real store file at **every** schema version of
//! a plan, seeds it through that version's typed [`ModelContext`], migrates it
//! to the latest version, validates the result against the latest schema and
//! hands a typed context to your assertions:
//!
//! ```ignore
//! #[test]
//! fn every_shipped_version_migrates() {
//!     MigrationTest::new(plan().unwrap())
//!         .seed(|ctx: &mut ModelContext<v1::Schema>| ctx.insert(v1_fixture()).map(drop))
//!         .seed(|ctx: &mut ModelContext<v2::Schema>| ctx.insert(v2_fixture()).map(drop))
//!         .check(|from, ctx: &mut ModelContext<v4::Schema>| {
//!             assert_eq!(ctx.count::<v4::Reminder>()?, 1, "from {from}");
//!             Ok(())
//!         })
//!         .run()
//!         .unwrap();
//! }
//! ```
//!
//! For one version at a time, [`MigrationTest::store`] creates a
//! [`TestStore`] at that version; [`TestStore::migrate`] migrates it to the
//! plan's latest version and [`TestStore::migrate_with`] to the latest version
//! of another plan (a plan that ends earlier, to test an intermediate version).
//!
//! Every store lives in its own temporary directory, removed when the store
//! value is dropped. The validation after each migration checks, with a new
//! connection to the file: the store's recorded version and checksum, its
//! tables, columns, types, nullability and indexes against the target schema,
//! `PRAGMA integrity_check` and `PRAGMA foreign_key_check`.
//!
//! [`assert_schema_snapshots`] is the test-side entry point of
//! [`schema::snapshot`](crate::schema::snapshot): it fails a test that edited
//! a schema version after it shipped.

mod error;
mod store;

use std::collections::BTreeMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use crate::context::{ModelContext, SharedConnection};
use crate::error::Result;
use crate::plan::SchemaMigrationPlan;
use crate::planner::MigrationPath;
use crate::schema::snapshot::{self, SnapshotMode, SnapshotReport};
use crate::schema::{Checksum, Version, VersionedSchema};

pub use error::TestError;
pub use store::{MigratedStore, TestStore};

/// A seed: fills a new store at one version through its typed context.
struct Seed {
    version: Version,
    checksum: Checksum,
    run: SeedFn,
}

/// A seed with its schema erased.
type SeedFn = Box<dyn FnMut(&SharedConnection) -> Result<()>>;

/// The assertions run on every migrated store.
type Check<S> = Box<dyn FnMut(Version, &mut ModelContext<S>) -> Result<()>>;

/// Tests a [`SchemaMigrationPlan`] from every one of its versions to the
/// latest one, `S`; see the [module docs](self).
pub struct MigrationTest<S> {
    plan: SchemaMigrationPlan<S>,
    seeds: Vec<Seed>,
    checks: Vec<Check<S>>,
}

impl<S: VersionedSchema> MigrationTest<S> {
    /// A test of `plan`, without seeds or checks yet.
    pub fn new(plan: SchemaMigrationPlan<S>) -> Self {
        MigrationTest {
            plan,
            seeds: Vec::new(),
            checks: Vec::new(),
        }
    }

    /// The plan under test.
    pub fn plan(&self) -> &SchemaMigrationPlan<S> {
        &self.plan
    }

    /// Adds a seed for stores created at schema `V` (named by the closure's
    /// argument type): it runs once on the new store before it is migrated.
    /// Several seeds of one version run in the order they were added;
    /// versions without a seed are migrated empty.
    pub fn seed<V, F>(mut self, mut seed: F) -> Self
    where
        V: VersionedSchema,
        F: FnMut(&mut ModelContext<V>) -> Result<()> + 'static,
    {
        self.seeds.push(Seed {
            version: V::VERSION,
            checksum: V::checksum(),
            run: Box::new(move |conn| seed(&mut ModelContext::<V>::new(conn.clone()))),
        });
        self
    }

    /// Adds assertions, run on every store after it was migrated and
    /// validated, with the version the store started at.
    pub fn check<F>(mut self, check: F) -> Self
    where
        F: FnMut(Version, &mut ModelContext<S>) -> Result<()> + 'static,
    {
        self.checks.push(Box::new(check));
        self
    }

    /// Creates a store at schema `V` of the plan in a new temporary directory,
    /// for a test of one version: seed it through
    /// [`context`](TestStore::context), then [`migrate`](TestStore::migrate) it.
    ///
    /// Fails with [`TestError::NotInPlan`] when the plan has no schema `V`.
    pub fn store<V: VersionedSchema>(&self) -> Result<TestStore<'_, S, V>, TestError> {
        TestStore::create(&self.plan)
    }

    /// For every schema of the plan, oldest first (from its oldest supported
    /// version on: retired versions no longer open): creates a store at that
    /// version, runs its seeds, migrates it to the latest version, validates
    /// it, and runs the checks. Stops at the first failure, naming the
    /// version the store started at.
    ///
    /// Fails with [`TestError::NotInPlan`] before creating anything when a
    /// seed's schema is not in the plan.
    pub fn run(mut self) -> Result<MigrationTestReport, TestError> {
        for seed in &self.seeds {
            let known = self
                .plan
                .schema(seed.version)
                .is_some_and(|s| s.checksum() == seed.checksum);
            if !known {
                return Err(TestError::NotInPlan {
                    version: seed.version,
                });
            }
        }
        // Retired versions (older than the oldest supported) no longer open.
        let oldest = self.plan.oldest_supported();
        let versions: Vec<Version> = self
            .plan
            .schemas()
            .iter()
            .map(|s| s.version())
            .filter(|v| *v >= oldest)
            .collect();
        let mut runs = Vec::with_capacity(versions.len());
        for from in versions {
            let descriptor = self
                .plan
                .schema(from)
                .map(|s| s.descriptor())
                .ok_or(TestError::NotInPlan { version: from })?;
            let created = store::create_file(descriptor)?;
            let mut seeded = 0;
            for seed in self.seeds.iter_mut().filter(|s| s.version == from) {
                guarded(from, "seed", || (seed.run)(&created.conn)).map_err(|source| {
                    TestError::Seed {
                        version: from,
                        source: Box::new(source),
                    }
                })?;
                seeded += 1;
            }
            let migrated = store::migrate_file(created, from, &self.plan)?;
            let mut ctx = migrated.context();
            for check in &mut self.checks {
                guarded(from, "check", || check(from, &mut ctx)).map_err(|source| {
                    TestError::Check {
                        from,
                        source: Box::new(source),
                    }
                })?;
            }
            runs.push(MigrationRun {
                path: migrated.migration_path().clone(),
                seeds: seeded,
                rows: migrated.row_counts().map_err(|source| TestError::Check {
                    from,
                    source: Box::new(source.into()),
                })?,
            });
        }
        Ok(MigrationTestReport { runs })
    }
}

impl<S> fmt::Debug for MigrationTest<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MigrationTest")
            .field("plan", &self.plan)
            .field("seeds", &self.seeds.len())
            .field("checks", &self.checks.len())
            .finish()
    }
}

/// Runs user code, turning a panic into an error that names the version.
fn guarded(version: Version, what: &str, body: impl FnOnce() -> Result<()>) -> Result<()> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without message".to_owned());
            Err(crate::Error::hook(format!(
                "the {what} for {version} panicked: {message}"
            )))
        }
    }
}

/// What [`MigrationTest::run`] did, one [`MigrationRun`] per version of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationTestReport {
    runs: Vec<MigrationRun>,
}

impl MigrationTestReport {
    /// One run per schema of the plan, oldest first.
    pub fn runs(&self) -> &[MigrationRun] {
        &self.runs
    }
}

impl fmt::Display for MigrationTestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for run in &self.runs {
            writeln!(f, "{run}")?;
        }
        Ok(())
    }
}

/// One store of a [`MigrationTestReport`]: where it started, the path it
/// took, and what it held afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationRun {
    path: MigrationPath,
    seeds: usize,
    rows: BTreeMap<String, u64>,
}

impl MigrationRun {
    /// The version the store was created at.
    pub fn from(&self) -> Version {
        self.path.start()
    }

    /// The steps the migration took (none for a store at the latest version).
    pub fn path(&self) -> &MigrationPath {
        &self.path
    }

    /// How many seeds ran on the store before the migration.
    pub fn seeds(&self) -> usize {
        self.seeds
    }

    /// The number of records of each entity after the migration, by entity name.
    pub fn rows(&self) -> &BTreeMap<String, u64> {
        &self.rows
    }
}

impl fmt::Display for MigrationRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} seeds):", self.path, self.seeds)?;
        for (entity, rows) in &self.rows {
            write!(f, " {entity}={rows}")?;
        }
        Ok(())
    }
}

/// Checks every schema of `plan` against its JSON snapshot in `dir`, writes
/// the snapshots of versions that have none yet, and panics with the
/// precise differences when a version was edited after its snapshot was
/// written ("you edited schema 1.0.0 after shipping it: attribute
/// `Reminder.title` changed type from `text` to `json`"), or when a snapshot
/// names a version the plan no longer lists (except, when the plan names its
/// [`oldest_supported`](crate::SchemaMigrationPlanBuilder::oldest_supported)
/// version, the snapshots of the versions it retired: they stay).
///
/// Set the environment variable `STAGED_SNAPSHOTS=overwrite` to rewrite the
/// snapshots of the versions that have not shipped instead (the latest
/// version, unless the folder's `shipped.txt` lists it; the shipped ones are
/// still compared, and the versions kept are printed to stderr), or
/// `STAGED_SNAPSHOTS=verify` (as CI should) to fail on missing snapshots
/// rather than write them. See [`schema::snapshot`](crate::schema::snapshot)
/// for the workflow.
#[track_caller]
pub fn assert_schema_snapshots<S: VersionedSchema>(
    plan: &SchemaMigrationPlan<S>,
    dir: impl AsRef<Path>,
) -> SnapshotReport {
    let mode = match std::env::var("STAGED_SNAPSHOTS").as_deref() {
        Ok("overwrite") => SnapshotMode::Overwrite,
        Ok("verify") => SnapshotMode::Verify,
        _ => SnapshotMode::WriteNew,
    };
    let schemas = plan.schemas().iter().map(|s| s.descriptor());
    let checked = match plan.retired_before() {
        Some(oldest) => snapshot::check_retired(schemas, dir.as_ref(), mode, oldest),
        None => snapshot::check(schemas, dir.as_ref(), mode),
    };
    match checked {
        Ok(report) => {
            if !report.kept.is_empty() {
                let kept: Vec<String> = report.kept.iter().map(ToString::to_string).collect();
                eprintln!(
                    "STAGED_SNAPSHOTS=overwrite kept the snapshots of the shipped versions {}",
                    kept.join(", ")
                );
            }
            report
        }
        Err(error) => panic!("{error}"),
    }
}
