//! A staged store and NewPipe's database side by side: the store's rows
//! copied into NewPipe's tables, and both compared table by table, column by
//! column (by name), value by value (SQLite's own values: `1` is not `1.0`
//! nor `'1'`). NewPipe's `uid`/`id` column is staged's `_id`
//! ([`room::id_column`]); a staged table whose NewPipe table has no such
//! column has an `_id` of its own, which NewPipe has no counterpart for.

use std::collections::BTreeSet;
use std::path::Path;

use staged::rusqlite::types::Value;
use staged::rusqlite::{Connection, params};

use super::room;

/// `name` as an SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn strings(conn: &Connection, sql: &str) -> Vec<String> {
    let mut statement = conn.prepare(sql).unwrap();
    let rows = statement.query_map([], |row| row.get(0)).unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

/// The tables of `schema` (`main` or `store`), without SQLite's and staged's own.
fn tables(conn: &Connection, schema: &str) -> Vec<String> {
    strings(
        conn,
        &format!(
            "SELECT name FROM {schema}.sqlite_schema WHERE type = 'table' \
             AND name NOT LIKE 'sqlite%' AND name NOT LIKE '\\_staged\\_%' ESCAPE '\\' ORDER BY name"
        ),
    )
}

/// The columns of `table` in `schema`, in table order.
fn columns(conn: &Connection, schema: &str, table: &str) -> Vec<String> {
    strings(
        conn,
        &format!(
            "SELECT name FROM pragma_table_info({}, '{schema}')",
            quoted_text(table)
        ),
    )
}

fn quoted_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The staged column that holds NewPipe's `column` of `table`.
fn staged_column<'a>(table: &str, column: &'a str) -> &'a str {
    if room::id_column(table) == Some(column) {
        "_id"
    } else {
        column
    }
}

/// Attaches the store at `path` to `room` as `store`, runs `f`, detaches it.
fn with_store<T>(room: &Connection, path: &Path, f: impl FnOnce() -> T) -> T {
    room.execute(
        "ATTACH DATABASE ?1 AS store",
        params![path.to_str().unwrap()],
    )
    .unwrap();
    let out = f();
    room.execute("DETACH DATABASE store", []).unwrap();
    out
}

/// The columns of `table` in `schema` other than staged's `_id`, with their
/// declared types and whether they are `NOT NULL`, as staged names them
/// (NewPipe's `uid`/`id` left out, as `_id` is).
fn declared(conn: &Connection, schema: &str, table: &str) -> BTreeSet<(String, String, bool)> {
    let sql = format!(
        "SELECT name, type, \"notnull\" FROM pragma_table_info({}, '{schema}')",
        quoted_text(table)
    );
    let mut statement = conn.prepare(&sql).unwrap();
    let rows = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap();
    rows.map(Result::unwrap)
        .filter(|(name, ..): &(String, String, bool)| staged_column(table, name) != "_id")
        .collect()
}

/// Asserts that the store has NewPipe's tables and, in each, NewPipe's
/// columns under their names, with their declared types and nullability,
/// and an `_id` (NewPipe's `uid`/`id`, or a column of staged's own).
fn assert_same_columns(room: &Connection, version: u32) {
    assert_eq!(
        tables(room, "store"),
        tables(room, "main"),
        "the tables of version {version}"
    );
    for table in tables(room, "main") {
        assert_eq!(
            declared(room, "store", &table),
            declared(room, "main", &table),
            "the columns of `{table}` at version {version}"
        );
        let ids = columns(room, "store", &table);
        assert!(ids.iter().any(|c| c == "_id"), "`{table}` has no `_id`");
    }
}

/// Fills `room` (NewPipe's empty tables of `version`) with the rows of the
/// store at `path` (at the same version), column by column.
pub fn copy_store_into(path: &Path, room: &Connection, version: u32) {
    with_store(room, path, || {
        assert_same_columns(room, version);
        for table in tables(room, "main") {
            let names = columns(room, "main", &table);
            let into: Vec<String> = names.iter().map(|c| quoted(c)).collect();
            let from: Vec<String> = names
                .iter()
                .map(|c| quoted(staged_column(&table, c)))
                .collect();
            let sql = format!(
                "INSERT INTO main.{t} ({}) SELECT {} FROM store.{t}",
                into.join(", "),
                from.join(", "),
                t = quoted(&table),
            );
            room.execute(&sql, []).unwrap();
        }
    });
}

/// Every row of `table` in `schema`, as the values of `columns`, sorted.
fn rows(room: &Connection, schema: &str, table: &str, columns: &[String]) -> Vec<Vec<Value>> {
    let list = columns.join(", ");
    let sql = format!(
        "SELECT {list} FROM {schema}.{} ORDER BY {list}",
        quoted(table)
    );
    let mut statement = room.prepare(&sql).unwrap();
    let rows = statement
        .query_map([], |row| {
            (0..columns.len()).map(|i| row.get::<_, Value>(i)).collect()
        })
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

/// Asserts that every table of the store at `path` holds the rows of the
/// same table of `room` (NewPipe's database after its own migrations), and
/// returns how many rows each table holds.
pub fn assert_same_rows(path: &Path, room: &Connection) -> Vec<(String, usize)> {
    with_store(room, path, || {
        assert_same_columns(room, room::LATEST);
        let mut counts = Vec::new();
        for table in tables(room, "main") {
            let names = columns(room, "main", &table);
            let theirs: Vec<String> = names.iter().map(|c| quoted(c)).collect();
            let ours: Vec<String> = names
                .iter()
                .map(|c| quoted(staged_column(&table, c)))
                .collect();
            let expected = rows(room, "main", &table, &theirs);
            let actual = rows(room, "store", &table, &ours);
            assert_eq!(
                actual, expected,
                "the rows of `{table}` (columns {names:?}): staged's migration, then NewPipe's"
            );
            counts.push((table, expected.len()));
        }
        counts
    })
}

/// A key or index: table, unique, columns (a unique key's sorted).
pub type Key = (String, bool, Vec<String>);

/// The keys and indexes of every table in `schema`: indexes, composite
/// primary keys, and a single-column primary key that is not the row id
/// (`stream_state.stream_id`); columns named as staged names them.
fn keys(room: &Connection, schema: &str) -> BTreeSet<Key> {
    let mut keys = BTreeSet::new();
    for table in tables(room, schema) {
        let t = quoted_text(&table);
        let indexes = format!("SELECT name, \"unique\" FROM pragma_index_list({t}, '{schema}')");
        let mut statement = room.prepare(&indexes).unwrap();
        let list: Vec<(String, bool)> = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (index, unique) in list {
            let sql = format!(
                "SELECT name FROM pragma_index_info({}, '{schema}') ORDER BY seqno",
                quoted_text(&index)
            );
            let mut columns: Vec<String> = strings(room, &sql)
                .iter()
                .map(|c| staged_column(&table, c).to_owned())
                .collect();
            if unique {
                columns.sort();
            }
            keys.insert((table.clone(), unique, columns));
        }
        let sql = format!("SELECT name FROM pragma_table_info({t}, '{schema}') WHERE pk > 0");
        let primary = strings(room, &sql);
        if let [only] = primary.as_slice()
            && room::id_column(&table) != Some(only.as_str())
            && schema == "main"
        {
            keys.insert((table.clone(), true, vec![only.clone()]));
        }
    }
    keys
}

/// NewPipe's keys and indexes that the store at `path` lacks, and the
/// store's that NewPipe lacks.
pub fn key_differences(path: &Path, room: &Connection) -> (Vec<Key>, Vec<Key>) {
    with_store(room, path, || {
        let (theirs, ours) = (keys(room, "main"), keys(room, "store"));
        (
            theirs.difference(&ours).cloned().collect(),
            ours.difference(&theirs).cloned().collect(),
        )
    })
}
