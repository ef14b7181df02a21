//! [`diff`]: the comparison of a shipped schema with the current definition
//! of its version (the differences it finds are in `difference`).

use std::collections::{BTreeMap, BTreeSet};

use super::difference::{AttributeChange, RelationshipChange, RelationshipKind, SchemaDifference};
use crate::schema::{
    AttributeDescriptor, EntityDescriptor, Reference, RelationshipDescriptor, SchemaDescriptor,
    ToManyKind,
};

/// Every difference between a shipped schema and the current definition of
/// the same version, by entity, attribute and relationship name (declaration
/// order does not matter); empty when they agree.
///
/// It compares what the [canonical form](crate::schema::canonical_form) (and
/// so the checksum) is made of, so that a checksum that changed always comes
/// with at least one difference: entities, attributes with their type,
/// optionality, `unique`, `index` and default, to-one relationships with
/// their target, optionality and delete rule, and many-to-many relationships
/// with their target and join table. It also reports changed `original_name`
/// hints ([`SchemaDifference::is_rename_hint`]): the checksum does not see
/// them, but they steer how stores of the previous version migrate.
///
/// What is not stored is not a difference: one-to-many relationships (the
/// `ToMany` side of a to-one), the `inverse` of a to-one, and the `inverse`
/// of a many-to-many except through the join table it selects.
pub fn diff(shipped: &SchemaDescriptor, current: &SchemaDescriptor) -> Vec<SchemaDifference> {
    let mut out = Vec::new();
    let names = |s: &SchemaDescriptor| -> BTreeSet<String> {
        s.entities().iter().map(|e| e.name().to_owned()).collect()
    };
    let (old_names, new_names) = (names(shipped), names(current));
    for name in old_names.difference(&new_names) {
        out.push(SchemaDifference::EntityRemoved {
            entity: name.clone(),
        });
    }
    for name in new_names.difference(&old_names) {
        out.push(SchemaDifference::EntityAdded {
            entity: name.clone(),
        });
    }
    for name in old_names.intersection(&new_names) {
        let (old, new) = (
            shipped.entity(name).expect("listed entity"),
            current.entity(name).expect("listed entity"),
        );
        if old.original_name() != new.original_name() {
            out.push(SchemaDifference::EntityOriginalName {
                entity: name.clone(),
                from: old.original_name().map(str::to_owned),
                to: new.original_name().map(str::to_owned),
            });
        }
        diff_columns(name, old, new, &mut out);
        diff_many_to_many(name, (shipped, old), (current, new), &mut out);
        diff_constraints(name, old, new, &mut out);
    }
    out
}

/// The compound constraints only one of `old` and `new` has (same kind and
/// attributes in the same order is the same constraint).
fn diff_constraints(
    entity: &str,
    old: &EntityDescriptor,
    new: &EntityDescriptor,
    out: &mut Vec<SchemaDifference>,
) {
    let names = |c: &crate::schema::Constraint| c.attributes().map(str::to_owned).collect();
    for constraint in old.constraints() {
        if !new.constraints().contains(constraint) {
            out.push(SchemaDifference::ConstraintRemoved {
                entity: entity.to_owned(),
                attributes: names(constraint),
                unique: constraint.is_unique(),
            });
        }
    }
    for constraint in new.constraints() {
        if !old.constraints().contains(constraint) {
            out.push(SchemaDifference::ConstraintAdded {
                entity: entity.to_owned(),
                attributes: names(constraint),
                unique: constraint.is_unique(),
            });
        }
    }
}

/// Two maps by name: the entries only in the old one, only in the new one,
/// and in both, each in name order.
struct Matched<'m, T> {
    removed: Vec<(&'m str, &'m T)>,
    added: Vec<(&'m str, &'m T)>,
    kept: Vec<(&'m str, &'m T, &'m T)>,
}

fn by_name<'m, T>(old: &'m BTreeMap<&'m str, T>, new: &'m BTreeMap<&'m str, T>) -> Matched<'m, T> {
    let only = |a: &'m BTreeMap<&'m str, T>, b: &'m BTreeMap<&'m str, T>| {
        a.iter()
            .filter(|(n, _)| !b.contains_key(*n))
            .map(|(n, v)| (*n, v))
            .collect()
    };
    Matched {
        removed: only(old, new),
        added: only(new, old),
        kept: old
            .iter()
            .filter_map(|(n, a)| new.get(n).map(|b| (*n, a, b)))
            .collect(),
    }
}

/// The attributes of an entity (plain ones and to-ones: both are columns).
fn columns(entity: &EntityDescriptor) -> BTreeMap<&str, &AttributeDescriptor> {
    entity.attributes().iter().map(|a| (a.name(), a)).collect()
}

fn diff_columns(
    entity: &str,
    old: &EntityDescriptor,
    new: &EntityDescriptor,
    out: &mut Vec<SchemaDifference>,
) {
    let (old_columns, new_columns) = (columns(old), columns(new));
    let Matched {
        removed,
        added,
        kept,
    } = by_name(&old_columns, &new_columns);
    let named = |name: &str| (entity.to_owned(), name.to_owned());
    for (name, attribute) in removed {
        let (entity, name) = named(name);
        out.push(match attribute.reference() {
            None => SchemaDifference::AttributeRemoved {
                entity,
                attribute: name,
            },
            Some(reference) => SchemaDifference::RelationshipRemoved {
                entity,
                relationship: name,
                kind: RelationshipKind::ToOne,
                target: reference.target().to_owned(),
            },
        });
    }
    for (name, attribute) in added {
        let (entity, name) = named(name);
        out.push(match attribute.reference() {
            None => SchemaDifference::AttributeAdded {
                entity,
                attribute: name,
            },
            Some(reference) => SchemaDifference::RelationshipAdded {
                entity,
                relationship: name,
                kind: RelationshipKind::ToOne,
                target: reference.target().to_owned(),
            },
        });
    }
    for (name, a, b) in kept {
        diff_kept_column(entity, name, a, b, out);
        if let (Some(was), Some(is)) = (a.json_shape(), b.json_shape()) {
            let changes = crate::schema::json_shape::changes(&was, &is);
            if !changes.is_empty() {
                out.push(SchemaDifference::JsonShapeChanged {
                    entity: entity.to_owned(),
                    attribute: name.to_owned(),
                    changes,
                });
            }
        }
    }
}

/// The differences of a column both versions have: of an attribute, of a
/// to-one, or one turned into the other.
fn diff_kept_column(
    entity: &str,
    name: &str,
    a: &AttributeDescriptor,
    b: &AttributeDescriptor,
    out: &mut Vec<SchemaDifference>,
) {
    let named = |name: &str| (entity.to_owned(), name.to_owned());
    match (a.reference(), b.reference()) {
        (None, None) => {
            for change in attribute_changes(a, b) {
                let (entity, attribute) = named(name);
                out.push(SchemaDifference::AttributeChanged {
                    entity,
                    attribute,
                    change,
                });
            }
        }
        (None, Some(reference)) => {
            let (entity, attribute) = named(name);
            out.push(SchemaDifference::BecameRelationship {
                entity,
                attribute,
                ty: a.ty().canonical_name(),
                target: reference.target().to_owned(),
            });
        }
        (Some(reference), None) => {
            let (entity, attribute) = named(name);
            out.push(SchemaDifference::BecameAttribute {
                entity,
                attribute,
                target: reference.target().to_owned(),
                ty: b.ty().canonical_name(),
            });
        }
        (Some(was), Some(is)) => {
            for change in to_one_changes((a, was), (b, is)) {
                let (entity, relationship) = named(name);
                out.push(SchemaDifference::RelationshipChanged {
                    entity,
                    relationship,
                    change,
                });
            }
            // Not in the canonical form of a to-one, and never set by
            // `#[versioned_schema]`, but stored when set in code.
            for change in attribute_changes(a, b) {
                if let AttributeChange::Optional { .. } | AttributeChange::OriginalName { .. } =
                    change
                {
                    continue;
                }
                let (entity, attribute) = named(name);
                out.push(SchemaDifference::AttributeChanged {
                    entity,
                    attribute,
                    change,
                });
            }
        }
    }
}

fn to_one_changes(
    (a, was): (&AttributeDescriptor, &Reference),
    (b, is): (&AttributeDescriptor, &Reference),
) -> Vec<RelationshipChange> {
    let mut out = Vec::new();
    if was.target() != is.target() {
        out.push(RelationshipChange::Target {
            from: was.target().to_owned(),
            to: is.target().to_owned(),
        });
    }
    if a.is_optional() != b.is_optional() {
        out.push(RelationshipChange::Optional {
            from: a.is_optional(),
            to: b.is_optional(),
        });
    }
    if was.delete_rule() != is.delete_rule() {
        out.push(RelationshipChange::DeleteRule {
            from: was.delete_rule(),
            to: is.delete_rule(),
        });
    }
    if a.original_name() != b.original_name() {
        out.push(RelationshipChange::OriginalName {
            from: a.original_name().map(str::to_owned),
            to: b.original_name().map(str::to_owned),
        });
    }
    out
}

/// A many-to-many of an entity with the join table that stores it (as the
/// canonical form names it: `None` when its other side does not name it back).
struct ManyToMany<'a> {
    relationship: &'a RelationshipDescriptor,
    join: Option<String>,
}

fn many_to_many<'a>(
    schema: &SchemaDescriptor,
    entity: &'a EntityDescriptor,
) -> BTreeMap<&'a str, ManyToMany<'a>> {
    entity
        .relationships()
        .iter()
        .filter(|r| r.kind() == ToManyKind::ManyToMany)
        .map(|relationship| {
            let join = schema
                .join_table_of(entity.name(), relationship.name())
                .map(|(join, _)| join.name);
            (relationship.name(), ManyToMany { relationship, join })
        })
        .collect()
}

fn diff_many_to_many(
    entity: &str,
    (old_schema, old): (&SchemaDescriptor, &EntityDescriptor),
    (new_schema, new): (&SchemaDescriptor, &EntityDescriptor),
    out: &mut Vec<SchemaDifference>,
) {
    let (old_many, new_many) = (many_to_many(old_schema, old), many_to_many(new_schema, new));
    let Matched {
        removed,
        added,
        kept,
    } = by_name(&old_many, &new_many);
    for (name, m) in removed {
        out.push(SchemaDifference::RelationshipRemoved {
            entity: entity.to_owned(),
            relationship: name.to_owned(),
            kind: RelationshipKind::ManyToMany,
            target: m.relationship.target().to_owned(),
        });
    }
    for (name, m) in added {
        out.push(SchemaDifference::RelationshipAdded {
            entity: entity.to_owned(),
            relationship: name.to_owned(),
            kind: RelationshipKind::ManyToMany,
            target: m.relationship.target().to_owned(),
        });
    }
    for (name, a, b) in kept {
        let (was, is) = (a.relationship, b.relationship);
        let mut changes = Vec::new();
        if was.target() != is.target() {
            changes.push(RelationshipChange::Target {
                from: was.target().to_owned(),
                to: is.target().to_owned(),
            });
        }
        if a.join != b.join {
            changes.push(RelationshipChange::JoinTable {
                from: a.join.clone(),
                to: b.join.clone(),
            });
        }
        if was.original_name() != is.original_name() {
            changes.push(RelationshipChange::OriginalName {
                from: was.original_name().map(str::to_owned),
                to: is.original_name().map(str::to_owned),
            });
        }
        out.extend(
            changes
                .into_iter()
                .map(|change| SchemaDifference::RelationshipChanged {
                    entity: entity.to_owned(),
                    relationship: name.to_owned(),
                    change,
                }),
        );
    }
}

fn attribute_changes(a: &AttributeDescriptor, b: &AttributeDescriptor) -> Vec<AttributeChange> {
    let mut out = Vec::new();
    if a.ty() != b.ty() {
        out.push(AttributeChange::Type {
            from: a.ty().canonical_name(),
            to: b.ty().canonical_name(),
        });
    }
    if a.user_type() != b.user_type() {
        out.push(AttributeChange::UserType {
            from: a.user_type().cloned(),
            to: b.user_type().cloned(),
        });
    }
    if a.is_optional() != b.is_optional() {
        out.push(AttributeChange::Optional {
            from: a.is_optional(),
            to: b.is_optional(),
        });
    }
    if a.is_unique() != b.is_unique() {
        out.push(AttributeChange::Unique { to: b.is_unique() });
    }
    if a.is_indexed() != b.is_indexed() {
        out.push(AttributeChange::Index { to: b.is_indexed() });
    }
    if a.default_value() != b.default_value() {
        out.push(AttributeChange::Default {
            from: a.default_value().cloned(),
            to: b.default_value().cloned(),
        });
    }
    if a.original_name() != b.original_name() {
        out.push(AttributeChange::OriginalName {
            from: a.original_name().map(str::to_owned),
            to: b.original_name().map(str::to_owned),
        });
    }
    out
}
