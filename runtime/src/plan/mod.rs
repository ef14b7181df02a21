//! [`SchemaMigrationPlan`]: the ordered schema versions of an app and the
//! stages between them.

use std::marker::PhantomData;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::change::Change;
use crate::error::{MigrationError, PlanError, Result};
use crate::inference::SchemaMapping;
use crate::planner::{self, MigrationPath, NoRoute, Route};
use crate::schema::{Checksum, SchemaDescriptor, Version, VersionedSchema};
use crate::stage::MigrationStage;
use crate::store::{self, Metadata, connection};

mod checks;

use checks::{check_custom, check_schemas, check_stages, compose_gaps, gaps, module_stages};

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
    stages: Vec<MigrationStage>,
    /// `gaps[i]`: the mapping from `schemas[i]` to `schemas[i + 1]`.
    gaps: Vec<Gap>,
    /// The schemas' versions, oldest first.
    versions: Vec<Version>,
    /// The oldest version a store may be at to be opened.
    oldest_supported: Version,
    /// Whether the plan named it (versions before it were retired on
    /// purpose), rather than it being the first schema.
    retires: bool,
    _latest: PhantomData<fn() -> S>,
}

/// What lies between two consecutive schemas of a plan.
#[derive(Debug, Clone)]
pub(crate) struct Gap {
    /// How the newer schema's entities take their data from the older one's.
    pub mapping: SchemaMapping,
    /// The changes, classified.
    pub changes: Vec<Change>,
}

/// One schema version of a plan.
#[derive(Debug, Clone)]
pub struct PlanSchema {
    descriptor: &'static SchemaDescriptor,
    checksum: Checksum,
    /// `VersionedSchema::__module_stage` of the schema.
    module_stage: fn() -> Option<Box<dyn std::any::Any>>,
}

impl PlanSchema {
    fn of<S: VersionedSchema>() -> Self {
        PlanSchema {
            descriptor: S::descriptor(),
            checksum: S::checksum(),
            module_stage: S::__module_stage,
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
            stages: Vec::new(),
            oldest_supported: None,
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

    /// The oldest version a store may be at to be opened: the one named by
    /// [`oldest_supported`](SchemaMigrationPlanBuilder::oldest_supported),
    /// or else the plan's first schema. An older store is
    /// [`MigrationError::StoreTooOld`].
    pub fn oldest_supported(&self) -> Version {
        self.oldest_supported
    }

    /// The version before which the plan retired versions on purpose (named
    /// with [`oldest_supported`](SchemaMigrationPlanBuilder::oldest_supported)),
    /// if it did; `None` when its oldest supported version is simply its
    /// first schema.
    pub fn retired_before(&self) -> Option<Version> {
        self.retires.then_some(self.oldest_supported)
    }

    /// The plan's schema with this version.
    pub fn schema(&self, version: Version) -> Option<&PlanSchema> {
        self.schemas.iter().find(|s| s.version() == version)
    }

    /// The declared stages, in declaration order.
    pub fn stages(&self) -> &[MigrationStage] {
        &self.stages
    }

    /// The changes between consecutive schemas `from` and the one after it.
    pub fn changes_after(&self, from: Version) -> Option<&[Change]> {
        let index = self.schemas.iter().position(|s| s.version() == from)?;
        self.gaps.get(index).map(|gap| gap.changes.as_slice())
    }

    pub(crate) fn index_of(&self, version: Version) -> Option<usize> {
        self.schemas.iter().position(|s| s.version() == version)
    }

    /// The steps a store at `from` takes to the latest version (see the
    /// planner's rule in the crate docs): each step's `from()`, `to()` and
    /// `is_custom()`. Displays as `1.0.0 -[custom]-> 2.0.0 -[inferred]-> 5.0.0`.
    ///
    /// Fails with [`MigrationError::NoPath`] when `from` is not a version of
    /// the plan (its `path` is empty: no store is involved).
    pub fn migration_path(&self, from: Version) -> Result<MigrationPath> {
        let route = self
            .route(from)
            .map_err(|no_route| MigrationError::NoPath {
                path: PathBuf::new(),
                from,
                to: S::VERSION,
                reason: no_route.to_string(),
            })?;
        Ok(route.path)
    }

    /// The planner's route from `from` to the latest version.
    pub(crate) fn route(&self, from: Version) -> std::result::Result<Route, NoRoute> {
        let start = self.index_of(from).ok_or(NoRoute::UnknownVersion(from))?;
        planner::route(&self.versions, &self.stages, start)
    }

    /// The version of the store behind `conn`, once its metadata shows a
    /// schema of this plan no newer than the latest and no older than the
    /// oldest supported; otherwise the store cannot be opened
    /// ([`MigrationError::StoreNewer`], [`MigrationError::StoreTooOld`],
    /// [`MigrationError::VersionNotInPlan`], [`MigrationError::UnknownChecksum`]).
    pub(crate) fn store_version(&self, conn: &Connection, path: &Path) -> Result<Version> {
        self.version_of(store::read_metadata(conn, path)?, path)
    }

    /// [`store_version`](Self::store_version) of a store whose metadata the
    /// caller has read.
    pub(crate) fn version_of(&self, metadata: Metadata, path: &Path) -> Result<Version> {
        let versions = (self.oldest_supported, S::VERSION);
        connection::check_store(metadata, path, versions, |version| {
            self.schema(version).map(PlanSchema::checksum)
        })
    }

    /// The composed mapping from schema `from` to schema `to` (indexes).
    pub(crate) fn mapping(&self, from: usize, to: usize) -> SchemaMapping {
        compose_gaps(&self.gaps[from..to])
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
    stages: Vec<MigrationStage>,
    oldest_supported: Option<Version>,
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
                    "schemas must be added to a plan oldest first: this schema's `VERSION` is not newer than the \
                     previous schema's; order the `.schema::<…>()` calls by version"
                );
            }
        }
        let mut schemas = self.schemas;
        schemas.push(PlanSchema::of::<S>());
        SchemaMigrationPlanBuilder {
            schemas,
            stages: self.stages,
            oldest_supported: self.oldest_supported,
            _latest: PhantomData,
        }
    }

    /// Retires the versions older than `version`: a store at an older
    /// version is refused with [`MigrationError::StoreTooOld`] (naming its
    /// version and this one), unless the app opts in to recreating it
    /// ([`Recreate::StoreTooOld`](crate::Recreate::StoreTooOld)). `version`
    /// must be a schema of the plan.
    ///
    /// Without it the oldest supported version is the plan's first schema:
    /// a plan that starts at a baseline (its first schema, exactly as that
    /// version shipped) opens stores at the baseline and after, and refuses
    /// older ones the same way. To squash a long plan, keep the schemas from
    /// the baseline on and the stages between them, drop the older ones,
    /// and name the baseline here: stores at or after it open and migrate
    /// exactly as before, and
    /// `staged::testing::assert_schema_snapshots`
    /// keeps the retired versions' snapshots without complaint.
    pub fn oldest_supported(mut self, version: Version) -> Self {
        self.oldest_supported = Some(version);
        self
    }

    /// Declares how to migrate between two schemas of the plan.
    pub fn stage(mut self, stage: impl Into<MigrationStage>) -> Self {
        self.stages.push(stage.into());
        self
    }
}

impl<L: VersionedSchema> SchemaMigrationPlanBuilder<L> {
    /// Checks the plan and returns it.
    ///
    /// A schema module that declares migration hooks (and so generates
    /// `vN::stage()`) always has its stage run: the builder adds it when the
    /// plan declares no stage for that gap.
    ///
    /// Fails with a [`PlanError`] naming the versions involved when: two
    /// schemas share a version or a checksum; a stage names a schema that is
    /// not in the plan, or a pair of schemas already covered by another
    /// stage; a lightweight stage does not join consecutive versions; a gap
    /// whose newer module declares hooks has another stage than the module's;
    /// consecutive versions without a custom stage differ by a change that
    /// SQL alone cannot apply; or a version deletes something of the
    /// previous one that no `removed(…)` names (or names in `removed(…)`
    /// something the previous version does not have). One problem is
    /// returned as itself; several as a [`PlanError::Problems`] listing
    /// every one.
    pub fn build(self) -> Result<SchemaMigrationPlan<L>> {
        let SchemaMigrationPlanBuilder {
            schemas,
            mut stages,
            oldest_supported,
            ..
        } = self;
        let retires = oldest_supported.is_some();
        let oldest_supported = match oldest_supported {
            None => schemas[0].version(),
            Some(version) if schemas.iter().any(|s| s.version() == version) => version,
            Some(version) => return Err(PlanError::OldestSupportedNotInPlan { version }.into()),
        };
        let mut problems = Vec::new();
        check_schemas(&schemas, &mut problems);
        module_stages(&schemas, &mut stages, &mut problems);
        check_stages(&schemas, &stages, &mut problems);
        let gaps = gaps(&schemas, &stages, &mut problems)?;
        let index = |version: Version| schemas.iter().position(|s| s.version() == version);
        if let Some(gaps) = &gaps {
            for stage in &stages {
                let (Some(custom), Some(from), Some(to)) =
                    (stage.custom_part(), index(stage.from()), index(stage.to()))
                else {
                    continue;
                };
                if from >= to {
                    continue;
                }
                check_custom(
                    custom,
                    &schemas[from],
                    &schemas[to],
                    &compose_gaps(&gaps[from..to]),
                    &mut problems,
                );
            }
        }
        match (problems.len(), gaps) {
            (0, Some(gaps)) => Ok(SchemaMigrationPlan {
                oldest_supported,
                retires,
                versions: schemas.iter().map(PlanSchema::version).collect(),
                schemas,
                stages,
                gaps,
                _latest: PhantomData,
            }),
            (1, _) => Err(problems.remove(0).into()),
            _ => Err(PlanError::Problems(problems).into()),
        }
    }
}
