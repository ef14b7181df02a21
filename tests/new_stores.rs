//! Seeding a new store (`on_create`), what `open` did (`open_outcome`), and
//! the journal mode and durability a store is opened with.

use std::path::Path;

use staged::prelude::*;
use staged::{Error, JournalMode, OpenOutcome, rusqlite};

/// The first release: folders.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    /// A folder of notes.
    #[model]
    pub struct Folder {
        /// Its unique name.
        #[attribute(unique)]
        pub name: String,
    }
}

/// The second release: folders get a position.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    /// A folder of notes.
    #[model]
    pub struct Folder {
        /// Its unique name.
        #[attribute(unique)]
        pub name: String,
        /// Where it is listed.
        #[attribute(default = 0)]
        pub position: i64,
    }
}

fn plan_v1() -> SchemaMigrationPlan<v1::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .unwrap()
}

fn plan_v2() -> SchemaMigrationPlan<v2::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build()
        .unwrap()
}

fn inbox(ctx: &mut ModelContext<v2::Schema>) -> staged::Result<()> {
    ctx.insert(v2::Folder {
        name: "Inbox".into(),
        position: 0,
    })?;
    Ok(())
}

fn folder_names(container: &ModelContainer<v2::Schema>) -> Vec<String> {
    container
        .context()
        .fetch_all::<v2::Folder>()
        .unwrap()
        .iter()
        .map(|f| f.name.clone())
        .collect()
}

fn pragma(path: &Path, name: &str) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(&format!("PRAGMA {name}"), [], |row| {
        row.get::<_, rusqlite::types::Value>(0)
    })
    .map(|value| match value {
        rusqlite::types::Value::Text(text) => text,
        rusqlite::types::Value::Integer(n) => n.to_string(),
        other => format!("{other:?}"),
    })
    .unwrap()
}

/// The writer's `PRAGMA synchronous`: 1 is NORMAL, 2 is FULL.
fn synchronous(container: &ModelContainer<v2::Schema>) -> i64 {
    container
        .context()
        .connection()
        .query_row("PRAGMA synchronous", [], |row| row.get(0))
        .unwrap()
}

#[test]
fn on_create_seeds_a_new_store_in_its_creating_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite");
    let container = ModelContainer::builder(plan_v2())
        .on_create(inbox)
        .open(&path)
        .unwrap();
    assert_eq!(container.open_outcome(), OpenOutcome::Created);
    assert_eq!(folder_names(&container), ["Inbox"]);
    drop(container);

    // Opened again: up to date, not seeded again.
    let container = ModelContainer::builder(plan_v2())
        .on_create(|_: &mut ModelContext<v2::Schema>| panic!("seeded an existing store"))
        .open(&path)
        .unwrap();
    assert_eq!(container.open_outcome(), OpenOutcome::UpToDate);
    assert_eq!(folder_names(&container), ["Inbox"]);
}

#[test]
fn on_create_does_not_run_for_a_migrated_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite");
    ModelContainer::open(&path, plan_v1())
        .unwrap()
        .context()
        .insert(v1::Folder {
            name: "Work".into(),
        })
        .unwrap();
    let container = ModelContainer::builder(plan_v2())
        .on_create(|_: &mut ModelContext<v2::Schema>| panic!("seeded a migrated store"))
        .open(&path)
        .unwrap();
    assert_eq!(
        container.open_outcome(),
        OpenOutcome::Migrated {
            from: Version::new(1, 0, 0)
        }
    );
    assert_eq!(folder_names(&container), ["Work"]);
}

#[test]
fn a_failing_seed_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite");
    let error = ModelContainer::builder(plan_v2())
        .on_create(|ctx: &mut ModelContext<v2::Schema>| {
            inbox(ctx)?;
            Err(Error::hook("no network for the default folders"))
        })
        .open(&path)
        .unwrap_err();
    assert_eq!(error.to_string(), "no network for the default folders");
    // The path holds no store: an empty file, as if never opened.
    assert_eq!(std::fs::read(&path).unwrap(), b"");

    // The next open creates the store from scratch.
    let container = ModelContainer::builder(plan_v2())
        .on_create(inbox)
        .open(&path)
        .unwrap();
    assert_eq!(container.open_outcome(), OpenOutcome::Created);
    assert_eq!(folder_names(&container), ["Inbox"]);
}

#[test]
fn a_panicking_seed_creates_nothing_and_panics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite");
    let panicked = std::panic::catch_unwind(|| {
        ModelContainer::builder(plan_v2())
            .on_create(|_: &mut ModelContext<v2::Schema>| panic!("seed bug"))
            .open(&path)
    });
    let payload = panicked.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"seed bug"));
    assert_eq!(std::fs::read(&path).unwrap(), b"");
}

#[test]
fn on_create_seeds_an_in_memory_store() {
    let container = ModelContainer::builder(plan_v2())
        .on_create(inbox)
        .in_memory()
        .unwrap();
    assert_eq!(container.open_outcome(), OpenOutcome::Created);
    assert_eq!(folder_names(&container), ["Inbox"]);
}

#[test]
fn stores_use_wal_with_normal_sync_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite");
    let container = ModelContainer::open(&path, plan_v2()).unwrap();
    assert_eq!(pragma(&path, "journal_mode"), "wal");
    let synchronous = synchronous(&container);
    assert_eq!(synchronous, 1, "NORMAL");
}

#[test]
fn a_store_already_in_wal_reopens_in_wal_with_the_sync_asked_for() {
    // The header says WAL, so no `PRAGMA journal_mode` runs: the
    // connection still uses WAL, with the `synchronous` level asked for.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite");
    drop(ModelContainer::open(&path, plan_v1()).unwrap());
    let mode = |container: &ModelContainer<v2::Schema>| -> String {
        container
            .context()
            .connection()
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .unwrap()
    };
    let container = ModelContainer::open(&path, plan_v2()).unwrap();
    assert_eq!(
        container.open_outcome(),
        OpenOutcome::Migrated {
            from: Version::new(1, 0, 0)
        }
    );
    assert_eq!(mode(&container), "wal");
    assert_eq!(synchronous(&container), 1, "NORMAL");
    drop(container);
    let container = ModelContainer::builder(plan_v2())
        .durable_commits(true)
        .open(&path)
        .unwrap();
    assert_eq!(container.open_outcome(), OpenOutcome::UpToDate);
    assert_eq!(mode(&container), "wal");
    assert_eq!(synchronous(&container), 2, "FULL");
}

#[test]
fn durable_commits_sync_every_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite");
    let container = ModelContainer::builder(plan_v2())
        .durable_commits(true)
        .open(&path)
        .unwrap();
    let synchronous = synchronous(&container);
    assert_eq!(synchronous, 2, "FULL");
}

#[test]
fn a_rollback_journal_store_is_switched_to_wal_once_open_and_back_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite");
    drop(
        ModelContainer::builder(plan_v1())
            .journal_mode(JournalMode::Rollback)
            .open(&path)
            .unwrap(),
    );
    assert_eq!(pragma(&path, "journal_mode"), "delete");
    // No files beside a closed rollback-journal store.
    let listing = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(listing(dir.path()), ["notes.sqlite"]);

    // The next release migrates it (in its rollback journal), then switches to WAL.
    let container = ModelContainer::open(&path, plan_v2()).unwrap();
    assert_eq!(pragma(&path, "journal_mode"), "wal");
    assert_eq!(
        container.open_outcome(),
        OpenOutcome::Migrated {
            from: Version::new(1, 0, 0)
        }
    );
    drop(container);

    let container = ModelContainer::builder(plan_v2())
        .journal_mode(JournalMode::Rollback)
        .open(&path)
        .unwrap();
    assert_eq!(pragma(&path, "journal_mode"), "delete");
    let synchronous = synchronous(&container);
    assert_eq!(synchronous, 2, "FULL in the rollback journal");
}
