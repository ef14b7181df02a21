//! What the checks after a migration find: [`Drift`] between the store's
//! tables and the schema, and [`DanglingReference`]s.

use std::fmt;

use rusqlite::types::Value;

use crate::schema::ID_COLUMN;

/// One difference between a store's tables and the schema it should be at,
/// as [`MigrationError::SchemaDrift`](super::MigrationError::SchemaDrift)
/// lists them. Column order and `DEFAULT` clauses are not compared.
///
/// The names in index and foreign key differences are lowercase (SQLite
/// compares names without case).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Drift {
    /// A table the schema does not have (neither an entity's, a join
    /// table's, nor one of staged's own).
    UnexpectedTable {
        /// The table, as the store names it.
        table: String,
    },
    /// An entity without its table.
    MissingTable {
        /// The entity.
        entity: String,
    },
    /// An entity table whose id column is not its `INTEGER PRIMARY KEY`.
    IdNotPrimaryKey {
        /// The entity.
        entity: String,
    },
    /// An attribute without its column.
    MissingColumn {
        /// The entity.
        entity: String,
        /// The attribute.
        attribute: String,
    },
    /// A column whose declared type is not its attribute's.
    ColumnType {
        /// The entity.
        entity: String,
        /// The attribute.
        attribute: String,
        /// The column's declared type.
        actual: String,
        /// The type the attribute's column has (e.g. `INTEGER`).
        expected: String,
    },
    /// A column that is `NOT NULL` where its attribute is optional, or
    /// nullable where it is required.
    ColumnNullability {
        /// The entity.
        entity: String,
        /// The attribute.
        attribute: String,
        /// Whether the column is `NOT NULL` (the attribute wants the opposite).
        not_null: bool,
    },
    /// A column no attribute has.
    UnexpectedColumn {
        /// The entity.
        entity: String,
        /// The column.
        column: String,
    },
    /// An index SQLite made for a constraint of the table's definition
    /// (`UNIQUE` or `PRIMARY KEY` on a column); staged makes every index itself.
    UnexpectedConstraintIndex {
        /// The entity.
        entity: String,
        /// The index.
        index: String,
    },
    /// A unique or plain index of an attribute that the store lacks.
    MissingIndex {
        /// The entity.
        entity: String,
        /// The indexed column (the columns, joined by `, `, of a compound constraint).
        column: String,
        /// The index staged names it with.
        index: String,
        /// Whether it is the attribute's unique index (otherwise its plain index).
        unique: bool,
    },
    /// An index the schema does not have.
    UnexpectedIndex {
        /// The entity.
        entity: String,
        /// The indexed column (the columns, joined by `, `, of a compound index).
        column: String,
        /// The index.
        index: String,
    },
    /// A many-to-many without its join table.
    MissingJoinTable {
        /// The join table.
        table: String,
        /// The entity that owns the relationship.
        entity: String,
        /// The relationship.
        relationship: String,
    },
    /// A foreign key the schema has and the table lacks.
    MissingForeignKey {
        /// The table (an entity's or a join table's).
        table: String,
        /// The referring column.
        column: String,
        /// The referenced table.
        target: String,
        /// The `ON DELETE` action (e.g. `CASCADE`).
        on_delete: String,
    },
    /// A foreign key the table has and the schema does not.
    UnexpectedForeignKey {
        /// The table (an entity's or a join table's).
        table: String,
        /// The referring column.
        column: String,
        /// The referenced table.
        target: String,
        /// The `ON DELETE` action (e.g. `CASCADE`).
        on_delete: String,
    },
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nullability = |not_null: bool| if not_null { "NOT NULL" } else { "nullable" };
        match self {
            Drift::UnexpectedTable { table } => write!(f, "unexpected table `{table}`"),
            Drift::MissingTable { entity } => write!(f, "missing table `{entity}`"),
            Drift::IdNotPrimaryKey { entity } => {
                write!(
                    f,
                    "`{entity}`: `{ID_COLUMN}` is not the INTEGER PRIMARY KEY"
                )
            }
            Drift::MissingColumn { entity, attribute } => {
                write!(f, "`{entity}`: missing column `{attribute}`")
            }
            Drift::ColumnType {
                entity,
                attribute,
                actual,
                expected,
            } => write!(
                f,
                "`{entity}.{attribute}`: column type is {actual}, expected {expected}"
            ),
            Drift::ColumnNullability {
                entity,
                attribute,
                not_null,
            } => write!(
                f,
                "`{entity}.{attribute}`: column is {}, expected {}",
                nullability(*not_null),
                nullability(!*not_null)
            ),
            Drift::UnexpectedColumn { entity, column } => {
                write!(f, "`{entity}`: unexpected column `{column}`")
            }
            Drift::UnexpectedConstraintIndex { entity, index } => {
                write!(f, "`{entity}`: unexpected constraint index `{index}`")
            }
            Drift::MissingIndex {
                entity,
                column,
                index,
                unique,
            } => write!(
                f,
                "`{entity}.{column}`: missing {} `{index}`",
                if *unique { "unique index" } else { "index" }
            ),
            Drift::UnexpectedIndex {
                entity,
                column,
                index,
            } => write!(f, "`{entity}.{column}`: unexpected index `{index}`"),
            Drift::MissingJoinTable {
                table,
                entity,
                relationship,
            } => write!(
                f,
                "missing join table `{table}` of `{entity}.{relationship}`"
            ),
            Drift::MissingForeignKey {
                table,
                column,
                target,
                on_delete,
            } => write!(
                f,
                "`{table}.{column}`: missing foreign key to `{target}` ON DELETE {on_delete}"
            ),
            Drift::UnexpectedForeignKey {
                table,
                column,
                target,
                on_delete,
            } => write!(
                f,
                "`{table}.{column}`: unexpected foreign key to `{target}` ON DELETE {on_delete}"
            ),
        }
    }
}

/// A reference that points at no record, as
/// [`MigrationError::DanglingReferences`](super::MigrationError::DanglingReferences)
/// lists them.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DanglingReference {
    /// The table of the referring row: an entity's, or the join table of a
    /// many-to-many.
    pub entity: String,
    /// The referring record; `None` for a link of a join table (links have
    /// no record id).
    pub record: Option<i64>,
    /// The referring column: a to-one attribute, or a join table's
    /// `source` or `target` column.
    pub relationship: String,
    /// The entity referred to.
    pub target: String,
    /// The value the record's column holds (the id of a record of `target`
    /// that does not exist); `None` for a link of a join table.
    pub missing: Option<Value>,
}

impl fmt::Display for DanglingReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let DanglingReference {
            entity,
            record,
            relationship,
            target,
            missing,
        } = self;
        match (record, missing) {
            (Some(record), Some(missing)) => {
                write!(
                    f,
                    "`{entity}` record {record} refers through `{relationship}` to `{target}` record "
                )?;
                match missing {
                    Value::Integer(id) => write!(f, "{id}")?,
                    other => write!(f, "{other:?}")?,
                }
                f.write_str(", which does not exist")
            }
            // A join table (WITHOUT ROWID): name the link's column only.
            _ => write!(
                f,
                "a link in `{entity}` refers through `{relationship}` to a `{target}` record that does not exist"
            ),
        }
    }
}
