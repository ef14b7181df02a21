//! Adopting a SQLite database staged did not create: comparing its tables
//! with a schema ([`examine`]: every mismatch, or what to rebuild), and
//! rebuilding them as staged's own inside the caller's transaction
//! ([`adopt_in`]).
//!
//! Each adopted table is rebuilt once: created under a temporary name with
//! staged's definition (`_id INTEGER PRIMARY KEY AUTOINCREMENT`, the
//! schema's columns, foreign keys and indexes), filled with `INSERT …
//! SELECT` keeping every id (the table's `INTEGER PRIMARY KEY`, or its
//! rowid), then renamed over the old table. The id high-water mark starts
//! at the larger of the old table's largest id and its `sqlite_sequence`
//! row, so new records continue after the adopted ones and no id is given
//! twice. A `WITHOUT ROWID` table has no ids to keep: its rows get new ids
//! in the order of its primary key.

mod examine;

use std::path::Path;

use rusqlite::{Connection, OpenFlags, params};

use super::{FileState, connection};
use crate::error::{AdoptionMismatch, Error, MigrationError, Result, StoreError};
use crate::schema::{ID_COLUMN, SchemaDescriptor};
use crate::sql::{self, JOIN_SOURCE, JOIN_TARGET};

use examine::{Ids, examine};

/// Adopts the database behind `conn` as a store at `descriptor`'s version,
/// inside the caller's transaction (in migration mode: foreign keys off,
/// legacy renames): checks it, rebuilds every table as staged's, stamps
/// the metadata and a history row, and checks the result. On a mismatch
/// nothing is written and the error lists every one.
pub(crate) fn adopt_in(
    conn: &Connection,
    path: &Path,
    descriptor: &SchemaDescriptor,
) -> Result<()> {
    let examined = examine(conn, descriptor)?;
    if !examined.mismatches.is_empty() {
        return Err(StoreError::AdoptionMismatch {
            path: path.to_owned(),
            version: descriptor.version(),
            mismatches: examined.mismatches,
        }
        .into());
    }
    let started_at = super::now_millis();
    let mut rows = 0;
    for (index, (entity, rebuild)) in descriptor
        .entities()
        .iter()
        .zip(&examined.entities)
        .enumerate()
    {
        let temporary = sql::adopt_table_name(index);
        conn.execute(&sql::create_table(&temporary, entity), [])?;
        let mut columns: Vec<(&str, &str)> = Vec::with_capacity(entity.attributes().len() + 1);
        if let Some(id) = rebuild.ids.column() {
            conn.execute(&sql::seed_sequence_from(&temporary, &rebuild.table, id), [])?;
            columns.push((ID_COLUMN, id));
        }
        columns.extend(entity.attributes().iter().map(|a| (a.name(), a.name())));
        let order: Vec<&str> = match rebuild.ids {
            Ids::Fresh => rebuild.key.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        };
        rows += conn.execute(
            &sql::copy_columns(&temporary, &rebuild.table, &columns, &order),
            [],
        )?;
        conn.execute(&sql::drop_table(&rebuild.table), [])?;
        conn.execute(&sql::rename_table(&temporary, entity.name()), [])?;
        for statement in sql::create_indexes(entity) {
            conn.execute(&statement, [])?;
        }
    }
    for (index, (join, rebuild)) in descriptor
        .join_tables()
        .iter()
        .zip(&examined.joins)
        .enumerate()
    {
        let temporary = sql::adopt_table_name(descriptor.entities().len() + index);
        conn.execute(&sql::create_join_table(&temporary, join), [])?;
        let columns = [(JOIN_SOURCE, JOIN_SOURCE), (JOIN_TARGET, JOIN_TARGET)];
        rows += conn.execute(
            &sql::copy_columns(&temporary, &rebuild.table, &columns, &[]),
            [],
        )?;
        conn.execute(&sql::drop_table(&rebuild.table), [])?;
        conn.execute(&sql::rename_table(&temporary, &join.name), [])?;
        conn.execute(&sql::create_join_index(join), [])?;
    }
    super::create_metadata_tables(conn)?;
    // The adopted tables may differ from the schema in what adoption
    // tolerates: no cookie, so the next migration compares every table.
    super::write_metadata_row(conn, descriptor, None)?;
    let version = descriptor.version().to_string();
    conn.execute(
        &sql::insert_history(),
        params![
            version,
            version,
            "adopted",
            started_at,
            super::now_millis() - started_at,
            rows as i64
        ],
    )?;
    let differences = super::verify::drift(conn, descriptor)?;
    if !differences.is_empty() {
        return Err(MigrationError::SchemaDrift {
            path: path.to_owned(),
            version: descriptor.version(),
            differences,
        }
        .into());
    }
    if super::verify::declares_foreign_keys(descriptor) {
        let references = super::verify::dangling_references(conn, 6)?;
        if !references.is_empty() {
            return Err(MigrationError::DanglingReferences {
                path: path.to_owned(),
                version: descriptor.version(),
                more: references.len() > 5,
                references: references.into_iter().take(5).collect(),
            }
            .into());
        }
    }
    Ok(())
}

/// The mismatches between the SQLite database at `path` and `descriptor`,
/// read through a read-only connection: what adopting the database as a
/// store of that schema would report. Empty when the database can be
/// adopted. The file is not changed.
///
/// Fails with a [`StoreError`] naming the file when it does not exist, is
/// empty or is not a SQLite database, or when it is already a staged store.
pub fn adoption_mismatches(
    path: &Path,
    descriptor: &SchemaDescriptor,
) -> Result<Vec<AdoptionMismatch>> {
    match connection::sniff(path)? {
        FileState::New => {
            return Err(StoreError::io(
                path,
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no database here (the file does not exist or is empty)",
                ),
            )
            .into());
        }
        FileState::Staged => {
            return Err(StoreError::AlreadyAStore {
                path: path.to_owned(),
            }
            .into());
        }
        FileState::Encrypted => {
            return Err(StoreError::Encrypted {
                path: path.to_owned(),
            }
            .into());
        }
        FileState::Foreign { .. } => {}
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })?;
    examine(&conn, descriptor)
        .map(|examined| examined.mismatches)
        .map_err(|error| connection::classify(Error::from(error), path, connection::BUSY_TIMEOUT))
}
