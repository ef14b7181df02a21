//! Recovery policies for stores that only hold data the app can rebuild:
//! `recreate_when` (unknown checksum, newer store, store too old, damaged
//! store) and the development-only `erase_when_schema_changed`. Each is
//! opt-in; the directory holds the same files before and after.

mod common;

use staged::prelude::*;
use staged::{Error, MigrationError, OpenOutcome, Recreate, StoreError};

use common::files::{listing, page_size};
use common::schemas::notes::{self, note, v1};
use common::store::{TempStore, open_fails, open_fails_with};

/// 1.0.0 with a new optional attribute.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    /// A note.
    #[model]
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
        /// New in 2.0.0.
        pub pinned: Option<bool>,
    }

    /// A tag.
    #[model]
    pub struct Tag {
        /// The tag's unique name.
        #[attribute(unique)]
        pub name: String,
    }
}

fn plan_v2() -> SchemaMigrationPlan<v2::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build()
        .unwrap()
}

fn only_v2() -> SchemaMigrationPlan<v2::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v2::Schema>()
        .build()
        .unwrap()
}

/// A store at 1.0.0 with one note.
fn store_at_v1() -> TempStore {
    let store = TempStore::new();
    notes::open(store.path())
        .context()
        .insert(note("old", "cached"))
        .unwrap();
    store
}

/// A seed that marks a recreated store.
fn seed(ctx: &mut ModelContext<v2::Schema>) -> staged::Result<()> {
    ctx.insert(v2::Tag {
        name: "seeded".into(),
    })?;
    Ok(())
}

fn seed_v1(ctx: &mut ModelContext<v1::Schema>) -> staged::Result<()> {
    ctx.insert(v1::Tag {
        name: "seeded".into(),
    })?;
    Ok(())
}

/// Opens `store` with `open`, expecting it recreated for `reason`: the old
/// notes are gone, the seed ran, and once closed the directory holds the
/// same files as before.
fn recreated<S: VersionedSchema>(
    store: &TempStore,
    reason: Recreate,
    open: impl FnOnce() -> staged::Result<ModelContainer<S>>,
) {
    let before = listing(store.dir());
    let container = open().expect("the store is recreated");
    assert_eq!(container.open_outcome(), OpenOutcome::Recreated { reason });
    assert_eq!(container.store_version(), S::VERSION);
    drop(container);
    let conn = store.conn();
    let notes: i64 = conn
        .query_row("SELECT count(*) FROM Note", [], |row| row.get(0))
        .unwrap();
    let tags: Vec<String> = conn
        .prepare("SELECT name FROM Tag")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!((notes, tags), (0, vec!["seeded".to_owned()]));
    assert_eq!(common::sql::integrity(&conn), "ok");
    assert_eq!(common::sql::stored_version(&conn), S::VERSION.to_string());
    drop(conn);
    assert_eq!(listing(store.dir()), before);
}

#[test]
fn nothing_is_recreated_by_default() {
    // A newer store: refused, untouched (see also tests/store_files.rs).
    let store = TempStore::new();
    ModelContainer::open(store.path(), plan_v2()).unwrap();
    let error = open_fails(&store, notes::plan());
    assert!(matches!(
        error.as_migration(),
        Some(MigrationError::StoreNewer { .. })
    ));
    // Another condition opted in does not cover it.
    let error = open_fails_with(&store, || {
        ModelContainer::builder(notes::plan())
            .recreate_when(Recreate::UnknownChecksum)
            .recreate_when(Recreate::Corrupt)
            .open(store.path())
    });
    assert!(matches!(
        error.as_migration(),
        Some(MigrationError::StoreNewer { .. })
    ));
}

#[test]
fn a_store_with_an_unknown_checksum_is_recreated_when_asked() {
    let store = store_at_v1();
    store
        .conn()
        .execute(
            "UPDATE _staged_metadata SET checksum = ?1",
            [v2::Schema::checksum().to_string()],
        )
        .unwrap();
    recreated(&store, Recreate::UnknownChecksum, || {
        ModelContainer::builder(plan_v2())
            .recreate_when(Recreate::UnknownChecksum)
            .on_create(seed)
            .open(store.path())
    });
}

#[test]
fn a_newer_store_is_recreated_when_asked() {
    let store = TempStore::new();
    ModelContainer::open(store.path(), plan_v2())
        .unwrap()
        .context()
        .insert(v2::Note {
            uid: "new".into(),
            title: "from a newer app".into(),
            body: None,
            priority: 0,
            done: false,
            rating: None,
            pinned: None,
        })
        .unwrap();
    recreated(&store, Recreate::StoreNewer, || {
        ModelContainer::builder(notes::plan())
            .recreate_when(Recreate::StoreNewer)
            .on_create(seed_v1)
            .open(store.path())
    });
}

#[test]
fn a_store_older_than_the_oldest_supported_is_recreated_when_asked() {
    let store = store_at_v1();
    recreated(&store, Recreate::StoreTooOld, || {
        ModelContainer::builder(only_v2())
            .recreate_when(Recreate::StoreTooOld)
            .on_create(seed)
            .open(store.path())
    });
}

/// Makes the first entry of the store's free-page list name page 2, a page
/// in use (SQLite's `quick_check` finds it before a migration).
fn damage(store: &TempStore) {
    {
        let container = notes::open(store.path());
        let mut ctx = container.context();
        for n in 0..300 {
            ctx.insert(note(&format!("x{n}"), &"long title ".repeat(40)))
                .unwrap();
        }
        ctx.connection()
            .execute("DELETE FROM Note WHERE uid LIKE 'x%'", [])
            .unwrap();
    }
    let mut bytes = store.bytes();
    let size = page_size(&bytes);
    let trunk = u32::from_be_bytes(bytes[32..36].try_into().unwrap());
    assert!(trunk > 0, "the store has free pages");
    let start = (usize::try_from(trunk).unwrap() - 1) * size;
    bytes[start + 8..start + 12].copy_from_slice(&2u32.to_be_bytes());
    std::fs::write(store.path(), bytes).unwrap();
}

#[test]
fn a_damaged_store_is_deleted_and_recreated_when_asked() {
    let store = store_at_v1();
    damage(&store);
    let error = open_fails(&store, plan_v2());
    assert!(matches!(error, Error::Store(StoreError::Corrupt { .. })));
    recreated(&store, Recreate::Corrupt, || {
        ModelContainer::builder(plan_v2())
            .recreate_when(Recreate::Corrupt)
            .on_create(seed)
            .open(store.path())
    });
}

#[test]
fn a_store_without_metadata_counts_as_damaged() {
    let store = store_at_v1();
    store
        .conn()
        .execute("DROP TABLE _staged_metadata", [])
        .unwrap();
    let error = open_fails(&store, plan_v2());
    assert!(matches!(
        error,
        Error::Store(StoreError::MissingMetadata { .. })
    ));
    recreated(&store, Recreate::Corrupt, || {
        ModelContainer::builder(plan_v2())
            .recreate_when(Recreate::Corrupt)
            .on_create(seed)
            .open(store.path())
    });
}

#[test]
fn files_that_are_not_stores_are_never_recreated() {
    let store = TempStore::new();
    std::fs::write(store.path(), b"someone's notes, not a database").unwrap();
    let error = open_fails_with(&store, || {
        ModelContainer::builder(plan_v2())
            .recreate_when(Recreate::Corrupt)
            .recreate_when(Recreate::UnknownChecksum)
            .open(store.path())
    });
    assert!(matches!(
        error,
        Error::Store(StoreError::NotADatabase { .. })
    ));
    let other = TempStore::new();
    staged::rusqlite::Connection::open(other.path())
        .unwrap()
        .execute_batch("CREATE TABLE mine (x);")
        .unwrap();
    let error = open_fails_with(&other, || {
        ModelContainer::builder(plan_v2())
            .recreate_when(Recreate::Corrupt)
            .open(other.path())
    });
    assert!(matches!(
        error,
        Error::Store(StoreError::ForeignDatabase { .. })
    ));
}

#[cfg(debug_assertions)]
#[test]
fn in_development_a_store_of_another_schema_is_erased_instead_of_migrated() {
    let store = store_at_v1();
    let before = listing(store.dir());
    let container = ModelContainer::builder(plan_v2())
        .erase_when_schema_changed()
        .on_create(seed)
        .open(store.path())
        .unwrap();
    assert_eq!(
        container.open_outcome(),
        OpenOutcome::Erased {
            from: Version::new(1, 0, 0)
        }
    );
    assert_eq!(container.context().count::<v2::Note>().unwrap(), 0);
    drop(container);
    assert_eq!(listing(store.dir()), before);
    // At the latest schema: opened as it is.
    let container = ModelContainer::builder(plan_v2())
        .erase_when_schema_changed()
        .open(store.path())
        .unwrap();
    assert_eq!(container.open_outcome(), OpenOutcome::UpToDate);
    assert_eq!(container.context().count::<v2::Tag>().unwrap(), 1);
}
