//! [`SchemaMigrationPlan`]: the ordered schema versions of an app and the
//! stages between them.

use std::marker::PhantomData;

use crate::error::{PlanError, Result};
use crate::schema::{Checksum, SchemaDescriptor, Version, VersionedSchema};

/// Every schema version an app has shipped, oldest first, and how to migrate
/// between them. `S` is the latest schema: the one the app reads and writes.
///
/// Built with [`SchemaMigrationPlan::builder`]:
///
/// ```ignore
/// let plan = SchemaMigrationPlan::builder()
///     .schema::<v1::Schema>()
///     .schema::<v2::Schema>()
///     .build()?; // SchemaMigrationPlan<v2::Schema>
/// ```
pub struct SchemaMigrationPlan<S> {
    schemas: Vec<PlanSchema>,
    _latest: PhantomData<fn() -> S>,
}

/// One schema version of a plan.
#[derive(Debug, Clone)]
pub struct PlanSchema {
    descriptor: &'static SchemaDescriptor,
    checksum: Checksum,
}

impl PlanSchema {
    fn of<S: VersionedSchema>() -> Self {
        PlanSchema {
            descriptor: S::descriptor(),
            checksum: S::checksum(),
        }
    }

    /// The schema's version.
    pub fn version(&self) -> Version {
        self.descriptor.version()
    }

    /// The schema's descriptor.
    pub fn descriptor(&self) -> &'static SchemaDescriptor {
        self.descriptor
    }

    /// The schema's checksum.
    pub fn checksum(&self) -> Checksum {
        self.checksum
    }
}

/// The type parameter of a [`SchemaMigrationPlanBuilder`] before its first schema.
#[derive(Debug, Clone, Copy)]
pub struct NoSchema;

/// The version a builder's next schema must be newer than (none before the first).
#[doc(hidden)]
pub trait PlanTail {
    /// The latest version so far.
    const LATEST: Option<Version>;
}

impl PlanTail for NoSchema {
    const LATEST: Option<Version> = None;
}

impl<S: VersionedSchema> PlanTail for S {
    const LATEST: Option<Version> = Some(S::VERSION);
}

impl SchemaMigrationPlan<NoSchema> {
    /// Starts a plan; add schemas oldest first with
    /// [`schema`](SchemaMigrationPlanBuilder::schema).
    pub fn builder() -> SchemaMigrationPlanBuilder<NoSchema> {
        SchemaMigrationPlanBuilder {
            schemas: Vec::new(),
            _latest: PhantomData,
        }
    }
}

impl<S: VersionedSchema> SchemaMigrationPlan<S> {
    /// The schemas, oldest first.
    pub fn schemas(&self) -> &[PlanSchema] {
        &self.schemas
    }

    /// The latest schema's version.
    pub fn latest_version(&self) -> Version {
        S::VERSION
    }

    /// The plan's schema with this version.
    pub fn schema(&self, version: Version) -> Option<&PlanSchema> {
        self.schemas.iter().find(|s| s.version() == version)
    }
}

impl<S> std::fmt::Debug for SchemaMigrationPlan<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let versions: Vec<String> = self
            .schemas
            .iter()
            .map(|s| s.version().to_string())
            .collect();
        f.debug_struct("SchemaMigrationPlan")
            .field("versions", &versions)
            .finish()
    }
}

/// Builds a [`SchemaMigrationPlan`]; `L` is the latest schema added so far.
pub struct SchemaMigrationPlanBuilder<L> {
    schemas: Vec<PlanSchema>,
    _latest: PhantomData<fn() -> L>,
}

impl<L: PlanTail> SchemaMigrationPlanBuilder<L> {
    /// Adds the next schema version. Schemas are added oldest first: a schema
    /// whose version is not newer than the previous one does not compile.
    pub fn schema<S: VersionedSchema>(self) -> SchemaMigrationPlanBuilder<S> {
        const {
            if let Some(previous) = L::LATEST {
                assert!(
                    S::VERSION.is_newer_than(previous),
                    "schemas must be added to a plan oldest first: this schema's VERSION is not newer than the previous schema's"
                );
            }
        }
        let mut schemas = self.schemas;
        schemas.push(PlanSchema::of::<S>());
        SchemaMigrationPlanBuilder {
            schemas,
            _latest: PhantomData,
        }
    }
}

impl<L: VersionedSchema> SchemaMigrationPlanBuilder<L> {
    /// Checks the plan and returns it.
    pub fn build(self) -> Result<SchemaMigrationPlan<L>> {
        for pair in self.schemas.windows(2) {
            if pair[0].version() >= pair[1].version() {
                return Err(PlanError::DuplicateVersion {
                    version: pair[1].version(),
                }
                .into());
            }
        }
        Ok(SchemaMigrationPlan {
            schemas: self.schemas,
            _latest: PhantomData,
        })
    }
}
