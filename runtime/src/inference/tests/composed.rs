//! Composed steps: the algebra of `compose` and what a composed step lowers to.

use super::*;

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
        add default 'second' to `Thing.note` (existing values are kept) (inferable)
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
