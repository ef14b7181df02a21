//! Typed changes between two schema versions and their classification:
//! what inference finds (its `diff`) and what a [`PlanError`](crate::PlanError)
//! reports.

use std::fmt;

use crate::schema::DeleteRule;
use crate::schema::{AttributeType, DefaultValue};

mod display;

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
    /// A compound constraint (`#[model(unique(…))]` or `#[model(index(…))]`)
    /// added or removed.
    SetConstraint {
        /// The entity (new name).
        entity: String,
        /// The constraint's attributes, in order (new names when added, old
        /// names when removed).
        attributes: Vec<String>,
        /// Whether it is a unique constraint (otherwise an index).
        unique: bool,
        /// Whether it is added (otherwise removed).
        added: bool,
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
    /// A new to-one relationship; existing records get `None`.
    AddRelationship {
        /// The entity (new name).
        entity: String,
        /// The relationship.
        relationship: String,
        /// The entity it refers to.
        target: String,
        /// Whether it is an `Option<Ref<_>>`.
        optional: bool,
    },
    /// A to-one relationship that is gone, with its references.
    RemoveRelationship {
        /// The entity (new name).
        entity: String,
        /// The relationship (old name).
        relationship: String,
    },
    /// A relationship renamed with `#[relationship(original_name)]`; references
    /// (or links, for a many-to-many) are kept.
    RenameRelationship {
        /// The entity (new name).
        entity: String,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// An optional to-one made required: existing `None`s have no value.
    MakeRelationshipRequired {
        /// The entity.
        entity: String,
        /// The relationship (new name).
        relationship: String,
    },
    /// The delete rule of a to-one changed (its foreign key is rebuilt).
    ChangeDeleteRule {
        /// The entity.
        entity: String,
        /// The relationship (new name).
        relationship: String,
        /// The old rule.
        from: DeleteRule,
        /// The new rule.
        to: DeleteRule,
    },
    /// A to-one now refers to another entity, or an attribute became a
    /// to-one or the reverse: stored ids would point at the wrong records.
    ChangeRelationshipTarget {
        /// The entity.
        entity: String,
        /// The attribute or relationship (new name).
        attribute: String,
        /// What it was: "a to-one of `Author`" or "an `i64` attribute".
        from: String,
        /// What it is now.
        to: String,
    },
    /// A new many-to-many: an empty join table.
    AddManyToMany {
        /// The entity (new name).
        entity: String,
        /// The relationship.
        relationship: String,
        /// The related entity.
        target: String,
    },
    /// A to-one turned into a many-to-many (`#[relationship(original_name)]`
    /// on the `ToMany` names the to-one): every reference becomes a link.
    ToOneToManyToMany {
        /// The entity (new name).
        entity: String,
        /// The to-one (old name).
        from: String,
        /// The many-to-many.
        to: String,
    },
    /// A many-to-many that is gone, with its links.
    RemoveManyToMany {
        /// The entity (new name, or old name when the entity is removed).
        entity: String,
        /// The relationship (old name).
        relationship: String,
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
    /// An attribute changed between a `StoredEnum` or `StoredValue` and
    /// another type (or between two of them): the stored values mean
    /// something else.
    ChangeUserType {
        /// The entity.
        entity: String,
        /// The attribute (new name).
        attribute: String,
        /// What it was: "`Status` (an enum stored as text)", "`String`".
        from: String,
        /// What it is now.
        to: String,
    },
    /// Variants added to a `StoredEnum` attribute's enum: no stored value
    /// changes.
    AddVariants {
        /// The entity.
        entity: String,
        /// The attribute (new name).
        attribute: String,
        /// The enum's name.
        enum_name: String,
        /// The stored names of the new variants.
        variants: Vec<String>,
    },
    /// Variants removed from (or renamed in) a `StoredEnum` attribute's enum:
    /// records holding one of them have no value of the new enum, so the
    /// step fails naming them.
    RemoveVariants {
        /// The entity.
        entity: String,
        /// The attribute (new name).
        attribute: String,
        /// The enum's name.
        enum_name: String,
        /// The stored names of the removed variants.
        variants: Vec<String>,
    },
}

/// Whether a change can be applied without user code.
///
/// Displays as its [`name`](ChangeClass::name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
    /// Inferable on its own, but not in a custom stage that transforms the
    /// same entity: a to-one turned many-to-many reads its links from the
    /// old table, which the transform has already replaced. Never the class
    /// of a change by itself ([`Change::class`]); `build()` reports it for a
    /// custom stage.
    NotWithTransform,
}

impl ChangeClass {
    /// Whether a lightweight stage can apply the change.
    pub fn is_inferable(self) -> bool {
        matches!(
            self,
            ChangeClass::Inferable | ChangeClass::UsesDefault | ChangeClass::DataDependent
        )
    }

    /// A short name: `inferable`, `uses-default`, `data-dependent`,
    /// `needs-default`, `needs-custom`, `not-with-transform`.
    pub fn name(self) -> &'static str {
        match self {
            ChangeClass::Inferable => "inferable",
            ChangeClass::UsesDefault => "uses-default",
            ChangeClass::DataDependent => "data-dependent",
            ChangeClass::NeedsDefault => "needs-default",
            ChangeClass::NeedsCustomStage => "needs-custom",
            ChangeClass::NotWithTransform => "not-with-transform",
        }
    }
}

impl fmt::Display for ChangeClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
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
            Change::SetUnique { unique: true, .. } | Change::RemoveVariants { .. } => {
                ChangeClass::DataDependent
            }
            Change::AddVariants { .. } => ChangeClass::Inferable,
            Change::ChangeUserType { .. } => ChangeClass::NeedsCustomStage,
            Change::SetConstraint {
                unique: true,
                added: true,
                ..
            } => ChangeClass::DataDependent,
            Change::SetConstraint { .. } => ChangeClass::Inferable,
            Change::AddAttribute { optional: true, .. } => ChangeClass::Inferable,
            Change::AddAttribute {
                default: Some(_), ..
            }
            | Change::MakeRequired {
                default: Some(_), ..
            } => ChangeClass::UsesDefault,
            Change::AddAttribute { default: None, .. }
            | Change::MakeRequired { default: None, .. } => ChangeClass::NeedsDefault,
            Change::AddRelationship { optional, .. } => {
                if *optional {
                    ChangeClass::Inferable
                } else {
                    ChangeClass::NeedsDefault
                }
            }
            Change::MakeRelationshipRequired { .. } => ChangeClass::NeedsDefault,
            Change::RemoveRelationship { .. }
            | Change::RenameRelationship { .. }
            | Change::ChangeDeleteRule { .. }
            | Change::AddManyToMany { .. }
            | Change::ToOneToManyToMany { .. }
            | Change::RemoveManyToMany { .. } => ChangeClass::Inferable,
            Change::ChangeRelationshipTarget { .. } => ChangeClass::NeedsCustomStage,
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
            | Change::SetConstraint { entity, .. }
            | Change::ChangeDefault { entity, .. }
            | Change::ChangeType { entity, .. }
            | Change::ChangeUserType { entity, .. }
            | Change::AddVariants { entity, .. }
            | Change::RemoveVariants { entity, .. }
            | Change::AddRelationship { entity, .. }
            | Change::RemoveRelationship { entity, .. }
            | Change::RenameRelationship { entity, .. }
            | Change::MakeRelationshipRequired { entity, .. }
            | Change::ChangeDeleteRule { entity, .. }
            | Change::ChangeRelationshipTarget { entity, .. }
            | Change::AddManyToMany { entity, .. }
            | Change::ToOneToManyToMany { entity, .. }
            | Change::RemoveManyToMany { entity, .. } => entity,
        }
    }

    /// The attribute the change is about, if any.
    pub fn attribute(&self) -> Option<&str> {
        match self {
            Change::AddEntity { .. }
            | Change::RemoveEntity { .. }
            | Change::RenameEntity { .. }
            | Change::SetConstraint { .. } => None,
            Change::RenameAttribute { to, .. }
            | Change::RenameRelationship { to, .. }
            | Change::ToOneToManyToMany { to, .. } => Some(to),
            Change::AddRelationship { relationship, .. }
            | Change::RemoveRelationship { relationship, .. }
            | Change::MakeRelationshipRequired { relationship, .. }
            | Change::ChangeDeleteRule { relationship, .. }
            | Change::AddManyToMany { relationship, .. }
            | Change::RemoveManyToMany { relationship, .. } => Some(relationship),
            Change::ChangeRelationshipTarget { attribute, .. } => Some(attribute),
            Change::AddAttribute { attribute, .. }
            | Change::RemoveAttribute { attribute, .. }
            | Change::MakeRequired { attribute, .. }
            | Change::MakeOptional { attribute, .. }
            | Change::SetUnique { attribute, .. }
            | Change::SetIndex { attribute, .. }
            | Change::ChangeDefault { attribute, .. }
            | Change::ChangeType { attribute, .. }
            | Change::ChangeUserType { attribute, .. }
            | Change::AddVariants { attribute, .. }
            | Change::RemoveVariants { attribute, .. } => Some(attribute),
        }
    }

    /// What to do to make a non-inferable change work; `None` when it is inferable.
    pub fn fix(&self) -> Option<String> {
        if let Change::AddRelationship { .. } | Change::MakeRelationshipRequired { .. } = self {
            return Some(format!(
                "make `{}.{}` an `Option<Ref<…>>`, or use a custom stage whose transform sets it (or whose \
                 `will_migrate` hook sets the missing references)",
                self.entity(),
                self.attribute().unwrap_or_default()
            ));
        }
        if let Change::ChangeUserType {
            entity, attribute, ..
        } = self
        {
            return Some(format!(
                "use a custom stage (`MigrationStage::custom`) with a `transform` for `{entity}` that converts \
                 each `{entity}.{attribute}` value to the new type"
            ));
        }
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

impl Change {
    /// What to do about a non-inferable change that a custom stage leaves to
    /// inference (its entity has no transform); `has_hooks`: whether the
    /// stage has `will_migrate` or `migrate` hooks.
    pub(crate) fn fix_in_custom_stage(&self, has_hooks: bool) -> Option<String> {
        let (entity, attribute) = (self.entity(), self.attribute().unwrap_or_default());
        match self.class() {
            ChangeClass::NeedsDefault if matches!(self, Change::AddAttribute { .. }) => {
                Some(format!(
                    "add `#[attribute(default = …)]` to `{entity}.{attribute}`, or give this custom stage a \
                 `transform` for `{entity}` that sets it (hooks run before or after the column is filled, \
                 so they cannot)"
                ))
            }
            ChangeClass::NeedsDefault => Some(format!(
                "add a default to `{entity}.{attribute}`, give this custom stage a `transform` for `{entity}` \
                 that sets it, or {} a `will_migrate` hook that fills the missing values",
                if has_hooks { "make sure" } else { "add" }
            )),
            ChangeClass::NeedsCustomStage => Some(format!(
                "give this custom stage a `transform` for `{entity}`"
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
