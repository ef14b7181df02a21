//! [`ModelContainer`]: opens a store, migrating it to the plan's latest schema.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::config::DbConfig;

use crate::context::{ModelContext, SharedConnection};
use crate::dry_run::DryRunReport;
use crate::error::{MigrationError, Result, StoreError};
use crate::migrate::Prepared;
use crate::observer::MigrationObserver;
use crate::plan::SchemaMigrationPlan;
use crate::schema::{Version, VersionedSchema};
use crate::store::{self, FileState};

/// How long a connection waits for another connection's lock before failing,
/// unless [`ModelContainerBuilder::busy_timeout`] says otherwise.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open store at the latest schema `S` of its plan; hands out [`ModelContext`]s.
pub struct ModelContainer<S> {
    conn: SharedConnection,
    path: Option<PathBuf>,
    store_version: Version,
    plan: Arc<SchemaMigrationPlan<S>>,
}

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
}

impl<S: VersionedSchema> ModelContainerBuilder<S> {
    /// Opens (or creates) the store at `path`; see [`ModelContainer::open`].
    pub fn open(self, path: impl AsRef<Path>) -> Result<ModelContainer<S>> {
        let path = path.as_ref();
        let timeout = self.busy_timeout;
        let observer = self.observer.clone();
        let (container, prepared) = self.open_uncommitted(path)?;
        if let Some(prepared) = prepared {
            prepared
                .commit(observer.as_deref())
                .map_err(|error| store::classify(error, path, timeout))?;
        }
        Ok(container)
    }

    /// Opens the store like [`open`](Self::open) but leaves a migration's
    /// transaction open: the caller commits or rolls back the [`Prepared`]
    /// migration (a store group commits only once every store is ready).
    pub(crate) fn open_uncommitted(
        self,
        path: &Path,
    ) -> Result<(ModelContainer<S>, Option<Prepared>)> {
        let timeout = self.busy_timeout;
        self.open_file(path)
            .map_err(|error| store::classify(error, path, timeout))
    }

    /// The observer, for a caller that commits a [`Prepared`] migration itself.
    pub(crate) fn observer_handle(&self) -> Option<Arc<dyn MigrationObserver>> {
        self.observer.clone()
    }

    /// The busy timeout set on the builder.
    pub(crate) fn timeout(&self) -> Duration {
        self.busy_timeout
    }

    fn open_file(self, path: &Path) -> Result<(ModelContainer<S>, Option<Prepared>)> {
        let state = store::inspect_file(path)?;
        let mut conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source,
        })?;
        configure(&conn, self.busy_timeout)?;
        if conn.is_readonly(rusqlite::MAIN_DB)? {
            // SQLite fell back to reading: the process may not write the file.
            return Err(StoreError::ReadOnly {
                path: path.to_owned(),
            }
            .into());
        }
        let store_version = match state {
            FileState::New => {
                let created = store::create(&mut conn, S::descriptor());
                if let Err(error) = created {
                    drop(conn);
                    // The file was empty or absent before: leave it that way.
                    let _ = std::fs::write(path, b"");
                    return Err(error);
                }
                S::VERSION
            }
            FileState::Staged => S::VERSION,
        };
        let conn = Arc::new(Mutex::new(conn));
        let prepared = match state {
            FileState::Staged => self.open_existing(&conn, path)?,
            FileState::New => None,
        };
        let container = ModelContainer {
            conn,
            path: Some(path.to_owned()),
            store_version,
            plan: Arc::new(self.plan),
        };
        Ok((container, prepared))
    }

    /// Creates a new store in memory; see [`ModelContainer::in_memory`].
    pub fn in_memory(self) -> Result<ModelContainer<S>> {
        let mut conn = Connection::open_in_memory()?;
        configure(&conn, self.busy_timeout)?;
        store::create(&mut conn, S::descriptor())?;
        Ok(ModelContainer {
            conn: Arc::new(Mutex::new(conn)),
            path: None,
            store_version: S::VERSION,
            plan: Arc::new(self.plan),
        })
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
    /// [`StoreError::Busy`] and changes nothing; opening again later succeeds.
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// Whether [`open`](Self::open) checks an old store before migrating it
    /// (default `true`).
    ///
    /// The check costs what the migration touches, not the store's size. It
    /// walks the file's list of free pages (the pages the migration's writes
    /// take first), and runs SQLite's `PRAGMA quick_check` on the tables
    /// every migration writes (the schema, staged's metadata and history) and
    /// on the tables the path reads row by row, rewrites or drops (a rebuild,
    /// a transform, a removed attribute, a new index); a step that only adds
    /// or renames attributes or entities checks none of the app's tables. A
    /// custom stage with hooks, which may read anything, and a store in WAL
    /// mode with frames in its `-wal` file get the whole-file
    /// `PRAGMA quick_check` instead. Tables the migration leaves alone are
    /// not read: damage inside them is neither found nor spread. A damaged
    /// store is refused with [`StoreError::Corrupt`] and left as it was.
    ///
    /// Turning it off saves that check too (about 0.05 ms when the path
    /// reads no table, one more read of each table it rewrites otherwise).
    /// Do so only for stores you can rebuild (a cache, say): a step that
    /// rewrites rows still fails with `StoreError::Corrupt` on a damaged page
    /// it reads, but a damaged list of free pages is written into.
    pub fn check_before_migrating(mut self, check: bool) -> Self {
        self.check_before_migrating = check;
        self
    }

    /// Reports what [`open`](ModelContainerBuilder::open) would do to the
    /// store at `path`, without changing it: the migration path, each step's
    /// SQL, hooks and transforms, row counts per entity before and after each
    /// step, and the data problems that would make the migration fail (records
    /// sharing a value of a newly unique attribute, NULLs under a newly
    /// required one). See [`DryRunReport`].
    ///
    /// The store is copied into memory (SQLite's backup API, through a
    /// read-only connection) and the real migration runs on the copy, so the
    /// file stays byte-for-byte unchanged and no journal file is left; the
    /// copy needs as much memory as the file is large. **Custom stages' hooks
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

    fn open_existing(&self, conn: &SharedConnection, path: &Path) -> Result<Option<Prepared>> {
        let version = check_store(
            &self.plan,
            &conn.lock().unwrap_or_else(PoisonError::into_inner),
            path,
        )?;
        if version == S::VERSION {
            return Ok(None);
        }
        // Refuse to migrate a damaged store (see `check_before_migrating`).
        if self.check_before_migrating {
            store::integrity::check_before_migrating(
                &conn.lock().unwrap_or_else(PoisonError::into_inner),
                path,
                &self.plan,
                version,
            )?;
        }
        let prepared = crate::migrate::prepare(
            conn,
            path,
            &self.plan,
            version,
            self.observer.as_deref(),
            None,
        )?;
        Ok(Some(prepared))
    }
}

/// The version of the store behind `conn`, once its metadata shows a schema
/// of `plan` (otherwise the store cannot be opened).
pub(crate) fn check_store<S: VersionedSchema>(
    plan: &SchemaMigrationPlan<S>,
    conn: &Connection,
    path: &Path,
) -> Result<Version> {
    let metadata = store::read_metadata(conn, path)?;
    let latest = S::VERSION;
    if metadata.version > latest {
        return Err(MigrationError::StoreNewer {
            path: path.to_owned(),
            store_version: metadata.version,
            latest,
        }
        .into());
    }
    let known = plan
        .schema(metadata.version)
        .is_some_and(|s| s.checksum() == metadata.checksum);
    if !known {
        return Err(MigrationError::UnknownChecksum {
            path: path.to_owned(),
            version: metadata.version,
            checksum: metadata.checksum,
        }
        .into());
    }
    Ok(metadata.version)
}

/// Sets the options of every connection staged opens.
pub(crate) fn configure(conn: &Connection, busy_timeout: Duration) -> Result<()> {
    conn.busy_timeout(busy_timeout)?;
    // `PRAGMA foreign_keys = ON` without parsing a statement (paid on every launch).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_FKEY, true)?;
    Ok(())
}
