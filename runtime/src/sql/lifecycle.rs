//! The SQL of a store's life outside migrations: adopting a database staged
//! did not create (its tables and triggers read, its values probed, its
//! tables rebuilt keeping their ids), emptying a store to recreate it, and
//! encrypting a plaintext store (SQLCipher).

use std::fmt::Write as _;

use super::quote_ident;

/// The name an adopted table is rebuilt under before it takes its entity's name.
pub fn adopt_table_name(index: usize) -> String {
    format!("_staged_adopt_{index}")
}

/// The columns of `table`, generated and hidden ones included: name (1),
/// declared type (2), `NOT NULL` (3), primary key position (5), hidden (6).
pub fn table_xinfo(table: &str) -> String {
    format!("PRAGMA table_xinfo({})", quote_ident(table))
}

/// Every trigger: its table, then its name.
pub const SELECT_TRIGGERS: &str =
    "SELECT tbl_name, name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name";

/// Like [`seed_sequence`](super::seed_sequence), for a table staged did not
/// create: `previous`'s ids are in `id` (its `INTEGER PRIMARY KEY` column,
/// or `rowid`).
pub fn seed_sequence_from(table: &str, previous: &str, id: &str) -> String {
    format!(
        "INSERT INTO sqlite_sequence (name, seq) SELECT {table}, max(\
         coalesce((SELECT max(seq) FROM sqlite_sequence WHERE name = {previous_name} COLLATE NOCASE), 0), \
         coalesce((SELECT max({id}) FROM {previous}), 0))",
        table = super::quote_text(table),
        previous_name = super::quote_text(previous),
        id = quote_ident(id),
        previous = quote_ident(previous),
    )
}

/// `INSERT INTO target (…) SELECT … FROM source`: `columns` pairs each
/// column of `target` with the column of `source` it takes its values from;
/// rows are copied in the order of `order_by` (columns of `source`), if any.
pub fn copy_columns(
    target: &str,
    source: &str,
    columns: &[(&str, &str)],
    order_by: &[&str],
) -> String {
    let into: Vec<String> = columns.iter().map(|(to, _)| quote_ident(to)).collect();
    let from: Vec<String> = columns.iter().map(|(_, from)| quote_ident(from)).collect();
    let mut out = format!(
        "INSERT INTO {} ({}) SELECT {} FROM {}",
        quote_ident(target),
        into.join(", "),
        from.join(", "),
        quote_ident(source)
    );
    if !order_by.is_empty() {
        let order: Vec<String> = order_by.iter().map(|c| quote_ident(c)).collect();
        let _ = write!(out, " ORDER BY {}", order.join(", "));
    }
    out
}

/// A condition that holds when `column` holds a value staged reads as a
/// value of SQLite type `sql_type` (`INTEGER`, `REAL`, `TEXT`, `BLOB`),
/// within `range` for integers, and valid JSON when `json`.
pub fn value_fits(column: &str, sql_type: &str, range: Option<(i64, i64)>, json: bool) -> String {
    let column = quote_ident(column);
    let mut out = match sql_type {
        "INTEGER" => format!("typeof({column}) = 'integer'"),
        "REAL" => format!("typeof({column}) IN ('integer', 'real')"),
        "TEXT" => format!("typeof({column}) = 'text'"),
        _ => format!("typeof({column}) = 'blob'"),
    };
    if let Some((low, high)) = range.filter(|&r| r != (i64::MIN, i64::MAX)) {
        let _ = write!(out, " AND {column} BETWEEN {low} AND {high}");
    }
    if json {
        let _ = write!(out, " AND json_valid({column})");
    }
    out
}

/// The number of rows of `table` whose `column` is not NULL and fails
/// `fits` (see [`value_fits`]), and the smallest `id` among them (`id` is
/// an SQL expression: a quoted column, or `NULL`).
pub fn count_misfits(table: &str, column: &str, id: &str, fits: &str) -> String {
    format!(
        "SELECT count(*), min({id}) FROM {table} WHERE {column} IS NOT NULL AND NOT ({fits})",
        table = quote_ident(table),
        column = quote_ident(column),
    )
}

/// The number of rows of `table` whose `column` holds a value another row
/// holds too, and the smallest `id` (an SQL expression) among them.
pub fn count_duplicates(table: &str, column: &str, id: &str) -> String {
    format!(
        "SELECT count(*), min({id}) FROM {table} WHERE {column} IN \
         (SELECT {column} FROM {table} WHERE {column} IS NOT NULL GROUP BY {column} HAVING count(*) > 1)",
        table = quote_ident(table),
        column = quote_ident(column),
    )
}

/// The number of rows of `table` whose `column` is not NULL and names no
/// `target_id` of `target`, and the smallest `id` (an SQL expression) among them.
pub fn count_dangling(
    table: &str,
    column: &str,
    id: &str,
    target: &str,
    target_id: &str,
) -> String {
    format!(
        "SELECT count(*), min({id}) FROM {table} WHERE {column} IS NOT NULL \
         AND {column} NOT IN (SELECT {target_id} FROM {target})",
        table = quote_ident(table),
        column = quote_ident(column),
        target_id = quote_ident(target_id),
        target = quote_ident(target),
    )
}

/// Lists (`type`, `name`) of every table, view and trigger of a database but
/// SQLite's own, triggers and views first (what a reset drops).
pub const SELECT_DROPPABLE: &str = "SELECT type, name FROM sqlite_schema \
     WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     ORDER BY type = 'table', name";

/// `DROP TABLE|VIEW|TRIGGER IF EXISTS` (`kind` as `sqlite_schema.type` spells it).
pub fn drop_object(kind: &str, name: &str) -> String {
    let kind = match kind {
        "view" => "VIEW",
        "trigger" => "TRIGGER",
        _ => "TABLE",
    };
    format!("DROP {kind} IF EXISTS {}", quote_ident(name))
}

/// The schema name the encrypted copy of a store is attached under.
pub const ENCRYPTED_SCHEMA: &str = "encrypted";

/// Attaches the new file `?1` as `encrypted`, encrypted with the key `?2`
/// (SQLCipher's `ATTACH … KEY`; the key is bound, never part of the text).
pub const ATTACH_ENCRYPTED: &str = "ATTACH DATABASE ?1 AS encrypted KEY ?2";

/// Copies the schema and the rows of `main` into the attached `encrypted`
/// database (SQLCipher's `sqlcipher_export`; not `application_id`), inside
/// the caller's transaction.
pub const EXPORT_ENCRYPTED: &str = "SELECT sqlcipher_export('encrypted')";

/// Detaches the database [`ATTACH_ENCRYPTED`] attached.
pub const DETACH_ENCRYPTED: &str = "DETACH DATABASE encrypted";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adoption_sql() {
        assert_eq!(
            seed_sequence_from("_staged_adopt_0", "note", "id"),
            r#"INSERT INTO sqlite_sequence (name, seq) SELECT '_staged_adopt_0', max(coalesce((SELECT max(seq) FROM sqlite_sequence WHERE name = 'note' COLLATE NOCASE), 0), coalesce((SELECT max("id") FROM "note"), 0))"#
        );
        assert_eq!(
            copy_columns("t", "s", &[("_id", "id"), ("a", "a")], &["k"]),
            r#"INSERT INTO "t" ("_id", "a") SELECT "id", "a" FROM "s" ORDER BY "k""#
        );
        assert_eq!(
            value_fits("done", "INTEGER", Some((0, 1)), false),
            r#"typeof("done") = 'integer' AND "done" BETWEEN 0 AND 1"#
        );
        assert_eq!(
            count_misfits("t", "c", "NULL", "1"),
            r#"SELECT count(*), min(NULL) FROM "t" WHERE "c" IS NOT NULL AND NOT (1)"#
        );
        assert_eq!(drop_object("trigger", "x"), r#"DROP TRIGGER IF EXISTS "x""#);
    }
}
