//! The differences [`diff`](super::diff()) finds between a snapshot and the
//! current schema, and their messages.

use std::fmt;

use crate::schema::DeleteRule;
use crate::schema::{Checksum, DefaultValue};

/// One difference found by [`diff`](super::diff()).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SchemaDifference {
    /// The serde shape of a json attribute's Rust type changed (a field
    /// added, removed or retyped, an enum variant added or removed). Stores
    /// still open (the shape is not part of the checksum), but JSON written
    /// with the old shape may no longer decode.
    JsonShapeChanged {
        /// The entity.
        entity: String,
        /// The json attribute.
        attribute: String,
        /// Every change, with whether old payloads still decode.
        changes: Vec<crate::schema::json_shape::JsonShapeChange>,
    },
    /// An entity that the snapshot does not have.
    EntityAdded {
        /// The entity.
        entity: String,
    },
    /// An entity of the snapshot that is gone.
    EntityRemoved {
        /// The entity.
        entity: String,
    },
    /// The entity's `original_name` changed.
    EntityOriginalName {
        /// The entity.
        entity: String,
        /// The snapshot's value.
        from: Option<String>,
        /// The current value.
        to: Option<String>,
    },
    /// An attribute that the snapshot does not have.
    AttributeAdded {
        /// The entity.
        entity: String,
        /// The attribute.
        attribute: String,
    },
    /// An attribute of the snapshot that is gone.
    AttributeRemoved {
        /// The entity.
        entity: String,
        /// The attribute.
        attribute: String,
    },
    /// A property of an attribute changed.
    AttributeChanged {
        /// The entity.
        entity: String,
        /// The attribute.
        attribute: String,
        /// What changed.
        change: AttributeChange,
    },
    /// The checksums differ although no other difference was found: the
    /// canonical form covers a property this comparison does not describe.
    /// Reported by [`check`](super::check()) so that a changed checksum never
    /// passes as verified.
    ChecksumChanged {
        /// The checksum of the snapshot's schema.
        shipped: Checksum,
        /// The checksum of the current schema.
        current: Checksum,
    },
    /// A to-one or many-to-many relationship that the snapshot does not have.
    RelationshipAdded {
        /// The entity.
        entity: String,
        /// The relationship.
        relationship: String,
        /// To-one or many-to-many.
        kind: RelationshipKind,
        /// The related entity.
        target: String,
    },
    /// A to-one or many-to-many relationship of the snapshot that is gone.
    RelationshipRemoved {
        /// The entity.
        entity: String,
        /// The relationship.
        relationship: String,
        /// To-one or many-to-many.
        kind: RelationshipKind,
        /// The related entity (in the snapshot).
        target: String,
    },
    /// A property of a to-one or many-to-many relationship changed.
    RelationshipChanged {
        /// The entity.
        entity: String,
        /// The relationship.
        relationship: String,
        /// What changed.
        change: RelationshipChange,
    },
    /// A compound constraint (`#[model(unique(…))]` or `#[model(index(…))]`)
    /// that the snapshot does not have.
    ConstraintAdded {
        /// The entity.
        entity: String,
        /// The constraint's attributes, in order.
        attributes: Vec<String>,
        /// Whether it is a unique constraint (otherwise an index).
        unique: bool,
    },
    /// A compound constraint of the snapshot that is gone.
    ConstraintRemoved {
        /// The entity.
        entity: String,
        /// The constraint's attributes, in order.
        attributes: Vec<String>,
        /// Whether it is a unique constraint (otherwise an index).
        unique: bool,
    },
    /// An attribute of the snapshot is a to-one relationship now.
    BecameRelationship {
        /// The entity.
        entity: String,
        /// The attribute.
        attribute: String,
        /// The snapshot's attribute type (canonical name).
        ty: &'static str,
        /// The entity the to-one refers to now.
        target: String,
    },
    /// A to-one relationship of the snapshot is a plain attribute now.
    BecameAttribute {
        /// The entity.
        entity: String,
        /// The attribute.
        attribute: String,
        /// The entity the snapshot's to-one referred to.
        target: String,
        /// The attribute's type now (canonical name).
        ty: &'static str,
    },
}

impl SchemaDifference {
    /// Whether the difference is only a changed `original_name` hint. The
    /// checksum does not see hints, so stores at this version still open,
    /// but a hint decides how stores of the previous version migrate to this
    /// one: devices that have not upgraded yet would migrate differently.
    pub fn is_rename_hint(&self) -> bool {
        matches!(
            self,
            SchemaDifference::EntityOriginalName { .. }
                | SchemaDifference::AttributeChanged {
                    change: AttributeChange::OriginalName { .. },
                    ..
                }
                | SchemaDifference::RelationshipChanged {
                    change: RelationshipChange::OriginalName { .. },
                    ..
                }
        )
    }
}

/// The relationships that are stored, and so can differ from a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RelationshipKind {
    /// A to-one (`Ref<T>` or `Option<Ref<T>>` field): a column.
    ToOne,
    /// A many-to-many (`ToMany<T>` whose other side is a `ToMany` too): a join table.
    ManyToMany,
}

impl RelationshipKind {
    /// `to-one` or `many-to-many`, as in the canonical form.
    pub fn name(self) -> &'static str {
        match self {
            RelationshipKind::ToOne => "to-one",
            RelationshipKind::ManyToMany => "many-to-many",
        }
    }
}

/// How an attribute differs from its snapshot.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AttributeChange {
    /// The type changed (names as in the canonical form: `text`, `i64`, …).
    Type {
        /// The snapshot's type.
        from: &'static str,
        /// The current type.
        to: &'static str,
    },
    /// Optional became required or the reverse.
    Optional {
        /// Whether the snapshot's attribute is optional.
        from: bool,
        /// Whether the current attribute is optional.
        to: bool,
    },
    /// `unique` added or removed.
    Unique {
        /// Whether the attribute is unique now.
        to: bool,
    },
    /// `index` added or removed.
    Index {
        /// Whether the attribute is indexed now.
        to: bool,
    },
    /// The default value changed.
    Default {
        /// The snapshot's default.
        from: Option<DefaultValue>,
        /// The current default.
        to: Option<DefaultValue>,
    },
    /// The `original_name` hint changed.
    OriginalName {
        /// The snapshot's hint.
        from: Option<String>,
        /// The current hint.
        to: Option<String>,
    },
    /// The `StoredEnum` or `StoredValue` the attribute holds changed: its
    /// name, or an enum's variants.
    UserType {
        /// The snapshot's (`None`: a stored type of staged's).
        from: Option<super::super::UserType>,
        /// The current one.
        to: Option<super::super::UserType>,
    },
}

/// How a to-one or many-to-many relationship differs from its snapshot.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RelationshipChange {
    /// The relationship refers to another entity.
    Target {
        /// The snapshot's target.
        from: String,
        /// The current target.
        to: String,
    },
    /// A to-one became optional or required.
    Optional {
        /// Whether the snapshot's to-one is optional.
        from: bool,
        /// Whether the current to-one is optional.
        to: bool,
    },
    /// The delete rule of a to-one changed.
    DeleteRule {
        /// The snapshot's rule.
        from: DeleteRule,
        /// The current rule.
        to: DeleteRule,
    },
    /// A many-to-many is stored in another join table (its `inverse`, or its
    /// other side's, changed which side owns the table); `None` when the
    /// other side does not name it back.
    JoinTable {
        /// The snapshot's join table.
        from: Option<String>,
        /// The current join table.
        to: Option<String>,
    },
    /// The `original_name` hint changed.
    OriginalName {
        /// The snapshot's hint.
        from: Option<String>,
        /// The current hint.
        to: Option<String>,
    },
}

fn show_default(default: &Option<DefaultValue>) -> String {
    match default {
        None => "no default".to_owned(),
        Some(DefaultValue::Bool(b)) => format!("`{b}`"),
        Some(DefaultValue::Integer(i)) => format!("`{i}`"),
        Some(DefaultValue::Real(r)) => format!("`{r:?}`"),
        Some(DefaultValue::Text(t)) => format!("`{t:?}`"),
    }
}

fn show_name(name: &Option<String>) -> String {
    name.as_ref()
        .map_or_else(|| "none".to_owned(), |n| format!("`{n}`"))
}

fn optionality(optional: bool) -> &'static str {
    if optional { "optional" } else { "required" }
}

impl fmt::Display for SchemaDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaDifference::JsonShapeChanged {
                entity,
                attribute,
                changes,
            } => {
                write!(f, "the JSON shape of `{entity}.{attribute}` changed: ")?;
                for (k, change) in changes.iter().enumerate() {
                    let separator = if k == 0 { "" } else { ", " };
                    write!(f, "{separator}{change}")?;
                }
                if changes.iter().all(|c| c.old_payloads_decode) {
                    f.write_str(" (old payloads still decode)")
                } else {
                    f.write_str(" (old payloads no longer decode)")
                }
            }
            SchemaDifference::EntityAdded { entity } => {
                write!(f, "entity `{entity}` was added")
            }
            SchemaDifference::EntityRemoved { entity } => {
                write!(f, "entity `{entity}` was removed")
            }
            SchemaDifference::EntityOriginalName { entity, from, to } => write!(
                f,
                "entity `{entity}` changed `original_name` from {} to {}",
                show_name(from),
                show_name(to)
            ),
            SchemaDifference::AttributeAdded { entity, attribute } => {
                write!(f, "attribute `{entity}.{attribute}` was added")
            }
            SchemaDifference::ConstraintAdded {
                entity,
                attributes,
                unique,
            } => write!(
                f,
                "{} `{entity}` ({}) was added",
                if *unique { "unique" } else { "index" },
                attributes.join(", ")
            ),
            SchemaDifference::ConstraintRemoved {
                entity,
                attributes,
                unique,
            } => write!(
                f,
                "{} `{entity}` ({}) was removed",
                if *unique { "unique" } else { "index" },
                attributes.join(", ")
            ),
            SchemaDifference::AttributeRemoved { entity, attribute } => {
                write!(f, "attribute `{entity}.{attribute}` was removed")
            }
            SchemaDifference::AttributeChanged {
                entity,
                attribute,
                change,
            } => write!(f, "attribute `{entity}.{attribute}` {change}"),
            SchemaDifference::RelationshipAdded {
                entity,
                relationship,
                kind,
                target,
            } => write!(
                f,
                "{} relationship `{entity}.{relationship}` to `{target}` was added",
                kind.name()
            ),
            SchemaDifference::RelationshipRemoved {
                entity,
                relationship,
                kind,
                target,
            } => write!(
                f,
                "{} relationship `{entity}.{relationship}` to `{target}` was removed",
                kind.name()
            ),
            SchemaDifference::RelationshipChanged {
                entity,
                relationship,
                change,
            } => {
                let name = format!("`{entity}.{relationship}`");
                match change {
                    RelationshipChange::Target { from, to } => write!(
                        f,
                        "relationship {name} now refers to `{to}` instead of `{from}`"
                    ),
                    RelationshipChange::Optional { from, to } => write!(
                        f,
                        "relationship {name} changed from {} to {}",
                        optionality(*from),
                        optionality(*to)
                    ),
                    RelationshipChange::DeleteRule { from, to } => write!(
                        f,
                        "delete rule of {name} changed from {} to {}",
                        from.name(),
                        to.name()
                    ),
                    RelationshipChange::JoinTable { from, to } => write!(
                        f,
                        "join table of {name} changed from {} to {}",
                        show_name(from),
                        show_name(to)
                    ),
                    RelationshipChange::OriginalName { from, to } => write!(
                        f,
                        "relationship {name} changed `original_name` from {} to {}",
                        show_name(from),
                        show_name(to)
                    ),
                }
            }
            SchemaDifference::BecameRelationship {
                entity,
                attribute,
                ty,
                target,
            } => write!(
                f,
                "attribute `{entity}.{attribute}` of type `{ty}` became a to-one relationship \
                 to `{target}`"
            ),
            SchemaDifference::ChecksumChanged { shipped, current } => write!(
                f,
                "the schema's checksum changed from {shipped} to {current} in a way this comparison \
                 does not describe (see `staged::schema::canonical_form` for what it covers)"
            ),
            SchemaDifference::BecameAttribute {
                entity,
                attribute,
                target,
                ty,
            } => write!(
                f,
                "to-one relationship `{entity}.{attribute}` to `{target}` became an attribute \
                 of type `{ty}`"
            ),
        }
    }
}

impl fmt::Display for AttributeChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttributeChange::Type { from, to } => {
                write!(f, "changed type from `{from}` to `{to}`")
            }
            AttributeChange::UserType { from, to } => {
                let shown = |t: &Option<super::super::UserType>| {
                    t.as_ref()
                        .map_or_else(|| "a stored type".to_owned(), |t| format!("`{t}`"))
                };
                write!(f, "changed type from {} to {}", shown(from), shown(to))
            }
            AttributeChange::Optional { from, to } => write!(
                f,
                "changed from {} to {}",
                optionality(*from),
                optionality(*to)
            ),
            AttributeChange::Unique { to: true } => write!(f, "became unique"),
            AttributeChange::Unique { to: false } => write!(f, "is no longer unique"),
            AttributeChange::Index { to: true } => write!(f, "gained an index"),
            AttributeChange::Index { to: false } => write!(f, "lost its index"),
            AttributeChange::Default { from, to } => write!(
                f,
                "changed default from {} to {}",
                show_default(from),
                show_default(to)
            ),
            AttributeChange::OriginalName { from, to } => write!(
                f,
                "changed `original_name` from {} to {}",
                show_name(from),
                show_name(to)
            ),
        }
    }
}
