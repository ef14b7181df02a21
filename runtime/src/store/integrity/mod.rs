//! The check of an old store before it is migrated
//! ([`check_before_migrating`](crate::ModelContainerBuilder::check_before_migrating)),
//! in time proportional to what the migration touches rather than to the
//! store's size:
//!
//! - the free-page list, read from the file: the pages a migration's writes
//!   take first, whatever tables it reads;
//! - the b-trees, read from the file ([`tree`]), of the tables every
//!   migration writes (`sqlite_schema`, staged's metadata and history), of
//!   `sqlite_sequence` when a step rebuilds or transforms a table, and of
//!   every table of the store
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
use super::HeldFile;
use super::connection::is_damage;
use crate::error::{Result, StoreError};
use crate::sql::{self, HISTORY_TABLE, METADATA_TABLE};

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

/// Checks the store at `path`, open on `conn` inside the migration's write
/// transaction (SQLite holds its lock and has rolled back any hot journal,
/// so no other connection changes the file while it is read), before the
/// migration's first write, which touches `touched`; a damaged store is
/// [`StoreError::Corrupt`] and nothing was written.
///
/// `held` is the process's descriptor of the file `conn` reads, when the
/// caller holds it already; otherwise the check takes it.
pub(crate) fn check_before_migrating(
    conn: &Connection,
    path: &Path,
    held: Option<&HeldFile>,
    touched: &Touched,
) -> Result<()> {
    // The file the connection reads (a dry run's copy, not the store it
    // names in errors); none for a database in memory.
    let file = conn.path().filter(|file| !file.is_empty()).map(Path::new);
    match (touched, file) {
        (Touched::Tables(tables), Some(file)) => check(conn, path, (file, held), tables),
        _ => super::quick_check(conn, path),
    }
}

/// The free-page list of `file` and the trees of the tables every
/// migration writes and of `tables`, in the caller's write transaction.
fn check(
    conn: &Connection,
    path: &Path,
    file: (&Path, Option<&HeldFile>),
    tables: &BTreeMap<String, Reach>,
) -> Result<()> {
    let Some(detail) = damage(conn, path, file, tables)? else {
        return Ok(());
    };
    // Refused either way; SQLite's own report of the whole file, when it
    // sees the damage too, says more than the first fault found here.
    super::quick_check(conn, path)?;
    Err(StoreError::Corrupt {
        path: path.to_owned(),
        detail,
    }
    .into())
}

/// The first damage found, described: in the free-page list of `file`
/// (read through its held descriptor, or one taken here), or in the trees
/// of the tables every migration writes and of `tables`; `None` for none.
fn damage(
    conn: &Connection,
    path: &Path,
    (file, held): (&Path, Option<&HeldFile>),
    tables: &BTreeMap<String, Reach>,
) -> Result<Option<String>> {
    let io = |source| StoreError::io(path, source);
    let opened;
    let held = match held {
        Some(held) => held,
        None => {
            opened = HeldFile::open(file)
                .and_then(|held| held.ok_or_else(|| std::io::ErrorKind::NotFound.into()))
                .map_err(io)?;
            &opened
        }
    };
    let (geometry, start) = match freelist::header(file, held).map_err(io)? {
        Ok(read) => read,
        Err(NotRead::Damaged(detail)) => return Ok(Some(detail)),
        Err(NotRead::InWal | NotRead::Opaque) => {
            super::quick_check(conn, path)?;
            return Ok(None);
        }
    };
    let free = match freelist::read(held, &geometry).map_err(io)? {
        Ok(free) => free,
        Err(detail) => return Ok(Some(detail)),
    };
    // The schema's tree first: its rows give every other tree's root.
    let mut walk = Walk::new(held, &geometry, &free, start);
    let read = match walk.schema().map_err(io)? {
        Ok(read) => read,
        Err(detail) => return Ok(Some(detail)),
    };
    let roots = match read.map_or_else(|| roots(conn), Ok) {
        Ok(roots) => roots,
        Err(error) if is_damage(&error) => return Ok(Some(error.to_string())),
        Err(error) => return Err(error.into()),
    };
    // A free page that is a table's or an index's root: a write taking
    // that "free" page would overwrite it.
    if let Some(root) = roots.iter().find(|r| free.binary_search(&r.page).is_ok()) {
        return Ok(Some(format!(
            "free-page list: page {} is the root page of `{}`, in use",
            root.page, root.name
        )));
    }
    let written = [METADATA_TABLE, HISTORY_TABLE].map(|table| (table, Reach::All));
    let walked = written
        .into_iter()
        .chain(tables.iter().map(|(table, &reach)| (table.as_str(), reach)));
    let mut trees = Vec::new();
    for (table, reach) in walked {
        let of_table = roots.iter().filter(|root| {
            root.table.eq_ignore_ascii_case(table) && (root.is_table || reach == Reach::All)
        });
        trees.extend(of_table.map(|root| (root.name.as_str(), root.page)));
    }
    for (name, root) in trees {
        if let Some(detail) = walk.tree(name, root).map_err(io)? {
            return Ok(Some(detail));
        }
    }
    Ok(None)
}

/// A b-tree of the store, from `sqlite_schema`.
struct Root {
    /// The table's or index's name.
    name: String,
    /// The table it belongs to (its own name for a table).
    table: String,
    /// A table's tree, not an index's.
    is_table: bool,
    page: u32,
}

/// Every b-tree of the store but the schema's, as SQLite reads the schema
/// (when the walk could not read it from the pages). A root page number
/// that cannot be one (past 2³² − 1) is damage.
fn roots(conn: &Connection) -> rusqlite::Result<Vec<Root>> {
    let mut statement = conn.prepare(sql::SELECT_ROOT_PAGES)?;
    let mut rows = statement.query([])?;
    let mut roots = Vec::new();
    while let Some(row) = rows.next()? {
        let page: i64 = row.get(3)?;
        let Ok(page) = u32::try_from(page) else {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                Some(format!(
                    "`{}` has root page {page}",
                    row.get::<_, String>(0)?
                )),
            ));
        };
        roots.push(Root {
            name: row.get(0)?,
            table: row.get(1)?,
            is_table: row.get::<_, String>(2)? == "table",
            page,
        });
    }
    Ok(roots)
}
