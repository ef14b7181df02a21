//! Comparing a database staged did not create with a schema: every
//! mismatch, or the tables to rebuild and where their ids are.

use rusqlite::Connection;

use crate::error::AdoptionMismatch;
use crate::schema::{AttributeDescriptor, AttributeType, EntityDescriptor, SchemaDescriptor};
use crate::sql::{self, JOIN_SOURCE, JOIN_TARGET};

/// A column of a database table, as `PRAGMA table_xinfo` lists it.
#[derive(Debug, Clone)]
struct Column {
    name: String,
    declared: String,
    not_null: bool,
    /// Position in the primary key (1-based), 0 when not part of it.
    pk: i64,
}

/// A table of the database, as `PRAGMA table_list` lists it.
#[derive(Debug, Clone)]
struct Table {
    name: String,
    without_rowid: bool,
    columns: Vec<Column>,
}

impl Table {
    fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// The primary key's columns, in key order.
    fn primary_key(&self) -> Vec<&Column> {
        let mut key: Vec<&Column> = self.columns.iter().filter(|c| c.pk > 0).collect();
        key.sort_by_key(|c| c.pk);
        key
    }

    /// Where the table's record ids are: its `INTEGER PRIMARY KEY` column
    /// (an alias of the rowid), the rowid under a name no column takes, or
    /// nowhere (`WITHOUT ROWID`).
    fn ids(&self) -> Ids {
        if self.without_rowid {
            return Ids::Fresh;
        }
        if let [key] = self.primary_key()[..]
            && key.declared.eq_ignore_ascii_case("INTEGER")
        {
            return Ids::Column(key.name.clone());
        }
        ["rowid", "_rowid_", "oid"]
            .into_iter()
            .find(|name| self.column(name).is_none())
            .map_or(Ids::Fresh, |name| Ids::Rowid(name.to_owned()))
    }
}

/// Where an adopted table's record ids come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Ids {
    /// Its `INTEGER PRIMARY KEY` column.
    Column(String),
    /// Its rowid, read under this name.
    Rowid(String),
    /// None: rows get new ids.
    Fresh,
}

impl Ids {
    /// The column ids are read from, if any.
    pub(super) fn column(&self) -> Option<&str> {
        match self {
            Ids::Column(name) | Ids::Rowid(name) => Some(name),
            Ids::Fresh => None,
        }
    }

    /// The ids as an SQL expression (`NULL` when there are none).
    fn expression(&self) -> String {
        self.column()
            .map_or_else(|| "NULL".to_owned(), sql::quote_ident)
    }
}

/// One table to rebuild, once [`examine`] found no mismatch.
#[derive(Debug, Clone)]
pub(super) struct Rebuild {
    /// The table's name in the database.
    pub(super) table: String,
    pub(super) ids: Ids,
    /// The primary key's columns (rows without ids are copied in this order).
    pub(super) key: Vec<String>,
}

/// What [`examine`] found: every mismatch, and the tables to rebuild.
#[derive(Debug, Default)]
pub(super) struct Examined {
    pub(crate) mismatches: Vec<AdoptionMismatch>,
    pub(super) entities: Vec<Rebuild>,
    pub(super) joins: Vec<Rebuild>,
}

/// Every table of the database except SQLite's own and views.
fn tables(conn: &Connection) -> rusqlite::Result<(Vec<Table>, Vec<String>)> {
    let listed: Vec<(String, String, bool)> = conn
        .prepare(sql::TABLE_LIST)?
        .query_map([], |row| {
            Ok((row.get(1)?, row.get(2)?, row.get::<_, i64>(4)? != 0))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    let mut others = Vec::new();
    for (name, kind, without_rowid) in listed {
        let prefix = staged_vocabulary::SQLITE_PREFIX;
        if name
            .get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
            || kind == "view"
        {
            continue;
        }
        if kind != "table" {
            // Virtual tables and their shadow tables.
            others.push(name);
            continue;
        }
        let columns = conn
            .prepare(&sql::table_xinfo(&name))?
            .query_map([], |row| {
                Ok(Column {
                    name: row.get(1)?,
                    declared: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    not_null: row.get::<_, i64>(3)? != 0,
                    pk: row.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        out.push(Table {
            name,
            without_rowid,
            columns,
        });
    }
    Ok((out, others))
}

/// SQLite's type affinity of a declared column type (section 3.1 of
/// "Datatypes In SQLite").
fn affinity(declared: &str) -> &'static str {
    let upper = declared.to_ascii_uppercase();
    if upper.contains("INT") {
        "INTEGER"
    } else if ["CHAR", "CLOB", "TEXT"].iter().any(|t| upper.contains(t)) {
        "TEXT"
    } else if upper.contains("BLOB") || upper.trim().is_empty() {
        "BLOB"
    } else if ["REAL", "FLOA", "DOUB"].iter().any(|t| upper.contains(t)) {
        "REAL"
    } else {
        "NUMERIC"
    }
}

/// Whether a column declared `declared` can hold an attribute stored as
/// `expected`: the same affinity, a column without a type, or a `NUMERIC`
/// one (`BOOLEAN`, `DATETIME`, `DECIMAL`…) for a number. The values
/// themselves are checked separately.
fn type_fits(declared: &str, expected: &str) -> bool {
    let affinity = affinity(declared);
    affinity == expected
        || declared.trim().is_empty()
        || (affinity == "NUMERIC" && matches!(expected, "INTEGER" | "REAL"))
}

/// What staged reads in a column of this type, for messages.
fn readable(ty: AttributeType) -> String {
    match (ty.sql_type(), ty.integer_range()) {
        (_, Some((low, high))) if (low, high) != (i64::MIN, i64::MAX) => {
            format!("integers from {low} to {high}")
        }
        ("INTEGER", _) => "integers".to_owned(),
        ("REAL", _) => "numbers".to_owned(),
        ("TEXT", _) if ty == AttributeType::Json => "JSON text".to_owned(),
        ("TEXT", _) => "text".to_owned(),
        _ => "blobs".to_owned(),
    }
}

/// Runs a `count_*` query: `(rows, smallest id)`.
fn count(conn: &Connection, query: &str) -> rusqlite::Result<(u64, Option<i64>)> {
    conn.query_row(query, [], |row| {
        Ok((row.get::<_, i64>(0)?.max(0) as u64, row.get(1)?))
    })
}

/// Compares the database behind `conn` with `descriptor`: every mismatch
/// (tables, columns, types, nullability, keys, uniqueness, triggers, and
/// values staged could not read), and the tables to rebuild when there is
/// none. Reads only.
pub(super) fn examine(
    conn: &Connection,
    descriptor: &SchemaDescriptor,
) -> rusqlite::Result<Examined> {
    let (tables, others) = tables(conn)?;
    let mut out = Examined::default();
    let joins = descriptor.join_tables();
    for table in &tables {
        let expected = descriptor.entity(&table.name).is_some()
            || descriptor
                .entities()
                .iter()
                .any(|e| e.name().eq_ignore_ascii_case(&table.name))
            || joins
                .iter()
                .any(|j| j.name.eq_ignore_ascii_case(&table.name));
        if !expected {
            out.mismatches.push(AdoptionMismatch::UnexpectedTable {
                table: table.name.clone(),
            });
        }
    }
    for table in others {
        out.mismatches
            .push(AdoptionMismatch::UnexpectedTable { table });
    }
    let triggers: Vec<(String, String)> = conn
        .prepare(sql::SELECT_TRIGGERS)?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    out.mismatches.extend(
        triggers
            .into_iter()
            .map(|(table, trigger)| AdoptionMismatch::Trigger { table, trigger }),
    );
    for entity in descriptor.entities() {
        let Some(table) = find(&tables, entity.name()) else {
            out.mismatches.push(AdoptionMismatch::MissingTable {
                entity: entity.name().to_owned(),
            });
            continue;
        };
        let ids = table.ids();
        let key = table.primary_key();
        let entity_table = EntityTable {
            conn,
            tables: &tables,
            entity,
            table,
            ids: &ids,
        };
        entity_table.key(&key, &mut out.mismatches);
        entity_table.columns(&mut out.mismatches)?;
        for attribute in entity.attributes() {
            entity_table.attribute(attribute, &mut out.mismatches)?;
        }
        out.entities.push(Rebuild {
            table: table.name.clone(),
            ids,
            key: key.iter().map(|c| c.name.clone()).collect(),
        });
    }
    for join in &joins {
        join_table(&tables, &join.name, &mut out);
    }
    Ok(out)
}

/// The table named `name`, whatever its case.
fn find<'t>(tables: &'t [Table], name: &str) -> Option<&'t Table> {
    tables.iter().find(|t| t.name.eq_ignore_ascii_case(name))
}

/// An entity of the schema and the database table that holds it.
struct EntityTable<'a> {
    conn: &'a Connection,
    tables: &'a [Table],
    entity: &'a EntityDescriptor,
    table: &'a Table,
    ids: &'a Ids,
}

impl EntityTable<'_> {
    fn name(&self) -> String {
        self.entity.name().to_owned()
    }

    fn declares(&self, column: &str) -> bool {
        self.entity
            .attributes()
            .iter()
            .any(|a| a.name().eq_ignore_ascii_case(column))
    }

    /// Whether a compound `#[model(unique(…))]` of the entity covers exactly
    /// `columns` (in any order).
    fn declares_unique_together(&self, columns: &[String]) -> bool {
        self.entity.constraints().iter().any(|constraint| {
            constraint.is_unique()
                && constraint.attributes().len() == columns.len()
                && constraint
                    .attributes()
                    .all(|a| columns.iter().any(|c| c.eq_ignore_ascii_case(a)))
        })
    }

    /// The primary key: the ids' column (not declared as an attribute), a
    /// declared unique attribute, or nothing staged can keep.
    fn key(&self, key: &[&Column], mismatches: &mut Vec<AdoptionMismatch>) {
        match key {
            [] => {}
            [column] if *self.ids == Ids::Column(column.name.clone()) => {
                if self.declares(&column.name) {
                    mismatches.push(AdoptionMismatch::IdDeclared {
                        entity: self.name(),
                        column: column.name.clone(),
                    });
                }
            }
            [column] => {
                if self
                    .entity
                    .attributes()
                    .iter()
                    .any(|a| a.name().eq_ignore_ascii_case(&column.name) && !a.is_unique())
                {
                    mismatches.push(AdoptionMismatch::UndeclaredUnique {
                        entity: self.name(),
                        index: "PRIMARY KEY".to_owned(),
                        columns: vec![column.name.clone()],
                        partial: false,
                    });
                }
            }
            columns => {
                let columns: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
                if !self.declares_unique_together(&columns) {
                    mismatches.push(AdoptionMismatch::CompoundPrimaryKey {
                        entity: self.name(),
                        columns,
                    });
                }
            }
        }
    }

    /// Columns no attribute declares, foreign keys that are not a declared
    /// to-one, unique indexes that are not a declared unique attribute.
    fn columns(&self, mismatches: &mut Vec<AdoptionMismatch>) -> rusqlite::Result<()> {
        let table = self.table;
        for column in &table.columns {
            let is_id = self.ids.column() == Some(column.name.as_str()) && column.pk > 0;
            if !is_id && !self.declares(&column.name) {
                mismatches.push(AdoptionMismatch::UnexpectedColumn {
                    entity: self.name(),
                    column: column.name.clone(),
                });
            }
        }
        for (column, parent, parent_column) in foreign_keys(self.conn, &table.name)? {
            // Kept only as the to-one the schema declares on that column.
            let declared = self.entity.attributes().iter().any(|a| {
                a.name().eq_ignore_ascii_case(&column)
                    && a.reference().is_some_and(|r| {
                        r.target().eq_ignore_ascii_case(&parent)
                            && find(self.tables, &parent).is_some_and(|p| {
                                match (&parent_column, p.ids()) {
                                    (None, _) => true,
                                    (Some(c), Ids::Column(id)) => c.eq_ignore_ascii_case(&id),
                                    _ => false,
                                }
                            })
                    })
            });
            if !declared {
                mismatches.push(AdoptionMismatch::UndeclaredForeignKey {
                    entity: self.name(),
                    column,
                    target: parent,
                });
            }
        }
        for (index, columns, partial) in unique_indexes(self.conn, &table.name)? {
            let declared = match &columns[..] {
                _ if partial => false,
                [column] => self
                    .entity
                    .attributes()
                    .iter()
                    .any(|a| a.name().eq_ignore_ascii_case(column) && a.is_unique()),
                columns => self.declares_unique_together(columns),
            };
            if !declared {
                mismatches.push(AdoptionMismatch::UndeclaredUnique {
                    entity: self.name(),
                    index,
                    columns,
                    partial,
                });
            }
        }
        Ok(())
    }

    /// The column of one attribute: present, of a fitting type and
    /// nullability, its values readable, unique and referencing as declared.
    fn attribute(
        &self,
        attribute: &AttributeDescriptor,
        mismatches: &mut Vec<AdoptionMismatch>,
    ) -> rusqlite::Result<()> {
        let table = self.table;
        let Some(column) = table.column(attribute.name()) else {
            mismatches.push(AdoptionMismatch::MissingColumn {
                entity: self.name(),
                column: attribute.name().to_owned(),
            });
            return Ok(());
        };
        if self.ids.column() == Some(column.name.as_str()) && column.pk > 0 {
            return Ok(()); // `IdDeclared` already
        }
        let expected = attribute.ty().sql_type();
        if !type_fits(&column.declared, expected) {
            mismatches.push(AdoptionMismatch::WrongType {
                entity: self.name(),
                column: column.name.clone(),
                declared: column.declared.clone(),
                expected,
            });
            return Ok(());
        }
        if column.not_null == attribute.is_optional() && column.pk == 0 {
            mismatches.push(AdoptionMismatch::Nullability {
                entity: self.name(),
                column: column.name.clone(),
                not_null: column.not_null,
            });
        }
        let id_expression = self.ids.expression();
        let fits = sql::value_fits(
            &column.name,
            expected,
            attribute.ty().integer_range(),
            attribute.ty() == AttributeType::Json,
        );
        let (rows, example) = count(
            self.conn,
            &sql::count_misfits(&table.name, &column.name, &id_expression, &fits),
        )?;
        if rows > 0 {
            mismatches.push(AdoptionMismatch::Values {
                entity: self.name(),
                column: column.name.clone(),
                expected: readable(attribute.ty()),
                rows,
                example,
            });
            return Ok(());
        }
        if attribute.is_unique() {
            let (rows, example) = count(
                self.conn,
                &sql::count_duplicates(&table.name, &column.name, &id_expression),
            )?;
            if rows > 0 {
                mismatches.push(AdoptionMismatch::Duplicates {
                    entity: self.name(),
                    column: column.name.clone(),
                    rows,
                    example,
                });
            }
        }
        self.references(attribute, column, mismatches)
    }

    /// The rows of a to-one's column whose record cannot be found.
    fn references(
        &self,
        attribute: &AttributeDescriptor,
        column: &Column,
        mismatches: &mut Vec<AdoptionMismatch>,
    ) -> rusqlite::Result<()> {
        let (Some(reference), table) = (attribute.reference(), self.table) else {
            return Ok(());
        };
        let Some(target) = find(self.tables, reference.target()) else {
            return Ok(());
        };
        let id_expression = self.ids.expression();
        let query = match target.ids() {
            // Enforced rules: every reference must find its record.
            Ids::Column(id) | Ids::Rowid(id) if reference.delete_rule().on_delete().is_some() => {
                sql::count_dangling(&table.name, &column.name, &id_expression, &target.name, &id)
            }
            Ids::Column(_) | Ids::Rowid(_) => return Ok(()),
            // Its rows get new ids: no stored reference can follow them.
            Ids::Fresh => sql::count_misfits(&table.name, &column.name, &id_expression, "0"),
        };
        let (rows, example) = count(self.conn, &query)?;
        if rows > 0 {
            mismatches.push(AdoptionMismatch::DanglingReferences {
                entity: self.name(),
                column: column.name.clone(),
                target: reference.target().to_owned(),
                rows,
                example,
            });
        }
        Ok(())
    }
}

/// A many-to-many's join table: present, with exactly its two columns.
fn join_table(tables: &[Table], name: &str, out: &mut Examined) {
    let Some(table) = find(tables, name) else {
        out.mismatches.push(AdoptionMismatch::MissingTable {
            entity: name.to_owned(),
        });
        return;
    };
    for column in [JOIN_SOURCE, JOIN_TARGET] {
        if table.column(column).is_none() {
            out.mismatches.push(AdoptionMismatch::MissingColumn {
                entity: name.to_owned(),
                column: column.to_owned(),
            });
        }
    }
    for column in &table.columns {
        if ![JOIN_SOURCE, JOIN_TARGET]
            .iter()
            .any(|c| c.eq_ignore_ascii_case(&column.name))
        {
            out.mismatches.push(AdoptionMismatch::UnexpectedColumn {
                entity: name.to_owned(),
                column: column.name.clone(),
            });
        }
    }
    out.joins.push(Rebuild {
        table: table.name.clone(),
        ids: Ids::Fresh,
        key: Vec::new(),
    });
}

/// The foreign keys of `table` on one column: (column, parent table,
/// parent column, `None` for the parent's primary key). A key on several
/// columns is listed once per column.
fn foreign_keys(
    conn: &Connection,
    table: &str,
) -> rusqlite::Result<Vec<(String, String, Option<String>)>> {
    conn.prepare(&sql::foreign_key_list(table))?
        .query_map([], |row| Ok((row.get(3)?, row.get(2)?, row.get(4)?)))?
        .collect()
}

/// The unique indexes of `table` other than its primary key: (name,
/// columns, partial). An index on expressions has no column names.
fn unique_indexes(
    conn: &Connection,
    table: &str,
) -> rusqlite::Result<Vec<(String, Vec<String>, bool)>> {
    let listed: Vec<(String, bool, String, bool)> = conn
        .prepare(&sql::index_list(table))?
        .query_map([], |row| {
            Ok((
                row.get(1)?,
                row.get::<_, i64>(2)? != 0,
                row.get(3)?,
                row.get::<_, i64>(4)? != 0,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (name, unique, origin, partial) in listed {
        if !unique || origin == "pk" {
            continue;
        }
        let columns: Vec<Option<String>> = conn
            .prepare(&sql::index_info(&name))?
            .query_map([], |row| row.get(2))?
            .collect::<rusqlite::Result<_>>()?;
        let columns = if columns.iter().any(Option::is_none) {
            Vec::new()
        } else {
            columns.into_iter().flatten().collect()
        };
        out.push((name, columns, partial));
    }
    Ok(out)
}
