//! The runner: executes the steps of a migration path in one transaction.

use std::path::Path;
use std::time::Instant;

use rusqlite::{Connection, TransactionBehavior, params};
use tracing::{debug, info, info_span};

use crate::error::{ConstraintKind, Error, MigrationError, Result};
use crate::inference::{self, Purpose, SchemaMapping, Statement};
use crate::plan::SchemaMigrationPlan;
use crate::schema::{ID_COLUMN, Version, VersionedSchema};
use crate::store::{self, HISTORY_TABLE, METADATA_TABLE, sql::quote_ident};

/// One physical step of a migration path.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    /// Index of the source schema in the plan.
    pub from: usize,
    /// Index of the target schema in the plan.
    pub to: usize,
    /// The (possibly composed) mapping for the entities no transform builds.
    pub mapping: SchemaMapping,
}

/// The steps from schema `from` to the latest: one per consecutive pair.
pub(crate) fn steps<S: VersionedSchema>(plan: &SchemaMigrationPlan<S>, from: usize) -> Vec<Step> {
    plan.gaps()
        .iter()
        .enumerate()
        .skip(from)
        .map(|(i, gap)| Step {
            from: i,
            to: i + 1,
            mapping: gap.mapping.clone(),
        })
        .collect()
}

/// Migrates the store behind `conn` from `from` to the plan's latest version,
/// all in one transaction: on any error the store is left as it was.
pub(crate) fn run<S: VersionedSchema>(
    conn: &mut Connection,
    path: &Path,
    plan: &SchemaMigrationPlan<S>,
    from: Version,
) -> Result<()> {
    let latest = S::VERSION;
    let span = info_span!("migrate", path = %path.display(), %from, to = %latest);
    let _entered = span.enter();
    // Foreign key enforcement cannot change inside a transaction; table
    // rebuilds need it off, and `foreign_key_check` runs before commit instead.
    conn.pragma_update(None, "foreign_keys", false)?;
    let result = run_in_transaction(conn, path, plan, from);
    conn.pragma_update(None, "foreign_keys", true)?;
    result
}

fn run_in_transaction<S: VersionedSchema>(
    conn: &mut Connection,
    path: &Path,
    plan: &SchemaMigrationPlan<S>,
    from: Version,
) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another connection may have migrated the store while this one waited for the lock.
    let current = store::read_metadata(&tx, path)?;
    if current.version == S::VERSION {
        info!("store already migrated by another connection");
        return Ok(());
    }
    if current.version != from {
        return Err(MigrationError::NoPath {
            path: path.to_owned(),
            from: current.version,
            to: S::VERSION,
        }
        .into());
    }
    let start = plan.index_of(from).ok_or_else(|| MigrationError::NoPath {
        path: path.to_owned(),
        from,
        to: S::VERSION,
    })?;
    for step in steps(plan, start) {
        let schemas = plan.schemas();
        let (source, target) = (&schemas[step.from], &schemas[step.to]);
        let stage_span = info_span!("stage", from = %source.version(), to = %target.version(), kind = "inferred");
        let _entered = stage_span.enter();
        let started_at = store::now_millis();
        let clock = Instant::now();
        let statements = inference::lower(source.descriptor(), target.descriptor(), &step.mapping);
        let mut rows = 0u64;
        for statement in &statements {
            rows += execute(&tx, statement).map_err(|error| {
                step_error(
                    &tx,
                    path,
                    source.version(),
                    target.version(),
                    statement,
                    error,
                )
            })?;
        }
        let duration = i64::try_from(clock.elapsed().as_millis()).unwrap_or(i64::MAX);
        tx.execute(
            &format!(
                "INSERT INTO {} (from_version, to_version, kind, started_at, duration_ms, rows_touched) \
                 VALUES (?1, ?2, 'inferred', ?3, ?4, ?5)",
                quote_ident(HISTORY_TABLE)
            ),
            params![source.version().to_string(), target.version().to_string(), started_at, duration, rows as i64],
        )?;
        info!(rows, duration_ms = duration, "step done");
    }
    let latest = plan.schemas().last().expect("a plan has a schema");
    let differences = store::verify::drift(&tx, latest.descriptor())?;
    if !differences.is_empty() {
        return Err(MigrationError::SchemaDrift {
            path: path.to_owned(),
            version: latest.version(),
            differences,
        }
        .into());
    }
    let violations: i64 =
        tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |row| {
            row.get(0)
        })?;
    if violations > 0 {
        return Err(MigrationError::SchemaDrift {
            path: path.to_owned(),
            version: latest.version(),
            differences: vec![format!("{violations} foreign key violations")],
        }
        .into());
    }
    tx.execute(
        &format!(
            "UPDATE {} SET version = ?1, checksum = ?2, updated_at = ?3 WHERE id = 1",
            quote_ident(METADATA_TABLE)
        ),
        params![
            latest.version().to_string(),
            latest.checksum().to_string(),
            store::now_millis()
        ],
    )?;
    tx.commit()?;
    Ok(())
}

/// Runs one statement; returns the rows it wrote.
fn execute(conn: &Connection, statement: &Statement) -> rusqlite::Result<u64> {
    debug!(sql = %statement.sql, "execute");
    let changed = conn.execute(&statement.sql, [])?;
    Ok(match statement.purpose {
        Purpose::CopyRows { .. } => changed as u64,
        _ => 0,
    })
}

/// Turns a failed statement into an error naming the step, entity and attribute.
fn step_error(
    conn: &Connection,
    path: &Path,
    from: Version,
    to: Version,
    statement: &Statement,
    error: rusqlite::Error,
) -> Error {
    let code = error.sqlite_error().map(|e| e.extended_code);
    match (&statement.purpose, code) {
        (
            Purpose::CreateUnique { entity, attribute },
            Some(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE),
        ) => {
            let duplicate = conn
                .query_row(
                    &format!(
                        "SELECT quote({col}), min({id}) FROM {table} GROUP BY {col} HAVING count(*) > 1 LIMIT 1",
                        col = quote_ident(attribute),
                        id = quote_ident(ID_COLUMN),
                        table = quote_ident(entity)
                    ),
                    [],
                    |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)),
                )
                .ok();
            MigrationError::ConstraintViolation {
                path: path.to_owned(),
                from,
                to,
                entity: entity.clone(),
                attribute: attribute.clone(),
                kind: ConstraintKind::Unique,
                row: duplicate.as_ref().map(|d| d.1),
                value: duplicate.map(|d| d.0),
            }
            .into()
        }
        (
            Purpose::CopyRows {
                entity,
                source,
                columns,
            },
            Some(rusqlite::ffi::SQLITE_CONSTRAINT_NOTNULL),
        ) => {
            // SQLite names the temporary table's column: "NOT NULL constraint failed: _staged_new_0.title".
            let message = error.to_string();
            let attribute = columns
                .iter()
                .find(|(name, _)| message.ends_with(&format!(".{name}")))
                .or_else(|| columns.first());
            let (attribute, expression) = attribute.cloned().unwrap_or_default();
            let row = conn
                .query_row(
                    &format!(
                        "SELECT {} FROM {} WHERE ({expression}) IS NULL LIMIT 1",
                        quote_ident(ID_COLUMN),
                        quote_ident(source)
                    ),
                    [],
                    |row| row.get(0),
                )
                .ok();
            MigrationError::ConstraintViolation {
                path: path.to_owned(),
                from,
                to,
                entity: entity.clone(),
                attribute,
                kind: ConstraintKind::NotNull,
                row,
                value: None,
            }
            .into()
        }
        _ => MigrationError::StepFailed {
            path: path.to_owned(),
            from,
            to,
            source: Box::new(Error::Sqlite(error)),
        }
        .into(),
    }
}
