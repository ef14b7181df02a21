//! Stores whose entity tables are `STRICT` (as staged created them before
//! entity tables became plain tables) keep opening and migrating: in place
//! (`ADD`/`RENAME`/`DROP COLUMN`, which keep the table `STRICT`), by a
//! rebuild, and by a custom transform (both of which create plain tables).

mod common;

use std::path::Path;

use common::plans;
use common::sql::{self, i, t};
use common::store::{TempStore, write_legacy_store};
use staged::prelude::*;
use staged::rusqlite::types::Value;

#[versioned_schema(version = "1.0.0")]
mod v1 {
    #[model]
    pub struct Item {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub count: i64,
        pub legacy: Option<String>,
    }
}

/// In place: rename, add with default, drop, add optional.
#[versioned_schema(version = "2.0.0")]
mod v2_alter {
    #[model(removed(legacy))]
    pub struct Item {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(original_name = "title")]
        pub name: String,
        pub count: i64,
        #[attribute(default = 5)]
        pub rank: i64,
        pub due: Option<i64>,
    }
}

/// A rebuild: `count` becomes optional.
#[versioned_schema(version = "2.0.0")]
mod v2_rebuild {
    #[model]
    pub struct Item {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub count: Option<i64>,
        pub legacy: Option<String>,
    }
}

/// A custom transform: `count` doubled into `twice`.
#[versioned_schema(version = "2.0.0")]
mod v2_transform {
    #[model]
    pub struct Item {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub twice: i64,
    }
}

/// Writes a store at `v1` exactly as staged wrote it when entity tables were
/// `STRICT`: the same DDL, application id, metadata and three rows.
fn legacy_store(path: &Path) {
    write_legacy_store::<v1::Schema>(
        path,
        r#"CREATE TABLE "Item" ("_id" INTEGER PRIMARY KEY, "uid" TEXT NOT NULL,
               "title" TEXT NOT NULL, "count" INTEGER NOT NULL, "legacy" TEXT) STRICT;
           CREATE UNIQUE INDEX "_staged_unique_4_Item_uid" ON "Item" ("uid");
           INSERT INTO "Item" VALUES (1, 'a', 'first', 10, 'x'), (2, 'b', 'second', 20, NULL),
               (4, 'd', 'fourth', 40, 'y');"#,
    );
}

#[test]
fn a_strict_store_opens_at_its_version() {
    let store = TempStore::named("legacy.sqlite");
    legacy_store(store.path());
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    let id = ctx
        .insert(v1::Item {
            uid: "e".into(),
            title: "fifth".into(),
            count: 50,
            legacy: None,
        })
        .unwrap();
    assert_eq!(id.raw(), 5);
    assert_eq!(ctx.count::<v1::Item>().unwrap(), 4);
    assert!(sql::is_strict(&store.conn(), "Item"));
}

#[test]
fn a_strict_table_migrates_in_place_and_stays_strict() {
    let store = TempStore::named("legacy.sqlite");
    legacy_store(store.path());
    let plan = plans::two::<v1::Schema, v2_alter::Schema>();
    drop(ModelContainer::open(store.path(), plan).unwrap());
    assert!(sql::is_strict(&store.conn(), "Item"));
    // Columns: _id, uid, name, count, rank, due (`legacy` dropped, then added ones).
    assert_eq!(
        sql::rows(&store.conn(), "Item"),
        [
            vec![i(1), t("a"), t("first"), i(10), i(5), Value::Null],
            vec![i(2), t("b"), t("second"), i(20), i(5), Value::Null],
            vec![i(4), t("d"), t("fourth"), i(40), i(5), Value::Null],
        ]
    );
}

#[test]
fn a_strict_table_is_rebuilt_as_a_plain_table() {
    let store = TempStore::named("legacy.sqlite");
    legacy_store(store.path());
    let plan = plans::two::<v1::Schema, v2_rebuild::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    let all = ctx.fetch_all::<v2_rebuild::Item>().unwrap();
    let counts: Vec<(i64, Option<i64>)> = all.iter().map(|r| (r.id().raw(), r.count)).collect();
    assert_eq!(counts, [(1, Some(10)), (2, Some(20)), (4, Some(40))]);
    drop(ctx);
    drop(container);
    assert!(!sql::is_strict(&store.conn(), "Item"));
}

#[test]
fn a_strict_table_is_transformed_into_a_plain_table() {
    let store = TempStore::named("legacy.sqlite");
    legacy_store(store.path());
    let plan = plans::two_with_stage::<v1::Schema, v2_transform::Schema>(
        MigrationStage::custom::<v1::Schema, v2_transform::Schema>().transform(|old: v1::Item| {
            Ok(v2_transform::Item {
                uid: old.uid,
                title: old.title,
                twice: old.count * 2,
            })
        }),
    );
    drop(ModelContainer::open(store.path(), plan).unwrap());
    assert!(!sql::is_strict(&store.conn(), "Item"));
    assert_eq!(
        sql::rows(&store.conn(), "Item"),
        [
            vec![i(1), t("a"), t("first"), i(20)],
            vec![i(2), t("b"), t("second"), i(40)],
            vec![i(4), t("d"), t("fourth"), i(80)],
        ]
    );
}

#[test]
fn new_stores_have_plain_entity_tables() {
    let store = TempStore::named("new.sqlite");
    let plan = plans::single::<v1::Schema>();
    drop(ModelContainer::open(store.path(), plan).unwrap());
    assert!(!sql::is_strict(&store.conn(), "Item"));
}
