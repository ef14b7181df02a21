//! [`ModelContainer`]: opens a store, migrating it to the plan's latest schema.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;

use crate::context::{ModelContext, Observation, SharedConnection, Writer};
use crate::dry_run::DryRunReport;
use crate::error::Result;
use crate::migrate::{Migration, Prepared};
use crate::model::{BelongsTo, Record};
use crate::observer::MigrationObserver;
use crate::plan::SchemaMigrationPlan;
use crate::query::FetchDescriptor;
use crate::schema::{Version, VersionedSchema};
use crate::store::connection::{self, BUSY_TIMEOUT, JournalMode};
use crate::store::{self, FileState};

/// An open store at the latest schema `S` of its plan; hands out [`ModelContext`]s.
///
/// A container is `Clone + Send + Sync`: share it between threads (a clone
/// is cheap and opens nothing) and take one context per thread or task. A
/// context's [`transaction`](ModelContext::transaction) holds the store's
/// writer until it ends, so another context's writes wait for it and are
/// never part of it.
pub struct ModelContainer<S> {
    conn: SharedConnection,
    path: Option<PathBuf>,
    store_version: Version,
    outcome: OpenOutcome,
    plan: Arc<SchemaMigrationPlan<S>>,
}

/// What opening a store did; see [`ModelContainer::open_outcome`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpenOutcome {
    /// There was no store (no file, or an empty one): it was created at the
    /// latest version, and seeded by
    /// [`on_create`](ModelContainerBuilder::on_create) if set.
    Created,
    /// The store was at `from` and was migrated to the latest version.
    Migrated {
        /// The store's version before the migration.
        from: Version,
    },
    /// The store was already at the latest version (or another process
    /// migrated it while this one waited).
    UpToDate,
}

/// Seeds a new store; see [`ModelContainerBuilder::on_create`].
type CreateHook<S> = Box<dyn FnOnce(&mut ModelContext<S>) -> Result<()>>;

impl<S: VersionedSchema> ModelContainer<S> {
    /// Opens the store at `path` (creating it at the latest version when the
    /// file does not exist or is empty) and migrates it if it is older.
    ///
    /// The file is left unchanged when it cannot be opened: not a SQLite
    /// database, not created by staged, newer than the plan, or at a schema
    /// the plan does not know.
    pub fn open(path: impl AsRef<Path>, plan: SchemaMigrationPlan<S>) -> Result<Self> {
        ModelContainer::builder(plan).open(path)
    }

    /// A new store in memory at the latest version; gone when the container is dropped.
    pub fn in_memory(plan: SchemaMigrationPlan<S>) -> Result<Self> {
        ModelContainer::builder(plan).in_memory()
    }

    /// A builder, for options such as a migration observer.
    pub fn builder(plan: SchemaMigrationPlan<S>) -> ModelContainerBuilder<S> {
        ModelContainerBuilder {
            plan,
            observer: None,
            busy_timeout: BUSY_TIMEOUT,
            check_before_migrating: true,
            journal_mode: JournalMode::Wal,
            durable_commits: false,
            on_create: None,
        }
    }

    /// A context for reading and writing the latest schema's models.
    pub fn context(&self) -> ModelContext<S> {
        ModelContext::new(Arc::clone(&self.conn))
    }

    /// The store's schema version (after opening: always the plan's latest).
    pub fn store_version(&self) -> Version {
        self.store_version
    }

    /// The store's file, `None` for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The plan the store was opened with.
    pub fn plan(&self) -> &SchemaMigrationPlan<S> {
        &self.plan
    }

    /// Observes a fetch: `callback` gets its records once, then again after
    /// every commit that changed `M`'s entity (its table, or the join tables
    /// of its many-to-manys) through any context of this container. Commits
    /// that come while the callback runs are coalesced into one new call.
    /// Dropping the returned [`Observation`] stops the calls.
    ///
    /// Every call happens on the store's observation thread (one per
    /// container and its clones, started by the first `observe`), one at a
    /// time and in commit order; keep callbacks short and hand results to
    /// your UI thread yourself. A fetch runs on a read connection in WAL
    /// mode, so it never waits for a writer. Changes made by another
    /// process, or through another container opened on the same file, are
    /// not observed.
    pub fn observe<M: BelongsTo<S>>(
        &self,
        descriptor: FetchDescriptor<M>,
        callback: impl FnMut(&[Record<M>]) + Send + 'static,
    ) -> Observation {
        crate::context::observe::<S, M, _>(&self.conn, descriptor, callback)
    }

    /// Whether opening created the store, migrated it (and from which
    /// version), or found it up to date.
    pub fn open_outcome(&self) -> OpenOutcome {
        self.outcome
    }

    /// Applies the journal mode and synchronous level once the store is open
    /// and any migration committed (a journal mode cannot change inside a
    /// transaction), and, in WAL mode, lets reads use read connections.
    pub(crate) fn settle(
        &self,
        journal_mode: JournalMode,
        durable: bool,
        timeout: Duration,
    ) -> Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let wal = connection::set_journal(&self.conn.lock(), journal_mode, durable)?;
        if wal {
            self.conn.attach_readers(path, timeout);
        }
        Ok(())
    }
}

/// A clone shares the store: its contexts take turns with the original's.
impl<S> Clone for ModelContainer<S> {
    fn clone(&self) -> Self {
        ModelContainer {
            conn: Arc::clone(&self.conn),
            path: self.path.clone(),
            store_version: self.store_version,
            outcome: self.outcome,
            plan: Arc::clone(&self.plan),
        }
    }
}

impl<S> std::fmt::Debug for ModelContainer<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelContainer")
            .field("path", &self.path)
            .field("store_version", &self.store_version)
            .finish_non_exhaustive()
    }
}

/// Options for opening a [`ModelContainer`].
pub struct ModelContainerBuilder<S> {
    plan: SchemaMigrationPlan<S>,
    observer: Option<Arc<dyn MigrationObserver>>,
    busy_timeout: Duration,
    check_before_migrating: bool,
    journal_mode: JournalMode,
    durable_commits: bool,
    on_create: Option<CreateHook<S>>,
}

impl<S: VersionedSchema> ModelContainerBuilder<S> {
    /// Opens (or creates) the store at `path`; see [`ModelContainer::open`].
    pub fn open(self, path: impl AsRef<Path>) -> Result<ModelContainer<S>> {
        let path = path.as_ref();
        let settings = self.settings();
        let (container, prepared) = self.open_uncommitted(path)?;
        if let Some(prepared) = prepared {
            prepared.commit()?;
        }
        settings.apply(&container, path)?;
        Ok(container)
    }

    /// What [`ModelContainer::settle`] needs once the caller has committed.
    pub(crate) fn settings(&self) -> Settings {
        Settings {
            journal_mode: self.journal_mode,
            durable_commits: self.durable_commits,
            busy_timeout: self.busy_timeout,
        }
    }

    /// Opens the store like [`open`](Self::open) but leaves a migration's
    /// transaction open: the caller commits or rolls back the [`Prepared`]
    /// migration (a store group commits only once every store is ready),
    /// then applies the [`settings`](Self::settings).
    pub(crate) fn open_uncommitted(
        self,
        path: &Path,
    ) -> Result<(ModelContainer<S>, Option<Prepared>)> {
        let timeout = self.busy_timeout;
        self.open_file(path)
            .map_err(|error| connection::classify(error, path, timeout))
    }

    fn open_file(mut self, path: &Path) -> Result<(ModelContainer<S>, Option<Prepared>)> {
        let state = store::inspect_file(path)?;
        let conn = Writer::shared(connection::open(path, self.busy_timeout)?);
        let (outcome, prepared) = match state {
            FileState::New => {
                if let Err(error) = self.create(&conn) {
                    drop(conn);
                    // The file was empty or absent before: leave it that way.
                    let _ = std::fs::write(path, b"");
                    return Err(error);
                }
                (OpenOutcome::Created, None)
            }
            FileState::Staged => self.migrate_existing(&conn, path)?,
        };
        let container = ModelContainer {
            conn,
            path: Some(path.to_owned()),
            store_version: S::VERSION,
            outcome,
            plan: Arc::new(self.plan),
        };
        Ok((container, prepared))
    }

    /// Creates the store's tables and runs the `on_create` hook, in one
    /// transaction: on failure nothing was created.
    fn create(&mut self, conn: &SharedConnection) -> Result<()> {
        conn.lock().execute_batch("BEGIN IMMEDIATE")?;
        let seed = self.on_create.take();
        let created = catch_unwind(AssertUnwindSafe(|| -> Result<()> {
            store::create_in(&conn.lock(), S::descriptor())?;
            if let Some(seed) = seed {
                seed(&mut ModelContext::new(Arc::clone(conn)))?;
            }
            Ok(())
        }));
        match created {
            Ok(Ok(())) => Ok(conn.lock().execute_batch("COMMIT")?),
            Ok(Err(error)) => {
                let _ = conn.lock().execute_batch("ROLLBACK");
                Err(error)
            }
            Err(panic) => {
                let _ = conn.lock().execute_batch("ROLLBACK");
                resume_unwind(panic)
            }
        }
    }

    /// Creates a new store in memory; see [`ModelContainer::in_memory`].
    pub fn in_memory(mut self) -> Result<ModelContainer<S>> {
        let conn = Connection::open_in_memory()?;
        connection::configure(&conn, self.busy_timeout)?;
        let conn = Writer::shared(conn);
        self.create(&conn)?;
        Ok(ModelContainer {
            conn,
            path: None,
            store_version: S::VERSION,
            outcome: OpenOutcome::Created,
            plan: Arc::new(self.plan),
        })
    }

    /// Seeds a new store: `seed` runs inside the transaction that creates
    /// the store (a default folder, settings), so a store exists with its
    /// seed data or not at all. It never runs for a store that already
    /// existed, migrated or not: data a migration should add belongs in a
    /// custom stage's hooks.
    pub fn on_create(
        mut self,
        seed: impl FnOnce(&mut ModelContext<S>) -> Result<()> + 'static,
    ) -> Self {
        self.on_create = Some(Box::new(seed));
        self
    }

    /// How the store journals its transactions (default
    /// [`JournalMode::Wal`]). The mode is recorded in the file; `open` sets
    /// it once the store is open and migrated, so a store in another mode is
    /// switched then.
    pub fn journal_mode(mut self, mode: JournalMode) -> Self {
        self.journal_mode = mode;
        self
    }

    /// Whether every commit is synced to disk before it returns (SQLite's
    /// `synchronous = FULL`), default `false` in WAL mode.
    ///
    /// Either way a commit survives the app crashing or being killed, and
    /// the store is never corrupted. With `false` (WAL's `synchronous =
    /// NORMAL`), a power loss or operating-system crash may roll back the
    /// last commits before the WAL was synced (at the next checkpoint); with
    /// `true`, each commit waits for a sync, about a disk flush per commit.
    /// In [`JournalMode::Rollback`], commits are always synced.
    pub fn durable_commits(mut self, durable: bool) -> Self {
        self.durable_commits = durable;
        self
    }

    /// Reports migration progress to `observer`.
    pub fn observer(mut self, observer: impl MigrationObserver + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// How long to wait for a lock held by another connection, e.g. another
    /// process of the app migrating the same store (default 5 s).
    ///
    /// Two processes opening an old store at once: one migrates, the other
    /// waits for it and then opens the migrated store without migrating it
    /// again. If the wait exceeds this timeout, `open` fails with
    /// [`StoreError::Busy`](crate::StoreError::Busy) and changes nothing; opening again later succeeds.
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// Whether [`open`](Self::open) checks an old store with SQLite's
    /// `PRAGMA quick_check` before migrating it (default `true`).
    ///
    /// The check reads every page of the file, so it costs time in
    /// proportion to the store's size (about 130 ms for a million small
    /// rows), once per migration, never when the store is already at the
    /// latest version. It finds damage the migration itself would not read:
    /// pages of tables a step leaves alone, and a corrupt list of free pages,
    /// which the migration's writes could then spread to pages in use. A
    /// damaged store is refused with [`StoreError::Corrupt`](crate::StoreError::Corrupt) and left as it was.
    ///
    /// Turning it off makes a step that only adds or renames columns or
    /// tables take constant time whatever the store's size. Do so only for
    /// stores you can rebuild (a cache, say): a step that rewrites rows still
    /// fails with `StoreError::Corrupt` on a damaged page it reads, but a
    /// step that reads no rows migrates a damaged store.
    pub fn check_before_migrating(mut self, check: bool) -> Self {
        self.check_before_migrating = check;
        self
    }

    /// Reports what [`open`](ModelContainerBuilder::open) would do to the
    /// store at `path`, without changing it: the migration path, each step's
    /// SQL, hooks and transforms, row counts per entity before and after each
    /// step, the data problems that would make the migration fail (records
    /// sharing a value of a newly unique attribute, NULLs under a newly
    /// required one), and the data it would lose: rows an entity would no
    /// longer have and values that would become NULL, unless the plan deletes
    /// them on purpose (an entity or attribute the newer schema no longer
    /// has, rows a `transform_or_drop` drops). A report with any problem is
    /// not a success ([`DryRunReport::would_succeed`]). See [`DryRunReport`].
    ///
    /// The store is copied (SQLite's backup API, through a query-only
    /// connection) to a hidden temporary file beside it
    /// (`.<name>.dry-run-<pid>-<n>`) and the real migration runs on the copy,
    /// so the file stays byte-for-byte unchanged; the copy and its journal
    /// are deleted afterwards, also when the migration fails or a hook
    /// panics. Memory stays bounded by SQLite's page cache whatever the
    /// store's size; the folder needs room for a second copy of the store,
    /// as the real migration of a large store does. **Custom stages' hooks
    /// and transforms do run**, on the copy, so that the report shows their
    /// real outcome: keep them free of side effects outside the store. The
    /// observer is not called. A path without a store reports that one would
    /// be created, and creates nothing.
    ///
    /// Fails, as `open` would, when the file is not a staged store or its
    /// version is newer than, or unknown to, the plan; a failure during the
    /// migration itself is reported in the [`DryRunReport`] instead.
    pub fn dry_run(&self, path: impl AsRef<Path>) -> Result<DryRunReport> {
        crate::dry_run::run(&self.plan, path.as_ref())
    }

    /// Begins the migration of an existing store, unless it is up to date.
    fn migrate_existing(
        &self,
        conn: &SharedConnection,
        path: &Path,
    ) -> Result<(OpenOutcome, Option<Prepared>)> {
        let version = self.plan.store_version(&conn.lock(), path)?;
        if version == S::VERSION {
            return Ok((OpenOutcome::UpToDate, None));
        }
        let prepared = Migration::new(&self.plan, path, version)?
            .observer(self.observer.clone())
            .check_before(self.check_before_migrating)
            .busy_timeout(self.busy_timeout)
            .begin(conn)?;
        // Another process may have migrated the store while this one waited
        // for the write lock: then nothing ran.
        let outcome = if prepared.ran() {
            OpenOutcome::Migrated { from: version }
        } else {
            OpenOutcome::UpToDate
        };
        Ok((outcome, Some(prepared)))
    }
}

/// The settings a container applies once its store is open and committed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    journal_mode: JournalMode,
    durable_commits: bool,
    busy_timeout: Duration,
}

impl Settings {
    /// Applies the settings to a container just opened at `path`.
    pub(crate) fn apply<S: VersionedSchema>(
        self,
        container: &ModelContainer<S>,
        path: &Path,
    ) -> Result<()> {
        container
            .settle(self.journal_mode, self.durable_commits, self.busy_timeout)
            .map_err(|error| connection::classify(error, path, self.busy_timeout))
    }
}
