//! Every piece of SQL text staged generates, the names it reserves in a
//! store, and the one place identifiers and literals are quoted.

use std::fmt::Write as _;

use crate::schema::{AttributeDescriptor, DefaultValue, EntityDescriptor, ID_COLUMN, JoinTable};

/// The `PRAGMA application_id` of every staged store: ASCII `STGD`.
pub const APPLICATION_ID: u32 = 0x5354_4744;

/// The table holding the store's version and checksum.
pub const METADATA_TABLE: &str = "_staged_metadata";

/// The table holding one row per applied migration step.
pub const HISTORY_TABLE: &str = "_staged_history";

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

/// The column definition of an attribute: `"name" TYPE [NOT NULL] [DEFAULT literal]`.
pub fn column_def(attribute: &AttributeDescriptor) -> String {
    let mut out = format!(
        "{} {}",
        quote_ident(attribute.name()),
        attribute.ty().sql_type()
    );
    if !attribute.is_optional() {
        out.push_str(" NOT NULL");
    }
    if let Some(default) = attribute.default_value() {
        let _ = write!(out, " DEFAULT {}", default_literal(default));
    }
    if let Some(reference) = attribute.reference()
        && let Some(action) = reference.delete_rule().on_delete()
    {
        let _ = write!(
            out,
            " REFERENCES {} ({}) ON DELETE {action}",
            quote_ident(reference.target()),
            quote_ident(ID_COLUMN)
        );
    }
    out
}

/// The column of a join table holding ids of its owner entity.
pub const JOIN_SOURCE: &str = "source";

/// The column of a join table holding ids of the related entity.
pub const JOIN_TARGET: &str = "target";

/// `CREATE TABLE` of a many-to-many join table under `table` (its name, or
/// a temporary name during a rebuild): one row per related pair, removed
/// with either record.
pub fn create_join_table(table: &str, join: &JoinTable) -> String {
    format!(
        "CREATE TABLE {} ({source} INTEGER NOT NULL REFERENCES {owner} ({id}) ON DELETE CASCADE, \
         {target} INTEGER NOT NULL REFERENCES {related} ({id}) ON DELETE CASCADE, \
         PRIMARY KEY ({source}, {target})) STRICT, WITHOUT ROWID",
        quote_ident(table),
        source = quote_ident(JOIN_SOURCE),
        target = quote_ident(JOIN_TARGET),
        owner = quote_ident(&join.owner),
        related = quote_ident(&join.target),
        id = quote_ident(ID_COLUMN),
    )
}

/// The index on the `target` column of a join table (lookups from the related side).
pub fn create_join_index(join: &JoinTable) -> String {
    format!(
        "CREATE INDEX {} ON {} ({})",
        quote_ident(&join_index_name(&join.name)),
        quote_ident(&join.name),
        quote_ident(JOIN_TARGET)
    )
}

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

/// `CREATE TABLE` for an entity under `table` (its name, or a temporary name
/// during a rebuild). Uniqueness and indexes are separate statements, see
/// [`create_indexes`].
///
/// The id column is `INTEGER PRIMARY KEY AUTOINCREMENT`, so an id is never
/// given to two records of a store, even after the newest record is deleted
/// (without it SQLite picks `max(_id) + 1`): a stale `Record` or a
/// `no_action` reference to a deleted record can never reach a new one.
/// SQLite keeps the table's high-water mark in `sqlite_sequence` and
/// enforces it for every insert, raw SQL through `connection()` included;
/// the cost is one `sqlite_sequence` lookup and update per insert statement,
/// about 1.1x the instructions of an insert (see BENCHMARKS.md). A sequence
/// table owned by staged would cost a separate statement per insert, and raw
/// SQL would bypass it. The mark follows the table through `ALTER TABLE …
/// RENAME TO` (SQLite renames its row: entity renames need nothing) and is
/// deleted with `DROP TABLE`, so every table built to replace another (a
/// rebuild, also in a composed step; a transform) is seeded from the one it
/// replaces with [`seed_sequence`] before any row is copied. Tables created
/// without `AUTOINCREMENT` by earlier versions keep working unchanged; they
/// get it, seeded from their largest id, when a migration rebuilds or
/// transforms them.
///
/// The table is not `STRICT`: on a `STRICT` table SQLite checks every row
/// after `ALTER TABLE … ADD COLUMN` (a `pragma_quick_check` scan, ~140 ms on
/// 1M rows, see BENCHMARKS.md), which makes adding a column O(rows) instead
/// of O(1). Staged binds every value with its attribute's declared type, so
/// the column types hold without `STRICT`. Tables created `STRICT` by earlier
/// versions keep working (and stay `STRICT` until a rebuild).
pub fn create_table(table: &str, entity: &EntityDescriptor) -> String {
    let mut out = format!(
        "CREATE TABLE {} ({} INTEGER PRIMARY KEY AUTOINCREMENT",
        quote_ident(table),
        quote_ident(ID_COLUMN)
    );
    for attribute in entity.attributes() {
        out.push_str(", ");
        out.push_str(&column_def(attribute));
    }
    out.push(')');
    out
}

/// The table SQLite keeps the high-water marks of `AUTOINCREMENT` tables in
/// (one row per table that has one: `name`, `seq`).
const SEQUENCE_TABLE: &str = "sqlite_sequence";

/// Gives `table`, just created by [`create_table`] and still empty, the id
/// high-water mark of `previous`, the table it replaces (which must still
/// exist): the larger of `previous`'s `sqlite_sequence` row and its largest
/// id. The row of an `AUTOINCREMENT` table covers the ids of records deleted
/// since; the largest id covers a table created without `AUTOINCREMENT` (by
/// earlier versions of staged: it has no row) and rows a transform drops. Both
/// lookups are O(log n). Runs before the rows are copied, so the copy (which
/// keeps ids, all at or below the mark) leaves the mark as seeded and the
/// table has exactly one row in `sqlite_sequence`.
pub fn seed_sequence(table: &str, previous: &str) -> String {
    format!(
        "INSERT INTO {sequence} (name, seq) SELECT {table}, max(\
         coalesce((SELECT max(seq) FROM {sequence} WHERE name = {previous_name} COLLATE NOCASE), 0), \
         coalesce((SELECT max({id}) FROM {previous}), 0))",
        sequence = SEQUENCE_TABLE,
        table = quote_text(table),
        previous_name = quote_text(previous),
        id = quote_ident(ID_COLUMN),
        previous = quote_ident(previous),
    )
}

/// The index statements of an entity: one `CREATE UNIQUE INDEX` per unique
/// attribute and one `CREATE INDEX` per indexed attribute.
pub fn create_indexes(entity: &EntityDescriptor) -> Vec<String> {
    entity
        .attributes()
        .iter()
        .flat_map(|attribute| {
            let unique = attribute
                .is_unique()
                .then(|| create_unique_index(entity.name(), attribute.name()));
            let plain = attribute
                .is_indexed()
                .then(|| create_plain_index(entity.name(), attribute.name()));
            unique.into_iter().chain(plain)
        })
        .collect()
}

/// `CREATE UNIQUE INDEX` for one attribute.
pub fn create_unique_index(entity: &str, attribute: &str) -> String {
    format!(
        "CREATE UNIQUE INDEX {} ON {} ({})",
        quote_ident(&unique_index_name(entity, attribute)),
        quote_ident(entity),
        quote_ident(attribute)
    )
}

/// `CREATE INDEX` for one attribute.
pub fn create_plain_index(entity: &str, attribute: &str) -> String {
    format!(
        "CREATE INDEX {} ON {} ({})",
        quote_ident(&plain_index_name(entity, attribute)),
        quote_ident(entity),
        quote_ident(attribute)
    )
}

/// `INSERT` of all stored attributes as `?1..?n`; with `with_id`, the id is `?1`
/// and the attributes follow.
pub fn insert(entity: &EntityDescriptor, with_id: bool) -> String {
    let mut columns: Vec<String> = Vec::with_capacity(entity.attributes().len() + 1);
    if with_id {
        columns.push(quote_ident(ID_COLUMN));
    }
    columns.extend(entity.attributes().iter().map(|a| quote_ident(a.name())));
    let params: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({})",
        quote_ident(entity.name()),
        columns.join(", "),
        params.join(", ")
    )
}

/// `SELECT` of the id and all stored attributes of `entity` from `table`.
pub fn select_from(entity: &EntityDescriptor, table: &str) -> String {
    let mut out = format!("SELECT {}", quote_ident(ID_COLUMN));
    for attribute in entity.attributes() {
        out.push_str(", ");
        out.push_str(&quote_ident(attribute.name()));
    }
    let _ = write!(out, " FROM {}", quote_ident(table));
    out
}

/// `INSERT` of all stored attributes as `?1..?n` and the id as `?n+1` into `table`.
pub fn insert_with_id_last(entity: &EntityDescriptor, table: &str) -> String {
    let mut columns: Vec<String> = entity
        .attributes()
        .iter()
        .map(|a| quote_ident(a.name()))
        .collect();
    columns.push(quote_ident(ID_COLUMN));
    let params: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({})",
        quote_ident(table),
        columns.join(", "),
        params.join(", ")
    )
}

/// `UPDATE` of all stored attributes as `?1..?n`, where the id is `?n+1`.
pub fn update(entity: &EntityDescriptor) -> String {
    let n = entity.attributes().len();
    let sets: Vec<String> = entity
        .attributes()
        .iter()
        .enumerate()
        .map(|(i, a)| format!("{} = ?{}", quote_ident(a.name()), i + 1))
        .collect();
    format!(
        "UPDATE {} SET {} WHERE {} = ?{}",
        quote_ident(entity.name()),
        sets.join(", "),
        quote_ident(ID_COLUMN),
        n + 1
    )
}

/// The name an adopted table is rebuilt under before it takes its entity's name.
pub fn adopt_table_name(index: usize) -> String {
    format!("_staged_adopt_{index}")
}

/// Like [`seed_sequence`], for a table staged did not create: `previous`'s
/// ids are in `id` (its `INTEGER PRIMARY KEY` column, or `rowid`).
pub fn seed_sequence_from(table: &str, previous: &str, id: &str) -> String {
    format!(
        "INSERT INTO {sequence} (name, seq) SELECT {table}, max(\
         coalesce((SELECT max(seq) FROM {sequence} WHERE name = {previous_name} COLLATE NOCASE), 0), \
         coalesce((SELECT max({id}) FROM {previous}), 0))",
        sequence = SEQUENCE_TABLE,
        table = quote_text(table),
        previous_name = quote_text(previous),
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

/// `DROP TABLE`.
pub fn drop_table(table: &str) -> String {
    format!("DROP TABLE {}", quote_ident(table))
}

/// `ALTER TABLE … RENAME TO`.
pub fn rename_table(from: &str, to: &str) -> String {
    format!(
        "ALTER TABLE {} RENAME TO {}",
        quote_ident(from),
        quote_ident(to)
    )
}

/// `INSERT` of a history row: from, to, kind, started at, duration, rows as `?1..?6`.
pub fn insert_history() -> String {
    format!(
        "INSERT INTO {} (from_version, to_version, kind, started_at, duration_ms, rows_touched) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        quote_ident(HISTORY_TABLE)
    )
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
pub fn list_schema_objects() -> String {
    "SELECT type, name FROM sqlite_schema WHERE type IN ('table', 'view', 'trigger') \
     AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type = 'table', name"
        .to_owned()
}

/// `DROP TABLE|VIEW|TRIGGER IF EXISTS` (`kind` as `sqlite_schema.type` spells it).
pub fn drop_object(kind: &str, name: &str) -> String {
    let kind = match kind {
        "view" => "VIEW",
        "trigger" => "TRIGGER",
        _ => "TABLE",
    };
    format!("DROP {kind} IF EXISTS {}", quote_ident(name))
}

/// SQLite's full check of a database (the first three problems).
pub const INTEGRITY_CHECK: &str = "PRAGMA integrity_check(3)";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::AttributeType;

    fn entity() -> EntityDescriptor {
        EntityDescriptor::from_parts(
            "Reminder",
            None,
            vec![
                AttributeDescriptor::new("uid", AttributeType::Text).with_unique(true),
                AttributeDescriptor::new("notes", AttributeType::Text)
                    .with_optional(true)
                    .with_index(true),
                AttributeDescriptor::new("priority", AttributeType::I64)
                    .with_default(DefaultValue::Integer(0)),
            ],
        )
    }

    #[test]
    fn quotes_identifiers_and_text() {
        assert_eq!(quote_ident(r#"we"ird"#), r#""we""ird""#);
        assert_eq!(quote_text("it's"), "'it''s'");
        assert_eq!(default_literal(&DefaultValue::Real(1.0)), "1.0");
        assert_eq!(default_literal(&DefaultValue::Bool(true)), "1");
        assert_eq!(default_literal(&DefaultValue::text("a'b")), "'a''b'");
    }

    #[test]
    fn table_sql() {
        assert_eq!(
            create_table("Reminder", &entity()),
            r#"CREATE TABLE "Reminder" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "uid" TEXT NOT NULL, "notes" TEXT, "priority" INTEGER NOT NULL DEFAULT 0)"#
        );
        assert_eq!(
            create_indexes(&entity()),
            [
                r#"CREATE UNIQUE INDEX "_staged_unique_8_Reminder_uid" ON "Reminder" ("uid")"#,
                r#"CREATE INDEX "_staged_index_8_Reminder_notes" ON "Reminder" ("notes")"#,
            ]
        );
    }

    #[test]
    fn sequence_sql() {
        assert_eq!(
            seed_sequence("_staged_new_0", "Re'minder"),
            r#"INSERT INTO sqlite_sequence (name, seq) SELECT '_staged_new_0', max(coalesce((SELECT max(seq) FROM sqlite_sequence WHERE name = 'Re''minder' COLLATE NOCASE), 0), coalesce((SELECT max("_id") FROM "Re'minder"), 0))"#
        );
    }

    #[test]
    fn row_sql() {
        assert_eq!(
            insert(&entity(), false),
            r#"INSERT INTO "Reminder" ("uid", "notes", "priority") VALUES (?1, ?2, ?3)"#
        );
        assert_eq!(
            insert(&entity(), true),
            r#"INSERT INTO "Reminder" ("_id", "uid", "notes", "priority") VALUES (?1, ?2, ?3, ?4)"#
        );
        assert_eq!(
            select_from(&entity(), "Reminder"),
            r#"SELECT "_id", "uid", "notes", "priority" FROM "Reminder""#
        );
        assert_eq!(
            update(&entity()),
            r#"UPDATE "Reminder" SET "uid" = ?1, "notes" = ?2, "priority" = ?3 WHERE "_id" = ?4"#
        );
    }
}
