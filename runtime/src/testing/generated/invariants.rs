//! What a migration must keep of a generated store, checked on its own:
//! every record of an entity that is still there (unless the plan lets it
//! go: a `transform_or_drop`, a cascade from one, or the test says a hook
//! deletes rows), with its id, and the values of every attribute the plan
//! maps from an old one (renames followed, widenings compared as numbers).

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;
use rusqlite::types::Value;

use super::Generated;
use super::seeded::{SeededStore, value_text};
use crate::inference::SchemaMapping;
use crate::inference::mapping::{EntityMapping, ValueSource};
use crate::plan::SchemaMigrationPlan;
use crate::schema::{
    AttributeType, DeleteRule, EntityDescriptor, SchemaDescriptor, VersionedSchema,
};
use crate::sql;

/// What a migration from one version must keep.
pub(super) struct Expectations<'a> {
    from: &'a SchemaDescriptor,
    to: &'a SchemaDescriptor,
    /// From `from` to the latest version, composed over the plan's gaps.
    mapping: SchemaMapping,
    /// Entities of `from` whose records the route may drop.
    droppable: HashSet<String>,
    generated: &'a Generated,
}

impl<'a> Expectations<'a> {
    /// The expectations of a store at `from` migrated with `plan`.
    pub(super) fn new<S: VersionedSchema>(
        plan: &SchemaMigrationPlan<S>,
        from: &'a SchemaDescriptor,
        generated: &'a Generated,
    ) -> Self {
        let start = plan.index_of(from.version()).unwrap_or_default();
        let last = plan.schemas().len() - 1;
        let mapping = if start == last {
            identity(from)
        } else {
            plan.mapping(start, last)
        };
        Expectations {
            from,
            to: S::descriptor(),
            mapping,
            droppable: droppable(plan, start, from),
            generated,
        }
    }

    /// Every way the store behind `conn`, migrated from `seeded`, lost data.
    pub(super) fn problems(
        &self,
        seeded: &SeededStore,
        conn: &Connection,
    ) -> crate::Result<Vec<String>> {
        let mut problems = Vec::new();
        for mapped in &self.mapping.entities {
            let (Some(source), Some(target)) =
                (mapped.source.as_deref(), self.to.entity(&mapped.target))
            else {
                continue;
            };
            let (Some(old_entity), Some(old)) = (self.from.entity(source), seeded.entity(source))
            else {
                continue;
            };
            let rows = read_rows(conn, target)?;
            let may_lose =
                self.droppable.contains(source) || self.generated.deletes.contains(&mapped.target);
            let pair = Pair {
                mapped,
                old_entity,
                target,
            };
            for (id, old_values) in &old.records {
                let record = || seeded.record(source, *id);
                match rows.get(id) {
                    None if may_lose => {}
                    None => problems.push(format!(
                        "record #{id} of `{source}` is gone after the migration to {to} (`{target}` has {now} \
                         records, {had} were written at {from}): {record}; records may only go with their \
                         entity in `removed(…)`, through a `transform_or_drop`, or where the test says a hook \
                         deletes them (`Generated::deletes_rows`)",
                        target = mapped.target,
                        to = self.to.version(),
                        from = self.from.version(),
                        now = rows.len(),
                        had = old.records.len(),
                        record = record(),
                    )),
                    Some(new_values) => {
                        for lost in self.lost_values(&pair, old_values, new_values) {
                            problems.push(format!(
                                "`{}.{}` of record #{id} lost its value: it was {} (`{source}.{}` at \
                                 {from}) and is {} after the migration to {to}; the record at {from}: {}",
                                mapped.target,
                                lost.attribute,
                                value_text(lost.was),
                                lost.column,
                                value_text(lost.is),
                                record(),
                                from = self.from.version(),
                                to = self.to.version(),
                            ));
                        }
                    }
                }
            }
        }
        Ok(problems)
    }

    /// The attributes of one record whose old value the migration did not keep.
    fn lost_values<'v>(
        &'v self,
        pair: &'v Pair<'_>,
        old_values: &'v [Value],
        new_values: &'v [Value],
    ) -> impl Iterator<Item = Lost<'v>> {
        let Pair {
            mapped,
            old_entity,
            target,
        } = *pair;
        mapped
            .attributes
            .iter()
            .enumerate()
            .filter_map(move |(position, (name, value_source))| {
                let (ValueSource::Column(column) | ValueSource::Coalesce(column, _)) = value_source
                else {
                    return None;
                };
                let old_position = old_entity
                    .attributes()
                    .iter()
                    .position(|a| a.name() == column)?;
                let (was, is) = (&old_values[old_position], &new_values[position]);
                let old_attribute = &old_entity.attributes()[old_position];
                let rewritten = self
                    .generated
                    .rewrites
                    .contains(&(mapped.target.clone(), name.clone()));
                // A to-one to a record the route may drop may be cleared.
                let cleared = old_attribute
                    .reference()
                    .is_some_and(|r| self.droppable.contains(r.target()))
                    && *is == Value::Null;
                let kept = *was == Value::Null
                    || rewritten
                    || cleared
                    || same(
                        old_attribute.ty(),
                        was,
                        target.attributes()[position].ty(),
                        is,
                    ) != Some(false);
                (!kept).then_some(Lost {
                    attribute: name,
                    column,
                    was,
                    is,
                })
            })
    }
}

/// An entity of the latest schema, its mapping and the entity it takes
/// its records from.
#[derive(Clone, Copy)]
struct Pair<'a> {
    mapped: &'a EntityMapping,
    old_entity: &'a EntityDescriptor,
    target: &'a EntityDescriptor,
}

/// A value a migration did not keep.
struct Lost<'v> {
    /// The attribute, in the latest schema.
    attribute: &'v str,
    /// The column it takes its values from, in the old schema.
    column: &'v str,
    was: &'v Value,
    is: &'v Value,
}

/// The mapping of a store already at the latest version onto itself.
fn identity(schema: &SchemaDescriptor) -> SchemaMapping {
    let entities = schema
        .entities()
        .iter()
        .map(|entity| EntityMapping {
            target: entity.name().to_owned(),
            source: Some(entity.name().to_owned()),
            attributes: entity
                .attributes()
                .iter()
                .map(|a| {
                    (
                        a.name().to_owned(),
                        ValueSource::Column(a.name().to_owned()),
                    )
                })
                .collect(),
            relationships: Vec::new(),
        })
        .collect();
    SchemaMapping {
        from: schema.version(),
        to: schema.version(),
        entities,
    }
}

/// The entities of the schema at `start` whose records the route from it
/// may drop: the sources of every `transform_or_drop` on the way (followed
/// back through renames), and the entities whose to-ones cascade from them.
fn droppable<S: VersionedSchema>(
    plan: &SchemaMigrationPlan<S>,
    start: usize,
    from: &SchemaDescriptor,
) -> HashSet<String> {
    let mut droppable = HashSet::new();
    let Ok(route) = plan.route(from.version()) else {
        return droppable;
    };
    for step in &route.steps {
        let custom = step
            .stage
            .and_then(|k| plan.stages().get(k))
            .and_then(|stage| stage.custom_part());
        let Some(custom) = custom else { continue };
        for transform in custom.transforms.iter().filter(|t| t.may_drop) {
            let name = (transform.source)().name().to_owned();
            let original = if step.from == start {
                Some(name)
            } else {
                plan.mapping(start, step.from)
                    .entity(&name)
                    .and_then(|m| m.source.clone())
            };
            droppable.extend(original);
        }
    }
    // Records whose to-one cascades from a droppable record may go too.
    loop {
        let more: Vec<String> = from
            .entities()
            .iter()
            .filter(|e| !droppable.contains(e.name()))
            .filter(|e| {
                e.references().any(|(_, r)| {
                    r.delete_rule() == DeleteRule::Cascade && droppable.contains(r.target())
                })
            })
            .map(|e| e.name().to_owned())
            .collect();
        if more.is_empty() {
            return droppable;
        }
        droppable.extend(more);
    }
}

/// Every row of `entity`'s table by id: the values of its stored attributes.
fn read_rows(
    conn: &Connection,
    entity: &EntityDescriptor,
) -> rusqlite::Result<HashMap<i64, Vec<Value>>> {
    let mut select = conn.prepare(&sql::select_from(entity, entity.name()))?;
    let width = entity.attributes().len();
    let rows = select.query_map([], |row| {
        let id: i64 = row.get(0)?;
        let values = (1..=width)
            .map(|i| row.get::<_, Value>(i))
            .collect::<rusqlite::Result<_>>()?;
        Ok((id, values))
    })?;
    rows.collect()
}

/// How two values of attribute types compare.
#[derive(PartialEq, Eq)]
enum Kind {
    Number,
    Text,
    Json,
    Bytes,
}

fn kind(ty: AttributeType) -> Kind {
    match ty {
        AttributeType::Text => Kind::Text,
        AttributeType::Json => Kind::Json,
        AttributeType::Bytes => Kind::Bytes,
        _ => Kind::Number,
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Integer(i) => Some(*i as f64),
        Value::Real(f) => Some(*f),
        _ => None,
    }
}

/// Whether `was` (of type `old`) and `is` (of type `new`) are the same
/// value; `None` when the types do not compare (a transform converts them).
fn same(old: AttributeType, was: &Value, new: AttributeType, is: &Value) -> Option<bool> {
    if kind(old) != kind(new) {
        return None;
    }
    Some(match (kind(new), was, is) {
        (Kind::Number, Value::Integer(a), Value::Integer(b)) => a == b,
        (Kind::Number, _, _) => number(was).is_some_and(|a| number(is) == Some(a)),
        (Kind::Json, Value::Text(a), Value::Text(b)) => {
            match (
                serde_json::from_str::<serde_json::Value>(a),
                serde_json::from_str::<serde_json::Value>(b),
            ) {
                (Ok(a), Ok(b)) => a == b,
                _ => a == b,
            }
        }
        _ => was == is,
    })
}
