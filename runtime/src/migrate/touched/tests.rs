//! What each kind of step reads of the store, and which steps keep every
//! reference.

use super::*;
use crate::schema::{
    AttributeDescriptor, AttributeType, DefaultValue, DeleteRule, EntityDescriptor, Reference,
    RelationshipDescriptor, ToManyKind, Version,
};

fn text(name: &str) -> AttributeDescriptor {
    AttributeDescriptor::named(name, AttributeType::Text)
}

fn entity(name: &str, attributes: Vec<AttributeDescriptor>) -> EntityDescriptor {
    EntityDescriptor::from_parts(name, None, attributes)
}

fn schema(major: u64, entities: Vec<EntityDescriptor>) -> SchemaDescriptor {
    SchemaDescriptor::from_entities(Version::new(major, 0, 0), entities)
}

/// v1: `Item { name, note?, code (unique), list (indexed) }` and `Tag { label }`.
fn base() -> SchemaDescriptor {
    schema(
        1,
        vec![item(Vec::new()), entity("Tag", vec![text("label")])],
    )
}

fn item(extra: Vec<AttributeDescriptor>) -> EntityDescriptor {
    let mut attributes = vec![
        text("name"),
        text("note").with_optional(true),
        text("code").with_unique(true),
        text("list").with_index(true),
    ];
    attributes.extend(extra);
    entity("Item", attributes)
}

/// v2: `Item`'s attributes passed through `edit`, `Tag` as it was.
fn edit_item(edit: impl FnOnce(&mut Vec<AttributeDescriptor>)) -> SchemaDescriptor {
    let mut item = item(Vec::new()).attributes().to_vec();
    edit(&mut item);
    schema(
        2,
        vec![entity("Item", item), entity("Tag", vec![text("label")])],
    )
}

fn inferred<'a>(from: &'a SchemaDescriptor, to: &'a SchemaDescriptor) -> Step<'a> {
    let mapping = inference::map_step(from, to).expect("a mapping");
    Step {
        source: from,
        target: to,
        statements: Cow::Owned(inference::lower(from, to, &mapping)),
        mapping: Cow::Owned(mapping),
        custom: None,
    }
}

/// Tables read with their indexes.
fn tables(names: &[&str]) -> Touched {
    Touched::Tables(names.iter().map(|&n| (n.to_owned(), Reach::All)).collect())
}

/// Tables whose rows only are read.
fn rows(names: &[&str]) -> Touched {
    Touched::Tables(names.iter().map(|&n| (n.to_owned(), Reach::Rows)).collect())
}

fn one_step(to: &SchemaDescriptor) -> Touched {
    let from = base();
    walk(&from, [inferred(&from, to)])
}

#[test]
fn adding_renaming_and_keeping_columns_reads_no_table() {
    let added = edit_item(|a| a.push(text("due").with_optional(true)));
    assert_eq!(one_step(&added), tables(&[]));
    let with_default = edit_item(|a| {
        a.push(
            AttributeDescriptor::named("rank", AttributeType::I64)
                .with_default(DefaultValue::Integer(0)),
        )
    });
    assert_eq!(one_step(&with_default), tables(&[]));
    let renamed = edit_item(|a| a[0] = text("title").with_original_name("name"));
    assert_eq!(one_step(&renamed), tables(&[]));
    let entity_renamed = schema(
        2,
        vec![
            item(Vec::new()),
            EntityDescriptor::from_parts("Label", Some("Tag".to_owned()), vec![text("label")]),
        ],
    );
    // Only the table's row of `sqlite_sequence` is renamed with it.
    assert_eq!(one_step(&entity_renamed), tables(&["sqlite_sequence"]));
    let entity_added = schema(
        2,
        vec![
            item(Vec::new()),
            entity("Tag", vec![text("label")]),
            entity("New", vec![text("x")]),
        ],
    );
    assert_eq!(one_step(&entity_added), tables(&[]));
}

#[test]
fn dropping_a_column_indexing_and_rebuilding_read_the_table() {
    let dropped = edit_item(|a| {
        a.remove(1);
    });
    assert_eq!(one_step(&dropped), rows(&["Item"]));
    let unique = edit_item(|a| a[0] = text("name").with_unique(true));
    assert_eq!(one_step(&unique), rows(&["Item"]));
    let indexed = edit_item(|a| a[0] = text("name").with_index(true));
    assert_eq!(one_step(&indexed), rows(&["Item"]));
    // `DROP INDEX` walks the index's pages to free them.
    let unindexed = edit_item(|a| a[3] = text("list"));
    assert_eq!(one_step(&unindexed), tables(&["Item"]));
    // NULLs replaced by a default: one rebuild.
    let required = edit_item(|a| a[1] = text("note").with_default(DefaultValue::Text("".into())));
    assert_eq!(one_step(&required), tables(&["Item", "sqlite_sequence"]));
}

#[test]
fn a_removed_entity_is_read_to_free_its_pages() {
    let removed = schema(2, vec![item(Vec::new())]);
    // And its row of `sqlite_sequence` deleted.
    assert_eq!(one_step(&removed), tables(&["Tag", "sqlite_sequence"]));
}

#[test]
fn a_renamed_table_is_known_by_its_name_in_the_store() {
    let renamed = schema(
        2,
        vec![
            item(Vec::new()),
            EntityDescriptor::from_parts("Label", Some("Tag".to_owned()), vec![]),
        ],
    );
    // Its attribute dropped: rows rewritten in place; its row of
    // `sqlite_sequence` renamed.
    assert_eq!(
        one_step(&renamed),
        Touched::Tables(
            [("Tag", Reach::Rows), ("sqlite_sequence", Reach::All)]
                .map(|(table, reach)| (table.to_owned(), reach))
                .into()
        )
    );
    // Renamed in one step, transformed in the next: the transform reads
    // the store's `Tag`.
    let v1 = base();
    let v2 = schema(
        2,
        vec![
            item(Vec::new()),
            EntityDescriptor::from_parts("Label", Some("Tag".to_owned()), vec![text("label")]),
        ],
    );
    let v3 = schema(
        3,
        vec![item(Vec::new()), entity("Label", vec![text("text")])],
    );
    let mut transform = inferred(&v2, &v3);
    transform.custom = Some(Custom {
        hooks: false,
        transforms: vec![("Label", "Label")],
    });
    assert_eq!(
        walk(&v1, [inferred(&v1, &v2), transform]),
        tables(&["Tag", "sqlite_sequence"])
    );
}

#[test]
fn a_transform_reads_its_entity_and_what_refers_to_it() {
    let parent = |major| {
        schema(
            major,
            vec![
                entity("Parent", vec![text("name")]),
                entity(
                    "Child",
                    vec![AttributeDescriptor::to_one(
                        "parent",
                        true,
                        Reference::to("Parent", DeleteRule::Cascade),
                    )],
                ),
                entity("Other", vec![text("x")]),
            ],
        )
    };
    let (v1, v2) = (parent(1), parent(2));
    let mut step = inferred(&v1, &v2);
    step.custom = Some(Custom {
        hooks: false,
        transforms: vec![("Parent", "Parent")],
    });
    assert_eq!(
        walk(&v1, [step]),
        tables(&["Child", "Parent", "sqlite_sequence"])
    );
}

#[test]
fn hooks_may_read_anything() {
    let (v1, v2) = (base(), edit_item(|_| {}));
    let mut step = inferred(&v1, &v2);
    step.custom = Some(Custom {
        hooks: true,
        transforms: Vec::new(),
    });
    assert_eq!(walk(&v1, [step]), Touched::Everything);
}

#[test]
fn many_to_many_links_are_read_from_the_tables_holding_them() {
    let with_tags = |major, kind| {
        let tags = RelationshipDescriptor::build("tags", "Tag", kind, None);
        schema(
            major,
            vec![
                item(Vec::new()).with_to_many(vec![tags]),
                entity("Tag", vec![text("label")]),
            ],
        )
    };
    let v1 = base();
    let v2 = with_tags(2, ToManyKind::ManyToMany);
    // A new join table: nothing of the store read.
    assert_eq!(walk(&v1, [inferred(&v1, &v2)]), tables(&[]));
    // The join table removed: its pages freed.
    let v3 = schema(3, base().entities().to_vec());
    let join = v2.join_tables()[0].name.clone();
    assert_eq!(
        walk(&v2, [inferred(&v2, &v3)]),
        tables(&[join.as_str(), "sqlite_sequence"])
    );
}

#[test]
fn only_statements_that_keep_rows_keep_references() {
    assert!(keeps_rows(r#"ALTER TABLE "Item" ADD COLUMN "due" INTEGER"#));
    assert!(keeps_rows(r#"ALTER TABLE "Item" RENAME COLUMN "a" TO "b""#));
    assert!(keeps_rows(r#"ALTER TABLE "Item" DROP COLUMN "note""#));
    assert!(keeps_rows(r#"CREATE INDEX "i" ON "Item" ("name")"#));
    assert!(keeps_rows(r#"DROP INDEX "i""#));
    assert!(keeps_rows(
        r#"CREATE TABLE "New" ("_id" INTEGER PRIMARY KEY)"#
    ));
    // A reference column added: every row gets its default.
    assert!(!keeps_rows(
        r#"ALTER TABLE "Item" ADD COLUMN "tag" INTEGER REFERENCES "Tag" ("_id") ON DELETE CASCADE"#
    ));
    assert!(!keeps_rows(
        r#"INSERT INTO "New" ("_id") SELECT "_id" FROM "Item""#
    ));
    assert!(!keeps_rows(r#"DROP TABLE "Item""#));
    assert!(!keeps_rows(r#"ALTER TABLE "Item" RENAME TO "Thing""#));
    assert!(!keeps_rows(r#"UPDATE "Item" SET "name" = ''"#));
}

#[test]
fn an_unknown_statement_is_everything() {
    let schema = base();
    let mut walk = Walk::new(&schema);
    assert!(!walk.statement(&schema, "UPDATE \"Item\" SET \"name\" = ''"));
    assert!(!walk.statement(&schema, "DROP TABLE \"Unknown\""));
    assert!(walk.statement(&schema, "ALTER TABLE \"Item\" DROP COLUMN \"note\""));
}
