//! Finding the changes between two schemas along a mapping.

use super::mapping::{EntityMapping, LinkSource, SchemaMapping, ValueSource};
use crate::change::Change;
use crate::schema::{
    AttributeDescriptor, EntityDescriptor, RelationshipDescriptor, SchemaDescriptor, ToManyKind,
};

/// The changes a mapping makes from `from` to `to`, entity by entity.
pub fn changes(
    from: &SchemaDescriptor,
    to: &SchemaDescriptor,
    mapping: &SchemaMapping,
) -> Vec<Change> {
    let mut out = Vec::new();
    for removed in mapping.removed_entities(from) {
        out.push(Change::RemoveEntity {
            entity: removed.to_owned(),
        });
    }
    // The source name of a target entity, to compare the targets of to-ones.
    let source_of = |target: &str| {
        mapping
            .entity(target)
            .and_then(|m| m.source.clone())
            .unwrap_or_default()
    };
    for entity in &mapping.entities {
        let target = to
            .entity(&entity.target)
            .expect("a mapping names entities of its target");
        let Some(source) = entity.source.as_deref().and_then(|name| from.entity(name)) else {
            out.push(Change::AddEntity {
                entity: entity.target.clone(),
            });
            continue;
        };
        if source.name() != target.name() {
            out.push(Change::RenameEntity {
                from: source.name().to_owned(),
                to: target.name().to_owned(),
            });
        }
        many_to_many_changes(mapping, entity, source, target, &mut out);
        removed_attributes(entity, source, target, &mut out);
        kept_and_added_attributes(entity, source, target, &source_of, &mut out);
        constraint_changes(entity, source, target, &mut out);
    }
    out
}

/// The compound constraints of `target` that `source` does not have, and
/// those of `source` that are gone. A constraint is kept when each of its
/// attributes keeps its column (renamed or not) and the kind and order are
/// the same.
fn constraint_changes(
    mapping: &EntityMapping,
    source: &EntityDescriptor,
    target: &EntityDescriptor,
    out: &mut Vec<Change>,
) {
    // A source constraint in target names, when every attribute is kept.
    let translated = |constraint: &crate::schema::Constraint| -> Option<Vec<String>> {
        constraint
            .attributes()
            .map(|column| {
                mapping.attributes.iter().find_map(|(name, value)| {
                    matches!(value, ValueSource::Column(c) if c == column).then(|| name.clone())
                })
            })
            .collect()
    };
    let kept: Vec<(bool, Vec<String>)> = source
        .constraints()
        .iter()
        .filter_map(|c| translated(c).map(|names| (c.is_unique(), names)))
        .collect();
    let wanted: Vec<(bool, Vec<String>)> = target
        .constraints()
        .iter()
        .map(|c| (c.is_unique(), c.attributes().map(str::to_owned).collect()))
        .collect();
    for constraint in source.constraints() {
        let still = translated(constraint)
            .is_some_and(|names| wanted.contains(&(constraint.is_unique(), names)));
        if !still {
            out.push(Change::SetConstraint {
                entity: target.name().to_owned(),
                attributes: constraint.attributes().map(str::to_owned).collect(),
                unique: constraint.is_unique(),
                added: false,
            });
        }
    }
    for (unique, attributes) in wanted {
        if !kept.contains(&(unique, attributes.clone())) {
            out.push(Change::SetConstraint {
                entity: target.name().to_owned(),
                attributes,
                unique,
                added: true,
            });
        }
    }
}

/// The many-to-manys of `target` that are new, renamed or made from a
/// to-one, and those of `source` that are gone.
fn many_to_many_changes(
    mapping: &SchemaMapping,
    entity: &EntityMapping,
    source: &EntityDescriptor,
    target: &EntityDescriptor,
    out: &mut Vec<Change>,
) {
    for (name, kept) in &entity.relationships {
        let relationship = target
            .relationship(name)
            .expect("a mapping names relationships of its target");
        match kept {
            // One join table has two sides: report it once, from the side whose links it keeps.
            LinkSource::New if !other_side_keeps_links(mapping, relationship) => {
                out.push(Change::AddManyToMany {
                    entity: target.name().to_owned(),
                    relationship: name.clone(),
                    target: relationship.target().to_owned(),
                });
            }
            LinkSource::ManyToMany(old) if old != name => {
                out.push(Change::RenameRelationship {
                    entity: target.name().to_owned(),
                    from: old.clone(),
                    to: name.clone(),
                });
            }
            LinkSource::ToOne(old) => out.push(Change::ToOneToManyToMany {
                entity: target.name().to_owned(),
                from: old.clone(),
                to: name.clone(),
            }),
            _ => {}
        }
    }
    for old in source.relationships() {
        let kept = entity
            .relationships
            .iter()
            .any(|(_, s)| *s == LinkSource::ManyToMany(old.name().to_owned()));
        if old.kind() == ToManyKind::ManyToMany && !kept {
            out.push(Change::RemoveManyToMany {
                entity: target.name().to_owned(),
                relationship: old.name().to_owned(),
            });
        }
    }
}

/// The attributes and to-ones of `source` whose values no attribute or
/// many-to-many of `target` keeps.
fn removed_attributes(
    entity: &EntityMapping,
    source: &EntityDescriptor,
    target: &EntityDescriptor,
    out: &mut Vec<Change>,
) {
    let name = target.name();
    for old in source.attributes() {
        let kept = entity
            .attributes
            .iter()
            .any(|(_, s)| source_column(s) == Some(old.name()))
            || entity
                .relationships
                .iter()
                .any(|(_, s)| *s == LinkSource::ToOne(old.name().to_owned()));
        if !kept && old.reference().is_some() {
            out.push(Change::RemoveRelationship {
                entity: name.to_owned(),
                relationship: old.name().to_owned(),
            });
        } else if !kept {
            out.push(Change::RemoveAttribute {
                entity: name.to_owned(),
                attribute: old.name().to_owned(),
            });
        }
    }
}

/// The attributes and to-ones of `target`: new ones, and how the kept ones changed.
fn kept_and_added_attributes(
    entity: &EntityMapping,
    source: &EntityDescriptor,
    target: &EntityDescriptor,
    source_of: &dyn Fn(&str) -> String,
    out: &mut Vec<Change>,
) {
    let name = target.name();
    for (attribute_name, value) in &entity.attributes {
        let new = target
            .attribute(attribute_name)
            .expect("a mapping names attributes of its target");
        match value {
            ValueSource::Literal(_) if new.reference().is_some() => {
                out.push(Change::AddRelationship {
                    entity: name.to_owned(),
                    relationship: attribute_name.clone(),
                    target: new
                        .reference()
                        .map(|r| r.target().to_owned())
                        .unwrap_or_default(),
                    optional: new.is_optional(),
                });
            }
            ValueSource::Literal(default) => out.push(Change::AddAttribute {
                entity: name.to_owned(),
                attribute: attribute_name.clone(),
                optional: new.is_optional(),
                default: default.clone(),
            }),
            ValueSource::Column(column) | ValueSource::Coalesce(column, _) => {
                let old = source
                    .attribute(column)
                    .expect("a mapping names attributes of its source");
                if old.reference().is_some() || new.reference().is_some() {
                    relationship_changes(name, old, new, source_of, out);
                } else {
                    attribute_changes(name, old, new, value, out);
                }
            }
        }
    }
}

/// The changes of a to-one (or of an attribute that becomes or stops being one).
fn relationship_changes(
    entity: &str,
    old: &AttributeDescriptor,
    new: &AttributeDescriptor,
    source_of: &dyn Fn(&str) -> String,
    out: &mut Vec<Change>,
) {
    let entity = entity.to_owned();
    let relationship = new.name().to_owned();
    if old.name() != new.name() {
        out.push(Change::RenameRelationship {
            entity: entity.clone(),
            from: old.name().to_owned(),
            to: relationship.clone(),
        });
    }
    let describe = |a: &AttributeDescriptor, target: Option<&str>| match (a.reference(), target) {
        (Some(_), Some(target)) => format!("a to-one of `{target}`"),
        _ => format!("a `{}` attribute", a.ty().canonical_name()),
    };
    let (Some(was), Some(is)) = (old.reference(), new.reference()) else {
        out.push(Change::ChangeRelationshipTarget {
            entity,
            attribute: relationship,
            from: describe(old, old.reference().map(|r| r.target())),
            to: describe(new, new.reference().map(|r| r.target())),
        });
        return;
    };
    if source_of(is.target()) != was.target() {
        out.push(Change::ChangeRelationshipTarget {
            entity,
            attribute: relationship,
            from: describe(old, Some(was.target())),
            to: describe(new, Some(is.target())),
        });
        return;
    }
    match (old.is_optional(), new.is_optional()) {
        (true, false) => out.push(Change::MakeRelationshipRequired {
            entity: entity.clone(),
            relationship: relationship.clone(),
        }),
        (false, true) => out.push(Change::MakeOptional {
            entity: entity.clone(),
            attribute: relationship.clone(),
        }),
        _ => {}
    }
    if was.delete_rule() != is.delete_rule() {
        out.push(Change::ChangeDeleteRule {
            entity,
            relationship,
            from: was.delete_rule(),
            to: is.delete_rule(),
        });
    }
}

/// Whether the other side of a many-to-many takes its links from somewhere.
fn other_side_keeps_links(mapping: &SchemaMapping, relationship: &RelationshipDescriptor) -> bool {
    relationship.inverse().is_some_and(|inverse| {
        mapping
            .entity(relationship.target())
            .and_then(|m| m.relationship(inverse))
            .is_some_and(|s| *s != LinkSource::New)
    })
}

fn source_column(source: &ValueSource) -> Option<&str> {
    match source {
        ValueSource::Column(c) | ValueSource::Coalesce(c, _) => Some(c),
        ValueSource::Literal(_) => None,
    }
}

fn attribute_changes(
    entity: &str,
    old: &AttributeDescriptor,
    new: &AttributeDescriptor,
    value: &ValueSource,
    out: &mut Vec<Change>,
) {
    let entity = entity.to_owned();
    let attribute = new.name().to_owned();
    if old.name() != new.name() {
        out.push(Change::RenameAttribute {
            entity: entity.clone(),
            from: old.name().to_owned(),
            to: attribute.clone(),
        });
    }
    type_changes(&entity, old, new, out);
    match (old.is_optional(), new.is_optional()) {
        (true, false) => out.push(Change::MakeRequired {
            entity: entity.clone(),
            attribute: attribute.clone(),
            default: match value {
                ValueSource::Coalesce(_, default) => Some(default.clone()),
                _ => None,
            },
        }),
        (false, true) => out.push(Change::MakeOptional {
            entity: entity.clone(),
            attribute: attribute.clone(),
        }),
        _ => {}
    }
    if old.is_unique() != new.is_unique() {
        out.push(Change::SetUnique {
            entity: entity.clone(),
            attribute: attribute.clone(),
            unique: new.is_unique(),
        });
    }
    if old.is_indexed() != new.is_indexed() {
        out.push(Change::SetIndex {
            entity: entity.clone(),
            attribute: attribute.clone(),
            indexed: new.is_indexed(),
        });
    }
    if old.default_value() != new.default_value() {
        out.push(Change::ChangeDefault {
            entity,
            attribute,
            from: old.default_value().cloned(),
            to: new.default_value().cloned(),
        });
    }
}

/// How the type of a kept attribute changed: its stored type, or the
/// `StoredEnum` or `StoredValue` it holds (its identity, an enum's variants).
fn type_changes(
    entity: &str,
    old: &AttributeDescriptor,
    new: &AttributeDescriptor,
    out: &mut Vec<Change>,
) {
    let (entity, attribute) = (entity.to_owned(), new.name().to_owned());
    let same_identity = match (old.user_type(), new.user_type()) {
        (None, None) => true,
        (Some(a), Some(b)) => a.name() == b.name() && a.is_enum() == b.is_enum(),
        _ => false,
    };
    if !same_identity || (old.user_type().is_some() && old.ty() != new.ty()) {
        out.push(Change::ChangeUserType {
            entity,
            attribute,
            from: describe_type(old),
            to: describe_type(new),
        });
        return;
    }
    if old.ty() != new.ty() {
        out.push(Change::ChangeType {
            entity,
            attribute,
            from: old.ty(),
            to: new.ty(),
        });
        return;
    }
    let (Some(was), Some(is)) = (old.user_type(), new.user_type()) else {
        return;
    };
    let (before, after) = (
        was.variants().unwrap_or_default(),
        is.variants().unwrap_or_default(),
    );
    let missing = |from: &[&str], to: &[&str]| -> Vec<String> {
        from.iter()
            .filter(|v| !to.contains(v))
            .map(|v| (*v).to_owned())
            .collect()
    };
    let (added, removed) = (missing(&after, &before), missing(&before, &after));
    if !removed.is_empty() {
        out.push(Change::RemoveVariants {
            entity: entity.clone(),
            attribute: attribute.clone(),
            enum_name: is.name().to_owned(),
            variants: removed,
        });
    }
    if !added.is_empty() {
        out.push(Change::AddVariants {
            entity,
            attribute,
            enum_name: is.name().to_owned(),
            variants: added,
        });
    }
}

/// "`Status` (an enum stored as text)", "`Cents` (stored as i64)", "`i64`".
fn describe_type(attribute: &AttributeDescriptor) -> String {
    let stored = attribute.ty().canonical_name();
    match attribute.user_type() {
        Some(user) if user.is_enum() => format!("`{}` (an enum stored as {stored})", user.name()),
        Some(user) => format!("`{}` (stored as {stored})", user.name()),
        None => format!("`{stored}`"),
    }
}
