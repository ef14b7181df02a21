//! Inserts into an `Item` table with and without `AUTOINCREMENT` ids: the
//! same rows through `ModelContext::insert` and through a hand-written
//! rusqlite loop, into a table created by staged (`"_id" INTEGER PRIMARY KEY
//! AUTOINCREMENT`) and into the same table as earlier versions created it.

use std::path::{Path, PathBuf};

use staged::prelude::*;
use staged::rusqlite::{Connection, params};
use tempfile::TempDir;

use crate::schemas::items::v1;

/// Which `CREATE TABLE` the `Item` table has.
#[derive(Debug, Clone, Copy)]
pub enum Ids {
    /// As staged creates it now.
    Autoincrement,
    /// As earlier versions created it.
    Plain,
}

impl Ids {
    /// The name benchmarks print.
    pub fn name(self) -> &'static str {
        match self {
            Ids::Autoincrement => "autoincrement",
            Ids::Plain => "plain",
        }
    }
}

/// The plan of the `Item` store.
pub fn plan() -> SchemaMigrationPlan<v1::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .expect("plan")
}

/// A new empty `Item` store in its own directory; with [`Ids::Plain`], its
/// table is recreated from staged's own statement without `AUTOINCREMENT`.
pub fn empty_store(ids: Ids) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("items.sqlite");
    drop(ModelContainer::open(&path, plan()).expect("create the store"));
    if let Ids::Plain = ids {
        let conn = Connection::open(&path).expect("open");
        let table: String = conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'Item'",
                [],
                |row| row.get(0),
            )
            .expect("the table's statement");
        let index: String = conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'Item'",
                [],
                |row| row.get(0),
            )
            .expect("the unique index's statement");
        assert!(table.contains(" AUTOINCREMENT"), "{table}");
        conn.execute_batch(&format!(
            "DROP TABLE \"Item\"; {}; {index};",
            table.replace(" AUTOINCREMENT", "")
        ))
        .expect("recreate the table");
    }
    (dir, path)
}

/// The `i`-th item inserted.
pub fn item(i: usize) -> v1::Item {
    v1::Item {
        uid: format!("uid-{i:08}"),
        title: format!("item number {i}"),
        notes: (!i.is_multiple_of(4)).then(|| format!("notes of item {i}")),
        priority: (i % 5) as i64,
        legacy: (i * 7) as i64,
    }
}

/// `rows` inserts through `ModelContext::insert` in one transaction.
pub fn staged_inserts(path: &Path, rows: usize) {
    let container = ModelContainer::open(path, plan()).expect("open");
    let mut ctx = container.context();
    ctx.transaction(|ctx| {
        for i in 0..rows {
            ctx.insert(item(i))?;
        }
        Ok(())
    })
    .expect("inserts");
}

/// `rows` inserts through a prepared rusqlite statement in one transaction.
pub fn raw_inserts(path: &Path, rows: usize) {
    let mut conn = Connection::open(path).expect("open");
    let tx = conn.transaction().expect("begin");
    {
        let mut insert = tx
            .prepare(
                r#"INSERT INTO "Item" ("uid", "title", "notes", "priority", "legacy")
                   VALUES (?1, ?2, ?3, ?4, ?5)"#,
            )
            .expect("prepare");
        for i in 0..rows {
            let item = item(i);
            insert
                .execute(params![
                    item.uid,
                    item.title,
                    item.notes,
                    item.priority,
                    item.legacy
                ])
                .expect("insert");
        }
    }
    tx.commit().expect("commit");
}

/// `rows` inserts through `ModelContext::insert`, each its own transaction
/// (and its own `fsync`), as an app inserting one record at a time does.
pub fn staged_autocommit(path: &Path, rows: usize) {
    let container = ModelContainer::open(path, plan()).expect("open");
    let mut ctx = container.context();
    for i in 0..rows {
        ctx.insert(item(i)).expect("insert");
    }
}
