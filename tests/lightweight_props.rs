//! Property: applying the composition of several lightweight steps at once
//! gives the same store as applying the steps one by one, and both hold
//! exactly the data a plain in-memory model of the changes predicts.
//!
//! A case is a random first schema (a few entities with attributes of random
//! types, optional / unique / indexed / defaulted at random), random rows, and
//! 2–3 further versions, each made by a few random *inferable* changes (add,
//! remove, rename and swap entities and attributes, optional <-> required,
//! unique and index on/off, default changed, widening; to-one references
//! between entities, including to the same entity, which follow entity
//! renames and swaps, are removed with their target, and get new delete
//! rules; many-to-manys with their links, added, removed and renamed, whose
//! join tables follow entity renames and swaps). Schemas are runtime
//! descriptors; two SQLite files are created from the first schema with the
//! same rows, one migrated by `lower(compose(map_step…))`, the other by one
//! `lower(map_step)` per version. The model moves values along renames, fills
//! added attributes with their defaults and replaces NULLs by the default of
//! an attribute made required. Statements run as the runner runs them
//! (foreign keys off, `legacy_alter_table` on), and every store ends
//! without foreign key violations and with the foreign keys its schema names.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::sql::{columns, foreign_key_violations, indexes, tables};
use common::store::TempStore;
use proptest::collection::vec;
use proptest::prelude::*;
use staged::rusqlite::{Connection, params_from_iter, types::Value};
use staged::schema::ID_COLUMN;
use staged::schema::{RelationshipDescriptor, ToManyKind, join_table_name};
use staged::{
    AttributeDescriptor, AttributeType, DefaultValue, DeleteRule, EntityDescriptor, Reference,
    SchemaDescriptor, Version,
};
use staged_runtime::__internals::inference::{self, SchemaMapping};
use staged_runtime::__internals::{sql, verify};

// ---------------------------------------------------------------------------
// A tiny deterministic generator, driven by the seeds proptest picks
// ---------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.below(items.len())])
        }
    }
}

const TYPES: [AttributeType; 7] = [
    AttributeType::Bool,
    AttributeType::I32,
    AttributeType::I64,
    AttributeType::F32,
    AttributeType::F64,
    AttributeType::Text,
    AttributeType::Bytes,
];

/// A default of type `ty` (none for `Bytes`, which has no default literal).
fn random_default(rng: &mut Rng, ty: AttributeType) -> Option<DefaultValue> {
    let k = rng.below(40) as i64 - 20;
    Some(match ty {
        AttributeType::Bool => DefaultValue::Bool(k % 2 == 0),
        AttributeType::I32 | AttributeType::I64 => DefaultValue::Integer(k),
        AttributeType::F32 | AttributeType::F64 => DefaultValue::Real(k as f64 * 0.25),
        AttributeType::Text if k % 3 == 0 => DefaultValue::Text(format!("it's {k}").into()),
        AttributeType::Text => DefaultValue::Text(format!("d{k}").into()),
        _ => return None,
    })
}

/// What a default becomes once stored.
fn stored(default: &DefaultValue) -> Value {
    match default {
        DefaultValue::Bool(b) => Value::Integer(i64::from(*b)),
        DefaultValue::Integer(i) => Value::Integer(*i),
        DefaultValue::Real(r) => Value::Real(*r),
        DefaultValue::Text(t) => Value::Text(t.to_string()),
    }
}

/// A value of type `ty` for row `k`; distinct across rows for every type but `Bool`.
fn random_value(rng: &mut Rng, ty: AttributeType, optional: bool, k: usize) -> Value {
    if optional && rng.chance(30) {
        return Value::Null;
    }
    let base = (rng.below(50) * 100 + k) as i64;
    match ty {
        AttributeType::Bool => Value::Integer(rng.below(2) as i64),
        AttributeType::I32 | AttributeType::I64 => {
            Value::Integer(if rng.chance(50) { -base } else { base })
        }
        // Multiples of 0.5 below 2^24 are exact in f32.
        AttributeType::F32 | AttributeType::F64 => Value::Real(base as f64 * 0.5),
        AttributeType::Text if rng.chance(20) => Value::Text(format!("o'{base}")),
        AttributeType::Text => Value::Text(format!("v{base}")),
        _ => Value::Blob(vec![(base % 251) as u8, k as u8, 0]),
    }
}

// ---------------------------------------------------------------------------
// The model: schemas with lineage, and the rows they hold
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Attr {
    name: String,
    ty: AttributeType,
    optional: bool,
    unique: bool,
    indexed: bool,
    default: Option<DefaultValue>,
    /// The name in the previous version; `None` when added in this one.
    origin: Option<String>,
    /// Changed in this version already (each attribute changes at most once a version).
    touched: bool,
    /// A to-one: the referenced entity's current name and the delete rule.
    reference: Option<(String, DeleteRule)>,
}

impl Attr {
    fn descriptor(&self) -> AttributeDescriptor {
        let mut out = match &self.reference {
            Some((target, rule)) => AttributeDescriptor::to_one(
                self.name.clone(),
                self.optional,
                Reference::to(target.clone(), *rule),
            ),
            None => AttributeDescriptor::named(self.name.clone(), self.ty)
                .with_optional(self.optional)
                .with_unique(self.unique)
                .with_index(self.indexed),
        };
        out = out.with_default(self.default.clone());
        if let Some(origin) = &self.origin
            && *origin != self.name
        {
            out = out.with_original_name(origin.clone());
        }
        out
    }
}

/// A many-to-many (without inverse: its entity owns the join table).
#[derive(Debug, Clone)]
struct Many {
    name: String,
    /// The name in the previous version; `None` when added in this one.
    origin: Option<String>,
    /// The related entity's current name.
    target: String,
    touched: bool,
    /// `(id of this entity, id of the related entity)`.
    links: BTreeSet<(i64, i64)>,
}

impl Many {
    fn descriptor(&self) -> RelationshipDescriptor {
        let out = RelationshipDescriptor::build(
            self.name.clone(),
            self.target.clone(),
            ToManyKind::ManyToMany,
            None,
        );
        match &self.origin {
            Some(origin) if *origin != self.name => out.with_original_name(origin.clone()),
            _ => out,
        }
    }
}

#[derive(Debug, Clone)]
struct Ent {
    name: String,
    origin: Option<String>,
    renamed: bool,
    attrs: Vec<Attr>,
    many: Vec<Many>,
    /// The many-to-many names of this entity in the previous version.
    previous_many: Vec<String>,
    /// The attribute names of this entity in the previous version.
    previous_names: Vec<String>,
    /// `(id, values aligned with attrs)`.
    rows: Vec<(i64, Vec<Value>)>,
}

impl Ent {
    fn descriptor(&self) -> EntityDescriptor {
        let original = self.origin.clone().filter(|origin| *origin != self.name);
        EntityDescriptor::from_parts(
            self.name.clone(),
            original,
            self.attrs.iter().map(Attr::descriptor).collect(),
        )
        .with_to_many(self.many.iter().map(Many::descriptor).collect())
    }

    fn column(&self, k: usize) -> impl Iterator<Item = &Value> {
        self.rows.iter().map(move |(_, values)| &values[k])
    }

    /// Whether attribute `k`'s non-NULL values are all different.
    fn distinct(&self, k: usize) -> bool {
        let mut seen = Vec::new();
        for value in self.column(k).filter(|v| **v != Value::Null) {
            if seen.contains(&value) {
                return false;
            }
            seen.push(value);
        }
        true
    }

    /// Attributes that existed in the previous version and are untouched in this one.
    fn changeable(&self) -> Vec<usize> {
        (0..self.attrs.len())
            .filter(|&k| self.attrs[k].origin.is_some() && !self.attrs[k].touched)
            .collect()
    }

    /// The changeable attributes that are not to-ones.
    fn changeable_values(&self) -> Vec<usize> {
        self.changeable()
            .into_iter()
            .filter(|&k| self.attrs[k].reference.is_none())
            .collect()
    }
}

struct Model {
    entities: Vec<Ent>,
    /// Entity names of the previous version.
    previous_entities: Vec<String>,
    /// Every name ever used, so that later versions may reuse one.
    used_entity_names: BTreeSet<String>,
    used_attribute_names: BTreeSet<String>,
    used_many_names: BTreeSet<String>,
    next_name: usize,
}

impl Model {
    fn fresh(&mut self, prefix: &str) -> String {
        self.next_name += 1;
        format!("{prefix}{}", self.next_name)
    }

    /// Starts a new version: everything now stems from the current version.
    fn next_version(&mut self) {
        self.previous_entities = self.entities.iter().map(|e| e.name.clone()).collect();
        for entity in &mut self.entities {
            entity.origin = Some(entity.name.clone());
            entity.renamed = false;
            entity.previous_names = entity.attrs.iter().map(|a| a.name.clone()).collect();
            for attr in &mut entity.attrs {
                attr.origin = Some(attr.name.clone());
                attr.touched = false;
            }
            entity.previous_many = entity.many.iter().map(|m| m.name.clone()).collect();
            for many in &mut entity.many {
                many.origin = Some(many.name.clone());
                many.touched = false;
            }
        }
    }

    fn descriptor(&self, major: u64) -> SchemaDescriptor {
        SchemaDescriptor::from_entities(
            Version::new(major, 0, 0),
            self.entities.iter().map(Ent::descriptor).collect(),
        )
    }

    /// A name for a new entity: not one of the previous version (that would
    /// name the old entity), sometimes one from an older version.
    fn new_entity_name(&mut self, rng: &mut Rng) -> String {
        let reusable: Vec<String> = self
            .used_entity_names
            .iter()
            .filter(|n| !self.previous_entities.contains(n))
            .filter(|n| self.entities.iter().all(|e| &e.name != *n))
            .cloned()
            .collect();
        let name = match rng.pick(&reusable) {
            Some(name) if rng.chance(50) => name.clone(),
            _ => self.fresh("E"),
        };
        self.used_entity_names.insert(name.clone());
        name
    }

    /// A name for a renamed entity: any name no current entity has.
    fn rename_target_entity(&mut self, rng: &mut Rng) -> String {
        let free: Vec<String> = self
            .used_entity_names
            .iter()
            .filter(|n| self.entities.iter().all(|e| &e.name != *n))
            .cloned()
            .collect();
        let name = match rng.pick(&free) {
            Some(name) if rng.chance(50) => name.clone(),
            _ => self.fresh("E"),
        };
        self.used_entity_names.insert(name.clone());
        name
    }

    fn new_attribute_name(&mut self, rng: &mut Rng, e: usize) -> String {
        let entity = &self.entities[e];
        let reusable: Vec<String> = self
            .used_attribute_names
            .iter()
            .filter(|n| !entity.previous_names.contains(n))
            .filter(|n| entity.attrs.iter().all(|a| &a.name != *n))
            .cloned()
            .collect();
        let name = match rng.pick(&reusable) {
            Some(name) if rng.chance(50) => name.clone(),
            _ => self.fresh("a"),
        };
        self.used_attribute_names.insert(name.clone());
        name
    }

    fn rename_target_attribute(&mut self, rng: &mut Rng, e: usize) -> String {
        let entity = &self.entities[e];
        let free: Vec<String> = self
            .used_attribute_names
            .iter()
            .filter(|n| entity.attrs.iter().all(|a| &a.name != *n))
            .cloned()
            .collect();
        let name = match rng.pick(&free) {
            Some(name) if rng.chance(60) => name.clone(),
            _ => self.fresh("a"),
        };
        self.used_attribute_names.insert(name.clone());
        name
    }

    fn random_attr(&mut self, rng: &mut Rng, name: String, may_be_unique: bool) -> Attr {
        let ty = TYPES[rng.below(TYPES.len())];
        let optional = ty == AttributeType::Bytes || rng.chance(40);
        Attr {
            name,
            ty,
            optional,
            unique: may_be_unique && ty != AttributeType::Bool && rng.chance(25),
            indexed: rng.chance(25),
            default: if rng.chance(40) {
                random_default(rng, ty)
            } else {
                None
            },
            origin: None,
            touched: true,
            reference: None,
        }
    }

    /// A to-one from entity `e` to entity `t`, with a delete rule that fits its optionality.
    fn random_to_one(&mut self, rng: &mut Rng, e: usize, t: usize, optional: bool) -> Attr {
        let name = self.new_attribute_name(rng, e);
        let rules: &[DeleteRule] = if optional {
            &[
                DeleteRule::Nullify,
                DeleteRule::Cascade,
                DeleteRule::NoAction,
                DeleteRule::Deny,
            ]
        } else {
            &[DeleteRule::Cascade, DeleteRule::NoAction, DeleteRule::Deny]
        };
        let rule = *rng.pick(rules).expect("rules");
        Attr {
            name,
            ty: AttributeType::I64,
            optional,
            unique: false,
            indexed: true,
            default: None,
            origin: None,
            touched: true,
            reference: Some((self.entities[t].name.clone(), rule)),
        }
    }

    /// Points every to-one and many-to-many at `from` to `to` (an entity renamed).
    fn retarget(&mut self, renames: &[(String, String)]) {
        for entity in &mut self.entities {
            for many in &mut entity.many {
                if let Some((_, to)) = renames.iter().find(|(from, _)| *from == many.target) {
                    many.target = to.clone();
                }
            }
            for attr in &mut entity.attrs {
                if let Some((target, _)) = &mut attr.reference
                    && let Some((_, to)) = renames.iter().find(|(from, _)| from == target)
                {
                    *target = to.clone();
                }
            }
        }
    }

    /// Removes every to-one and many-to-many that refers to `target` (an entity removed).
    fn remove_references_to(&mut self, target: &str) {
        for entity in &mut self.entities {
            entity.many.retain(|m| m.target != target);
            while let Some(k) = entity
                .attrs
                .iter()
                .position(|a| a.reference.as_ref().is_some_and(|(t, _)| t == target))
            {
                entity.attrs.remove(k);
                for (_, values) in &mut entity.rows {
                    values.remove(k);
                }
            }
        }
    }

    /// The first version: 1–3 entities with 1–4 attributes and 0–7 rows each.
    fn first(rng: &mut Rng) -> Model {
        let mut model = Model {
            entities: Vec::new(),
            previous_entities: Vec::new(),
            used_entity_names: BTreeSet::new(),
            used_attribute_names: BTreeSet::new(),
            used_many_names: BTreeSet::new(),
            next_name: 0,
        };
        for _ in 0..1 + rng.below(3) {
            let name = model.fresh("E");
            model.used_entity_names.insert(name.clone());
            let mut attrs = Vec::new();
            for _ in 0..1 + rng.below(4) {
                let attr_name = model.fresh("a");
                model.used_attribute_names.insert(attr_name.clone());
                attrs.push(model.random_attr(rng, attr_name, true));
            }
            let mut rows = Vec::new();
            let mut id = 0;
            for k in 0..rng.below(8) {
                id += 1 + rng.below(3) as i64;
                let values = attrs
                    .iter()
                    .map(|a| random_value(rng, a.ty, a.optional, k))
                    .collect();
                rows.push((id, values));
            }
            model.entities.push(Ent {
                name,
                origin: None,
                renamed: false,
                attrs,
                previous_names: Vec::new(),
                rows,
                many: Vec::new(),
                previous_many: Vec::new(),
            });
        }
        // To-ones between the first entities (possibly to the same entity),
        // referring to existing rows.
        for e in 0..model.entities.len() {
            if !rng.chance(60) {
                continue;
            }
            let t = rng.below(model.entities.len());
            let targets: Vec<i64> = model.entities[t].rows.iter().map(|(id, _)| *id).collect();
            let optional = targets.is_empty() || rng.chance(50);
            let attr = model.random_to_one(rng, e, t, optional);
            attr_values(rng, &mut model.entities[e], &targets, optional);
            model.entities[e].attrs.push(attr);
        }
        // Many-to-manys with random links.
        for e in 0..model.entities.len() {
            if !rng.chance(50) {
                continue;
            }
            let t = rng.below(model.entities.len());
            let mut many = model.new_many(rng, e, t);
            let targets: Vec<i64> = model.entities[t].rows.iter().map(|(id, _)| *id).collect();
            for (id, _) in &model.entities[e].rows {
                for _ in 0..rng.below(3) {
                    if let Some(target) = rng.pick(&targets) {
                        many.links.insert((*id, *target));
                    }
                }
            }
            model.entities[e].many.push(many);
        }
        model
    }

    /// A new many-to-many of entity `e` relating entity `t`, without links:
    /// its name is new, or one another entity uses (so that swapped
    /// entities may own join tables of the same relationship name).
    fn new_many(&mut self, rng: &mut Rng, e: usize, t: usize) -> Many {
        let entity = &self.entities[e];
        let reusable: Vec<String> = self
            .used_many_names
            .iter()
            .filter(|n| !entity.previous_many.contains(n))
            .filter(|n| entity.many.iter().all(|m| &m.name != *n))
            .cloned()
            .collect();
        let name = match rng.pick(&reusable) {
            Some(name) if rng.chance(50) => name.clone(),
            _ => self.fresh("m"),
        };
        self.used_many_names.insert(name.clone());
        Many {
            name,
            origin: None,
            target: self.entities[t].name.clone(),
            touched: true,
            links: BTreeSet::new(),
        }
    }

    /// Applies one change picked by `op`; changes that do not fit are skipped.
    fn apply(&mut self, rng: &mut Rng, op: u8) {
        let existing: Vec<usize> = (0..self.entities.len())
            .filter(|&e| self.entities[e].origin.is_some())
            .collect();
        let Some(&e) = rng.pick(&existing) else {
            if op == 0 {
                self.add_entity(rng);
            }
            return;
        };
        let changeable = self.entities[e].changeable();
        let values = self.entities[e].changeable_values();
        let pick_attr = |rng: &mut Rng| rng.pick(&changeable).copied();
        let pick_value = |rng: &mut Rng| rng.pick(&values).copied();
        match op {
            0 => self.add_entity(rng),
            1 => {
                if self.entities.len() > 1 {
                    let removed = self.entities.remove(e);
                    self.remove_references_to(&removed.name);
                }
            }
            2 => {
                if !self.entities[e].renamed {
                    let name = self.rename_target_entity(rng);
                    let entity = &mut self.entities[e];
                    let old = std::mem::replace(&mut entity.name, name.clone());
                    entity.renamed = true;
                    self.retarget(&[(old, name)]);
                }
            }
            3 => {
                let others: Vec<usize> = existing
                    .iter()
                    .copied()
                    .filter(|&o| o != e && !self.entities[o].renamed)
                    .collect();
                if let (Some(&o), false) = (rng.pick(&others), self.entities[e].renamed) {
                    let name = std::mem::take(&mut self.entities[e].name);
                    self.entities[e].name = std::mem::replace(&mut self.entities[o].name, name);
                    self.entities[e].renamed = true;
                    self.entities[o].renamed = true;
                    let (a, b) = (self.entities[o].name.clone(), self.entities[e].name.clone());
                    self.retarget(&[(a.clone(), b.clone()), (b, a)]);
                }
            }
            4 | 5 => {
                let name = self.new_attribute_name(rng, e);
                let mut attr = self.random_attr(rng, name, false);
                if op == 5 && attr.ty != AttributeType::Bytes {
                    attr.optional = false;
                }
                if !attr.optional && attr.default.is_none() {
                    attr.default = random_default(rng, attr.ty);
                }
                let value = attr.default.as_ref().map_or(Value::Null, stored);
                let entity = &mut self.entities[e];
                entity.attrs.push(attr);
                for (_, values) in &mut entity.rows {
                    values.push(value.clone());
                }
            }
            6 => {
                if let Some(k) = pick_attr(rng)
                    && self.entities[e].attrs.len() > 1
                {
                    let entity = &mut self.entities[e];
                    entity.attrs.remove(k);
                    for (_, values) in &mut entity.rows {
                        values.remove(k);
                    }
                }
            }
            7 => {
                if let Some(k) = pick_attr(rng) {
                    let name = self.rename_target_attribute(rng, e);
                    let attr = &mut self.entities[e].attrs[k];
                    attr.name = name;
                    attr.touched = true;
                }
            }
            8 => {
                let (Some(a), Some(b)) = (pick_attr(rng), pick_attr(rng)) else {
                    return;
                };
                if a != b {
                    let attrs = &mut self.entities[e].attrs;
                    let name = std::mem::take(&mut attrs[a].name);
                    attrs[a].name = std::mem::replace(&mut attrs[b].name, name);
                    attrs[a].touched = true;
                    attrs[b].touched = true;
                }
            }
            9 => {
                let optional: Vec<usize> = values
                    .iter()
                    .copied()
                    .filter(|&k| {
                        let attr = &self.entities[e].attrs[k];
                        attr.optional && attr.ty != AttributeType::Bytes
                    })
                    .collect();
                let Some(&k) = rng.pick(&optional) else {
                    return;
                };
                let attr = &self.entities[e].attrs[k];
                let Some(default) = random_default(rng, attr.ty) else {
                    return;
                };
                let value = stored(&default);
                let mut after = self.entities[e].clone();
                for (_, values) in &mut after.rows {
                    if values[k] == Value::Null {
                        values[k] = value.clone();
                    }
                }
                if after.attrs[k].unique && !after.distinct(k) {
                    return;
                }
                let attr = &mut after.attrs[k];
                attr.optional = false;
                attr.default = Some(default);
                attr.touched = true;
                self.entities[e] = after;
            }
            10 => {
                let required: Vec<usize> = values
                    .iter()
                    .copied()
                    .filter(|&k| !self.entities[e].attrs[k].optional)
                    .collect();
                if let Some(&k) = rng.pick(&required) {
                    let attr = &mut self.entities[e].attrs[k];
                    attr.optional = true;
                    attr.touched = true;
                }
            }
            11 => {
                if let Some(k) = pick_value(rng) {
                    let entity = &self.entities[e];
                    let attr = &entity.attrs[k];
                    let unique = !attr.unique;
                    if unique && (attr.ty == AttributeType::Bool || !entity.distinct(k)) {
                        return;
                    }
                    let attr = &mut self.entities[e].attrs[k];
                    attr.unique = unique;
                    attr.touched = true;
                }
            }
            12 => {
                if let Some(k) = pick_value(rng) {
                    let attr = &mut self.entities[e].attrs[k];
                    attr.indexed = !attr.indexed;
                    attr.touched = true;
                }
            }
            13 => {
                if let Some(k) = pick_value(rng) {
                    let attr = &mut self.entities[e].attrs[k];
                    attr.default = if rng.chance(25) {
                        None
                    } else {
                        random_default(rng, attr.ty)
                    };
                    attr.touched = true;
                }
            }
            15 => {
                let to_ones: Vec<usize> = changeable
                    .iter()
                    .copied()
                    .filter(|&k| self.entities[e].attrs[k].reference.is_some())
                    .collect();
                if let Some(&k) = rng.pick(&to_ones) {
                    let attr = &mut self.entities[e].attrs[k];
                    let rules: &[DeleteRule] = if attr.optional {
                        &[
                            DeleteRule::Nullify,
                            DeleteRule::Cascade,
                            DeleteRule::NoAction,
                            DeleteRule::Deny,
                        ]
                    } else {
                        &[DeleteRule::Cascade, DeleteRule::NoAction, DeleteRule::Deny]
                    };
                    let rule = *rng.pick(rules).expect("rules");
                    if let Some((_, old)) = &mut attr.reference {
                        *old = rule;
                    }
                    attr.touched = true;
                }
            }
            16 => {
                // A new optional to-one: NULL in every existing row.
                let t = rng.below(self.entities.len());
                let attr = self.random_to_one(rng, e, t, true);
                let entity = &mut self.entities[e];
                entity.attrs.push(attr);
                for (_, values) in &mut entity.rows {
                    values.push(Value::Null);
                }
            }
            17 => {
                let t = rng.below(self.entities.len());
                let many = self.new_many(rng, e, t);
                self.entities[e].many.push(many);
            }
            18 | 19 => {
                let entity = &self.entities[e];
                let kept: Vec<usize> = (0..entity.many.len())
                    .filter(|&k| entity.many[k].origin.is_some() && !entity.many[k].touched)
                    .collect();
                let Some(&k) = rng.pick(&kept) else {
                    return;
                };
                if op == 18 {
                    self.entities[e].many.remove(k);
                    return;
                }
                // A new name, sometimes one this entity used before.
                let free: Vec<String> = self
                    .used_many_names
                    .iter()
                    .filter(|n| self.entities[e].many.iter().all(|m| &m.name != *n))
                    .cloned()
                    .collect();
                let name = match rng.pick(&free) {
                    Some(name) if rng.chance(60) => name.clone(),
                    _ => self.fresh("m"),
                };
                self.used_many_names.insert(name.clone());
                let many = &mut self.entities[e].many[k];
                many.name = name;
                many.touched = true;
            }
            _ => {
                if let Some(k) = pick_value(rng) {
                    let attr = &mut self.entities[e].attrs[k];
                    attr.ty = match attr.ty {
                        AttributeType::I32 => AttributeType::I64,
                        AttributeType::F32 => AttributeType::F64,
                        other => other,
                    };
                    attr.touched = true;
                }
            }
        }
    }

    fn add_entity(&mut self, rng: &mut Rng) {
        let name = self.new_entity_name(rng);
        let mut attrs = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let attr_name = self.fresh("a");
            self.used_attribute_names.insert(attr_name.clone());
            let mut attr = self.random_attr(rng, attr_name, true);
            if !attr.optional && attr.default.is_none() && rng.chance(50) {
                attr.default = random_default(rng, attr.ty);
            }
            attrs.push(attr);
        }
        self.entities.push(Ent {
            name,
            origin: None,
            renamed: true,
            attrs,
            previous_names: Vec::new(),
            rows: Vec::new(),
            many: Vec::new(),
            previous_many: Vec::new(),
        });
    }
}

/// Fills the values of a new to-one of `entity`: ids of `targets`, or NULL when optional.
fn attr_values(rng: &mut Rng, entity: &mut Ent, targets: &[i64], optional: bool) {
    for (_, values) in &mut entity.rows {
        let value = match rng.pick(targets) {
            Some(id) if !optional || rng.chance(70) => Value::Integer(*id),
            _ => Value::Null,
        };
        values.push(value);
    }
}

// ---------------------------------------------------------------------------
// Stores
// ---------------------------------------------------------------------------

/// A store at `schema` holding the model's rows.
fn create_store(path: &Path, schema: &SchemaDescriptor, model: &Model) -> Connection {
    let conn = Connection::open(path).unwrap();
    // As the runner migrates: foreign keys off, table renames leaving the
    // foreign keys of other tables alone.
    conn.execute_batch(
        "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; \
         PRAGMA foreign_keys = OFF; PRAGMA legacy_alter_table = ON",
    )
    .unwrap();
    for (entity, ent) in schema.entities().iter().zip(&model.entities) {
        conn.execute(&sql::create_table(entity.name(), entity), [])
            .unwrap();
        for statement in sql::create_indexes(entity) {
            conn.execute(&statement, []).unwrap();
        }
        let insert = sql::insert(entity, true);
        for (id, values) in &ent.rows {
            let params = std::iter::once(Value::Integer(*id)).chain(values.iter().cloned());
            conn.execute(&insert, params_from_iter(params)).unwrap();
        }
    }
    for join in schema.join_tables() {
        conn.execute(&sql::create_join_table(&join.name, &join), [])
            .unwrap();
        conn.execute(&sql::create_join_index(&join), []).unwrap();
    }
    for ent in &model.entities {
        for many in &ent.many {
            for (source, target) in &many.links {
                conn.execute(
                    &format!(
                        "INSERT INTO {} VALUES (?1, ?2)",
                        sql::quote_ident(&join_table_name(&ent.name, &many.name))
                    ),
                    [source, target],
                )
                .unwrap();
            }
        }
    }
    conn
}

fn run(conn: &mut Connection, statements: &[inference::Statement]) {
    let tx = conn.transaction().unwrap();
    for statement in statements {
        tx.execute(&statement.sql, [])
            .unwrap_or_else(|e| panic!("{}: {e}", statement.sql));
    }
    tx.commit().unwrap();
}

/// Every table with its columns `(name, type, NOT NULL)` and indexes
/// `(name, unique)`, sorted (column order may differ between an `ADD COLUMN`
/// and a rebuild).
type Shape = Vec<(String, Vec<(String, String, bool)>, Vec<(String, bool)>)>;

fn shape(conn: &Connection) -> Shape {
    tables(conn)
        .into_iter()
        .map(|table| {
            let mut columns = columns(conn, &table);
            columns.sort();
            let indexes: Vec<(String, bool)> = indexes(conn, &table)
                .into_iter()
                .map(|(name, unique, _)| (name, unique))
                .collect();
            (table, columns, indexes)
        })
        .collect()
}

/// The rows of `entity`, `(id, values in descriptor order)`, by id.
fn rows(conn: &Connection, entity: &EntityDescriptor) -> Vec<(i64, Vec<Value>)> {
    let mut statement = conn
        .prepare(&format!(
            "{} ORDER BY {}",
            sql::select_from(entity, entity.name()),
            sql::quote_ident(ID_COLUMN)
        ))
        .unwrap();
    let n = entity.attributes().len();
    statement
        .query_map([], |row| {
            Ok((
                row.get(0)?,
                (1..=n)
                    .map(|k| row.get::<_, Value>(k))
                    .collect::<Result<_, _>>()?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn check(conn: &Connection, label: &str, latest: &SchemaDescriptor, model: &Model) {
    let drift = verify::drift(conn, latest).unwrap();
    assert!(drift.is_empty(), "{label}: drift {drift:#?}");
    assert_eq!(
        foreign_key_violations(conn),
        0,
        "{label}: foreign key violations"
    );
    for (entity, ent) in latest.entities().iter().zip(&model.entities) {
        assert_eq!(
            rows(conn, entity),
            ent.rows,
            "{label}: rows of `{}`",
            entity.name()
        );
        for many in &ent.many {
            let join = join_table_name(&ent.name, &many.name);
            let links: BTreeSet<(i64, i64)> = conn
                .prepare(&format!(
                    "SELECT {}, {} FROM {}",
                    sql::quote_ident(sql::JOIN_SOURCE),
                    sql::quote_ident(sql::JOIN_TARGET),
                    sql::quote_ident(&join)
                ))
                .unwrap()
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(
                links, many.links,
                "{label}: links of `{}.{}`",
                ent.name, many.name
            );
        }
    }
}

// ---------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------

/// How often each kind of change is drawn: entity changes (0–3) once,
/// attribute changes (4–16) two or three times, so that rows survive long
/// enough to be changed.
const DRAW: [u8; 35] = [
    0, 1, 2, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 14,
    15, 16, 16, 17, 17, 18, 19,
];

fn composed_equals_steps(seed: u64, versions: &[Vec<u8>]) {
    let mut rng = Rng(seed);
    let mut model = Model::first(&mut rng);
    let first = model.descriptor(1);
    let (composed_store, steps_store) = (
        TempStore::named("composed.sqlite"),
        TempStore::named("steps.sqlite"),
    );
    let mut at_once = create_store(composed_store.path(), &first, &model);
    let mut one_by_one = create_store(steps_store.path(), &first, &model);

    let mut schemas = vec![first];
    for ops in versions {
        model.next_version();
        for &draw in ops {
            model.apply(&mut rng, DRAW[usize::from(draw) % DRAW.len()]);
        }
        schemas.push(model.descriptor(schemas.len() as u64 + 1));
    }

    let mut steps: Vec<SchemaMapping> = Vec::new();
    for pair in schemas.windows(2) {
        let mapping = inference::map_step(&pair[0], &pair[1])
            .unwrap_or_else(|e| panic!("{e}\n{:#?}", pair[1]));
        for change in inference::changes(&pair[0], &pair[1], &mapping) {
            assert!(
                change.class().is_inferable(),
                "generated a change that is not inferable: {change}"
            );
        }
        run(
            &mut one_by_one,
            &inference::lower(&pair[0], &pair[1], &mapping),
        );
        steps.push(mapping);
    }
    let composed = steps[1..]
        .iter()
        .fold(steps[0].clone(), |acc, next| inference::compose(&acc, next));
    let (first, latest) = (&schemas[0], schemas.last().unwrap());
    let statements = inference::lower(first, latest, &composed);
    let rebuilt: Vec<&str> = statements
        .iter()
        .filter(|s| {
            s.sql.starts_with("CREATE TABLE \"_staged_new_")
                && !s.sql.starts_with("CREATE TABLE \"_staged_new_join_")
        })
        .map(|s| s.sql.as_str())
        .collect();
    assert!(
        rebuilt.len() <= latest.entities().len(),
        "more rebuilds than tables: {rebuilt:#?}"
    );
    run(&mut at_once, &statements);

    check(&at_once, "composed", latest, &model);
    check(&one_by_one, "steps", latest, &model);
    assert_eq!(shape(&at_once), shape(&one_by_one), "table shapes differ");
}

proptest! {
    #![proptest_config(ProptestConfig {
        // `PROPTEST_CASES=…` runs more.
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            ProptestConfig::default().cases
        } else {
            96
        },
        ..ProptestConfig::default()
    })]

    #[test]
    fn composed_mapping_equals_the_steps_and_the_model(
        seed in any::<u64>(),
        versions in vec(vec(any::<u8>(), 1..7), 2..4),
    ) {
        composed_equals_steps(seed, &versions);
    }
}

/// A fixed long chain touching every kind of change, so that the property's
/// machinery is exercised even when proptest's cases happen to be small.
#[test]
fn every_kind_of_change_in_one_chain() {
    for seed in 0..40 {
        let versions: Vec<Vec<u8>> = (0..3)
            .map(|v| {
                (0..DRAW.len() as u8)
                    .map(|op| op + v * 5 + seed as u8)
                    .collect()
            })
            .collect();
        composed_equals_steps(seed, &versions);
    }
}
