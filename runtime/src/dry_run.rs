//! Dry run and explain: what opening a store would do, without changing it.
//!
//! The store is copied to a temporary file next to it with SQLite's backup
//! API through a query-only connection, and the real runner migrates the
//! copy with a
//! [`Recorder`] that notes every statement, hook and transform, counts rows
//! around each step, and probes each statement for the data it would fail on.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::context::Writer;
use crate::error::{ConstraintKind, Error, MigrationError, Result, StoreError};
use crate::inference::{self, Statement};
use crate::migrate::{Migration, hook_label};
use crate::plan::SchemaMigrationPlan;
use crate::planner::{MigrationPath, PlannedStep};
use crate::schema::{Version, VersionedSchema};
use crate::sql;
use crate::store::connection::{self, BUSY_TIMEOUT};
use crate::store::encryption::{self, EncryptionKey};
use crate::store::{self, FileState, RecordedCookie};

mod loss;
mod recorder;
mod report;

use recorder::{Recorded, StepRecorder, counts};
pub use report::{DryRunAction, DryRunProblem, DryRunReport, DryRunStep, StepOutcome};

/// Dry-runs `plan` on the store at `path`; see
/// [`ModelContainerBuilder::dry_run`](crate::ModelContainerBuilder::dry_run).
pub(crate) fn run<S: VersionedSchema>(
    plan: &SchemaMigrationPlan<S>,
    path: &Path,
    key: Option<&EncryptionKey>,
) -> Result<DryRunReport> {
    let latest = S::VERSION;
    let state = store::inspect_file(path)?;
    let key = key_for(state, key, path)?;
    if state == FileState::New {
        return Ok(DryRunReport {
            path: path.to_owned(),
            new_store: true,
            migration_path: plan.migration_path(latest)?,
            steps: Vec::new(),
            rows_before: Vec::new(),
            rows_after: None,
        });
    }
    // Declared first so that it goes last, after every connection to it.
    let scratch = ScratchFile::next_to(path)?;
    let copy = copy_to(path, scratch.path(), key)?;
    connection::configure(&copy, BUSY_TIMEOUT)?;
    let version = plan.store_version(&copy, path)?;
    let descriptor = |version: Version| {
        plan.schema(version)
            .expect("the store's version is a schema of the plan")
            .descriptor()
    };
    let rows_before = counts(&copy, descriptor(version));
    let recorder = StepRecorder::default();
    let migration = Migration::new(plan, path, version)?.recorder(&recorder);
    let migration_path = migration.migration_path().clone();
    let planned: Vec<PlannedStep> = migration.steps().to_vec();
    if planned.is_empty() {
        return Ok(DryRunReport {
            path: path.to_owned(),
            new_store: false,
            migration_path,
            steps: Vec::new(),
            rows_after: Some(rows_before.clone()),
            rows_before,
        });
    }
    let shared = Writer::shared(copy);
    let result = migration
        .begin(&shared)
        .and_then(|prepared| prepared.commit());
    let mut recorded = recorder.steps.into_inner();
    let failed = result
        .err()
        .map(|error| record_failure(&mut recorded, &rows_before, &error));
    let steps = report_steps(plan, &planned, &migration_path, recorded, failed);
    let rows_after = match failed {
        Some(_) => None,
        None => Some(counts(&shared.lock(), descriptor(latest))),
    };
    Ok(DryRunReport {
        path: path.to_owned(),
        new_store: false,
        migration_path,
        steps,
        rows_before,
        rows_after,
    })
}

/// Notes `error`, which ended the migration, as a problem of the step it
/// belongs to (unless a probe already found it) and returns that step's
/// index. A failure before the first step belongs to it; one after the last
/// step (the final checks) belongs to the last step.
fn record_failure(
    recorded: &mut Vec<Recorded>,
    rows_before: &[(String, u64)],
    error: &Error,
) -> usize {
    if recorded.is_empty() {
        recorded.push(Recorded {
            rows_before: rows_before.to_vec(),
            ..Recorded::default()
        });
    }
    let step = recorded.last_mut().expect("a step");
    let probed = |entity: &str, attribute: &str| {
        step.problems.iter().any(|p| match p {
            DryRunProblem::Duplicate {
                entity: e,
                attribute: a,
                ..
            }
            | DryRunProblem::Null {
                entity: e,
                attribute: a,
                ..
            } => e == entity && a == attribute,
            DryRunProblem::DuplicateTogether {
                entity: e,
                attributes,
                ..
            } => e == entity && attributes.join(", ") == attribute,
            DryRunProblem::RemovedVariant {
                entity: e,
                attribute: a,
                ..
            } => e == entity && a == attribute,
            _ => false,
        })
    };
    let known = match error.as_migration() {
        Some(MigrationError::ConstraintViolation {
            entity,
            attribute,
            kind:
                ConstraintKind::Unique
                | ConstraintKind::NotNull
                | ConstraintKind::UniqueTogether
                | ConstraintKind::RemovedVariant,
            ..
        }) => probed(entity, attribute),
        _ => false,
    };
    if !known {
        step.problems.push(DryRunProblem::Failed {
            message: error.to_string(),
        });
    }
    step.rows_after = None;
    step.rows_written = None;
    recorded.len() - 1
}

/// One report per planned step: what the runner recorded for the steps
/// that ran (the one at index `failed` failed), the planned actions of the
/// others.
fn report_steps<S: VersionedSchema>(
    plan: &SchemaMigrationPlan<S>,
    planned: &[PlannedStep],
    migration_path: &MigrationPath,
    recorded: Vec<Recorded>,
    failed: Option<usize>,
) -> Vec<DryRunStep> {
    let mut recorded = recorded.into_iter();
    planned
        .iter()
        .zip(migration_path.steps())
        .enumerate()
        .map(|(index, (planned_step, view))| match recorded.next() {
            Some(mut r) => {
                if let Some(after) = &r.values_after {
                    let transformed = transformed(plan, planned_step, &r.actions);
                    let consent = loss::Consent {
                        transformed: &transformed,
                    };
                    let mapping = plan.mapping(planned_step.from, planned_step.to);
                    r.problems
                        .extend(loss::losses(&mapping, &consent, &r.values_before, after));
                }
                DryRunStep {
                    step: *view,
                    outcome: if failed == Some(index) {
                        StepOutcome::Failed
                    } else {
                        StepOutcome::Succeeded
                    },
                    actions: r.actions,
                    rows_before: Some(r.rows_before),
                    rows_after: r.rows_after,
                    rows_written: r.rows_written,
                    problems: r.problems,
                }
            }
            None => DryRunStep {
                step: *view,
                outcome: StepOutcome::NotRun,
                actions: planned_actions(plan, planned_step),
                rows_before: None,
                rows_after: None,
                rows_written: None,
                problems: Vec::new(),
            },
        })
        .collect()
}

/// Per entity a custom stage's transform writes (its target name), the rows
/// the transform wrote in `actions` (`None` if it did not finish).
fn transformed<S: VersionedSchema>(
    plan: &SchemaMigrationPlan<S>,
    step: &PlannedStep,
    actions: &[DryRunAction],
) -> Vec<(String, Option<u64>)> {
    let Some(custom) = step.stage.and_then(|k| plan.stages()[k].custom_part()) else {
        return Vec::new();
    };
    custom
        .transforms
        .iter()
        .map(|transform| {
            let (source, target) = ((transform.source)(), (transform.target)());
            let written = actions.iter().find_map(|action| match action {
                DryRunAction::Transform { entity, rows } if entity == source.name() => *rows,
                _ => None,
            });
            (target.name().to_owned(), written)
        })
        .collect()
}

/// A temporary file beside a store, with the journal files SQLite may make
/// for it, deleted when this guard drops (also when a hook or transform
/// panics).
///
/// Beside the store rather than in the temporary folder: the copy then
/// takes its space on the disk the real migration would write to, so a disk
/// that is too full fails the dry run as it would fail the migration; and
/// the temporary folder may be held in memory (tmpfs), which would make the
/// copy cost as much memory as the store is large.
struct ScratchFile {
    path: PathBuf,
}

impl ScratchFile {
    /// Creates a new empty file `.<store name>.dry-run-<pid>-<n>` in the
    /// store's folder.
    fn next_to(store: &Path) -> Result<ScratchFile> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = store
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "store".to_owned());
        let dir = store.parent().unwrap_or_else(|| Path::new(""));
        loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(format!(".{name}.dry-run-{}-{n}", std::process::id()));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return Ok(ScratchFile { path }),
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(error) => {
                    return Err(StoreError::Open {
                        path,
                        source: rusqlite::Error::SqliteFailure(
                            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                            Some(format!(
                                "cannot create the dry run's copy of the store: {error}"
                            )),
                        ),
                    }
                    .into());
                }
            }
        }
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let mut path = self.path.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The key the store at `path` is read with: an encrypted store's (which
/// needs one); none for a plaintext store, dry-run as it is.
fn key_for<'k>(
    state: FileState,
    key: Option<&'k EncryptionKey>,
    path: &Path,
) -> Result<Option<&'k EncryptionKey>> {
    match (state, key) {
        (FileState::Encrypted, None) => Err(StoreError::Encrypted {
            path: path.to_owned(),
        }
        .into()),
        (FileState::Encrypted, key) => Ok(key),
        _ => Ok(None),
    }
}

/// The store at `path`, copied into the empty file `target` through a
/// query-only connection (which never writes the store or leaves a journal
/// beside it); the copy is opened in rollback-journal mode, without syncs.
/// An encrypted store's copy is encrypted with the same `key`.
fn copy_to(path: &Path, target: &Path, key: Option<&EncryptionKey>) -> Result<Connection> {
    let open_error = |source| StoreError::Open {
        path: path.to_owned(),
        source,
    };
    // Read-write but query-only: a read-only connection to a store in WAL
    // mode cannot remove the `-wal` and `-shm` files it makes SQLite create,
    // and this one may be the store's last connection.
    let source = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(open_error)?;
    encryption::unlock(&source, path, key)?;
    source.pragma_update(None, "query_only", true)?;
    let mut copy = Connection::open_with_flags(
        target,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| StoreError::Open {
        path: target.to_owned(),
        source,
    })?;
    encryption::unlock(&copy, target, key)?;
    copy.pragma_update(None, "synchronous", "OFF")?;
    // Whether the store's schema is the one its metadata recorded; `None`
    // for a store that records none.
    let known = match RecordedCookie::read(&source) {
        Ok(RecordedCookie::NoColumn) | Err(_) => None,
        Ok(recorded) => Some(recorded.vouches(&source)?),
    };
    {
        let backup = Backup::new(&source, &mut copy)?;
        let started = Instant::now();
        loop {
            // Pages go through the copy's page cache to its file: memory
            // stays bounded by the cache, whatever the store's size.
            match backup.step(1024)? {
                StepResult::Done => break,
                StepResult::More => {}
                // Another connection is writing: wait for it, as `open` would.
                _ if started.elapsed() < BUSY_TIMEOUT => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                _ => {
                    return Err(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                        Some("the store stayed locked by another connection".to_owned()),
                    )
                    .into());
                }
            }
        }
    }
    drop(source);
    // A store in WAL mode gives its header to the copy: keep the copy in
    // rollback mode so that it makes no `-wal` or `-shm` file.
    let _: String = copy.query_row("PRAGMA journal_mode = DELETE", [], |row| row.get(0))?;
    // The copy's schema cookie counts the copy's own changes: record it for
    // the copy when the store's matched, so that the dry run compares the
    // tables with the schema exactly when the migration of the store would.
    if let Some(known) = known {
        let cookie = known.then(|| store::cookie_to_record(&copy)).transpose()?;
        copy.execute(&sql::set_schema_cookie("main"), [cookie])?;
    }
    Ok(copy)
}

/// What a step that did not run would run: the hooks and transforms of a
/// custom stage, and the inferred SQL (without a custom stage's own table
/// shuffling, which depends on the transforms).
fn planned_actions<S: VersionedSchema>(
    plan: &SchemaMigrationPlan<S>,
    step: &PlannedStep,
) -> Vec<DryRunAction> {
    let schemas = plan.schemas();
    let (from, to) = (
        schemas[step.from].descriptor(),
        schemas[step.to].descriptor(),
    );
    let mapping = plan.mapping(step.from, step.to);
    let sql = |statements: Vec<Statement>| statements.into_iter().map(|s| DryRunAction::Sql(s.sql));
    let Some(custom) = step.stage.and_then(|k| plan.stages()[k].custom_part()) else {
        return sql(inference::lower(from, to, &mapping)).collect();
    };
    let hooks = |kind: &str, n: usize| {
        (1..=n)
            .map(|k| DryRunAction::Hook(hook_label(kind, k)))
            .collect::<Vec<_>>()
    };
    let mut out = hooks("will_migrate", custom.will_migrate.len());
    let mut skip = HashSet::new();
    let mut keep = HashSet::new();
    for transform in &custom.transforms {
        let (source, target) = ((transform.source)(), (transform.target)());
        out.push(DryRunAction::Transform {
            entity: source.name().to_owned(),
            rows: None,
        });
        skip.insert(target.name().to_owned());
        keep.insert(source.name().to_owned());
    }
    out.extend(sql(inference::lower_except(
        from, to, &mapping, &skip, &keep,
    )));
    out.extend(hooks("migrate", custom.migrate.len()));
    out.extend(hooks("did_migrate", custom.did_migrate.len()));
    out
}
