//! Errors: one enum per layer, wrapped by [`Error`].

mod adoption;
mod migration;
mod plan;
mod store;
mod verify;

pub use adoption::AdoptionMismatch;
pub use migration::{ConstraintKind, MigrationError};
pub use plan::{PlanError, UndeclaredRemoval};
pub use store::StoreError;
pub use verify::{DanglingReference, Drift};

/// The result type of every fallible staged operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A boxed user error, as carried by [`Error::Hook`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Any error staged reports.
///
/// Its `Debug` output is its message (`{:#?}` adds the variant's fields), so
/// `fn main() -> staged::Result<()>` prints the sentence that says what went
/// wrong and what to do. In hooks and transforms, `?` converts common error
/// types into [`Error::Hook`] (I/O, JSON, number and UTF-8 parsing, `&str`
/// and `String` messages); [`Error::hook`] wraps any other.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The migration plan is invalid; returned by `build()`. Boxed to keep
    /// `Result`s small; see [`Error::as_plan`].
    #[error(transparent)]
    Plan(Box<PlanError>),

    /// A store could not be brought to the plan's latest version. Boxed to
    /// keep `Result`s small; see [`Error::as_migration`].
    #[error(transparent)]
    Migration(Box<MigrationError>),

    /// A file could not be opened as a store.
    #[error(transparent)]
    Store(#[from] StoreError),

    /// An insert or update would give two records the same value of a unique attribute.
    #[error(
        "unique constraint failed: another `{entity}` record already has this `{attribute}`; \
         use a different value, or fetch and update the existing record"
    )]
    UniqueViolation {
        /// The entity.
        entity: String,
        /// The unique attribute (the attributes of a compound unique
        /// constraint, joined by `, `).
        attribute: String,
    },

    /// A required attribute would be NULL.
    #[error(
        "`{entity}.{attribute}` is required but the value is NULL; set a value or make the attribute optional"
    )]
    NotNullViolation {
        /// The entity.
        entity: String,
        /// The required attribute.
        attribute: String,
    },

    /// No record of the entity has this id.
    #[error("no `{entity}` record has id {id}; it was deleted or never inserted")]
    NotFound {
        /// The entity.
        entity: String,
        /// The id looked up.
        id: i64,
    },

    /// A stored value could not be read into the model's field.
    #[error("cannot read `{entity}.{attribute}` of record {id}: {source}")]
    Decode {
        /// The entity.
        entity: String,
        /// The attribute.
        attribute: String,
        /// The record's id.
        id: i64,
        /// Why the value did not fit.
        #[source]
        source: BoxError,
    },

    /// A field could not be written (e.g. a `json` attribute failed to serialize).
    #[error("cannot write `{entity}.{attribute}`: {source}")]
    Encode {
        /// The entity.
        entity: String,
        /// The attribute.
        attribute: String,
        /// Why the value could not be written.
        #[source]
        source: BoxError,
    },

    /// A delete refused by a `deny` delete rule: another record still refers
    /// to the one being deleted (directly, or to a record a `cascade` would delete).
    #[error(
        "cannot delete `{entity}` record {id}: `{related}` record {related_id} refers to it through \
         `{related}.{relationship}`, whose delete rule is `deny`; delete the `{related}` record or point \
         its `{relationship}` elsewhere first"
    )]
    DeleteDenied {
        /// The entity of the record that cannot be deleted.
        entity: String,
        /// Its id.
        id: i64,
        /// The entity of the referring record.
        related: String,
        /// The referring to-one relationship.
        relationship: String,
        /// The referring record's id.
        related_id: i64,
    },

    /// A write gives a relationship a record that does not exist.
    #[error(
        "a relationship of `{entity}` refers to a record that does not exist; insert the related record \
         first, or use an id from a fetched record"
    )]
    ReferenceNotFound {
        /// The entity whose record was written.
        entity: String,
    },

    /// A to-many handle that belongs to no stored record was used.
    #[error(
        "this `{relationship}` belongs to a model built in code, not read from the store, so it has no records \
         to load or change; fetch the record first and use its field"
    )]
    NotStored {
        /// The handle's type, e.g. `ToMany<Book>`.
        relationship: String,
    },

    /// A write through the old models of a custom stage's `migrate` hook to
    /// a transformed entity: there they are the old rows, which are read-only
    /// (a write would land in the new table of the same name).
    #[error(
        "cannot write `{entity}` through the old models of a `migrate` hook: its old rows are read-only \
         there; write the new records through the hook's new context"
    )]
    ReadOnlyOldRows {
        /// The entity (its name in the old schema).
        entity: String,
    },

    /// A context was used while another context on the same thread is
    /// inside a transaction: the other context holds the store's writer
    /// until its transaction ends, so waiting for it would never end.
    #[error(
        "another context on this thread is inside a transaction and holds the store's writer; \
         use that context (the one passed to the transaction's closure) until the transaction ends"
    )]
    WriterHeldOnThisThread,

    /// A record cannot be removed from a one-to-many whose inverse to-one is required.
    #[error(
        "cannot remove a `{related}` from `{entity}.{relationship}`: `{related}.{inverse}` is required; \
         delete the record, or add it to another `{entity}` instead"
    )]
    RequiredInverse {
        /// The owner entity.
        entity: String,
        /// The to-many relationship.
        relationship: String,
        /// The related entity.
        related: String,
        /// Its required to-one.
        inverse: String,
    },

    /// A user error returned from a hook or transform (see [`Error::hook`]).
    #[error("{0}")]
    Hook(#[source] BoxError),

    /// An error from SQLite that staged has no more specific variant for.
    #[error("SQLite error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl Error {
    /// Wraps any user error (a `&str`, a `String`, or an error type) for
    /// returning from a hook or transform.
    pub fn hook(error: impl Into<BoxError>) -> Self {
        Error::Hook(error.into())
    }

    /// The plan error, if this is one.
    pub fn as_plan(&self) -> Option<&PlanError> {
        match self {
            Error::Plan(error) => Some(error),
            _ => None,
        }
    }

    /// The migration error, if this is one.
    pub fn as_migration(&self) -> Option<&MigrationError> {
        match self {
            Error::Migration(error) => Some(error),
            _ => None,
        }
    }
}

impl From<PlanError> for Error {
    fn from(error: PlanError) -> Self {
        Error::Plan(Box::new(error))
    }
}

impl From<MigrationError> for Error {
    fn from(error: MigrationError) -> Self {
        Error::Migration(Box::new(error))
    }
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")?;
        if f.alternate() {
            // The fields, for a developer digging in: the boxed layer errors
            // and the user's own error print their structure.
            match self {
                Error::Plan(error) => write!(f, "\n{error:#?}")?,
                Error::Migration(error) => write!(f, "\n{error:#?}")?,
                Error::Store(error) => write!(f, "\n{error:#?}")?,
                Error::Hook(error) => write!(f, "\n{error:#?}")?,
                Error::Sqlite(error) => write!(f, "\n{error:#?}")?,
                _ => {}
            }
        }
        Ok(())
    }
}

/// `?` in hooks and transforms: user error types become [`Error::Hook`].
macro_rules! hook_errors {
    ($($ty:ty),* $(,)?) => {$(
        impl From<$ty> for Error {
            fn from(error: $ty) -> Self {
                Error::hook(error)
            }
        }
    )*};
}

hook_errors!(
    std::io::Error,
    serde_json::Error,
    std::num::ParseIntError,
    std::num::ParseFloatError,
    std::str::Utf8Error,
    std::string::FromUtf8Error,
    std::fmt::Error,
    String,
    BoxError,
);

impl From<&str> for Error {
    fn from(message: &str) -> Self {
        Error::hook(message)
    }
}
