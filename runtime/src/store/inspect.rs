//! Reading a store's metadata, history and tables without a plan and
//! without writing to it (what `staged inspect` prints).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::{FileState, inspect_file, read_metadata};
use crate::error::{Result, StoreError};
use crate::schema::{Checksum, JOIN_TABLE_PREFIX, Version};
use crate::sql;
use crate::step::StepKind;

/// What a store holds, as [`inspect`] reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreSummary {
    /// The store file.
    pub path: PathBuf,
    /// The schema version the store is at.
    pub version: Version,
    /// The checksum of that schema, as the store recorded it.
    pub checksum: Checksum,
    /// When the store was created, in Unix milliseconds.
    pub created_at: i64,
    /// When the store was last migrated (or created), in Unix milliseconds.
    pub updated_at: i64,
    /// `created_at` in UTC, as `YYYY-MM-DD HH:MM:SS`.
    pub created: String,
    /// `updated_at` in UTC, as `YYYY-MM-DD HH:MM:SS`.
    pub updated: String,
    /// One entry per applied migration step, oldest first.
    pub history: Vec<HistoryEntry>,
    /// The entity tables, sorted by name.
    pub entities: Vec<EntitySummary>,
    /// The join tables of many-to-many relationships, sorted by name.
    pub join_tables: Vec<JoinTableSummary>,
}

/// One applied migration step, from `_staged_history`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// The version before the step.
    pub from: Version,
    /// The version after the step.
    pub to: Version,
    /// How the step ran (stored as `custom` or `inferred`).
    pub kind: StepKind,
    /// When the step started, in Unix milliseconds.
    pub started_at: i64,
    /// `started_at` in UTC, as `YYYY-MM-DD HH:MM:SS`.
    pub started: String,
    /// How long the step took, in milliseconds.
    pub duration_ms: i64,
    /// How many rows the step wrote.
    pub rows_touched: i64,
}

/// An entity table and its number of records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntitySummary {
    /// The entity (table) name.
    pub name: String,
    /// The number of records.
    pub rows: u64,
}

/// The join table of a many-to-many relationship and its number of links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JoinTableSummary {
    /// The table name (see [`join_table_name`](crate::schema::join_table_name)).
    pub name: String,
    /// The entity whose relationship owns the table, read from its name
    /// (`None` for a table staged did not name).
    pub entity: Option<String>,
    /// That entity's relationship.
    pub relationship: Option<String>,
    /// The number of links (related pairs).
    pub links: u64,
}

/// Reads the store at `path` through a read-only connection: its version,
/// checksum, migration history, entity tables with their row counts and
/// join tables with their link counts.
/// The file is not changed.
///
/// Fails with a [`StoreError`] naming the file when it does not exist, is
/// empty, is not a SQLite database, or is not a staged store.
pub fn inspect(path: &Path) -> Result<StoreSummary> {
    let state = inspect_file(path)?;
    if state == FileState::Encrypted {
        return Err(StoreError::Encrypted {
            path: path.to_owned(),
        }
        .into());
    }
    if state == FileState::New {
        return Err(StoreError::io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no store here (the file does not exist or is empty)",
            ),
        )
        .into());
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })?;
    let metadata = read_metadata(&conn, path)?;
    let (created_at, updated_at, created, updated) =
        conn.query_row(&sql::select_times(), [], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?;
    Ok(StoreSummary {
        path: path.to_owned(),
        version: metadata.version,
        checksum: metadata.checksum,
        created_at,
        updated_at,
        created,
        updated,
        history: history(&conn, path)?,
        entities: entities(&conn)?,
        join_tables: join_tables(&conn)?,
    })
}

fn history(conn: &Connection, path: &Path) -> Result<Vec<HistoryEntry>> {
    let mut statement = conn.prepare(&sql::select_history())?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get(3)?,
            row.get(4)?,
            row.get(5)?,
            row.get(6)?,
        ))
    })?;
    let damaged = || StoreError::MissingMetadata {
        path: path.to_owned(),
    };
    let mut out = Vec::new();
    for row in rows {
        let (from, to, kind, started_at, duration_ms, rows_touched, started) = row?;
        out.push(HistoryEntry {
            from: from.parse().map_err(|_| damaged())?,
            to: to.parse().map_err(|_| damaged())?,
            kind: StepKind::from_name(&kind).ok_or_else(damaged)?,
            started_at,
            started,
            duration_ms,
            rows_touched,
        });
    }
    Ok(out)
}

fn entities(conn: &Connection) -> Result<Vec<EntitySummary>> {
    tables(conn, sql::SELECT_ENTITY_TABLES)?
        .into_iter()
        .map(|(name, rows)| Ok(EntitySummary { name, rows }))
        .collect()
}

fn join_tables(conn: &Connection) -> Result<Vec<JoinTableSummary>> {
    tables(conn, sql::SELECT_JOIN_TABLES)?
        .into_iter()
        .map(|(name, links)| {
            let (entity, relationship) = owner_of(&name).unzip();
            Ok(JoinTableSummary {
                name,
                entity,
                relationship,
                links,
            })
        })
        .collect()
}

/// The tables `select` names, in its order, with their row counts.
fn tables(conn: &Connection, select: &str) -> Result<Vec<(String, u64)>> {
    let mut statement = conn.prepare(select)?;
    let names: Vec<String> = statement
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    names
        .into_iter()
        .map(|name| {
            let rows: i64 = conn.query_row(&sql::count(&name, ""), [], |row| row.get(0))?;
            Ok((name, rows.unsigned_abs()))
        })
        .collect()
}

/// The entity and relationship a join table name was made from: the
/// inverse of [`join_table_name`](crate::schema::join_table_name),
/// `_staged_join_<len>_<entity>_<relationship>`.
fn owner_of(table: &str) -> Option<(String, String)> {
    let rest = table.strip_prefix(JOIN_TABLE_PREFIX)?;
    let (len, rest) = rest.split_once('_')?;
    let len: usize = len.parse().ok()?;
    let entity = rest.get(..len)?;
    let relationship = rest.get(len..)?.strip_prefix('_')?;
    (!entity.is_empty() && !relationship.is_empty())
        .then(|| (entity.to_owned(), relationship.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::owner_of;
    use crate::schema::join_table_name;

    #[test]
    fn a_join_table_name_gives_back_its_entity_and_relationship() {
        for (entity, relationship) in [("Book", "tags"), ("My_Book", "tag_list"), ("B", "_x")] {
            assert_eq!(
                owner_of(&join_table_name(entity, relationship)),
                Some((entity.to_owned(), relationship.to_owned()))
            );
        }
        for table in [
            "_staged_join_",
            "_staged_join_x_Book_tags",
            "_staged_join_9_Book_tags",
            "_staged_join_4_Booktags",
            "_staged_join_4_Book_",
        ] {
            assert_eq!(owner_of(table), None, "{table}");
        }
    }
}
