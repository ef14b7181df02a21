//! The schema cookie a store records with its version (SQLite's `PRAGMA
//! schema_version` when its tables were last known to be that version's),
//! and when a migration compares the tables with the latest schema: always,
//! unless the path is inferred steps only and the store's schema is the one
//! recorded.

mod common;

use common::store::TempStore;
use common::{plans, sql};
use staged::prelude::*;
use staged::rusqlite::Connection;
use staged::{MigrationError, OpenOutcome};

/// 1.0.0: notes with a title.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    /// A note.
    #[model]
    pub struct Note {
        /// The title.
        pub title: String,
    }
}

/// 2.0.0: notes gain an optional due day.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    /// A note.
    #[model]
    pub struct Note {
        /// The title.
        pub title: String,
        /// The day it is due.
        pub due: Option<i64>,
    }
}

/// The revision of the tables staged makes, which the metadata records in
/// the high 32 bits of the cookie.
const LAYOUT: i64 = 1 << 32;

/// The cookie the metadata recorded (`None`: NULL) and the store's own, as
/// the metadata records it.
fn cookies(conn: &Connection) -> (Option<i64>, i64) {
    let recorded = conn
        .query_row("SELECT schema_cookie FROM _staged_metadata", [], |r| {
            r.get(0)
        })
        .unwrap();
    let actual: i64 = conn
        .query_row("PRAGMA schema_version", [], |r| r.get(0))
        .unwrap();
    (recorded, LAYOUT | actual)
}

/// A 1.0.0 store holding one note.
fn store_at_v1() -> TempStore {
    let store = TempStore::new();
    let container = plans::open_single::<v1::Schema>(store.path());
    container
        .context()
        .insert(v1::Note {
            title: "First".to_owned(),
        })
        .unwrap();
    store
}

/// The drift an error reports, as text.
fn drift_of(error: &staged::Error) -> Vec<String> {
    match error.as_migration() {
        Some(MigrationError::SchemaDrift { differences, .. }) => {
            differences.iter().map(ToString::to_string).collect()
        }
        other => panic!("expected MigrationError::SchemaDrift, got {other:?}"),
    }
}

#[test]
fn a_new_store_and_each_migration_record_the_cookie() {
    let store = store_at_v1();
    let (recorded, actual) = cookies(&store.conn());
    assert_eq!(recorded, Some(actual));
    drop(ModelContainer::open(store.path(), plans::two::<v1::Schema, v2::Schema>()).unwrap());
    let (recorded_after, actual_after) = cookies(&store.conn());
    assert_ne!(actual_after, actual, "adding the column moved the cookie");
    assert_eq!(recorded_after, Some(actual_after));
}

#[test]
fn a_store_changed_behind_staged_s_back_is_compared_and_refused() {
    let store = store_at_v1();
    store
        .conn()
        .execute_batch(r#"CREATE INDEX "by_title" ON "Note" ("title")"#)
        .unwrap();
    let before = store.bytes();
    let error = ModelContainer::open(store.path(), plans::two::<v1::Schema, v2::Schema>())
        .expect_err("the store has an index no schema declares");
    assert_eq!(
        drift_of(&error),
        ["`Note.title`: unexpected index `by_title`"]
    );
    assert!(store.bytes() == before, "the store is unchanged");
}

#[test]
fn a_store_from_before_the_cookie_is_compared_then_records_it() {
    // A store created before the metadata had the column.
    let store = store_at_v1();
    store
        .conn()
        .execute_batch("ALTER TABLE _staged_metadata DROP COLUMN schema_cookie")
        .unwrap();
    let old = store.bytes();
    // Up to date, it opens reading only its version and checksum.
    let container = plans::open_single::<v1::Schema>(store.path());
    assert_eq!(container.open_outcome(), OpenOutcome::UpToDate);
    drop(container);
    let columns = sql::columns(&store.conn(), "_staged_metadata");
    assert_eq!(columns.len(), 5, "an open adds nothing");
    store
        .conn()
        .execute_batch(r#"CREATE INDEX "by_title" ON "Note" ("title")"#)
        .unwrap();
    let error = ModelContainer::open(store.path(), plans::two::<v1::Schema, v2::Schema>())
        .expect_err("the store has an index no schema declares");
    assert_eq!(
        drift_of(&error),
        ["`Note.title`: unexpected index `by_title`"]
    );

    // Without the index, it migrates and gains the column.
    std::fs::write(store.path(), &old).unwrap();
    let container =
        ModelContainer::open(store.path(), plans::two::<v1::Schema, v2::Schema>()).unwrap();
    assert_eq!(container.store_version(), Version::new(2, 0, 0));
    drop(container);
    let (recorded, actual) = cookies(&store.conn());
    assert_eq!(recorded, Some(actual));
}

/// Declares `Note.title` nullable in the store's schema text without
/// moving its cookie, as `PRAGMA writable_schema` lets a raw connection do.
fn loosen_title_keeping_the_cookie(conn: &Connection) {
    conn.execute_batch(
        r#"PRAGMA writable_schema = ON;
           UPDATE sqlite_schema SET sql = replace(sql, '"title" TEXT NOT NULL', '"title" TEXT')
               WHERE name = 'Note';
           PRAGMA writable_schema = OFF;"#,
    )
    .unwrap();
}

#[test]
fn an_inferred_path_trusts_an_unchanged_cookie_and_a_custom_stage_does_not() {
    // The cookie is what says the schema is the recorded one: a change that
    // does not move it (only `writable_schema` can make one) is not seen by
    // an inferred path...
    let store = store_at_v1();
    loosen_title_keeping_the_cookie(&store.conn());
    let (recorded, actual) = cookies(&store.conn());
    assert_eq!(recorded, Some(actual));
    drop(ModelContainer::open(store.path(), plans::two::<v1::Schema, v2::Schema>()).unwrap());
    assert_eq!(
        sql::drift(&store.conn(), v2::Schema::descriptor()),
        ["`Note.title`: column is nullable, expected NOT NULL"]
    );

    // ...while a path with a custom stage compares every table.
    let store = store_at_v1();
    loosen_title_keeping_the_cookie(&store.conn());
    let stage = MigrationStage::custom::<v1::Schema, v2::Schema>().did_migrate(|_| Ok(()));
    let error = ModelContainer::open(
        store.path(),
        plans::two_with_stage::<v1::Schema, v2::Schema>(stage),
    )
    .expect_err("the store's schema differs");
    assert_eq!(
        drift_of(&error),
        ["`Note.title`: column is nullable, expected NOT NULL"]
    );
}

#[test]
fn a_cookie_recorded_by_another_table_layout_does_not_vouch() {
    // The same cookie, recorded without the layout revision (as a release
    // that made its tables otherwise would): compared in full.
    let store = store_at_v1();
    loosen_title_keeping_the_cookie(&store.conn());
    let (_, actual) = cookies(&store.conn());
    store
        .conn()
        .execute(
            "UPDATE _staged_metadata SET schema_cookie = ?1",
            [actual & 0xffff_ffff],
        )
        .unwrap();
    let error = ModelContainer::open(store.path(), plans::two::<v1::Schema, v2::Schema>())
        .expect_err("the store's schema differs");
    assert_eq!(
        drift_of(&error),
        ["`Note.title`: column is nullable, expected NOT NULL"]
    );
}

#[test]
fn a_dry_run_compares_the_tables_exactly_when_the_migration_would() {
    let plan = || ModelContainer::builder(plans::two::<v1::Schema, v2::Schema>());
    // A change that keeps the cookie: neither compares.
    let store = store_at_v1();
    loosen_title_keeping_the_cookie(&store.conn());
    let report = plan().dry_run(store.path()).unwrap();
    assert!(report.would_succeed(), "{report:?}");
    drop(plan().open(store.path()).unwrap());

    // A change that moves it: both compare, and refuse.
    let store = store_at_v1();
    store
        .conn()
        .execute_batch(r#"CREATE INDEX "by_title" ON "Note" ("title")"#)
        .unwrap();
    let report = plan().dry_run(store.path()).unwrap();
    assert!(!report.would_succeed(), "{report:?}");
    let problems: Vec<String> = report.problems().map(ToString::to_string).collect();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("unexpected index `by_title`")),
        "{problems:?}"
    );
    drift_of(&plan().open(store.path()).unwrap_err());
}

#[test]
fn a_store_migrated_by_another_connection_while_waiting_is_not_migrated_again() {
    // A connection holds the write lock while the container reads the
    // metadata (1.0.0) and waits; it then migrates the store by hand, as
    // another process would, and commits. Under the lock the container
    // must see 2.0.0 (the file's data version moved), not the 1.0.0 it
    // read, and run nothing.
    let store = store_at_v1();
    let conn = store.conn();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let path = store.path().to_owned();
    let opener = std::thread::spawn(move || {
        let container =
            ModelContainer::open(&path, plans::two::<v1::Schema, v2::Schema>()).unwrap();
        container.open_outcome()
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    let checksum = v2::Schema::checksum().to_string();
    conn.execute_batch(r#"ALTER TABLE "Note" ADD COLUMN "due" INTEGER"#)
        .unwrap();
    conn.execute(
        "UPDATE _staged_metadata SET version = '2.0.0', checksum = ?1",
        [&checksum],
    )
    .unwrap();
    conn.execute_batch("COMMIT").unwrap();
    assert_eq!(opener.join().unwrap(), OpenOutcome::UpToDate);
    let (columns, history): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM pragma_table_info('Note')), \
                    (SELECT count(*) FROM _staged_history)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((columns, history), (3, 0), "nothing ran twice");
}
