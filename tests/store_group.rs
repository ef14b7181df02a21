//! Store groups: several stores, each with its own plan, migrated all or
//! nothing, and the recovery of a group commit a crash interrupted. Kills of
//! real processes are in `harness/tests/group_crash.rs`.

mod common;

use std::path::Path;

use common::files::read_bytes;
use common::plans;
use common::sql::stored_version;
use common::store::TempStore;
use staged::prelude::*;
use staged::{MigrationError, StoreGroup};

#[versioned_schema(version = "1.0.0")]
mod notes_v1 {
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod notes_v2 {
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub length: i64,
    }
}

#[versioned_schema(version = "1.0.0")]
mod cache_v1 {
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Entry {
        pub key: String,
        pub hits: i64,
    }
}

#[versioned_schema(version = "1.1.0")]
mod cache_v2 {
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Entry {
        #[attribute(unique)]
        pub key: String,
        pub hits: i64,
        pub expires: Option<i64>,
    }
}

fn notes_plan() -> SchemaMigrationPlan<notes_v2::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<notes_v1::Schema>()
        .schema::<notes_v2::Schema>()
        .stage(
            MigrationStage::custom::<notes_v1::Schema, notes_v2::Schema>().transform(
                |old: notes_v1::Note| {
                    let length = old.title.len() as i64;
                    Ok(notes_v2::Note {
                        uid: old.uid,
                        title: old.title,
                        length,
                    })
                },
            ),
        )
        .build()
        .unwrap()
}

/// `1.0.0 -[inferred]-> 1.1.0`: `key` becomes unique, which fails on
/// duplicate keys.
fn cache_plan() -> SchemaMigrationPlan<cache_v2::Schema> {
    plans::two::<cache_v1::Schema, cache_v2::Schema>()
}

fn seed_notes(path: &Path) {
    let mut ctx = plans::open_single::<notes_v1::Schema>(path).context();
    for i in 0..100 {
        ctx.insert(notes_v1::Note {
            uid: format!("n{i}"),
            title: "x".repeat(i % 10),
        })
        .unwrap();
    }
}

fn seed_cache(path: &Path, duplicate: bool) {
    let mut ctx = plans::open_single::<cache_v1::Schema>(path).context();
    for i in 0..50 {
        let key = if duplicate && i == 49 {
            "k7".to_owned()
        } else {
            format!("k{i}")
        };
        ctx.insert(cache_v1::Entry { key, hits: i }).unwrap();
    }
}

fn journal_of(first: &Path) -> std::path::PathBuf {
    let mut name = first.as_os_str().to_owned();
    name.push(".staged-group");
    name.into()
}

#[test]
fn a_group_migrates_every_store_with_its_own_plan() {
    let (notes, cache) = (
        TempStore::named("notes.sqlite"),
        TempStore::named("cache.sqlite"),
    );
    seed_notes(notes.path());
    seed_cache(cache.path(), false);
    let mut group = StoreGroup::builder();
    let n = group.store(notes.path(), notes_plan());
    let c = group.store(cache.path(), cache_plan());
    let group = group.open().unwrap();
    assert_eq!(group.paths(), [notes.path(), cache.path()]);
    let all = group
        .container(n)
        .context()
        .fetch_all::<notes_v2::Note>()
        .unwrap();
    assert_eq!(all.len(), 100);
    assert_eq!((all[7].uid.as_str(), all[7].length), ("n7", 7));
    assert_eq!(group.container(c).store_version(), Version::new(1, 1, 0));
    assert_eq!(
        group
            .container(c)
            .context()
            .count::<cache_v2::Entry>()
            .unwrap(),
        50
    );
    assert!(!journal_of(notes.path()).exists());
    // Opening again migrates nothing and writes nothing.
    drop(group);
    let bytes = (notes.bytes(), cache.bytes());
    let mut group = StoreGroup::builder();
    group.store(notes.path(), notes_plan());
    group.store(cache.path(), cache_plan());
    group.open().unwrap();
    assert!((notes.bytes(), cache.bytes()) == bytes);
}

#[test]
fn a_failing_store_holds_back_the_others_and_no_store_changes() {
    let (notes, cache) = (
        TempStore::named("notes.sqlite"),
        TempStore::named("cache.sqlite"),
    );
    seed_notes(notes.path());
    seed_cache(cache.path(), true);
    let created = notes.dir().join("new.sqlite");
    let bytes = (notes.bytes(), cache.bytes());
    let mut group = StoreGroup::builder();
    group.store(notes.path(), notes_plan());
    group.store(cache.path(), cache_plan());
    group.store(&created, notes_plan());
    let error = group.open().unwrap_err();
    let Some(MigrationError::GroupFailed {
        failed_store,
        recovering,
        errors,
        ..
    }) = error.as_migration()
    else {
        panic!("expected MigrationError::GroupFailed, got {error:?}");
    };
    assert_eq!(failed_store, cache.path());
    assert!(!recovering);
    assert_eq!(errors.len(), 2, "{errors:?}");
    match errors[0].as_migration() {
        Some(MigrationError::CoreqMigrationFailed { path, failed_store }) => {
            assert_eq!(
                (path.as_path(), failed_store.as_path()),
                (notes.path(), cache.path())
            );
        }
        other => panic!("expected CoreqMigrationFailed, got {other:?}"),
    }
    match errors[1].as_migration() {
        Some(MigrationError::ConstraintViolation {
            entity,
            attribute,
            value,
            ..
        }) => {
            assert_eq!(
                (entity.as_str(), attribute.as_str(), value.as_deref()),
                ("Entry", "key", Some("'k7'"))
            );
        }
        other => panic!("expected ConstraintViolation, got {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        format!(
            "cannot open a store group; no store of the group was changed: `{cache}` failed: store \
             `{notes}` migrated fine but was rolled back because `{cache}`, a store of the same group, \
             failed; fix that store and open the group again; cannot migrate `{cache}` from 1.0.0 to \
             1.1.0: `Entry.key` becomes unique but several records have the value 'k7' (e.g. record 8); \
             fix the data first (e.g. in a `will_migrate` hook of a custom stage) or relax the schema",
            cache = cache.path().display(),
            notes = notes.path().display(),
        )
    );
    assert!((notes.bytes(), cache.bytes()) == bytes, "no store changed");
    assert_eq!(
        read_bytes(&created),
        b"",
        "the created store is empty again"
    );
    assert!(!journal_of(notes.path()).exists());
}

#[test]
fn an_interrupted_group_commit_is_finished_by_the_next_open() {
    let (notes, cache) = (
        TempStore::named("notes.sqlite"),
        TempStore::named("cache.sqlite"),
    );
    seed_notes(notes.path());
    seed_cache(cache.path(), false);
    // The state a crash between the two commits leaves: the journal, the
    // first store committed, the second at its old version.
    ModelContainer::open(notes.path(), notes_plan()).unwrap();
    let journal = journal_of(notes.path());
    std::fs::write(&journal, "staged store group: commit decided for\n").unwrap();
    assert_eq!(
        (stored_version(&notes.conn()), stored_version(&cache.conn())),
        ("2.0.0".into(), "1.0.0".into())
    );

    let mut group = StoreGroup::builder();
    let c = group.store(cache.path(), cache_plan());
    group.store(notes.path(), notes_plan());
    // The journal is named after the first store: say where it is.
    group.journal(&journal);
    let group = group.open().unwrap();
    assert_eq!(group.container(c).store_version(), Version::new(1, 1, 0));
    assert_eq!(
        (stored_version(&notes.conn()), stored_version(&cache.conn())),
        ("2.0.0".into(), "1.1.0".into())
    );
    assert!(!journal.exists());
}

#[test]
fn a_failure_while_finishing_an_interrupted_commit_keeps_the_journal() {
    let (notes, cache) = (
        TempStore::named("notes.sqlite"),
        TempStore::named("cache.sqlite"),
    );
    seed_notes(notes.path());
    seed_cache(cache.path(), true);
    let journal = journal_of(notes.path());
    std::fs::write(&journal, "staged store group: commit decided for\n").unwrap();
    let cache_bytes = cache.bytes();
    let mut group = StoreGroup::builder();
    group.store(notes.path(), notes_plan());
    group.store(cache.path(), cache_plan());
    let error = group.open().unwrap_err();
    let Some(MigrationError::GroupFailed {
        recovering: true,
        errors,
        ..
    }) = error.as_migration()
    else {
        panic!("expected a GroupFailed while recovering, got {error:?}");
    };
    // Only the failing store's own error: the other store went forward.
    let [only] = errors.as_slice() else {
        panic!("expected one error, got {errors:?}");
    };
    match only.as_migration() {
        Some(MigrationError::ConstraintViolation {
            path,
            entity,
            attribute,
            value,
            ..
        }) => {
            assert_eq!(
                (path.as_path(), entity.as_str(), attribute.as_str()),
                (cache.path(), "Entry", "key")
            );
            assert_eq!(value.as_deref(), Some("'k7'"));
        }
        other => panic!("expected ConstraintViolation, got {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        format!(
            "cannot finish the interrupted migration of a store group (its journal `{}` is kept: the \
             stores already migrated stay migrated, and the next open tries again): `{cache}` failed: \
             cannot migrate `{cache}` from 1.0.0 to 1.1.0: `Entry.key` becomes unique but several records \
             have the value 'k7' (e.g. record 8); fix the data first (e.g. in a `will_migrate` hook of a \
             custom stage) or relax the schema",
            journal.display(),
            cache = cache.path().display(),
        )
    );
    assert_eq!(stored_version(&notes.conn()), "2.0.0");
    assert!(cache.bytes() == cache_bytes);
    assert!(journal.exists());
    // Once the data is fixed, the next open finishes the group.
    {
        let conn = cache.conn();
        conn.execute("UPDATE Entry SET key = 'k49' WHERE _id = 50", [])
            .unwrap();
    }
    let mut group = StoreGroup::builder();
    group.store(notes.path(), notes_plan());
    group.store(cache.path(), cache_plan());
    group.open().unwrap();
    assert_eq!(stored_version(&cache.conn()), "1.1.0");
    assert!(!journal.exists());
}

#[test]
fn an_empty_group_opens() {
    let group = StoreGroup::builder().open().unwrap();
    assert!(group.paths().is_empty());
}
