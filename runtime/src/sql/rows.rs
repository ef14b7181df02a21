//! Records: the statements of contexts, transforms, relationships and
//! delete rules; the rows and links copied into the tables a migration step
//! rebuilds; and the probes that find the rows a constraint refuses.

use std::fmt::Write as _;

use super::{JOIN_SOURCE, JOIN_TARGET, quote_ident, quote_text};
use crate::schema::{EntityDescriptor, ID_COLUMN};

/// `INSERT` of all stored attributes as `?1..?n`; with `with_id`, the id is `?1`
/// and the attributes follow. An entity without attributes, inserted
/// without id, gets `INSERT … DEFAULT VALUES` (`INSERT INTO t () VALUES ()`
/// is not SQL).
pub fn insert(entity: &EntityDescriptor, with_id: bool) -> String {
    if entity.attributes().is_empty() && !with_id {
        return format!("INSERT INTO {} DEFAULT VALUES", quote_ident(entity.name()));
    }
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
/// For an entity without attributes, a no-op assignment of the id (`UPDATE
/// t SET WHERE …` is not SQL), which still reports whether the record exists.
pub fn update(entity: &EntityDescriptor) -> String {
    let n = entity.attributes().len();
    if n == 0 {
        return format!(
            "UPDATE {table} SET {id} = {id} WHERE {id} = ?1",
            table = quote_ident(entity.name()),
            id = quote_ident(ID_COLUMN)
        );
    }
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

/// `SELECT` of the id and all stored attributes of `entity` from `table`,
/// followed by `tail` (a `WHERE`, `ORDER BY` or `LIMIT` made by a query).
pub fn select_from_with(entity: &EntityDescriptor, table: &str, tail: &str) -> String {
    format!("{}{tail}", select_from(entity, table))
}

/// `SELECT` of the record of `entity` whose id is `?` from `table`.
pub fn select_by_id(entity: &EntityDescriptor, table: &str) -> String {
    format!(
        "{} WHERE {} = ?",
        select_from(entity, table),
        quote_ident(ID_COLUMN)
    )
}

/// `SELECT` of the ids of the rows of `table`, followed by `tail` (a
/// `WHERE` made by a query, or nothing), in id order.
pub fn select_ids(table: &str, tail: &str) -> String {
    format!(
        "SELECT {id} FROM {}{tail} ORDER BY {id}",
        quote_ident(table),
        id = quote_ident(ID_COLUMN)
    )
}

/// The id of the record of `entity` that has the model's values in one of
/// `constraints` (each a list of columns that are unique together), the
/// first constraint that matches winning; NULL when none does. One
/// statement for every constraint (`coalesce` stops at the first match),
/// its parameters numbered as the model binds them (`?1` is its first
/// attribute, as in [`insert`]): every one is bound, so the last appears
/// even when no constraint uses it. A NULL never equals anything, as in a
/// unique index.
pub fn select_id_by_any_unique(entity: &EntityDescriptor, constraints: &[Vec<&str>]) -> String {
    let position = |column: &str| {
        entity
            .attributes()
            .iter()
            .position(|a| a.name() == column)
            .map_or(0, |i| i + 1)
    };
    let lookups: Vec<String> = constraints
        .iter()
        .map(|columns| {
            let conditions: Vec<String> = columns
                .iter()
                .map(|c| format!("{} = ?{}", quote_ident(c), position(c)))
                .collect();
            format!(
                "(SELECT {} FROM {} WHERE {} LIMIT 1)",
                quote_ident(ID_COLUMN),
                quote_ident(entity.name()),
                conditions.join(" AND ")
            )
        })
        .collect();
    let n = entity.attributes().len();
    let first = match lookups.as_slice() {
        [only] => only.clone(),
        _ => format!("coalesce({})", lookups.join(", ")),
    };
    format!("SELECT {first} WHERE ?{n} IS ?{n}")
}

/// `INSERT` of all stored attributes of `entity` as `?1..?n` (as in
/// [`insert`]) that, when the row would break one of `constraints` (each a
/// list of columns that are unique together), updates the record it
/// collides with to every value instead. SQLite tries the `ON CONFLICT`
/// clauses in the order written, so the first constraint that matches
/// decides; a NULL collides with nothing, as in any unique index.
/// `constraints` must not be empty.
pub fn upsert(entity: &EntityDescriptor, constraints: &[Vec<&str>]) -> String {
    let mut out = insert(entity, false);
    for columns in constraints {
        // The columns of the constraint that collided already hold the
        // model's values: leaving them out spares SQLite its index.
        let sets: Vec<String> = entity
            .attributes()
            .iter()
            .filter(|a| !columns.contains(&a.name()))
            .map(|a| format!("{name} = excluded.{name}", name = quote_ident(a.name())))
            .collect();
        let target: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
        let _ = write!(out, " ON CONFLICT ({}) DO ", target.join(", "));
        if sets.is_empty() {
            out.push_str("NOTHING");
        } else {
            let _ = write!(out, "UPDATE SET {}", sets.join(", "));
        }
    }
    out
}

/// `SELECT count(*)` of the rows of `table`, followed by `tail` (a `WHERE`
/// made by a query, or nothing).
pub fn count(table: &str, tail: &str) -> String {
    format!("SELECT count(*) FROM {}{tail}", quote_ident(table))
}

/// `SELECT count(*), count("a"), …` of `table`: its rows, then the rows
/// where each of `columns` is not NULL, in one scan.
pub fn count_values<'a>(table: &str, columns: impl IntoIterator<Item = &'a str>) -> String {
    let mut sql = "SELECT count(*)".to_owned();
    for column in columns {
        sql.push_str(", count(");
        sql.push_str(&quote_ident(column));
        sql.push(')');
    }
    sql.push_str(" FROM ");
    sql.push_str(&quote_ident(table));
    sql
}

/// `UPDATE` of one column of the record whose id is `?2` to `?1`.
pub fn set_column(table: &str, column: &str) -> String {
    format!(
        "UPDATE {} SET {} = ?1 WHERE {} = ?2",
        quote_ident(table),
        quote_ident(column),
        quote_ident(ID_COLUMN)
    )
}

/// `UPDATE` clearing the reference `column` of the record whose id is `?1`
/// when it refers to `?2`.
pub fn clear_reference(table: &str, column: &str) -> String {
    format!(
        "UPDATE {table} SET {column} = NULL WHERE {id} = ?1 AND {column} = ?2",
        table = quote_ident(table),
        column = quote_ident(column),
        id = quote_ident(ID_COLUMN)
    )
}

/// `DELETE` of the rows of `table` whose `column` is `?1` (a record by its
/// id, the records referring to one, the links holding one).
pub fn delete_where(table: &str, column: &str) -> String {
    format!(
        "DELETE FROM {} WHERE {} = ?1",
        quote_ident(table),
        quote_ident(column)
    )
}

/// `SELECT` of the ids of the records of `table` whose `column` refers to
/// `?1`, in id order.
pub fn referring_ids(table: &str, column: &str) -> String {
    format!(
        "SELECT {id} FROM {table} WHERE {column} = ?1 ORDER BY {id}",
        id = quote_ident(ID_COLUMN),
        table = quote_ident(table),
        column = quote_ident(column),
    )
}

/// `UPDATE` clearing `column` in the records of `table` that refer to `?1`.
pub fn nullify_referring(table: &str, column: &str) -> String {
    format!(
        "UPDATE {table} SET {column} = NULL WHERE {column} = ?1",
        table = quote_ident(table),
        column = quote_ident(column),
    )
}

/// The rows whose `column` refers to a record missing from `target`.
fn dangling(column: &str, target: &str) -> String {
    format!(
        "{col} IS NOT NULL AND {col} NOT IN (SELECT {id} FROM {target})",
        col = quote_ident(column),
        id = quote_ident(ID_COLUMN),
        target = quote_ident(target)
    )
}

/// `DELETE` of the rows of `table` whose `column` refers to a record
/// missing from `target` (records or links).
pub fn delete_dangling(table: &str, column: &str, target: &str) -> String {
    format!(
        "DELETE FROM {} WHERE {}",
        quote_ident(table),
        dangling(column, target)
    )
}

/// `UPDATE` clearing `column` where it refers to a record missing from `target`.
pub fn nullify_dangling(table: &str, column: &str, target: &str) -> String {
    format!(
        "UPDATE {} SET {} = NULL WHERE {}",
        quote_ident(table),
        quote_ident(column),
        dangling(column, target)
    )
}

/// `SELECT` of the id and `column` of the first record of `table` whose
/// `column` refers to a record missing from `target`.
pub fn first_dangling(table: &str, column: &str, target: &str) -> String {
    format!(
        "SELECT {id}, {col} FROM {table} WHERE {condition} ORDER BY {id} LIMIT 1",
        id = quote_ident(ID_COLUMN),
        col = quote_ident(column),
        table = quote_ident(table),
        condition = dangling(column, target),
    )
}

/// `INSERT OR IGNORE` of the link `(?1, ?2)` into `join`: `?1` in `mine`,
/// `?2` in `theirs` (its `source` and `target` columns, in either order).
pub fn insert_link(join: &str, mine: &str, theirs: &str) -> String {
    format!(
        "INSERT OR IGNORE INTO {} ({}, {}) VALUES (?1, ?2)",
        quote_ident(join),
        quote_ident(mine),
        quote_ident(theirs)
    )
}

/// `DELETE` of the link whose `mine` is `?1` and `theirs` is `?2` from `join`.
pub fn delete_link(join: &str, mine: &str, theirs: &str) -> String {
    format!(
        "DELETE FROM {} WHERE {} = ?1 AND {} = ?2",
        quote_ident(join),
        quote_ident(mine),
        quote_ident(theirs)
    )
}

/// The condition "`column` equals `?`", for a query's predicate.
pub fn equals_param(column: &str) -> String {
    format!("{} = ?", quote_ident(column))
}

/// The condition "the record is linked through `join` to the record `?`",
/// for a query's predicate: `mine` is the column of `join` holding that
/// record's ids, `theirs` the one holding the selected records'.
pub fn linked_to_param(join: &str, mine: &str, theirs: &str) -> String {
    format!(
        "{} IN (SELECT {} FROM {} WHERE {} = ?)",
        quote_ident(ID_COLUMN),
        quote_ident(theirs),
        quote_ident(join),
        quote_ident(mine)
    )
}

/// `INSERT INTO … SELECT` copying the rows of `source` into `into` (a
/// table being rebuilt), keeping their ids: `columns` pairs each column of
/// `into` with its SQL expression over `source`.
pub fn copy_rows(into: &str, source: &str, columns: &[(String, String)]) -> String {
    let mut targets = vec![quote_ident(ID_COLUMN)];
    targets.extend(columns.iter().map(|(name, _)| quote_ident(name)));
    let mut expressions = vec![quote_ident(ID_COLUMN)];
    expressions.extend(columns.iter().map(|(_, expression)| expression.clone()));
    format!(
        "INSERT INTO {} ({}) SELECT {} FROM {}",
        quote_ident(into),
        targets.join(", "),
        expressions.join(", "),
        quote_ident(source)
    )
}

/// `INSERT INTO … SELECT` copying every link of `from` (a join table or a
/// [`links_table`](super::links_table)) into the join table `into`;
/// `swapped`: `from`'s `source` column goes to `into`'s `target`, and the reverse.
pub fn copy_links(into: &str, from: &str, swapped: bool) -> String {
    let (source, target) = (quote_ident(JOIN_SOURCE), quote_ident(JOIN_TARGET));
    let columns = if swapped {
        format!("{target}, {source}")
    } else {
        format!("{source}, {target}")
    };
    format!(
        "INSERT INTO {} ({source}, {target}) SELECT {columns} FROM {}",
        quote_ident(into),
        quote_ident(from)
    )
}

/// `CREATE TABLE … AS SELECT` of the links that the to-one `column` of
/// `table` makes, into `links`: one row per set reference, with `table`'s
/// ids in the `source` column when `owner` (otherwise in `target`).
pub fn links_of_to_one(links: &str, table: &str, column: &str, owner: bool) -> String {
    let (source, target) = (quote_ident(JOIN_SOURCE), quote_ident(JOIN_TARGET));
    let (id, column) = (quote_ident(ID_COLUMN), quote_ident(column));
    let (to_source, to_target) = if owner {
        (&id, &column)
    } else {
        (&column, &id)
    };
    format!(
        "CREATE TABLE {} AS SELECT {to_source} AS {source}, {to_target} AS {target} FROM {} \
         WHERE {column} IS NOT NULL",
        quote_ident(links),
        quote_ident(table)
    )
}

/// The probe for a unique index on `entity.attribute` that fails: one value
/// several records share (as SQL text), the lowest of their ids, and how many
/// they are, for the value whose lowest id is the lowest. NULLs never clash.
pub fn probe_duplicates(entity: &str, attribute: &str) -> String {
    format!(
        "SELECT quote({column}), min({id}), count(*) FROM {} WHERE {column} IS NOT NULL \
         GROUP BY {column} HAVING count(*) > 1 ORDER BY min({id}) LIMIT 1",
        quote_ident(entity),
        column = quote_ident(attribute),
        id = quote_ident(ID_COLUMN),
    )
}

/// The probe for records of `entity` whose `attribute` holds one of
/// `values`: of those values, the one whose lowest id is lowest (as SQL
/// text, `'Draft'`), the ids of the records holding it (comma-separated),
/// and how many records hold any of `values`. No row when none does.
pub fn probe_values(entity: &str, attribute: &str, values: &[String]) -> String {
    let listed: Vec<String> = values.iter().map(|v| quote_text(v)).collect();
    format!(
        "SELECT quote({column}), group_concat({id}, ', '), (SELECT count(*) FROM {table} \
         WHERE {column} IN ({list})) FROM {table} WHERE {column} IN ({list}) \
         GROUP BY {column} ORDER BY min({id}) LIMIT 1",
        table = quote_ident(entity),
        column = quote_ident(attribute),
        id = quote_ident(ID_COLUMN),
        list = listed.join(", "),
    )
}

/// The probe for a compound unique index on `attributes` that fails: the
/// shared values (as SQL text, `(1, 'same')`) of the duplicate group whose
/// lowest id is lowest, that id, how many records share them, and their
/// ids (comma-separated, ascending). Rows with a NULL member are never
/// duplicates, as for SQLite's unique index.
pub fn probe_duplicates_together(entity: &str, attributes: &[&str]) -> String {
    let columns: Vec<String> = attributes.iter().map(|a| quote_ident(a)).collect();
    let values: Vec<String> = columns.iter().map(|c| format!("quote({c})")).collect();
    let not_null: Vec<String> = columns.iter().map(|c| format!("{c} IS NOT NULL")).collect();
    let matching: Vec<String> = columns
        .iter()
        .map(|c| format!("__r.{c} = __g.{c}"))
        .collect();
    let id = quote_ident(ID_COLUMN);
    format!(
        "SELECT '(' || {} || ')', min({id}), count(*), \
         (SELECT group_concat(__r.{id}, ', ') FROM {table} AS __r WHERE {}) \
         FROM {table} AS __g WHERE {} GROUP BY {} HAVING count(*) > 1 ORDER BY min({id}) LIMIT 1",
        values.join(" || ', ' || "),
        matching.join(" AND "),
        not_null.join(" AND "),
        columns.join(", "),
        table = quote_ident(entity),
    )
}

/// The probe for a copy into a required column that fails: the lowest id
/// of the rows of `source` where `expression` (the copied value) is NULL,
/// and how many they are.
pub fn probe_nulls(source: &str, expression: &str) -> String {
    format!(
        "SELECT min({}), count(*) FROM {} WHERE ({expression}) IS NULL",
        quote_ident(ID_COLUMN),
        quote_ident(source)
    )
}
