//! Attributes: the changes made in place (`ADD`, `RENAME` and `DROP
//! COLUMN`, indexes on and off), and the rewrites that rebuild a table once.

use super::*;

// In place.

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
    insta::assert_snapshot!(listed(&base(), &to), @r#"change default of `Item.level` from 1 to 5 (existing values are kept) (inferable)"#);
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

// Removals in place, other rewrites one rebuild.

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
        add default '' to `Item.note` (existing values are kept) (inferable)
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
