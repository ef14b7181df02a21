//! A generated store: drawn records given ids, their unique values made
//! unique, their to-ones and many-to-manys pointed at records that exist;
//! written to a new store and printed readably.

use std::collections::{BTreeSet, HashSet};
use std::fmt;

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use super::draw::{Cell, RecordDraw};
use crate::schema::{AttributeType, EntityDescriptor, JoinTable, SchemaDescriptor};
use crate::sql::{self, JOIN_SOURCE, JOIN_TARGET};

/// The records of one entity.
#[derive(Debug, Clone)]
pub(super) struct SeededEntity {
    pub name: String,
    /// The id and the values (one per stored attribute) of each record.
    pub records: Vec<(i64, Vec<Value>)>,
}

/// The links of one join table.
#[derive(Debug, Clone)]
pub(super) struct SeededLinks {
    pub join: JoinTable,
    /// `(source id, target id)` pairs.
    pub pairs: BTreeSet<(i64, i64)>,
}

/// Every record and link written to a generated store.
#[derive(Debug, Clone)]
pub(super) struct SeededStore {
    pub entities: Vec<SeededEntity>,
    pub links: Vec<SeededLinks>,
    attributes: Vec<Vec<String>>,
}

/// The id of the `i`-th drawn record of the `k`-th entity: spread out
/// (never 1, 2, 3…) and distinct across entities, so ids a migration
/// renumbers, or a to-one pointing into the wrong table, do not go unseen.
pub(super) fn id_of(k: usize, i: usize) -> i64 {
    let (k, i) = (k as i64, i as i64);
    ((k + 1) << 20) + 3 * i + 1
}

/// The records of `descriptor`'s entities from the draws `included` (per
/// entity, indexes into its draws): a record that cannot satisfy a unique constraint or a required
/// to-one (its target has no records) is left out.
pub(super) fn resolve(
    descriptor: &SchemaDescriptor,
    draws: &[Vec<RecordDraw>],
    included: &[Vec<usize>],
) -> SeededStore {
    let entities = descriptor.entities();
    // Per entity, the indexes of the draws still in.
    let mut alive: Vec<Vec<usize>> = draws
        .iter()
        .map(|d| d.len())
        .zip(included)
        .map(|(len, included)| included.iter().copied().filter(|&i| i < len).collect())
        .collect();
    let base: Vec<Vec<Vec<Value>>> = entities
        .iter()
        .zip(draws)
        .map(|(entity, draws)| unique_values(entity, draws))
        .collect();
    loop {
        let values = point_references(descriptor, &base, draws, &mut alive);
        let mut dropped = false;
        for (k, entity) in entities.iter().enumerate() {
            let before = alive[k].len();
            alive[k] = keep_unique(entity, &alive[k], &values[k]);
            dropped |= alive[k].len() != before;
        }
        if !dropped {
            return SeededStore {
                entities: entities
                    .iter()
                    .enumerate()
                    .map(|(k, entity)| SeededEntity {
                        name: entity.name().to_owned(),
                        records: alive[k]
                            .iter()
                            .map(|&i| (id_of(k, i), values[k][i].clone()))
                            .collect(),
                    })
                    .collect(),
                links: links(descriptor, draws, &alive),
                attributes: entities
                    .iter()
                    .map(|e| e.attributes().iter().map(|a| a.name().to_owned()).collect())
                    .collect(),
            };
        }
    }
}

/// The values of each draw of `entity` (to-ones NULL for now), the first
/// attribute of each unique constraint that can be made unique made so by
/// the record's index.
fn unique_values(entity: &EntityDescriptor, draws: &[RecordDraw]) -> Vec<Vec<Value>> {
    let keys = key_attributes(entity);
    draws
        .iter()
        .enumerate()
        .map(|(i, draw)| {
            draw.cells
                .iter()
                .enumerate()
                .map(|(a, cell)| match cell {
                    Cell::Value(value) if keys.contains(&a) => {
                        uniquely(entity.attributes()[a].ty(), value, i)
                    }
                    Cell::Value(value) => value.clone(),
                    Cell::Null | Cell::Ref(_) => Value::Null,
                })
                .collect()
        })
        .collect()
}

/// The positions of the attributes made unique by index: per unique
/// constraint (single or compound), its first attribute that is not a
/// to-one and whose type has room for it.
fn key_attributes(entity: &EntityDescriptor) -> HashSet<usize> {
    let attributes = entity.attributes();
    let position = |name: &str| attributes.iter().position(|a| a.name() == name);
    let fits = |a: usize| {
        attributes[a].reference().is_none()
            && !matches!(
                attributes[a].ty(),
                AttributeType::Bool | AttributeType::Json
            )
    };
    let mut keys = HashSet::new();
    for (a, attribute) in attributes.iter().enumerate() {
        if attribute.is_unique() && fits(a) {
            keys.insert(a);
        }
    }
    for constraint in entity.constraints().iter().filter(|c| c.is_unique()) {
        if let Some(a) = constraint
            .attributes()
            .filter_map(position)
            .find(|&a| fits(a))
        {
            keys.insert(a);
        }
    }
    keys
}

/// `value` made distinct from the values of other records by the record's
/// index `i` (an integer type too narrow for the index may still collide:
/// the record is then left out).
fn uniquely(ty: AttributeType, value: &Value, i: usize) -> Value {
    match (value, ty.integer_range()) {
        (_, Some((min, max))) => {
            // 0, 1, 2… up to the maximum, then on from the minimum.
            let (min, max) = (i128::from(min), i128::from(max));
            let next = min.max(0) + i as i128 % (max - min + 1);
            let wrapped = if next > max {
                next - (max - min + 1)
            } else {
                next
            };
            Value::Integer(wrapped as i64)
        }
        (Value::Text(text), _) => Value::Text(format!("{text}#{i}")),
        (Value::Blob(bytes), _) => {
            let mut bytes = bytes.clone();
            bytes.extend((i as u64).to_be_bytes());
            Value::Blob(bytes)
        }
        (Value::Real(_), _) => Value::Real(i as f64 + 0.5),
        (other, None) => other.clone(),
    }
}

/// The values of every record with its to-ones pointing at records still
/// alive; a record whose required to-one finds none is no longer alive.
fn point_references(
    descriptor: &SchemaDescriptor,
    base: &[Vec<Vec<Value>>],
    draws: &[Vec<RecordDraw>],
    alive: &mut [Vec<usize>],
) -> Vec<Vec<Vec<Value>>> {
    let entities = descriptor.entities();
    let index_of = |name: &str| entities.iter().position(|e| e.name() == name);
    let mut values = base.to_vec();
    for (k, entity) in entities.iter().enumerate() {
        let mut still = Vec::with_capacity(alive[k].len());
        for &i in &alive[k] {
            let mut ok = true;
            for (a, attribute) in entity.attributes().iter().enumerate() {
                let (Some(reference), Cell::Ref(pick)) =
                    (attribute.reference(), &draws[k][i].cells[a])
                else {
                    continue;
                };
                let target = index_of(reference.target());
                match target.filter(|&t| !alive[t].is_empty()) {
                    Some(t) => {
                        values[k][i][a] =
                            Value::Integer(id_of(t, alive[t][pick.index(alive[t].len())]))
                    }
                    None if attribute.is_optional() => values[k][i][a] = Value::Null,
                    None => ok = false,
                }
            }
            if ok {
                still.push(i);
            }
        }
        alive[k] = still;
    }
    values
}

/// The records of `alive` that keep every unique constraint of `entity`
/// (single and compound; a NULL never equals anything), first come first kept.
fn keep_unique(entity: &EntityDescriptor, alive: &[usize], values: &[Vec<Value>]) -> Vec<usize> {
    let attributes = entity.attributes();
    let position = |name: &str| attributes.iter().position(|a| a.name() == name);
    let mut constraints: Vec<Vec<usize>> = attributes
        .iter()
        .enumerate()
        .filter(|(_, a)| a.is_unique())
        .map(|(a, _)| vec![a])
        .collect();
    constraints.extend(
        entity
            .constraints()
            .iter()
            .filter(|c| c.is_unique())
            .map(|c| c.attributes().filter_map(position).collect()),
    );
    let mut seen: Vec<HashSet<String>> = vec![HashSet::new(); constraints.len()];
    alive
        .iter()
        .copied()
        .filter(|&i| {
            let keys: Vec<Option<String>> = constraints
                .iter()
                .map(|columns| {
                    let key: Vec<&Value> = columns.iter().map(|&a| &values[i][a]).collect();
                    (!key.contains(&&Value::Null)).then(|| format!("{key:?}"))
                })
                .collect();
            let free = keys
                .iter()
                .zip(&seen)
                .all(|(key, seen)| key.as_ref().is_none_or(|k| !seen.contains(k)));
            if free {
                for (key, seen) in keys.into_iter().zip(&mut seen) {
                    seen.extend(key);
                }
            }
            free
        })
        .collect()
}

/// The links of every join table, from the picks of its owner's records.
fn links(
    descriptor: &SchemaDescriptor,
    draws: &[Vec<RecordDraw>],
    alive: &[Vec<usize>],
) -> Vec<SeededLinks> {
    let entities = descriptor.entities();
    let index_of = |name: &str| entities.iter().position(|e| e.name() == name);
    let joins = descriptor.join_tables();
    joins
        .iter()
        .map(|join| {
            let mut pairs = BTreeSet::new();
            let owned = owned_position(&joins, join);
            if let (Some(o), Some(t)) = (index_of(&join.owner), index_of(&join.target))
                && !alive[t].is_empty()
            {
                for &i in &alive[o] {
                    for pick in &draws[o][i].links[owned] {
                        let j = alive[t][pick.index(alive[t].len())];
                        pairs.insert((id_of(o, i), id_of(t, j)));
                    }
                }
            }
            SeededLinks {
                join: join.clone(),
                pairs,
            }
        })
        .collect()
}

/// The position of `join` among the join tables its owner owns (the order
/// of a drawn record's `links`).
pub(super) fn owned_position(joins: &[JoinTable], join: &JoinTable) -> usize {
    joins
        .iter()
        .filter(|j| j.owner == join.owner)
        .position(|j| j.name == join.name)
        .unwrap_or(0)
}

impl SeededStore {
    /// Writes every record and link into the new, empty store behind
    /// `conn`, in one transaction whose foreign keys are checked at commit
    /// (records may point at records written after them).
    pub(super) fn write(
        &self,
        conn: &Connection,
        descriptor: &SchemaDescriptor,
    ) -> crate::Result<()> {
        let tx = conn.unchecked_transaction()?;
        tx.pragma_update(None, "defer_foreign_keys", true)?;
        for (entity, seeded) in descriptor.entities().iter().zip(&self.entities) {
            let mut insert = tx.prepare(&sql::insert(entity, true))?;
            for (id, values) in &seeded.records {
                let params = std::iter::once(Value::Integer(*id)).chain(values.iter().cloned());
                insert.execute(params_from_iter(params))?;
            }
        }
        for links in &self.links {
            let mut insert = tx.prepare(&sql::insert_link(
                &links.join.name,
                JOIN_SOURCE,
                JOIN_TARGET,
            ))?;
            for (source, target) in &links.pairs {
                insert.execute([source, target])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The records of entity `name`.
    pub(super) fn entity(&self, name: &str) -> Option<&SeededEntity> {
        self.entities.iter().find(|e| e.name == name)
    }

    /// One record, readably: `#1048577 { uid: "a#0", notes: NULL }`.
    pub(super) fn record(&self, entity: &str, id: i64) -> String {
        let k = self.entities.iter().position(|e| e.name == entity);
        let found = k.and_then(|k| {
            let (_, values) = self.entities[k].records.iter().find(|(i, _)| *i == id)?;
            Some(record_text(id, &self.attributes[k], values))
        });
        found.unwrap_or_else(|| format!("#{id}"))
    }
}

/// A value as a reader of the test output wants it.
pub(super) fn value_text(value: &Value) -> String {
    match value {
        Value::Null => "NULL".to_owned(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => format!("{f:?}"),
        Value::Text(text) => format!("{text:?}"),
        Value::Blob(bytes) => format!(
            "x'{}'",
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ),
    }
}

fn record_text(id: i64, attributes: &[String], values: &[Value]) -> String {
    let fields: Vec<String> = attributes
        .iter()
        .zip(values)
        .map(|(name, value)| format!("{name}: {}", value_text(value)))
        .collect();
    format!("#{id} {{ {} }}", fields.join(", "))
}

impl fmt::Display for SeededStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, entity) in self.entities.iter().enumerate() {
            writeln!(f, "  {} ({} records)", entity.name, entity.records.len())?;
            for (id, values) in &entity.records {
                writeln!(f, "    {}", record_text(*id, &self.attributes[k], values))?;
            }
        }
        for links in self.links.iter().filter(|l| !l.pairs.is_empty()) {
            let pairs: Vec<String> = links
                .pairs
                .iter()
                .map(|(s, t)| format!("#{s} -> #{t}"))
                .collect();
            writeln!(
                f,
                "  {}.{} links: {}",
                links.join.owner,
                links.join.relationship,
                pairs.join(", ")
            )?;
        }
        Ok(())
    }
}
