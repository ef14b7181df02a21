//! Relationship operations of [`ModelContext`]: following a to-one, loading,
//! adding to and removing from a to-many, setting one attribute, and the
//! `deny` delete rule (the other rules are SQLite `ON DELETE` actions).

use std::collections::HashSet;

use rusqlite::types::{ToSql, Value};
use rusqlite::{Connection, OptionalExtension};

use crate::codegen;
use crate::context::ModelContext;
use crate::error::{Error, Result};
use crate::model::{BelongsTo, PersistentId, Record};
use crate::query::{FetchDescriptor, Field, Predicate};
use crate::relationship::{Ref, ToMany};
use crate::schema::DeleteRule;
use crate::schema::{
    AttributeDescriptor, EntityDescriptor, ID_COLUMN, JoinTable, RelationshipDescriptor,
    SchemaDescriptor, ToManyKind, VersionedSchema,
};
use crate::sql;
use crate::store;

impl<S: VersionedSchema> ModelContext<S> {
    /// The record a to-one refers to: `ctx.follow(book.author)` for a
    /// `Ref<Author>`, or an `Option<Ref<Author>>` (`None` gives `None`).
    /// `None` too when the record is gone (a `no_action` reference may dangle).
    pub fn follow<T: BelongsTo<S>>(
        &mut self,
        reference: impl Into<Option<Ref<T>>>,
    ) -> Result<Option<Record<T>>> {
        match reference.into() {
            Some(reference) => self.get::<T>(reference.id()),
            None => Ok(None),
        }
    }

    /// The records of a to-many of a fetched record, in id order:
    /// `ctx.related(&author.books)`.
    pub fn related<T: BelongsTo<S>>(&mut self, many: &ToMany<T>) -> Result<Vec<Record<T>>> {
        self.related_matching(many, FetchDescriptor::new())
    }

    /// The records of a to-many that `descriptor` selects (filter, sort,
    /// limit and offset apply among the related records).
    pub fn related_matching<T: BelongsTo<S>>(
        &mut self,
        many: &ToMany<T>,
        descriptor: FetchDescriptor<T>,
    ) -> Result<Vec<Record<T>>> {
        let (owner, entity, relationship) = resolve(many)?;
        let predicate = match relationship.kind() {
            ToManyKind::OneToMany => {
                let inverse = relationship.inverse().unwrap_or_default();
                Predicate::raw(
                    format!("{} = ?", sql::quote_ident(inverse)),
                    vec![Value::Integer(owner.raw())],
                )
            }
            ToManyKind::ManyToMany => {
                let (join, mine, theirs) = join_columns(entity, relationship)?;
                Predicate::raw(
                    format!(
                        "{} IN (SELECT {theirs} FROM {} WHERE {mine} = ?)",
                        sql::quote_ident(ID_COLUMN),
                        sql::quote_ident(&join),
                    ),
                    vec![Value::Integer(owner.raw())],
                )
            }
        };
        self.fetch(descriptor.filter(predicate))
    }

    /// Adds a record to a to-many of a fetched record: for a one-to-many,
    /// sets the record's inverse to-one to the owner; for a many-to-many,
    /// links the two (adding a linked pair again changes nothing).
    pub fn add_related<T: BelongsTo<S>>(
        &mut self,
        many: &ToMany<T>,
        record: impl Into<Ref<T>>,
    ) -> Result<()> {
        let (owner, entity, relationship) = resolve(many)?;
        let target = record.into().id();
        self.writable(entity)?;
        self.writable(T::entity())?;
        let conn = self.lock();
        match relationship.kind() {
            ToManyKind::OneToMany => {
                let changed = conn.execute(
                    &format!(
                        "UPDATE {} SET {} = ?1 WHERE {} = ?2",
                        sql::quote_ident(relationship.target()),
                        sql::quote_ident(relationship.inverse().unwrap_or_default()),
                        sql::quote_ident(ID_COLUMN)
                    ),
                    [owner.raw(), target.raw()],
                );
                let changed = changed.map_err(|e| write_error(entity, e))?;
                if changed == 0 {
                    return Err(Error::NotFound {
                        entity: relationship.target().to_owned(),
                        id: target.raw(),
                    });
                }
            }
            ToManyKind::ManyToMany => {
                let (join, mine, theirs) = join_columns(entity, relationship)?;
                conn.execute(
                    &format!(
                        "INSERT OR IGNORE INTO {} ({mine}, {theirs}) VALUES (?1, ?2)",
                        sql::quote_ident(&join)
                    ),
                    [owner.raw(), target.raw()],
                )
                .map_err(|e| write_error(entity, e))?;
            }
        }
        Ok(())
    }

    /// Removes a record from a to-many of a fetched record: for a
    /// one-to-many, clears the record's inverse to-one (refused with
    /// [`Error::RequiredInverse`] when it is required); for a many-to-many,
    /// unlinks the two. Removing a record that is not related changes nothing.
    pub fn remove_related<T: BelongsTo<S>>(
        &mut self,
        many: &ToMany<T>,
        record: impl Into<Ref<T>>,
    ) -> Result<()> {
        let (owner, entity, relationship) = resolve(many)?;
        let target = record.into().id();
        self.writable(entity)?;
        self.writable(T::entity())?;
        let conn = self.lock();
        match relationship.kind() {
            ToManyKind::OneToMany => {
                let inverse = relationship.inverse().unwrap_or_default();
                let required = T::entity()
                    .attribute(inverse)
                    .is_some_and(|a| !a.is_optional());
                if required {
                    return Err(Error::RequiredInverse {
                        entity: entity.name().to_owned(),
                        relationship: relationship.name().to_owned(),
                        related: relationship.target().to_owned(),
                        inverse: inverse.to_owned(),
                    });
                }
                conn.execute(
                    &format!(
                        "UPDATE {table} SET {column} = NULL WHERE {id} = ?1 AND {column} = ?2",
                        table = sql::quote_ident(relationship.target()),
                        column = sql::quote_ident(inverse),
                        id = sql::quote_ident(ID_COLUMN)
                    ),
                    [target.raw(), owner.raw()],
                )?;
            }
            ToManyKind::ManyToMany => {
                let (join, mine, theirs) = join_columns(entity, relationship)?;
                conn.execute(
                    &format!(
                        "DELETE FROM {} WHERE {mine} = ?1 AND {theirs} = ?2",
                        sql::quote_ident(&join)
                    ),
                    [owner.raw(), target.raw()],
                )?;
            }
        }
        Ok(())
    }

    /// Writes one attribute of the record `id` of `M`, leaving the others:
    /// `ctx.set(book_id, Book::fields().author, Some(Ref::from(&alice)))` sets a
    /// to-one, `None` clears it.
    ///
    /// Fails with [`Error::NotFound`] when there is no such record.
    pub fn set<M: BelongsTo<S>, T: ToSql>(
        &mut self,
        id: PersistentId,
        field: Field<M, T>,
        value: T,
    ) -> Result<()> {
        let entity = M::entity();
        self.writable(entity)?;
        let conn = self.lock();
        let mut statement = conn.prepare_cached(&format!(
            "UPDATE {} SET {} = ?1 WHERE {} = ?2",
            sql::quote_ident(entity.name()),
            sql::quote_ident(field.name()),
            sql::quote_ident(ID_COLUMN)
        ))?;
        codegen::bind(&mut statement, 1, &value, entity.name(), field.name())?;
        statement.raw_bind_parameter(2, id.raw())?;
        let changed = statement
            .raw_execute()
            .map_err(|e| write_error(entity, e))?;
        if changed == 0 {
            return Err(Error::NotFound {
                entity: entity.name().to_owned(),
                id: id.raw(),
            });
        }
        Ok(())
    }
}

/// The owner and relationship of a to-many handle read from the store.
fn resolve<T>(
    many: &ToMany<T>,
) -> Result<(
    PersistentId,
    &'static EntityDescriptor,
    &'static RelationshipDescriptor,
)> {
    let not_stored = || Error::NotStored {
        relationship: format!(
            "ToMany<{}>",
            std::any::type_name::<T>()
                .rsplit("::")
                .next()
                .unwrap_or_default()
        ),
    };
    let (owner, entity, name) = many.parts().ok_or_else(not_stored)?;
    let relationship = entity.relationship(name).ok_or_else(not_stored)?;
    Ok((owner, entity, relationship))
}

/// The join table of a many-to-many and its columns as seen from `entity`:
/// (table, this side's column, the related side's column), quoted columns.
fn join_columns(
    entity: &EntityDescriptor,
    relationship: &RelationshipDescriptor,
) -> Result<(String, String, String)> {
    let (join, owns) = relationship.join_table(entity.name());
    let (source, target) = (
        sql::quote_ident(sql::JOIN_SOURCE),
        sql::quote_ident(sql::JOIN_TARGET),
    );
    Ok(if owns {
        (join, source, target)
    } else {
        (join, target, source)
    })
}

/// Maps a failed insert or update of `entity` to a typed error.
pub(crate) fn write_error(entity: &EntityDescriptor, error: rusqlite::Error) -> Error {
    if error.sqlite_error().map(|e| e.extended_code)
        == Some(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY)
    {
        return Error::ReferenceNotFound {
            entity: entity.name().to_owned(),
        };
    }
    store::constraint_error(error)
}

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
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {id} FROM {table} WHERE {column} = ?1 ORDER BY {id}",
                id = sql::quote_ident(ID_COLUMN),
                table = sql::quote_ident(child.name()),
                column = sql::quote_ident(attribute.name()),
            ))?;
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
            let table = sql::quote_ident(child.name());
            let column = sql::quote_ident(attribute.name());
            match rule {
                DeleteRule::Cascade => {
                    let referring: Vec<i64> = conn
                        .prepare_cached(&format!(
                            "SELECT {} FROM {table} WHERE {column} = ?1",
                            sql::quote_ident(ID_COLUMN)
                        ))?
                        .query_map([id], |row| row.get(0))?
                        .collect::<rusqlite::Result<_>>()?;
                    conn.prepare_cached(&format!("DELETE FROM {table} WHERE {column} = ?1"))?
                        .execute([id])?;
                    pending.extend(
                        referring
                            .into_iter()
                            .map(|child_id| (child.name().to_owned(), child_id)),
                    );
                }
                DeleteRule::Nullify => {
                    conn.prepare_cached(&format!(
                        "UPDATE {table} SET {column} = NULL WHERE {column} = ?1"
                    ))?
                    .execute([id])?;
                }
                DeleteRule::Deny | DeleteRule::NoAction => {}
            }
        }
        for (join, column) in join_columns_holding(&joins, &parent) {
            conn.prepare_cached(&format!(
                "DELETE FROM {} WHERE {} = ?1",
                sql::quote_ident(join),
                sql::quote_ident(column)
            ))?
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
    let missing = |column: &str, table: &str| {
        format!(
            "{col} IS NOT NULL AND {col} NOT IN (SELECT {id} FROM {table})",
            col = sql::quote_ident(column),
            id = sql::quote_ident(ID_COLUMN),
            table = sql::quote_ident(table)
        )
    };
    let joins = schema.join_tables();
    let mut changed = 0u64;
    let mut pending = vec![entity.to_owned()];
    while let Some(parent) = pending.pop() {
        for (child, attribute, rule) in references_to(schema, &parent) {
            let condition = missing(attribute.name(), &parent);
            let table = sql::quote_ident(child.name());
            match rule {
                DeleteRule::Cascade => {
                    let n = conn.execute(&format!("DELETE FROM {table} WHERE {condition}"), [])?;
                    if n > 0 {
                        changed += n as u64;
                        pending.push(child.name().to_owned());
                    }
                }
                DeleteRule::Nullify => {
                    changed += conn.execute(
                        &format!(
                            "UPDATE {table} SET {} = NULL WHERE {condition}",
                            sql::quote_ident(attribute.name())
                        ),
                        [],
                    )? as u64;
                }
                DeleteRule::Deny => {
                    let found: Option<(i64, i64)> = conn
                        .query_row(
                            &format!(
                                "SELECT {id}, {col} FROM {table} WHERE {condition} ORDER BY {id} LIMIT 1",
                                id = sql::quote_ident(ID_COLUMN),
                                col = sql::quote_ident(attribute.name()),
                            ),
                            [],
                            |row| Ok((row.get(0)?, row.get(1)?)),
                        )
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
            changed += conn.execute(
                &format!(
                    "DELETE FROM {} WHERE {}",
                    sql::quote_ident(join),
                    missing(column, &parent)
                ),
                [],
            )? as u64;
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
