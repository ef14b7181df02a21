//! The check of an old store before it is migrated
//! ([`check_before_migrating`](crate::ModelContainerBuilder::check_before_migrating)),
//! in time proportional to what the migration touches rather than to the
//! store's size:
//!
//! - the free-page list, read from the file: the pages a migration's writes
//!   take first, whatever tables it reads;
//! - `PRAGMA quick_check(table)` for the tables every migration writes
//!   (`sqlite_schema`, staged's metadata and history), for
//!   `sqlite_sequence` when a step rebuilds or transforms a table, and for
//!   every table of the store whose pages the path walks: rows copied by a
//!   rebuild or read by a transform, rewritten by `DROP COLUMN`, read into a
//!   new index, or pages freed by `DROP TABLE`/`DROP INDEX` (the check
//!   covers the table and its indexes);
//! - the whole file (`PRAGMA quick_check`) when a step runs user hooks,
//!   which may read and write any table, and when the store is in WAL mode
//!   with frames in its `-wal` file, which the file alone does not show.
//!
//! Tables the path leaves alone are not read: damage inside them is not
//! found, and the migration neither reads nor writes their pages.

mod freelist;
mod touched;

use std::collections::BTreeSet;
use std::path::Path;

use rusqlite::Connection;

use self::freelist::FreeList;
pub(crate) use self::touched::{Touched, touched};
use super::sql::quote_ident;
use super::{HISTORY_TABLE, METADATA_TABLE};
use crate::error::{Error, Result, StoreError};
use crate::plan::SchemaMigrationPlan;
use crate::schema::{Version, VersionedSchema};

/// The tables every migration writes: staged's metadata (the version
/// stamp) and history (a row per step), and the schema (every step's DDL),
/// last: SQLite's check of the schema table also walks the free-page list
/// again, through its own page cache.
const WRITTEN_BY_EVERY_MIGRATION: [&str; 3] = [METADATA_TABLE, HISTORY_TABLE, "sqlite_schema"];

/// Checks the store at `path` before the migration from `from` to `plan`'s
/// latest version; a damaged store is [`StoreError::Corrupt`] and nothing
/// was written.
pub(crate) fn check_before_migrating<S: VersionedSchema>(
    conn: &Connection,
    path: &Path,
    plan: &SchemaMigrationPlan<S>,
    from: Version,
) -> Result<()> {
    match touched(plan, from) {
        Touched::Everything => super::quick_check(conn, path),
        Touched::Tables(tables) => check(conn, path, &tables),
    }
}

/// The free-page list, and `PRAGMA quick_check` of `tables` and of the
/// tables every migration writes.
pub(crate) fn check(conn: &Connection, path: &Path, tables: &BTreeSet<String>) -> Result<()> {
    // One read transaction: the first check takes SQLite's shared lock (after
    // rolling back a hot journal), so no writer changes the file while its
    // free-page list is read from it.
    let tx = conn.unchecked_transaction()?;
    let mut tables = WRITTEN_BY_EVERY_MIGRATION
        .into_iter()
        .chain(tables.iter().map(String::as_str));
    let mut checked = BTreeSet::new();
    if let Some(first) = tables.next() {
        checked.insert(first);
        check_table(&tx, path, first)?;
    }
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    match freelist::read(path).map_err(io)? {
        FreeList::Pages(free) => not_in_use(&tx, path, &free)?,
        FreeList::InWal => return super::quick_check(&tx, path),
        FreeList::Damaged(detail) => return Err(corrupt(path, detail)),
    }
    for table in tables {
        if checked.insert(table) {
            check_table(&tx, path, table)?;
        }
    }
    tx.commit()?;
    Ok(())
}

fn corrupt(path: &Path, detail: String) -> Error {
    StoreError::Corrupt {
        path: path.to_owned(),
        detail,
    }
    .into()
}

/// `PRAGMA quick_check(table)`: the pages of the table and its indexes are
/// well formed, and its rows are; a table the store does not have passes.
fn check_table(conn: &Connection, path: &Path, table: &str) -> Result<()> {
    // `main.`: the temporary database's schema is not loaded for nothing.
    let sql = format!("PRAGMA main.quick_check({})", quote_ident(table));
    let lines = conn.prepare(&sql).and_then(|mut statement| {
        statement
            .query_map([], |row| row.get::<_, String>(0))?
            .take(3)
            .collect::<rusqlite::Result<Vec<_>>>()
    });
    let lines = match lines {
        Ok(lines) => lines,
        Err(error) if super::is_damage(&error) => return Err(corrupt(path, error.to_string())),
        Err(rusqlite::Error::SqliteFailure(_, Some(message)))
            if message.starts_with("no such table") =>
        {
            return Ok(());
        }
        Err(error) => return Err(error.into()),
    };
    if lines.len() == 1 && lines[0] == "ok" {
        Ok(())
    } else {
        Err(corrupt(path, lines.join("; ")))
    }
}

/// No free page is the root page of a table or index (the list naming a page
/// in use, which a write taking that "free" page would overwrite).
fn not_in_use(conn: &Connection, path: &Path, free: &[u32]) -> Result<()> {
    if free.is_empty() {
        return Ok(());
    }
    let mut statement =
        conn.prepare("SELECT name, rootpage FROM sqlite_schema WHERE rootpage > 0")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let root: i64 = row.get(1)?;
        if u32::try_from(root).is_ok_and(|root| free.binary_search(&root).is_ok()) {
            let name: String = row.get(0)?;
            return Err(corrupt(
                path,
                format!("free-page list: page {root} is the root page of `{name}`, in use"),
            ));
        }
    }
    Ok(())
}
