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
//! found, and the migration neither reads nor writes their pages. What a
//! path touches is the runner's to say (`migrate::touched`); this module
//! checks the file.

mod freelist;

use std::collections::BTreeSet;
use std::path::Path;

use rusqlite::Connection;

use self::freelist::FreeList;
use super::connection::is_damage;
use crate::error::{Result, StoreError};
use crate::sql::{self, HISTORY_TABLE, METADATA_TABLE, SCHEMA_TABLE};

/// The tables every migration writes: staged's metadata (the version
/// stamp) and history (a row per step), and the schema (every step's DDL),
/// last: SQLite's check of the schema table also walks the free-page list
/// again, through its own page cache.
const WRITTEN_BY_EVERY_MIGRATION: [&str; 3] = [METADATA_TABLE, HISTORY_TABLE, SCHEMA_TABLE];

/// The part of a store a migration path reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Touched {
    /// Any table: a step runs user hooks (`will_migrate`, `migrate`,
    /// `did_migrate`), which may read and write anything, or a statement
    /// the runner cannot follow.
    Everything,
    /// These tables of the store, by their names before the migration
    /// (`sqlite_sequence` when a step writes it); the tables every
    /// migration writes are not listed.
    Tables(BTreeSet<String>),
}

/// Checks the store at `path`, open on `conn`, before a migration that
/// touches `touched`; a damaged store is [`StoreError::Corrupt`] and nothing
/// was written.
pub(crate) fn check_before_migrating(
    conn: &Connection,
    path: &Path,
    touched: &Touched,
) -> Result<()> {
    // The file the connection reads (a dry run's copy, not the store it
    // names in errors); none for a database in memory.
    let file = conn.path().filter(|file| !file.is_empty()).map(Path::new);
    match (touched, file) {
        (Touched::Tables(tables), Some(file)) => check(conn, path, file, tables),
        _ => super::quick_check(conn, path),
    }
}

/// The free-page list of `file`, and `PRAGMA quick_check` of `tables` and
/// of the tables every migration writes.
fn check(conn: &Connection, path: &Path, file: &Path, tables: &BTreeSet<String>) -> Result<()> {
    // One read transaction: the first check takes SQLite's shared lock (after
    // rolling back a hot journal), so no writer changes the file while its
    // free-page list is read from it.
    let tx = conn.unchecked_transaction()?;
    if let Some(detail) = damage(&tx, path, file, tables)? {
        // Refused either way; SQLite's own report of the whole file, when it
        // sees the damage too, says more than the first fault found here.
        super::quick_check(&tx, path)?;
        return Err(StoreError::Corrupt {
            path: path.to_owned(),
            detail,
        }
        .into());
    }
    tx.commit()?;
    Ok(())
}

/// The first damage found, described: in the free-page list of `file`, or
/// by `PRAGMA quick_check` of the tables every migration writes and of
/// `tables`; `None` for none.
fn damage(
    tx: &Connection,
    path: &Path,
    file: &Path,
    tables: &BTreeSet<String>,
) -> Result<Option<String>> {
    let mut tables = WRITTEN_BY_EVERY_MIGRATION
        .into_iter()
        .chain(tables.iter().map(String::as_str));
    let mut checked = BTreeSet::new();
    // The first check takes the shared lock before the file is read.
    if let Some(first) = tables.next() {
        checked.insert(first);
        if let Some(detail) = check_table(tx, first)? {
            return Ok(Some(detail));
        }
    }
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let list = match freelist::read(file).map_err(io)? {
        FreeList::Pages(free) => not_in_use(tx, &free)?,
        FreeList::InWal | FreeList::Opaque => {
            super::quick_check(tx, path)?;
            return Ok(None);
        }
        FreeList::Damaged(detail) => Some(detail),
    };
    if list.is_some() {
        return Ok(list);
    }
    for table in tables {
        if checked.insert(table)
            && let Some(detail) = check_table(tx, table)?
        {
            return Ok(Some(detail));
        }
    }
    Ok(None)
}

/// `PRAGMA quick_check(table)`: the pages of the table and its indexes are
/// well formed, and its rows are; what SQLite reports otherwise. A table the
/// store does not have passes.
fn check_table(conn: &Connection, table: &str) -> Result<Option<String>> {
    let lines = conn
        .prepare(&sql::quick_check_table(table))
        .and_then(|mut statement| {
            statement
                .query_map([], |row| row.get::<_, String>(0))?
                .take(3)
                .collect::<rusqlite::Result<Vec<_>>>()
        });
    match lines {
        Ok(lines) if lines.len() == 1 && lines[0] == "ok" => Ok(None),
        Ok(lines) => Ok(Some(lines.join("; "))),
        Err(error) if is_damage(&error) => Ok(Some(error.to_string())),
        Err(rusqlite::Error::SqliteFailure(_, Some(message)))
            if message.starts_with("no such table") =>
        {
            Ok(None)
        }
        Err(error) => Err(error.into()),
    }
}

/// The first free page that is the root page of a table or index (the list
/// naming a page in use, which a write taking that "free" page would
/// overwrite), described; `None` when there is none.
fn not_in_use(conn: &Connection, free: &[u32]) -> Result<Option<String>> {
    if free.is_empty() {
        return Ok(None);
    }
    let mut statement = conn.prepare(sql::SELECT_ROOT_PAGES)?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let root: i64 = row.get(1)?;
        if u32::try_from(root).is_ok_and(|root| free.binary_search(&root).is_ok()) {
            let name: String = row.get(0)?;
            return Ok(Some(format!(
                "free-page list: page {root} is the root page of `{name}`, in use"
            )));
        }
    }
    Ok(None)
}
