//! [`AdoptionMismatch`]: one way a database staged did not create differs
//! from the schema that would adopt it.

use std::fmt;

/// One difference between a SQLite database staged did not create and the
/// schema asked to adopt it (see
/// [`ModelContainerBuilder::adopt`](crate::ModelContainerBuilder::adopt)).
/// [`StoreError::AdoptionMismatch`](crate::StoreError::AdoptionMismatch)
/// lists every one of them; each displays as a sentence naming the table and
/// column and saying what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdoptionMismatch {
    /// The schema declares an entity the database has no table for.
    MissingTable {
        /// The entity (the table it expects).
        entity: String,
    },
    /// The database has a table the schema declares no entity for.
    UnexpectedTable {
        /// The table.
        table: String,
    },
    /// The schema declares an attribute the table has no column for.
    MissingColumn {
        /// The entity.
        entity: String,
        /// The attribute (the column it expects).
        column: String,
    },
    /// The table has a column the schema declares no attribute for.
    UnexpectedColumn {
        /// The entity.
        entity: String,
        /// The column.
        column: String,
    },
    /// A column's declared type does not store the attribute's type.
    WrongType {
        /// The entity.
        entity: String,
        /// The column.
        column: String,
        /// The type the table declares (empty when it declares none).
        declared: String,
        /// The SQLite type staged declares for the attribute.
        expected: &'static str,
    },
    /// A column is `NOT NULL` where the attribute is optional, or the
    /// reverse.
    Nullability {
        /// The entity.
        entity: String,
        /// The column.
        column: String,
        /// Whether the column is `NOT NULL`.
        not_null: bool,
    },
    /// The table's primary key has several columns and no compound
    /// `#[model(unique(…))]` of the entity covers them.
    CompoundPrimaryKey {
        /// The entity.
        entity: String,
        /// The key's columns, in key order.
        columns: Vec<String>,
    },
    /// A table's `INTEGER PRIMARY KEY` is declared as an attribute: it
    /// becomes the record id, which models do not declare.
    IdDeclared {
        /// The entity.
        entity: String,
        /// The `INTEGER PRIMARY KEY` column.
        column: String,
    },
    /// The table has a uniqueness (its primary key, a `UNIQUE` constraint
    /// or a unique index) that the schema does not declare.
    UndeclaredUnique {
        /// The entity.
        entity: String,
        /// The index or constraint, as SQLite names it.
        index: String,
        /// Its columns (empty for an index on expressions).
        columns: Vec<String>,
        /// Whether the index is partial (has a `WHERE` clause).
        partial: bool,
    },
    /// A foreign key the schema does not declare as a to-one (on that
    /// column, to that entity's id): the rebuilt table would not keep it.
    UndeclaredForeignKey {
        /// The entity.
        entity: String,
        /// The referring column.
        column: String,
        /// The table the key refers to.
        target: String,
    },
    /// A trigger on a table: staged rebuilds adopted tables and does not
    /// keep triggers.
    Trigger {
        /// The table.
        table: String,
        /// The trigger.
        trigger: String,
    },
    /// Values of a column that staged cannot read as the attribute's type
    /// (SQLite keeps any value in any column of a table that is not
    /// `STRICT`).
    Values {
        /// The entity.
        entity: String,
        /// The column.
        column: String,
        /// What staged reads there, e.g. "integers from 0 to 1".
        expected: String,
        /// How many rows hold another value.
        rows: u64,
        /// The id of one of them (its rowid, or its `INTEGER PRIMARY KEY`;
        /// `None` in a `WITHOUT ROWID` table).
        example: Option<i64>,
    },
    /// Rows sharing a value of an attribute the schema declares unique.
    Duplicates {
        /// The entity.
        entity: String,
        /// The column.
        column: String,
        /// How many rows share their value with another row.
        rows: u64,
        /// The id of one of them (`None` in a `WITHOUT ROWID` table).
        example: Option<i64>,
    },
    /// References to a record that does not exist, in a column the schema
    /// declares as a to-one with a delete rule SQLite enforces.
    DanglingReferences {
        /// The entity.
        entity: String,
        /// The column.
        column: String,
        /// The entity it refers to.
        target: String,
        /// How many rows refer to a missing record.
        rows: u64,
        /// The id of one of them (`None` in a `WITHOUT ROWID` table).
        example: Option<i64>,
    },
}

impl fmt::Display for AdoptionMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdoptionMismatch::MissingTable { entity } => write!(
                f,
                "missing table `{entity}`: create it, or remove the entity from the adopted schema"
            ),
            AdoptionMismatch::UnexpectedTable { table } => write!(
                f,
                "unexpected table `{table}`: declare a model for it in the adopted schema (a later \
                 version can remove it on purpose), or move its data out of the database first"
            ),
            AdoptionMismatch::MissingColumn { entity, column } => write!(
                f,
                "`{entity}`: missing column `{column}`: add the column, or remove the attribute \
                 from the adopted schema"
            ),
            AdoptionMismatch::UnexpectedColumn { entity, column } => write!(
                f,
                "`{entity}`: unexpected column `{column}`: declare an attribute for it in the \
                 adopted schema"
            ),
            AdoptionMismatch::WrongType {
                entity,
                column,
                declared,
                expected,
            } => write!(
                f,
                "`{entity}.{column}`: column type is `{declared}`, the attribute is stored as \
                 {expected}: give the attribute a type stored as `{declared}` in the adopted \
                 schema (a later version can change it in a custom stage)"
            ),
            AdoptionMismatch::Nullability {
                entity,
                column,
                not_null,
            } => {
                if *not_null {
                    write!(
                        f,
                        "`{entity}.{column}`: column is NOT NULL, the attribute is optional: make \
                         the attribute required in the adopted schema"
                    )
                } else {
                    write!(
                        f,
                        "`{entity}.{column}`: column is nullable, the attribute is required: make \
                         the attribute an `Option` in the adopted schema (a later version can \
                         make it required with a default)"
                    )
                }
            }
            AdoptionMismatch::CompoundPrimaryKey { entity, columns } => write!(
                f,
                "`{entity}`: primary key on several columns ({}): the record id replaces it, \
                 and its uniqueness stays when the adopted schema declares it: add \
                 `#[model(unique({}))]` to `{entity}` (naming the fields stored in those columns)",
                columns.join(", "),
                columns.join(", ")
            ),
            AdoptionMismatch::IdDeclared { entity, column } => write!(
                f,
                "`{entity}.{column}` is the table's INTEGER PRIMARY KEY: it becomes the record \
                 id (`PersistentId`, kept as it is), so remove the attribute from the adopted \
                 schema"
            ),
            AdoptionMismatch::UndeclaredUnique {
                entity,
                index,
                columns,
                partial,
            } => {
                write!(f, "`{entity}`: `{index}` makes ")?;
                match columns.as_slice() {
                    [] => write!(f, "an expression unique")?,
                    [column] => write!(f, "`{column}` unique")?,
                    columns => write!(f, "({}) unique together", columns.join(", "))?,
                }
                if *partial {
                    write!(f, " for some rows")?;
                }
                match (columns.as_slice(), partial) {
                    ([column], false) => write!(
                        f,
                        ": declare `#[attribute(unique)]` on `{entity}.{column}` in the adopted schema"
                    ),
                    ([_, _, ..], false) => write!(
                        f,
                        ": declare `#[model(unique({}))]` on `{entity}` in the adopted schema \
                         (naming the fields stored in those columns)",
                        columns.join(", ")
                    ),
                    _ => write!(
                        f,
                        ": staged cannot declare this uniqueness (unique constraints on \
                         expressions or on some rows are not supported); drop the index before \
                         adopting"
                    ),
                }
            }
            AdoptionMismatch::UndeclaredForeignKey {
                entity,
                column,
                target,
            } => write!(
                f,
                "`{entity}.{column}` has a foreign key to `{target}` that the adopted schema does \
                 not declare: declare the attribute as a to-one (`Ref<…>`) of `{target}` when it \
                 holds its ids, or drop the foreign key before adopting"
            ),
            AdoptionMismatch::Trigger { table, trigger } => write!(
                f,
                "`{table}` has trigger `{trigger}`: staged rebuilds adopted tables and does not \
                 keep triggers; drop it before adopting (and do its work in the app)"
            ),
            AdoptionMismatch::Values {
                entity,
                column,
                expected,
                rows,
                example,
            } => write!(
                f,
                "`{entity}.{column}`: {rows} row(s) hold values that are not {expected}{}: fix \
                 those rows, or give the attribute a type that holds them",
                example_row(*example)
            ),
            AdoptionMismatch::DanglingReferences {
                entity,
                column,
                target,
                rows,
                example,
            } => write!(
                f,
                "`{entity}.{column}`: {rows} row(s) refer to a `{target}` record that does not \
                 exist{}: fix those rows, or make the relationship's delete rule `no_action`",
                example_row(*example)
            ),
            AdoptionMismatch::Duplicates {
                entity,
                column,
                rows,
                example,
            } => write!(
                f,
                "`{entity}.{column}` is unique in the adopted schema but {rows} row(s) share a \
                 value with another row{}: fix those rows, or make the attribute not unique",
                example_row(*example)
            ),
        }
    }
}

fn example_row(example: Option<i64>) -> String {
    example
        .map(|id| format!(" (e.g. row {id})"))
        .unwrap_or_default()
}
