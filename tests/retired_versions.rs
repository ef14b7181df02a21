//! Retiring old versions: a plan that starts at a baseline, or names the
//! oldest version it still opens, refuses older stores with
//! `StoreTooOld` and opens the others exactly as the full plan did.

mod common;

use staged::prelude::*;
use staged::testing::{MigrationTest, assert_schema_snapshots};
use staged::{Error, MigrationError, OpenOutcome, PlanError};

use common::files::listing;
use common::store::{TempStore, open_fails};

/// Six releases of one entity, each adding an optional attribute.
macro_rules! release {
    ($module:ident, $version:literal, $($field:ident),*) => {
        #[doc = concat!("Release ", $version, ".")]
        #[versioned_schema(version = $version)]
        pub mod $module {
            /// An item.
            #[model]
            pub struct Item {
                /// Its name.
                pub name: String,
                $(
                    /// Added by a later release.
                    pub $field: Option<i64>,
                )*
            }
        }
    };
}

release!(v1, "1.0.0",);
release!(v2, "2.0.0", a);
release!(v3, "3.0.0", a, b);
release!(v4, "4.0.0", a, b, c);
release!(v5, "5.0.0", a, b, c, d);
release!(v6, "6.0.0", a, b, c, d, e);

/// Every version ever shipped.
fn full() -> SchemaMigrationPlan<v6::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .schema::<v4::Schema>()
        .schema::<v5::Schema>()
        .schema::<v6::Schema>()
        .build()
        .unwrap()
}

/// The same plan squashed to the 4.0.0 baseline.
fn squashed() -> SchemaMigrationPlan<v6::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v4::Schema>()
        .schema::<v5::Schema>()
        .schema::<v6::Schema>()
        .oldest_supported(Version::new(4, 0, 0))
        .build()
        .unwrap()
}

/// A store created at `S`'s version (the plan of the releases up to it)
/// with one item.
fn store_at<S: VersionedSchema>(plan: SchemaMigrationPlan<S>) -> TempStore {
    let store = TempStore::new();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    container
        .context()
        .connection()
        .execute("INSERT INTO Item (name) VALUES ('kept')", [])
        .unwrap();
    store
}

fn up_to_4() -> SchemaMigrationPlan<v4::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .schema::<v4::Schema>()
        .build()
        .unwrap()
}

fn up_to_5() -> SchemaMigrationPlan<v5::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v4::Schema>()
        .schema::<v5::Schema>()
        .build()
        .unwrap()
}

#[test]
fn stores_at_or_after_the_baseline_open_as_with_the_full_plan() {
    for (squash, from) in [(true, 4), (false, 4), (true, 5), (false, 5)] {
        let store = if from == 4 {
            store_at(up_to_4())
        } else {
            store_at(up_to_5())
        };
        let plan = if squash { squashed() } else { full() };
        let container = ModelContainer::open(store.path(), plan).unwrap();
        assert_eq!(
            container.open_outcome(),
            OpenOutcome::Migrated {
                from: Version::new(from, 0, 0)
            }
        );
        let items = container.context().fetch_all::<v6::Item>().unwrap();
        assert_eq!((items[0].id().raw(), items[0].name.as_str()), (1, "kept"));
    }
    let latest = store_at(full());
    let container = ModelContainer::open(latest.path(), squashed()).unwrap();
    assert_eq!(container.open_outcome(), OpenOutcome::UpToDate);
}

#[test]
fn a_store_older_than_the_baseline_is_refused_naming_both_versions() {
    let store = TempStore::new();
    drop(store_at_path::<v2::Schema>(&store, two_releases()));
    let error = open_fails(&store, squashed());
    match error.as_migration() {
        Some(MigrationError::StoreTooOld {
            store_version,
            oldest_supported,
            ..
        }) => {
            assert_eq!(*store_version, Version::new(2, 0, 0));
            assert_eq!(*oldest_supported, Version::new(4, 0, 0));
        }
        _ => panic!("expected MigrationError::StoreTooOld, got {error:?}"),
    }
    assert_eq!(
        error.to_string(),
        format!(
            "store `{}` is at version 2.0.0, older than 4.0.0, the oldest version this app still opens \
             (older versions were retired from its migration plan); nothing was changed: open it once with \
             an app release that still migrates 2.0.0, or, if the store only holds data the app can \
             rebuild, opt in to `recreate_when(Recreate::StoreTooOld)`",
            store.path().display()
        )
    );
    // A plan that starts at the baseline without naming it refuses it the same way.
    let baseline_only = SchemaMigrationPlan::builder()
        .schema::<v4::Schema>()
        .schema::<v5::Schema>()
        .schema::<v6::Schema>()
        .build()
        .unwrap();
    assert_eq!(baseline_only.oldest_supported(), Version::new(4, 0, 0));
    let error = open_fails(&store, baseline_only);
    assert!(matches!(
        error.as_migration(),
        Some(MigrationError::StoreTooOld { .. })
    ));
    // The full plan still migrates it.
    let container = ModelContainer::open(store.path(), full()).unwrap();
    assert_eq!(
        container.open_outcome(),
        OpenOutcome::Migrated {
            from: Version::new(2, 0, 0)
        }
    );
}

fn two_releases() -> SchemaMigrationPlan<v2::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build()
        .unwrap()
}

fn store_at_path<S: VersionedSchema>(
    store: &TempStore,
    plan: SchemaMigrationPlan<S>,
) -> ModelContainer<S> {
    ModelContainer::open(store.path(), plan).unwrap()
}

#[test]
fn a_plan_can_keep_old_schemas_and_still_retire_them() {
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .oldest_supported(Version::new(2, 0, 0))
        .build()
        .unwrap();
    let store = TempStore::new();
    drop(store_at_path::<v1::Schema>(
        &store,
        SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .build()
            .unwrap(),
    ));
    let error = open_fails(&store, plan);
    assert!(matches!(
        error.as_migration(),
        Some(MigrationError::StoreTooOld { store_version, .. }) if *store_version == Version::new(1, 0, 0)
    ));
}

#[test]
fn the_oldest_supported_version_must_be_in_the_plan() {
    let error = SchemaMigrationPlan::builder()
        .schema::<v4::Schema>()
        .schema::<v5::Schema>()
        .oldest_supported(Version::new(3, 0, 0))
        .build()
        .unwrap_err();
    assert!(matches!(
        error,
        Error::Plan(ref plan) if **plan == PlanError::OldestSupportedNotInPlan { version: Version::new(3, 0, 0) }
    ));
}

#[test]
fn migration_tests_and_snapshots_skip_retired_versions() {
    let report = MigrationTest::new(
        SchemaMigrationPlan::builder()
            .schema::<v3::Schema>()
            .schema::<v4::Schema>()
            .schema::<v5::Schema>()
            .oldest_supported(Version::new(4, 0, 0))
            .build()
            .unwrap(),
    )
    .run()
    .unwrap();
    let from: Vec<Version> = report.runs().iter().map(|r| r.from()).collect();
    assert_eq!(from, [Version::new(4, 0, 0), Version::new(5, 0, 0)]);

    // The full plan's snapshots, then the squashed plan against them.
    let dir = tempfile::tempdir().unwrap();
    assert_schema_snapshots(&full(), dir.path());
    let written = listing(dir.path());
    assert_eq!(written.len(), 6);
    assert_schema_snapshots(&squashed(), dir.path());
    assert_eq!(listing(dir.path()), written, "retired snapshots stay");
    // Dropping the first schemas without naming the baseline still fails.
    let unnamed = SchemaMigrationPlan::builder()
        .schema::<v4::Schema>()
        .schema::<v5::Schema>()
        .schema::<v6::Schema>()
        .build()
        .unwrap();
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_schema_snapshots(&unnamed, dir.path())
    }))
    .expect_err("snapshots of versions the plan no longer lists fail");
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("retire the versions before the plan's first one with `oldest_supported`"),
        "{message}"
    );
}
