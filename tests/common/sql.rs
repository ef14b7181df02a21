//! Reading a store file through raw SQL, outside staged: its tables and
//! their definitions, columns, indexes and rows, staged's history, SQLite's
//! id sequences, integrity checks and the drift check's findings.

use std::path::Path;

use staged::SchemaDescriptor;
use staged::rusqlite::types::Value;
use staged::rusqlite::{Connection, Params, Row};
use staged_runtime::__internals::verify;

/// Each difference the drift check finds between the store behind `conn`
/// and `descriptor`, as its message, in the check's order.
pub fn drift(conn: &Connection, descriptor: &SchemaDescriptor) -> Vec<String> {
    verify::drift(conn, descriptor)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// A raw connection to the SQLite file at `path`.
pub fn open(path: &Path) -> Connection {
    Connection::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()))
}

/// `name` as an SQL identifier, in double quotes.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Every row `sql` returns, each read by `read`.
fn query<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    read: impl FnMut(&Row<'_>) -> staged::rusqlite::Result<T>,
) -> Vec<T> {
    let mut statement = conn
        .prepare(sql)
        .unwrap_or_else(|e| panic!("cannot prepare `{sql}`: {e}"));
    statement
        .query_map(params, read)
        .unwrap_or_else(|e| panic!("cannot run `{sql}`: {e}"))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("cannot read the rows of `{sql}`: {e}"))
}

/// The names of every table, SQLite's and staged's included, sorted.
pub fn tables(conn: &Connection) -> Vec<String> {
    query(
        conn,
        "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
        [],
        |row| row.get(0),
    )
}

/// The names of the entity and join tables: neither SQLite's nor staged's
/// own tables, sorted.
pub fn user_tables(conn: &Connection) -> Vec<String> {
    query(
        conn,
        "SELECT name FROM sqlite_schema WHERE type = 'table' \
         AND name NOT LIKE 'sqlite%' AND name NOT LIKE '\\_staged\\_%' ESCAPE '\\' ORDER BY name",
        [],
        |row| row.get(0),
    )
}

/// The names of the tables, indexes… (`type`, `name`) of a SQLite file,
/// without SQLite's own, sorted.
pub fn schema_objects(conn: &Connection) -> Vec<(String, String)> {
    query(
        conn,
        "SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

/// The `CREATE TABLE` statement of `table`.
pub fn table_sql(conn: &Connection, table: &str) -> String {
    conn.query_row(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1",
        [table],
        |row| row.get(0),
    )
    .unwrap_or_else(|e| panic!("no table `{table}`: {e}"))
}

/// The names of the indexes on `table`, SQLite's constraint indexes
/// included, sorted.
pub fn index_names(conn: &Connection, table: &str) -> Vec<String> {
    query(
        conn,
        "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?1 ORDER BY name",
        [table],
        |row| row.get(0),
    )
}

/// `(name, type, NOT NULL)` of every column of `table`, in
/// `PRAGMA table_info` order.
pub fn columns(conn: &Connection, table: &str) -> Vec<(String, String, bool)> {
    query(
        conn,
        &format!("PRAGMA table_info({})", quoted(table)),
        [],
        |row| Ok((row.get(1)?, row.get(2)?, row.get::<_, i64>(3)? != 0)),
    )
}

/// `(index name, unique, first column)` of every index of `table`, sorted.
pub fn indexes(conn: &Connection, table: &str) -> Vec<(String, bool, String)> {
    let listed: Vec<(String, bool)> = query(
        conn,
        &format!("PRAGMA index_list({})", quoted(table)),
        [],
        |row| Ok((row.get(1)?, row.get::<_, i64>(2)? != 0)),
    );
    let mut out: Vec<(String, bool, String)> = listed
        .into_iter()
        .map(|(name, unique)| {
            let column: String = conn
                .query_row(
                    &format!("PRAGMA index_info({})", quoted(&name)),
                    [],
                    |row| row.get(2),
                )
                .unwrap_or_else(|e| panic!("no index `{name}`: {e}"));
            (name, unique, column)
        })
        .collect();
    out.sort();
    out
}

/// Every row of `table`, every column, ordered by `_id`.
pub fn rows(conn: &Connection, table: &str) -> Vec<Vec<Value>> {
    let mut statement = conn
        .prepare(&format!("SELECT * FROM {} ORDER BY \"_id\"", quoted(table)))
        .unwrap_or_else(|e| panic!("no table `{table}`: {e}"));
    let n = statement.column_count();
    statement
        .query_map([], |row| (0..n).map(|k| row.get::<_, Value>(k)).collect())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The ids of `table`, ascending.
pub fn ids(conn: &Connection, table: &str) -> Vec<i64> {
    query(
        conn,
        &format!("SELECT _id FROM {} ORDER BY _id", quoted(table)),
        [],
        |row| row.get(0),
    )
}

/// A text value.
pub fn t(text: &str) -> Value {
    Value::Text(text.to_owned())
}

/// An integer value.
pub fn i(integer: i64) -> Value {
    Value::Integer(integer)
}

/// `(from, to, kind, rows_touched)` of every row of staged's history, oldest
/// first.
pub fn history(conn: &Connection) -> Vec<(String, String, String, i64)> {
    query(
        conn,
        "SELECT from_version, to_version, kind, rows_touched FROM _staged_history ORDER BY seq",
        [],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
    )
}

/// The version staged's metadata records.
pub fn stored_version(conn: &Connection) -> String {
    conn.query_row("SELECT version FROM _staged_metadata", [], |row| row.get(0))
        .expect("read the stored version")
}

/// `(table, seq)` of every row of `sqlite_sequence`, sorted.
pub fn sequence(conn: &Connection) -> Vec<(String, i64)> {
    query(
        conn,
        "SELECT name, seq FROM sqlite_sequence ORDER BY name",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

/// Whether the file has a `sqlite_sequence` table (made by the first
/// `AUTOINCREMENT` table).
pub fn has_sequence_table(conn: &Connection) -> bool {
    let count: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_sequence'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    count == 1
}

/// Whether `table` is a `STRICT` table.
pub fn is_strict(conn: &Connection, table: &str) -> bool {
    let strict: i64 = conn
        .query_row(
            "SELECT strict FROM pragma_table_list WHERE name = ?1",
            [table],
            |row| row.get(0),
        )
        .unwrap_or_else(|e| panic!("no table `{table}`: {e}"));
    strict != 0
}

/// What `PRAGMA integrity_check` says: `ok` for a sound file.
pub fn integrity(conn: &Connection) -> String {
    conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("run the integrity check")
}

/// How many rows `PRAGMA foreign_key_check` reports: references to no row.
pub fn foreign_key_violations(conn: &Connection) -> usize {
    query(conn, "PRAGMA foreign_key_check", [], |_| Ok(())).len()
}

/// Every table, SQLite's and staged's included, with all its rows as SQLite
/// returns them: equal for two files with the same contents.
pub fn dump(conn: &Connection) -> Vec<(String, Vec<Vec<Value>>)> {
    tables(conn)
        .into_iter()
        .map(|table| {
            let mut statement = conn
                .prepare(&format!("SELECT * FROM {}", quoted(&table)))
                .unwrap();
            let n = statement.column_count();
            let rows = statement
                .query_map([], |row| (0..n).map(|k| row.get::<_, Value>(k)).collect())
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            (table, rows)
        })
        .collect()
}
