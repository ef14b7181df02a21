//! Schema mappings: where each attribute of a newer schema takes its values
//! from in an older one. A mapping is what a lightweight step executes; it
//! composes, so a run of steps becomes one.

use std::collections::HashMap;

use crate::change::ChangeClass;
use crate::error::{PlanError, Result};
use crate::schema::{
    DefaultValue, EntityDescriptor, RelationshipDescriptor, SchemaDescriptor, ToManyKind, Version,
};

/// Where a target attribute's values come from, in terms of the source schema.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueSource {
    /// The value of a source column (possibly renamed).
    Column(String),
    /// The value of a source column, with NULLs replaced by a default
    /// (an optional attribute made required).
    Coalesce(String, DefaultValue),
    /// A constant for every existing row: a new attribute's default, or NULL.
    Literal(Option<DefaultValue>),
}

/// How one entity of the target schema is filled from the source schema.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityMapping {
    /// The entity's name in the target schema.
    pub target: String,
    /// The entity's name in the source schema; `None` for a new entity.
    pub source: Option<String>,
    /// One source per stored attribute of the target entity, in its order.
    pub attributes: Vec<(String, ValueSource)>,
    /// One entry per many-to-many relationship of the target entity, in its
    /// order: where its links come from.
    pub relationships: Vec<(String, LinkSource)>,
}

/// Where the links of a many-to-many of the target schema come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkSource {
    /// Nowhere: a new relationship starts without links.
    New,
    /// A many-to-many of the source entity (possibly renamed): its join table.
    ManyToMany(String),
    /// A to-one of the source entity, named by `original_name`: every
    /// reference that is set becomes one link.
    ToOne(String),
}

impl EntityMapping {
    /// The source of a target attribute.
    pub fn attribute(&self, target: &str) -> Option<&ValueSource> {
        self.attributes
            .iter()
            .find(|(name, _)| name == target)
            .map(|(_, source)| source)
    }

    /// Where the links of a target many-to-many come from.
    pub fn relationship(&self, target: &str) -> Option<&LinkSource> {
        self.relationships
            .iter()
            .find(|(name, _)| name == target)
            .map(|(_, source)| source)
    }
}

/// How every entity of the `to` schema is filled from the `from` schema.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaMapping {
    /// The source version.
    pub from: Version,
    /// The target version.
    pub to: Version,
    /// One mapping per entity of the target schema, in its order.
    pub entities: Vec<EntityMapping>,
}

impl SchemaMapping {
    /// The mapping of a target entity.
    pub fn entity(&self, target: &str) -> Option<&EntityMapping> {
        self.entities.iter().find(|e| e.target == target)
    }

    /// The source entities that no target entity takes rows from (removed).
    pub fn removed_entities<'a>(&self, from: &'a SchemaDescriptor) -> Vec<&'a str> {
        from.entities()
            .iter()
            .map(|e| e.name())
            .filter(|name| {
                !self
                    .entities
                    .iter()
                    .any(|m| m.source.as_deref() == Some(name))
            })
            .collect()
    }
}

/// The mapping of one step between consecutive versions, following the
/// `original_name`s of `to` (which name things in `from`).
pub fn map_step(from: &SchemaDescriptor, to: &SchemaDescriptor) -> Result<SchemaMapping> {
    let step = Step { from, to };
    let mut entities = Vec::with_capacity(to.entities().len());
    let mut claimed: HashMap<&str, &str> = HashMap::new();
    for target in to.entities() {
        let Some(source) = step.source_entity(target)? else {
            entities.push(new_entity(target));
            continue;
        };
        if let Some(first) = claimed.insert(source.name(), target.name()) {
            return Err(step.ambiguous(source.name().to_owned(), first.to_owned(), target.name()));
        }
        entities.push(EntityMapping {
            target: target.name().to_owned(),
            source: Some(source.name().to_owned()),
            attributes: step.attributes(source, target)?,
            relationships: step.many_to_manys(source, target)?,
        });
    }
    Ok(SchemaMapping {
        from: from.version(),
        to: to.version(),
        entities,
    })
}

/// A new entity: every attribute gets its default (or NULL), every
/// many-to-many starts without links.
fn new_entity(target: &EntityDescriptor) -> EntityMapping {
    EntityMapping {
        target: target.name().to_owned(),
        source: None,
        attributes: target
            .attributes()
            .iter()
            .map(|a| {
                (
                    a.name().to_owned(),
                    ValueSource::Literal(a.default_value().cloned()),
                )
            })
            .collect(),
        relationships: many_to_many(target)
            .map(|r| (r.to_owned(), LinkSource::New))
            .collect(),
    }
}

/// The two schemas of a step being mapped, for its lookups and errors.
struct Step<'s> {
    from: &'s SchemaDescriptor,
    to: &'s SchemaDescriptor,
}

impl<'s> Step<'s> {
    /// The entity of `from` that `target` takes its rows from: the one its
    /// `original_name` names, or the one of the same name; `None` for a new
    /// entity.
    fn source_entity(&self, target: &EntityDescriptor) -> Result<Option<&'s EntityDescriptor>> {
        let name = target.original_name().unwrap_or(target.name());
        let source = self.from.entity(name);
        if source.is_none() && target.original_name().is_some() {
            return Err(self.unknown_original(target.name(), None, name));
        }
        Ok(source)
    }

    /// Where each attribute of `target` takes its values from in `source`.
    fn attributes(
        &self,
        source: &EntityDescriptor,
        target: &EntityDescriptor,
    ) -> Result<Vec<(String, ValueSource)>> {
        let mut attributes = Vec::with_capacity(target.attributes().len());
        let mut claimed: HashMap<&str, &str> = HashMap::new();
        for attribute in target.attributes() {
            let name = attribute.original_name().unwrap_or(attribute.name());
            let value = match source.attribute(name) {
                Some(old) => {
                    if let Some(first) = claimed.insert(old.name(), attribute.name()) {
                        return Err(self.ambiguous(
                            format!("{}.{}", source.name(), old.name()),
                            format!("{}.{first}", target.name()),
                            &format!("{}.{}", target.name(), attribute.name()),
                        ));
                    }
                    match (
                        old.is_optional(),
                        attribute.is_optional(),
                        attribute.default_value(),
                    ) {
                        (true, false, Some(default)) => {
                            ValueSource::Coalesce(old.name().to_owned(), default.clone())
                        }
                        _ => ValueSource::Column(old.name().to_owned()),
                    }
                }
                None if attribute.original_name().is_some()
                    && source.relationship(name).is_some() =>
                {
                    return Err(self.to_many_into_to_one(source, target, name, attribute.name()));
                }
                None if attribute.original_name().is_some() => {
                    return Err(self.unknown_original(target.name(), Some(attribute.name()), name));
                }
                None => ValueSource::Literal(attribute.default_value().cloned()),
            };
            attributes.push((attribute.name().to_owned(), value));
        }
        Ok(attributes)
    }

    /// Where the links of each many-to-many of `target` come from in `source`.
    fn many_to_manys(
        &self,
        source: &EntityDescriptor,
        target: &EntityDescriptor,
    ) -> Result<Vec<(String, LinkSource)>> {
        let mut relationships = Vec::new();
        for relationship in target.relationships() {
            if relationship.kind() != ToManyKind::ManyToMany {
                continue;
            }
            let source_name = relationship.original_name().unwrap_or(relationship.name());
            let kept = source
                .relationship(source_name)
                .filter(|r| r.kind() == ToManyKind::ManyToMany);
            // The related entity's name in the source schema.
            let related = self
                .to
                .entity(relationship.target())
                .map(|t| t.original_name().unwrap_or(t.name()));
            let to_one = source
                .attribute(source_name)
                .and_then(|a| a.reference())
                .filter(|r| Some(r.target()) == related);
            // Links hold ids of the related entity: they cannot follow the
            // relationship to another one (a transform never sees them either).
            if let Some(kept) = kept
                && Some(kept.target()) != related
            {
                return Err(self.related_entity_changed(target, relationship, kept));
            }
            let link = match (kept, to_one, relationship.original_name()) {
                (Some(kept), _, _) => LinkSource::ManyToMany(kept.name().to_owned()),
                (None, Some(_), Some(_)) => LinkSource::ToOne(source_name.to_owned()),
                (None, _, Some(_)) => {
                    return Err(self.unknown_original(
                        target.name(),
                        Some(relationship.name()),
                        source_name,
                    ));
                }
                (None, _, None) => LinkSource::New,
            };
            relationships.push((relationship.name().to_owned(), link));
        }
        Ok(relationships)
    }

    /// [`PlanError::UnknownOriginalName`]: `entity` (or its `attribute`)
    /// names `original_name`, which `from` does not have.
    fn unknown_original(
        &self,
        entity: &str,
        attribute: Option<&str>,
        original_name: &str,
    ) -> crate::Error {
        PlanError::UnknownOriginalName {
            from: self.from.version(),
            to: self.to.version(),
            entity: entity.to_owned(),
            attribute: attribute.map(str::to_owned),
            original_name: original_name.to_owned(),
        }
        .into()
    }

    /// [`PlanError::AmbiguousOriginal`]: `first` and `second` both take
    /// their data from `original_name`.
    fn ambiguous(&self, original_name: String, first: String, second: &str) -> crate::Error {
        PlanError::AmbiguousOriginal {
            from: self.from.version(),
            to: self.to.version(),
            original_name,
            first,
            second: second.to_owned(),
        }
        .into()
    }

    /// A to-many of `source` renamed into the to-one `attribute` of `target`.
    fn to_many_into_to_one(
        &self,
        source: &EntityDescriptor,
        target: &EntityDescriptor,
        to_many: &str,
        attribute: &str,
    ) -> crate::Error {
        PlanError::NotInferable {
            from: self.from.version(),
            to: self.to.version(),
            entity: target.name().to_owned(),
            attribute: Some(attribute.to_owned()),
            change: format!(
                "turn to-many `{}.{to_many}` into `{}.{attribute}`",
                source.name(),
                target.name(),
            ),
            class: ChangeClass::NeedsCustomStage,
            fix: format!(
                "a record may have several related records: remove `original_name`, read them in a \
                 `will_migrate` hook of a custom stage and set `{attribute}` in its transform"
            ),
        }
        .into()
    }

    /// A many-to-many of `target` that keeps the links of `kept`, whose
    /// related entity is another one.
    fn related_entity_changed(
        &self,
        target: &EntityDescriptor,
        relationship: &RelationshipDescriptor,
        kept: &RelationshipDescriptor,
    ) -> crate::Error {
        PlanError::NotInferable {
            from: self.from.version(),
            to: self.to.version(),
            entity: target.name().to_owned(),
            attribute: Some(relationship.name().to_owned()),
            change: format!(
                "change the related entity of many-to-many `{}.{}` from `{}` to `{}`",
                target.name(),
                relationship.name(),
                kept.target(),
                relationship.target()
            ),
            class: ChangeClass::NeedsCustomStage,
            fix: format!(
                "its links hold ids of `{}` records: give the relationship a new name (without \
                 `original_name`) so that it starts without links, and link the `{}` records in a \
                 `did_migrate` hook of a custom stage",
                kept.target(),
                relationship.target()
            ),
        }
        .into()
    }
}

/// The names of an entity's many-to-many relationships.
fn many_to_many(entity: &EntityDescriptor) -> impl Iterator<Item = &str> {
    entity
        .relationships()
        .iter()
        .filter(|r| r.kind() == ToManyKind::ManyToMany)
        .map(|r| r.name())
}

/// The mapping `first.from -> second.to` equal to applying `first`, then `second`.
pub fn compose(first: &SchemaMapping, second: &SchemaMapping) -> SchemaMapping {
    let entities = second
        .entities
        .iter()
        .map(|outer| {
            let inner = outer
                .source
                .as_deref()
                .and_then(|middle| first.entity(middle));
            match inner {
                // New in the middle schema (or in the last): its table starts empty,
                // so only the defaults of the last schema matter.
                None => EntityMapping {
                    target: outer.target.clone(),
                    source: None,
                    attributes: outer
                        .attributes
                        .iter()
                        .map(|(name, source)| (name.clone(), new_entity_source(source)))
                        .collect(),
                    relationships: outer
                        .relationships
                        .iter()
                        .map(|(name, _)| (name.clone(), LinkSource::New))
                        .collect(),
                },
                Some(inner) => EntityMapping {
                    target: outer.target.clone(),
                    source: inner.source.clone(),
                    attributes: outer
                        .attributes
                        .iter()
                        .map(|(name, source)| (name.clone(), substitute(source, inner)))
                        .collect(),
                    relationships: outer
                        .relationships
                        .iter()
                        .map(|(name, middle)| (name.clone(), substitute_links(middle, inner)))
                        .collect(),
                },
            }
        })
        .collect();
    SchemaMapping {
        from: first.from,
        to: second.to,
        entities,
    }
}

/// `outer`, which names the middle schema, rewritten over `inner`'s sources.
fn substitute_links(outer: &LinkSource, inner: &EntityMapping) -> LinkSource {
    match outer {
        LinkSource::New => LinkSource::New,
        LinkSource::ManyToMany(middle) => inner
            .relationship(middle)
            .cloned()
            .unwrap_or(LinkSource::New),
        LinkSource::ToOne(middle) => match inner.attribute(middle) {
            Some(ValueSource::Column(column) | ValueSource::Coalesce(column, _)) => {
                LinkSource::ToOne(column.clone())
            }
            _ => LinkSource::New,
        },
    }
}

fn new_entity_source(source: &ValueSource) -> ValueSource {
    match source {
        ValueSource::Coalesce(_, default) => ValueSource::Literal(Some(default.clone())),
        ValueSource::Literal(value) => ValueSource::Literal(value.clone()),
        ValueSource::Column(_) => ValueSource::Literal(None),
    }
}

/// `outer`, whose columns name the middle schema, rewritten over `inner`'s sources.
fn substitute(outer: &ValueSource, inner: &EntityMapping) -> ValueSource {
    let middle = |column: &str| {
        inner
            .attribute(column)
            .cloned()
            .unwrap_or(ValueSource::Literal(None))
    };
    match outer {
        ValueSource::Literal(value) => ValueSource::Literal(value.clone()),
        ValueSource::Column(column) => middle(column),
        ValueSource::Coalesce(column, default) => match middle(column) {
            ValueSource::Column(source) => ValueSource::Coalesce(source, default.clone()),
            // Already never NULL.
            coalesced @ ValueSource::Coalesce(..) => coalesced,
            ValueSource::Literal(Some(value)) => ValueSource::Literal(Some(value)),
            ValueSource::Literal(None) => ValueSource::Literal(Some(default.clone())),
        },
    }
}
