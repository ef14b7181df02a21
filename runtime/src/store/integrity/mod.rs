//! The check of an old store before it is migrated
//! ([`check_before_migrating`](crate::ModelContainerBuilder::check_before_migrating)),
//! in time proportional to what the migration touches rather than to the
//! store's size:
//!
//! - the free-page list, read from the file: the pages a migration's writes
//!   take first, whatever tables it reads;
//! - `PRAGMA quick_check(table)` for the tables every migration writes
//!   (`sqlite_schema`, staged's metadata and history);
//! - the b-trees, read from the file ([`tree`]), of `sqlite_sequence` when a
//!   step rebuilds or transforms a table, and of every table of the store
//!   whose pages the path walks: rows copied by a rebuild or read by a
//!   transform, rewritten by `DROP COLUMN`, read into a new index, or pages
//!   freed by `DROP TABLE`/`DROP INDEX`; with its indexes unless the path
//!   only reads or rewrites its rows in place ([`Reach`]);
//! - the whole file (`PRAGMA quick_check`) when a step runs user hooks,
//!   which may read and write any table, and when the store is in WAL mode
//!   with frames in its `-wal` file, which the file alone does not show.
//!
//! Tables the path leaves alone are not read: damage inside them is not
//! found, and the migration neither reads nor writes their pages. What a
//! path touches is the runner's to say (`migrate::touched`); this module
//! checks the file.

mod freelist;
mod tree;

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::Connection;

use self::freelist::NotRead;
use self::tree::Walk;
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
    /// (`sqlite_sequence` when a step writes it), each with how much of it
    /// is read; the tables every migration writes are not listed.
    Tables(BTreeMap<String, Reach>),
}

/// How much of a table a migration path reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Reach {
    /// Its rows, in the table's own tree: read (a copy, a new index), or
    /// rewritten in place with the same ids and indexed values (`DROP
    /// COLUMN`); its indexes are neither read nor written.
    Rows,
    /// The table and its indexes: rows deleted or changed, or pages freed.
    All,
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
fn check(
    conn: &Connection,
    path: &Path,
    file: &Path,
    tables: &BTreeMap<String, Reach>,
) -> Result<()> {
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

/// The first damage found, described: by `PRAGMA quick_check` of the tables
/// every migration writes, in the free-page list of `file`, or in the trees
/// of `tables` and their indexes; `None` for none.
fn damage(
    tx: &Connection,
    path: &Path,
    file: &Path,
    tables: &BTreeMap<String, Reach>,
) -> Result<Option<String>> {
    let [first, written @ ..] = WRITTEN_BY_EVERY_MIGRATION;
    // The first check takes the shared lock before the file is read.
    if let Some(detail) = check_table(tx, first)? {
        return Ok(Some(detail));
    }
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let (mut handle, geometry) = match freelist::open(file).map_err(io)? {
        Ok(opened) => opened,
        Err(NotRead::Damaged(detail)) => return Ok(Some(detail)),
        Err(NotRead::InWal | NotRead::Opaque) => {
            super::quick_check(tx, path)?;
            return Ok(None);
        }
    };
    let free = match freelist::read(&mut handle, &geometry).map_err(io)? {
        Ok(free) => free,
        Err(detail) => return Ok(Some(detail)),
    };
    if let Some(detail) = not_in_use(tx, &free)? {
        return Ok(Some(detail));
    }
    for table in written {
        if let Some(detail) = check_table(tx, table)? {
            return Ok(Some(detail));
        }
    }
    let mut walk = Walk::new(&mut handle, &geometry, &free);
    for (table, &reach) in tables {
        for (name, root) in roots(tx, table, reach)? {
            let Ok(root) = u32::try_from(root) else {
                return Ok(Some(format!("`{name}` has root page {root}")));
            };
            if let Some(detail) = walk.tree(&name, root).map_err(io)? {
                return Ok(Some(detail));
            }
        }
    }
    Ok(None)
}

/// The b-trees of `table` (and of its indexes, for [`Reach::All`]): each
/// one's name and root page.
fn roots(conn: &Connection, table: &str, reach: Reach) -> Result<Vec<(String, i64)>> {
    let mut statement = conn.prepare_cached(sql::SELECT_ROOT_PAGES_OF_TABLE)?;
    let roots = statement
        .query_map((table, reach == Reach::All), |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(roots)
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
