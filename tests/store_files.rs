//! Store files: what a new store looks like on disk, and files that cannot be
//! opened as a store. A file that cannot be opened is reported with a typed
//! error naming it, and its bytes are left exactly as they were.

mod common;

use std::fs;

use common::files::{listing, page_size};
use common::schemas::notes::{self, note, v1::Note};
use common::sql::schema_objects;
use common::store::{TempStore, now_millis, open_fails};
use staged::prelude::*;
use staged::rusqlite::Connection;
use staged::{Error, MigrationError, StoreError};
use staged_runtime::__internals::sql::{APPLICATION_ID, HISTORY_TABLE, METADATA_TABLE};

/// Version 1.0.0 as shipped in `notes::v1`, edited afterwards: same version,
/// different shape.
#[versioned_schema(version = "1.0.0")]
pub mod notes_v1_edited {
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
        /// Now an `i32` (was `i64`).
        #[attribute(index, default = 0)]
        pub priority: i32,
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

/// A later version of the notes app.
#[versioned_schema(version = "2.0.0")]
pub mod notes_v2 {
    /// A note.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        /// A stable id from the app.
        #[attribute(unique)]
        pub uid: String,
        /// The title.
        pub title: String,
        /// When it is due.
        pub due: Option<i64>,
    }
}

fn edited_plan() -> SchemaMigrationPlan<notes_v1_edited::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<notes_v1_edited::Schema>()
        .build()
        .expect("valid plan")
}

fn v2_plan() -> SchemaMigrationPlan<notes_v2::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<notes_v2::Schema>()
        .build()
        .expect("valid plan")
}

#[test]
fn a_new_file_is_a_store_at_the_latest_version() {
    let store = TempStore::new();
    assert!(!store.path().exists());
    let before = now_millis();
    let container = notes::open(store.path());
    let after = now_millis();
    assert_eq!(container.store_version(), Version::new(1, 0, 0));
    drop(container);

    let bytes = store.bytes();
    assert_eq!(&bytes[..16], b"SQLite format 3\0");
    assert_eq!(&bytes[68..72], b"STGD", "application id in the header");

    let conn = Connection::open(store.path()).expect("open with rusqlite");
    let application_id: i64 = conn
        .query_row("PRAGMA application_id", [], |row| row.get(0))
        .expect("read application_id");
    assert_eq!(application_id, 0x5354_4744);
    assert_eq!(APPLICATION_ID, 0x5354_4744);

    let (id, version, checksum, created_at, updated_at): (i64, String, String, i64, i64) = conn
        .query_row(
            &format!(
                "SELECT id, version, checksum, created_at, updated_at FROM \"{METADATA_TABLE}\""
            ),
            [],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            },
        )
        .expect("exactly one metadata row");
    assert_eq!(id, 1);
    assert_eq!(version, "1.0.0");
    assert_eq!(
        checksum,
        <notes::v1::Schema as VersionedSchema>::checksum().to_string()
    );
    assert_eq!(checksum.len(), 64);
    assert!((before..=after).contains(&created_at), "{created_at}");
    assert_eq!(updated_at, created_at);
    let rows: i64 = conn
        .query_row(
            &format!("SELECT count(*) FROM \"{METADATA_TABLE}\""),
            [],
            |row| row.get(0),
        )
        .expect("count");
    assert_eq!(rows, 1);
    let history: i64 = conn
        .query_row(
            &format!("SELECT count(*) FROM \"{HISTORY_TABLE}\""),
            [],
            |row| row.get(0),
        )
        .expect("count");
    assert_eq!(history, 0, "a new store has no migration history");

    let objects = schema_objects(&conn);
    let expected: Vec<(String, String)> = [
        ("index", "_staged_index_4_Note_priority"),
        ("index", "_staged_unique_3_Tag_name"),
        ("index", "_staged_unique_4_Note_uid"),
        ("table", "Note"),
        ("table", "Tag"),
        ("table", "_staged_history"),
        ("table", "_staged_metadata"),
    ]
    .iter()
    .map(|(t, n)| ((*t).to_owned(), (*n).to_owned()))
    .collect();
    assert_eq!(objects, expected);
}

#[test]
fn opening_an_up_to_date_store_does_not_write_to_it() {
    let store = TempStore::new();
    {
        let container = notes::open(store.path());
        container.context().insert(note("a", "A")).expect("insert");
    }
    let before = store.bytes();
    let container = notes::open(store.path());
    assert_eq!(container.store_version(), Version::new(1, 0, 0));
    assert_eq!(container.context().count::<Note>().expect("count"), 1);
    drop(container);
    assert!(
        store.bytes() == before,
        "an up-to-date open changed the file"
    );
}

#[test]
fn an_empty_file_becomes_a_store() {
    let store = TempStore::new();
    fs::write(store.path(), b"").expect("create an empty file");
    let id = {
        let container = notes::open(store.path());
        assert_eq!(container.store_version(), Version::new(1, 0, 0));
        container
            .context()
            .insert(note("a", "in a file that was empty"))
            .expect("insert")
    };
    let bytes = store.bytes();
    assert_eq!(&bytes[..16], b"SQLite format 3\0");
    assert_eq!(&bytes[68..72], b"STGD");
    let container = notes::open(store.path());
    let record = container
        .context()
        .get::<Note>(id)
        .expect("get")
        .expect("present");
    assert_eq!(record.title, "in a file that was empty");
}

#[test]
fn a_text_file_is_not_a_database() {
    let store = TempStore::named("notes.txt");
    fs::write(
        store.path(),
        "These are my notes, not a database.\n".repeat(20),
    )
    .expect("write");
    let error = open_fails(&store, notes::plan());
    match &error {
        Error::Store(StoreError::NotADatabase { path, .. }) => assert_eq!(path, store.path()),
        other => panic!("expected StoreError::NotADatabase, got {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        format!(
            "`{}` is not a SQLite database (its header is not `SQLite format 3`); pass the path of a \
             store staged created, or a path that does not exist yet to create one",
            store.path().display()
        )
    );
}

#[test]
fn a_short_file_is_not_a_database() {
    let store = TempStore::new();
    // The SQLite magic string and a few more bytes: shorter than a header.
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend_from_slice(&[0x10, 0x00, 0x01, 0x01]);
    for short in [
        bytes.clone(),
        bytes[..10].to_vec(),
        vec![0u8; 1],
        vec![0u8; 99],
    ] {
        fs::write(store.path(), &short).expect("write");
        let error = open_fails(&store, notes::plan());
        match &error {
            Error::Store(StoreError::NotADatabase { path, .. }) => assert_eq!(path, store.path()),
            other => panic!("expected StoreError::NotADatabase, got {other:?}"),
        }
    }
}

#[test]
fn a_truncated_store_is_not_a_database_or_is_corrupt() {
    let original = TempStore::new();
    {
        let container = notes::open(original.path());
        let mut ctx = container.context();
        ctx.transaction(|ctx| {
            for i in 0..300 {
                ctx.insert(note(&format!("n{i}"), &"a long title ".repeat(8)))?;
            }
            Ok(())
        })
        .expect("insert");
    }
    let bytes = original.bytes();
    let page = 4096;
    assert_eq!(page_size(&bytes), page, "page size in the header");
    assert!(bytes.len() > 16 * page, "the store spans many pages");
    let store = TempStore::new();

    // Cut inside the 100-byte header: not a SQLite file any more.
    fs::write(store.path(), &bytes[..64]).expect("write");
    match open_fails(&store, notes::plan()) {
        Error::Store(StoreError::NotADatabase { path, .. }) => assert_eq!(path, store.path()),
        other => panic!("expected StoreError::NotADatabase, got {other:?}"),
    }

    // The header survives, so the file is marked as a staged store, but it
    // has fewer pages than its header says: SQLite reports it as corrupt.
    for cut in [100, page, 2 * page, bytes.len() / 2, bytes.len() - page] {
        fs::write(store.path(), &bytes[..cut]).expect("write");
        let error = open_fails(&store, notes::plan());
        match &error {
            Error::Store(StoreError::Corrupt { path, detail }) => {
                assert_eq!(path, store.path());
                assert_eq!(detail, "database disk image is malformed", "cut at {cut}");
            }
            other => {
                panic!("expected StoreError::Corrupt after {cut} bytes, got {other:?}")
            }
        }
        assert_eq!(
            error.to_string(),
            format!(
                "store `{}` is damaged (database disk image is malformed); staged does not repair \
                 stores and changed nothing: restore the file from a backup, or delete it to start with \
                 an empty store",
                store.path().display()
            )
        );
    }
}

#[test]
fn a_database_staged_did_not_create_is_foreign() {
    let store = TempStore::named("other-app.db");
    {
        let conn = Connection::open(store.path()).expect("create with rusqlite");
        conn.execute_batch(
            "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT);
             INSERT INTO people (name) VALUES ('Ada'), ('Grace');",
        )
        .expect("create a table");
    }
    let error = open_fails(&store, notes::plan());
    match &error {
        Error::Store(StoreError::ForeignDatabase {
            path,
            application_id,
            ..
        }) => {
            assert_eq!(path, store.path());
            assert_eq!(*application_id, 0);
        }
        other => panic!("expected StoreError::ForeignDatabase, got {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        format!(
            "`{}` is a SQLite database that staged did not create (application_id 0x00000000, expected \
             0x53544744); staged only opens its own stores: choose another path, or copy the data into a \
             new store yourself",
            store.path().display()
        )
    );

    // Another app's application id is shown as found.
    let conn = Connection::open(store.path()).expect("open");
    conn.pragma_update(None, "application_id", 0x1234_5678)
        .expect("set application_id");
    drop(conn);
    match open_fails(&store, notes::plan()) {
        Error::Store(StoreError::ForeignDatabase { application_id, .. }) => {
            assert_eq!(application_id, 0x1234_5678);
        }
        other => panic!("expected StoreError::ForeignDatabase, got {other:?}"),
    }
    // The other app's data is intact.
    let conn = Connection::open(store.path()).expect("open");
    let people: i64 = conn
        .query_row("SELECT count(*) FROM people", [], |row| row.get(0))
        .expect("count");
    assert_eq!(people, 2);
}

#[test]
fn a_database_with_staged_application_id_but_no_metadata_is_damaged() {
    let store = TempStore::new();
    {
        let conn = Connection::open(store.path()).expect("create with rusqlite");
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .expect("set application_id");
        conn.execute_batch("CREATE TABLE Note (x)")
            .expect("create a table");
    }
    let error = open_fails(&store, notes::plan());
    match &error {
        Error::Store(StoreError::MissingMetadata { path, .. }) => assert_eq!(path, store.path()),
        other => panic!("expected StoreError::MissingMetadata, got {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        format!(
            "`{}` is marked as a staged store but has no readable metadata table `_staged_metadata`; the \
             file is damaged: restore it from a backup",
            store.path().display()
        )
    );
}

#[test]
fn a_metadata_row_that_does_not_parse_is_damaged() {
    let store = TempStore::new();
    drop(notes::open(store.path()));
    for (column, value) in [("version", "one point oh"), ("checksum", "abc")] {
        drop(notes::open(store.path()));
        let conn = Connection::open(store.path()).expect("open");
        conn.execute(
            &format!("UPDATE \"{METADATA_TABLE}\" SET {column} = ?1"),
            [value],
        )
        .expect("damage the metadata");
        drop(conn);
        match open_fails(&store, notes::plan()) {
            Error::Store(StoreError::MissingMetadata { path, .. }) => {
                assert_eq!(path, store.path());
            }
            other => panic!("expected StoreError::MissingMetadata, got {other:?}"),
        }
        // Restore a valid row for the next round.
        let conn = Connection::open(store.path()).expect("open");
        conn.execute(
            &format!("UPDATE \"{METADATA_TABLE}\" SET version = ?1, checksum = ?2"),
            [
                "1.0.0".to_owned(),
                <notes::v1::Schema as VersionedSchema>::checksum().to_string(),
            ],
        )
        .expect("repair the metadata");
    }
}

#[test]
fn a_store_whose_checksum_matches_no_schema_is_unknown() {
    let store = TempStore::new();
    {
        let container = notes::open(store.path());
        container
            .context()
            .insert(note("a", "shipped"))
            .expect("insert");
    }
    assert_eq!(
        <notes_v1_edited::Schema as VersionedSchema>::VERSION,
        <notes::v1::Schema as VersionedSchema>::VERSION
    );
    let shipped = <notes::v1::Schema as VersionedSchema>::checksum();
    assert_ne!(
        <notes_v1_edited::Schema as VersionedSchema>::checksum(),
        shipped
    );
    let error = open_fails(&store, edited_plan());
    match error.as_migration() {
        Some(MigrationError::UnknownChecksum {
            path,
            version,
            checksum,
            ..
        }) => {
            assert_eq!(path, store.path());
            assert_eq!(*version, Version::new(1, 0, 0));
            assert_eq!(*checksum, shipped);
        }
        _ => panic!("expected MigrationError::UnknownChecksum, got {error:?}"),
    }
    assert_eq!(
        error.to_string(),
        format!(
            "store `{}` is at version 1.0.0 with schema checksum {shipped}, but the plan's schema 1.0.0 has \
             another checksum; a shipped schema was probably edited: restore schema 1.0.0 exactly as it shipped \
             and put the change in a new version",
            store.path().display()
        )
    );
    // The store still opens with the schema it was created with.
    let container = notes::open(store.path());
    assert_eq!(container.context().count::<Note>().expect("count"), 1);
}

#[test]
fn a_store_newer_than_the_plan_is_refused() {
    let store = TempStore::new();
    {
        let container = ModelContainer::open(store.path(), v2_plan()).expect("create at 2.0.0");
        assert_eq!(container.store_version(), Version::new(2, 0, 0));
        container
            .context()
            .insert(notes_v2::Note {
                uid: "n".to_owned(),
                title: "from the future".to_owned(),
                due: Some(1),
            })
            .expect("insert");
    }
    let error = open_fails(&store, notes::plan());
    match error.as_migration() {
        Some(MigrationError::StoreNewer {
            path,
            store_version,
            latest,
            ..
        }) => {
            assert_eq!(path, store.path());
            assert_eq!(*store_version, Version::new(2, 0, 0));
            assert_eq!(*latest, Version::new(1, 0, 0));
        }
        _ => panic!("expected MigrationError::StoreNewer, got {error:?}"),
    }
    assert_eq!(
        error.to_string(),
        format!(
            "store `{}` is at version 2.0.0, newer than this app's latest schema 1.0.0; it was written by a \
             newer app: update the app (staged never downgrades a store)",
            store.path().display()
        )
    );
    // The newer app still reads its data.
    let container = ModelContainer::open(store.path(), v2_plan()).expect("reopen at 2.0.0");
    let all = container
        .context()
        .fetch_all::<notes_v2::Note>()
        .expect("fetch_all");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].title, "from the future");
}

#[test]
fn a_directory_cannot_be_read_as_a_store() {
    let store = TempStore::new();
    fs::create_dir(store.path()).expect("create a directory at the store path");
    let files_before = listing(store.path());
    let error = ModelContainer::open(store.path(), notes::plan()).expect_err("a directory");
    match &error {
        Error::Store(StoreError::Io { path, source }) => {
            assert_eq!(path, store.path());
            assert_eq!(source.kind(), std::io::ErrorKind::IsADirectory, "{source}");
            assert_eq!(
                error.to_string(),
                format!("cannot read `{}`: {source}", store.path().display())
            );
        }
        other => panic!("expected StoreError::Io, got {other:?}"),
    }
    assert!(store.path().is_dir());
    assert_eq!(listing(store.path()), files_before);
}

#[test]
fn a_path_in_a_missing_directory_cannot_be_created() {
    let store = TempStore::new();
    let path = store.dir().join("missing").join("store.sqlite");
    let error = ModelContainer::open(&path, notes::plan()).expect_err("no such directory");
    match &error {
        Error::Store(StoreError::Open {
            path: failed,
            source,
        }) => {
            assert_eq!(failed, &path);
            assert_eq!(
                source.sqlite_error_code(),
                Some(staged::rusqlite::ErrorCode::CannotOpen),
                "{source}"
            );
            assert_eq!(
                error.to_string(),
                format!("cannot open `{}` with SQLite: {source}", path.display())
            );
        }
        other => panic!("expected StoreError::Open, got {other:?}"),
    }
    assert!(!store.dir().join("missing").exists());
}
