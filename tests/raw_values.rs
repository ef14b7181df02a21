//! Values of the wrong storage class or range, written by raw SQL through
//! `ModelContext::connection()` into plain (non-`STRICT`) entity tables, on
//! real store files: typed reads and custom-stage transforms report them as
//! errors naming the entity, attribute and record, and a migration that
//! meets one leaves the store file as it was.

mod common;

use common::plans;
use common::store::TempStore;
use staged::MigrationError;
use staged::prelude::*;

/// Items with a count and a small rank.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    /// An item.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Item {
        /// Title.
        pub title: String,
        /// A count.
        pub count: i64,
        /// A rank that fits a byte.
        pub rank: u8,
    }
}

/// The count doubled by a transform.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    /// An item.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Item {
        /// Title.
        pub title: String,
        /// Twice the old count.
        pub doubled: i64,
        /// A rank that fits a byte.
        pub rank: u8,
    }
}

/// A store at 1.0.0 with two items; `raw` is then run on it through the
/// context's connection. Returns the second item's id.
fn seed(store: &TempStore, raw: &str) -> PersistentId {
    let mut ctx = plans::open_single::<v1::Schema>(store.path()).context();
    for (title, count) in [("a", 1), ("b", 2)] {
        ctx.insert(v1::Item {
            title: title.into(),
            count,
            rank: 3,
        })
        .unwrap();
    }
    let id = ctx.fetch_all::<v1::Item>().unwrap()[1].id();
    ctx.connection()
        .execute(raw, [id.raw()])
        .expect("plain tables take any value");
    id
}

/// `error` is the decode error of `Item.{attribute}` of record `id`, and says
/// so before what the value's reader reported.
fn assert_decode(error: &staged::Error, attribute: &str, id: PersistentId) {
    let staged::Error::Decode {
        entity,
        attribute: failed,
        id: record,
        source,
    } = error
    else {
        panic!("expected Error::Decode, got {error:?}");
    };
    assert_eq!(
        (entity.as_str(), failed.as_str(), *record),
        ("Item", attribute, id.raw())
    );
    assert_eq!(
        error.to_string(),
        format!(
            "cannot read `Item.{attribute}` of record {}: {source}",
            id.raw()
        )
    );
}

#[test]
fn wrong_values_are_typed_errors_on_read() {
    for (raw, attribute) in [
        (
            r#"UPDATE "Item" SET "count" = 'twelve' WHERE "_id" = ?1"#,
            "count",
        ),
        (
            r#"UPDATE "Item" SET "count" = 1.5 WHERE "_id" = ?1"#,
            "count",
        ),
        (r#"UPDATE "Item" SET "rank" = 300 WHERE "_id" = ?1"#, "rank"),
        (
            r#"UPDATE "Item" SET "title" = x'00ff' WHERE "_id" = ?1"#,
            "title",
        ),
    ] {
        let store = TempStore::new();
        let id = seed(&store, raw);
        let mut ctx = plans::open_single::<v1::Schema>(store.path()).context();
        let error = ctx.fetch_all::<v1::Item>().unwrap_err();
        assert_decode(&error, attribute, id);
        // The other record still reads.
        assert_eq!(ctx.count::<v1::Item>().unwrap(), 2);
    }
}

#[test]
fn a_transform_reading_a_wrong_value_fails_naming_it_and_leaves_the_file() {
    let store = TempStore::new();
    let id = seed(
        &store,
        r#"UPDATE "Item" SET "count" = 'twelve' WHERE "_id" = ?1"#,
    );
    let before = store.bytes();
    let plan = plans::two_with_stage::<v1::Schema, v2::Schema>(
        MigrationStage::custom::<v1::Schema, v2::Schema>().transform(|old: v1::Item| {
            Ok(v2::Item {
                title: old.title,
                doubled: old.count * 2,
                rank: old.rank,
            })
        }),
    );
    let error = ModelContainer::open(store.path(), plan).expect_err("the migration fails");
    let Some(MigrationError::HookFailed {
        hook,
        from,
        to,
        source,
        ..
    }) = error.as_migration()
    else {
        panic!("expected MigrationError::HookFailed, got {error:?}");
    };
    assert_eq!(
        (hook.as_str(), *from, *to),
        (
            "transform of `Item`",
            Version::new(1, 0, 0),
            Version::new(2, 0, 0)
        )
    );
    assert_decode(source, "count", id);
    assert_eq!(
        error.to_string(),
        format!(
            "cannot migrate `{}`: transform of `Item` of stage 1.0.0 -> 2.0.0 failed: {source}",
            store.path().display()
        )
    );
    assert_eq!(store.bytes(), before);
}
