//! Errors: one enum per layer, wrapped by [`Error`].

use std::path::PathBuf;
use std::time::Duration;

use crate::schema::{Checksum, Version};

/// The result type of every fallible staged operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A boxed user error, as carried by [`Error::Hook`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Any error staged reports.
#[derive(Debug, thiserror::Error)]
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
        /// The unique attribute.
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

/// A file that cannot be opened as a store. The file is never modified.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file is not a SQLite database.
    #[error(
        "`{}` is not a SQLite database (its header is not `SQLite format 3`); \
         pass the path of a store staged created, or a path that does not exist yet to create one",
        path.display()
    )]
    NotADatabase {
        /// The file.
        path: PathBuf,
    },

    /// The file is a SQLite database that staged did not create.
    #[error(
        "`{}` is a SQLite database that staged did not create (application_id {application_id:#010x}, \
         expected {expected:#010x}); staged only opens its own stores: choose another path, \
         or copy the data into a new store yourself",
        path.display(),
        expected = crate::store::APPLICATION_ID
    )]
    ForeignDatabase {
        /// The file.
        path: PathBuf,
        /// The `PRAGMA application_id` found in the file.
        application_id: u32,
    },

    /// The file carries staged's application id but not its metadata.
    #[error(
        "`{}` is marked as a staged store but has no readable metadata table `_staged_metadata`; \
         the file is damaged: restore it from a backup",
        path.display()
    )]
    MissingMetadata {
        /// The file.
        path: PathBuf,
    },

    /// The file could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// SQLite could not open the file.
    #[error("cannot open `{}` with SQLite: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },

    /// Another connection (usually another process migrating the store) held
    /// the store's lock for longer than the busy timeout.
    #[error(
        "store `{}` is locked by another connection (another process may be migrating it) and stayed \
         locked for the busy timeout of {} ms; nothing was changed: open it again later, or raise \
         `ModelContainerBuilder::busy_timeout`",
        path.display(),
        timeout.as_millis()
    )]
    Busy {
        /// The store file.
        path: PathBuf,
        /// How long the connection waited.
        timeout: Duration,
    },

    /// SQLite found the file damaged: a corrupt header or page, or a file
    /// shorter than its header says.
    #[error(
        "store `{}` is damaged ({detail}); staged does not repair stores and changed nothing: \
         restore the file from a backup, or delete it to start with an empty store",
        path.display()
    )]
    Corrupt {
        /// The store file.
        path: PathBuf,
        /// What SQLite reported (the first lines of `PRAGMA quick_check`, or its error).
        detail: String,
    },

    /// The file, or the directory SQLite keeps its journal in, cannot be written.
    #[error(
        "store `{}` cannot be written: the file or its directory is read-only (SQLite writes a journal \
         file next to the store); nothing was changed: make both writable by the app, or copy the store \
         to a writable directory",
        path.display()
    )]
    ReadOnly {
        /// The store file.
        path: PathBuf,
    },

    /// The disk (or the database's page limit) ran out of space.
    #[error(
        "store `{}` ran out of space (the disk is full or the database reached its page limit); the \
         migration was rolled back and nothing was changed: free space (a migration may need as much again \
         as the store's size) and open it again",
        path.display()
    )]
    DiskFull {
        /// The store file.
        path: PathBuf,
    },
}

/// A migration plan that `build()` rejects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// Two schemas of the plan have the same version.
    #[error("version {version} is added to the plan twice; give every schema its own version")]
    DuplicateVersion {
        /// The repeated version.
        version: Version,
    },

    /// Two schemas of the plan have the same shape.
    #[error(
        "schemas {first} and {second} have the same checksum (identical entities and attributes); \
         a new version must change the schema, otherwise keep the old version"
    )]
    DuplicateChecksum {
        /// The older version.
        first: Version,
        /// The newer version.
        second: Version,
    },

    /// A stage names a schema that was not added to the plan.
    #[error(
        "the stage {from} -> {to} names schema {missing}, which is not in the plan; add it with `.schema::<…>()`"
    )]
    StageSchemaNotInPlan {
        /// The stage's source version.
        from: Version,
        /// The stage's target version.
        to: Version,
        /// The version not in the plan.
        missing: Version,
    },

    /// Two stages join the same pair of versions.
    #[error("two stages migrate from {from} to {to}; keep one (put all its hooks in it)")]
    DuplicateStage {
        /// The source version.
        from: Version,
        /// The target version.
        to: Version,
    },

    /// A lightweight stage jumps over versions.
    #[error(
        "the lightweight stage {from} -> {to} skips versions; lightweight stages join consecutive versions \
         (staged composes runs of them by itself), use a custom stage to jump"
    )]
    LightweightNotConsecutive {
        /// The source version.
        from: Version,
        /// The target version.
        to: Version,
    },

    /// Two transforms of one custom stage read or write the same entity.
    #[error(
        "the custom stage {from} -> {to} has two transforms for entity `{entity}`; merge them into one"
    )]
    DuplicateTransform {
        /// The stage's source version.
        from: Version,
        /// The stage's target version.
        to: Version,
        /// The entity.
        entity: String,
    },

    /// An `original_name` names nothing in the previous version.
    #[error(
        "schema {to}: `{}` has `original_name = \"{original_name}\"`, but schema {from} has no {} named \
         `{original_name}`; `original_name` is the name in the immediately preceding version",
        match attribute { Some(a) => format!("{entity}.{a}"), None => entity.clone() },
        if attribute.is_some() { "attribute" } else { "entity" }
    )]
    UnknownOriginalName {
        /// The previous version.
        from: Version,
        /// The version declaring the `original_name`.
        to: Version,
        /// The entity (new name).
        entity: String,
        /// The attribute (new name), when the rename is an attribute's.
        attribute: Option<String>,
        /// The name that was not found.
        original_name: String,
    },

    /// Two entities or attributes of one version claim the same predecessor.
    #[error(
        "schema {to}: `{first}` and `{second}` both take their data from `{original_name}` of schema {from}; \
         only one can (add `original_name` to one of them only, or rename the other)"
    )]
    AmbiguousOriginal {
        /// The previous version.
        from: Version,
        /// The later version.
        to: Version,
        /// The contested name in `from`.
        original_name: String,
        /// The first claimant.
        first: String,
        /// The second claimant.
        second: String,
    },

    /// A change between two versions that no SQL alone can apply.
    #[error("cannot infer the migration from {from} to {to}: {change} ({class}); {fix}")]
    NotInferable {
        /// The older version.
        from: Version,
        /// The newer version.
        to: Version,
        /// The entity.
        entity: String,
        /// The attribute, if the change is about one.
        attribute: Option<String>,
        /// The change, as text.
        change: String,
        /// `needs-default` or `needs-custom`.
        class: &'static str,
        /// What to do about it.
        fix: String,
    },
}

/// A store that cannot be brought to the plan's latest version. The store is left as it was.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrationError {
    /// The store's checksum matches no schema of the plan.
    #[error(
        "store `{}` is at version {version} with schema checksum {checksum}, which matches no schema \
         of the plan; a shipped schema was probably edited: restore schema {version} exactly as it \
         shipped and put the change in a new version",
        path.display()
    )]
    UnknownChecksum {
        /// The store file (`:memory:` for in-memory stores).
        path: PathBuf,
        /// The version recorded in the store.
        version: Version,
        /// The checksum recorded in the store.
        checksum: Checksum,
    },

    /// The store was written by a newer version of the app.
    #[error(
        "store `{}` is at version {store_version}, newer than this app's latest schema {latest}; \
         it was written by a newer app: update the app (staged never downgrades a store)",
        path.display()
    )]
    StoreNewer {
        /// The store file.
        path: PathBuf,
        /// The version recorded in the store.
        store_version: Version,
        /// The plan's latest version.
        latest: Version,
    },

    /// No stages lead from the store's version to the plan's latest.
    #[error(
        "no migration from {from} to {to}{}: {reason}; add the missing schema or stage to the plan",
        if path.as_os_str().is_empty() { String::new() } else { format!(" for store `{}`", path.display()) }
    )]
    NoPath {
        /// The store file (empty when asked through `migration_path`).
        path: PathBuf,
        /// The store's version.
        from: Version,
        /// The plan's latest version.
        to: Version,
        /// Why there is no path.
        reason: String,
    },

    /// A hook or transform of a custom stage failed (returned an error or panicked).
    #[error("cannot migrate `{}`: {hook} of stage {from} -> {to} failed: {source}", path.display())]
    HookFailed {
        /// The store file.
        path: PathBuf,
        /// The stage's source version.
        from: Version,
        /// The stage's target version.
        to: Version,
        /// Which hook: e.g. "`will_migrate` hook #1" or "transform of `Reminder`".
        hook: String,
        /// The hook's error (a panic is an [`Error::Hook`] with its message).
        #[source]
        source: Box<Error>,
    },

    /// A constraint of the target schema fails on the store's data.
    #[error(
        "cannot migrate `{}` from {from} to {to}: {}; fix the data first (e.g. in a `will_migrate` hook of a custom \
         stage) or relax the schema",
        path.display(),
        describe_violation(entity, attribute, *kind, *row, value.as_deref())
    )]
    ConstraintViolation {
        /// The store file.
        path: PathBuf,
        /// The step's source version.
        from: Version,
        /// The step's target version.
        to: Version,
        /// The entity.
        entity: String,
        /// The attribute.
        attribute: String,
        /// Which constraint.
        kind: ConstraintKind,
        /// One offending record, when it could be found.
        row: Option<i64>,
        /// The offending value (for a unique constraint), as SQL text.
        value: Option<String>,
    },

    /// A step failed for a reason other than the data.
    #[error("cannot migrate `{}` from {from} to {to}: {source}", path.display())]
    StepFailed {
        /// The store file.
        path: PathBuf,
        /// The step's source version.
        from: Version,
        /// The step's target version.
        to: Version,
        /// What failed.
        #[source]
        source: Box<Error>,
    },

    /// A store of a [`StoreGroup`](crate::StoreGroup) migrated fine but was
    /// rolled back because another store of the group failed.
    #[error(
        "store `{}` migrated fine but was rolled back because `{}`, a store of the same group, failed; \
         fix that store and open the group again",
        path.display(),
        failed_store.display()
    )]
    CoreqMigrationFailed {
        /// The store that was held back.
        path: PathBuf,
        /// The store whose failure held it back.
        failed_store: PathBuf,
    },

    /// Opening a [`StoreGroup`](crate::StoreGroup) failed: `errors` holds one
    /// error per store that did not open, in the order the stores were added
    /// (the failing stores' own errors, and
    /// [`CoreqMigrationFailed`](MigrationError::CoreqMigrationFailed) for those
    /// held back).
    #[error(
        "{}: `{}` failed: {}",
        if *recovering {
            format!(
                "cannot finish the interrupted migration of a store group (its journal `{}` is kept: the stores \
                 already migrated stay migrated, and the next open tries again)",
                journal.display()
            )
        } else {
            "cannot open a store group; no store of the group was changed".to_owned()
        },
        failed_store.display(),
        errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    GroupFailed {
        /// The first store that failed.
        failed_store: PathBuf,
        /// The group's journal file.
        journal: PathBuf,
        /// Whether the open was finishing a group commit that a crash interrupted.
        recovering: bool,
        /// One error per store that did not open.
        errors: Vec<Error>,
    },

    /// After the last step some references point at records that do not
    /// exist: a hook or transform set a reference to a record missing from
    /// the new store, or deleted a record others refer to (foreign keys are
    /// not enforced while a migration runs; they are checked at its end).
    #[error(
        "cannot migrate `{}` to {version}: after the last step, {}{}; the migration was rolled back and \
         the store is unchanged: make the stage's hooks and transforms keep every reference pointing at a \
         record of the new store (set it to an existing record, clear an optional one, or delete the record \
         that refers)",
        path.display(),
        references.join("; "),
        if *more { " (and more)" } else { "" }
    )]
    DanglingReferences {
        /// The store file.
        path: PathBuf,
        /// The version the migration was going to.
        version: Version,
        /// The first dangling references, one sentence each.
        references: Vec<String>,
        /// Whether there are more than those listed.
        more: bool,
    },

    /// After the last step the store's tables differ from the latest schema.
    #[error(
        "store `{}` does not match schema {version} after migrating:\n  {}\nthe store was left unchanged; \
         please report this with the two schema versions",
        path.display(),
        differences.join("\n  ")
    )]
    SchemaDrift {
        /// The store file.
        path: PathBuf,
        /// The schema the store was compared with.
        version: Version,
        /// One line per difference.
        differences: Vec<String>,
    },
}

/// Which constraint of a [`MigrationError::ConstraintViolation`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    /// Two records share a value of a unique attribute.
    Unique,
    /// A required attribute has NULL.
    NotNull,
}

fn describe_violation(
    entity: &str,
    attribute: &str,
    kind: ConstraintKind,
    row: Option<i64>,
    value: Option<&str>,
) -> String {
    let row = row
        .map(|r| format!(" (e.g. record {r})"))
        .unwrap_or_default();
    match kind {
        ConstraintKind::Unique => format!(
            "`{entity}.{attribute}` becomes unique but several records have the value {}{row}",
            value.unwrap_or("?")
        ),
        ConstraintKind::NotNull => {
            format!("`{entity}.{attribute}` becomes required but some records have NULL{row}")
        }
    }
}
