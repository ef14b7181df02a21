//! Entities (one table each) and their compound constraints.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::attribute::AttributeDescriptor;
use super::relationships::{Reference, RelationshipDescriptor};

/// An entity (a `#[model]` struct), stored as one table named after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityDescriptor {
    name: Cow<'static, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    original_name: Option<Cow<'static, str>>,
    attributes: Cow<'static, [AttributeDescriptor]>,
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    relationships: Cow<'static, [RelationshipDescriptor]>,
    /// `#[model(removed(…))]`: attributes and relationships of the previous
    /// version deleted on purpose (not part of the checksum).
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    removed: Cow<'static, [Cow<'static, str>]>,
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    constraints: Cow<'static, [Constraint]>,
}

impl EntityDescriptor {
    /// An entity; `#[versioned_schema]` calls this in a `static`.
    #[doc(hidden)]
    pub const fn new(
        name: &'static str,
        original_name: Option<&'static str>,
        attributes: &'static [AttributeDescriptor],
    ) -> Self {
        Self::__with_constraints(name, original_name, attributes, &[], &[], &[])
    }

    /// An entity with to-many relationships; `#[versioned_schema]` calls this in a `static`.
    #[doc(hidden)]
    pub const fn with_relationships(
        name: &'static str,
        original_name: Option<&'static str>,
        attributes: &'static [AttributeDescriptor],
        relationships: &'static [RelationshipDescriptor],
    ) -> Self {
        Self::__with_constraints(name, original_name, attributes, relationships, &[], &[])
    }

    /// An entity with what it deletes on purpose; `#[versioned_schema]`
    /// calls this in a `static`.
    #[doc(hidden)]
    pub const fn __new(
        name: &'static str,
        original_name: Option<&'static str>,
        attributes: &'static [AttributeDescriptor],
        relationships: &'static [RelationshipDescriptor],
        removed: &'static [Cow<'static, str>],
    ) -> Self {
        Self::__with_constraints(name, original_name, attributes, relationships, removed, &[])
    }

    /// An entity with compound constraints (and what it deletes on
    /// purpose); `#[versioned_schema]` calls this in a `static`.
    #[doc(hidden)]
    pub const fn __with_constraints(
        name: &'static str,
        original_name: Option<&'static str>,
        attributes: &'static [AttributeDescriptor],
        relationships: &'static [RelationshipDescriptor],
        removed: &'static [Cow<'static, str>],
        constraints: &'static [Constraint],
    ) -> Self {
        EntityDescriptor {
            name: Cow::Borrowed(name),
            original_name: match original_name {
                Some(n) => Some(Cow::Borrowed(n)),
                None => None,
            },
            attributes: Cow::Borrowed(attributes),
            relationships: Cow::Borrowed(relationships),
            removed: Cow::Borrowed(removed),
            constraints: Cow::Borrowed(constraints),
        }
    }

    /// An entity built at run time.
    pub fn from_parts(
        name: impl Into<String>,
        original_name: Option<String>,
        attributes: Vec<AttributeDescriptor>,
    ) -> Self {
        EntityDescriptor {
            name: Cow::Owned(name.into()),
            original_name: original_name.map(Cow::Owned),
            attributes: Cow::Owned(attributes),
            relationships: Cow::Borrowed(&[]),
            removed: Cow::Borrowed(&[]),
            constraints: Cow::Borrowed(&[]),
        }
    }

    /// Declares attributes and relationships of the previous version deleted
    /// on purpose (an entity built at run time; `#[model(removed(…))]`).
    pub fn with_removed(mut self, removed: Vec<String>) -> Self {
        self.removed = removed.into_iter().map(Cow::Owned).collect();
        self
    }

    /// The attributes and relationships (old names) of the previous version
    /// this entity deletes on purpose: `#[model(removed(…))]`.
    pub fn removed(&self) -> impl Iterator<Item = &str> {
        self.removed.iter().map(|name| &**name)
    }

    /// Adds to-many relationships to an entity built at run time.
    pub fn with_to_many(mut self, relationships: Vec<RelationshipDescriptor>) -> Self {
        self.relationships = Cow::Owned(relationships);
        self
    }

    /// Adds compound constraints (`#[model(unique(…), index(…))]`) to an
    /// entity built at run time.
    pub fn with_constraints(mut self, constraints: Vec<Constraint>) -> Self {
        self.constraints = Cow::Owned(constraints);
        self
    }

    /// The entity's name, which is also its table name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The entity's name in the previous schema version, when it was renamed.
    pub fn original_name(&self) -> Option<&str> {
        self.original_name.as_deref()
    }

    /// The stored attributes, in declaration order (transient fields are not listed).
    pub fn attributes(&self) -> &[AttributeDescriptor] {
        &self.attributes
    }

    /// The attribute with this name.
    pub fn attribute(&self, name: &str) -> Option<&AttributeDescriptor> {
        self.attributes.iter().find(|a| a.name() == name)
    }

    /// The to-many relationships (`ToMany` fields), in declaration order. To-one
    /// relationships are attributes with a [`reference`](AttributeDescriptor::reference).
    pub fn relationships(&self) -> &[RelationshipDescriptor] {
        &self.relationships
    }

    /// The to-many relationship with this name.
    pub fn relationship(&self, name: &str) -> Option<&RelationshipDescriptor> {
        self.relationships.iter().find(|r| r.name() == name)
    }

    /// The compound constraints (`#[model(unique(…), index(…))]`), in
    /// declaration order. Single-attribute ones are the attributes'
    /// [`is_unique`](AttributeDescriptor::is_unique) and
    /// [`is_indexed`](AttributeDescriptor::is_indexed).
    pub fn constraints(&self) -> &[Constraint] {
        &self.constraints
    }

    /// The to-one relationships: the attributes that reference another entity.
    pub fn references(&self) -> impl Iterator<Item = (&AttributeDescriptor, &Reference)> {
        self.attributes
            .iter()
            .filter_map(|a| a.reference().map(|r| (a, r)))
    }
}

/// A compound constraint of an entity: a unique constraint or an index on
/// several attributes (to-ones included, by their column), in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Constraint {
    unique: bool,
    attributes: Cow<'static, [Cow<'static, str>]>,
}

impl Constraint {
    /// A constraint; `#[versioned_schema]` calls this in a `static`.
    #[doc(hidden)]
    pub const fn __new(unique: bool, attributes: &'static [Cow<'static, str>]) -> Self {
        Constraint {
            unique,
            attributes: Cow::Borrowed(attributes),
        }
    }

    /// A unique constraint on `attributes` (stored names), built at run time.
    pub fn unique<I: IntoIterator<Item = S>, S: Into<String>>(attributes: I) -> Self {
        Constraint {
            unique: true,
            attributes: attributes
                .into_iter()
                .map(|a| Cow::Owned(a.into()))
                .collect(),
        }
    }

    /// An index on `attributes` (stored names), built at run time.
    pub fn index<I: IntoIterator<Item = S>, S: Into<String>>(attributes: I) -> Self {
        Constraint {
            unique: false,
            ..Constraint::unique(attributes)
        }
    }

    /// Whether the attributes' values, taken together, are unique (otherwise
    /// the constraint is a plain index).
    pub fn is_unique(&self) -> bool {
        self.unique
    }

    /// The attributes' names, in order.
    pub fn attributes(&self) -> impl ExactSizeIterator<Item = &str> + Clone {
        self.attributes.iter().map(|a| a.as_ref())
    }
}
