//! [`ModelContainerBuilder`]: the options of opening a store.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;

use super::{ModelContainer, OpenOutcome};
use crate::context::{ModelContext, Writer};
use crate::dry_run::DryRunReport;
use crate::error::Result;
use crate::observer::MigrationObserver;
use crate::plan::SchemaMigrationPlan;
use crate::schema::{Checksum, SchemaDescriptor, VersionedSchema};
use crate::store::EncryptionKey;
use crate::store::connection::{self, BUSY_TIMEOUT, JournalMode};

/// Seeds a new store; see [`ModelContainerBuilder::on_create`].
pub(super) type CreateHook<S> = Box<dyn FnOnce(&mut ModelContext<S>) -> Result<()>>;

/// Options for opening a [`ModelContainer`].
pub struct ModelContainerBuilder<S> {
    pub(super) plan: SchemaMigrationPlan<S>,
    pub(super) observer: Option<Arc<dyn MigrationObserver>>,
    pub(super) busy_timeout: Duration,
    pub(super) check_before_migrating: bool,
    pub(super) journal_mode: JournalMode,
    pub(super) durable_commits: bool,
    pub(super) on_create: Option<CreateHook<S>>,
    pub(super) adopt: Option<Adopt>,
    pub(super) prepackaged: Option<Bundled>,
    pub(super) recreate: Vec<Recreate>,
    pub(super) erase_when_schema_changed: bool,
    pub(super) key: Option<EncryptionKey>,
    pub(super) encrypt_plaintext: bool,
}

/// The schema a database staged did not create is adopted at.
#[derive(Debug, Clone, Copy)]
pub(super) struct Adopt {
    pub(super) descriptor: &'static SchemaDescriptor,
    pub(super) checksum: Checksum,
}

/// A bundled store a new store is created from.
#[derive(Debug, Clone)]
pub(super) enum Bundled {
    File(PathBuf),
    Bytes(Cow<'static, [u8]>),
}

/// A condition under which opening a store discards it and creates a new
/// one, for stores that only hold data the app can rebuild (a cache); opt
/// in to each with [`ModelContainerBuilder::recreate_when`]. None applies
/// by default: staged never deletes data unless told to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Recreate {
    /// The store's checksum matches no schema of the plan
    /// ([`MigrationError::UnknownChecksum`](crate::MigrationError::UnknownChecksum)).
    UnknownChecksum,
    /// The store was written by a newer app
    /// ([`MigrationError::StoreNewer`](crate::MigrationError::StoreNewer)).
    StoreNewer,
    /// The store is older than the plan's oldest supported version
    /// ([`MigrationError::StoreTooOld`](crate::MigrationError::StoreTooOld)).
    StoreTooOld,
    /// SQLite reports the store damaged, or its metadata is missing
    /// ([`StoreError::Corrupt`](crate::StoreError::Corrupt),
    /// [`StoreError::MissingMetadata`](crate::StoreError::MissingMetadata)).
    /// The damaged file, and its `-wal`, `-shm` and `-journal` files, are
    /// deleted before the new store is created.
    Corrupt,
}

impl<S: VersionedSchema> ModelContainerBuilder<S> {
    pub(super) fn new(plan: SchemaMigrationPlan<S>) -> Self {
        ModelContainerBuilder {
            plan,
            observer: None,
            busy_timeout: BUSY_TIMEOUT,
            check_before_migrating: true,
            journal_mode: JournalMode::Wal,
            durable_commits: false,
            on_create: None,
            adopt: None,
            prepackaged: None,
            recreate: Vec::new(),
            erase_when_schema_changed: false,
            key: None,
            encrypt_plaintext: false,
        }
    }

    /// Creates a new store in memory; see [`ModelContainer::in_memory`].
    pub fn in_memory(mut self) -> Result<ModelContainer<S>> {
        let conn = Connection::open_in_memory()?;
        connection::configure(&conn, self.busy_timeout)?;
        let conn = Writer::shared(conn);
        self.create(&conn, Path::new(":memory:"), false)?;
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
    /// store is refused with [`StoreError::Corrupt`](crate::StoreError::Corrupt)
    /// and left as it was.
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
    /// be created, and creates nothing. With an
    /// [`encryption_key`](Self::encryption_key), an encrypted store's copy
    /// is encrypted with the same key; a plaintext store is dry-run as it
    /// is (neither encrypted nor refused as
    /// [`StoreError::NotEncrypted`](crate::StoreError::NotEncrypted)).
    ///
    /// Fails, as `open` would, when the file is not a staged store or its
    /// version is newer than, or unknown to, the plan; a failure during the
    /// migration itself is reported in the [`DryRunReport`] instead.
    pub fn dry_run(&self, path: impl AsRef<Path>) -> Result<DryRunReport> {
        crate::dry_run::run(&self.plan, path.as_ref(), self.key.as_ref())
    }

    /// Takes over a SQLite database that staged did not create, when its
    /// tables match schema `A` of the plan: `open` rebuilds each table as
    /// staged's own, stamps the database as a store at `A` and migrates it
    /// to the latest version, all in one transaction. Without this option
    /// such a database is [`StoreError::ForeignDatabase`](crate::StoreError::ForeignDatabase).
    ///
    /// What must match, table by table (names compare as SQLite compares
    /// them, ignoring ASCII case): one table per entity of `A` and no other
    /// (SQLite's own tables and views aside); one column per attribute and
    /// no other; each column's declared type storing the attribute's type
    /// (the same SQLite affinity, no declared type, or a `NUMERIC` one such
    /// as `BOOLEAN` for a number); `NOT NULL` exactly on required
    /// attributes; every value readable as the attribute's type (SQLite
    /// keeps any value in any column); no two rows sharing a value of a
    /// unique attribute; references to existing records for to-ones whose
    /// delete rule SQLite enforces; no triggers.
    ///
    /// Keys: a table's `INTEGER PRIMARY KEY` column, whatever its name,
    /// becomes the record id (`_id`), so `A` does not declare it; ids are
    /// kept, and new records get ids after the largest one (also after the
    /// largest ever given, when the table was `AUTOINCREMENT`), so no id is
    /// given twice. A table without one keeps its rowids as ids. Another
    /// single-column primary key, or a `UNIQUE` column, must be declared
    /// `#[attribute(unique)]` in `A` and becomes a unique index; a primary
    /// key or unique index on several columns must be declared as a compound
    /// `#[model(unique(…))]` of the entity, and becomes one.
    ///
    /// On any mismatch `open` fails with
    /// [`StoreError::AdoptionMismatch`](crate::StoreError::AdoptionMismatch)
    /// listing every one, and the file is left as it was. A file that is
    /// already a store (adopted by an earlier launch) opens as usual, and a
    /// path without a file gets a new store: keep the option set. Indexes
    /// the database had are replaced by the ones `A` declares; `PRAGMA
    /// user_version` is left as it was. `staged adopt-check <db> <schema.json>`
    /// prints the same list before an app ships.
    /// [`dry_run`](Self::dry_run) does not preview an adoption: it reports
    /// the database as [`StoreError::ForeignDatabase`](crate::StoreError::ForeignDatabase).
    ///
    /// `A` must be a schema of the plan no older than its oldest supported
    /// version, or `open` fails with
    /// [`StoreError::AdoptedSchemaNotInPlan`](crate::StoreError::AdoptedSchemaNotInPlan).
    pub fn adopt<A: VersionedSchema>(mut self) -> Self {
        self.adopt = Some(Adopt {
            descriptor: A::descriptor(),
            checksum: A::checksum(),
        });
        self
    }

    /// Creates a new store from a copy of the bundled store at `file` when
    /// there is no store at the path `open` is given (no file, or an empty
    /// one), instead of an empty store; see [`prepackaged_bytes`](Self::prepackaged_bytes).
    pub fn prepackaged_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.prepackaged = Some(Bundled::File(file.into()));
        self
    }

    /// Creates a new store from a copy of a bundled store (e.g.
    /// `include_bytes!("seed.sqlite")`) when there is no store at the path
    /// `open` is given, instead of an empty store.
    ///
    /// The bundled store must be a store staged created (and closed: a
    /// `-wal` file beside a bundled file is not read) at a version of the
    /// plan, with that version's checksum; it may be older than the latest
    /// version. `open` copies it into a temporary file next to the path,
    /// runs `PRAGMA integrity_check` on the copy, migrates the copy to the
    /// latest version, then moves it to the path (a new name, never
    /// replacing a store another process created meanwhile), so the path
    /// only ever holds a complete store. The bundled file itself is only
    /// read. On any problem `open` fails with
    /// [`StoreError::Prepackaged`](crate::StoreError::Prepackaged), nothing
    /// is created and the temporary file is removed.
    /// [`on_create`](Self::on_create) does not run for a store created this
    /// way; [`open_outcome`](ModelContainer::open_outcome) is
    /// [`OpenOutcome::Prepackaged`].
    pub fn prepackaged_bytes(mut self, bytes: impl Into<Cow<'static, [u8]>>) -> Self {
        self.prepackaged = Some(Bundled::Bytes(bytes.into()));
        self
    }

    /// Discards the store and creates a new one at the latest version
    /// (seeded by [`on_create`](Self::on_create)) when it cannot be opened
    /// because of `condition`, instead of failing. For stores that only hold
    /// data the app can rebuild, such as caches; call it once per condition.
    /// Nothing is recreated unless asked: by default each condition is an
    /// error and the file is left as it was.
    ///
    /// A store that is not damaged is emptied in one transaction that
    /// holds the write lock (its tables, views and triggers dropped, the
    /// new tables created and seeded): after a crash it is the old store or
    /// the new one, and another process that has it open sees the new
    /// tables (it is created empty: a bundled store set with
    /// [`prepackaged_file`](Self::prepackaged_file) is only copied where
    /// there is no file). A damaged store ([`Recreate::Corrupt`]) cannot be trusted to
    /// run that transaction: its file and the `-wal`, `-shm` and `-journal`
    /// files beside it are deleted, then a new store is created as if
    /// there had been none (from the bundled store, if one is set). A file
    /// that is not a SQLite database, or another app's database, is never
    /// recreated. [`open_outcome`](ModelContainer::open_outcome) is
    /// [`OpenOutcome::Recreated`] with the condition.
    pub fn recreate_when(mut self, condition: Recreate) -> Self {
        if !self.recreate.contains(&condition) {
            self.recreate.push(condition);
        }
        self
    }

    /// **Development only** (debug builds): discards the store and creates
    /// a new one whenever its schema is not exactly the latest schema of
    /// the plan: another version, older or newer (an older one is not
    /// migrated), or the latest version with another checksum (the schema
    /// was edited since the store was created). GRDB's
    /// `eraseDatabaseOnSchemaChange`: iterate on an unreleased schema
    /// without writing migrations for each edit. It does not apply to
    /// damaged stores (see [`recreate_when`](Self::recreate_when)).
    ///
    /// The method does not exist in release builds, so it cannot ship:
    /// call it under `#[cfg(debug_assertions)]`.
    /// [`open_outcome`](ModelContainer::open_outcome) is
    /// [`OpenOutcome::Erased`].
    #[cfg(debug_assertions)]
    pub fn erase_when_schema_changed(mut self) -> Self {
        self.erase_when_schema_changed = true;
        self
    }

    /// Opens (or creates) the store encrypted with SQLCipher under `key`
    /// (feature `sqlcipher`). Every connection the container opens is
    /// given the key before anything reads the file: the writer, the read
    /// connections, and the copy a [`dry_run`](Self::dry_run) migrates. A
    /// new store is created encrypted; a store from
    /// [`prepackaged_file`](Self::prepackaged_file) may be bundled
    /// encrypted with the same key, or unencrypted (its copy is then
    /// encrypted before it is moved into place).
    ///
    /// `open` fails, leaving the file as it was, with
    /// [`StoreError::WrongKey`](crate::StoreError::WrongKey) when the key
    /// does not decrypt the store, and with
    /// [`StoreError::NotEncrypted`](crate::StoreError::NotEncrypted) when
    /// the store is not encrypted, unless
    /// [`encrypt_plaintext`](Self::encrypt_plaintext) is set. Without a key,
    /// an encrypted store is
    /// [`StoreError::Encrypted`](crate::StoreError::Encrypted), also in
    /// builds without the feature.
    ///
    /// The feature builds SQLCipher in place of the bundled SQLite, and
    /// the OpenSSL it encrypts with from source (nothing needs to be
    /// installed; the first build takes a few minutes longer). Cargo
    /// unifies features: every crate of the build that uses rusqlite then
    /// gets SQLCipher, which reads plaintext databases as before.
    #[cfg(feature = "sqlcipher")]
    pub fn encryption_key(mut self, key: EncryptionKey) -> Self {
        self.key = Some(key);
        self
    }

    /// With an [`encryption_key`](Self::encryption_key): a store found
    /// unencrypted (written by an earlier release of the app) is encrypted
    /// with the key before it is opened, by
    /// [`encrypt_store`](crate::encrypt_store): copied into an encrypted
    /// file beside it that then replaces it, so the path holds the
    /// plaintext store or the encrypted one, never neither, and no
    /// plaintext file is left in the directory. On failure the store is
    /// left as it was. No other connection may have the store open then.
    #[cfg(feature = "sqlcipher")]
    pub fn encrypt_plaintext(mut self) -> Self {
        self.encrypt_plaintext = true;
        self
    }
}
