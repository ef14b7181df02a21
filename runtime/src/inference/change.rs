//! Typed changes between two schemas and their classification.

use std::fmt;

use super::mapping::{SchemaMapping, ValueSource};
use crate::schema::{AttributeDescriptor, AttributeType, DefaultValue, SchemaDescriptor};

/// One difference between two schema versions.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Change {
    /// A new entity (an empty table).
    AddEntity {
        /// The entity.
        entity: String,
    },
    /// An entity that is gone, with its rows.
    RemoveEntity {
        /// The entity (old name).
        entity: String,
    },
    /// An entity renamed with `#[model(original_name)]`.
    RenameEntity {
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// A new attribute; existing rows get its default (or NULL).
    AddAttribute {
        /// The entity (new name).
        entity: String,
        /// The attribute.
        attribute: String,
        /// Whether the attribute is optional.
        optional: bool,
        /// The value existing rows get.
        default: Option<DefaultValue>,
    },
    /// An attribute that is gone, with its values.
    RemoveAttribute {
        /// The entity (new name).
        entity: String,
        /// The attribute (old name).
        attribute: String,
    },
    /// An attribute renamed with `#[attribute(original_name)]`; values are kept.
    RenameAttribute {
        /// The entity (new name).
        entity: String,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// An optional attribute made required; NULLs become `default`.
    MakeRequired {
        /// The entity.
        entity: String,
        /// The attribute (new name).
        attribute: String,
        /// The value that replaces NULLs, if the attribute has a default.
        default: Option<DefaultValue>,
    },
    /// A required attribute made optional.
    MakeOptional {
        /// The entity.
        entity: String,
        /// The attribute (new name).
        attribute: String,
    },
    /// `#[attribute(unique)]` added or removed.
    SetUnique {
        /// The entity.
        entity: String,
        /// The attribute (new name).
        attribute: String,
        /// Whether the attribute is now unique.
        unique: bool,
    },
    /// `#[attribute(index)]` added or removed.
    SetIndex {
        /// The entity.
        entity: String,
        /// The attribute (new name).
        attribute: String,
        /// Whether the attribute is now indexed.
        indexed: bool,
    },
    /// The default of an attribute changed (existing values are kept).
    ChangeDefault {
        /// The entity.
        entity: String,
        /// The attribute (new name).
        attribute: String,
        /// The old default.
        from: Option<DefaultValue>,
        /// The new default.
        to: Option<DefaultValue>,
    },
    /// The type of an attribute changed.
    ChangeType {
        /// The entity.
        entity: String,
        /// The attribute (new name).
        attribute: String,
        /// The old type.
        from: AttributeType,
        /// The new type.
        to: AttributeType,
    },
}

/// Whether a change can be applied without user code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeClass {
    /// Applied by SQL alone, never fails.
    Inferable,
    /// Applied by SQL alone, using the attribute's default.
    UsesDefault,
    /// Applied by SQL alone, but fails at run time if the data does not allow
    /// it (duplicates under a new `unique`).
    DataDependent,
    /// Needs `#[attribute(default = …)]` to be inferable (or a custom stage
    /// that fills the values first).
    NeedsDefault,
    /// Needs a custom stage with a `transform`.
    NeedsCustomStage,
}

impl ChangeClass {
    /// Whether a lightweight stage can apply the change.
    pub fn is_inferable(self) -> bool {
        matches!(
            self,
            ChangeClass::Inferable | ChangeClass::UsesDefault | ChangeClass::DataDependent
        )
    }

    /// A short name: `inferable`, `uses-default`, `data-dependent`, `needs-default`, `needs-custom`.
    pub fn name(self) -> &'static str {
        match self {
            ChangeClass::Inferable => "inferable",
            ChangeClass::UsesDefault => "uses-default",
            ChangeClass::DataDependent => "data-dependent",
            ChangeClass::NeedsDefault => "needs-default",
            ChangeClass::NeedsCustomStage => "needs-custom",
        }
    }
}

impl Change {
    /// How the change can be applied.
    pub fn class(&self) -> ChangeClass {
        match self {
            Change::AddEntity { .. }
            | Change::RemoveEntity { .. }
            | Change::RenameEntity { .. }
            | Change::RemoveAttribute { .. }
            | Change::RenameAttribute { .. }
            | Change::MakeOptional { .. }
            | Change::SetIndex { .. }
            | Change::ChangeDefault { .. }
            | Change::SetUnique { unique: false, .. } => ChangeClass::Inferable,
            Change::SetUnique { unique: true, .. } => ChangeClass::DataDependent,
            Change::AddAttribute { optional: true, .. } => ChangeClass::Inferable,
            Change::AddAttribute {
                default: Some(_), ..
            }
            | Change::MakeRequired {
                default: Some(_), ..
            } => ChangeClass::UsesDefault,
            Change::AddAttribute { default: None, .. }
            | Change::MakeRequired { default: None, .. } => ChangeClass::NeedsDefault,
            Change::ChangeType { from, to, .. } => {
                if is_widening(*from, *to) {
                    ChangeClass::Inferable
                } else {
                    ChangeClass::NeedsCustomStage
                }
            }
        }
    }

    /// The entity the change is about (its new name, or old name when removed).
    pub fn entity(&self) -> &str {
        match self {
            Change::AddEntity { entity } | Change::RemoveEntity { entity } => entity,
            Change::RenameEntity { to, .. } => to,
            Change::AddAttribute { entity, .. }
            | Change::RemoveAttribute { entity, .. }
            | Change::RenameAttribute { entity, .. }
            | Change::MakeRequired { entity, .. }
            | Change::MakeOptional { entity, .. }
            | Change::SetUnique { entity, .. }
            | Change::SetIndex { entity, .. }
            | Change::ChangeDefault { entity, .. }
            | Change::ChangeType { entity, .. } => entity,
        }
    }

    /// The attribute the change is about, if any.
    pub fn attribute(&self) -> Option<&str> {
        match self {
            Change::AddEntity { .. }
            | Change::RemoveEntity { .. }
            | Change::RenameEntity { .. } => None,
            Change::RenameAttribute { to, .. } => Some(to),
            Change::AddAttribute { attribute, .. }
            | Change::RemoveAttribute { attribute, .. }
            | Change::MakeRequired { attribute, .. }
            | Change::MakeOptional { attribute, .. }
            | Change::SetUnique { attribute, .. }
            | Change::SetIndex { attribute, .. }
            | Change::ChangeDefault { attribute, .. }
            | Change::ChangeType { attribute, .. } => Some(attribute),
        }
    }

    /// What to do to make a non-inferable change work; `None` when it is inferable.
    pub fn fix(&self) -> Option<String> {
        match self.class() {
            ChangeClass::NeedsDefault => Some(format!(
                "add `#[attribute(default = …)]` to `{}.{}`, or use a custom stage that fills the values",
                self.entity(),
                self.attribute().unwrap_or_default()
            )),
            ChangeClass::NeedsCustomStage => Some(format!(
                "use a custom stage (`MigrationStage::custom`) with a `transform` for `{}`",
                self.entity()
            )),
            _ => None,
        }
    }
}

/// Whether every value of `from` is a value of `to` with the same storage.
pub fn is_widening(from: AttributeType, to: AttributeType) -> bool {
    if from == to {
        return true;
    }
    match (from.integer_range(), to.integer_range()) {
        (Some((from_min, from_max)), Some((to_min, to_max))) => {
            to != AttributeType::Bool && to_min <= from_min && from_max <= to_max
        }
        _ => matches!((from, to), (AttributeType::F32, AttributeType::F64)),
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let default = |d: &Option<DefaultValue>| match d {
            Some(d) => crate::store::sql::default_literal(d),
            None => "NULL".to_owned(),
        };
        match self {
            Change::AddEntity { entity } => write!(f, "add entity `{entity}`"),
            Change::RemoveEntity { entity } => write!(f, "remove entity `{entity}`"),
            Change::RenameEntity { from, to } => write!(f, "rename entity `{from}` to `{to}`"),
            Change::AddAttribute {
                entity,
                attribute,
                optional: true,
                ..
            } => {
                write!(f, "add optional attribute `{entity}.{attribute}`")
            }
            Change::AddAttribute {
                entity,
                attribute,
                default: d,
                ..
            } => {
                write!(
                    f,
                    "add required attribute `{entity}.{attribute}` (existing rows get {})",
                    default(d)
                )
            }
            Change::RemoveAttribute { entity, attribute } => {
                write!(f, "remove attribute `{entity}.{attribute}`")
            }
            Change::RenameAttribute { entity, from, to } => {
                write!(f, "rename attribute `{entity}.{from}` to `{to}`")
            }
            Change::MakeRequired {
                entity,
                attribute,
                default: Some(d),
            } => write!(
                f,
                "make `{entity}.{attribute}` required (NULLs become {})",
                crate::store::sql::default_literal(d)
            ),
            Change::MakeRequired {
                entity,
                attribute,
                default: None,
            } => {
                write!(
                    f,
                    "make `{entity}.{attribute}` required (it has no default for existing NULLs)"
                )
            }
            Change::MakeOptional { entity, attribute } => {
                write!(f, "make `{entity}.{attribute}` optional")
            }
            Change::SetUnique {
                entity,
                attribute,
                unique,
            } => {
                write!(
                    f,
                    "{} unique on `{entity}.{attribute}`",
                    if *unique { "add" } else { "remove" }
                )
            }
            Change::SetIndex {
                entity,
                attribute,
                indexed,
            } => {
                write!(
                    f,
                    "{} index on `{entity}.{attribute}`",
                    if *indexed { "add" } else { "remove" }
                )
            }
            Change::ChangeDefault {
                entity,
                attribute,
                from,
                to,
            } => {
                write!(
                    f,
                    "change default of `{entity}.{attribute}` from {} to {}",
                    default(from),
                    default(to)
                )
            }
            Change::ChangeType {
                entity,
                attribute,
                from,
                to,
            } => write!(
                f,
                "change type of `{entity}.{attribute}` from `{}` to `{}`",
                from.canonical_name(),
                to.canonical_name()
            ),
        }
    }
}

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
        let name = target.name();
        for old in source.attributes() {
            let kept = entity
                .attributes
                .iter()
                .any(|(_, s)| source_column(s) == Some(old.name()));
            if !kept {
                out.push(Change::RemoveAttribute {
                    entity: name.to_owned(),
                    attribute: old.name().to_owned(),
                });
            }
        }
        for (attribute_name, value) in &entity.attributes {
            let new = target
                .attribute(attribute_name)
                .expect("a mapping names attributes of its target");
            match value {
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
                    attribute_changes(name, old, new, value, &mut out);
                }
            }
        }
    }
    out
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
    if old.ty() != new.ty() {
        out.push(Change::ChangeType {
            entity: entity.clone(),
            attribute: attribute.clone(),
            from: old.ty(),
            to: new.ty(),
        });
    }
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
