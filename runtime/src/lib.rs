//! Runtime of [staged](https://docs.rs/staged): schema descriptors, migration
//! plans, the SQLite store and typed model contexts.
//!
//! Apps depend on the `staged` facade crate, which re-exports this crate and
//! the macros; see its documentation for the guide.

mod change;
mod container;
mod context;
mod delete_rules;
mod dry_run;
mod error;
mod group;
mod inference;
#[doc(hidden)]
pub mod macro_support;
mod migrate;
mod model;
mod observer;
mod plan;
mod planner;
mod query;
mod relationship;
mod removal;
pub mod schema;
mod sql;
mod stage;
mod step;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
mod value;

pub use change::{Change, ChangeClass};
pub use container::{ModelContainer, ModelContainerBuilder, OpenOutcome, Recreate};
pub use context::{ConnectionGuard, ModelContext, Observation, OldRecords};
pub use dry_run::{DryRunAction, DryRunProblem, DryRunReport, DryRunStep, StepOutcome};
pub use error::{
    AdoptionMismatch, BoxError, ConstraintKind, DanglingReference, Drift, Error, MigrationError,
    PlanError, Result, StoreError, UndeclaredRemoval,
};
pub use group::{StoreGroup, StoreGroupBuilder, StoreKey};
pub use inference::{StepInference, infer_step};
pub use model::{BelongsTo, Model, PersistentId, Record};
pub use observer::{MigrationObserver, PROGRESS_INTERVAL};
pub use plan::{NoSchema, PlanSchema, PlanTail, SchemaMigrationPlan, SchemaMigrationPlanBuilder};
pub use planner::{MigrationPath, MigrationStep};
pub use query::{ColumnValue, FetchDescriptor, Field, Predicate, SortDescriptor};
pub use relationship::{Ref, ToMany};
pub use schema::{
    AttributeDescriptor, AttributeType, Checksum, Constraint, DefaultValue, DeleteRule,
    EntityDescriptor, Reference, RelationshipDescriptor, SchemaDescriptor, ToManyKind, UserType,
    Version, VersionedSchema,
};
pub use stage::{CustomStage, MigrationStage};
pub use step::StepKind;
pub use store::JournalMode;
#[cfg(feature = "sqlcipher")]
pub use store::{EncryptionKey, encrypt_store};
pub use store::{
    EntitySummary, HistoryEntry, JoinTableSummary, StoreSummary, adoption_mismatches,
    inspect as inspect_store,
};
pub use value::{StoredEnum, StoredScalar, StoredValue, UnknownVariant};

/// Re-exported for generated code and for [`ModelContext::connection`] users.
pub use rusqlite;

/// Library internals for this workspace's own tests and benchmarks: the
/// inference steps, the SQL builders and the drift checks. Not public API:
/// no semver promise, hidden from the docs, behind the `internals` feature.
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod __internals {
    /// Schema mappings, classified changes and their SQL.
    pub mod inference {
        pub use crate::inference::*;
    }
    /// The SQL staged generates and the names it reserves.
    pub mod sql {
        pub use crate::sql::*;
    }
    /// The drift and reference checks run after a migration.
    pub mod verify {
        pub use crate::store::verify::*;
    }
}
