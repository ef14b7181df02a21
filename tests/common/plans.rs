//! Migration plans of one, two or three schemas: every step inferred, or one
//! stage given.

use staged::prelude::*;

/// The plan with only `S`.
pub fn single<S: VersionedSchema>() -> SchemaMigrationPlan<S> {
    SchemaMigrationPlan::builder()
        .schema::<S>()
        .build()
        .expect("a plan with one schema is valid")
}

/// The plan `A -> B`, its step inferred.
pub fn two<A: VersionedSchema, B: VersionedSchema>() -> SchemaMigrationPlan<B> {
    SchemaMigrationPlan::builder()
        .schema::<A>()
        .schema::<B>()
        .build()
        .expect("a plan of two inferable schemas is valid")
}

/// The plan `A -> B -> C`, its steps inferred.
pub fn three<A: VersionedSchema, B: VersionedSchema, C: VersionedSchema>() -> SchemaMigrationPlan<C>
{
    SchemaMigrationPlan::builder()
        .schema::<A>()
        .schema::<B>()
        .schema::<C>()
        .build()
        .expect("a plan of three inferable schemas is valid")
}

/// Opens (or creates) the store at `path` with the plan of only `S`.
pub fn open_single<S: VersionedSchema>(path: &std::path::Path) -> ModelContainer<S> {
    ModelContainer::open(path, single::<S>())
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()))
}

/// The plan `A -> B` migrated by `stage`.
pub fn two_with_stage<A: VersionedSchema, B: VersionedSchema>(
    stage: impl Into<MigrationStage>,
) -> SchemaMigrationPlan<B> {
    SchemaMigrationPlan::builder()
        .schema::<A>()
        .schema::<B>()
        .stage(stage)
        .build()
        .expect("a plan of two schemas and their stage is valid")
}

/// The plan `A -> B -> C` with `stage` for one of its steps, the other
/// inferred.
pub fn three_with_stage<A: VersionedSchema, B: VersionedSchema, C: VersionedSchema>(
    stage: impl Into<MigrationStage>,
) -> SchemaMigrationPlan<C> {
    SchemaMigrationPlan::builder()
        .schema::<A>()
        .schema::<B>()
        .schema::<C>()
        .stage(stage)
        .build()
        .expect("a plan of three schemas and a stage is valid")
}
