//! Hand-written rusqlite migrations: what an app would write without staged.
//!
//! Each one opens the file, reads its version (`PRAGMA user_version`), runs
//! the change in one `BEGIN IMMEDIATE` transaction, bumps the version and
//! commits: the same durable outcome as staged's migration of the same store.

use std::path::Path;

use staged::rusqlite::{self, Connection, params};

use crate::schemas::events;

/// Runs `body` in one immediate transaction that also bumps `user_version`.
fn migrate(
    path: &Path,
    body: impl FnOnce(&Connection) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let conn = Connection::open(path)?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = body(&conn).and_then(|()| {
        conn.execute_batch(&format!("PRAGMA user_version = {}", version + 1))?;
        conn.execute_batch("COMMIT")
    });
    if result.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    result
}

/// `items::v1` -> `items::v2` in place: `DROP COLUMN` (SQLite rewrites each
/// row once, indexes stay), `RENAME COLUMN`, `ADD COLUMN … DEFAULT`. Dropping
/// first is the faster order: after `ADD COLUMN`, the rewrite of `DROP
/// COLUMN` would write the new default into every row.
pub fn lightweight_alter(path: &Path) -> rusqlite::Result<()> {
    migrate(path, |conn| {
        conn.execute_batch(
            r#"ALTER TABLE "Item" DROP COLUMN "legacy";
               ALTER TABLE "Item" RENAME COLUMN "title" TO "name";
               ALTER TABLE "Item" ADD COLUMN "score" INTEGER NOT NULL DEFAULT 0;"#,
        )
    })
}

/// `items::v1` -> `items::v2` by a table rebuild: `CREATE`, `INSERT … SELECT`,
/// `DROP`, `RENAME`, then the unique index again.
pub fn lightweight_rebuild(path: &Path) -> rusqlite::Result<()> {
    migrate(path, |conn| {
        conn.execute_batch(
            r#"CREATE TABLE "Item_new" ("_id" INTEGER PRIMARY KEY, "uid" TEXT NOT NULL,
                   "name" TEXT NOT NULL, "notes" TEXT, "priority" INTEGER NOT NULL,
                   "score" INTEGER NOT NULL DEFAULT 0);
               INSERT INTO "Item_new" ("_id", "uid", "name", "notes", "priority", "score")
                   SELECT "_id", "uid", "title", "notes", "priority", 0 FROM "Item";
               DROP TABLE "Item";
               ALTER TABLE "Item_new" RENAME TO "Item";
               CREATE UNIQUE INDEX "_staged_unique_4_Item_uid" ON "Item" ("uid");"#,
        )
    })
}

/// `items::v1` -> `items::v2_add`: one `ALTER TABLE … ADD COLUMN`.
pub fn add_column(path: &Path) -> rusqlite::Result<()> {
    migrate(path, |conn| {
        conn.execute_batch(r#"ALTER TABLE "Item" ADD COLUMN "due" INTEGER"#)
    })
}

/// The four steps `skip::v1` -> `v5` one by one, each in its own
/// transaction (as four app releases would run them), each the cheapest SQL
/// for its change.
pub fn skip_step_by_step(path: &Path) -> rusqlite::Result<()> {
    // 2.0.0: rename title, add priority, drop c.
    migrate(path, |conn| {
        conn.execute_batch(
            r#"ALTER TABLE "Doc" DROP COLUMN "c";
               ALTER TABLE "Doc" RENAME COLUMN "title" TO "name";
               ALTER TABLE "Doc" ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 0;"#,
        )
    })?;
    // 3.0.0: rename name, drop b.
    migrate(path, |conn| {
        conn.execute_batch(
            r#"ALTER TABLE "Doc" DROP COLUMN "b";
               ALTER TABLE "Doc" RENAME COLUMN "name" TO "label";"#,
        )
    })?;
    // 4.0.0: body -> text, required with default '' (NOT NULL needs a rebuild).
    migrate(path, |conn| {
        conn.execute_batch(
            r#"CREATE TABLE "Doc_new" ("_id" INTEGER PRIMARY KEY, "uid" TEXT NOT NULL,
                   "label" TEXT NOT NULL, "text" TEXT NOT NULL DEFAULT '', "a" INTEGER NOT NULL,
                   "priority" INTEGER NOT NULL);
               INSERT INTO "Doc_new" ("_id", "uid", "label", "text", "a", "priority")
                   SELECT "_id", "uid", "label", coalesce("body", ''), "a", "priority" FROM "Doc";
               DROP TABLE "Doc";
               ALTER TABLE "Doc_new" RENAME TO "Doc";
               CREATE UNIQUE INDEX "_staged_unique_3_Doc_uid" ON "Doc" ("uid");"#,
        )
    })?;
    // 5.0.0: rename label, drop a, add pinned.
    migrate(path, |conn| {
        conn.execute_batch(
            r#"ALTER TABLE "Doc" DROP COLUMN "a";
               ALTER TABLE "Doc" RENAME COLUMN "label" TO "heading";
               ALTER TABLE "Doc" ADD COLUMN "pinned" INTEGER NOT NULL DEFAULT 0;"#,
        )
    })
}

/// `events::v1` -> `events::v2` by a hand-written loop: prepared `SELECT`
/// and `INSERT`, each row read into Rust values, transformed with
/// [`events::split_minute`] and written with its id, in one transaction.
pub fn transform_loop(path: &Path) -> rusqlite::Result<()> {
    migrate(path, |conn| {
        conn.execute_batch(
            r#"ALTER TABLE "Event" RENAME TO "Event_old";
               CREATE TABLE "Event" ("_id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL,
                   "hour" INTEGER NOT NULL, "minute_of_hour" INTEGER NOT NULL,
                   "payload" TEXT NOT NULL);"#,
        )?;
        {
            let mut select =
                conn.prepare(r#"SELECT "_id", "name", "minute", "payload" FROM "Event_old""#)?;
            let mut insert = conn.prepare(
                r#"INSERT INTO "Event" ("_id", "name", "hour", "minute_of_hour", "payload")
                   VALUES (?1, ?2, ?3, ?4, ?5)"#,
            )?;
            let mut rows = select.query([])?;
            while let Some(row) = rows.next()? {
                let id: i64 = row.get(0)?;
                let old = events::v1::Event {
                    name: row.get(1)?,
                    minute: row.get(2)?,
                    payload: row.get(3)?,
                };
                let new = events::split_minute(old);
                insert.execute(params![
                    id,
                    new.name,
                    new.hour,
                    new.minute_of_hour,
                    new.payload
                ])?;
            }
        }
        conn.execute_batch(r#"DROP TABLE "Event_old""#)
    })
}

/// What an app does at launch without staged: open the file and read one row.
pub fn open_and_query(path: &Path) -> rusqlite::Result<(Connection, String)> {
    let conn = Connection::open(path)?;
    let version: String = conn.query_row(
        r#"SELECT "version" FROM "_staged_metadata" WHERE "id" = 1"#,
        [],
        |r| r.get(0),
    )?;
    Ok((conn, version))
}
