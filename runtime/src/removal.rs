//! Removals need consent: what a version deletes of the previous one must
//! be named in `removed(…)` (or be written by a custom stage's transform),
//! and every `removed(…)` must name something of the previous version.
//!
//! The fix proposed for an undeclared removal never loses data: when the
//! newer version has something the removed one may have become (an
//! attribute of the same stored type in the same entity, an entity with the
//! removed one's attributes), the fix is `original_name`.

use std::collections::HashSet;

use crate::change::Change;
use crate::error::{PlanError, UndeclaredRemoval};
use crate::inference::{LinkSource, SchemaMapping};
use crate::schema::{AttributeDescriptor, EntityDescriptor, SchemaDescriptor, ToManyKind};

/// The entities a custom stage for this gap transforms: names in either schema.
pub(crate) type Transformed<'a> = HashSet<&'a str>;

/// The problems of one gap: an [`PlanError::UndeclaredRemovals`] listing
/// every removal no `removed(…)` names, and an
/// [`PlanError::UnknownRemoved`] per `removed(…)` naming nothing of `from`;
/// with the additions that may be an undeclared removal renamed (their own
/// problems, such as a missing default, are not reported: the rename is
/// the fix).
pub(crate) fn check(
    from: &SchemaDescriptor,
    to: &SchemaDescriptor,
    mapping: &SchemaMapping,
    changes: &[Change],
    transformed: &Transformed<'_>,
) -> (Vec<PlanError>, Vec<Change>) {
    let mut paired = Vec::new();
    let mut problems = unknown_consents(from, to, mapping);
    let removed_entities: HashSet<&str> = to.removed().collect();
    let mut removals = Vec::new();
    for change in changes {
        let (entity, name) = match change {
            Change::RemoveEntity { entity } => {
                if removed_entities.contains(entity.as_str())
                    || transformed.contains(entity.as_str())
                {
                    continue;
                }
                (entity.as_str(), None)
            }
            Change::RemoveAttribute {
                entity,
                attribute: name,
            }
            | Change::RemoveRelationship {
                entity,
                relationship: name,
            }
            | Change::RemoveManyToMany {
                entity,
                relationship: name,
            } => {
                if transformed.contains(entity.as_str()) {
                    continue;
                }
                // The many-to-manys of a removed entity go with it: its own
                // removal is reported (or consented to).
                if to.entity(entity).is_none() {
                    continue;
                }
                if to
                    .entity(entity)
                    .is_some_and(|e| e.removed().any(|r| r == name))
                {
                    continue;
                }
                if matches!(change, Change::RemoveManyToMany { .. })
                    && links_kept_by_other_side(from, mapping, entity, name)
                {
                    continue;
                }
                (entity.as_str(), Some(name.as_str()))
            }
            _ => continue,
        };
        paired.extend(
            rename_candidates(from, to, mapping, changes, change)
                .into_iter()
                .cloned(),
        );
        removals.push(UndeclaredRemoval {
            entity: entity.to_owned(),
            name: name.map(str::to_owned),
            change: change.to_string(),
            fix: fix(from, to, mapping, changes, change),
        });
    }
    if !removals.is_empty() {
        problems.insert(
            0,
            PlanError::UndeclaredRemovals {
                from: from.version(),
                to: to.version(),
                removals,
            },
        );
    }
    (problems, paired)
}

/// The added attributes or relationships an undeclared removal may have
/// become: `original_name` is then the fix, so an add that pairs with one
/// is not reported on its own (its "add a default" would lose the values).
pub(crate) fn rename_candidates<'a>(
    from: &SchemaDescriptor,
    to: &'a SchemaDescriptor,
    mapping: &SchemaMapping,
    changes: &'a [Change],
    removal: &Change,
) -> Vec<&'a Change> {
    match removal {
        Change::RemoveAttribute { entity, attribute }
        | Change::RemoveRelationship {
            entity,
            relationship: attribute,
        } => {
            let Some(old) = old_entity(from, mapping, entity).and_then(|e| e.attribute(attribute))
            else {
                return Vec::new();
            };
            changes
                .iter()
                .filter(|c| match c {
                    Change::AddAttribute {
                        entity: e,
                        attribute: a,
                        ..
                    } if e == entity && old.reference().is_none() => to
                        .entity(e)
                        .and_then(|e| e.attribute(a))
                        .is_some_and(|new| new.ty() == old.ty()),
                    Change::AddRelationship {
                        entity: e, target, ..
                    } if e == entity => old
                        .reference()
                        .is_some_and(|r| same_entity(mapping, r.target(), target)),
                    _ => false,
                })
                .collect()
        }
        Change::RemoveManyToMany {
            entity,
            relationship,
        } => {
            let Some(old) =
                old_entity(from, mapping, entity).and_then(|e| e.relationship(relationship))
            else {
                return Vec::new();
            };
            changes
                .iter()
                .filter(|c| {
                    matches!(c, Change::AddManyToMany { entity: e, target, .. }
                        if e == entity && same_entity(mapping, old.target(), target))
                })
                .collect()
        }
        Change::RemoveEntity { entity } => {
            let Some(old) = from.entity(entity) else {
                return Vec::new();
            };
            changes
                .iter()
                .filter(|c| match c {
                    Change::AddEntity { entity: new } => to
                        .entity(new)
                        .is_some_and(|new| has_attributes_of(new, old)),
                    _ => false,
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The fix of an undeclared removal.
fn fix(
    from: &SchemaDescriptor,
    to: &SchemaDescriptor,
    mapping: &SchemaMapping,
    changes: &[Change],
    removal: &Change,
) -> String {
    let candidates = rename_candidates(from, to, mapping, changes, removal);
    let version = to.version();
    match removal {
        Change::RemoveEntity { entity } => match candidates.as_slice() {
            [] => format!(
                "to delete its rows on purpose, add `removed({entity})` to `#[versioned_schema(…)]` of schema \
                 {version}; to keep them, keep the model or migrate them with a custom stage"
            ),
            _ => {
                let names: Vec<String> = candidates
                    .iter()
                    .map(|c| {
                        format!(
                            "`#[model(original_name = \"{entity}\")]` to `{}`",
                            c.entity()
                        )
                    })
                    .collect();
                format!(
                    "if it was renamed, add {} (its rows are kept)",
                    names.join(", or ")
                )
            }
        },
        _ => {
            let entity = removal.entity();
            let name = removal.attribute().unwrap_or_default();
            let helper = if matches!(removal, Change::RemoveAttribute { .. }) {
                "attribute"
            } else {
                "relationship"
            };
            let kept = if matches!(removal, Change::RemoveManyToMany { .. }) {
                "links"
            } else {
                "values"
            };
            match candidates.as_slice() {
                [] => format!(
                    "to delete its {kept} on purpose, add `removed({name})` to `#[model(…)]` of `{entity}` in \
                     schema {version}; to keep them, keep the field, or put \
                     `#[{helper}(original_name = \"{name}\")]` on the field that now holds them"
                ),
                _ => {
                    let names: Vec<String> = candidates
                        .iter()
                        .map(|c| {
                            format!(
                                "`#[{helper}(original_name = \"{name}\")]` to `{}.{}`",
                                c.entity(),
                                c.attribute().unwrap_or_default()
                            )
                        })
                        .collect();
                    format!(
                        "if it was renamed, add {} (its {kept} are kept)",
                        names.join(", or ")
                    )
                }
            }
        }
    }
}

/// The `removed(…)` names of `to` that name nothing of `from`.
fn unknown_consents(
    from: &SchemaDescriptor,
    to: &SchemaDescriptor,
    mapping: &SchemaMapping,
) -> Vec<PlanError> {
    let mut out = Vec::new();
    for name in to.removed() {
        if from.entity(name).is_none() {
            out.push(PlanError::UnknownRemoved {
                from: from.version(),
                to: to.version(),
                entity: None,
                name: name.to_owned(),
            });
        }
    }
    for entity in to.entities() {
        let old = old_entity(from, mapping, entity.name());
        for name in entity.removed() {
            let known = old.is_some_and(|old| {
                old.attribute(name).is_some() || old.relationship(name).is_some()
            });
            if !known {
                out.push(PlanError::UnknownRemoved {
                    from: from.version(),
                    to: to.version(),
                    entity: Some(entity.name().to_owned()),
                    name: name.to_owned(),
                });
            }
        }
    }
    out
}

/// The entity of `from` that `entity` of the newer schema takes its rows from.
fn old_entity<'a>(
    from: &'a SchemaDescriptor,
    mapping: &SchemaMapping,
    entity: &str,
) -> Option<&'a EntityDescriptor> {
    let source = mapping.entity(entity).and_then(|m| m.source.as_deref())?;
    from.entity(source)
}

/// Whether `old` (a name in the older schema) is what `new` (a name in the
/// newer one) takes its rows from.
fn same_entity(mapping: &SchemaMapping, old: &str, new: &str) -> bool {
    mapping
        .entity(new)
        .and_then(|m| m.source.as_deref())
        .map_or(old == new, |source| source == old)
}

/// Whether `new` has every stored attribute of `old`, by name and type.
fn has_attributes_of(new: &EntityDescriptor, old: &EntityDescriptor) -> bool {
    let same = |a: &AttributeDescriptor, b: &AttributeDescriptor| {
        a.ty() == b.ty() && a.reference().is_some() == b.reference().is_some()
    };
    !old.attributes().is_empty()
        && old
            .attributes()
            .iter()
            .all(|a| new.attribute(a.name()).is_some_and(|b| same(a, b)))
}

/// Whether the join table of many-to-many `name` of `entity` (new name)
/// keeps its links through the other side, so removing this side loses none.
fn links_kept_by_other_side(
    from: &SchemaDescriptor,
    mapping: &SchemaMapping,
    entity: &str,
    name: &str,
) -> bool {
    let Some(old) = old_entity(from, mapping, entity).and_then(|e| e.relationship(name)) else {
        return false;
    };
    let Some(inverse) = old.inverse() else {
        return false;
    };
    if old.kind() != ToManyKind::ManyToMany {
        return false;
    }
    mapping
        .entities
        .iter()
        .filter(|m| m.source.as_deref() == Some(old.target()))
        .any(|m| {
            m.relationships
                .iter()
                .any(|(_, source)| *source == LinkSource::ManyToMany(inverse.to_owned()))
        })
}
