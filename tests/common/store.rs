//! Store files in temporary directories: creating them, opening one that
//! must fail without leaving a trace, and writing stores as older versions
//! of staged wrote them.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use staged::prelude::*;
use staged::rusqlite::Connection;
use tempfile::TempDir;

use super::files::{listing, read_bytes};

/// A store path inside a fresh temporary directory; the file itself does not
/// exist until something creates it. The directory is removed on drop.
pub struct TempStore {
    dir: TempDir,
    path: PathBuf,
}

impl TempStore {
    /// A path named `store.sqlite` in a new temporary directory.
    pub fn new() -> Self {
        TempStore::named("store.sqlite")
    }

    /// A path with this file name in a new temporary directory.
    pub fn named(name: &str) -> Self {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let path = dir.path().join(name);
        TempStore { dir, path }
    }

    /// The store's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The file's whole content.
    pub fn bytes(&self) -> Vec<u8> {
        read_bytes(&self.path)
    }

    /// A raw connection to the file, outside staged.
    pub fn conn(&self) -> Connection {
        super::sql::open(&self.path)
    }
}

/// Opens `store` with `plan`, expecting an error; see [`open_fails_with`].
pub fn open_fails<S: VersionedSchema>(
    store: &TempStore,
    plan: SchemaMigrationPlan<S>,
) -> staged::Error {
    open_fails_with(store, || ModelContainer::open(store.path(), plan))
}

/// Runs `open`, expecting an error; checks that the file's bytes and the
/// directory's listing did not change (no journal, WAL or other file left
/// behind) and that the message names the file.
pub fn open_fails_with<S: VersionedSchema>(
    store: &TempStore,
    open: impl FnOnce() -> staged::Result<ModelContainer<S>>,
) -> staged::Error {
    let before = store.bytes();
    let files_before = listing(store.dir());
    let error = open().expect_err("the file cannot be opened as this store");
    let after = store.bytes();
    assert!(
        after == before,
        "the file was modified by a failed open ({} bytes before, {} after): {error}",
        before.len(),
        after.len()
    );
    assert_eq!(
        listing(store.dir()),
        files_before,
        "no file was left behind: {error}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&store.path().display().to_string()),
        "the message names the file: {message}"
    );
    error
}

/// Milliseconds since the Unix epoch, as the store records times.
pub fn now_millis() -> i64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    i64::try_from(elapsed.as_millis()).expect("milliseconds fit in i64")
}

/// Writes a store at `S` as an older staged wrote it: its application id, its
/// metadata and history tables, one metadata row (created and updated at
/// time 0) with `S`'s version and checksum, then `entity_sql`, the entity
/// tables, indexes and rows as they were written then.
pub fn write_legacy_store<S: VersionedSchema>(path: &Path, entity_sql: &str) {
    let conn = Connection::open(path).expect("create the legacy store");
    conn.pragma_update(
        None,
        "application_id",
        staged_runtime::__internals::sql::APPLICATION_ID as i32,
    )
    .unwrap();
    conn.execute_batch(
        r#"CREATE TABLE "_staged_metadata" (
               id INTEGER PRIMARY KEY CHECK (id = 1), version TEXT NOT NULL,
               checksum TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
           ) STRICT;
           CREATE TABLE "_staged_history" (
               seq INTEGER PRIMARY KEY, from_version TEXT NOT NULL, to_version TEXT NOT NULL,
               kind TEXT NOT NULL, started_at INTEGER NOT NULL, duration_ms INTEGER NOT NULL,
               rows_touched INTEGER NOT NULL
           ) STRICT;"#,
    )
    .unwrap();
    conn.execute_batch(entity_sql).unwrap();
    conn.execute(
        r#"INSERT INTO "_staged_metadata" VALUES (1, ?1, ?2, 0, 0)"#,
        [S::VERSION.to_string(), S::checksum().to_string()],
    )
    .unwrap();
}
