//! [`StoreGroup`]: several stores, each with its own plan, migrated as one
//! unit: either every store reaches its latest version or none changes.

use std::any::Any;
use std::fs::File;
use std::io::Write;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use crate::container::{ModelContainer, ModelContainerBuilder};
use crate::error::{Error, MigrationError, Result, StoreError};
use crate::migrate::Prepared;
use crate::plan::SchemaMigrationPlan;
use crate::schema::VersionedSchema;
use crate::store::{self, FileState};

/// Stores opened and migrated together, each with its own plan: either every
/// store reaches its latest version or none changes.
///
/// SQLite commits one file atomically, and several files atomically only
/// through `ATTACH` in one connection with a rollback journal (not in WAL
/// mode). Staged's runner works on one store per connection, so the group
/// commits in two phases with a journal file of its own:
///
/// 1. **Prepare**: every store is opened and migrated inside its own
///    transaction, which stays open (each store's write lock is held). If any
///    store fails, every transaction is rolled back: no store changed; the
///    stores that were ready report [`MigrationError::CoreqMigrationFailed`].
/// 2. **Decide**: the group journal is written to a temporary file, synced,
///    renamed into place and its directory synced. From here the group is
///    committed.
/// 3. **Commit** each store, then delete the journal (and sync its directory).
///
/// A crash before the journal is in place leaves every store at its old
/// version (each open transaction is rolled back by SQLite). A crash after
/// leaves some stores committed and others at their old version, with the
/// journal present: the next [`StoreGroupBuilder::open`] sees the journal and
/// finishes the group by migrating the stores still at their old version
/// again (a redo, from the same data, which assumes deterministic hooks and
/// transforms), then deletes the journal.
///
/// ```no_run
/// # use staged_runtime::{StoreGroup, SchemaMigrationPlan, VersionedSchema};
/// # fn demo<A: VersionedSchema, B: VersionedSchema>(
/// #     notes_plan: SchemaMigrationPlan<A>, cache_plan: SchemaMigrationPlan<B>,
/// # ) -> staged_runtime::Result<()> {
/// let mut group = StoreGroup::builder();
/// let notes = group.store("notes.sqlite", notes_plan);
/// let cache = group.store("cache.sqlite", cache_plan);
/// let group = group.open()?; // both stores at their latest version, or neither changed
/// let notes = group.container(notes).context();
/// let cache = group.container(cache).context();
/// # Ok(()) }
/// ```
pub struct StoreGroup {
    containers: Vec<Box<dyn Any>>,
    paths: Vec<PathBuf>,
}

/// Names one store of a [`StoreGroup`]: returned by
/// [`StoreGroupBuilder::store`], passed to [`StoreGroup::container`].
pub struct StoreKey<S> {
    index: usize,
    schema: PhantomData<fn() -> S>,
}

impl<S> Clone for StoreKey<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for StoreKey<S> {}

impl<S> std::fmt::Debug for StoreKey<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("StoreKey").field(&self.index).finish()
    }
}

impl StoreGroup {
    /// A builder: add the stores, then open them together.
    pub fn builder() -> StoreGroupBuilder {
        StoreGroupBuilder {
            members: Vec::new(),
            journal: None,
        }
    }

    /// The container of the store `key` names.
    ///
    /// # Panics
    ///
    /// If `key` was returned by the builder of another group.
    pub fn container<S: VersionedSchema>(&self, key: StoreKey<S>) -> &ModelContainer<S> {
        self.containers
            .get(key.index)
            .and_then(|c| c.downcast_ref())
            .expect("the key belongs to this group")
    }

    /// The stores' files, in the order they were added.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }
}

impl std::fmt::Debug for StoreGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreGroup")
            .field("paths", &self.paths)
            .finish_non_exhaustive()
    }
}

/// The stores of a [`StoreGroup`] to open.
pub struct StoreGroupBuilder {
    members: Vec<Box<dyn Member>>,
    journal: Option<PathBuf>,
}

impl StoreGroupBuilder {
    /// Adds the store at `path`, migrated with `plan`.
    pub fn store<S: VersionedSchema>(
        &mut self,
        path: impl AsRef<Path>,
        plan: SchemaMigrationPlan<S>,
    ) -> StoreKey<S> {
        self.store_with(path, ModelContainer::builder(plan))
    }

    /// Adds the store at `path` with a container builder's options (an
    /// observer, a busy timeout, an encryption key).
    pub fn store_with<S: VersionedSchema>(
        &mut self,
        path: impl AsRef<Path>,
        builder: ModelContainerBuilder<S>,
    ) -> StoreKey<S> {
        self.members.push(Box::new(Pending {
            path: path.as_ref().to_owned(),
            builder,
        }));
        StoreKey {
            index: self.members.len() - 1,
            schema: PhantomData,
        }
    }

    /// Where the group keeps its journal during a commit (default: the first
    /// store's path with `.staged-group` appended). Always open a group with
    /// the same journal path.
    pub fn journal(&mut self, path: impl AsRef<Path>) -> &mut Self {
        self.journal = Some(path.as_ref().to_owned());
        self
    }

    /// Opens every store, migrating those that are older than their plan,
    /// all or nothing. Finishes first a group commit that a crash
    /// interrupted (see [`StoreGroup`]).
    ///
    /// On failure the error is [`MigrationError::GroupFailed`], holding each
    /// failing store's own error and a
    /// [`MigrationError::CoreqMigrationFailed`] for each store held back.
    pub fn open(self) -> Result<StoreGroup> {
        let paths: Vec<PathBuf> = self.members.iter().map(|m| m.path().to_owned()).collect();
        let Some(first) = paths.first() else {
            return Ok(StoreGroup {
                containers: Vec::new(),
                paths,
            });
        };
        let journal = self.journal.clone().unwrap_or_else(|| {
            let mut name = first.clone().into_os_string();
            name.push(".staged-group");
            PathBuf::from(name)
        });
        let recovering = journal.exists();
        let opened: Vec<Result<Opened>> = self.members.into_iter().map(|m| m.open()).collect();
        if let Some(failed) = opened.iter().position(Result::is_err) {
            return Err(fail(opened, &paths, failed, journal, recovering));
        }
        let opened: Vec<Opened> = opened.into_iter().map(|o| o.expect("no error")).collect();
        let migrating = opened.iter().any(|o| o.prepared.is_some());
        if migrating
            && !recovering
            && let Err(source) = write_journal(&journal, &paths)
        {
            // Nothing is decided yet: every store stays as it was.
            let error = Error::from(StoreError::io(&journal, source));
            for opened in opened {
                if let Some(prepared) = opened.prepared {
                    prepared.rollback(&error);
                }
            }
            return Err(error);
        }
        let mut containers = Vec::with_capacity(opened.len());
        let mut errors = Vec::new();
        let mut failed_store = None;
        for (opened, path) in opened.into_iter().zip(&paths) {
            let committed = match opened.prepared {
                Some(prepared) => prepared.commit(),
                None => Ok(()),
            };
            if let Err(error) = committed.and_then(|()| (opened.settle)()) {
                failed_store.get_or_insert_with(|| path.clone());
                errors.push(error);
            }
            containers.push(opened.container);
        }
        if let Some(failed_store) = failed_store {
            // Decided but not all committed: the journal stays for the next open.
            return Err(MigrationError::GroupFailed {
                failed_store,
                journal,
                recovering: true,
                errors,
            }
            .into());
        }
        if migrating || recovering {
            remove_journal(&journal).map_err(|source| StoreError::io(&journal, source))?;
        }
        Ok(StoreGroup { containers, paths })
    }
}

impl std::fmt::Debug for StoreGroupBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let paths: Vec<&Path> = self.members.iter().map(|m| m.path()).collect();
        f.debug_struct("StoreGroupBuilder")
            .field("paths", &paths)
            .field("journal", &self.journal)
            .finish()
    }
}

/// The error of a group whose store `failed` did not open. Before the group
/// commit was decided, every ready store is rolled back and held back; when
/// finishing an interrupted commit, every ready store is committed.
fn fail(
    opened: Vec<Result<Opened>>,
    paths: &[PathBuf],
    failed: usize,
    journal: PathBuf,
    recovering: bool,
) -> Error {
    let failed_store = paths[failed].clone();
    let mut errors = Vec::new();
    for (result, path) in opened.into_iter().zip(paths) {
        match result {
            Err(error) => errors.push(error),
            Ok(opened) if recovering => {
                if let Some(prepared) = opened.prepared
                    && let Err(error) = prepared.commit()
                {
                    errors.push(error);
                }
            }
            Ok(opened) => {
                let held_back = |failed_store: &Path| -> Error {
                    MigrationError::CoreqMigrationFailed {
                        path: path.clone(),
                        failed_store: failed_store.to_owned(),
                    }
                    .into()
                };
                if let Some(prepared) = opened.prepared {
                    prepared.rollback(&held_back(&failed_store));
                    errors.push(held_back(&failed_store));
                }
                if opened.created {
                    // Created by this open: leave it empty, as it was.
                    drop(opened.container);
                    let _ = std::fs::write(path, b"");
                }
            }
        }
    }
    MigrationError::GroupFailed {
        failed_store,
        journal,
        recovering,
        errors,
    }
    .into()
}

/// Writes the journal atomically and durably: a synced temporary file
/// renamed into place, then the directory synced.
fn write_journal(journal: &Path, paths: &[PathBuf]) -> std::io::Result<()> {
    let mut temporary = journal.to_owned().into_os_string();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let mut file = File::create(&temporary)?;
    writeln!(file, "staged store group: commit decided for")?;
    for path in paths {
        writeln!(file, "{}", path.display())?;
    }
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, journal)?;
    sync_directory(journal)
}

fn remove_journal(journal: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(journal) {
        Ok(()) => sync_directory(journal),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn sync_directory(file: &Path) -> std::io::Result<()> {
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

/// A store of the group, before it is opened.
trait Member {
    fn path(&self) -> &Path;
    fn open(self: Box<Self>) -> Result<Opened>;
}

/// A store opened, its migration (if any) prepared but not committed.
struct Opened {
    container: Box<dyn Any>,
    prepared: Option<Prepared>,
    /// Applies the container's settings once its migration is committed.
    settle: Box<dyn FnOnce() -> Result<()>>,
    created: bool,
}

struct Pending<S> {
    path: PathBuf,
    builder: ModelContainerBuilder<S>,
}

impl<S: VersionedSchema> Member for Pending<S> {
    fn path(&self) -> &Path {
        &self.path
    }

    fn open(self: Box<Self>) -> Result<Opened> {
        let created = store::inspect_file(&self.path)? == FileState::New;
        let settings = self.builder.settings();
        let (container, prepared) = self.builder.open_uncommitted(&self.path)?;
        let settled = container.clone();
        let path = self.path.clone();
        Ok(Opened {
            container: Box::new(container),
            prepared,
            settle: Box::new(move || settings.apply(&settled, &path)),
            created,
        })
    }
}
