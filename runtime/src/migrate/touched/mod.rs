//! What a migration path reads of the store as it is before the migration:
//! the tables whose every page some step walks (rows copied, transformed,
//! rewritten by `DROP COLUMN`, read into a new index, or pages freed by a
//! drop), found from the planned steps and the statements the runner
//! lowers for them. The check before the migration
//! ([`store::integrity`](crate::store::integrity)) reads these tables.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use super::lowered::Lowered;
use crate::inference::{self, SchemaMapping, Statement};
use crate::plan::SchemaMigrationPlan;
use crate::planner::PlannedStep;
use crate::schema::{SchemaDescriptor, VersionedSchema};
use crate::sql::{self, SEQUENCE_TABLE, Shape};
use crate::store::integrity::{Reach, Touched};

/// What the planned `steps` (from the store's version to the plan's
/// latest) read of the store; `lowered` holds each step's mapping and
/// statements.
pub(super) fn touched<S: VersionedSchema>(
    plan: &SchemaMigrationPlan<S>,
    steps: &[PlannedStep],
    lowered: &[Lowered<'_>],
) -> Touched {
    let Some(first) = steps.first() else {
        return Touched::Tables(BTreeMap::new());
    };
    let schemas = plan.schemas();
    let steps = steps.iter().zip(lowered).map(|(step, lowered)| {
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
            mapping: Cow::Borrowed(&lowered.mapping),
            statements: Cow::Borrowed(lowered.statements().unwrap_or_default()),
            custom,
        }
    });
    walk(schemas[first.from].descriptor(), steps)
}

/// Whether the steps `lowered` keep every reference of the store as it
/// was: inferred steps whose statements only add columns (none holding a
/// reference), rename or drop columns, create or drop indexes, or create
/// (empty) tables. Every row keeps its id and the value of every reference
/// column, so no reference that pointed at a record stops doing so, and the
/// runner need not read every table holding references to look for one
/// (`PRAGMA foreign_key_check`).
pub(super) fn keeps_references(lowered: &[Lowered<'_>]) -> bool {
    lowered.iter().all(|step| {
        step.statements().is_some_and(|statements| {
            statements
                .iter()
                .all(|statement| keeps_rows(&statement.sql))
        })
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
    mapping: Cow<'a, SchemaMapping>,
    /// An inferred step's statements (a custom step's are lowered here).
    statements: Cow<'a, [Statement]>,
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
            None => walk.statements(step.source, &step.statements),
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
        mapping: &SchemaMapping,
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
mod tests;
