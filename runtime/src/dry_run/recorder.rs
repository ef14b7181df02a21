//! The [`Recorder`] the runner reports to during a dry run, and the probes
//! that find the data a statement would fail on.

use std::cell::RefCell;

use rusqlite::Connection;

use super::{DryRunAction, DryRunProblem};
use crate::inference::{Purpose, Statement};
use crate::migrate::{Recorder, probe};
use crate::schema::SchemaDescriptor;
use crate::sql;

/// What the runner did on the copy so far, step by step.
#[derive(Debug, Default)]
pub(crate) struct StepRecorder {
    pub(super) steps: RefCell<Vec<Recorded>>,
}

#[derive(Debug, Default)]
pub(super) struct Recorded {
    pub(super) actions: Vec<DryRunAction>,
    pub(super) rows_before: Vec<(String, u64)>,
    pub(super) rows_after: Option<Vec<(String, u64)>>,
    pub(super) rows_written: Option<u64>,
    pub(super) problems: Vec<DryRunProblem>,
    /// Rows and values per entity of the step's source schema, before it ran.
    pub(super) values_before: Vec<EntityValues>,
    /// Rows and values per entity of the step's target schema, once it succeeded.
    pub(super) values_after: Option<Vec<EntityValues>>,
}

/// The rows of one entity's table, and per attribute the rows where it is
/// not NULL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct EntityValues {
    pub(super) entity: String,
    pub(super) rows: u64,
    pub(super) values: Vec<(String, u64)>,
}

impl EntityValues {
    /// The rows where `attribute` is not NULL.
    pub(super) fn values_of(&self, attribute: &str) -> Option<u64> {
        self.values
            .iter()
            .find(|(name, _)| name == attribute)
            .map(|(_, n)| *n)
    }
}

impl StepRecorder {
    fn current(&self, change: impl FnOnce(&mut Recorded)) {
        if let Some(step) = self.steps.borrow_mut().last_mut() {
            change(step);
        }
    }
}

impl Recorder for StepRecorder {
    /// A step starts on a store at schema `from`.
    fn begin_step(&self, conn: &Connection, from: &SchemaDescriptor) {
        let values_before = values(conn, from);
        self.steps.borrow_mut().push(Recorded {
            rows_before: values_before
                .iter()
                .map(|v| (v.entity.clone(), v.rows))
                .collect(),
            values_before,
            ..Recorded::default()
        });
    }

    /// The runner runs `sql` itself.
    fn sql(&self, sql: &str) {
        self.current(|s| s.actions.push(DryRunAction::Sql(sql.to_owned())));
    }

    /// The runner is about to run a lowered statement towards schema `to`:
    /// note it, and the data it would fail on.
    fn statement(&self, conn: &Connection, to: &SchemaDescriptor, statement: &Statement) {
        let problems = data_problems(conn, to, statement);
        self.current(|s| {
            s.actions.push(DryRunAction::Sql(statement.sql.clone()));
            s.problems.extend(problems);
        });
    }

    /// A hook is about to run.
    fn hook(&self, label: &str) {
        self.current(|s| s.actions.push(DryRunAction::Hook(label.to_owned())));
    }

    /// The transform of (old) `entity` is about to run.
    fn transform(&self, entity: &str) {
        self.current(|s| {
            s.actions.push(DryRunAction::Transform {
                entity: entity.to_owned(),
                rows: None,
            });
        });
    }

    /// The last transform wrote `written` rows.
    fn rows_written(&self, written: u64) {
        self.current(|s| {
            if let Some(DryRunAction::Transform { rows, .. }) = s.actions.last_mut() {
                *rows = Some(written);
            }
        });
    }

    /// The step succeeded, writing `rows`, and the store is at schema `to`.
    fn end_step(&self, conn: &Connection, to: &SchemaDescriptor, rows: u64) {
        let after = values(conn, to);
        self.current(|s| {
            s.rows_after = Some(after.iter().map(|v| (v.entity.clone(), v.rows)).collect());
            s.values_after = Some(after);
            s.rows_written = Some(rows);
        });
    }
}

/// Rows per entity of `schema`, in schema order.
pub(super) fn counts(conn: &Connection, schema: &SchemaDescriptor) -> Vec<(String, u64)> {
    schema
        .entities()
        .iter()
        .map(|entity| {
            let rows: i64 = conn
                .query_row(&sql::count(entity.name(), ""), [], |row| row.get(0))
                .unwrap_or_default();
            (entity.name().to_owned(), rows.unsigned_abs())
        })
        .collect()
}

/// Rows and non-NULL values per entity and attribute of `schema`, in schema
/// order: one scan of each table.
pub(super) fn values(conn: &Connection, schema: &SchemaDescriptor) -> Vec<EntityValues> {
    schema
        .entities()
        .iter()
        .map(|entity| {
            let names: Vec<&str> = entity.attributes().iter().map(|a| a.name()).collect();
            let sql = sql::count_values(entity.name(), names.iter().copied());
            let counts: Vec<i64> = conn
                .query_row(&sql, [], |row| {
                    (0..=names.len()).map(|k| row.get::<_, i64>(k)).collect()
                })
                .unwrap_or_default();
            let count = |k: usize| counts.get(k).copied().unwrap_or_default().unsigned_abs();
            EntityValues {
                entity: entity.name().to_owned(),
                rows: count(0),
                values: names
                    .iter()
                    .enumerate()
                    .map(|(k, name)| ((*name).to_owned(), count(k + 1)))
                    .collect(),
            }
        })
        .collect()
}

/// The data `statement` would fail on, looked up just before it runs.
fn data_problems(
    conn: &Connection,
    to: &SchemaDescriptor,
    statement: &Statement,
) -> Vec<DryRunProblem> {
    match &statement.purpose {
        Purpose::CreateUnique { entity, attribute } => probe::duplicate(conn, entity, attribute)
            .map(|duplicate| DryRunProblem::Duplicate {
                entity: entity.clone(),
                attribute: attribute.clone(),
                value: duplicate.value,
                row: duplicate.row,
                records: duplicate.records,
            })
            .into_iter()
            .collect(),
        Purpose::CreateUniqueTogether { entity, attributes } => {
            probe::duplicate_together(conn, entity, attributes)
                .map(|duplicate| DryRunProblem::DuplicateTogether {
                    entity: entity.clone(),
                    attributes: attributes.clone(),
                    values: duplicate.values,
                    rows: duplicate.rows,
                })
                .into_iter()
                .collect()
        }
        Purpose::RemovedValues {
            entity, attribute, ..
        } => probe::removed_value(conn, &statement.sql)
            .map(|found| DryRunProblem::RemovedVariant {
                entity: entity.clone(),
                attribute: attribute.clone(),
                value: found.value,
                rows: found.rows,
                records: found.records,
            })
            .into_iter()
            .collect(),
        Purpose::CopyRows {
            entity,
            source,
            columns,
            ..
        } => {
            let required = |attribute: &str| {
                to.entity(entity)
                    .and_then(|e| e.attribute(attribute))
                    .is_some_and(|a| !a.is_optional())
            };
            columns
                .iter()
                .filter(|(attribute, _)| required(attribute))
                .filter_map(|(attribute, expression)| {
                    let nulls = probe::nulls(conn, source, expression)?;
                    Some(DryRunProblem::Null {
                        entity: entity.clone(),
                        attribute: attribute.clone(),
                        row: nulls.row,
                        records: nulls.records,
                    })
                })
                .collect()
        }
        _ => Vec::new(),
    }
}
