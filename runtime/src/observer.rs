//! [`MigrationObserver`]: progress of a migration, for an app's UI or logs.

use crate::error::Error;
use crate::planner::{MigrationPath, MigrationStep};

pub use crate::stage::PROGRESS_INTERVAL;

/// Receives the progress of a store migration; every method defaults to doing nothing.
///
/// Set one with [`ModelContainerBuilder::observer`](crate::ModelContainerBuilder::observer).
/// Methods are called on the thread that opens the container, inside the
/// migration: keep them quick.
///
/// Events are reported only for a migration this connection runs. When two
/// processes open the same old store at once, the one that waits for the
/// other's migration finds the store migrated once it holds the write lock,
/// runs nothing and reports nothing: no `will_migrate_store`, no
/// `did_migrate_store`, no `migration_failed`. An open that fails before it
/// holds the write lock (e.g. [`StoreError::Busy`](crate::StoreError::Busy))
/// reports nothing either; the store is unchanged.
pub trait MigrationObserver: Send + Sync {
    /// The store is about to be migrated along `path` (`path.steps().len()`
    /// steps): the migration holds the store's write lock and has read the
    /// store's version again under it. [`did_migrate_store`](Self::did_migrate_store)
    /// follows when it commits, [`migration_failed`](Self::migration_failed)
    /// when it fails or is rolled back.
    fn will_migrate_store(&self, path: &MigrationPath) {
        let _ = path;
    }

    /// Step `index` (0-based) of `total` is about to run.
    fn will_run_stage(&self, index: usize, total: usize, step: &MigrationStep) {
        let _ = (index, total, step);
    }

    /// Rows of `entity` processed so far by a transform of `step`, out of
    /// `total` (known up front). Called at most every
    /// [`PROGRESS_INTERVAL`] rows, and once when the entity is done.
    fn stage_progress(&self, step: &MigrationStep, entity: &str, done: u64, total: u64) {
        let _ = (step, entity, done, total);
    }

    /// The store was migrated along `path` and committed.
    fn did_migrate_store(&self, path: &MigrationPath) {
        let _ = path;
    }

    /// The migration failed and was rolled back; the store is as it was.
    fn migration_failed(&self, path: &MigrationPath, error: &Error) {
        let _ = (path, error);
    }
}

/// An `Arc` of an observer observes too, so the app can keep a handle on it.
impl<T: MigrationObserver + ?Sized> MigrationObserver for std::sync::Arc<T> {
    fn will_migrate_store(&self, path: &MigrationPath) {
        (**self).will_migrate_store(path);
    }

    fn will_run_stage(&self, index: usize, total: usize, step: &MigrationStep) {
        (**self).will_run_stage(index, total, step);
    }

    fn stage_progress(&self, step: &MigrationStep, entity: &str, done: u64, total: u64) {
        (**self).stage_progress(step, entity, done, total);
    }

    fn did_migrate_store(&self, path: &MigrationPath) {
        (**self).did_migrate_store(path);
    }

    fn migration_failed(&self, path: &MigrationPath, error: &Error) {
        (**self).migration_failed(path, error);
    }
}
