//! Comparing a store's actual tables with a schema descriptor.

use std::collections::BTreeSet;

use rusqlite::Connection;

use crate::error::{DanglingReference, Drift};
use crate::schema::{EntityDescriptor, ID_COLUMN, JoinTable, SchemaDescriptor};
use crate::sql::{self, HISTORY_TABLE, METADATA_TABLE};

/// The differences between the store's tables, columns, types, nullability,
/// indexes and unique constraints and `descriptor`; empty when they agree.
/// Column order and `DEFAULT` clauses are not compared (staged names every
/// column it reads and writes every column it inserts).
pub fn drift(conn: &Connection, descriptor: &SchemaDescriptor) -> rusqlite::Result<Vec<Drift>> {
    let mut out = Vec::new();
    let joins = descriptor.join_tables();
    let actual_tables = tables(conn)?;
    unexpected_tables(descriptor, &joins, &actual_tables, &mut out);
    let exists = |table: &str| actual_tables.iter().any(|t| t.eq_ignore_ascii_case(table));
    for entity in descriptor.entities() {
        if !exists(entity.name()) {
            out.push(Drift::MissingTable {
                entity: entity.name().to_owned(),
            });
            continue;
        }
        column_drift(conn, entity, &mut out)?;
        index_drift(conn, entity, &mut out)?;
        let expected_keys: BTreeSet<ForeignKey> = entity
            .references()
            .filter_map(|(attribute, reference)| {
                let action = reference.delete_rule().on_delete()?;
                Some((
                    attribute.name().to_lowercase(),
                    reference.target().to_lowercase(),
                    action.to_owned(),
                ))
            })
            .collect();
        foreign_key_drift(conn, entity.name(), &expected_keys, &mut out)?;
    }
    for join in &joins {
        if !exists(&join.name) {
            out.push(Drift::MissingJoinTable {
                table: join.name.clone(),
                entity: join.owner.clone(),
                relationship: join.relationship.clone(),
            });
            continue;
        }
        let expected: BTreeSet<ForeignKey> = [
            (sql::JOIN_SOURCE, &join.owner),
            (sql::JOIN_TARGET, &join.target),
        ]
        .into_iter()
        .map(|(column, table)| {
            (
                column.to_owned(),
                table.to_lowercase(),
                "CASCADE".to_owned(),
            )
        })
        .collect();
        foreign_key_drift(conn, &join.name, &expected, &mut out)?;
    }
    Ok(out)
}

/// The tables of the store, views and SQLite's own tables left out.
fn tables(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    // `PRAGMA table_list` lists the tables of `sqlite_schema` (views too,
    // and SQLite's own) and costs less to prepare than a query over it.
    let mut statement = conn.prepare(sql::TABLE_LIST)?;
    let mut rows = statement.query([])?;
    let mut tables: Vec<String> = Vec::new();
    while let Some(row) = rows.next()? {
        let (name, kind): (String, String) = (row.get(1)?, row.get(2)?);
        let prefix = staged_vocabulary::SQLITE_PREFIX;
        let internal = name
            .get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix));
        if kind != "view" && !internal {
            tables.push(name);
        }
    }
    Ok(tables)
}

/// Reports the tables that are neither an entity's, a join table nor staged's own.
fn unexpected_tables(
    descriptor: &SchemaDescriptor,
    joins: &[JoinTable],
    actual: &[String],
    out: &mut Vec<Drift>,
) {
    let mut expected: BTreeSet<String> = descriptor
        .entities()
        .iter()
        .map(|e| e.name().to_lowercase())
        .collect();
    expected.extend(joins.iter().map(|j| j.name.to_lowercase()));
    expected.insert(METADATA_TABLE.to_owned());
    expected.insert(HISTORY_TABLE.to_owned());
    for table in actual {
        if !expected.contains(&table.to_lowercase()) {
            out.push(Drift::UnexpectedTable {
                table: table.clone(),
            });
        }
    }
}

/// Reports how the columns of `entity`'s table differ from its id and
/// attributes: the id not the primary key, missing columns, other types or
/// nullability, unexpected columns.
fn column_drift(
    conn: &Connection,
    entity: &EntityDescriptor,
    out: &mut Vec<Drift>,
) -> rusqlite::Result<()> {
    let mut columns = conn.prepare(&sql::table_info(entity.name()))?;
    // (name, declared type, NOT NULL, primary key) of every column.
    let actual: Vec<(String, String, bool, bool)> = columns
        .query_map([], |row| {
            Ok((
                row.get(1)?,
                row.get(2)?,
                row.get::<_, i64>(3)? != 0,
                row.get::<_, i64>(5)? != 0,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let find = |name: &str| actual.iter().find(|(n, ..)| n.eq_ignore_ascii_case(name));
    match find(ID_COLUMN) {
        Some((_, ty, _, true)) if ty.eq_ignore_ascii_case("INTEGER") => {}
        _ => out.push(Drift::IdNotPrimaryKey {
            entity: entity.name().to_owned(),
        }),
    }
    for attribute in entity.attributes() {
        let Some((_, ty, not_null, _)) = find(attribute.name()) else {
            out.push(Drift::MissingColumn {
                entity: entity.name().to_owned(),
                attribute: attribute.name().to_owned(),
            });
            continue;
        };
        if !ty.eq_ignore_ascii_case(attribute.ty().sql_type()) {
            out.push(Drift::ColumnType {
                entity: entity.name().to_owned(),
                attribute: attribute.name().to_owned(),
                actual: ty.clone(),
                expected: attribute.ty().sql_type().to_owned(),
            });
        }
        if *not_null == attribute.is_optional() {
            out.push(Drift::ColumnNullability {
                entity: entity.name().to_owned(),
                attribute: attribute.name().to_owned(),
                not_null: *not_null,
            });
        }
    }
    for (name, ..) in &actual {
        if !name.eq_ignore_ascii_case(ID_COLUMN)
            && entity
                .attributes()
                .iter()
                .all(|a| !a.name().eq_ignore_ascii_case(name))
        {
            out.push(Drift::UnexpectedColumn {
                entity: entity.name().to_owned(),
                column: name.clone(),
            });
        }
    }
    Ok(())
}

/// An index as compared: (name, unique, columns joined by `, `), lowercase names.
type Index = (String, bool, String);

/// Reports how the indexes of `entity`'s table differ from the unique and
/// plain indexes of its attributes: indexes of constraints (staged makes
/// none), missing indexes, unexpected indexes.
fn index_drift(
    conn: &Connection,
    entity: &EntityDescriptor,
    out: &mut Vec<Drift>,
) -> rusqlite::Result<()> {
    let actual = actual_indexes(conn, entity, out)?;
    let mut expected = BTreeSet::new();
    for attribute in entity.attributes() {
        let column = attribute.name().to_lowercase();
        if attribute.is_unique() {
            expected.insert((
                sql::unique_index_name(entity.name(), attribute.name()).to_lowercase(),
                true,
                column.clone(),
            ));
        }
        if attribute.is_indexed() {
            expected.insert((
                sql::plain_index_name(entity.name(), attribute.name()).to_lowercase(),
                false,
                column,
            ));
        }
    }
    for constraint in entity.constraints() {
        let columns: Vec<&str> = constraint.attributes().collect();
        expected.insert((
            sql::compound_index_name(
                entity.name(),
                constraint.is_unique(),
                columns.iter().copied(),
            )
            .to_lowercase(),
            constraint.is_unique(),
            columns.join(", ").to_lowercase(),
        ));
    }
    for (name, unique, column) in expected.difference(&actual) {
        out.push(Drift::MissingIndex {
            entity: entity.name().to_owned(),
            column: column.clone(),
            index: name.clone(),
            unique: *unique,
        });
    }
    for (name, _, column) in actual.difference(&expected) {
        out.push(Drift::UnexpectedIndex {
            entity: entity.name().to_owned(),
            column: column.clone(),
            index: name.clone(),
        });
    }
    Ok(())
}

/// The indexes made with `CREATE INDEX` on `entity`'s table; the indexes
/// SQLite made for constraints are reported as they are found.
fn actual_indexes(
    conn: &Connection,
    entity: &EntityDescriptor,
    out: &mut Vec<Drift>,
) -> rusqlite::Result<BTreeSet<Index>> {
    let mut indexes = conn.prepare(&sql::index_list(entity.name()))?;
    // (name, unique, origin) of every index on the table.
    let listed: Vec<(String, bool, String)> = indexes
        .query_map([], |row| {
            Ok((row.get(1)?, row.get::<_, i64>(2)? != 0, row.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut actual = BTreeSet::new();
    for (name, unique, origin) in listed {
        if origin != "c" {
            out.push(Drift::UnexpectedConstraintIndex {
                entity: entity.name().to_owned(),
                index: name,
            });
            continue;
        }
        // Every column, in the index's order (compound constraints have several).
        let columns = conn
            .prepare(&sql::index_info(&name))?
            .query_map([], |row| row.get(2))?
            .collect::<Result<Vec<String>, _>>()?
            .join(", ");
        actual.insert((name.to_lowercase(), unique, columns.to_lowercase()));
    }
    Ok(actual)
}

/// Whether a store of `descriptor` has foreign keys: a reference with a
/// delete rule SQLite enforces, or the join table of a many-to-many. When
/// [`drift`] reports nothing, the store's foreign keys are exactly these, so
/// a store of a schema without any has none for `PRAGMA foreign_key_check`
/// to check.
pub fn declares_foreign_keys(descriptor: &SchemaDescriptor) -> bool {
    descriptor.entities().iter().any(|entity| {
        entity
            .references()
            .any(|(_, reference)| reference.delete_rule().on_delete().is_some())
    }) || !descriptor.join_tables().is_empty()
}

/// The references of the store that point at no record, as
/// `PRAGMA foreign_key_check` finds them: at most `limit` of them.
pub fn dangling_references(
    conn: &Connection,
    limit: usize,
) -> rusqlite::Result<Vec<DanglingReference>> {
    let mut check = conn.prepare(sql::FOREIGN_KEY_CHECK)?;
    let found: Vec<(String, Option<i64>, String, String)> = check
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?
        .take(limit)
        .collect::<rusqlite::Result<_>>()?;
    found
        .into_iter()
        .map(|(table, rowid, parent, column)| {
            let Some(rowid) = rowid else {
                // A join table (WITHOUT ROWID): a link has no record id.
                return Ok(DanglingReference {
                    entity: table,
                    record: None,
                    relationship: column,
                    target: parent,
                    missing: None,
                });
            };
            let missing: rusqlite::types::Value =
                conn.query_row(&sql::select_by_rowid(&table, &column), [rowid], |row| {
                    row.get(0)
                })?;
            Ok(DanglingReference {
                entity: table,
                record: Some(rowid),
                relationship: column,
                target: parent,
                missing: Some(missing),
            })
        })
        .collect()
}

/// A foreign key as compared: (column, parent table, `ON DELETE` action), lowercase names.
type ForeignKey = (String, String, String);

/// Reports the foreign keys of `table` that differ from `expected`.
fn foreign_key_drift(
    conn: &Connection,
    table: &str,
    expected: &BTreeSet<ForeignKey>,
    out: &mut Vec<Drift>,
) -> rusqlite::Result<()> {
    let mut statement = conn.prepare(&sql::foreign_key_list(table))?;
    let actual: BTreeSet<ForeignKey> = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(3)?.to_lowercase(),
                row.get::<_, String>(2)?.to_lowercase(),
                row.get::<_, String>(6)?.to_uppercase(),
            ))
        })?
        .collect::<Result<_, _>>()?;
    for (column, parent, action) in expected.difference(&actual) {
        out.push(Drift::MissingForeignKey {
            table: table.to_owned(),
            column: column.clone(),
            target: parent.clone(),
            on_delete: action.clone(),
        });
    }
    for (column, parent, action) in actual.difference(expected) {
        out.push(Drift::UnexpectedForeignKey {
            table: table.to_owned(),
            column: column.clone(),
            target: parent.clone(),
            on_delete: action.clone(),
        });
    }
    Ok(())
}
