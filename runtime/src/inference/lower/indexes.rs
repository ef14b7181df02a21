//! The indexes staged keeps on an entity (unique and plain indexes of one
//! attribute, and of compound constraints), and which of them an in-place
//! step keeps.

use std::collections::HashSet;

use super::{Purpose, Statement};
use crate::inference::mapping::{EntityMapping, ValueSource};
use crate::schema::EntityDescriptor;
use crate::sql;

/// The indexes of `source` that an in-place change leaves valid for `target`:
/// the target has an index of the same name (same entity, attribute and
/// kind), and that attribute still holds the values of the same column. A
/// name alone is not enough: in a composed step, `a` may be renamed away and
/// a new attribute `a` added, and `a`'s old index then covers the renamed column.
///
/// Index names are made of the entity's name, the attribute's name and the
/// kind (unique or plain), so "the target has an index of the same name" is
/// "same entity name, an attribute of the same name with that kind"; no index
/// statement is built to find out.
pub(super) fn kept_indexes(
    mapping: &EntityMapping,
    source: &EntityDescriptor,
    target: &EntityDescriptor,
) -> HashSet<String> {
    let mut kept = HashSet::new();
    if source.name() != target.name() {
        return kept;
    }
    let entity = source.name();
    for attribute in source.attributes() {
        let same_column = matches!(
            mapping.attribute(attribute.name()),
            Some(ValueSource::Column(column)) if column == attribute.name()
        );
        let Some(wanted) = target
            .attributes()
            .iter()
            .find(|a| a.name() == attribute.name())
        else {
            continue;
        };
        if !same_column {
            continue;
        }
        if attribute.is_unique() && wanted.is_unique() {
            kept.insert(sql::unique_index_name(entity, attribute.name()));
        }
        if attribute.is_indexed() && wanted.is_indexed() {
            kept.insert(sql::plain_index_name(entity, attribute.name()));
        }
    }
    // A compound constraint is kept when the target has the same one (same
    // kind, same attributes in order) and each attribute keeps its column.
    for constraint in source.constraints() {
        let same_columns = constraint.attributes().all(|name| {
            matches!(
                mapping.attribute(name),
                Some(ValueSource::Column(column)) if column == name
            )
        });
        if same_columns && target.constraints().contains(constraint) {
            kept.insert(sql::compound_index_name(
                entity,
                constraint.is_unique(),
                constraint.attributes(),
            ));
        }
    }
    kept
}

/// `(index name, statement)` for every index of an entity: a unique index
/// is a [`Purpose::CreateUnique`] statement, so its failure names a duplicate.
pub fn index_statements(entity: &EntityDescriptor) -> Vec<(String, Statement)> {
    indexes(entity)
        .map(|index| {
            let statement = index.statement(entity.name());
            (index.name, statement)
        })
        .collect()
}

/// One index staged keeps on an entity: a unique or a plain index of one
/// attribute, or of a compound constraint (`together`).
pub(super) struct Index<'a> {
    pub(super) name: String,
    attribute: &'a str,
    unique: bool,
    together: Option<&'a crate::schema::Constraint>,
}

impl Index<'_> {
    /// The statement creating the index on `entity`.
    pub(super) fn statement(&self, entity: &str) -> Statement {
        if let Some(constraint) = self.together {
            let sql = sql::create_compound_index(entity, self.unique, constraint.attributes());
            let purpose = if self.unique {
                Purpose::CreateUniqueTogether {
                    entity: entity.to_owned(),
                    attributes: constraint.attributes().map(str::to_owned).collect(),
                }
            } else {
                Purpose::Schema
            };
            return Statement { sql, purpose };
        }
        if self.unique {
            Statement {
                sql: sql::create_unique_index(entity, self.attribute),
                purpose: Purpose::CreateUnique {
                    entity: entity.to_owned(),
                    attribute: self.attribute.to_owned(),
                },
            }
        } else {
            Statement {
                sql: sql::create_plain_index(entity, self.attribute),
                purpose: Purpose::Schema,
            }
        }
    }
}

/// The indexes of an entity, in the order of [`index_statements`], without
/// building their statements (an in-place step keeps most of them).
pub(super) fn indexes(entity: &EntityDescriptor) -> impl Iterator<Item = Index<'_>> {
    let single = entity.attributes().iter().flat_map(move |attribute| {
        let name = attribute.name();
        let unique = attribute.is_unique().then(|| Index {
            name: sql::unique_index_name(entity.name(), name),
            attribute: name,
            unique: true,
            together: None,
        });
        let plain = attribute.is_indexed().then(|| Index {
            name: sql::plain_index_name(entity.name(), name),
            attribute: name,
            unique: false,
            together: None,
        });
        unique.into_iter().chain(plain)
    });
    let compound = entity.constraints().iter().map(move |constraint| Index {
        name: sql::compound_index_name(
            entity.name(),
            constraint.is_unique(),
            constraint.attributes(),
        ),
        attribute: "",
        unique: constraint.is_unique(),
        together: Some(constraint),
    });
    single.chain(compound)
}
