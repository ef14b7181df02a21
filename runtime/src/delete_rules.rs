//! Delete rules applied by hand: the `deny` check (following `cascade`s),
//! and `cascade`/`nullify`/join links where SQLite cannot apply them (foreign
//! keys are off during a migration, in its hooks and for rows a transform
//! drops).

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::schema::{
    AttributeDescriptor, DeleteRule, EntityDescriptor, JoinTable, SchemaDescriptor,
};
use crate::sql;

/// Refuses the delete of record `id` of `entity` when a `deny` rule forbids
/// it, following the `cascade` rules to the records the delete would remove.
pub(crate) fn check_deny(
    conn: &Connection,
    schema: &SchemaDescriptor,
    entity: &str,
    id: i64,
) -> Result<()> {
    let has_deny = schema
        .entities()
        .iter()
        .flat_map(EntityDescriptor::references)
        .any(|(_, r)| r.delete_rule() == DeleteRule::Deny);
    if !has_deny {
        return Ok(());
    }
    let mut seen: HashSet<(String, i64)> = HashSet::new();
    let mut pending: Vec<(String, i64)> = vec![(entity.to_owned(), id)];
    while let Some((entity, id)) = pending.pop() {
        if !seen.insert((entity.clone(), id)) {
            continue;
        }
        for (child, attribute, rule) in references_to(schema, &entity) {
            if !matches!(rule, DeleteRule::Deny | DeleteRule::Cascade) {
                continue;
            }
            let mut statement =
                conn.prepare_cached(&sql::referring_ids(child.name(), attribute.name()))?;
            let referring: Vec<i64> = statement
                .query_map([id], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            match (rule, referring.first()) {
                (DeleteRule::Deny, Some(&related_id)) => {
                    return Err(Error::DeleteDenied {
                        entity: entity.clone(),
                        id,
                        related: child.name().to_owned(),
                        relationship: attribute.name().to_owned(),
                        related_id,
                    });
                }
                (DeleteRule::Cascade, _) => pending.extend(
                    referring
                        .into_iter()
                        .map(|child_id| (child.name().to_owned(), child_id)),
                ),
                _ => {}
            }
        }
    }
    Ok(())
}

/// After record `id` of `entity` was deleted while foreign keys are not
/// enforced (in a migration's hooks), does what the foreign keys would have
/// done: `cascade` deletes what referred to it (and so on down), `nullify`
/// clears the references, links of join tables are removed. `deny` was
/// checked by [`check_deny`] before the delete; `no_action` keeps the reference.
pub(crate) fn delete_rules_by_hand(
    conn: &Connection,
    schema: &SchemaDescriptor,
    entity: &str,
    id: i64,
) -> Result<()> {
    let joins = schema.join_tables();
    let mut seen: HashSet<(String, i64)> = HashSet::new();
    let mut pending: Vec<(String, i64)> = vec![(entity.to_owned(), id)];
    while let Some((parent, id)) = pending.pop() {
        if !seen.insert((parent.clone(), id)) {
            continue;
        }
        for (child, attribute, rule) in references_to(schema, &parent) {
            let (table, column) = (child.name(), attribute.name());
            match rule {
                DeleteRule::Cascade => {
                    let referring: Vec<i64> = conn
                        .prepare_cached(&sql::referring_ids(table, column))?
                        .query_map([id], |row| row.get(0))?
                        .collect::<rusqlite::Result<_>>()?;
                    conn.prepare_cached(&sql::delete_where(table, column))?
                        .execute([id])?;
                    pending.extend(
                        referring
                            .into_iter()
                            .map(|child_id| (child.name().to_owned(), child_id)),
                    );
                }
                DeleteRule::Nullify => {
                    conn.prepare_cached(&sql::nullify_referring(table, column))?
                        .execute([id])?;
                }
                DeleteRule::Deny | DeleteRule::NoAction => {}
            }
        }
        for (join, column) in join_columns_holding(&joins, &parent) {
            conn.prepare_cached(&sql::delete_where(join, column))?
                .execute([id])?;
        }
    }
    Ok(())
}

/// After a transform dropped rows of `entity` (foreign keys are off during a
/// migration), applies the target schema's delete rules to what referred to
/// them: `cascade` deletes (and so on down), `nullify` clears, `deny` fails
/// naming both entities, `no_action` keeps the reference; links of join
/// tables are removed. Returns the rows deleted or changed.
pub(crate) fn apply_delete_rules(
    conn: &Connection,
    schema: &SchemaDescriptor,
    entity: &str,
) -> Result<u64> {
    let joins = schema.join_tables();
    let mut changed = 0u64;
    let mut pending = vec![entity.to_owned()];
    while let Some(parent) = pending.pop() {
        for (child, attribute, rule) in references_to(schema, &parent) {
            let (table, column) = (child.name(), attribute.name());
            match rule {
                DeleteRule::Cascade => {
                    let n = conn.execute(&sql::delete_dangling(table, column, &parent), [])?;
                    if n > 0 {
                        changed += n as u64;
                        pending.push(child.name().to_owned());
                    }
                }
                DeleteRule::Nullify => {
                    changed +=
                        conn.execute(&sql::nullify_dangling(table, column, &parent), [])? as u64;
                }
                DeleteRule::Deny => {
                    let found: Option<(i64, i64)> = conn
                        .query_row(&sql::first_dangling(table, column, &parent), [], |row| {
                            Ok((row.get(0)?, row.get(1)?))
                        })
                        .optional()?;
                    if let Some((related_id, id)) = found {
                        return Err(Error::DeleteDenied {
                            entity: parent.clone(),
                            id,
                            related: child.name().to_owned(),
                            relationship: attribute.name().to_owned(),
                            related_id,
                        });
                    }
                }
                DeleteRule::NoAction => {}
            }
        }
        for (join, column) in join_columns_holding(&joins, &parent) {
            changed += conn.execute(&sql::delete_dangling(join, column, &parent), [])? as u64;
        }
    }
    Ok(changed)
}

/// The to-ones of `schema` that refer to entity `target`: the referring
/// entity, its attribute and the attribute's delete rule.
fn references_to<'s>(
    schema: &'s SchemaDescriptor,
    target: &'s str,
) -> impl Iterator<Item = (&'s EntityDescriptor, &'s AttributeDescriptor, DeleteRule)> + 's {
    schema.entities().iter().flat_map(move |child| {
        child
            .references()
            .filter(move |(_, reference)| reference.target() == target)
            .map(move |(attribute, reference)| (child, attribute, reference.delete_rule()))
    })
}

/// The join-table columns of `joins` that hold ids of `entity`:
/// `(join table, column)`.
fn join_columns_holding<'j>(
    joins: &'j [JoinTable],
    entity: &'j str,
) -> impl Iterator<Item = (&'j str, &'static str)> + 'j {
    joins.iter().flat_map(move |join| {
        [
            (sql::JOIN_SOURCE, join.owner.as_str()),
            (sql::JOIN_TARGET, join.target.as_str()),
        ]
        .into_iter()
        .filter(move |&(_, side)| side == entity)
        .map(move |(column, _)| (join.name.as_str(), column))
    })
}
