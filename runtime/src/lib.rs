//! Runtime of [staged](https://docs.rs/staged): schema descriptors, migration
//! plans, the SQLite store and typed model contexts.
//!
//! Apps depend on the `staged` facade crate, which re-exports this crate and
//! the macros; see its documentation for the guide.

pub mod codegen;
mod container;
mod context;
mod dry_run;
pub mod error;
mod group;
pub mod inference;
mod migrate;
mod model;
mod observer;
mod plan;
mod planner;
mod query;
mod related;
mod relationship;
pub mod schema;
mod sql;
mod stage;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

pub use container::{ModelContainer, ModelContainerBuilder};
pub use context::{ConnectionGuard, ModelContext};
pub use dry_run::{DryRunAction, DryRunProblem, DryRunReport, DryRunStep, StepOutcome};
pub use error::{BoxError, ConstraintKind, Error, MigrationError, PlanError, Result, StoreError};
pub use group::{StoreGroup, StoreGroupBuilder, StoreKey};
pub use model::{BelongsTo, Model, PersistentId, Record};
pub use observer::{MigrationObserver, PROGRESS_INTERVAL};
pub use plan::{NoSchema, PlanSchema, PlanTail, SchemaMigrationPlan, SchemaMigrationPlanBuilder};
pub use planner::{MigrationPath, MigrationStep};
pub use query::{FetchDescriptor, Field, Predicate, SortDescriptor};
pub use relationship::{Ref, ToMany};
pub use schema::{
    AttributeDescriptor, AttributeType, Checksum, DefaultValue, DeleteRule, EntityDescriptor, Reference,
    RelationshipDescriptor, SchemaDescriptor, ToManyKind, Version, VersionedSchema,
};
pub use stage::{CustomStage, MigrationStage};

/// Re-exported for generated code and for [`ModelContext::connection`] users.
pub use rusqlite;
