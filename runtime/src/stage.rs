//! [`MigrationStage`]: how to go from one schema version to another.

use std::fmt;
use std::marker::PhantomData;

use rusqlite::Connection;

use crate::context::{ModelContext, SharedConnection, TableMap};
use crate::error::Result;
use crate::model::{BelongsTo, Model};
use crate::schema::{EntityDescriptor, Version, VersionedSchema};
use crate::sql;
use crate::store;

/// How many rows a transform processes between two progress reports.
pub const PROGRESS_INTERVAL: u64 = 10_000;

/// A step of a [`SchemaMigrationPlan`](crate::SchemaMigrationPlan) between two schema versions.
///
/// Built with [`MigrationStage::lightweight`] or [`MigrationStage::custom`].
pub struct MigrationStage {
    from: Version,
    to: Version,
    kind: StageKind,
    /// `Some("v2::stage()")` for the stage a schema module with hooks generates.
    module: Option<&'static str>,
}

/// What a stage runs.
pub(crate) enum StageKind {
    /// Only the inferred SQL.
    Lightweight,
    /// Hooks and transforms around the inferred SQL.
    Custom(ErasedCustom),
}

type ContextHook = Box<dyn Fn(&SharedConnection) -> Result<()> + Send + Sync>;

/// A custom stage with its schema types erased.
pub(crate) struct ErasedCustom {
    pub will_migrate: Vec<ContextHook>,
    pub transforms: Vec<ErasedTransform>,
    #[allow(clippy::type_complexity)]
    pub migrate: Vec<Box<dyn Fn(&SharedConnection, &TableMap) -> Result<()> + Send + Sync>>,
    pub did_migrate: Vec<ContextHook>,
}

/// A transform with its model types erased.
pub(crate) struct ErasedTransform {
    /// The old entity (of the stage's source schema).
    pub source: fn() -> &'static EntityDescriptor,
    /// The new entity (of the stage's target schema).
    pub target: fn() -> &'static EntityDescriptor,
    /// Streams every row of table `from` through the transform into table
    /// `into`, calling `progress(done)` now and then and once at the end with
    /// the number of rows read (the runner compares it with the rows written
    /// to know whether rows were dropped); returns the rows written.
    #[allow(clippy::type_complexity)]
    pub run: Box<dyn Fn(&Connection, &str, &str, &mut dyn FnMut(u64)) -> Result<u64> + Send + Sync>,
}

impl MigrationStage {
    /// A stage whose SQL is inferred from the two schemas, which must be
    /// consecutive in the plan. Consecutive schemas without any declared stage
    /// get one implicitly; declaring it documents that the change is meant to
    /// be lightweight, and `build()` fails if it is not.
    pub fn lightweight<A: VersionedSchema, B: VersionedSchema>() -> Self {
        const {
            assert!(
                B::VERSION.is_newer_than(A::VERSION),
                "a stage goes from an older schema to a newer one: `lightweight::<A, B>()` needs `B::VERSION` > `A::VERSION`"
            );
        }
        MigrationStage {
            from: A::VERSION,
            to: B::VERSION,
            kind: StageKind::Lightweight,
            module: None,
        }
    }

    /// A stage that runs code: [`will_migrate`](CustomStage::will_migrate)
    /// hooks on the old schema, [`transform`](CustomStage::transform)s from
    /// old models to new ones, [`migrate`](CustomStage::migrate) hooks that see
    /// both, and [`did_migrate`](CustomStage::did_migrate) hooks on the new
    /// schema. `A` may jump over versions (and over other custom stages).
    pub fn custom<A: VersionedSchema, B: VersionedSchema>() -> CustomStage<A, B> {
        const {
            assert!(
                B::VERSION.is_newer_than(A::VERSION),
                "a stage goes from an older schema to a newer one: `custom::<A, B>()` needs `B::VERSION` > `A::VERSION`"
            );
        }
        CustomStage {
            erased: ErasedCustom {
                will_migrate: Vec::new(),
                transforms: Vec::new(),
                migrate: Vec::new(),
                did_migrate: Vec::new(),
            },
            _schemas: PhantomData,
        }
    }

    /// The version the stage migrates from.
    pub fn from(&self) -> Version {
        self.from
    }

    /// The version the stage migrates to.
    pub fn to(&self) -> Version {
        self.to
    }

    /// Whether the stage runs user code.
    pub fn is_custom(&self) -> bool {
        matches!(self.kind, StageKind::Custom(_))
    }

    pub(crate) fn kind(&self) -> &StageKind {
        &self.kind
    }

    /// Marks the stage a schema module with hooks generates (`vN::stage()`),
    /// so the plan can tell it from another stage of the same gap; called by
    /// generated code.
    #[doc(hidden)]
    pub fn __from_module(mut self, name: &'static str) -> Self {
        self.module = Some(name);
        self
    }

    /// The schema module whose `stage()` this is (`"v2::stage()"`), when a
    /// module with hooks generated it.
    pub(crate) fn module(&self) -> Option<&'static str> {
        self.module
    }

    /// The custom part, if any.
    pub(crate) fn custom_part(&self) -> Option<&ErasedCustom> {
        match &self.kind {
            StageKind::Custom(custom) => Some(custom),
            StageKind::Lightweight => None,
        }
    }
}

impl fmt::Debug for MigrationStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_custom() {
            "custom"
        } else {
            "lightweight"
        };
        write!(f, "MigrationStage({} -[{kind}]-> {})", self.from, self.to)
    }
}

/// A custom stage from schema `A` to schema `B` under construction; pass it to
/// [`SchemaMigrationPlanBuilder::stage`](crate::SchemaMigrationPlanBuilder::stage).
///
/// Inside the stage, all in the migration's one transaction:
/// 1. every `will_migrate` hook runs on the old tables (`ModelContext<A>`);
/// 2. each transformed entity gets a new table, filled by streaming the old
///    rows through its transform (ids are kept);
/// 3. the other entities are migrated by the inferred SQL;
/// 4. every `migrate` hook runs with the old tables of transformed entities
///    (`ModelContext<A>`) and all new tables (`ModelContext<B>`);
/// 5. the old tables are dropped and every `did_migrate` hook runs (`ModelContext<B>`).
///
/// Hooks of one kind run in the order they were added.
pub struct CustomStage<A, B> {
    erased: ErasedCustom,
    _schemas: PhantomData<fn() -> (A, B)>,
}

impl<A: VersionedSchema, B: VersionedSchema> CustomStage<A, B> {
    /// Adds a hook that runs before anything changes, on the old schema.
    pub fn will_migrate<F>(mut self, hook: F) -> Self
    where
        F: Fn(&mut ModelContext<A>) -> Result<()> + Send + Sync + 'static,
    {
        self.erased.will_migrate.push(Box::new(move |conn| {
            hook(&mut ModelContext::new(conn.clone()))
        }));
        self
    }

    /// Adds a hook that runs after the stage, on the new schema.
    pub fn did_migrate<F>(mut self, hook: F) -> Self
    where
        F: Fn(&mut ModelContext<B>) -> Result<()> + Send + Sync + 'static,
    {
        self.erased.did_migrate.push(Box::new(move |conn| {
            hook(&mut ModelContext::new(conn.clone()))
        }));
        self
    }

    /// Adds a hook that sees both shapes: the old tables of the transformed
    /// entities through `old`, and every new table through `new`. Entities
    /// without a transform are already migrated when it runs: read them
    /// through `new`. The old rows are read-only: a write through `old` to a
    /// transformed entity fails with
    /// [`Error::ReadOnlyOldRows`](crate::Error::ReadOnlyOldRows).
    pub fn migrate<F>(mut self, hook: F) -> Self
    where
        F: Fn(&mut ModelContext<A>, &mut ModelContext<B>) -> Result<()> + Send + Sync + 'static,
    {
        self.erased.migrate.push(Box::new(move |conn, old_tables| {
            let mut old = ModelContext::new(conn.clone()).with_tables(old_tables.clone());
            hook(&mut old, &mut ModelContext::new(conn.clone()))
        }));
        self
    }

    /// Maps every row of the old model `Old` to a row of the new model `New`
    /// (same [`PersistentId`](crate::PersistentId)). Rows are streamed, never
    /// collected. `New`'s changes from `Old` need not be inferable.
    pub fn transform<Old, New, F>(self, transform: F) -> Self
    where
        Old: BelongsTo<A>,
        New: BelongsTo<B>,
        F: Fn(Old) -> Result<New> + Send + Sync + 'static,
    {
        self.transform_or_drop(move |old: Old| transform(old).map(Some))
    }

    /// Like [`transform`](CustomStage::transform), but the row is dropped when
    /// the closure returns `Ok(None)`.
    pub fn transform_or_drop<Old, New, F>(mut self, transform: F) -> Self
    where
        Old: BelongsTo<A>,
        New: BelongsTo<B>,
        F: Fn(Old) -> Result<Option<New>> + Send + Sync + 'static,
    {
        self.erased.transforms.push(ErasedTransform {
            source: Old::entity,
            target: New::entity,
            run: Box::new(move |conn, from, into, progress| {
                stream_transform::<Old, New>(conn, from, into, &transform, progress)
            }),
        });
        self
    }
}

/// Streams the rows of table `from` (model `Old`) through `transform` into
/// table `into` (model `New`), keeping ids; one row in memory at a time.
pub(crate) fn stream_transform<Old: Model, New: Model>(
    conn: &Connection,
    from: &str,
    into: &str,
    transform: &dyn Fn(Old) -> Result<Option<New>>,
    progress: &mut dyn FnMut(u64),
) -> Result<u64> {
    let mut select = conn.prepare(&sql::select_from(Old::entity(), from))?;
    let mut insert = conn.prepare(&sql::insert_with_id_last(New::entity(), into))?;
    let id_index = New::entity().attributes().len() + 1;
    let mut rows = select.query([])?;
    let (mut done, mut written) = (0u64, 0u64);
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let old = Old::__read(row, 1, id)?;
        if let Some(new) = transform(old)? {
            new.__bind(&mut insert)?;
            insert.raw_bind_parameter(id_index, id)?;
            insert.raw_execute().map_err(store::constraint_error)?;
            written += 1;
        }
        done += 1;
        if done % PROGRESS_INTERVAL == 0 {
            progress(done);
        }
    }
    progress(done);
    Ok(written)
}

impl<A: VersionedSchema, B: VersionedSchema> From<CustomStage<A, B>> for MigrationStage {
    fn from(stage: CustomStage<A, B>) -> Self {
        MigrationStage {
            from: A::VERSION,
            to: B::VERSION,
            kind: StageKind::Custom(stage.erased),
            module: None,
        }
    }
}

impl<A, B> fmt::Debug for CustomStage<A, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomStage")
            .field("will_migrate", &self.erased.will_migrate.len())
            .field("transforms", &self.erased.transforms.len())
            .field("migrate", &self.erased.migrate.len())
            .field("did_migrate", &self.erased.did_migrate.len())
            .finish()
    }
}

#[cfg(test)]
impl MigrationStage {
    /// A custom stage without hooks between two versions, for planner tests
    /// that need no schema types.
    pub(crate) fn custom_for_test(from: Version, to: Version) -> MigrationStage {
        MigrationStage {
            from,
            to,
            kind: StageKind::Custom(ErasedCustom {
                will_migrate: Vec::new(),
                transforms: Vec::new(),
                migrate: Vec::new(),
                did_migrate: Vec::new(),
            }),
            module: None,
        }
    }
}
