//! [`ModelContainer`]: opens a store, migrating it to the plan's latest schema.
//!
//! `builder` holds the options of [`ModelContainerBuilder`]; `open` decides
//! what opening a path does (create, migrate, adopt, recreate);
//! `prepackaged` creates a store from a bundled one.

mod builder;
mod open;
mod prepackaged;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::context::{ModelContext, Observation, SharedConnection};
use crate::error::Result;
use crate::model::{BelongsTo, Record};
use crate::plan::SchemaMigrationPlan;
use crate::query::FetchDescriptor;
use crate::schema::{Version, VersionedSchema};
use crate::store::EncryptionKey;
use crate::store::connection::{self, JournalMode};

pub use builder::{ModelContainerBuilder, Recreate};

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
    /// The file was a SQLite database staged did not create: it was
    /// adopted as a store at `version` (see
    /// [`adopt`](ModelContainerBuilder::adopt)) and migrated to the latest
    /// version, in one transaction.
    Adopted {
        /// The adopted schema's version.
        version: Version,
    },
    /// There was no store: it was created from the bundled store (see
    /// [`prepackaged_file`](ModelContainerBuilder::prepackaged_file)),
    /// which was at `from`, and migrated to the latest version.
    Prepackaged {
        /// The bundled store's version.
        from: Version,
    },
    /// The store could not be opened for `reason`, a condition the app
    /// opted in to with [`recreate_when`](ModelContainerBuilder::recreate_when):
    /// its data was discarded and a new store created at the latest
    /// version.
    Recreated {
        /// Why the old store could not be opened.
        reason: Recreate,
    },
    /// The store's schema was not the latest (another version, or an
    /// edited schema) and
    /// [`erase_when_schema_changed`](ModelContainerBuilder::erase_when_schema_changed)
    /// was set: its data was discarded and a new store created.
    Erased {
        /// The version the store was at.
        from: Version,
    },
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
        ModelContainerBuilder::new(plan)
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
        key: Option<EncryptionKey>,
    ) -> Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let in_wal = self.conn.file_in_wal();
        let wal = connection::set_journal(&self.conn.lock(), journal_mode, durable, in_wal)?;
        if wal {
            self.conn.attach_readers(path, timeout, key);
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

/// The settings a container applies once its store is open and committed.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    journal_mode: JournalMode,
    durable_commits: bool,
    busy_timeout: Duration,
    key: Option<EncryptionKey>,
}

impl Settings {
    /// Applies the settings to a container just opened at `path`.
    pub(crate) fn apply<S: VersionedSchema>(
        self,
        container: &ModelContainer<S>,
        path: &Path,
    ) -> Result<()> {
        container
            .settle(
                self.journal_mode,
                self.durable_commits,
                self.busy_timeout,
                self.key,
            )
            .map_err(|error| connection::classify(error, path, self.busy_timeout))
    }
}
