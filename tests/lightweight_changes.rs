//! One lightweight migration per kind of change, each on a real file with rows.
//!
//! Every case seeds the same `v1` store (ids 1, 2 and 4: row 3 is deleted so
//! that kept ids are visible), migrates it to its own `v2` (or through a
//! chain), and checks every row of every table, the tables' columns and
//! indexes as SQLite reports them, the rows the migration rewrote
//! (`_staged_history.rows_touched`, 0 when no table was rebuilt) and the kind
//! of every lowered statement: `ADD COLUMN` and the other in-place
//! `ALTER TABLE`s where SQLite allows them, one rebuild per table otherwise.

mod common;

use std::path::Path;

use common::plans;
use common::sql::{columns, history, i, indexes, integrity, rows, t, user_tables};
use common::store::TempStore;
use staged::prelude::*;
use staged::rusqlite::types::Value;
use staged_runtime::__internals::inference::{self, Statement};
use staged_runtime::__internals::sql;

// ---------------------------------------------------------------------------
// Schemas: one `v1`, one `v2_*` per change
// ---------------------------------------------------------------------------

#[versioned_schema(version = "1.0.0")]
mod v1 {
    #[model]
    pub struct Item {
        pub name: String,
        pub note: Option<String>,
        pub count: i32,
        pub ratio: f32,
        #[attribute(unique)]
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2_add_entity {
    #[model]
    pub struct Item {
        pub name: String,
        pub note: Option<String>,
        pub count: i32,
        pub ratio: f32,
        #[attribute(unique)]
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }

    #[model]
    pub struct Folder {
        #[attribute(unique)]
        pub title: String,
        #[attribute(default = 0)]
        pub rank: i64,
    }
}

#[versioned_schema(version = "2.0.0", removed(Tag))]
mod v2_remove_entity {
    #[model]
    pub struct Item {
        pub name: String,
        pub note: Option<String>,
        pub count: i32,
        pub ratio: f32,
        #[attribute(unique)]
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2_rename_entity {
    #[model(original_name = "Item")]
    pub struct Thing {
        pub name: String,
        pub note: Option<String>,
        pub count: i32,
        pub ratio: f32,
        #[attribute(unique)]
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2_add_optional {
    #[model]
    pub struct Item {
        pub name: String,
        pub note: Option<String>,
        pub count: i32,
        pub ratio: f32,
        #[attribute(unique)]
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
        pub due: Option<i64>,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2_add_required_with_default {
    #[model]
    pub struct Item {
        pub name: String,
        pub note: Option<String>,
        pub count: i32,
        pub ratio: f32,
        #[attribute(unique)]
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
        #[attribute(default = 3)]
        pub priority: i64,
        #[attribute(default = "it's new")]
        pub kind: String,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2_remove_attribute {
    #[model(removed(note))]
    pub struct Item {
        pub name: String,
        pub count: i32,
        pub ratio: f32,
        #[attribute(unique)]
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2_rename_attribute {
    #[model]
    pub struct Item {
        #[attribute(original_name = "name")]
        pub title: String,
        pub note: Option<String>,
        pub count: i32,
        pub ratio: f32,
        #[attribute(unique)]
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2_make_required {
    #[model]
    pub struct Item {
        pub name: String,
        #[attribute(default = "none")]
        pub note: String,
        pub count: i32,
        pub ratio: f32,
        #[attribute(unique)]
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2_make_optional {
    #[model]
    pub struct Item {
        pub name: String,
        pub note: Option<String>,
        pub count: Option<i32>,
        pub ratio: f32,
        #[attribute(unique)]
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2_unique_on {
    #[model]
    pub struct Item {
        #[attribute(unique)]
        pub name: String,
        pub note: Option<String>,
        pub count: i32,
        pub ratio: f32,
        #[attribute(unique)]
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2_unique_off {
    #[model]
    pub struct Item {
        pub name: String,
        pub note: Option<String>,
        pub count: i32,
        pub ratio: f32,
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2_index_on {
    #[model]
    pub struct Item {
        pub name: String,
        pub note: Option<String>,
        #[attribute(index)]
        pub count: i32,
        pub ratio: f32,
        #[attribute(unique)]
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2_index_off {
    #[model]
    pub struct Item {
        pub name: String,
        pub note: Option<String>,
        pub count: i32,
        pub ratio: f32,
        #[attribute(unique)]
        pub code: String,
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2_default_changed {
    #[model]
    pub struct Item {
        pub name: String,
        pub note: Option<String>,
        pub count: i32,
        pub ratio: f32,
        #[attribute(unique)]
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 9)]
        pub level: i64,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2_widening {
    #[model]
    pub struct Item {
        pub name: String,
        pub note: Option<String>,
        pub count: i64,
        pub ratio: f64,
        #[attribute(unique)]
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

/// `name` and `list` trade names; the index stays with the attribute now named `name`.
#[versioned_schema(version = "2.0.0")]
mod v2_attribute_swap {
    #[model]
    pub struct Item {
        #[attribute(original_name = "list", index)]
        pub name: String,
        pub note: Option<String>,
        pub count: i32,
        pub ratio: f32,
        #[attribute(unique)]
        pub code: String,
        #[attribute(original_name = "name")]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

/// `Item` and `Tag` trade names.
#[versioned_schema(version = "2.0.0")]
mod v2_entity_swap {
    #[model(original_name = "Item")]
    pub struct Tag {
        pub name: String,
        pub note: Option<String>,
        pub count: i32,
        pub ratio: f32,
        #[attribute(unique)]
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
    }

    #[model(original_name = "Tag")]
    pub struct Item {
        pub label: String,
    }
}

/// First step of a chain: renames (`Item` -> `Thing`, `name` -> `title`) and
/// an added optional attribute, all in place.
#[versioned_schema(version = "2.0.0")]
mod v2_chain {
    #[model(original_name = "Item")]
    pub struct Thing {
        #[attribute(original_name = "name")]
        pub title: String,
        pub note: Option<String>,
        pub count: i32,
        pub ratio: f32,
        #[attribute(unique)]
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
        pub due: Option<i64>,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

/// Second step: `title` -> `label`, `note` made required, `ratio` removed
/// (one rebuild of `Thing`).
#[versioned_schema(version = "3.0.0")]
mod v3_chain {
    #[model(removed(ratio))]
    pub struct Thing {
        #[attribute(original_name = "title")]
        pub label: String,
        #[attribute(default = "none")]
        pub note: String,
        pub count: i32,
        #[attribute(unique)]
        pub code: String,
        #[attribute(index)]
        pub list: String,
        #[attribute(default = 1)]
        pub level: i64,
        pub due: Option<i64>,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

// ---------------------------------------------------------------------------
// Seed and expected data
// ---------------------------------------------------------------------------

const BIG_F32: f32 = 1.5e38;

/// Creates the `v1` store: items 1, 2 and 4 (3 is deleted), tags 1 and 2.
fn seed(path: &Path) {
    let container = plans::open_single::<v1::Schema>(path);
    let mut ctx = container.context();
    let items = [
        ("alpha", Some("first"), i32::MIN, 0.5, "c1", "l1", 1),
        ("beta", None, -7, -1.25, "c2", "l0", 2),
        ("gone", Some("deleted"), 0, 0.0, "c3", "l1", 3),
        ("delta", None, i32::MAX, BIG_F32, "c4", "l0", 4),
    ];
    for (name, note, count, ratio, code, list, level) in items {
        ctx.insert(v1::Item {
            name: name.into(),
            note: note.map(Into::into),
            count,
            ratio,
            code: code.into(),
            list: list.into(),
            level,
        })
        .unwrap();
    }
    ctx.delete::<v1::Item>(PersistentId::from_raw(3)).unwrap();
    for label in ["home", "work"] {
        ctx.insert(v1::Tag {
            label: label.into(),
        })
        .unwrap();
    }
}

fn r(real: f32) -> Value {
    Value::Real(f64::from(real))
}

const NULL: Value = Value::Null;

/// What a table must look like after a migration.
#[derive(Debug, Clone)]
struct Table {
    name: String,
    /// `(name, type, NOT NULL)` in `PRAGMA table_info` order, `_id` first.
    columns: Vec<(String, String, bool)>,
    /// `(column, unique)`; index names are derived from the table and column.
    indexes: Vec<(String, bool)>,
    /// Every row, `_id` first, ordered by `_id`.
    rows: Vec<Vec<Value>>,
}

impl Table {
    fn new(name: &str, columns: &[(&str, &str, bool)], indexes: &[(&str, bool)]) -> Self {
        Table {
            name: name.to_owned(),
            columns: std::iter::once(("_id".to_owned(), "INTEGER".to_owned(), false))
                .chain(
                    columns
                        .iter()
                        .map(|(n, ty, nn)| ((*n).to_owned(), (*ty).to_owned(), *nn)),
                )
                .collect(),
            indexes: indexes.iter().map(|(c, u)| ((*c).to_owned(), *u)).collect(),
            rows: Vec::new(),
        }
    }

    fn rows(mut self, rows: Vec<Vec<Value>>) -> Self {
        self.rows = rows;
        self
    }

    fn column(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|(n, ..)| n == name)
            .unwrap_or_else(|| panic!("no column `{name}` in `{}`", self.name))
    }

    fn renamed(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    fn add_column(mut self, name: &str, ty: &str, not_null: bool, value: Value) -> Self {
        self.columns
            .push((name.to_owned(), ty.to_owned(), not_null));
        for row in &mut self.rows {
            row.push(value.clone());
        }
        self
    }

    fn remove_column(mut self, name: &str) -> Self {
        let k = self.column(name);
        self.columns.remove(k);
        for row in &mut self.rows {
            row.remove(k);
        }
        self.indexes.retain(|(c, _)| c != name);
        self
    }

    fn rename_column(mut self, from: &str, to: &str) -> Self {
        let k = self.column(from);
        self.columns[k].0 = to.to_owned();
        for (column, _) in &mut self.indexes {
            if column == from {
                *column = to.to_owned();
            }
        }
        self
    }

    fn not_null(mut self, name: &str, not_null: bool) -> Self {
        let k = self.column(name);
        self.columns[k].2 = not_null;
        self
    }

    fn map_column(mut self, name: &str, f: impl Fn(&Value) -> Value) -> Self {
        let k = self.column(name);
        for row in &mut self.rows {
            row[k] = f(&row[k]);
        }
        self
    }

    fn index(mut self, column: &str, unique: bool, on: bool) -> Self {
        self.indexes.retain(|(c, u)| !(c == column && *u == unique));
        if on {
            self.indexes.push((column.to_owned(), unique));
        }
        self
    }
}

/// `Item` of the seeded `v1` store.
fn item() -> Table {
    Table::new(
        "Item",
        &[
            ("name", "TEXT", true),
            ("note", "TEXT", false),
            ("count", "INTEGER", true),
            ("ratio", "REAL", true),
            ("code", "TEXT", true),
            ("list", "TEXT", true),
            ("level", "INTEGER", true),
        ],
        &[("code", true), ("list", false)],
    )
    .rows(vec![
        vec![
            i(1),
            t("alpha"),
            t("first"),
            i(i32::MIN.into()),
            r(0.5),
            t("c1"),
            t("l1"),
            i(1),
        ],
        vec![
            i(2),
            t("beta"),
            NULL,
            i(-7),
            r(-1.25),
            t("c2"),
            t("l0"),
            i(2),
        ],
        vec![
            i(4),
            t("delta"),
            NULL,
            i(i32::MAX.into()),
            r(BIG_F32),
            t("c4"),
            t("l0"),
            i(4),
        ],
    ])
}

/// `Tag` of the seeded `v1` store.
fn tag() -> Table {
    Table::new("Tag", &[("label", "TEXT", true)], &[])
        .rows(vec![vec![i(1), t("home")], vec![i(2), t("work")]])
}

// ---------------------------------------------------------------------------
// Lowered statements
// ---------------------------------------------------------------------------

/// What a lowered statement does, in a word or three.
fn kind(statement: &Statement) -> &'static str {
    let sql = statement.sql.as_str();
    if sql.starts_with("CREATE TABLE \"_staged_new_") {
        "rebuild"
    } else if sql.starts_with("INSERT INTO sqlite_sequence") {
        "seed ids"
    } else if sql.starts_with("INSERT INTO") {
        "copy rows"
    } else if sql.starts_with("CREATE TABLE") {
        "create table"
    } else if sql.starts_with("DROP TABLE") {
        "drop table"
    } else if sql.starts_with("ALTER TABLE") && sql.contains(" RENAME TO ") {
        "rename table"
    } else if sql.starts_with("ALTER TABLE") && sql.contains(" RENAME COLUMN ") {
        "rename column"
    } else if sql.starts_with("ALTER TABLE") && sql.contains(" ADD COLUMN ") {
        "add column"
    } else if sql.starts_with("ALTER TABLE") && sql.contains(" DROP COLUMN ") {
        "drop column"
    } else if sql.starts_with("CREATE UNIQUE INDEX") {
        "create unique index"
    } else if sql.starts_with("CREATE INDEX") {
        "create index"
    } else if sql.starts_with("DROP INDEX") {
        "drop index"
    } else {
        panic!("unexpected statement: {sql}")
    }
}

// ---------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------

fn migrate<A: VersionedSchema, B: VersionedSchema>(path: &Path) {
    let plan = plans::two::<A, B>();
    let container = ModelContainer::open(path, plan).unwrap();
    assert_eq!(container.store_version(), B::VERSION);
}

fn migrate3<A: VersionedSchema, B: VersionedSchema, C: VersionedSchema>(path: &Path) {
    let plan = plans::three::<A, B, C>();
    let container = ModelContainer::open(path, plan).unwrap();
    assert_eq!(container.store_version(), C::VERSION);
}

fn lowered<A: VersionedSchema, B: VersionedSchema>() -> Vec<Statement> {
    let (from, to) = (A::descriptor(), B::descriptor());
    inference::lower(from, to, &inference::map_step(from, to).unwrap())
}

/// The lowering of the chain `A -> B -> C` composed into one step.
fn lowered3<A: VersionedSchema, B: VersionedSchema, C: VersionedSchema>() -> Vec<Statement> {
    let (a, b, c) = (A::descriptor(), B::descriptor(), C::descriptor());
    let mapping = inference::compose(
        &inference::map_step(a, b).unwrap(),
        &inference::map_step(b, c).unwrap(),
    );
    inference::lower(a, c, &mapping)
}

struct Case {
    name: &'static str,
    migrate: fn(&Path),
    lowered: fn() -> Vec<Statement>,
    /// The kind of every lowered statement, in order.
    statements: &'static [&'static str],
    /// Rows rewritten by the whole migration (0: no table rebuilt).
    rows_touched: i64,
    /// Every table of the store after the migration, by name.
    tables: Vec<Table>,
}

/// The statements of a rebuild of a table with these indexes.
const REBUILD: [&str; 5] = [
    "rebuild",
    "seed ids",
    "copy rows",
    "drop table",
    "rename table",
];

fn rebuild_with(indexes: &'static [&'static str]) -> Vec<&'static str> {
    REBUILD.iter().chain(indexes).copied().collect()
}

fn cases() -> Vec<Case> {
    let rebuild_item: &'static [&'static str] =
        rebuild_with(&["create unique index", "create index"]).leak();
    vec![
        Case {
            name: "add entity",
            migrate: migrate::<v1::Schema, v2_add_entity::Schema>,
            lowered: lowered::<v1::Schema, v2_add_entity::Schema>,
            statements: &["create table", "create unique index"],
            rows_touched: 0,
            tables: vec![
                Table::new(
                    "Folder",
                    &[("title", "TEXT", true), ("rank", "INTEGER", true)],
                    &[("title", true)],
                ),
                item(),
                tag(),
            ],
        },
        Case {
            name: "remove entity",
            migrate: migrate::<v1::Schema, v2_remove_entity::Schema>,
            lowered: lowered::<v1::Schema, v2_remove_entity::Schema>,
            statements: &["drop table"],
            rows_touched: 0,
            tables: vec![item()],
        },
        Case {
            name: "rename entity",
            migrate: migrate::<v1::Schema, v2_rename_entity::Schema>,
            lowered: lowered::<v1::Schema, v2_rename_entity::Schema>,
            // Renamed through a temporary name; the indexes follow the new name.
            statements: &[
                "drop index",
                "drop index",
                "rename table",
                "rename table",
                "create unique index",
                "create index",
            ],
            rows_touched: 0,
            tables: vec![tag(), item().renamed("Thing")],
        },
        Case {
            name: "add optional attribute",
            migrate: migrate::<v1::Schema, v2_add_optional::Schema>,
            lowered: lowered::<v1::Schema, v2_add_optional::Schema>,
            statements: &["add column"],
            rows_touched: 0,
            tables: vec![item().add_column("due", "INTEGER", false, NULL), tag()],
        },
        Case {
            name: "add required attribute with default",
            migrate: migrate::<v1::Schema, v2_add_required_with_default::Schema>,
            lowered: lowered::<v1::Schema, v2_add_required_with_default::Schema>,
            statements: &["add column", "add column"],
            rows_touched: 0,
            tables: vec![
                item()
                    .add_column("priority", "INTEGER", true, i(3))
                    .add_column("kind", "TEXT", true, t("it's new")),
                tag(),
            ],
        },
        Case {
            name: "remove attribute",
            migrate: migrate::<v1::Schema, v2_remove_attribute::Schema>,
            lowered: lowered::<v1::Schema, v2_remove_attribute::Schema>,
            // In place: the table and its indexes stay.
            statements: &["drop column"],
            rows_touched: 0,
            tables: vec![item().remove_column("note"), tag()],
        },
        Case {
            name: "rename attribute",
            migrate: migrate::<v1::Schema, v2_rename_attribute::Schema>,
            lowered: lowered::<v1::Schema, v2_rename_attribute::Schema>,
            statements: &["rename column"],
            rows_touched: 0,
            tables: vec![item().rename_column("name", "title"), tag()],
        },
        Case {
            name: "optional -> required with default",
            migrate: migrate::<v1::Schema, v2_make_required::Schema>,
            lowered: lowered::<v1::Schema, v2_make_required::Schema>,
            statements: rebuild_item,
            rows_touched: 3,
            tables: vec![
                item()
                    .not_null("note", true)
                    .map_column("note", |v| match v {
                        Value::Null => t("none"),
                        other => other.clone(),
                    }),
                tag(),
            ],
        },
        Case {
            name: "required -> optional",
            migrate: migrate::<v1::Schema, v2_make_optional::Schema>,
            lowered: lowered::<v1::Schema, v2_make_optional::Schema>,
            statements: rebuild_item,
            rows_touched: 3,
            tables: vec![item().not_null("count", false), tag()],
        },
        Case {
            name: "unique on",
            migrate: migrate::<v1::Schema, v2_unique_on::Schema>,
            lowered: lowered::<v1::Schema, v2_unique_on::Schema>,
            statements: &["create unique index"],
            rows_touched: 0,
            tables: vec![item().index("name", true, true), tag()],
        },
        Case {
            name: "unique off",
            migrate: migrate::<v1::Schema, v2_unique_off::Schema>,
            lowered: lowered::<v1::Schema, v2_unique_off::Schema>,
            statements: &["drop index"],
            rows_touched: 0,
            tables: vec![item().index("code", true, false), tag()],
        },
        Case {
            name: "index on",
            migrate: migrate::<v1::Schema, v2_index_on::Schema>,
            lowered: lowered::<v1::Schema, v2_index_on::Schema>,
            statements: &["create index"],
            rows_touched: 0,
            tables: vec![item().index("count", false, true), tag()],
        },
        Case {
            name: "index off",
            migrate: migrate::<v1::Schema, v2_index_off::Schema>,
            lowered: lowered::<v1::Schema, v2_index_off::Schema>,
            statements: &["drop index"],
            rows_touched: 0,
            tables: vec![item().index("list", false, false), tag()],
        },
        Case {
            name: "default changed",
            migrate: migrate::<v1::Schema, v2_default_changed::Schema>,
            lowered: lowered::<v1::Schema, v2_default_changed::Schema>,
            statements: &[],
            rows_touched: 0,
            tables: vec![item(), tag()],
        },
        Case {
            name: "widening i32 -> i64 and f32 -> f64",
            migrate: migrate::<v1::Schema, v2_widening::Schema>,
            lowered: lowered::<v1::Schema, v2_widening::Schema>,
            statements: &[],
            rows_touched: 0,
            tables: vec![item(), tag()],
        },
        Case {
            name: "attribute swap name <-> list",
            migrate: migrate::<v1::Schema, v2_attribute_swap::Schema>,
            lowered: lowered::<v1::Schema, v2_attribute_swap::Schema>,
            // The index is now on `name`, which comes before `code`.
            statements: rebuild_with(&["create index", "create unique index"]).leak(),
            rows_touched: 3,
            tables: vec![
                {
                    let before = item();
                    let (name, list) = (before.column("name"), before.column("list"));
                    let mut after = before
                        .index("list", false, false)
                        .index("name", false, true);
                    for row in &mut after.rows {
                        row.swap(name, list);
                    }
                    after
                },
                tag(),
            ],
        },
        Case {
            name: "entity swap Item <-> Tag",
            migrate: migrate::<v1::Schema, v2_entity_swap::Schema>,
            lowered: lowered::<v1::Schema, v2_entity_swap::Schema>,
            statements: &[
                "drop index",
                "drop index",
                "rename table",
                "rename table",
                "rename table",
                "rename table",
                "create unique index",
                "create index",
            ],
            rows_touched: 0,
            tables: vec![tag().renamed("Item"), item().renamed("Tag")],
        },
        Case {
            name: "three-version chain Item.name -> Thing.title -> Thing.label",
            migrate: migrate3::<v1::Schema, v2_chain::Schema, v3_chain::Schema>,
            lowered: lowered3::<v1::Schema, v2_chain::Schema, v3_chain::Schema>,
            // Composed: one rebuild of `Thing` for every change of both steps.
            statements: rebuild_item,
            rows_touched: 3,
            tables: vec![
                tag(),
                item()
                    .renamed("Thing")
                    .rename_column("name", "label")
                    .not_null("note", true)
                    .map_column("note", |v| match v {
                        Value::Null => t("none"),
                        other => other.clone(),
                    })
                    .remove_column("ratio")
                    .add_column("due", "INTEGER", false, NULL),
            ],
        },
    ]
}

fn check(case: &Case) {
    let store = TempStore::new();
    seed(store.path());
    {
        let conn = store.conn();
        assert_eq!(rows(&conn, "Item"), item().rows, "seeded rows");
    }

    let kinds: Vec<&str> = (case.lowered)().iter().map(kind).collect();
    assert_eq!(kinds, case.statements, "lowered statements");

    (case.migrate)(store.path());

    let conn = store.conn();
    let mut expected_tables: Vec<String> = case.tables.iter().map(|t| t.name.clone()).collect();
    expected_tables.sort();
    assert_eq!(user_tables(&conn), expected_tables, "tables");
    for table in &case.tables {
        assert_eq!(
            columns(&conn, &table.name),
            table.columns,
            "columns of `{}`",
            table.name
        );
        let mut expected_indexes: Vec<(String, bool, String)> = table
            .indexes
            .iter()
            .map(|(column, unique)| {
                let name = if *unique {
                    sql::unique_index_name(&table.name, column)
                } else {
                    sql::plain_index_name(&table.name, column)
                };
                (name, *unique, column.clone())
            })
            .collect();
        expected_indexes.sort();
        assert_eq!(
            indexes(&conn, &table.name),
            expected_indexes,
            "indexes of `{}`",
            table.name
        );
        assert_eq!(
            rows(&conn, &table.name),
            table.rows,
            "rows of `{}`",
            table.name
        );
    }
    let touched: i64 = history(&conn).iter().map(|(.., rows)| rows).sum();
    assert_eq!(touched, case.rows_touched, "rows touched");
    assert_eq!(integrity(&conn), "ok");
}

#[test]
fn every_change_kind_migrates_a_file_with_rows() {
    let cases = cases();
    assert_eq!(cases.len(), 18);
    let mut failures = Vec::new();
    for case in &cases {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(case)));
        if let Err(panic) = result {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            failures.push(format!("{}: {message}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The new column of an `ADD COLUMN` step is usable right away through the
/// typed API, and a widened column takes values out of the old range.
#[test]
fn migrated_stores_read_and_write_through_the_new_models() {
    let store = TempStore::new();
    seed(store.path());
    let plan = plans::two::<v1::Schema, v2_widening::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    let items = ctx.fetch_all::<v2_widening::Item>().unwrap();
    let ids: Vec<i64> = items.iter().map(|r| r.id().raw()).collect();
    assert_eq!(ids, [1, 2, 4]);
    assert_eq!(items[2].count, i64::from(i32::MAX));
    assert_eq!(items[2].ratio, f64::from(BIG_F32));
    let id = ctx
        .insert(v2_widening::Item {
            name: "epsilon".into(),
            note: None,
            count: i64::MAX,
            ratio: f64::MAX,
            code: "c5".into(),
            list: "l1".into(),
            level: 5,
        })
        .unwrap();
    let back = ctx.get::<v2_widening::Item>(id).unwrap().unwrap();
    assert_eq!((back.count, back.ratio), (i64::MAX, f64::MAX));
    drop(ctx);
    drop(container);

    let store = TempStore::new();
    seed(store.path());
    let plan = plans::two::<v1::Schema, v2_add_required_with_default::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    let items = ctx
        .fetch_all::<v2_add_required_with_default::Item>()
        .unwrap();
    let added: Vec<(i64, &str)> = items
        .iter()
        .map(|r| (r.priority, r.kind.as_str()))
        .collect();
    assert_eq!(added, [(3, "it's new"); 3]);
}

#[versioned_schema(version = "1.0.0")]
mod v1_reuse {
    #[model]
    pub struct Note {
        #[attribute(index)]
        pub a: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2_reuse {
    #[model]
    pub struct Note {
        #[attribute(original_name = "a", index)]
        pub b: String,
    }
}

#[versioned_schema(version = "3.0.0")]
mod v3_reuse {
    #[model]
    pub struct Note {
        #[attribute(index)]
        pub b: String,
        #[attribute(index)]
        pub a: Option<String>,
    }
}

/// v1 -> v3 runs as one composed step in which `a` is renamed to `b` and a
/// new `a` is added, both indexed. The old index of `a` follows its column to
/// `b`, so it must be recreated rather than kept by name.
#[test]
fn a_name_reused_across_a_chain_gets_its_own_index() {
    let store = TempStore::new();
    {
        let container = plans::open_single::<v1_reuse::Schema>(store.path());
        let mut ctx = container.context();
        for a in ["x", "y"] {
            ctx.insert(v1_reuse::Note { a: a.into() }).unwrap();
        }
    }
    let plan = plans::three::<v1_reuse::Schema, v2_reuse::Schema, v3_reuse::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap_or_else(|e| panic!("{e}"));
    drop(container);
    let conn = store.conn();
    assert_eq!(
        rows(&conn, "Note"),
        [vec![i(1), t("x"), NULL], vec![i(2), t("y"), NULL]]
    );
    assert_eq!(
        indexes(&conn, "Note"),
        [
            (sql::plain_index_name("Note", "a"), false, "a".to_owned()),
            (sql::plain_index_name("Note", "b"), false, "b".to_owned()),
        ]
    );
    assert_eq!(history(&conn).iter().map(|(.., rows)| rows).sum::<i64>(), 0);
}
