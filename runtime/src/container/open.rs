//! What opening a path does: create a new store (empty, or from a bundled
//! one), migrate an existing one, adopt a database staged did not create,
//! or recreate a store the app opted in to discard.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::Path;
use std::sync::Arc;

use rusqlite::Connection;
use rusqlite::config::DbConfig;
use tracing::warn;

use super::builder::{Adopt, ModelContainerBuilder, Recreate};
use super::{ModelContainer, OpenOutcome, Settings, prepackaged};
use crate::context::{ModelContext, SharedConnection, Writer};
use crate::error::{Error, MigrationError, Result, StoreError};
use crate::migrate::{Migration, Prepared};
use crate::schema::VersionedSchema;
use crate::sql::{self, APPLICATION_ID};
use crate::store::{self, FileState, HeldFile, Metadata, Seen, connection};

/// What opening did: the writer, the outcome, and a migration left open.
type Opened = (SharedConnection, OpenOutcome, Option<Prepared>);

/// Why an existing store is discarded instead of opened.
#[derive(Debug, Clone)]
enum Discard {
    /// A condition of [`ModelContainerBuilder::recreate_when`].
    Recreate(Recreate),
    /// [`ModelContainerBuilder::erase_when_schema_changed`], the store at this metadata.
    Erase(Metadata),
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
            key: self.key.clone(),
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
        // Held from before the header is read until the connections close:
        // staged's own reads of the file then never close a descriptor of
        // it while SQLite holds locks (see `store::held`).
        let held = HeldFile::open(path).map_err(|source| StoreError::io(path, source))?;
        let (conn, outcome, prepared) = match store::sniff_held(path, held.as_ref())? {
            FileState::New => self.open_new(path)?,
            FileState::Staged => {
                self.encrypt_if_asked(path)?;
                self.open_existing(path)?
            }
            FileState::Encrypted if self.key.is_some() => self.open_existing(path)?,
            FileState::Encrypted => {
                return Err(StoreError::Encrypted {
                    path: path.to_owned(),
                }
                .into());
            }
            FileState::Foreign { application_id } => match self.adopt {
                Some(adopt) => self.open_adopting(path, adopt)?,
                None => {
                    return Err(StoreError::ForeignDatabase {
                        path: path.to_owned(),
                        application_id,
                    }
                    .into());
                }
            },
        };
        // A new store's file exists from its first connection on; a store
        // encrypted in place is another file than the one held before.
        conn.hold_file()?;
        drop(held);
        let container = ModelContainer {
            conn,
            path: Some(path.to_owned()),
            store_version: S::VERSION,
            outcome,
            plan: Arc::new(self.plan),
        };
        Ok((container, prepared))
    }

    /// The writing connection to `path`, given the key if there is one.
    fn connect(&self, path: &Path) -> Result<SharedConnection> {
        let conn = connection::open(path, self.busy_timeout, self.key.as_ref())?;
        Ok(Writer::shared(conn))
    }

    /// With a key, the unencrypted store at `path` is encrypted first when
    /// [`encrypt_plaintext`](ModelContainerBuilder::encrypt_plaintext) is
    /// set, and is [`StoreError::NotEncrypted`] otherwise.
    fn encrypt_if_asked(&self, path: &Path) -> Result<()> {
        match &self.key {
            None => Ok(()),
            Some(key) if self.encrypt_plaintext => store::encrypt_store(path, key),
            Some(_) => Err(StoreError::NotEncrypted {
                path: path.to_owned(),
            }
            .into()),
        }
    }

    /// Creates a new store at `path` (no file, or an empty one): from the
    /// bundled store if one is set, otherwise empty and seeded.
    fn open_new(&mut self, path: &Path) -> Result<Opened> {
        if let Some(bundled) = self.prepackaged.clone() {
            let from = prepackaged::install(self, &bundled, path)?;
            let conn = self.connect(path)?;
            // Another process may have created the store meanwhile
            // (`install` then left it alone): open it as any store.
            let read = store::read_seen(&conn.lock(), path);
            let (outcome, prepared) = self.migrate_existing(&conn, path, read)?;
            let outcome = match (from, outcome) {
                (Some(from), OpenOutcome::UpToDate) => OpenOutcome::Prepackaged { from },
                (_, outcome) => outcome,
            };
            return Ok((conn, outcome, prepared));
        }
        let conn = self.connect(path)?;
        if let Err(error) = self.create(&conn, path, false) {
            drop(conn);
            // The file was empty or absent before: leave it that way.
            let _ = std::fs::write(path, b"");
            return Err(error);
        }
        Ok((conn, OpenOutcome::Created, None))
    }

    /// Opens an existing store, migrating it if it is older, or discards it
    /// when the app opted in to that for what is wrong with it.
    fn open_existing(&mut self, path: &Path) -> Result<Opened> {
        // Twice at most: a discard finds that another process changed the
        // store meanwhile, and the store is looked at again.
        for _ in 0..2 {
            let conn = self.connect(path)?;
            let read = store::read_seen(&conn.lock(), path);
            let metadata = read.as_ref().ok().map(|seen| seen.metadata.clone());
            let discard = match metadata.clone() {
                Some(metadata)
                    if self.erase_when_schema_changed
                        && (metadata.version != S::VERSION
                            || metadata.checksum != S::checksum()) =>
                {
                    Discard::Erase(metadata)
                }
                _ => {
                    let error = match self.migrate_existing(&conn, path, read) {
                        Ok((outcome, prepared)) => return Ok((conn, outcome, prepared)),
                        Err(error) => connection::classify(error, path, self.busy_timeout),
                    };
                    match recreate_reason(&error).filter(|r| self.recreate.contains(r)) {
                        Some(reason) => Discard::Recreate(reason),
                        None => return Err(error),
                    }
                }
            };
            warn!(path = %path.display(), ?discard, "discarding the store");
            if matches!(discard, Discard::Recreate(Recreate::Corrupt)) {
                drop(conn);
                remove_store_files(path)?;
                let (conn, _, prepared) = self.open_new(path)?;
                let outcome = OpenOutcome::Recreated {
                    reason: Recreate::Corrupt,
                };
                return Ok((conn, outcome, prepared));
            }
            if self.reset(&conn, path, metadata.as_ref())? {
                let outcome = match discard {
                    Discard::Recreate(reason) => OpenOutcome::Recreated { reason },
                    Discard::Erase(metadata) => OpenOutcome::Erased {
                        from: metadata.version,
                    },
                };
                return Ok((conn, outcome, None));
            }
        }
        let conn = self.connect(path)?;
        let read = store::read_seen(&conn.lock(), path);
        let (outcome, prepared) = self.migrate_existing(&conn, path, read)?;
        Ok((conn, outcome, prepared))
    }

    /// Adopts the database at `path` (staged did not create it) at the
    /// schema of `adopt`, and migrates it, in one transaction.
    fn open_adopting(&mut self, path: &Path, adopt: Adopt) -> Result<Opened> {
        let version = adopt.descriptor.version();
        let in_plan = self
            .plan
            .schema(version)
            .is_some_and(|schema| schema.checksum() == adopt.checksum);
        if !in_plan || version < self.plan.oldest_supported() {
            return Err(StoreError::AdoptedSchemaNotInPlan {
                path: path.to_owned(),
                version,
                oldest_supported: self.plan.oldest_supported(),
            }
            .into());
        }
        let conn = self.connect(path)?;
        let adopted = Cell::new(false);
        let prelude = |conn: &Connection| -> Result<()> {
            // Under the write lock: another process may have adopted the
            // database since it was looked at.
            let id: i64 = conn.pragma_query_value(None, "application_id", |row| row.get(0))?;
            if id as u32 == APPLICATION_ID {
                return Ok(());
            }
            store::adopt::adopt_in(conn, path, adopt.descriptor)?;
            adopted.set(true);
            Ok(())
        };
        let prepared = Migration::new(&self.plan, path, version)?
            .observer(self.observer.clone())
            .check_before(self.check_before_migrating)
            .busy_timeout(self.busy_timeout)
            .prelude(&prelude)
            .begin(&conn)?;
        let outcome = if adopted.get() {
            OpenOutcome::Adopted { version }
        } else if prepared.ran() {
            OpenOutcome::Migrated { from: version }
        } else {
            OpenOutcome::UpToDate
        };
        Ok((conn, outcome, Some(prepared)))
    }

    /// Creates the store's tables and runs the `on_create` hook, in one
    /// transaction: on failure nothing was created. With `reset`, the
    /// connection is in migration mode (foreign keys off) and every table,
    /// view and trigger of the file is dropped first; the foreign keys are
    /// checked before the commit.
    pub(super) fn create(
        &mut self,
        conn: &SharedConnection,
        path: &Path,
        reset: bool,
    ) -> Result<()> {
        if !reset {
            conn.lock().execute_batch("BEGIN IMMEDIATE")?;
        }
        let seed = self.on_create.take();
        let created = catch_unwind(AssertUnwindSafe(|| -> Result<()> {
            if reset {
                drop_everything(&conn.lock())?;
            }
            store::create_in(&conn.lock(), S::descriptor())?;
            if let Some(seed) = seed {
                seed(&mut ModelContext::new(Arc::clone(conn)))?;
            }
            if reset && store::verify::declares_foreign_keys(S::descriptor()) {
                let references = store::verify::dangling_references(&conn.lock(), 5)?;
                if !references.is_empty() {
                    return Err(MigrationError::DanglingReferences {
                        path: path.to_owned(),
                        version: S::VERSION,
                        references,
                        more: false,
                    }
                    .into());
                }
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

    /// Empties the store and creates a new one in its place, in one
    /// transaction under the write lock, unless its metadata is no longer
    /// `seen` once the lock is held (another process changed the store
    /// meanwhile): then nothing changes and the result is `false`.
    fn reset(
        &mut self,
        conn: &SharedConnection,
        path: &Path,
        seen: Option<&Metadata>,
    ) -> Result<bool> {
        let set_foreign_keys = |on: bool| {
            conn.lock()
                .set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_FKEY, on)
                .map(drop)
        };
        set_foreign_keys(false)?;
        let result = (|| -> Result<bool> {
            conn.lock().execute_batch("BEGIN IMMEDIATE")?;
            if store::read_metadata(&conn.lock(), path).ok().as_ref() != seen {
                conn.lock().execute_batch("ROLLBACK")?;
                return Ok(false);
            }
            self.create(conn, path, true)?;
            Ok(true)
        })();
        set_foreign_keys(true)?;
        result
    }

    /// Begins the migration of an existing store whose metadata `read` gave,
    /// unless it is up to date.
    fn migrate_existing(
        &self,
        conn: &SharedConnection,
        path: &Path,
        read: Result<Seen>,
    ) -> Result<(OpenOutcome, Option<Prepared>)> {
        let seen = read?;
        let version = self.plan.version_of(seen.metadata.clone(), path)?;
        if version == S::VERSION {
            return Ok((OpenOutcome::UpToDate, None));
        }
        let prepared = Migration::new(&self.plan, path, version)?
            .seen(seen)
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

/// The condition of [`Recreate`] an error from opening a store is, if any.
fn recreate_reason(error: &Error) -> Option<Recreate> {
    match error {
        Error::Migration(migration) => match migration.as_ref() {
            MigrationError::UnknownChecksum { .. } => Some(Recreate::UnknownChecksum),
            MigrationError::StoreNewer { .. } => Some(Recreate::StoreNewer),
            MigrationError::StoreTooOld { .. } => Some(Recreate::StoreTooOld),
            _ => None,
        },
        Error::Store(StoreError::Corrupt { .. } | StoreError::MissingMetadata { .. }) => {
            Some(Recreate::Corrupt)
        }
        _ => None,
    }
}

/// Drops every table, view and trigger of the database (SQLite's own aside).
fn drop_everything(conn: &Connection) -> Result<()> {
    let objects: Vec<(String, String)> = conn
        .prepare(sql::SELECT_DROPPABLE)?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (kind, name) in objects {
        conn.execute(&sql::drop_object(&kind, &name), [])?;
    }
    Ok(())
}

/// Deletes a damaged store's file and the journal files beside it.
fn remove_store_files(path: &Path) -> Result<()> {
    for suffix in ["-wal", "-shm", "-journal", ""] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(StoreError::io(path, source).into());
            }
        }
    }
    Ok(())
}
