//! Hostile and broken inputs: damaged files, a full disk, failing hooks and
//! constraints mid-path, and names full of quotes. Each is a typed error
//! naming the file, and the store's bytes are exactly what they were.
//!
//! Files that are not staged stores, foreign databases, unknown checksums and
//! newer stores are covered by `tests/store_files.rs`; read-only files and
//! directories (which need a process without root's permissions) by
//! `harness/tests/read_only.rs`.

mod common;

use std::fs;
use std::path::Path;

use common::files::page_size;
use common::store::{TempStore, open_fails};
use common::{plans, sql};
use staged::prelude::*;
use staged::{Error, MigrationError, StoreError};

#[versioned_schema(version = "1.0.0")]
mod v1 {
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub body: Option<String>,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2 {
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub body: Option<String>,
        pub words: i64,
    }
}

#[versioned_schema(version = "3.0.0")]
mod v3 {
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(unique)]
        pub title: String,
        pub body: Option<String>,
        pub words: i64,
    }
}

fn words(old: v1::Note) -> staged::Result<v2::Note> {
    let words = old.title.split_whitespace().count() as i64;
    Ok(v2::Note {
        uid: old.uid,
        title: old.title,
        body: old.body,
        words,
    })
}

/// 1.0.0 -[custom]-> 2.0.0 with `stage`.
fn plan_v2(stage: staged::CustomStage<v1::Schema, v2::Schema>) -> SchemaMigrationPlan<v2::Schema> {
    plans::two_with_stage::<v1::Schema, v2::Schema>(stage)
}

/// 1.0.0 -[custom]-> 2.0.0 -[inferred]-> 3.0.0 (`title` becomes unique).
fn plan_v3() -> SchemaMigrationPlan<v3::Schema> {
    plans::three_with_stage::<v1::Schema, v2::Schema, v3::Schema>(
        MigrationStage::custom::<v1::Schema, v2::Schema>().transform(words),
    )
}

/// A 1.0.0 store with `rows` notes; titles repeat when `duplicate_titles`.
fn seed(path: &Path, rows: usize, duplicate_titles: bool) {
    let container = plans::open_single::<v1::Schema>(path);
    let mut ctx = container.context();
    ctx.transaction(|ctx| {
        for i in 0..rows {
            let title = if duplicate_titles && i % 100 == 99 {
                "the same title".to_owned()
            } else {
                format!("note number {i} of the seed")
            };
            ctx.insert(v1::Note {
                uid: format!("n{i}"),
                title,
                body: (i % 3 == 0).then(|| "some body text ".repeat(4)),
            })?;
        }
        Ok(())
    })
    .expect("seed");
}

fn old_store(rows: usize) -> TempStore {
    let store = TempStore::new();
    seed(store.path(), rows, false);
    store
}

fn expect_corrupt(error: &Error, path: &Path) -> String {
    match error {
        Error::Store(StoreError::Corrupt { path: p, detail }) => {
            assert_eq!(p, path);
            assert_eq!(
                error.to_string(),
                format!(
                    "store `{}` is damaged ({detail}); staged does not repair stores and changed nothing: \
                     restore the file from a backup, or delete it to start with an empty store",
                    path.display()
                )
            );
            detail.clone()
        }
        other => panic!("expected StoreError::Corrupt, got {other:?}"),
    }
}

type Damage = fn(&mut [u8]);

#[test]
fn a_corrupt_header_is_a_damaged_store() {
    let original = old_store(50);
    let bytes = original.bytes();
    // Offsets 16-17: page size (here an impossible 3); 21-23: payload
    // fractions, which must be 64, 32, 32.
    let damages: [(&str, Damage); 2] = [
        ("page size", |b| b[16..18].copy_from_slice(&[0, 3])),
        ("payload fractions", |b| {
            b[21..24].copy_from_slice(&[1, 2, 3])
        }),
    ];
    for (what, damage) in damages {
        let store = TempStore::new();
        let mut damaged = bytes.clone();
        damage(&mut damaged);
        fs::write(store.path(), &damaged).expect("write");
        // With the latest plan of the file (no migration) as with a newer one.
        let error = open_fails(&store, plan_v3());
        let detail = expect_corrupt(&error, store.path());
        assert_eq!(detail, "file is not a database", "{what}");
        let plan = plans::single::<v1::Schema>();
        expect_corrupt(&open_fails(&store, plan), store.path());
    }
}

#[test]
fn a_corrupt_page_stops_the_migration_before_it_starts() {
    let original = old_store(2000);
    let bytes = original.bytes();
    let page = page_size(&bytes);
    let root: i64 = original
        .conn()
        .query_row(
            "SELECT rootpage FROM sqlite_schema WHERE name = 'Note'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let root = usize::try_from(root).unwrap();
    let pages = bytes.len() / page;
    // The table's root page, and a page in the middle of the file.
    for number in [root, pages / 2] {
        let store = TempStore::new();
        let mut damaged = bytes.clone();
        let start = (number - 1) * page;
        for (k, byte) in damaged[start + 8..start + page].iter_mut().enumerate() {
            *byte = (k * 7 % 251) as u8;
        }
        fs::write(store.path(), &damaged).expect("write");
        let error = open_fails(&store, plan_v3());
        let detail = expect_corrupt(&error, store.path());
        // SQLite's integrity check names the damaged page of the table's tree.
        assert!(
            detail.starts_with(&format!(
                "*** in database main ***\nTree {root} page {number} cell "
            )),
            "page {number}: {detail}"
        );
    }
}

#[test]
fn a_truncated_old_store_is_damaged_and_not_migrated() {
    let original = old_store(2000);
    let bytes = original.bytes();
    let page = page_size(&bytes);
    for cut in [bytes.len() / 2, bytes.len() - page] {
        let store = TempStore::new();
        fs::write(store.path(), &bytes[..cut]).expect("write");
        let error = open_fails(&store, plan_v3());
        let detail = expect_corrupt(&error, store.path());
        assert_eq!(detail, "database disk image is malformed", "cut at {cut}");
    }
}

#[test]
fn a_full_disk_mid_transform_rolls_back_and_says_so() {
    let store = old_store(3000);
    let stage = MigrationStage::custom::<v1::Schema, v2::Schema>()
        .will_migrate(|ctx: &mut ModelContext<v1::Schema>| {
            // The database may not grow by more than a page from here on:
            // the transform's new table fills it, as a full disk would.
            let conn = ctx.connection();
            let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
            conn.pragma_update(None, "max_page_count", pages + 1)?;
            Ok(())
        })
        .transform(words);
    let error = open_fails(&store, plan_v2(stage));
    match &error {
        Error::Store(StoreError::DiskFull { path }) => assert_eq!(path, store.path()),
        other => panic!("expected StoreError::DiskFull, got {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        format!(
            "store `{}` ran out of space (the disk is full or the database reached its page limit); the \
             migration was rolled back and nothing was changed: free space (a migration may need as much \
             again as the store's size) and open it again",
            store.path().display()
        )
    );
    // The store still opens at 1.0.0 with its rows.
    let container = plans::open_single::<v1::Schema>(store.path());
    assert_eq!(container.context().count::<v1::Note>().unwrap(), 3000);
}

#[test]
fn a_transform_panicking_after_thousands_of_rows_leaves_the_store_as_it_was() {
    let store = old_store(3000);
    let stage = MigrationStage::custom::<v1::Schema, v2::Schema>().transform(|old: v1::Note| {
        assert!(old.uid != "n2500", "unexpected note {}", old.uid);
        words(old)
    });
    let error = open_fails(&store, plan_v2(stage));
    let Some(MigrationError::HookFailed { hook, source, .. }) = error.as_migration() else {
        panic!("expected MigrationError::HookFailed, got {error:?}");
    };
    assert_eq!(hook, "transform of `Note`");
    assert!(matches!(**source, Error::Hook(_)), "{source:?}");
    assert_eq!(source.to_string(), "panicked: unexpected note n2500");
}

#[test]
fn a_duplicate_written_by_a_transform_names_entity_attribute_and_value() {
    let store = old_store(500);
    let stage = MigrationStage::custom::<v1::Schema, v2::Schema>().transform(|old: v1::Note| {
        let mut new = words(old)?;
        if new.uid == "n400" {
            new.uid = "n1".into();
        }
        Ok(new)
    });
    let error = open_fails(&store, plan_v2(stage));
    // The unique index is built once the transform has written every row.
    let Some(MigrationError::ConstraintViolation {
        entity,
        attribute,
        value,
        row,
        ..
    }) = error.as_migration()
    else {
        panic!("expected MigrationError::ConstraintViolation, got {error:?}");
    };
    assert_eq!(
        (entity.as_str(), attribute.as_str(), value.as_deref(), *row),
        ("Note", "uid", Some("'n1'"), Some(2))
    );
    assert_eq!(
        error.to_string(),
        format!(
            "cannot migrate `{}` from 1.0.0 to 2.0.0: `Note.uid` becomes unique but several records have \
             the value 'n1' (e.g. record 2); fix the data first (e.g. in a `will_migrate` hook of a custom \
             stage) or relax the schema",
            store.path().display()
        )
    );
}

#[test]
fn a_unique_violation_in_the_last_step_rolls_back_the_custom_step_before_it() {
    let store = TempStore::new();
    seed(store.path(), 1000, true);
    let error = open_fails(&store, plan_v3());
    let Some(MigrationError::ConstraintViolation {
        from,
        to,
        entity,
        attribute,
        value,
        row,
        ..
    }) = error.as_migration()
    else {
        panic!("expected MigrationError::ConstraintViolation, got {error:?}");
    };
    assert_eq!(
        (*from, *to, entity.as_str(), attribute.as_str()),
        (
            Version::new(2, 0, 0),
            Version::new(3, 0, 0),
            "Note",
            "title"
        )
    );
    assert_eq!(value.as_deref(), Some("'the same title'"));
    assert_eq!(*row, Some(100));
    // No history row of the custom step survived.
    assert_eq!(sql::history(&store.conn()).len(), 0);
}

/// Entity names that would break SQL if they were pasted into it.
#[versioned_schema(version = "1.0.0")]
mod odd_v1 {
    #[model(name = "Odd \"quoted\" name'; DROP TABLE _staged_metadata; --")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub obsolete: Option<String>,
    }
}

#[versioned_schema(version = "2.0.0")]
mod odd_v2 {
    #[model(
        name = "[bracket] `tick` \"name\"",
        original_name = "Odd \"quoted\" name'; DROP TABLE _staged_metadata; --",
        removed(obsolete)
    )]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(index)]
        pub title: String,
        pub extra: Option<i64>,
    }
}

#[versioned_schema(version = "3.0.0")]
mod odd_v3 {
    #[model(name = "[bracket] `tick` \"name\"")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub extra: Option<i64>,
        pub rank: i64,
    }
}

#[test]
fn entity_names_with_quotes_and_sql_are_quoted_not_executed() {
    let store = TempStore::new();
    {
        let container = plans::open_single::<odd_v1::Schema>(store.path());
        let mut ctx = container.context();
        for i in 0..20 {
            ctx.insert(odd_v1::Note {
                uid: format!("u{i}'\"; --"),
                title: format!("title {i}"),
                obsolete: Some("x".into()),
            })
            .unwrap();
        }
    }
    // An inferred rename + column removal (a rebuild), then a custom transform.
    let plan = plans::three_with_stage::<odd_v1::Schema, odd_v2::Schema, odd_v3::Schema>(
        MigrationStage::custom::<odd_v2::Schema, odd_v3::Schema>().transform(
            |old: odd_v2::Note| {
                let rank = old.title.len() as i64;
                Ok(odd_v3::Note {
                    uid: old.uid,
                    title: old.title,
                    extra: old.extra,
                    rank,
                })
            },
        ),
    );
    assert_eq!(
        plan.migration_path(Version::new(1, 0, 0))
            .unwrap()
            .to_string(),
        "1.0.0 -[inferred]-> 2.0.0 -[custom]-> 3.0.0"
    );
    let container = ModelContainer::open(store.path(), plan).unwrap();
    assert_eq!(container.store_version(), Version::new(3, 0, 0));
    let notes = container.context().fetch_all::<odd_v3::Note>().unwrap();
    assert_eq!(notes.len(), 20);
    assert_eq!(notes[3].uid, "u3'\"; --");
    assert_eq!(notes[3].rank, "title 3".len() as i64);
    drop(container);
    let conn = store.conn();
    let tables = sql::schema_objects(&conn)
        .into_iter()
        .filter(|(kind, _)| kind == "table")
        .map(|(_, name)| name)
        .collect::<Vec<_>>();
    assert_eq!(
        tables,
        [
            "[bracket] `tick` \"name\"",
            "_staged_history",
            "_staged_metadata"
        ]
    );
    assert_eq!(sql::integrity(&conn), "ok");
}
