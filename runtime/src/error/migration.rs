//! [`MigrationError`]: a store that cannot be brought to the plan's latest version.

use std::path::PathBuf;

use super::{DanglingReference, Drift, Error};
use crate::schema::{Checksum, Version};

/// A store that cannot be brought to the plan's latest version. The store is left as it was.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrationError {
    /// The store's version is a version of the plan, with another checksum.
    #[error(
        "store `{}` is at version {version} with schema checksum {checksum}, but the plan's schema \
         {version} has another checksum; a shipped schema was probably edited: restore schema {version} \
         exactly as it shipped and put the change in a new version",
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

    /// The store's version is not a version of the plan (no older than its
    /// latest): the schema of that version was left out of the plan.
    #[error(
        "store `{}` is at version {version}, which is not in the plan; add the schema of version \
         {version} to the plan (`.schema::<…>()`, in version order) so stores at it can migrate",
        path.display()
    )]
    VersionNotInPlan {
        /// The store file (`:memory:` for in-memory stores).
        path: PathBuf,
        /// The version recorded in the store.
        version: Version,
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

    /// The store is older than the oldest version the plan still opens
    /// (see [`oldest_supported`](crate::SchemaMigrationPlanBuilder::oldest_supported)).
    #[error(
        "store `{}` is at version {store_version}, older than {oldest_supported}, the oldest version \
         this app still opens (older versions were retired from its migration plan); nothing was \
         changed: open it once with an app release that still migrates {store_version}, or, if the \
         store only holds data the app can rebuild, opt in to `recreate_when(Recreate::StoreTooOld)`",
        path.display()
    )]
    StoreTooOld {
        /// The store file.
        path: PathBuf,
        /// The version recorded in the store.
        store_version: Version,
        /// The oldest version the plan opens.
        oldest_supported: Version,
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
    #[error(
        "cannot migrate `{}`: {hook} of stage {from} -> {to} failed{}: {source}",
        path.display(),
        record.map(|id| format!(" on the record with id {id}")).unwrap_or_default()
    )]
    HookFailed {
        /// The store file.
        path: PathBuf,
        /// The stage's source version.
        from: Version,
        /// The stage's target version.
        to: Version,
        /// Which hook: e.g. "`will_migrate` hook #1" or "transform of `Reminder`".
        hook: String,
        /// For a transform, the id of the old record it failed on (an
        /// error it returned, a panic, or a new row that could not be
        /// written), as [`PersistentId::raw`](crate::PersistentId::raw).
        record: Option<i64>,
        /// The hook's error (a panic is an [`Error::Hook`] with its message).
        #[source]
        source: Box<Error>,
    },

    /// A constraint of the target schema fails on the store's data.
    #[error(
        "cannot migrate `{}` from {from} to {to}: {}; fix the data first (e.g. in a `will_migrate` hook of a custom \
         stage) or relax the schema",
        path.display(),
        describe_violation(entity, attribute, *kind, *row, value.as_deref(), records)
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
        /// The offending value (for a unique constraint or a removed enum
        /// variant), as SQL text; for a compound one, the values in
        /// parentheses: `(1, 'same')`.
        value: Option<String>,
        /// For a compound unique constraint: the ids of every record that
        /// shares `value`; for a removed enum variant, of every record
        /// holding it (empty for other constraints).
        records: Vec<i64>,
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
        join(references, "; "),
        if *more { " (and more)" } else { "" }
    )]
    DanglingReferences {
        /// The store file.
        path: PathBuf,
        /// The version the migration was going to.
        version: Version,
        /// The first dangling references (each displays as one sentence).
        references: Vec<DanglingReference>,
        /// Whether there are more than those listed.
        more: bool,
    },

    /// After the last step the store's tables differ from the latest schema.
    #[error(
        "store `{}` does not match schema {version} after migrating:\n  {}\nthe store was left unchanged; \
         please report this with the two schema versions",
        path.display(),
        join(differences, "\n  ")
    )]
    SchemaDrift {
        /// The store file.
        path: PathBuf,
        /// The schema the store was compared with.
        version: Version,
        /// The differences (each displays as one line).
        differences: Vec<Drift>,
    },
}

/// Which constraint of a [`MigrationError::ConstraintViolation`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    /// Two records share a value of a unique attribute.
    Unique,
    /// A required attribute has NULL.
    NotNull,
    /// Two records share the values of a compound unique constraint
    /// (`#[model(unique(…))]`); the violation's `attribute` lists its
    /// attributes, joined by `, `.
    UniqueTogether,
    /// Records hold a variant that the enum of a `StoredEnum` attribute no
    /// longer has (removed or renamed); the violation's `value` is that
    /// variant's stored name as SQL text and `records` the records holding it.
    RemovedVariant,
}

/// The items of `list`, displayed, between `separator`s.
fn join<T: std::fmt::Display>(list: &[T], separator: &str) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(separator)
}

fn describe_violation(
    entity: &str,
    attribute: &str,
    kind: ConstraintKind,
    row: Option<i64>,
    value: Option<&str>,
    records: &[i64],
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
        ConstraintKind::RemovedVariant => {
            let ids: Vec<String> = records.iter().map(i64::to_string).collect();
            format!(
                "`{entity}.{attribute}` no longer has the variant {} but records {} hold it; map the old \
                 variant to a new one in a custom stage's `transform` for `{entity}` (a rename), or change \
                 those records in a `will_migrate` hook",
                value.unwrap_or("?"),
                if ids.is_empty() {
                    "?".to_owned()
                } else {
                    ids.join(", ")
                }
            )
        }
        ConstraintKind::UniqueTogether => {
            let members: Vec<String> = attribute.split(", ").map(|a| format!("`{a}`")).collect();
            let ids: Vec<String> = records.iter().map(i64::to_string).collect();
            format!(
                "`{entity}` becomes unique on ({}) but several records have the values {}{}",
                members.join(", "),
                value.unwrap_or("?"),
                if ids.is_empty() {
                    row
                } else {
                    format!(" (records {})", ids.join(", "))
                }
            )
        }
    }
}
