//! Lowering a mapping to the cheapest SQLite statements.
//!
//! Per entity, in-place `ALTER TABLE` (`RENAME TO`, `DROP COLUMN`, `RENAME
//! COLUMN`, `ADD COLUMN`) is used unless a change needs every value rewritten
//! (a nullability change, NULLs replaced by a default, a column renamed onto a
//! name another kept column has); then the table is rebuilt exactly once:
//! `CREATE` under a temporary name, its id high-water mark seeded from the
//! old table (so that ids stay unused, see [`sql::create_table`]),
//! `INSERT INTO … SELECT`, `DROP`, `RENAME`.
//! `ADD COLUMN` and `RENAME` touch no row; `DROP COLUMN` rewrites each row in
//! place but keeps the table and its other indexes, which makes it cheaper than
//! a rebuild (which also rebuilds every index). Unique constraints and indexes
//! are separate indexes, so turning them on or off never rewrites a table, and
//! a column is never part of a constraint that would stop `DROP COLUMN`.

use std::collections::HashSet;

use super::mapping::{EntityMapping, LinkSource, SchemaMapping, ValueSource};
use crate::schema::{AttributeDescriptor, EntityDescriptor, JoinTable, SchemaDescriptor};
use crate::sql;

mod indexes;

pub use indexes::index_statements;
use indexes::{indexes, kept_indexes};

/// One SQL statement of a lowered step, with what it does (so that a failure
/// can be reported in terms of entities and attributes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The SQL text.
    pub sql: String,
    /// What the statement is for.
    pub purpose: Purpose,
}

/// What a lowered statement does.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Purpose {
    /// Changes the schema only.
    Schema,
    /// Copies the rows of `entity` from table `source` into `table` during
    /// a rebuild; `columns` pairs each target attribute with its SQL
    /// expression over `source`.
    CopyRows {
        /// The entity (target name).
        entity: String,
        /// The table read from.
        source: String,
        /// The table written to (a [`rebuilt_table`](sql::rebuilt_table)).
        table: String,
        /// `(attribute, expression)` for every target attribute.
        columns: Vec<(String, String)>,
    },
    /// Creates the unique index of `entity.attribute` (fails on duplicates).
    CreateUnique {
        /// The entity.
        entity: String,
        /// The attribute.
        attribute: String,
    },
    /// Finds the records of `entity` holding a variant its enum attribute
    /// `attribute` no longer has (`values`, the stored names): the step
    /// fails when there is one. The statement is a query; the runner runs
    /// it before any other statement of the step.
    RemovedValues {
        /// The entity (target name).
        entity: String,
        /// The attribute (target name).
        attribute: String,
        /// The removed variants' stored names.
        values: Vec<String>,
    },
    /// Creates the unique index of a compound constraint of `entity` on
    /// `attributes` (fails on duplicate combinations).
    CreateUniqueTogether {
        /// The entity.
        entity: String,
        /// The attributes, in the constraint's order.
        attributes: Vec<String>,
    },
}

/// How an entity is brought to its target shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableAction {
    /// Created empty.
    Create,
    /// Changed in place (possibly not at all): removed columns dropped,
    /// then columns renamed, then columns added.
    Alter,
    /// Rebuilt once.
    Rebuild,
}

/// The statements that take a store from `from` to `to` along `mapping`.
pub fn lower(
    from: &SchemaDescriptor,
    to: &SchemaDescriptor,
    mapping: &SchemaMapping,
) -> Vec<Statement> {
    lower_except(from, to, mapping, &HashSet::new(), &HashSet::new())
}

/// Like [`lower`], but leaves out the target entities named in `skip`,
/// which a custom stage's transforms build themselves, and does not drop the
/// source entities named in `keep` (the transforms' sources, which the stage
/// drops itself). Source entities that only a skipped entity took rows from
/// are dropped.
///
/// The statements come in phases, numbered in the code:
///
/// 0. links copied out of to-ones that become many-to-manys;
/// 1. indexes dropped from tables changed in place;
/// 2. removed entities dropped;
/// 3. to 5. tables rebuilt and changed in place (`rebuild_and_alter`);
/// 6. new entities created;
/// 7. join tables;
/// 8. indexes created.
pub fn lower_except(
    from: &SchemaDescriptor,
    to: &SchemaDescriptor,
    mapping: &SchemaMapping,
    skip: &HashSet<String>,
    keep: &HashSet<String>,
) -> Vec<Statement> {
    let plans = table_plans(from, to, mapping, skip);
    // Records holding removed enum variants, found while every table has its source shape.
    let checks = plans.iter().flat_map(removed_values);
    // 0. Links copied out of to-ones that become many-to-manys.
    let (joins_first, joins_last) = join_statements(from, to, mapping);
    let mut out: Vec<Statement> = checks.chain(joins_first).collect();
    // 1. Indexes of tables changed in place that the target does not keep.
    for plan in &plans {
        if let (Some(source), TableAction::Alter) = (plan.source, plan.action) {
            let keep = kept_indexes(plan.mapping, source, plan.target);
            for index in indexes(source) {
                if !keep.contains(&index.name) {
                    out.push(schema(sql::drop_index(&index.name)));
                }
            }
        }
    }
    // 2. Removed entities: no entity built here takes rows from them.
    for source in from.entities() {
        let used = plans
            .iter()
            .any(|plan| plan.source.is_some_and(|s| s.name() == source.name()));
        if !used && !keep.contains(source.name()) {
            out.push(schema(sql::drop_table(source.name())));
        }
    }
    // 3.–5.
    rebuild_and_alter(&plans, &mut out);
    // 6. New entities.
    for plan in &plans {
        if plan.action == TableAction::Create {
            out.push(schema(sql::create_table(plan.target.name(), plan.target)));
        }
    }
    // 7. Join tables of many-to-many relationships.
    out.extend(joins_last);
    // 8. Indexes: all of them for new and rebuilt tables, the missing ones otherwise.
    for plan in &plans {
        let existing: HashSet<String> = match (plan.source, plan.action) {
            (Some(source), TableAction::Alter) => kept_indexes(plan.mapping, source, plan.target),
            _ => HashSet::new(),
        };
        for index in indexes(plan.target) {
            if !existing.contains(&index.name) {
                out.push(index.statement(plan.target.name()));
            }
        }
    }
    out
}

/// The [`Purpose::RemovedValues`] queries of a table kept from a source:
/// one per attribute whose enum loses variants.
fn removed_values(plan: &TablePlan<'_>) -> Vec<Statement> {
    let Some(source) = plan.source else {
        return Vec::new();
    };
    plan.mapping
        .attributes
        .iter()
        .filter_map(|(name, value)| {
            let (ValueSource::Column(column) | ValueSource::Coalesce(column, _)) = value else {
                return None;
            };
            let old = source.attribute(column)?.user_type()?;
            let new = plan.target.attribute(name)?.user_type()?;
            let kept = new.variants()?;
            let values: Vec<String> = old
                .variants()?
                .into_iter()
                .filter(|v| old.name() == new.name() && !kept.contains(v))
                .map(str::to_owned)
                .collect();
            (!values.is_empty()).then(|| Statement {
                sql: sql::probe_values(source.name(), column, &values),
                purpose: Purpose::RemovedValues {
                    entity: plan.target.name().to_owned(),
                    attribute: name.clone(),
                    values,
                },
            })
        })
        .collect()
}

/// A statement that changes the schema only.
fn schema(sql: String) -> Statement {
    Statement {
        sql,
        purpose: Purpose::Schema,
    }
}

/// How one target entity is built: from which source entity (if any), and
/// with which [`TableAction`].
struct TablePlan<'a> {
    mapping: &'a EntityMapping,
    target: &'a EntityDescriptor,
    source: Option<&'a EntityDescriptor>,
    action: TableAction,
}

/// The plan of every target entity of `mapping` not in `skip`, in target order.
fn table_plans<'a>(
    from: &'a SchemaDescriptor,
    to: &'a SchemaDescriptor,
    mapping: &'a SchemaMapping,
    skip: &HashSet<String>,
) -> Vec<TablePlan<'a>> {
    mapping
        .entities
        .iter()
        .filter(|m| !skip.contains(&m.target))
        .map(|m| {
            let target = to
                .entity(&m.target)
                .expect("a mapping names entities of its target");
            let source = m.source.as_deref().and_then(|name| from.entity(name));
            let action = match source {
                None => TableAction::Create,
                Some(source) => table_action(m, source, target),
            };
            TablePlan {
                mapping: m,
                target,
                source,
                action,
            }
        })
        .collect()
}

/// Phases 3 to 5 of [`lower_except`], then every table under a temporary
/// name takes its target name:
///
/// 3. rebuilds into temporary tables;
/// 4. renames to temporary names, so that renames may swap names;
/// 5. in-place column changes (drops first, so that a rename or an addition
///    may take a dropped column's name).
fn rebuild_and_alter(plans: &[TablePlan<'_>], out: &mut Vec<Statement>) {
    let mut final_renames = Vec::new();
    for (k, plan) in plans.iter().enumerate() {
        let Some(source) = plan.source else { continue };
        let (m, target) = (plan.mapping, plan.target);
        match plan.action {
            TableAction::Rebuild => {
                let temporary = sql::rebuilt_table(k);
                out.push(schema(sql::create_table(&temporary, target)));
                out.push(schema(sql::seed_sequence(&temporary, source.name())));
                out.push(copy_rows(&temporary, m, source));
                out.push(schema(sql::drop_table(source.name())));
                final_renames.push((temporary, target.name().to_owned()));
            }
            TableAction::Alter => {
                let mut current = source.name().to_owned();
                if !source.name().eq(target.name()) {
                    let temporary = sql::renamed_table(k);
                    out.push(schema(sql::rename_table(source.name(), &temporary)));
                    final_renames.push((temporary.clone(), target.name().to_owned()));
                    current = temporary;
                }
                alter_columns(&current, m, source, target, out);
            }
            TableAction::Create => unreachable!("entities with a source are altered or rebuilt"),
        }
    }
    for (temporary, target) in final_renames {
        out.push(schema(sql::rename_table(&temporary, &target)));
    }
}

/// The in-place column changes of table `current` (`source`'s table, maybe
/// under a temporary name): unused columns dropped, then renamed ones
/// renamed, then new ones added.
fn alter_columns(
    current: &str,
    m: &EntityMapping,
    source: &EntityDescriptor,
    target: &EntityDescriptor,
    out: &mut Vec<Statement>,
) {
    for column in unused_columns(m, source) {
        out.push(schema(sql::drop_column(current, column)));
    }
    // Renames before additions: SQLite compares column names
    // without case, so a new `A` can be added only once `a` is renamed away.
    for (attribute, value) in &m.attributes {
        if let ValueSource::Column(column) = value
            && column != attribute
        {
            out.push(schema(sql::rename_column(current, column, attribute)));
        }
    }
    for (attribute, value) in &m.attributes {
        if let ValueSource::Literal(value) = value {
            let added = target
                .attribute(attribute)
                .expect("target attribute")
                .clone()
                .with_default(value.clone());
            out.push(schema(sql::add_column(current, &added)));
        }
    }
}

/// Whether `source` becomes `target` in place or needs one rebuild.
pub fn table_action(
    mapping: &EntityMapping,
    source: &EntityDescriptor,
    target: &EntityDescriptor,
) -> TableAction {
    let used = used_columns(mapping);
    let rewritten = mapping.attributes.iter().any(|(name, value)| {
        let new = target.attribute(name).expect("target attribute");
        match value {
            ValueSource::Coalesce(..) => true,
            ValueSource::Column(column) => {
                let old = source.attribute(column).expect("source attribute");
                old.is_optional() != new.is_optional()
                    || old.ty().sql_type() != new.ty().sql_type()
                    // A foreign key cannot be altered: a new target name or delete action rebuilds.
                    || foreign_key(old) != foreign_key(new)
                    // A renamed column whose new name a kept column still has
                    // (dropped columns are gone before renames).
                    || (column != name
                        && source.attributes().iter().any(|a| {
                            a.name() != column
                                && a.name().eq_ignore_ascii_case(name)
                                && used.contains(a.name())
                        }))
            }
            // SQLite adds a NOT NULL column only with a non-NULL default.
            ValueSource::Literal(value) => !new.is_optional() && value.is_none(),
        }
    });
    if rewritten {
        TableAction::Rebuild
    } else {
        TableAction::Alter
    }
}

/// The foreign key clause of a column, as it compares across versions: the
/// referenced table's name and the `ON DELETE` action.
fn foreign_key(attribute: &AttributeDescriptor) -> Option<(&str, &'static str)> {
    let reference = attribute.reference()?;
    Some((reference.target(), reference.delete_rule().on_delete()?))
}

/// Where the links of a join table of the target schema come from.
enum Links<'a> {
    /// A join table of the source schema; `same`: its `source` column holds
    /// ids of the new owner side.
    Join(&'a JoinTable, bool),
    /// A to-one column of a source entity table; `owner`: that entity is the
    /// new owner side.
    Column {
        table: String,
        column: String,
        owner: bool,
    },
}

/// The statements that bring the many-to-many join tables to the target
/// schema: `(first, last)`, where `first` runs before any other statement
/// (copying the to-ones that become many-to-manys) and `last` after every
/// entity table has its target name. A join table is kept when its name and
/// both sides' entities are unchanged; otherwise it is created under its new
/// name and filled from its old join table or to-one; join tables nothing
/// keeps are dropped.
fn join_statements(
    from: &SchemaDescriptor,
    to: &SchemaDescriptor,
    mapping: &SchemaMapping,
) -> (Vec<Statement>, Vec<Statement>) {
    let source_joins = from.join_tables();
    let mut kept: HashSet<String> = HashSet::new();
    let (mut first, mut last) = (Vec::new(), Vec::new());
    let mut creates = Vec::new();
    let source_of = |entity: &str| mapping.entity(entity).and_then(|m| m.source.clone());
    for (k, join) in to.join_tables().into_iter().enumerate() {
        let links = links_of(from, mapping, &source_joins, &join);
        let unchanged = matches!(links, Some(Links::Join(old, true))
            if old.name == join.name
                && old.owner == join.owner
                && old.target == join.target
                && source_of(&join.owner).as_deref() == Some(old.owner.as_str())
                && source_of(&join.target).as_deref() == Some(old.target.as_str()));
        if unchanged {
            kept.insert(join.name.clone());
            continue;
        }
        let temporary = sql::rebuilt_join_table(k);
        last.push(schema(sql::create_join_table(&temporary, &join)));
        match links {
            Some(Links::Join(old, same)) => {
                last.push(schema(sql::copy_links(&temporary, &old.name, !same)));
            }
            Some(Links::Column {
                table,
                column,
                owner,
            }) => {
                let links = sql::links_table(k);
                first.push(schema(sql::links_of_to_one(&links, &table, &column, owner)));
                last.push(schema(sql::copy_links(&temporary, &links, false)));
                last.push(schema(sql::drop_table(&links)));
            }
            None => {}
        }
        creates.push((temporary, join));
    }
    for old in &source_joins {
        if !kept.contains(&old.name) {
            last.push(schema(sql::drop_table(&old.name)));
        }
    }
    for (temporary, join) in creates {
        last.push(schema(sql::rename_table(&temporary, &join.name)));
        last.push(schema(sql::create_join_index(&join)));
    }
    (first, last)
}

/// Where the links of `join`, a join table of the target schema, come
/// from: a join table of `source_joins` (of the source schema) or a to-one,
/// as the mapping of either side says; `None` for a new relationship.
fn links_of<'j>(
    from: &SchemaDescriptor,
    mapping: &SchemaMapping,
    source_joins: &'j [JoinTable],
    join: &JoinTable,
) -> Option<Links<'j>> {
    let sides = [
        (join.owner.as_str(), Some(join.relationship.as_str()), true),
        (join.target.as_str(), join.inverse.as_deref(), false),
    ];
    sides.into_iter().find_map(|(entity, relationship, owner)| {
        let m = mapping.entity(entity)?;
        let source = m.source.as_deref()?;
        match m.relationship(relationship?)? {
            LinkSource::ManyToMany(old) => {
                let (name, owned) = from.entity(source)?.relationship(old)?.join_table(source);
                let old = source_joins.iter().find(|j| j.name == name)?;
                Some(Links::Join(old, owned == owner))
            }
            LinkSource::ToOne(column) => Some(Links::Column {
                table: source.to_owned(),
                column: column.clone(),
                owner,
            }),
            LinkSource::New => None,
        }
    })
}

/// The source columns some target attribute takes its values from.
fn used_columns(mapping: &EntityMapping) -> HashSet<&str> {
    mapping
        .attributes
        .iter()
        .filter_map(|(_, value)| match value {
            ValueSource::Column(c) | ValueSource::Coalesce(c, _) => Some(c.as_str()),
            ValueSource::Literal(_) => None,
        })
        .collect()
}

/// The source columns no target attribute takes values from, in source order.
fn unused_columns<'s>(mapping: &EntityMapping, source: &'s EntityDescriptor) -> Vec<&'s str> {
    let used = used_columns(mapping);
    source
        .attributes()
        .iter()
        .map(|a| a.name())
        .filter(|name| !used.contains(name))
        .collect()
}

fn copy_rows(temporary: &str, mapping: &EntityMapping, source: &EntityDescriptor) -> Statement {
    let columns: Vec<(String, String)> = mapping
        .attributes
        .iter()
        .map(|(name, value)| {
            let expression = match value {
                ValueSource::Column(column) => sql::quote_ident(column),
                ValueSource::Coalesce(column, default) => sql::coalesce(column, default),
                ValueSource::Literal(value) => sql::optional_literal(value.as_ref()),
            };
            (name.clone(), expression)
        })
        .collect();
    Statement {
        sql: sql::copy_rows(temporary, source.name(), &columns),
        purpose: Purpose::CopyRows {
            entity: mapping.target.clone(),
            source: source.name().to_owned(),
            table: temporary.to_owned(),
            columns,
        },
    }
}
