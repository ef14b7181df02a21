//! Models: the traits `#[model]` implements, persistent ids and records.

use std::fmt;
use std::ops::{Deref, DerefMut};

use rusqlite::{Row, Statement};

use crate::error::Result;
use crate::schema::{EntityDescriptor, VersionedSchema};

/// A `#[model]` struct: one entity of one schema version.
///
/// Implemented by `#[versioned_schema]` for every `#[model]` struct in its
/// module; not meant to be implemented by hand.
pub trait Model: Sized + 'static {
    /// The schema the model belongs to.
    type Schema: VersionedSchema;

    /// The model's entity: its name and stored attributes.
    fn entity() -> &'static EntityDescriptor;

    /// Binds the stored attributes, in descriptor order, to parameters
    /// `?1..=?n` of `statement`.
    #[doc(hidden)]
    fn __bind(&self, statement: &mut Statement<'_>) -> Result<()>;

    /// Reads a model from `row`, whose column `first` holds the first stored
    /// attribute; `id` names the record in errors.
    #[doc(hidden)]
    fn __read(row: &Row<'_>, first: usize, id: i64) -> Result<Self>;
}

/// Proof that a model belongs to schema `S`; [`ModelContext<S>`](crate::ModelContext)
/// only accepts such models.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a model of schema `{S}`",
    label = "this model belongs to another schema version",
    note = "a `ModelContext<S>` only accepts the `#[model]` structs declared in the `#[versioned_schema]` module of `S`; use the model type of that module"
)]
pub trait BelongsTo<S: VersionedSchema>: Model<Schema = S> {}

/// The stable identity of a stored record; preserved across migrations.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PersistentId(i64);

impl PersistentId {
    /// An id from its raw value (the `_id` column).
    pub const fn from_raw(raw: i64) -> Self {
        PersistentId(raw)
    }

    /// The raw value stored in the `_id` column.
    pub const fn raw(self) -> i64 {
        self.0
    }
}

impl fmt::Display for PersistentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for PersistentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersistentId({})", self.0)
    }
}

/// A fetched model with its [`PersistentId`]; derefs to the model.
#[derive(Clone, PartialEq)]
pub struct Record<M> {
    id: PersistentId,
    model: M,
}

impl<M> Record<M> {
    /// A record of `model` stored under `id`.
    pub fn new(id: PersistentId, model: M) -> Self {
        Record { id, model }
    }

    /// The record's id.
    pub fn id(&self) -> PersistentId {
        self.id
    }

    /// The model, without its id.
    pub fn into_inner(self) -> M {
        self.model
    }

    /// The id and the model.
    pub fn into_parts(self) -> (PersistentId, M) {
        (self.id, self.model)
    }
}

impl<M> Deref for Record<M> {
    type Target = M;

    fn deref(&self) -> &M {
        &self.model
    }
}

impl<M> DerefMut for Record<M> {
    fn deref_mut(&mut self) -> &mut M {
        &mut self.model
    }
}

impl<M: fmt::Debug> fmt::Debug for Record<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("id", &self.id.0)
            .field("model", &self.model)
            .finish()
    }
}
