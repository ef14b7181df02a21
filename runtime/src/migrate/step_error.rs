//! A failed statement of a step, as the error the runner returns: the
//! step, the entity and attribute, and the records the constraint refuses
//! (found by a [`probe`](super::probe)).

use std::path::Path;

use rusqlite::Connection;

use super::probe;
use crate::error::{ConstraintKind, Error, MigrationError};
use crate::inference::{Purpose, Statement};
use crate::schema::Version;
use crate::sql;

/// The column (and the expression copied into it) whose NOT NULL constraint
/// failed while rows were copied into the rebuilt table `table`.
fn null_column(
    error: &rusqlite::Error,
    table: &str,
    columns: &[(String, String)],
) -> (String, String) {
    // SQLite names the rebuilt table's column: "NOT NULL constraint failed: _staged_new_0.title".
    let message = error.to_string();
    let failed = sql::failed_columns(&message, sql::Failed::NotNull)
        .and_then(|columns| columns.strip_prefix(table)?.strip_prefix('.'));
    columns
        .iter()
        .find(|(name, _)| Some(name.as_str()) == failed)
        .or_else(|| columns.first())
        .cloned()
        .unwrap_or_default()
}

/// Turns a failed statement into an error naming the step, entity and
/// attribute, and one record the constraint refuses (found by a [`probe`]).
pub(super) fn step_error(
    conn: &Connection,
    path: &Path,
    from: Version,
    to: Version,
    statement: &Statement,
    error: rusqlite::Error,
) -> Error {
    let violation = |entity: &str, attribute: String, kind, row, value, records| {
        Error::from(MigrationError::ConstraintViolation {
            path: path.to_owned(),
            from,
            to,
            entity: entity.to_owned(),
            attribute,
            kind,
            row,
            value,
            records,
        })
    };
    let code = error.sqlite_error().map(|e| e.extended_code);
    match (&statement.purpose, code) {
        (
            Purpose::CreateUnique { entity, attribute },
            Some(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE),
        ) => {
            let duplicate = probe::duplicate(conn, entity, attribute);
            violation(
                entity,
                attribute.clone(),
                ConstraintKind::Unique,
                duplicate.as_ref().map(|d| d.row),
                duplicate.map(|d| d.value),
                Vec::new(),
            )
        }
        (
            Purpose::RemovedValues {
                entity, attribute, ..
            },
            Some(rusqlite::ffi::SQLITE_CONSTRAINT_CHECK),
        ) => {
            let found = probe::removed_value(conn, &statement.sql);
            violation(
                entity,
                attribute.clone(),
                ConstraintKind::RemovedVariant,
                found.as_ref().and_then(|f| f.rows.first().copied()),
                found.as_ref().map(|f| f.value.clone()),
                found.map(|f| f.rows).unwrap_or_default(),
            )
        }
        (
            Purpose::CreateUniqueTogether { entity, attributes },
            Some(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE),
        ) => {
            let duplicate = probe::duplicate_together(conn, entity, attributes);
            violation(
                entity,
                attributes.join(", "),
                ConstraintKind::UniqueTogether,
                duplicate.as_ref().and_then(|d| d.rows.first().copied()),
                duplicate.as_ref().map(|d| d.values.clone()),
                duplicate.map(|d| d.rows).unwrap_or_default(),
            )
        }
        (
            Purpose::CopyRows {
                entity,
                source,
                table,
                columns,
            },
            Some(rusqlite::ffi::SQLITE_CONSTRAINT_NOTNULL),
        ) => {
            let (attribute, expression) = null_column(&error, table, columns);
            let nulls = probe::nulls(conn, source, &expression);
            violation(
                entity,
                attribute,
                ConstraintKind::NotNull,
                nulls.map(|n| n.row),
                None,
                Vec::new(),
            )
        }
        _ => MigrationError::StepFailed {
            path: path.to_owned(),
            from,
            to,
            source: Box::new(Error::Sqlite(error)),
        }
        .into(),
    }
}
