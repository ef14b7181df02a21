//! How a [`Change`] reads in messages and reports.

use std::fmt;

use super::Change;
use crate::schema::DefaultValue;

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let default = |d: &Option<DefaultValue>| match d {
            Some(d) => crate::sql::default_literal(d),
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
                crate::sql::default_literal(d)
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
            Change::SetConstraint {
                entity,
                attributes,
                unique,
                added,
            } => {
                let members: Vec<String> = attributes.iter().map(|a| format!("`{a}`")).collect();
                write!(
                    f,
                    "{} {} on `{entity}` ({})",
                    if *added { "add" } else { "remove" },
                    if *unique { "unique" } else { "index" },
                    members.join(", ")
                )
            }
            Change::ChangeDefault {
                entity,
                attribute,
                from,
                to,
            } => match (from, to) {
                (Some(from), None) => write!(
                    f,
                    "remove the default {} of `{entity}.{attribute}` (existing values are kept)",
                    crate::sql::default_literal(from)
                ),
                (None, Some(to)) => write!(
                    f,
                    "add default {} to `{entity}.{attribute}` (existing values are kept)",
                    crate::sql::default_literal(to)
                ),
                _ => write!(
                    f,
                    "change default of `{entity}.{attribute}` from {} to {} (existing values are kept)",
                    default(from),
                    default(to)
                ),
            },
            Change::AddRelationship {
                entity,
                relationship,
                target,
                optional,
            } => write!(
                f,
                "add {} to-one `{entity}.{relationship}` to `{target}`",
                if *optional { "optional" } else { "required" }
            ),
            Change::RemoveRelationship {
                entity,
                relationship,
            } => write!(f, "remove relationship `{entity}.{relationship}`"),
            Change::RenameRelationship { entity, from, to } => {
                write!(f, "rename relationship `{entity}.{from}` to `{to}`")
            }
            Change::MakeRelationshipRequired {
                entity,
                relationship,
            } => write!(
                f,
                "make to-one `{entity}.{relationship}` required (records without one have no value)"
            ),
            Change::ChangeDeleteRule {
                entity,
                relationship,
                from,
                to,
            } => write!(
                f,
                "change delete rule of `{entity}.{relationship}` from `{}` to `{}`",
                from.name(),
                to.name()
            ),
            Change::ChangeRelationshipTarget {
                entity,
                attribute,
                from,
                to,
            } => write!(f, "change `{entity}.{attribute}` from {from} to {to}"),
            Change::AddManyToMany {
                entity,
                relationship,
                target,
            } => write!(
                f,
                "add many-to-many `{entity}.{relationship}` with `{target}`"
            ),
            Change::RemoveManyToMany {
                entity,
                relationship,
            } => write!(f, "remove many-to-many `{entity}.{relationship}`"),
            Change::ToOneToManyToMany { entity, from, to } => write!(
                f,
                "turn to-one `{entity}.{from}` into many-to-many `{entity}.{to}` (each reference becomes a link)"
            ),
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
            Change::ChangeUserType {
                entity,
                attribute,
                from,
                to,
            } => write!(
                f,
                "change type of `{entity}.{attribute}` from {from} to {to}"
            ),
            Change::AddVariants {
                entity,
                attribute,
                enum_name,
                variants,
            } => write!(
                f,
                "add {} to `{enum_name}` of `{entity}.{attribute}`",
                variant_list(variants)
            ),
            Change::RemoveVariants {
                entity,
                attribute,
                enum_name,
                variants,
            } => write!(
                f,
                "remove {} from `{enum_name}` of `{entity}.{attribute}` (records holding {} fail the step)",
                variant_list(variants),
                if variants.len() == 1 { "it" } else { "one" }
            ),
        }
    }
}

/// "variant `A`" or "variants `A`, `B`".
fn variant_list(variants: &[String]) -> String {
    let quoted: Vec<String> = variants.iter().map(|v| format!("`{v}`")).collect();
    format!(
        "variant{} {}",
        if variants.len() == 1 { "" } else { "s" },
        quoted.join(", ")
    )
}
