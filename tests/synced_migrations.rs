//! A store's creation (with its `on_create` seed) and its migrations commit
//! at `synchronous = FULL` even in WAL mode, where the app's own commits run
//! at `NORMAL` afterwards: a created or migrated store is on disk when `open`
//! returns, and a group's commits are durable before its journal is removed.

use std::sync::{Arc, Mutex};

use staged::prelude::*;
use staged::rusqlite::Connection;

/// The first release.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    /// A folder of notes.
    #[model]
    pub struct Folder {
        /// Its name.
        pub name: String,
    }
}

/// The second release: a custom stage from the first.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    /// A folder of notes.
    #[model]
    pub struct Folder {
        /// Its name.
        pub name: String,
        /// Where it is listed.
        #[attribute(default = 0)]
        pub position: i64,
    }
}

fn synchronous(conn: &Connection) -> staged::Result<i64> {
    Ok(conn.query_row("PRAGMA synchronous", [], |row| row.get(0))?)
}

fn journal_mode(conn: &Connection) -> staged::Result<String> {
    Ok(conn.query_row("PRAGMA journal_mode", [], |row| row.get(0))?)
}

#[test]
fn a_store_is_created_and_seeded_at_full_then_commits_at_normal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite");
    let seen = Arc::new(Mutex::new(None));
    let seen_in_seed = Arc::clone(&seen);
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .unwrap();
    let container = ModelContainer::builder(plan)
        .on_create(move |ctx| {
            *seen_in_seed.lock().unwrap() = Some(synchronous(&ctx.connection())?);
            ctx.insert(v1::Folder {
                name: "Inbox".into(),
            })?;
            Ok(())
        })
        .open(&path)
        .unwrap();
    assert_eq!(*seen.lock().unwrap(), Some(2), "FULL while creating");
    let mut ctx = container.context();
    let conn = ctx.connection();
    assert_eq!(journal_mode(&conn).unwrap(), "wal");
    assert_eq!(synchronous(&conn).unwrap(), 1, "NORMAL afterwards");
}

#[test]
fn a_migration_commits_at_full_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite");
    {
        let plan = SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .build()
            .unwrap();
        let container = ModelContainer::open(&path, plan).unwrap();
        let mut ctx = container.context();
        ctx.insert(v1::Folder {
            name: "Inbox".into(),
        })
        .unwrap();
        assert_eq!(journal_mode(&ctx.connection()).unwrap(), "wal");
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (in_will, in_did) = (Arc::clone(&seen), Arc::clone(&seen));
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .stage(
            MigrationStage::custom::<v1::Schema, v2::Schema>()
                .will_migrate(move |ctx: &mut ModelContext<v1::Schema>| {
                    let conn = ctx.connection();
                    let mode = journal_mode(&conn)?;
                    in_will.lock().unwrap().push((mode, synchronous(&conn)?));
                    Ok(())
                })
                .did_migrate(move |ctx: &mut ModelContext<v2::Schema>| {
                    let conn = ctx.connection();
                    let mode = journal_mode(&conn)?;
                    in_did.lock().unwrap().push((mode, synchronous(&conn)?));
                    Ok(())
                }),
        )
        .build()
        .unwrap();
    let container = ModelContainer::open(&path, plan).unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [("wal".to_owned(), 2), ("wal".to_owned(), 2)],
        "the migration runs in WAL mode at FULL"
    );
    let mut ctx = container.context();
    assert_eq!(
        synchronous(&ctx.connection()).unwrap(),
        1,
        "NORMAL afterwards"
    );
    assert_eq!(ctx.count::<v2::Folder>().unwrap(), 1);
}
