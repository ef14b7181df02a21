//! Entities added, removed, renamed and swapped.

use super::*;

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
