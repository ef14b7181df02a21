//! Golden SQL of every lowering, and the algebra of `compose`.
//!
//! Each test builds two (or more) schemas from runtime descriptors, lowers
//! `map_step` (or a composition) between them, runs the statements on an
//! in-memory store created at the first schema, checks that the store then
//! matches the last one (`verify::drift`), and snapshots the statements, one
//! per line. The snapshots show that in-place `ALTER TABLE` (`ADD COLUMN`,
//! `RENAME COLUMN`, `DROP COLUMN`, `RENAME TO`) is used whenever SQLite allows
//! it, and that a table that needs rewriting is rebuilt exactly once however
//! many of its attributes change.

use super::*;
use crate::schema::{
    AttributeDescriptor, AttributeType, DefaultValue, EntityDescriptor, SchemaDescriptor, Version,
};

fn attr(name: &str, ty: AttributeType) -> AttributeDescriptor {
    AttributeDescriptor::named(name, ty)
}

fn text(name: &str) -> AttributeDescriptor {
    attr(name, AttributeType::Text)
}

fn entity(name: &str, attributes: Vec<AttributeDescriptor>) -> EntityDescriptor {
    EntityDescriptor::from_parts(name, None, attributes)
}

fn renamed_entity(
    name: &str,
    original: &str,
    attributes: Vec<AttributeDescriptor>,
) -> EntityDescriptor {
    EntityDescriptor::from_parts(name, Some(original.to_owned()), attributes)
}

fn schema(major: u64, entities: Vec<EntityDescriptor>) -> SchemaDescriptor {
    SchemaDescriptor::from_entities(Version::new(major, 0, 0), entities)
}

/// The attributes of `Item` in the base schema, which most tests change one at a time.
fn item_attributes() -> Vec<AttributeDescriptor> {
    vec![
        text("name"),
        text("note").with_optional(true),
        attr("count", AttributeType::I32),
        attr("ratio", AttributeType::F32),
        text("code").with_unique(true),
        text("list").with_index(true),
        attr("level", AttributeType::I64).with_default(DefaultValue::Integer(1)),
    ]
}

/// v1: `Item` (see [`item_attributes`]) and `Tag { label }`.
fn base() -> SchemaDescriptor {
    schema(
        1,
        vec![
            entity("Item", item_attributes()),
            entity("Tag", vec![text("label")]),
        ],
    )
}

/// v2: the base schema with `Item`'s attributes passed through `edit`.
fn edit_item(edit: impl FnOnce(&mut Vec<AttributeDescriptor>)) -> SchemaDescriptor {
    let mut attributes = item_attributes();
    edit(&mut attributes);
    schema(
        2,
        vec![
            entity("Item", attributes),
            entity("Tag", vec![text("label")]),
        ],
    )
}

fn position(attributes: &[AttributeDescriptor], name: &str) -> usize {
    attributes
        .iter()
        .position(|a| a.name() == name)
        .unwrap_or_else(|| panic!("no attribute `{name}`"))
}

/// Replaces attribute `name` with `f(old)`.
fn change(
    attributes: &mut [AttributeDescriptor],
    name: &str,
    f: impl FnOnce(AttributeDescriptor) -> AttributeDescriptor,
) {
    let i = position(attributes, name);
    attributes[i] = f(attributes[i].clone());
}

/// An attribute like `old` under a new name, renamed from `old`.
fn rename(old: &AttributeDescriptor, to: &str) -> AttributeDescriptor {
    AttributeDescriptor::named(to, old.ty())
        .with_optional(old.is_optional())
        .with_unique(old.is_unique())
        .with_index(old.is_indexed())
        .with_original_name(old.name())
        .with_default(old.default_value().cloned())
}

/// `lower(from, to, mapping)`, after checking that the statements run on a
/// store created at `from` and leave it exactly at `to`.
fn lowered(
    from: &SchemaDescriptor,
    to: &SchemaDescriptor,
    mapping: &SchemaMapping,
) -> Vec<Statement> {
    let statements = lower(from, to, mapping);
    let sql = lines(&statements);
    let conn = apply(from, &statements).unwrap_or_else(|e| panic!("{e}\n{sql}"));
    let drift = crate::store::verify::drift(&conn, to).unwrap();
    assert!(drift.is_empty(), "{drift:#?}\n{sql}");
    statements
}

/// Runs statements on an in-memory store created at `from`.
fn apply(
    from: &SchemaDescriptor,
    statements: &[Statement],
) -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open_in_memory()?;
    for entity in from.entities() {
        conn.execute(&crate::sql::create_table(entity.name(), entity), [])?;
        for index in crate::sql::create_indexes(entity) {
            conn.execute(&index, [])?;
        }
    }
    for statement in statements {
        conn.execute(&statement.sql, [])?;
    }
    Ok(conn)
}

/// The statements of `lower(from, to, map_step(from, to))`, one per line.
fn sql(from: &SchemaDescriptor, to: &SchemaDescriptor) -> String {
    let mapping = map_step(from, to).expect("the step maps");
    lines(&lowered(from, to, &mapping))
}

fn lines(statements: &[Statement]) -> String {
    statements
        .iter()
        .map(|s| s.sql.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The changes of a step, one per line, with their class.
fn listed(from: &SchemaDescriptor, to: &SchemaDescriptor) -> String {
    let mapping = map_step(from, to).expect("the step maps");
    changes(from, to, &mapping)
        .iter()
        .map(|c| format!("{} ({})", c, c.class().name()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// How many times each table is rebuilt by these statements.
fn rebuilds(statements: &[Statement]) -> usize {
    statements
        .iter()
        .filter(|s| s.sql.starts_with("CREATE TABLE \"_staged_new_"))
        .count()
}

fn count(sql: &str, needle: &str) -> usize {
    sql.matches(needle).count()
}

// ---------------------------------------------------------------------------
// Entities
// ---------------------------------------------------------------------------

#[test]
fn add_entity_creates_the_table_and_its_indexes() {
    let mut to = base();
    to = schema(
        2,
        to.entities()
            .iter()
            .cloned()
            .chain([entity(
                "Folder",
                vec![
                    text("title").with_unique(true),
                    attr("rank", AttributeType::I64)
                        .with_index(true)
                        .with_default(DefaultValue::Integer(0)),
                ],
            )])
            .collect(),
    );
    insta::assert_snapshot!(sql(&base(), &to), @r#"
        CREATE TABLE "Folder" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "title" TEXT NOT NULL, "rank" INTEGER NOT NULL DEFAULT 0)
        CREATE UNIQUE INDEX "_staged_unique_6_Folder_title" ON "Folder" ("title")
        CREATE INDEX "_staged_index_6_Folder_rank" ON "Folder" ("rank")
    "#);
}

#[test]
fn remove_entity_drops_the_table() {
    let to = schema(2, vec![entity("Item", item_attributes())]);
    insta::assert_snapshot!(sql(&base(), &to), @r#"DROP TABLE "Tag""#);
}

#[test]
fn rename_entity_renames_the_table_and_renames_its_indexes() {
    let to = schema(
        2,
        vec![
            renamed_entity("Thing", "Item", item_attributes()),
            entity("Tag", vec![text("label")]),
        ],
    );
    insta::assert_snapshot!(sql(&base(), &to), @r#"
        DROP INDEX "_staged_unique_4_Item_code"
        DROP INDEX "_staged_index_4_Item_list"
        ALTER TABLE "Item" RENAME TO "_staged_tmp_0"
        ALTER TABLE "_staged_tmp_0" RENAME TO "Thing"
        CREATE UNIQUE INDEX "_staged_unique_5_Thing_code" ON "Thing" ("code")
        CREATE INDEX "_staged_index_5_Thing_list" ON "Thing" ("list")
    "#);
}

#[test]
fn entity_swap_goes_through_temporary_names() {
    let from = schema(
        1,
        vec![
            entity("A", vec![text("x").with_unique(true)]),
            entity("B", vec![attr("y", AttributeType::I64).with_index(true)]),
        ],
    );
    let to = schema(
        2,
        vec![
            renamed_entity("B", "A", vec![text("x").with_unique(true)]),
            renamed_entity(
                "A",
                "B",
                vec![attr("y", AttributeType::I64).with_index(true)],
            ),
        ],
    );
    insta::assert_snapshot!(sql(&from, &to), @r#"
        DROP INDEX "_staged_unique_1_A_x"
        DROP INDEX "_staged_index_1_B_y"
        ALTER TABLE "A" RENAME TO "_staged_tmp_0"
        ALTER TABLE "B" RENAME TO "_staged_tmp_1"
        ALTER TABLE "_staged_tmp_0" RENAME TO "B"
        ALTER TABLE "_staged_tmp_1" RENAME TO "A"
        CREATE UNIQUE INDEX "_staged_unique_1_B_x" ON "B" ("x")
        CREATE INDEX "_staged_index_1_A_y" ON "A" ("y")
    "#);
}

#[test]
fn entity_removed_and_another_renamed_to_its_name() {
    let from = schema(
        1,
        vec![
            entity("A", vec![text("x").with_index(true)]),
            entity("B", vec![text("y").with_index(true)]),
        ],
    );
    let to = schema(
        2,
        vec![renamed_entity("A", "B", vec![text("y").with_index(true)])],
    );
    insta::assert_snapshot!(sql(&from, &to), @r#"
        DROP INDEX "_staged_index_1_B_y"
        DROP TABLE "A"
        ALTER TABLE "B" RENAME TO "_staged_tmp_0"
        ALTER TABLE "_staged_tmp_0" RENAME TO "A"
        CREATE INDEX "_staged_index_1_A_y" ON "A" ("y")
    "#);
}

// ---------------------------------------------------------------------------
// Attributes: in place
// ---------------------------------------------------------------------------

#[test]
fn add_optional_attribute_is_add_column() {
    let to = edit_item(|a| a.push(text("due").with_optional(true)));
    insta::assert_snapshot!(sql(&base(), &to), @r#"ALTER TABLE "Item" ADD COLUMN "due" TEXT"#);
}

#[test]
fn add_optional_attribute_with_default_is_add_column_with_default() {
    let to = edit_item(|a| {
        a.push(
            attr("score", AttributeType::F64)
                .with_optional(true)
                .with_default(DefaultValue::Real(0.5)),
        )
    });
    insta::assert_snapshot!(sql(&base(), &to), @r#"ALTER TABLE "Item" ADD COLUMN "score" REAL DEFAULT 0.5"#);
}

#[test]
fn add_required_attribute_with_default_is_add_column_not_null_default() {
    let to = edit_item(|a| {
        a.push(attr("priority", AttributeType::I64).with_default(DefaultValue::Integer(3)));
        a.push(text("kind").with_default(DefaultValue::text("it's")));
        a.push(attr("done", AttributeType::Bool).with_default(DefaultValue::Bool(false)));
    });
    insta::assert_snapshot!(sql(&base(), &to), @r#"
        ALTER TABLE "Item" ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 3
        ALTER TABLE "Item" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'it''s'
        ALTER TABLE "Item" ADD COLUMN "done" INTEGER NOT NULL DEFAULT 0
    "#);
}

#[test]
fn rename_attribute_is_rename_column() {
    let to = edit_item(|a| change(a, "name", |old| rename(&old, "title")));
    insta::assert_snapshot!(sql(&base(), &to), @r#"ALTER TABLE "Item" RENAME COLUMN "name" TO "title""#);
}

#[test]
fn rename_indexed_and_unique_attributes_renames_their_indexes() {
    let to = edit_item(|a| {
        change(a, "code", |old| rename(&old, "uid"));
        change(a, "list", |old| rename(&old, "folder"));
    });
    insta::assert_snapshot!(sql(&base(), &to), @r#"
        DROP INDEX "_staged_unique_4_Item_code"
        DROP INDEX "_staged_index_4_Item_list"
        ALTER TABLE "Item" RENAME COLUMN "code" TO "uid"
        ALTER TABLE "Item" RENAME COLUMN "list" TO "folder"
        CREATE UNIQUE INDEX "_staged_unique_4_Item_uid" ON "Item" ("uid")
        CREATE INDEX "_staged_index_4_Item_folder" ON "Item" ("folder")
    "#);
}

#[test]
fn unique_on_creates_a_unique_index() {
    let to = edit_item(|a| change(a, "name", |old| old.with_unique(true)));
    insta::assert_snapshot!(sql(&base(), &to), @r#"CREATE UNIQUE INDEX "_staged_unique_4_Item_name" ON "Item" ("name")"#);
    let statements = lowered(&base(), &to, &map_step(&base(), &to).unwrap());
    assert_eq!(
        statements[0].purpose,
        Purpose::CreateUnique {
            entity: "Item".into(),
            attribute: "name".into()
        },
        "a failing unique index is reported with its entity and attribute"
    );
}

#[test]
fn unique_off_drops_the_unique_index() {
    let to = edit_item(|a| change(a, "code", |old| old.with_unique(false)));
    insta::assert_snapshot!(sql(&base(), &to), @r#"DROP INDEX "_staged_unique_4_Item_code""#);
}

#[test]
fn index_on_creates_an_index() {
    let to = edit_item(|a| change(a, "count", |old| old.with_index(true)));
    insta::assert_snapshot!(sql(&base(), &to), @r#"CREATE INDEX "_staged_index_4_Item_count" ON "Item" ("count")"#);
}

#[test]
fn index_off_drops_the_index() {
    let to = edit_item(|a| change(a, "list", |old| old.with_index(false)));
    insta::assert_snapshot!(sql(&base(), &to), @r#"DROP INDEX "_staged_index_4_Item_list""#);
}

#[test]
fn default_changed_needs_no_sql() {
    let to = edit_item(|a| change(a, "level", |old| old.with_default(DefaultValue::Integer(5))));
    insta::assert_snapshot!(listed(&base(), &to), @r#"change default of `Item.level` from 1 to 5 (inferable)"#);
    insta::assert_snapshot!(sql(&base(), &to), @"");
}

#[test]
fn widening_needs_no_sql() {
    let to = edit_item(|a| {
        change(a, "count", |old| attr(old.name(), AttributeType::I64));
        change(a, "ratio", |old| attr(old.name(), AttributeType::F64));
    });
    insta::assert_snapshot!(listed(&base(), &to), @r#"
        change type of `Item.count` from `i32` to `i64` (inferable)
        change type of `Item.ratio` from `f32` to `f64` (inferable)
    "#);
    insta::assert_snapshot!(sql(&base(), &to), @"");
}

#[test]
fn several_in_place_changes_on_one_table_rewrite_no_row() {
    let to = edit_item(|a| {
        change(a, "name", |old| rename(&old, "title"));
        change(a, "count", |old| attr(old.name(), AttributeType::I64));
        change(a, "code", |old| old.with_unique(false).with_index(true));
        a.push(text("due").with_optional(true));
        a.push(attr("priority", AttributeType::I64).with_default(DefaultValue::Integer(0)));
    });
    let statements = lowered(&base(), &to, &map_step(&base(), &to).unwrap());
    assert_eq!(rebuilds(&statements), 0);
    insta::assert_snapshot!(lines(&statements), @r#"
        DROP INDEX "_staged_unique_4_Item_code"
        ALTER TABLE "Item" RENAME COLUMN "name" TO "title"
        ALTER TABLE "Item" ADD COLUMN "due" TEXT
        ALTER TABLE "Item" ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 0
        CREATE INDEX "_staged_index_4_Item_code" ON "Item" ("code")
    "#);
}

// ---------------------------------------------------------------------------
// Attributes: removals in place, other rewrites one rebuild
// ---------------------------------------------------------------------------

#[test]
fn remove_attribute_drops_the_column_in_place() {
    let to = edit_item(|a| {
        a.remove(position(a, "note"));
    });
    insta::assert_snapshot!(sql(&base(), &to), @r#"ALTER TABLE "Item" DROP COLUMN "note""#);
}

#[test]
fn remove_indexed_attributes_drops_their_indexes_then_the_columns() {
    let to = edit_item(|a| {
        a.remove(position(a, "code"));
        a.remove(position(a, "list"));
    });
    insta::assert_snapshot!(sql(&base(), &to), @r#"
        DROP INDEX "_staged_unique_4_Item_code"
        DROP INDEX "_staged_index_4_Item_list"
        ALTER TABLE "Item" DROP COLUMN "code"
        ALTER TABLE "Item" DROP COLUMN "list"
    "#);
}

#[test]
fn make_required_with_default_rebuilds_with_coalesce() {
    let to = edit_item(|a| {
        change(a, "note", |old| {
            old.with_optional(false)
                .with_default(DefaultValue::text(""))
        })
    });
    insta::assert_snapshot!(listed(&base(), &to), @r#"
        make `Item.note` required (NULLs become '') (uses-default)
        change default of `Item.note` from NULL to '' (inferable)
    "#);
    insta::assert_snapshot!(sql(&base(), &to), @r#"
        CREATE TABLE "_staged_new_0" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "name" TEXT NOT NULL, "note" TEXT NOT NULL DEFAULT '', "count" INTEGER NOT NULL, "ratio" REAL NOT NULL, "code" TEXT NOT NULL, "list" TEXT NOT NULL, "level" INTEGER NOT NULL DEFAULT 1)
        INSERT INTO sqlite_sequence (name, seq) SELECT '_staged_new_0', max(coalesce((SELECT max(seq) FROM sqlite_sequence WHERE name = 'Item' COLLATE NOCASE), 0), coalesce((SELECT max("_id") FROM "Item"), 0))
        INSERT INTO "_staged_new_0" ("_id", "name", "note", "count", "ratio", "code", "list", "level") SELECT "_id", "name", coalesce("note", ''), "count", "ratio", "code", "list", "level" FROM "Item"
        DROP TABLE "Item"
        ALTER TABLE "_staged_new_0" RENAME TO "Item"
        CREATE UNIQUE INDEX "_staged_unique_4_Item_code" ON "Item" ("code")
        CREATE INDEX "_staged_index_4_Item_list" ON "Item" ("list")
    "#);
}

#[test]
fn make_optional_rebuilds_once() {
    let to = edit_item(|a| change(a, "name", |old| old.with_optional(true)));
    insta::assert_snapshot!(sql(&base(), &to), @r#"
        CREATE TABLE "_staged_new_0" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "name" TEXT, "note" TEXT, "count" INTEGER NOT NULL, "ratio" REAL NOT NULL, "code" TEXT NOT NULL, "list" TEXT NOT NULL, "level" INTEGER NOT NULL DEFAULT 1)
        INSERT INTO sqlite_sequence (name, seq) SELECT '_staged_new_0', max(coalesce((SELECT max(seq) FROM sqlite_sequence WHERE name = 'Item' COLLATE NOCASE), 0), coalesce((SELECT max("_id") FROM "Item"), 0))
        INSERT INTO "_staged_new_0" ("_id", "name", "note", "count", "ratio", "code", "list", "level") SELECT "_id", "name", "note", "count", "ratio", "code", "list", "level" FROM "Item"
        DROP TABLE "Item"
        ALTER TABLE "_staged_new_0" RENAME TO "Item"
        CREATE UNIQUE INDEX "_staged_unique_4_Item_code" ON "Item" ("code")
        CREATE INDEX "_staged_index_4_Item_list" ON "Item" ("list")
    "#);
}

#[test]
fn attribute_swap_rebuilds_once() {
    let from = schema(1, vec![entity("P", vec![text("a"), text("b")])]);
    let to = schema(
        2,
        vec![entity(
            "P",
            vec![rename(&text("b"), "a"), rename(&text("a"), "b")],
        )],
    );
    insta::assert_snapshot!(sql(&from, &to), @r#"
        CREATE TABLE "_staged_new_0" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "a" TEXT NOT NULL, "b" TEXT NOT NULL)
        INSERT INTO sqlite_sequence (name, seq) SELECT '_staged_new_0', max(coalesce((SELECT max(seq) FROM sqlite_sequence WHERE name = 'P' COLLATE NOCASE), 0), coalesce((SELECT max("_id") FROM "P"), 0))
        INSERT INTO "_staged_new_0" ("_id", "a", "b") SELECT "_id", "b", "a" FROM "P"
        DROP TABLE "P"
        ALTER TABLE "_staged_new_0" RENAME TO "P"
    "#);
}

/// The removed column is dropped before the rename takes its name.
#[test]
fn rename_onto_a_removed_attributes_name_drops_it_first() {
    let from = schema(1, vec![entity("P", vec![text("a"), text("b")])]);
    let to = schema(2, vec![entity("P", vec![rename(&text("a"), "b")])]);
    insta::assert_snapshot!(sql(&from, &to), @r#"
        ALTER TABLE "P" DROP COLUMN "b"
        ALTER TABLE "P" RENAME COLUMN "a" TO "b"
    "#);
}

#[test]
fn many_changes_on_one_table_rebuild_it_exactly_once() {
    let to = schema(
        2,
        vec![
            renamed_entity("Thing", "Item", {
                let mut a = item_attributes();
                change(&mut a, "name", |old| rename(&old, "title"));
                change(&mut a, "note", |old| {
                    old.with_optional(false)
                        .with_default(DefaultValue::text("-"))
                });
                change(&mut a, "count", |old| {
                    attr(old.name(), AttributeType::I64).with_optional(true)
                });
                change(&mut a, "code", |old| old.with_unique(false));
                change(&mut a, "list", |old| old.with_unique(true));
                a.remove(position(&a, "ratio"));
                a.push(text("due").with_optional(true));
                a.push(attr("priority", AttributeType::I64).with_default(DefaultValue::Integer(2)));
                a
            }),
            entity(
                "Tag",
                vec![text("label"), text("color").with_optional(true)],
            ),
        ],
    );
    let statements = lowered(&base(), &to, &map_step(&base(), &to).unwrap());
    assert_eq!(rebuilds(&statements), 1, "only `Item` needs rewriting");
    insta::assert_snapshot!(lines(&statements), @r#"
        CREATE TABLE "_staged_new_0" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "title" TEXT NOT NULL, "note" TEXT NOT NULL DEFAULT '-', "count" INTEGER, "code" TEXT NOT NULL, "list" TEXT NOT NULL, "level" INTEGER NOT NULL DEFAULT 1, "due" TEXT, "priority" INTEGER NOT NULL DEFAULT 2)
        INSERT INTO sqlite_sequence (name, seq) SELECT '_staged_new_0', max(coalesce((SELECT max(seq) FROM sqlite_sequence WHERE name = 'Item' COLLATE NOCASE), 0), coalesce((SELECT max("_id") FROM "Item"), 0))
        INSERT INTO "_staged_new_0" ("_id", "title", "note", "count", "code", "list", "level", "due", "priority") SELECT "_id", "name", coalesce("note", '-'), "count", "code", "list", "level", NULL, 2 FROM "Item"
        DROP TABLE "Item"
        ALTER TABLE "Tag" ADD COLUMN "color" TEXT
        ALTER TABLE "_staged_new_0" RENAME TO "Thing"
        CREATE UNIQUE INDEX "_staged_unique_5_Thing_list" ON "Thing" ("list")
        CREATE INDEX "_staged_index_5_Thing_list" ON "Thing" ("list")
    "#);
}

// ---------------------------------------------------------------------------
// Composed steps
// ---------------------------------------------------------------------------

/// v1 -> v2 -> v3 -> v4 with changes on both tables in every step.
fn chain() -> [SchemaDescriptor; 4] {
    let v1 = schema(
        1,
        vec![
            entity(
                "Item",
                vec![
                    text("title"),
                    text("note").with_optional(true),
                    attr("count", AttributeType::I32),
                ],
            ),
            entity("Tag", vec![text("label")]),
        ],
    );
    let v2 = schema(
        2,
        vec![
            entity(
                "Item",
                vec![
                    rename(&text("title"), "name"),
                    text("note")
                        .with_optional(false)
                        .with_default(DefaultValue::text("first")),
                    attr("count", AttributeType::I32),
                    text("temp").with_optional(true),
                ],
            ),
            entity(
                "Tag",
                vec![text("label"), text("color").with_optional(true)],
            ),
        ],
    );
    let v3 = schema(
        3,
        vec![
            renamed_entity(
                "Thing",
                "Item",
                vec![
                    rename(&text("name"), "label"),
                    text("note").with_default(DefaultValue::text("second")),
                    attr("count", AttributeType::I64),
                ],
            ),
            entity(
                "Tag",
                vec![
                    text("label"),
                    text("color").with_optional(true).with_index(true),
                ],
            ),
        ],
    );
    let v4 = schema(
        4,
        vec![
            entity(
                "Thing",
                vec![
                    text("label"),
                    text("note").with_default(DefaultValue::text("second")),
                    attr("count", AttributeType::I64),
                    attr("rank", AttributeType::I64).with_default(DefaultValue::Integer(7)),
                ],
            ),
            entity(
                "Tag",
                vec![
                    text("label"),
                    text("color").with_optional(true).with_index(true),
                ],
            ),
        ],
    );
    [v1, v2, v3, v4]
}

fn composed(schemas: &[SchemaDescriptor]) -> SchemaMapping {
    let mut steps = schemas
        .windows(2)
        .map(|pair| map_step(&pair[0], &pair[1]).unwrap());
    let first = steps.next().unwrap();
    steps.fold(first, |acc, next| compose(&acc, &next))
}

#[test]
fn compose_chains_renames() {
    let [v1, v2, v3, _] = chain();
    let mapping = composed(&[v1, v2, v3]);
    let thing = mapping.entity("Thing").unwrap();
    assert_eq!(
        thing.source.as_deref(),
        Some("Item"),
        "entity renames chain"
    );
    assert_eq!(
        thing.attribute("label"),
        Some(&ValueSource::Column("title".into())),
        "title -> name -> label is one rename"
    );
}

#[test]
fn compose_cancels_add_then_remove() {
    let [v1, v2, v3, _] = chain();
    let mapping = composed(&[v1.clone(), v2, v3.clone()]);
    let thing = mapping.entity("Thing").unwrap();
    assert!(thing.attribute("temp").is_none());
    let listed: Vec<String> = changes(&v1, &v3, &mapping)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        listed.iter().all(|c| !c.contains("temp")),
        "an attribute added then removed leaves no change: {listed:?}"
    );
    // Also across a whole entity: added in v2, removed in v3.
    let a = schema(1, vec![entity("Item", vec![text("x")])]);
    let b = schema(
        2,
        vec![
            entity("Item", vec![text("x")]),
            entity("Gone", vec![text("y")]),
        ],
    );
    let c = schema(3, vec![entity("Item", vec![text("x")])]);
    let mapping = composed(&[a.clone(), b, c.clone()]);
    assert!(changes(&a, &c, &mapping).is_empty());
    assert!(lowered(&a, &c, &mapping).is_empty());
}

#[test]
fn compose_keeps_the_first_default_for_old_nulls() {
    let [v1, v2, v3, _] = chain();
    let mapping = composed(&[v1, v2, v3]);
    assert_eq!(
        mapping.entity("Thing").unwrap().attribute("note"),
        Some(&ValueSource::Coalesce(
            "note".into(),
            DefaultValue::text("first")
        )),
        "NULLs became \"first\" in v2; v3's new default only applies to new rows"
    );
}

#[test]
fn compose_of_added_optional_then_required_uses_the_later_default() {
    let a = schema(1, vec![entity("Item", vec![text("x")])]);
    let b = schema(
        2,
        vec![entity(
            "Item",
            vec![text("x"), text("y").with_optional(true)],
        )],
    );
    let c = schema(
        3,
        vec![entity(
            "Item",
            vec![text("x"), text("y").with_default(DefaultValue::text("d"))],
        )],
    );
    let mapping = composed(&[a.clone(), b, c.clone()]);
    assert_eq!(
        mapping.entity("Item").unwrap().attribute("y"),
        Some(&ValueSource::Literal(Some(DefaultValue::text("d"))))
    );
    insta::assert_snapshot!(lines(&lowered(&a, &c, &mapping)), @r#"ALTER TABLE "Item" ADD COLUMN "y" TEXT NOT NULL DEFAULT 'd'"#);
}

#[test]
fn compose_of_removed_then_re_added_attribute_starts_from_the_default() {
    let a = schema(1, vec![entity("Item", vec![text("x"), text("y")])]);
    let b = schema(2, vec![entity("Item", vec![text("x")])]);
    let c = schema(
        3,
        vec![entity(
            "Item",
            vec![text("x"), text("y").with_default(DefaultValue::text("new"))],
        )],
    );
    let mapping = composed(&[a.clone(), b, c.clone()]);
    assert_eq!(
        mapping.entity("Item").unwrap().attribute("y"),
        Some(&ValueSource::Literal(Some(DefaultValue::text("new"))))
    );
    // The old `y` is dropped, then the new one added with its default.
    insta::assert_snapshot!(lines(&lowered(&a, &c, &mapping)), @r#"
        ALTER TABLE "Item" DROP COLUMN "y"
        ALTER TABLE "Item" ADD COLUMN "y" TEXT NOT NULL DEFAULT 'new'
    "#);
}

#[test]
fn composed_chain_lowers_to_one_rebuild_per_table_at_most() {
    let schemas = chain();
    let mapping = composed(&schemas);
    let (v1, v4) = (&schemas[0], &schemas[3]);
    insta::assert_snapshot!(listed_with(v1, v4, &mapping), @r#"
        rename entity `Item` to `Thing` (inferable)
        rename attribute `Thing.title` to `label` (inferable)
        make `Thing.note` required (NULLs become 'first') (uses-default)
        change default of `Thing.note` from NULL to 'second' (inferable)
        change type of `Thing.count` from `i32` to `i64` (inferable)
        add required attribute `Thing.rank` (existing rows get 7) (uses-default)
        add optional attribute `Tag.color` (inferable)
    "#);
    let statements = lowered(v1, v4, &mapping);
    let sql = lines(&statements);
    assert_eq!(rebuilds(&statements), 1, "{sql}");
    assert_eq!(count(&sql, "INSERT INTO \"_staged_new_"), 1, "{sql}");
    insta::assert_snapshot!(sql, @r#"
        CREATE TABLE "_staged_new_0" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "label" TEXT NOT NULL, "note" TEXT NOT NULL DEFAULT 'second', "count" INTEGER NOT NULL, "rank" INTEGER NOT NULL DEFAULT 7)
        INSERT INTO sqlite_sequence (name, seq) SELECT '_staged_new_0', max(coalesce((SELECT max(seq) FROM sqlite_sequence WHERE name = 'Item' COLLATE NOCASE), 0), coalesce((SELECT max("_id") FROM "Item"), 0))
        INSERT INTO "_staged_new_0" ("_id", "label", "note", "count", "rank") SELECT "_id", "title", coalesce("note", 'first'), "count", 7 FROM "Item"
        DROP TABLE "Item"
        ALTER TABLE "Tag" ADD COLUMN "color" TEXT
        ALTER TABLE "_staged_new_0" RENAME TO "Thing"
        CREATE INDEX "_staged_index_3_Tag_color" ON "Tag" ("color")
    "#);
}

fn listed_with(from: &SchemaDescriptor, to: &SchemaDescriptor, mapping: &SchemaMapping) -> String {
    changes(from, to, mapping)
        .iter()
        .map(|c| format!("{} ({})", c, c.class().name()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn compose_of_required_optional_required_keeps_the_first_default() {
    let a = schema(1, vec![entity("Item", vec![text("x").with_optional(true)])]);
    let b = schema(
        2,
        vec![entity(
            "Item",
            vec![text("x").with_default(DefaultValue::text("first"))],
        )],
    );
    let c = schema(3, vec![entity("Item", vec![text("x").with_optional(true)])]);
    let d = schema(
        4,
        vec![entity(
            "Item",
            vec![text("x").with_default(DefaultValue::text("second"))],
        )],
    );
    let mapping = composed(&[a, b, c, d]);
    assert_eq!(
        mapping.entity("Item").unwrap().attribute("x"),
        Some(&ValueSource::Coalesce(
            "x".into(),
            DefaultValue::text("first")
        )),
        "v1's NULLs became \"first\" in v2 and are no longer NULL when v4 applies"
    );
}

/// A name reused in a composed step: `a` (indexed) is renamed to `b` in v2,
/// and v3 adds a new indexed `a`. In place, `a`'s old index follows the
/// column to `b`, so it is dropped and both indexes are created under their
/// own names (matching indexes by name alone kept the old one on `b`).
#[test]
fn composed_rename_then_reused_name_recreates_the_indexes() {
    let v1 = schema(
        1,
        vec![entity(
            "P",
            vec![text("a").with_index(true), text("u").with_unique(true)],
        )],
    );
    let v2 = schema(
        2,
        vec![entity(
            "P",
            vec![
                rename(&text("a").with_index(true), "b"),
                rename(&text("u").with_unique(true), "w"),
            ],
        )],
    );
    let v3 = schema(
        3,
        vec![entity(
            "P",
            vec![
                text("b").with_index(true),
                text("w").with_unique(true),
                text("a").with_optional(true).with_index(true),
                text("u").with_optional(true).with_unique(true),
            ],
        )],
    );
    let mapping = composed(&[v1.clone(), v2, v3.clone()]);
    let statements = lowered(&v1, &v3, &mapping);
    assert_eq!(rebuilds(&statements), 0);
    insta::assert_snapshot!(lines(&statements), @r#"
        DROP INDEX "_staged_index_1_P_a"
        DROP INDEX "_staged_unique_1_P_u"
        ALTER TABLE "P" RENAME COLUMN "a" TO "b"
        ALTER TABLE "P" RENAME COLUMN "u" TO "w"
        ALTER TABLE "P" ADD COLUMN "a" TEXT
        ALTER TABLE "P" ADD COLUMN "u" TEXT
        CREATE INDEX "_staged_index_1_P_b" ON "P" ("b")
        CREATE UNIQUE INDEX "_staged_unique_1_P_w" ON "P" ("w")
        CREATE INDEX "_staged_index_1_P_a" ON "P" ("a")
        CREATE UNIQUE INDEX "_staged_unique_1_P_u" ON "P" ("u")
    "#);
}

/// SQLite compares column names without case: a new `A` can only be added
/// once `a` has been renamed away, so renames come before additions.
#[test]
fn renames_run_before_additions_that_differ_only_in_case() {
    let from = schema(1, vec![entity("P", vec![text("a")])]);
    let to = schema(
        2,
        vec![entity(
            "P",
            vec![text("A").with_optional(true), rename(&text("a"), "b")],
        )],
    );
    let statements = lowered(&from, &to, &map_step(&from, &to).unwrap());
    assert_eq!(rebuilds(&statements), 0);
    insta::assert_snapshot!(lines(&statements), @r#"
        ALTER TABLE "P" RENAME COLUMN "a" TO "b"
        ALTER TABLE "P" ADD COLUMN "A" TEXT
    "#);
}
