//! The probes that find the rows a step's constraint refuses: the runner
//! names one of them when a statement fails, and a dry run lists them before
//! the statement runs.

use rusqlite::{Connection, OptionalExtension as _};

use crate::sql;

/// Records sharing a value of an attribute that becomes unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Duplicate {
    /// The shared value, as SQL text (e.g. `'same'`).
    pub value: String,
    /// The lowest id of the records with that value.
    pub row: i64,
    /// How many records have it.
    pub records: u64,
}

/// The records of `entity` that a unique index on `attribute` refuses: of
/// the values several records share, the one whose lowest id is lowest.
/// `None` when there are none (or the probe fails).
pub(crate) fn duplicate(conn: &Connection, entity: &str, attribute: &str) -> Option<Duplicate> {
    conn.query_row(&sql::probe_duplicates(entity, attribute), [], |row| {
        Ok(Duplicate {
            value: row.get(0)?,
            row: row.get(1)?,
            records: row.get::<_, i64>(2)?.unsigned_abs(),
        })
    })
    .ok()
}

/// Records sharing the values of the attributes of a compound constraint
/// that becomes unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DuplicateTogether {
    /// The shared values, as SQL text (e.g. `(1, 'same')`).
    pub values: String,
    /// The ids of the records with those values, ascending.
    pub rows: Vec<i64>,
}

/// The records of `entity` that a compound unique index on `attributes`
/// refuses: of the combinations several records share, the one whose lowest
/// id is lowest. `None` when there are none (or the probe fails).
pub(crate) fn duplicate_together(
    conn: &Connection,
    entity: &str,
    attributes: &[String],
) -> Option<DuplicateTogether> {
    let attributes: Vec<&str> = attributes.iter().map(String::as_str).collect();
    conn.query_row(
        &sql::probe_duplicates_together(entity, &attributes),
        [],
        |row| {
            let ids: String = row.get(3)?;
            Ok(DuplicateTogether {
                values: row.get(0)?,
                rows: ids.split(", ").filter_map(|id| id.parse().ok()).collect(),
            })
        },
    )
    .ok()
    .map(|mut d| {
        d.rows.sort_unstable();
        d
    })
}

/// Rows whose copied value is NULL where a required column is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Nulls {
    /// The lowest id of those rows.
    pub row: i64,
    /// How many they are.
    pub records: u64,
}

/// The rows of `source` whose `expression` (the value a rebuild copies into
/// a required column) is NULL. `None` when there are none (or the probe fails).
pub(crate) fn nulls(conn: &Connection, source: &str, expression: &str) -> Option<Nulls> {
    let (row, records): (Option<i64>, i64) = conn
        .query_row(&sql::probe_nulls(source, expression), [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .ok()?;
    Some(Nulls {
        row: row?,
        records: records.unsigned_abs(),
    })
}

/// Records holding a variant their enum attribute no longer has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemovedValue {
    /// The removed variant held by the record with the lowest id, as SQL
    /// text (e.g. `'Draft'`).
    pub value: String,
    /// The ids of the records holding it, ascending.
    pub rows: Vec<i64>,
    /// How many records hold any removed variant.
    pub records: u64,
}

/// What a [`Purpose::RemovedValues`](crate::inference::Purpose) query
/// (`probe`) finds; `None` when no record holds a removed variant (or the
/// probe fails).
pub(crate) fn removed_value(conn: &Connection, probe: &str) -> Option<RemovedValue> {
    conn.query_row(probe, [], |row| {
        let ids: String = row.get(1)?;
        Ok(RemovedValue {
            value: row.get(0)?,
            rows: ids.split(", ").filter_map(|id| id.parse().ok()).collect(),
            records: row.get::<_, i64>(2)?.unsigned_abs(),
        })
    })
    .ok()
    .map(|mut found| {
        found.rows.sort_unstable();
        found
    })
}

/// Runs a [`Purpose::RemovedValues`](crate::inference::Purpose) query
/// (`probe`): a `SQLITE_CONSTRAINT_CHECK` error when a record holds a
/// removed variant (the runner then names them with [`removed_value`]).
pub(crate) fn fail_on_removed_values(conn: &Connection, probe: &str) -> rusqlite::Result<()> {
    let found: Option<String> = conn.query_row(probe, [], |row| row.get(0)).optional()?;
    match found {
        None => Ok(()),
        Some(_) => Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_CHECK),
            Some("records hold a removed enum variant".to_owned()),
        )),
    }
}
