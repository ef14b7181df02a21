//! Every piece of SQL text staged generates, the names it reserves in a
//! store, and the one place identifiers and literals are quoted.
//!
//! - this module: quoting and literals, the names staged reserves (its own
//!   tables, index names, the temporary tables of a migration, its
//!   savepoint), transaction statements, and reading SQLite's constraint
//!   messages back;
//! - [`ddl`]: tables, columns and indexes: created, altered, renamed,
//!   dropped, and id sequences seeded;
//! - [`rows`]: records read and written (contexts, transforms,
//!   relationships, delete rules), rows and links copied into rebuilt
//!   tables, and the probes for the rows a constraint refuses;
//! - [`store`]: staged's own tables (metadata, history), what `inspect`
//!   reads, and the checks of a store (integrity, drift, foreign keys);
//! - [`lifecycle`]: adopting a database staged did not create, and emptying
//!   a store to recreate it;
//! - [`shape`]: the statements of a migration step read back, for the
//!   check before a migration (which tables each one walks).
//!
//! Query building (the predicates, sort orders and limits of a
//! `FetchDescriptor`) stays in `query`: its fragments are made from the
//! user's fields and values, and the statements they end up in are built here.

mod ddl;
mod lifecycle;
mod rows;
mod shape;
mod store;
#[cfg(test)]
mod tests;

pub use ddl::*;
pub use lifecycle::*;
pub use rows::*;
pub use shape::*;
pub use store::*;

use crate::schema::DefaultValue;

/// The `PRAGMA application_id` of every staged store: ASCII `STGD`.
pub const APPLICATION_ID: u32 = 0x5354_4744;

/// The table holding the store's version and checksum.
pub const METADATA_TABLE: &str = "_staged_metadata";

/// The table holding one row per applied migration step.
pub const HISTORY_TABLE: &str = "_staged_history";

/// The table SQLite keeps the high-water marks of `AUTOINCREMENT` tables in
/// (one row per table that has one: `name`, `seq`).
pub const SEQUENCE_TABLE: &str = "sqlite_sequence";

/// The table SQLite keeps the schema in (every table, index and trigger,
/// with its root page).
pub const SCHEMA_TABLE: &str = "sqlite_schema";

/// The column of a join table holding ids of its owner entity.
pub const JOIN_SOURCE: &str = "source";

/// The column of a join table holding ids of the related entity.
pub const JOIN_TARGET: &str = "target";

/// The name of the index on a join table's `target` column.
pub fn join_index_name(join: &str) -> String {
    format!("{join}_target")
}

/// The name of the unique index of an attribute (names are length-prefixed so
/// that no two entity/attribute pairs share one).
pub fn unique_index_name(entity: &str, attribute: &str) -> String {
    format!("_staged_unique_{}_{entity}_{attribute}", entity.len())
}

/// The name of the plain index of an attribute.
pub fn plain_index_name(entity: &str, attribute: &str) -> String {
    format!("_staged_index_{}_{entity}_{attribute}", entity.len())
}

/// The name of the index of a compound constraint: `_staged_uniques_…` or
/// `_staged_indexes_…` (prefixes no single-attribute index has), then the
/// entity and each attribute, length-prefixed so that no two constraints
/// share one.
pub fn compound_index_name<'a>(
    entity: &str,
    unique: bool,
    attributes: impl IntoIterator<Item = &'a str>,
) -> String {
    let mut out = format!(
        "_staged_{}_{}_{entity}",
        if unique { "uniques" } else { "indexes" },
        entity.len()
    );
    for attribute in attributes {
        out.push_str(&format!("_{}_{attribute}", attribute.len()));
    }
    out
}

/// The temporary name of the `k`th entity table a lightweight step
/// rebuilds, while it is filled.
pub fn rebuilt_table(k: usize) -> String {
    format!("_staged_new_{k}")
}

/// The temporary name of the `k`th entity table a lightweight step renames
/// (renames go through temporary names, so that two entities may swap names).
pub fn renamed_table(k: usize) -> String {
    format!("_staged_tmp_{k}")
}

/// The temporary name of the `k`th join table a step creates, while it is filled.
pub fn rebuilt_join_table(k: usize) -> String {
    format!("_staged_new_join_{k}")
}

/// The table holding, during a step, the links copied out of the to-one
/// that becomes the `k`th join table.
pub fn links_table(k: usize) -> String {
    format!("_staged_links_{k}")
}

/// The name the `k`th transformed entity's old table takes while its
/// transform runs (the shadow the `migrate` hooks read).
pub fn old_table(k: usize) -> String {
    format!("_staged_old_{k}")
}

/// The temporary name of the table the `k`th transform fills.
pub fn transformed_table(k: usize) -> String {
    format!("_staged_new_t{k}")
}

/// Starts a migration's transaction, taking the write lock at once.
pub const BEGIN_IMMEDIATE: &str = "BEGIN IMMEDIATE";

/// Commits a transaction.
pub const COMMIT: &str = "COMMIT";

/// Rolls a transaction back.
pub const ROLLBACK: &str = "ROLLBACK";

/// The savepoint of a `ModelContext::transaction` at nesting `depth` (1 for
/// the outermost): each nested transaction has its own.
pub fn savepoint_name(depth: usize) -> String {
    format!("staged_transaction_{depth}")
}

/// Opens savepoint `name`.
pub fn savepoint(name: &str) -> String {
    format!("SAVEPOINT {name}")
}

/// Keeps the writes of savepoint `name` and closes it.
pub fn release_savepoint(name: &str) -> String {
    format!("RELEASE {name}")
}

/// Undoes the writes of savepoint `name` and closes it.
pub fn rollback_savepoint(name: &str) -> String {
    format!("ROLLBACK TO {name}; RELEASE {name}")
}

/// Quotes an identifier for SQLite: `"name"`, with `"` doubled.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quotes a text literal for SQLite: `'text'`, with `'` doubled.
pub fn quote_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A default value as a SQL literal.
pub fn default_literal(value: &DefaultValue) -> String {
    match value {
        DefaultValue::Bool(b) => i64::from(*b).to_string(),
        DefaultValue::Integer(i) => i.to_string(),
        // `{:?}` always keeps a decimal point or exponent, so SQLite reads a REAL.
        DefaultValue::Real(r) if r.is_finite() => format!("{r:?}"),
        DefaultValue::Real(r) if r.is_nan() => "NULL".to_owned(),
        DefaultValue::Real(r) => (if *r > 0.0 { "9e999" } else { "-9e999" }).to_owned(),
        DefaultValue::Text(t) => quote_text(t),
    }
}

/// A value that may be absent as a SQL literal: [`default_literal`], or `NULL`.
pub fn optional_literal(value: Option<&DefaultValue>) -> String {
    value.map_or_else(|| "NULL".to_owned(), default_literal)
}

/// `coalesce("column", literal)`: the column's value, or `default` where it is NULL.
pub fn coalesce(column: &str, default: &DefaultValue) -> String {
    format!(
        "coalesce({}, {})",
        quote_ident(column),
        default_literal(default)
    )
}

/// The constraints whose failures SQLite reports by naming columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    /// A unique index or constraint.
    Unique,
    /// A `NOT NULL` column.
    NotNull,
}

/// Whether `error` is SQLite's "no such column" for `column` (a statement
/// naming a column the table does not have).
pub fn is_missing_column(error: &rusqlite::Error, column: &str) -> bool {
    let message = match error {
        rusqlite::Error::SqliteFailure(_, Some(message)) => message,
        rusqlite::Error::SqlInputError { msg, .. } => msg,
        _ => return false,
    };
    message
        .strip_prefix("no such column: ")
        .is_some_and(|name| name == column)
}

/// The columns SQLite names in the message of a failed `constraint`, as
/// `table.column` (several separated by `, ` for a unique index over
/// several columns): `Reminder.uid` in "UNIQUE constraint failed:
/// Reminder.uid", `_staged_new_0.title` (a [`rebuilt_table`]) in "NOT NULL
/// constraint failed: _staged_new_0.title". `None` for another message.
pub fn failed_columns(message: &str, constraint: Failed) -> Option<&str> {
    message.strip_prefix(match constraint {
        Failed::Unique => "UNIQUE constraint failed: ",
        Failed::NotNull => "NOT NULL constraint failed: ",
    })
}
