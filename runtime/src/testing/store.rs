//! Store files for tests: created at any version, migrated, validated.

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::Connection;
use tempfile::TempDir;

use super::TestError;
use crate::context::{ModelContext, SharedConnection, Writer};
use crate::migrate::Migration;
use crate::plan::SchemaMigrationPlan;
use crate::planner::MigrationPath;
use crate::schema::{SchemaDescriptor, Version, VersionedSchema};
use crate::sql;
use crate::store::connection::{self, BUSY_TIMEOUT, configure};
use crate::store::{self, verify};

/// A new store file in its own temporary directory.
pub(super) struct Created {
    dir: TempDir,
    path: PathBuf,
    pub(super) conn: SharedConnection,
}

/// Creates `store.sqlite` at `descriptor`'s version in a new temporary directory.
pub(super) fn create_file(descriptor: &SchemaDescriptor) -> Result<Created, TestError> {
    let version = descriptor.version();
    let dir = tempfile::Builder::new()
        .prefix("staged-test-")
        .tempdir()
        .map_err(|source| TestError::TempDir { source })?;
    let path = dir.path().join("store.sqlite");
    let create = |path: &Path| -> crate::Result<Connection> {
        let mut conn = Connection::open(path)?;
        configure(&conn, BUSY_TIMEOUT)?;
        store::create(&mut conn, descriptor)?;
        Ok(conn)
    };
    let conn = create(&path).map_err(|source| TestError::Create {
        version,
        source: Box::new(source),
    })?;
    Ok(Created {
        dir,
        path,
        conn: Writer::shared(conn),
    })
}

/// Closes the seeding connection, migrates the file with a new one to
/// `plan`'s latest version, and validates it with another.
pub(super) fn migrate_file<T: VersionedSchema>(
    created: Created,
    from: Version,
    plan: &SchemaMigrationPlan<T>,
) -> Result<MigratedStore<T>, TestError> {
    let Created { dir, path, conn } = created;
    drop(conn);
    let to = T::VERSION;
    // Exactly as an app's container migrates: the same entry into the
    // runner, the same pre-migration check and error classification.
    let migration = |path: &Path| -> crate::Result<MigrationPath> {
        let conn = connection::open(path, BUSY_TIMEOUT, None)?;
        let version = plan.store_version(&conn, path)?;
        let migration = Migration::new(plan, path, version)?;
        let migration_path = migration.migration_path().clone();
        if version != to {
            migration.begin(&Writer::shared(conn))?.commit()?;
        }
        Ok(migration_path)
    };
    let migration_path = migration(&path).map_err(|source| TestError::Migrate {
        from,
        to,
        source: Box::new(source),
    })?;
    let reopen = |path: &Path| -> crate::Result<Connection> {
        let conn = Connection::open(path)?;
        configure(&conn, BUSY_TIMEOUT)?;
        Ok(conn)
    };
    let conn = reopen(&path).map_err(|source| TestError::Migrate {
        from,
        to,
        source: Box::new(source),
    })?;
    let problems =
        validate(&conn, &path, T::descriptor()).map_err(|source| TestError::Migrate {
            from,
            to,
            source: Box::new(source),
        })?;
    if !problems.is_empty() {
        return Err(TestError::Invalid { from, to, problems });
    }
    Ok(MigratedStore {
        _dir: dir,
        path,
        conn: Writer::shared(conn),
        migration_path,
        _schema: PhantomData,
    })
}

/// Every way the store at `path` differs from a healthy store at `descriptor`.
fn validate(
    conn: &Connection,
    path: &Path,
    descriptor: &SchemaDescriptor,
) -> crate::Result<Vec<String>> {
    let mut problems = Vec::new();
    let metadata = store::read_metadata(conn, path)?;
    if metadata.version != descriptor.version() {
        problems.push(format!(
            "the store records version {}, not {}",
            metadata.version,
            descriptor.version()
        ));
    }
    if metadata.checksum != descriptor.checksum() {
        problems.push(format!(
            "the store records checksum {}, not {}",
            metadata.checksum,
            descriptor.checksum()
        ));
    }
    problems.extend(
        verify::drift(conn, descriptor)?
            .iter()
            .map(ToString::to_string),
    );
    let mut integrity = conn.prepare(sql::INTEGRITY_CHECK)?;
    let lines: Vec<String> = integrity
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    problems.extend(
        lines
            .into_iter()
            .filter(|line| line != "ok")
            .map(|line| format!("integrity check: {line}")),
    );
    problems.extend(
        verify::dangling_references(conn, usize::MAX)?
            .iter()
            .map(ToString::to_string),
    );
    Ok(problems)
}

/// A store created at schema `V` of a plan whose latest schema is `S`, in
/// its own temporary directory (removed on drop).
///
/// Made by [`MigrationTest::store`](super::MigrationTest::store).
pub struct TestStore<'p, S, V> {
    plan: &'p SchemaMigrationPlan<S>,
    created: Created,
    _schema: PhantomData<fn() -> V>,
}

impl<'p, S: VersionedSchema, V: VersionedSchema> TestStore<'p, S, V> {
    pub(super) fn create(plan: &'p SchemaMigrationPlan<S>) -> Result<Self, TestError> {
        let known = plan
            .schema(V::VERSION)
            .is_some_and(|s| s.checksum() == V::checksum());
        if !known {
            return Err(TestError::NotInPlan {
                version: V::VERSION,
            });
        }
        Ok(TestStore {
            plan,
            created: create_file(V::descriptor())?,
            _schema: PhantomData,
        })
    }

    /// A context for seeding the store with models of schema `V`.
    pub fn context(&self) -> ModelContext<V> {
        ModelContext::new(Arc::clone(&self.created.conn))
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.created.path
    }

    /// Migrates the store to the plan's latest version and validates it.
    ///
    /// Fails with [`TestError::Migrate`] when the migration fails and with
    /// [`TestError::Invalid`] when the migrated store does not match `S`.
    pub fn migrate(self) -> Result<MigratedStore<S>, TestError> {
        migrate_file(self.created, V::VERSION, self.plan)
    }

    /// Migrates the store with another plan (one that also lists `V`, for
    /// example a plan that ends before the latest version) and validates it
    /// against that plan's latest schema `T`.
    pub fn migrate_with<T: VersionedSchema>(
        self,
        plan: &SchemaMigrationPlan<T>,
    ) -> Result<MigratedStore<T>, TestError> {
        migrate_file(self.created, V::VERSION, plan)
    }
}

impl<S, V: VersionedSchema> std::fmt::Debug for TestStore<'_, S, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestStore")
            .field("version", &V::VERSION)
            .field("path", &self.created.path)
            .finish_non_exhaustive()
    }
}

/// A store migrated to schema `S` and validated; its temporary directory is
/// removed on drop.
pub struct MigratedStore<S> {
    _dir: TempDir,
    path: PathBuf,
    conn: SharedConnection,
    migration_path: MigrationPath,
    _schema: PhantomData<fn() -> S>,
}

impl<S: VersionedSchema> MigratedStore<S> {
    /// A context for assertions on the migrated models.
    pub fn context(&self) -> ModelContext<S> {
        ModelContext::new(Arc::clone(&self.conn))
    }

    /// The version the store started at.
    pub fn from(&self) -> Version {
        self.migration_path.start()
    }

    /// The steps the migration took.
    pub fn migration_path(&self) -> &MigrationPath {
        &self.migration_path
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` with the store's connection.
    pub(super) fn with_connection<R>(&self, f: impl FnOnce(&Connection) -> R) -> R {
        f(&self.conn.lock())
    }

    /// The number of records of each entity of `S`, by entity name.
    pub fn row_counts(&self) -> rusqlite::Result<BTreeMap<String, u64>> {
        let conn = self.conn.lock();
        S::descriptor()
            .entities()
            .iter()
            .map(|entity| {
                let count: i64 =
                    conn.query_row(&sql::count(entity.name(), ""), [], |row| row.get(0))?;
                Ok((entity.name().to_owned(), count.unsigned_abs()))
            })
            .collect()
    }
}

impl<S: VersionedSchema> std::fmt::Debug for MigratedStore<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MigratedStore")
            .field("path", &self.path)
            .field("migration_path", &self.migration_path.to_string())
            .finish_non_exhaustive()
    }
}
