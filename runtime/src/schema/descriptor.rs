//! Static descriptions of schemas, entities and attributes.
//!
//! `#[versioned_schema]` generates one [`SchemaDescriptor`] per schema module
//! as a `static`; the same types deserialize from JSON snapshots, so every
//! string and list is a `Cow` that borrows in the static case.
//!
//! Two ways to make one: the `const fn`s generated code calls (hidden from
//! the docs), and a builder for descriptors made at run time (tools, tests):
//! [`SchemaDescriptor::from_entities`], [`EntityDescriptor::from_parts`] and
//! [`with_to_many`](EntityDescriptor::with_to_many),
//! [`AttributeDescriptor::new`], [`named`](AttributeDescriptor::named) and
//! [`to_one`](AttributeDescriptor::to_one) with the `with_*` methods. A
//! descriptor has no mutators.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::Version;
use super::entity::EntityDescriptor;
use super::relationships::{JoinTable, ToManyKind};

/// The name of the column that holds every row's [`PersistentId`](crate::PersistentId).
pub const ID_COLUMN: &str = staged_vocabulary::ID_COLUMN;

/// A schema version: its entities and their attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaDescriptor {
    version: Version,
    entities: Cow<'static, [EntityDescriptor]>,
    /// `#[versioned_schema(removed(…))]`: entities of the previous version
    /// deleted on purpose (not part of the checksum).
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    removed: Cow<'static, [Cow<'static, str>]>,
    /// `#[versioned_schema(hash_modifier = "…")]` (part of the checksum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hash_modifier: Option<Cow<'static, str>>,
}

impl SchemaDescriptor {
    /// A descriptor; `#[versioned_schema]` calls this in a `static`.
    #[doc(hidden)]
    pub const fn new(version: Version, entities: &'static [EntityDescriptor]) -> Self {
        SchemaDescriptor {
            version,
            entities: Cow::Borrowed(entities),
            removed: Cow::Borrowed(&[]),
            hash_modifier: None,
        }
    }

    /// A descriptor with the entities removed on purpose and a hash
    /// modifier; `#[versioned_schema]` calls this in a `static`.
    #[doc(hidden)]
    pub const fn __new(
        version: Version,
        entities: &'static [EntityDescriptor],
        removed: &'static [Cow<'static, str>],
        hash_modifier: Option<&'static str>,
    ) -> Self {
        SchemaDescriptor {
            version,
            entities: Cow::Borrowed(entities),
            removed: Cow::Borrowed(removed),
            hash_modifier: match hash_modifier {
                Some(m) => Some(Cow::Borrowed(m)),
                None => None,
            },
        }
    }

    /// A descriptor built at run time (tests, tools, deserialized snapshots).
    pub fn from_entities(version: Version, entities: Vec<EntityDescriptor>) -> Self {
        SchemaDescriptor {
            version,
            entities: Cow::Owned(entities),
            removed: Cow::Borrowed(&[]),
            hash_modifier: None,
        }
    }

    /// Declares entities of the previous version deleted on purpose (a
    /// descriptor built at run time; `removed(…)` of `#[versioned_schema]`).
    pub fn with_removed(mut self, removed: Vec<String>) -> Self {
        self.removed = removed.into_iter().map(Cow::Owned).collect();
        self
    }

    /// Sets the hash modifier (a descriptor built at run time;
    /// `hash_modifier = "…"` of `#[versioned_schema]`).
    pub fn with_hash_modifier(mut self, modifier: impl Into<String>) -> Self {
        self.hash_modifier = Some(Cow::Owned(modifier.into()));
        self
    }

    /// The entities of the previous version this one deletes on purpose:
    /// `#[versioned_schema(removed(…))]`.
    pub fn removed(&self) -> impl Iterator<Item = &str> {
        self.removed.iter().map(|name| &**name)
    }

    /// `#[versioned_schema(hash_modifier = "…")]`: makes a version whose
    /// shape equals another's distinct (it is part of the checksum).
    pub fn hash_modifier(&self) -> Option<&str> {
        self.hash_modifier.as_deref()
    }

    /// The schema's version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The entities, in declaration order.
    pub fn entities(&self) -> &[EntityDescriptor] {
        &self.entities
    }

    /// The entity with this name.
    pub fn entity(&self, name: &str) -> Option<&EntityDescriptor> {
        self.entities.iter().find(|e| e.name() == name)
    }

    /// The join tables of the schema's many-to-many relationships, one per
    /// pair of sides, ordered by name.
    pub fn join_tables(&self) -> Vec<JoinTable> {
        let mut out: Vec<JoinTable> = Vec::new();
        for entity in self.entities() {
            for relationship in entity.relationships() {
                if relationship.kind() != ToManyKind::ManyToMany {
                    continue;
                }
                let (name, owns) = relationship.join_table(entity.name());
                if !owns {
                    continue;
                }
                out.push(JoinTable {
                    name,
                    owner: entity.name().to_owned(),
                    relationship: relationship.name().to_owned(),
                    target: relationship.target().to_owned(),
                    inverse: relationship.inverse().map(str::to_owned),
                });
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// The join table that stores relationship `name` of `entity`, with
    /// whether `entity` is its owner (the `source` column) side.
    pub fn join_table_of(&self, entity: &str, name: &str) -> Option<(JoinTable, bool)> {
        self.join_tables().into_iter().find_map(|join| {
            if join.owner == entity && join.relationship == name {
                Some((join, true))
            } else if join.target == entity && join.inverse.as_deref() == Some(name) {
                Some((join, false))
            } else {
                None
            }
        })
    }

    /// The [`Checksum`](crate::Checksum) of this descriptor's canonical form.
    pub fn checksum(&self) -> super::Checksum {
        super::Checksum::of(self)
    }
}
