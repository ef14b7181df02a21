//! Relationships between models: typed references ([`Ref`]), to-many
//! collections loaded on demand ([`ToMany`]); their delete rules are
//! [`DeleteRule`](crate::DeleteRule)s.
//!
//! A to-one is a field of type `Ref<Target>` (required) or
//! `Option<Ref<Target>>` (optional), stored as an `INTEGER` column holding
//! the target's [`PersistentId`] with a foreign key. A to-many is a field of
//! type `ToMany<Target>` marked `#[relationship(inverse = "…")]`: the other
//! side of a to-one of `Target` (not stored), or of another `ToMany` (a
//! many-to-many, stored in a join table the library owns).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

use rusqlite::types::{FromSql, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};

use crate::model::{PersistentId, Record};
use crate::schema::EntityDescriptor;

/// A reference to a record of model `T`: the value of a to-one relationship.
///
/// Build one from a [`PersistentId`] or a [`Record<T>`](Record) (`Ref::from(&record)`).
/// It is only an id: read the record with
/// [`ModelContext::follow`](crate::ModelContext::follow).
pub struct Ref<T> {
    id: PersistentId,
    _target: PhantomData<fn() -> T>,
}

impl<T> Ref<T> {
    /// A reference to the record of `T` with this id.
    pub const fn new(id: PersistentId) -> Self {
        Ref {
            id,
            _target: PhantomData,
        }
    }

    /// The id of the referenced record.
    pub const fn id(self) -> PersistentId {
        self.id
    }

    /// The same reference typed by the model `U` of another schema version:
    /// ids survive migrations, so a transform copies references with
    /// `old.author.cast()`.
    pub const fn cast<U>(self) -> Ref<U> {
        Ref::new(self.id)
    }
}

impl<T> From<PersistentId> for Ref<T> {
    fn from(id: PersistentId) -> Self {
        Ref::new(id)
    }
}

impl<T> From<&Record<T>> for Ref<T> {
    fn from(record: &Record<T>) -> Self {
        Ref::new(record.id())
    }
}

impl<T> Clone for Ref<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Ref<T> {}

impl<T> PartialEq for Ref<T> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl<T> Eq for Ref<T> {}

impl<T> Hash for Ref<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl<T> fmt::Debug for Ref<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ref({})", self.id.raw())
    }
}

impl<T> ToSql for Ref<T> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.id.raw()))
    }
}

/// Serialized as the referenced record's raw id.
impl<T> Serialize for Ref<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.id.raw())
    }
}

impl<'de, T> Deserialize<'de> for Ref<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        i64::deserialize(deserializer).map(|raw| Ref::new(PersistentId::from_raw(raw)))
    }
}

impl<T> FromSql for Ref<T> {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        i64::column_result(value).map(|raw| Ref::new(PersistentId::from_raw(raw)))
    }
}

/// The records of `T` related to one record: a to-many relationship, loaded
/// on demand with [`ModelContext::related`](crate::ModelContext::related).
///
/// Not stored in the owner's table: a model built in code holds an empty
/// handle (`ToMany::new()` or `Default::default()`); a fetched record's
/// handle knows its owner, so the context can load, add and remove.
pub struct ToMany<T> {
    owner: Option<(PersistentId, &'static EntityDescriptor, &'static str)>,
    _target: PhantomData<fn() -> T>,
}

impl<T> ToMany<T> {
    /// A handle not yet tied to a stored record.
    pub const fn new() -> Self {
        ToMany {
            owner: None,
            _target: PhantomData,
        }
    }

    /// The handle of relationship `name` of the stored record `id` of
    /// `entity`; generated code calls this when reading a record.
    #[doc(hidden)]
    pub const fn __loaded(id: i64, entity: &'static EntityDescriptor, name: &'static str) -> Self {
        ToMany {
            owner: Some((PersistentId::from_raw(id), entity, name)),
            _target: PhantomData,
        }
    }

    /// The id of the record this handle belongs to, once read from the store.
    pub fn owner(&self) -> Option<PersistentId> {
        self.owner.map(|(id, ..)| id)
    }

    /// The owner's id, entity and relationship name.
    pub(crate) fn parts(&self) -> Option<(PersistentId, &'static EntityDescriptor, &'static str)> {
        self.owner
    }
}

impl<T> Default for ToMany<T> {
    fn default() -> Self {
        ToMany::new()
    }
}

impl<T> Clone for ToMany<T> {
    fn clone(&self) -> Self {
        ToMany {
            owner: self.owner,
            _target: PhantomData,
        }
    }
}

impl<T> PartialEq for ToMany<T> {
    fn eq(&self, other: &Self) -> bool {
        self.owner() == other.owner()
            && self.owner.map(|(_, _, name)| name) == other.owner.map(|(_, _, name)| name)
    }
}

impl<T> Eq for ToMany<T> {}

impl<T> Hash for ToMany<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.owner().hash(state);
        self.owner.map(|(_, _, name)| name).hash(state);
    }
}

impl<T> fmt::Debug for ToMany<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.owner {
            Some((id, entity, name)) => {
                write!(f, "ToMany({}.{name} of {})", entity.name(), id.raw())
            }
            None => f.write_str("ToMany(not stored)"),
        }
    }
}
