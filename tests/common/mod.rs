//! Fixtures shared by the integration tests: store paths in temporary
//! directories, byte snapshots of files, and a small schema that several
//! capabilities use.

// Each test binary uses a different subset of these fixtures.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use staged::prelude::*;
use tempfile::TempDir;

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
}

/// The whole content of a file.
pub fn read_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Milliseconds since the Unix epoch, as the store records times.
pub fn now_millis() -> i64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    i64::try_from(elapsed.as_millis()).expect("milliseconds fit in i64")
}

/// The names of the tables, indexes… (`type`, `name`) of a SQLite file,
/// without SQLite's own, sorted.
pub fn schema_objects(conn: &staged::rusqlite::Connection) -> Vec<(String, String)> {
    let mut statement = conn
        .prepare(
            "SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
        )
        .expect("prepare the schema query");
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("query the schema")
        .collect::<Result<_, _>>()
        .expect("read the schema")
}

/// A small notes app, version 1.0.0.
#[versioned_schema(version = "1.0.0")]
pub mod notes_v1 {
    /// A note.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        /// A stable id from the app.
        #[attribute(unique)]
        pub uid: String,
        /// The title.
        pub title: String,
        /// Optional text.
        pub body: Option<String>,
        /// Higher is more important.
        #[attribute(index, default = 0)]
        pub priority: i64,
        /// Whether the note is done.
        pub done: bool,
        /// An optional rating.
        pub rating: Option<f64>,
    }

    /// A tag that notes can carry.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Tag {
        /// The tag's unique name.
        #[attribute(unique)]
        pub name: String,
    }
}

/// The plan with only [`notes_v1`].
pub fn notes_plan() -> SchemaMigrationPlan<notes_v1::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<notes_v1::Schema>()
        .build()
        .expect("a plan with one schema is valid")
}

/// A note with this uid and title and every other field empty or zero.
pub fn note(uid: &str, title: &str) -> notes_v1::Note {
    notes_v1::Note {
        uid: uid.to_owned(),
        title: title.to_owned(),
        body: None,
        priority: 0,
        done: false,
        rating: None,
    }
}

/// Opens (or creates) the notes store at `path`, panicking on failure.
pub fn open_notes(path: &Path) -> ModelContainer<notes_v1::Schema> {
    ModelContainer::open(path, notes_plan())
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()))
}
