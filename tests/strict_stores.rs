//! Stores whose entity tables are `STRICT` (as staged created them before
//! entity tables became plain tables) keep opening and migrating: in place
//! (`ADD`/`RENAME`/`DROP COLUMN`, which keep the table `STRICT`), by a
//! rebuild, and by a custom transform (both of which create plain tables).

use std::path::Path;

use staged::prelude::*;
use staged::rusqlite::{Connection, types::Value};

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
    #[model]
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
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(
        None,
        "application_id",
        staged_runtime::__internals::sql::APPLICATION_ID as i32,
    )
    .unwrap();
    conn.execute_batch(
        r#"CREATE TABLE "_staged_metadata" (
               id INTEGER PRIMARY KEY CHECK (id = 1), version TEXT NOT NULL,
               checksum TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
           ) STRICT;
           CREATE TABLE "_staged_history" (
               seq INTEGER PRIMARY KEY, from_version TEXT NOT NULL, to_version TEXT NOT NULL,
               kind TEXT NOT NULL, started_at INTEGER NOT NULL, duration_ms INTEGER NOT NULL,
               rows_touched INTEGER NOT NULL
           ) STRICT;
           CREATE TABLE "Item" ("_id" INTEGER PRIMARY KEY, "uid" TEXT NOT NULL,
               "title" TEXT NOT NULL, "count" INTEGER NOT NULL, "legacy" TEXT) STRICT;
           CREATE UNIQUE INDEX "_staged_unique_4_Item_uid" ON "Item" ("uid");
           INSERT INTO "Item" VALUES (1, 'a', 'first', 10, 'x'), (2, 'b', 'second', 20, NULL),
               (4, 'd', 'fourth', 40, 'y');"#,
    )
    .unwrap();
    conn.execute(
        r#"INSERT INTO "_staged_metadata" VALUES (1, '1.0.0', ?1, 0, 0)"#,
        [v1::Schema::checksum().to_string()],
    )
    .unwrap();
}

fn is_strict(path: &Path) -> bool {
    let conn = Connection::open(path).unwrap();
    conn.query_row(
        "SELECT strict FROM pragma_table_list WHERE name = 'Item'",
        [],
        |row| row.get::<_, i64>(0),
    )
    .unwrap()
        != 0
}

fn rows(path: &Path) -> Vec<Vec<Value>> {
    let conn = Connection::open(path).unwrap();
    let mut statement = conn
        .prepare(r#"SELECT * FROM "Item" ORDER BY "_id""#)
        .unwrap();
    let n = statement.column_count();
    statement
        .query_map([], |row| (0..n).map(|i| row.get::<_, Value>(i)).collect())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn t(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn i(n: i64) -> Value {
    Value::Integer(n)
}

#[test]
fn a_strict_store_opens_at_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("legacy.sqlite");
    legacy_store(&path);
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .unwrap();
    let container = ModelContainer::open(&path, plan).unwrap();
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
    assert!(is_strict(&path));
}

#[test]
fn a_strict_table_migrates_in_place_and_stays_strict() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("legacy.sqlite");
    legacy_store(&path);
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2_alter::Schema>()
        .build()
        .unwrap();
    drop(ModelContainer::open(&path, plan).unwrap());
    assert!(is_strict(&path));
    // Columns: _id, uid, name, count, rank, due (`legacy` dropped, then added ones).
    assert_eq!(
        rows(&path),
        [
            vec![i(1), t("a"), t("first"), i(10), i(5), Value::Null],
            vec![i(2), t("b"), t("second"), i(20), i(5), Value::Null],
            vec![i(4), t("d"), t("fourth"), i(40), i(5), Value::Null],
        ]
    );
}

#[test]
fn a_strict_table_is_rebuilt_as_a_plain_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("legacy.sqlite");
    legacy_store(&path);
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2_rebuild::Schema>()
        .build()
        .unwrap();
    let container = ModelContainer::open(&path, plan).unwrap();
    let mut ctx = container.context();
    let all = ctx.fetch_all::<v2_rebuild::Item>().unwrap();
    let counts: Vec<(i64, Option<i64>)> = all.iter().map(|r| (r.id().raw(), r.count)).collect();
    assert_eq!(counts, [(1, Some(10)), (2, Some(20)), (4, Some(40))]);
    drop(ctx);
    drop(container);
    assert!(!is_strict(&path));
}

#[test]
fn a_strict_table_is_transformed_into_a_plain_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("legacy.sqlite");
    legacy_store(&path);
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2_transform::Schema>()
        .stage(
            MigrationStage::custom::<v1::Schema, v2_transform::Schema>().transform(
                |old: v1::Item| {
                    Ok(v2_transform::Item {
                        uid: old.uid,
                        title: old.title,
                        twice: old.count * 2,
                    })
                },
            ),
        )
        .build()
        .unwrap();
    drop(ModelContainer::open(&path, plan).unwrap());
    assert!(!is_strict(&path));
    assert_eq!(
        rows(&path),
        [
            vec![i(1), t("a"), t("first"), i(20)],
            vec![i(2), t("b"), t("second"), i(40)],
            vec![i(4), t("d"), t("fourth"), i(80)],
        ]
    );
}

#[test]
fn new_stores_have_plain_entity_tables() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite");
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .unwrap();
    drop(ModelContainer::open(&path, plan).unwrap());
    assert!(!is_strict(&path));
}
