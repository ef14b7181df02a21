//! Tables, columns and indexes: the definitions of entity and join tables
//! (a new store's and a rebuilt table's), the statements that alter, rename
//! and drop them, and the seeding of a rebuilt table's id sequence.

use std::fmt::Write as _;

use super::{JOIN_SOURCE, JOIN_TARGET, default_literal, join_index_name, quote_ident, quote_text};
use super::{SEQUENCE_TABLE, compound_index_name, plain_index_name, unique_index_name};
use crate::schema::{AttributeDescriptor, EntityDescriptor, ID_COLUMN, JoinTable};

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
/// attribute and one `CREATE INDEX` per indexed attribute, then one per
/// compound constraint.
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
        .chain(
            entity
                .constraints()
                .iter()
                .map(|c| create_compound_index(entity.name(), c.is_unique(), c.attributes())),
        )
        .collect()
}

/// `CREATE [UNIQUE] INDEX` of a compound constraint on `attributes`, in order.
pub fn create_compound_index<'a>(
    entity: &str,
    unique: bool,
    attributes: impl Iterator<Item = &'a str> + Clone,
) -> String {
    let columns: Vec<String> = attributes.clone().map(quote_ident).collect();
    format!(
        "CREATE {}INDEX {} ON {} ({})",
        if unique { "UNIQUE " } else { "" },
        quote_ident(&compound_index_name(entity, unique, attributes)),
        quote_ident(entity),
        columns.join(", ")
    )
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

/// `DROP TABLE`.
pub fn drop_table(table: &str) -> String {
    format!("DROP TABLE {}", quote_ident(table))
}

/// `DROP INDEX`.
pub fn drop_index(index: &str) -> String {
    format!("DROP INDEX {}", quote_ident(index))
}

/// `DROP INDEX IF EXISTS`.
pub fn drop_index_if_exists(index: &str) -> String {
    format!("DROP INDEX IF EXISTS {}", quote_ident(index))
}

/// `ALTER TABLE … RENAME TO …`.
pub fn rename_table(table: &str, to: &str) -> String {
    format!(
        "ALTER TABLE {} RENAME TO {}",
        quote_ident(table),
        quote_ident(to)
    )
}

/// `ALTER TABLE … RENAME COLUMN … TO …`.
pub fn rename_column(table: &str, column: &str, to: &str) -> String {
    format!(
        "ALTER TABLE {} RENAME COLUMN {} TO {}",
        quote_ident(table),
        quote_ident(column),
        quote_ident(to)
    )
}

/// `ALTER TABLE … DROP COLUMN …`.
pub fn drop_column(table: &str, column: &str) -> String {
    format!(
        "ALTER TABLE {} DROP COLUMN {}",
        quote_ident(table),
        quote_ident(column)
    )
}

/// `ALTER TABLE … ADD COLUMN` of `attribute`'s [`column_def`] (its default
/// is the value existing rows get).
pub fn add_column(table: &str, attribute: &AttributeDescriptor) -> String {
    format!(
        "ALTER TABLE {} ADD COLUMN {}",
        quote_ident(table),
        column_def(attribute)
    )
}
