//! What a migration path reads of the store as it is before the migration:
//! the tables whose every page some step walks (rows copied, transformed,
//! rewritten by `DROP COLUMN`, read into a new index, or pages freed by a
//! drop), found from the planned steps and the statements the runner
//! lowers for them. The check before the migration
//! ([`store::integrity`](crate::store::integrity)) reads these tables.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::inference;
use crate::plan::SchemaMigrationPlan;
use crate::planner::PlannedStep;
use crate::schema::{SchemaDescriptor, VersionedSchema};
use crate::sql::{self, SEQUENCE_TABLE, Shape};
use crate::store::integrity::{Reach, Touched};

/// What the planned `steps` (from the store's version to the plan's
/// latest) read of the store.
pub(super) fn touched<S: VersionedSchema>(
    plan: &SchemaMigrationPlan<S>,
    steps: &[PlannedStep],
) -> Touched {
    let Some(first) = steps.first() else {
        return Touched::Tables(BTreeMap::new());
    };
    let schemas = plan.schemas();
    let steps = steps.iter().map(|step| {
        let custom = step
            .stage
            .and_then(|k| plan.stages()[k].custom_part())
            .map(|custom| Custom {
                hooks: !(custom.will_migrate.is_empty()
                    && custom.migrate.is_empty()
                    && custom.did_migrate.is_empty()),
                transforms: custom
                    .transforms
                    .iter()
                    .map(|t| ((t.source)().name(), (t.target)().name()))
                    .collect(),
            });
        Step {
            source: schemas[step.from].descriptor(),
            target: schemas[step.to].descriptor(),
            mapping: plan.mapping(step.from, step.to),
            custom,
        }
    });
    walk(schemas[first.from].descriptor(), steps)
}

/// Whether the planned `steps` keep every reference of the store as it
/// was: inferred steps whose statements only add columns (none holding a
/// reference), rename or drop columns, create or drop indexes, or create
/// (empty) tables. Every row keeps its id and the value of every reference
/// column, so no reference that pointed at a record stops doing so, and the
/// runner need not read every table holding references to look for one
/// (`PRAGMA foreign_key_check`).
pub(super) fn keeps_references<S: VersionedSchema>(
    plan: &SchemaMigrationPlan<S>,
    steps: &[PlannedStep],
) -> bool {
    let schemas = plan.schemas();
    steps.iter().all(|step| {
        let custom = step
            .stage
            .and_then(|k| plan.stages()[k].custom_part())
            .is_some();
        !custom && {
            let (source, target) = (
                schemas[step.from].descriptor(),
                schemas[step.to].descriptor(),
            );
            let mapping = plan.mapping(step.from, step.to);
            inference::lower(source, target, &mapping)
                .iter()
                .all(|statement| keeps_rows(&statement.sql))
        }
    })
}

/// Whether `statement` leaves every row's id and values in place (a column
/// added gets its default in every row: one holding a reference does not
/// count).
fn keeps_rows(statement: &str) -> bool {
    match sql::shape(statement) {
        Some(Shape::DropColumn(_) | Shape::CreateIndex(_) | Shape::DropIndex(_)) => true,
        Some(Shape::AlterColumn(_)) => !statement.contains(" REFERENCES "),
        Some(Shape::CreateTable { from, .. }) => from.is_none(),
        _ => false,
    }
}

/// One physical step of a path.
struct Step<'a> {
    source: &'a SchemaDescriptor,
    target: &'a SchemaDescriptor,
    mapping: inference::SchemaMapping,
    /// `None` for an inferred step.
    custom: Option<Custom<'a>>,
}

/// What the runner does in a custom step, besides the inferred statements.
struct Custom<'a> {
    /// Whether the stage has `will_migrate`, `migrate` or `did_migrate` hooks.
    hooks: bool,
    /// `(source entity, target entity)` of each transform.
    transforms: Vec<(&'a str, &'a str)>,
}

/// Follows `steps` from a store at schema `start`.
fn walk<'a>(start: &SchemaDescriptor, steps: impl IntoIterator<Item = Step<'a>>) -> Touched {
    let mut walk = Walk::new(start);
    for step in steps {
        let known = match &step.custom {
            None => walk.statements(
                step.source,
                &inference::lower(step.source, step.target, &step.mapping),
            ),
            Some(custom) if custom.hooks => false,
            Some(custom) => {
                walk.custom(step.source, step.target, &step.mapping, &custom.transforms)
            }
        };
        if !known {
            return Touched::Everything;
        }
    }
    Touched::Tables(walk.touched)
}

/// The tables of the store as the steps change them.
struct Walk {
    /// Each table by its current name: its name in the store before the
    /// migration, or `None` for a table the migration created.
    tables: HashMap<String, Option<String>>,
    /// Tables of the store some step reads every page of, and how much.
    touched: BTreeMap<String, Reach>,
}

impl Walk {
    fn new(schema: &SchemaDescriptor) -> Self {
        let entities = schema.entities().iter().map(|e| e.name().to_owned());
        let joins = schema.join_tables().into_iter().map(|j| j.name);
        Walk {
            tables: entities
                .chain(joins)
                .map(|n| (n.clone(), Some(n)))
                .collect(),
            touched: BTreeMap::new(),
        }
    }

    /// Marks the table now called `table` as read and written, indexes
    /// included (rows deleted or updated, pages freed); `false` for a table
    /// the walk does not know.
    fn read(&mut self, table: &str) -> bool {
        self.reach(table, Reach::All)
    }

    /// Marks the rows of the table now called `table` as read, or rewritten
    /// in place with the same ids and indexed values, its indexes left
    /// alone; `false` for a table the walk does not know.
    fn read_rows(&mut self, table: &str) -> bool {
        self.reach(table, Reach::Rows)
    }

    fn reach(&mut self, table: &str, reach: Reach) -> bool {
        match self.tables.get(table) {
            Some(Some(original)) => {
                self.mark(original.clone(), reach);
                true
            }
            Some(None) => true,
            None => false,
        }
    }

    /// Marks `sqlite_sequence` as written when the table now called `table`
    /// is one of the store's: its row there is renamed or deleted with it.
    fn sequence_of(&mut self, table: &str) {
        if let Some(Some(_)) = self.tables.get(table) {
            self.mark(SEQUENCE_TABLE.to_owned(), Reach::All);
        }
    }

    fn mark(&mut self, original: String, reach: Reach) {
        let known = self.touched.entry(original).or_insert(reach);
        *known = (*known).max(reach);
    }

    fn rename(&mut self, from: &str, to: &str) -> bool {
        match self.tables.remove(from) {
            Some(original) => {
                self.tables.insert(to.to_owned(), original);
                true
            }
            None => false,
        }
    }

    /// The runner's statements for a custom stage without hooks: each
    /// transform reads its source's rows (and drops the old table), the
    /// inferred statements run for the other entities, and rows a transform
    /// drops take the delete rules to what refers to them.
    fn custom(
        &mut self,
        source: &SchemaDescriptor,
        target: &SchemaDescriptor,
        mapping: &inference::SchemaMapping,
        transforms: &[(&str, &str)],
    ) -> bool {
        let mut skip = HashSet::new();
        let mut keep = HashSet::new();
        if !transforms.is_empty() {
            // Each new table's sequence is seeded from the old one's.
            self.mark(SEQUENCE_TABLE.to_owned(), Reach::All);
        }
        for (old, new) in transforms {
            if !self.read(old) {
                return false;
            }
            skip.insert((*new).to_owned());
            keep.insert((*old).to_owned());
        }
        let statements = inference::lower_except(source, target, mapping, &skip, &keep);
        if !self.statements(source, &statements) {
            return false;
        }
        for (k, (old, new)) in transforms.iter().enumerate() {
            let shadow = sql::old_table(k);
            self.rename(old, &shadow);
            self.tables.insert((*new).to_owned(), None);
        }
        // Delete rules after rows a transform dropped: every table holding
        // references to a transformed entity, and so on down the cascades.
        let joins = target.join_tables();
        let mut pending: Vec<String> = transforms.iter().map(|(_, n)| (*n).to_owned()).collect();
        let mut seen = HashSet::new();
        while let Some(parent) = pending.pop() {
            if !seen.insert(parent.clone()) {
                continue;
            }
            for child in target.entities() {
                if child.references().any(|(_, r)| r.target() == parent) {
                    if !self.read(child.name()) {
                        return false;
                    }
                    pending.push(child.name().to_owned());
                }
            }
            for join in joins
                .iter()
                .filter(|j| j.owner == parent || j.target == parent)
            {
                if !self.read(&join.name) {
                    return false;
                }
            }
        }
        for k in 0..transforms.len() {
            self.tables.remove(&sql::old_table(k));
        }
        true
    }

    /// Follows lowered statements; `false` when one has a shape this walk
    /// does not know.
    fn statements(
        &mut self,
        source: &SchemaDescriptor,
        statements: &[inference::Statement],
    ) -> bool {
        statements.iter().all(|s| self.statement(source, &s.sql))
    }

    fn statement(&mut self, source: &SchemaDescriptor, statement: &str) -> bool {
        let Some(shape) = sql::shape(statement) else {
            return false;
        };
        match shape {
            // SQLite walks every page of a dropped table or index to free
            // it, and deletes the table's row of `sqlite_sequence`.
            Shape::DropTable(table) => {
                self.sequence_of(&table);
                let known = self.read(&table);
                self.tables.remove(&table);
                known
            }
            Shape::DropIndex(index) => {
                index_table(source, &index).is_some_and(|table| self.read(&table))
            }
            // The schema, and the table's row of `sqlite_sequence`.
            Shape::RenameTable { from, to } => {
                self.sequence_of(&from);
                self.rename(&from, &to)
            }
            // Every row rewritten in place: same rowid, same indexed
            // values (SQLite refuses to drop an indexed column).
            Shape::DropColumn(table) => self.read_rows(&table),
            // The schema only.
            Shape::AlterColumn(table) => self.tables.contains_key(&table),
            // Reads every row of the table.
            Shape::CreateIndex(table) => self.read_rows(&table),
            Shape::CreateTable { table, from } => {
                self.tables.insert(table, None);
                from.is_none_or(|from| self.read_rows(&from))
            }
            Shape::Insert { into, from } => {
                // The sequence seed reads only the largest id, and writes
                // `sqlite_sequence`.
                if into.eq_ignore_ascii_case(SEQUENCE_TABLE) {
                    self.mark(SEQUENCE_TABLE.to_owned(), Reach::All);
                }
                from.is_none_or(|from| self.read_rows(&from))
            }
        }
    }
}

/// The table of the source schema an index of staged belongs to.
fn index_table(schema: &SchemaDescriptor, index: &str) -> Option<String> {
    for entity in schema.entities() {
        let name = entity.name();
        let single = entity.attributes().iter().any(|attribute| {
            index == sql::unique_index_name(name, attribute.name())
                || index == sql::plain_index_name(name, attribute.name())
        });
        let compound = entity.constraints().iter().any(|constraint| {
            index == sql::compound_index_name(name, constraint.is_unique(), constraint.attributes())
        });
        if single || compound {
            return Some(name.to_owned());
        }
    }
    schema
        .join_tables()
        .into_iter()
        .find(|join| index == sql::join_index_name(&join.name))
        .map(|join| join.name)
}

#[cfg(test)]
mod tests {
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
        Step {
            source: from,
            target: to,
            mapping: inference::map_step(from, to).expect("a mapping"),
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
        let required =
            edit_item(|a| a[1] = text("note").with_default(DefaultValue::Text("".into())));
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
}
