//! The runner: executes the steps of a migration path in one transaction.
//!
//! [`Migration`] is its one entry: the container, a store group, the dry run
//! and the test helper all plan, check and run a migration through it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, MutexGuard};
use std::time::{Duration, Instant};

use rusqlite::config::DbConfig;
use rusqlite::{Connection, params};
use tracing::{debug, info, info_span};

use crate::context::SharedConnection;
use crate::error::{Error, MigrationError, Result};
use crate::inference::{Purpose, Statement};
use crate::observer::MigrationObserver;
use crate::plan::{PlanSchema, SchemaMigrationPlan};
use crate::planner::{MigrationPath, PlannedStep, Route};
use crate::schema::{SchemaDescriptor, Version, VersionedSchema};
use crate::sql;
use crate::store::{self, connection};

mod custom;
mod lowered;
pub(crate) mod probe;
mod step_error;
mod touched;

use lowered::{Lowered, Work};
use step_error::step_error;

pub(crate) use custom::hook_label;

/// Hears what the runner does, as it does it: a dry run records every
/// statement, hook and transform, with row counts around each step.
pub(crate) trait Recorder {
    /// A step starts on a store at schema `from`.
    fn begin_step(&self, conn: &Connection, from: &SchemaDescriptor);
    /// The runner runs `sql` itself.
    fn sql(&self, sql: &str);
    /// The runner is about to run a lowered statement towards schema `to`.
    fn statement(&self, conn: &Connection, to: &SchemaDescriptor, statement: &Statement);
    /// A hook is about to run.
    fn hook(&self, label: &str);
    /// The transform of (old) `entity` is about to run.
    fn transform(&self, entity: &str);
    /// The last transform wrote `written` rows.
    fn rows_written(&self, written: u64);
    /// A step ended on a store at schema `to`, having written `rows` rows.
    fn end_step(&self, conn: &Connection, to: &SchemaDescriptor, rows: u64);
}

/// What runs inside a migration's transaction before its steps; see
/// [`Migration::prelude`].
pub(crate) type Prelude<'a> = dyn Fn(&Connection) -> Result<()> + 'a;

/// A migration of the store at `path` from version `from` to the plan's
/// latest, planned once; [`begin`](Migration::begin) runs it.
pub(crate) struct Migration<'a, S> {
    plan: &'a SchemaMigrationPlan<S>,
    path: &'a Path,
    from: Version,
    route: Route,
    lowered: Vec<Lowered<'a>>,
    observer: Option<Arc<dyn MigrationObserver>>,
    recorder: Option<&'a dyn Recorder>,
    check_before: bool,
    busy_timeout: Duration,
    prelude: Option<&'a Prelude<'a>>,
    seen: Option<store::Seen>,
}

impl<'a, S: VersionedSchema> Migration<'a, S> {
    /// Plans the migration of the store at `path`, at version `from`.
    pub(crate) fn new(
        plan: &'a SchemaMigrationPlan<S>,
        path: &'a Path,
        from: Version,
    ) -> Result<Self> {
        let route = plan
            .route(from)
            .map_err(|no_route| MigrationError::NoPath {
                path: path.to_owned(),
                from,
                to: S::VERSION,
                reason: no_route.to_string(),
            })?;
        let lowered = route
            .steps
            .iter()
            .map(|step| Lowered::new(plan, step))
            .collect();
        Ok(Migration {
            plan,
            path,
            from,
            route,
            lowered,
            observer: None,
            recorder: None,
            check_before: true,
            busy_timeout: connection::BUSY_TIMEOUT,
            prelude: None,
            seen: None,
        })
    }

    /// Reports progress to `observer`.
    pub(crate) fn observer(mut self, observer: Option<Arc<dyn MigrationObserver>>) -> Self {
        self.observer = observer;
        self
    }

    /// Reports every statement, hook and transform to `recorder`.
    pub(crate) fn recorder(mut self, recorder: &'a dyn Recorder) -> Self {
        self.recorder = Some(recorder);
        self
    }

    /// The metadata the caller read (at version `from`) through the
    /// connection the migration runs on, before waiting for the write lock:
    /// unless the file changed meanwhile, it is not read again under the
    /// lock.
    pub(crate) fn seen(mut self, seen: store::Seen) -> Self {
        self.seen = Some(seen);
        self
    }

    /// Whether to check the store for damage before migrating it.
    pub(crate) fn check_before(mut self, check: bool) -> Self {
        self.check_before = check;
        self
    }

    /// The busy timeout the connection was opened with (named in errors).
    pub(crate) fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// Runs `prelude` inside the migration's transaction, once it holds the
    /// write lock and before the store's version is read (adoption stamps
    /// the store there); its error rolls everything back.
    pub(crate) fn prelude(mut self, prelude: &'a Prelude<'a>) -> Self {
        self.prelude = Some(prelude);
        self
    }

    /// The store's metadata, once the write lock is held: what the caller
    /// saw, when nothing has changed the file since (a prelude writes it),
    /// or read again.
    fn read_under_lock(&self, conn: &Connection) -> Result<store::Metadata> {
        if let Some(seen) = &self.seen
            && self.prelude.is_none()
            && store::data_version(conn)? == seen.data_version
        {
            return Ok(seen.metadata.clone());
        }
        store::read_metadata(conn, self.path)
    }

    /// Whether every step of the path is inferred (no custom stage).
    fn inferred_only(&self) -> bool {
        self.lowered.iter().all(|step| step.statements().is_some())
    }

    /// The path the migration takes.
    pub(crate) fn migration_path(&self) -> &MigrationPath {
        &self.route.path
    }

    /// The planned steps, in order.
    pub(crate) fn steps(&self) -> &[PlannedStep] {
        &self.route.steps
    }

    /// Checks the store (unless told not to), then runs every step inside a
    /// transaction that is left open for the caller to commit; on failure
    /// the transaction is rolled back and the observer told. Errors caused
    /// by the file (busy, damaged, read-only, full) are [`StoreError`]s.
    ///
    /// [`StoreError`]: crate::StoreError
    pub(crate) fn begin(self, shared: &SharedConnection) -> Result<Prepared> {
        let (path, timeout) = (self.path.to_owned(), self.busy_timeout);
        self.run(shared)
            .map_err(|error| connection::classify(error, &path, timeout))
    }

    fn run(self, shared: &SharedConnection) -> Result<Prepared> {
        let span =
            info_span!("migrate", path = %self.path.display(), from = %self.from, to = %S::VERSION);
        let _entered = span.enter();
        // The writer keeps the descriptor the check reads through until its
        // connection closes, so closing it cannot drop the lock taken below
        // (see `store::held`).
        let held = match self.check_before {
            true => shared.hold_file()?,
            false => None,
        };
        let (read, schema_known) = {
            let conn = lock(shared);
            set_migration_mode(&conn, true)?;
            if let Err(error) = conn.execute_batch(sql::BEGIN_IMMEDIATE) {
                let _ = set_migration_mode(&conn, false);
                return Err(error.into());
            }
            // Refuse to migrate a damaged store, reading what the path
            // touches (see `check_before_migrating`), under the write lock
            // and before anything is written: the file checked is the file
            // migrated. Another connection may have migrated the store while
            // this one waited for the lock: read the metadata again under the
            // lock.
            let checked = match self.check_before {
                true => {
                    let touched = touched::touched(self.plan, &self.route.steps, &self.lowered);
                    store::integrity::check_before_migrating(
                        &conn,
                        self.path,
                        held.as_ref(),
                        &touched,
                    )
                }
                false => Ok(()),
            };
            let read = checked
                .and_then(|()| match self.prelude {
                    Some(prelude) => prelude(&conn),
                    None => Ok(()),
                })
                .and_then(|()| self.read_under_lock(&conn))
                .and_then(|read| {
                    let known = self.inferred_only()
                        && store::RecordedCookie::read(&conn)?.vouches(&conn)?;
                    Ok((read, known))
                });
            if read.is_err() {
                drop(conn);
                let _ = end(shared, sql::ROLLBACK);
            }
            read?
        };
        let current = read.version;
        let mut prepared = Prepared {
            shared: Arc::clone(shared),
            path: self.path.to_owned(),
            busy_timeout: self.busy_timeout,
            observer: self.observer.clone(),
            migration_path: None,
            open: true,
        };
        if current == S::VERSION {
            // Nothing runs, so the observer hears nothing.
            info!("store already migrated by another connection");
            return Ok(prepared);
        }
        let migration_path = &self.route.path;
        info!(%migration_path, "migrating");
        if let Some(observer) = &self.observer {
            observer.will_migrate_store(migration_path);
        }
        let runner = Runner {
            shared,
            path: self.path,
            plan: self.plan,
            observer: self.observer.as_deref(),
            path_view: migration_path,
            recorder: self.recorder,
            lowered: &self.lowered,
            schema_known,
        };
        let result = runner.run_steps(self.from, current, &self.route.steps);
        prepared.migration_path = Some(self.route.path);
        match result {
            Ok(()) => Ok(prepared),
            Err(error) => {
                prepared.rollback(&error);
                Err(error)
            }
        }
    }
}

/// A migration that ran to its last step and passed its checks, with its
/// transaction still open: [`commit`](Prepared::commit) makes it durable,
/// [`rollback`](Prepared::rollback) (or dropping it) undoes it. A store group
/// prepares every store before committing any.
///
/// When another connection had already migrated the store by the time this
/// one held the write lock, nothing ran: `migration_path` is `None` and the
/// observer hears nothing, neither now nor at commit or rollback.
pub(crate) struct Prepared {
    shared: SharedConnection,
    path: PathBuf,
    busy_timeout: Duration,
    observer: Option<Arc<dyn MigrationObserver>>,
    migration_path: Option<MigrationPath>,
    open: bool,
}

impl Prepared {
    /// Whether the migration ran (false when another connection had already
    /// migrated the store by the time this one held the write lock).
    pub(crate) fn ran(&self) -> bool {
        self.migration_path.is_some()
    }

    /// Commits the migration and tells the observer how it ended.
    pub(crate) fn commit(mut self) -> Result<()> {
        self.open = false;
        let result = end(&self.shared, sql::COMMIT)
            .map_err(|error| connection::classify(error, &self.path, self.busy_timeout));
        if let (Some(observer), Some(path)) = (&self.observer, &self.migration_path) {
            match &result {
                Ok(()) => observer.did_migrate_store(path),
                Err(error) => observer.migration_failed(path, error),
            }
        }
        result
    }

    /// Rolls the migration back because of `reason`, telling the observer.
    pub(crate) fn rollback(mut self, reason: &Error) {
        self.open = false;
        let _ = end(&self.shared, sql::ROLLBACK);
        if let (Some(observer), Some(path)) = (&self.observer, &self.migration_path) {
            observer.migration_failed(path, reason);
        }
    }
}

impl Drop for Prepared {
    fn drop(&mut self) {
        if self.open {
            let _ = end(&self.shared, sql::ROLLBACK);
        }
    }
}

/// Ends the migration's transaction and leaves migration mode.
fn end(shared: &SharedConnection, statement: &str) -> Result<()> {
    let conn = lock(shared);
    let end = conn.execute_batch(statement);
    let mode = set_migration_mode(&conn, false);
    Ok(end.and(mode)?)
}

/// Enters (`on`) or leaves the connection settings a migration runs with,
/// without parsing a `PRAGMA`; outside a transaction only (inside one,
/// foreign key enforcement cannot change, and the runner never changes it
/// there):
///
/// - foreign keys are not enforced: tables are rebuilt and renamed, and
///   `foreign_key_check` runs before the commit instead;
/// - renaming a table leaves the foreign keys of other tables alone
///   (`legacy_alter_table`): every table whose foreign keys name a renamed
///   entity is rebuilt with its target definition, so when two entities swap
///   names a rebuilt table's `REFERENCES "B"` already names its target and
///   must not follow the old `B` to a temporary name; and a transformed
///   entity's old table, renamed to its shadow, leaves the references to the
///   entity for the new table that takes its name back with the same ids.
fn set_migration_mode(conn: &Connection, on: bool) -> rusqlite::Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_FKEY, !on)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_LEGACY_ALTER_TABLE, on)?;
    Ok(())
}

fn lock(shared: &SharedConnection) -> MutexGuard<'_, Connection> {
    shared.lock()
}

struct Runner<'a, S> {
    shared: &'a SharedConnection,
    path: &'a Path,
    plan: &'a SchemaMigrationPlan<S>,
    observer: Option<&'a dyn MigrationObserver>,
    path_view: &'a MigrationPath,
    recorder: Option<&'a dyn Recorder>,
    lowered: &'a [Lowered<'a>],
    /// Whether the path is inferred steps only, and the store's schema was
    /// the one recorded with its version before the first step.
    schema_known: bool,
}

impl<S: VersionedSchema> Runner<'_, S> {
    /// Tells the recorder, if any.
    fn record(&self, event: impl FnOnce(&dyn Recorder)) {
        if let Some(recorder) = self.recorder {
            event(recorder);
        }
    }

    /// Runs (and records) a statement the runner issues itself.
    fn exec(&self, conn: &Connection, sql: &str) -> rusqlite::Result<usize> {
        self.record(|r| r.sql(sql));
        debug!(sql, "execute");
        conn.execute(sql, [])
    }

    /// Runs every step, then checks the store against the latest schema and
    /// stamps its version.
    fn run_steps(&self, from: Version, current: Version, steps: &[PlannedStep]) -> Result<()> {
        if current != from {
            return Err(MigrationError::NoPath {
                path: self.path.to_owned(),
                from: current,
                to: S::VERSION,
                reason: format!("another connection moved the store from {from} to {current}"),
            }
            .into());
        }
        for (index, step) in steps.iter().enumerate() {
            self.run_step(index, steps.len(), step)?;
        }
        let conn = lock(self.shared);
        let latest = self.plan.schemas().last().expect("a plan has a schema");
        self.verify(&conn, latest)?;
        store::stamp(&conn, (latest.version(), latest.checksum()))
    }

    /// Runs step `index` of `total`: the inferred SQL or the custom stage,
    /// then its history row.
    fn run_step(&self, index: usize, total: usize, step: &PlannedStep) -> Result<()> {
        let view = self.path_view.steps()[index];
        if let Some(observer) = self.observer {
            observer.will_run_stage(index, total, &view);
        }
        let schemas = self.plan.schemas();
        let (source, target) = (&schemas[step.from], &schemas[step.to]);
        let kind = view.kind();
        let stage_span =
            info_span!("stage", from = %source.version(), to = %target.version(), %kind);
        let _entered = stage_span.enter();
        let started_at = store::now_millis();
        let clock = Instant::now();
        let lowered = &self.lowered[index];
        self.record(|r| r.begin_step(&lock(self.shared), source.descriptor()));
        let rows = match lowered.work {
            Work::Inferred(ref statements) => {
                self.execute_all(source.descriptor(), target.descriptor(), statements)?
            }
            Work::Custom(custom) => self.run_custom(
                &view,
                source.descriptor(),
                target.descriptor(),
                &lowered.mapping,
                custom,
            )?,
        };
        let duration = i64::try_from(clock.elapsed().as_millis()).unwrap_or(i64::MAX);
        lock(self.shared).execute(
            &sql::insert_history(),
            params![
                source.version().to_string(),
                target.version().to_string(),
                kind.name(),
                started_at,
                duration,
                i64::try_from(rows).unwrap_or(i64::MAX)
            ],
        )?;
        self.record(|r| r.end_step(&lock(self.shared), target.descriptor(), rows));
        info!(rows, duration_ms = duration, "step done");
        Ok(())
    }

    /// Checks the migrated store against `latest`: its tables match the
    /// schema (no drift), and no reference points at a missing record,
    /// unless the steps keep every row's id and references
    /// ([`touched::keeps_references`]).
    ///
    /// The tables are not compared when the path is inferred steps only,
    /// run on a store whose schema was exactly the one recorded with its
    /// version (its schema cookie unchanged): they are then what the
    /// inferred statements make of that version's tables, which is the
    /// latest schema (the property `tests/lightweight_props.rs` checks for
    /// random schemas and steps). A store changed behind staged's back, an
    /// adopted one, one from before the cookie was recorded, and every path
    /// with a custom stage (whose hooks may run any SQL) are compared.
    fn verify(&self, conn: &Connection, latest: &PlanSchema) -> Result<()> {
        let differences = match self.schema_known {
            true => Vec::new(),
            false => store::verify::drift(conn, latest.descriptor())?,
        };
        if !differences.is_empty() {
            return Err(MigrationError::SchemaDrift {
                path: self.path.to_owned(),
                version: latest.version(),
                differences,
            }
            .into());
        }
        // The store's foreign keys are the schema's (compared just now, or
        // made by inference): a schema without any leaves nothing to check, and steps
        // that keep every row's id and references leave nothing to look for
        // (the check reads every table holding references).
        if store::verify::declares_foreign_keys(latest.descriptor())
            && !touched::keeps_references(self.lowered)
        {
            const SHOWN: usize = 5;
            let mut references = store::verify::dangling_references(conn, SHOWN + 1)?;
            if !references.is_empty() {
                let more = references.len() > SHOWN;
                references.truncate(SHOWN);
                return Err(MigrationError::DanglingReferences {
                    path: self.path.to_owned(),
                    version: latest.version(),
                    references,
                    more,
                }
                .into());
            }
        }
        Ok(())
    }

    fn execute_all(
        &self,
        from: &SchemaDescriptor,
        to: &SchemaDescriptor,
        statements: &[Statement],
    ) -> Result<u64> {
        let conn = lock(self.shared);
        // Renames leave other tables' foreign keys alone: see `set_migration_mode`.
        self.execute_each(&conn, from, to, statements)
    }

    fn execute_each(
        &self,
        conn: &Connection,
        from: &SchemaDescriptor,
        to: &SchemaDescriptor,
        statements: &[Statement],
    ) -> Result<u64> {
        let mut rows = 0;
        for statement in statements {
            self.record(|r| r.statement(conn, to, statement));
            rows += execute(conn, statement).map_err(|error| {
                step_error(
                    conn,
                    self.path,
                    from.version(),
                    to.version(),
                    statement,
                    error,
                )
            })?;
        }
        Ok(rows)
    }
}

/// Runs one statement; returns the rows it wrote.
fn execute(conn: &Connection, statement: &Statement) -> rusqlite::Result<u64> {
    debug!(sql = %statement.sql, "execute");
    if let Purpose::RemovedValues { .. } = statement.purpose {
        return probe::fail_on_removed_values(conn, &statement.sql).map(|()| 0);
    }
    let changed = conn.execute(&statement.sql, [])?;
    Ok(match statement.purpose {
        Purpose::CopyRows { .. } => changed as u64,
        _ => 0,
    })
}
