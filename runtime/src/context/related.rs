//! Relationship operations of [`ModelContext`]: following a to-one, loading,
//! adding to and removing from a to-many, setting one attribute, and the
//! `deny` delete rule (the other rules are SQLite `ON DELETE` actions).

use rusqlite::types::Value;

use crate::context::ModelContext;
use crate::error::{Error, Result};
use crate::macro_support;
use crate::model::{BelongsTo, PersistentId, Record};
use crate::query::{ColumnValue, FetchDescriptor, Field, Predicate};
use crate::relationship::{Ref, ToMany};
use crate::schema::{EntityDescriptor, RelationshipDescriptor, ToManyKind, VersionedSchema};
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
                    sql::equals_param(inverse),
                    vec![Value::Integer(owner.raw())],
                )
            }
            ToManyKind::ManyToMany => {
                let (join, mine, theirs) = join_columns(entity, relationship)?;
                Predicate::raw(
                    sql::linked_to_param(&join, mine, theirs),
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
        let conn = self.lock()?;
        match relationship.kind() {
            ToManyKind::OneToMany => {
                let changed = conn.execute(
                    &sql::set_column(
                        relationship.target(),
                        relationship.inverse().unwrap_or_default(),
                    ),
                    [owner.raw(), target.raw()],
                );
                let changed = changed.map_err(|e| store::write_error(entity, e))?;
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
                    &sql::insert_link(&join, mine, theirs),
                    [owner.raw(), target.raw()],
                )
                .map_err(|e| store::write_error(entity, e))?;
                self.conn.note_written(&join);
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
        let conn = self.lock()?;
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
                    &sql::clear_reference(relationship.target(), inverse),
                    [target.raw(), owner.raw()],
                )?;
            }
            ToManyKind::ManyToMany => {
                let (join, mine, theirs) = join_columns(entity, relationship)?;
                conn.execute(
                    &sql::delete_link(&join, mine, theirs),
                    [owner.raw(), target.raw()],
                )?;
                self.conn.note_written(&join);
            }
        }
        Ok(())
    }

    /// Writes one attribute of the record `id` of `M`, leaving the others:
    /// `ctx.set(book_id, Book::fields().author, Some(Ref::from(&alice)))` sets a
    /// to-one, `None` clears it.
    ///
    /// Fails with [`Error::NotFound`] when there is no such record.
    pub fn set<M: BelongsTo<S>, T: ColumnValue>(
        &mut self,
        id: PersistentId,
        field: Field<M, T>,
        value: T,
    ) -> Result<()> {
        let entity = M::entity();
        self.writable(entity)?;
        let conn = self.lock()?;
        let mut statement = conn.prepare_cached(&sql::set_column(entity.name(), field.name()))?;
        macro_support::bind_column(&mut statement, 1, &value, entity.name(), field.name())?;
        statement.raw_bind_parameter(2, id.raw())?;
        let changed = statement
            .raw_execute()
            .map_err(|e| store::write_error(entity, e))?;
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
/// (table, this side's column, the related side's column).
fn join_columns(
    entity: &EntityDescriptor,
    relationship: &RelationshipDescriptor,
) -> Result<(String, &'static str, &'static str)> {
    let (join, owns) = relationship.join_table(entity.name());
    Ok(if owns {
        (join, sql::JOIN_SOURCE, sql::JOIN_TARGET)
    } else {
        (join, sql::JOIN_TARGET, sql::JOIN_SOURCE)
    })
}
