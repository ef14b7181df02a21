//! The report of a dry run and how it prints.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::planner::{MigrationPath, MigrationStep};
use crate::schema::Version;

/// What [`ModelContainerBuilder::dry_run`](crate::ModelContainerBuilder::dry_run)
/// found: the path a store would take to the plan's latest version, what
/// each step runs, the rows per entity, and the problems that would stop it.
///
/// Prints as readable text:
///
/// ```text
/// dry run of `app.sqlite`: 1.0.0 -[inferred]-> 2.0.0
/// rows at 1.0.0: Reminder 3
///
/// step 1 of 1: 1.0.0 -> 2.0.0, inferred: failed
///   CREATE UNIQUE INDEX "_staged_unique_8_Reminder_title" ON "Reminder" ("title");
///   rows before: Reminder 3
///   problem: `Reminder.title` becomes unique but 2 records have the value 'same' (e.g. record 1)
///
/// the migration would fail; the store was not changed
/// ```
#[derive(Debug, Clone)]
pub struct DryRunReport {
    pub(super) path: PathBuf,
    pub(super) new_store: bool,
    pub(super) migration_path: MigrationPath,
    pub(super) steps: Vec<DryRunStep>,
    pub(super) rows_before: Vec<(String, u64)>,
    pub(super) rows_after: Option<Vec<(String, u64)>>,
}

impl DryRunReport {
    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether there is no store at the path yet (opening it would create one
    /// at the latest version; nothing would be migrated).
    pub fn is_new_store(&self) -> bool {
        self.new_store
    }

    /// The version the store is at (the latest version for a new store).
    pub fn store_version(&self) -> Version {
        self.migration_path.start()
    }

    /// The path the migration takes (no steps when the store is up to date).
    pub fn migration_path(&self) -> &MigrationPath {
        &self.migration_path
    }

    /// One entry per step of the path, in order, including the steps a
    /// failure would keep from running.
    pub fn steps(&self) -> &[DryRunStep] {
        &self.steps
    }

    /// Every problem found, step by step.
    pub fn problems(&self) -> impl Iterator<Item = &DryRunProblem> {
        self.steps.iter().flat_map(|s| s.problems.iter())
    }

    /// Whether opening the store would succeed without losing data: every
    /// step ran, and no problem was found (a lost row or value is one:
    /// see [`DryRunProblem::loses_data`]).
    pub fn would_succeed(&self) -> bool {
        self.steps
            .iter()
            .all(|s| s.outcome == StepOutcome::Succeeded && s.problems.is_empty())
    }

    /// Whether the migration would run but lose rows or values that the
    /// plan does not delete on purpose.
    pub fn loses_data(&self) -> bool {
        self.problems().any(DryRunProblem::loses_data)
    }

    /// Rows per entity of the store's schema, now (in schema order).
    pub fn rows_before(&self) -> &[(String, u64)] {
        &self.rows_before
    }

    /// Rows per entity of the latest schema after the migration; `None` when it would fail.
    pub fn rows_after(&self) -> Option<&[(String, u64)]> {
        self.rows_after.as_deref()
    }

    /// The rows the steps would write (copied by table rebuilds, written by transforms).
    pub fn rows_written(&self) -> u64 {
        self.steps.iter().filter_map(|s| s.rows_written).sum()
    }
}

/// One step of a [`DryRunReport`].
#[derive(Debug, Clone)]
pub struct DryRunStep {
    pub(super) step: MigrationStep,
    pub(super) outcome: StepOutcome,
    pub(super) actions: Vec<DryRunAction>,
    pub(super) rows_before: Option<Vec<(String, u64)>>,
    pub(super) rows_after: Option<Vec<(String, u64)>>,
    pub(super) rows_written: Option<u64>,
    pub(super) problems: Vec<DryRunProblem>,
}

impl DryRunStep {
    /// The step: its versions and whether it is custom.
    pub fn step(&self) -> &MigrationStep {
        &self.step
    }

    /// How the step went on the copy.
    pub fn outcome(&self) -> StepOutcome {
        self.outcome
    }

    /// What the step ran, in order (what it would run, for a step that did not run).
    pub fn actions(&self) -> &[DryRunAction] {
        &self.actions
    }

    /// The SQL statements among the [`actions`](DryRunStep::actions).
    pub fn sql(&self) -> impl Iterator<Item = &str> {
        self.actions.iter().filter_map(|a| match a {
            DryRunAction::Sql(sql) => Some(sql.as_str()),
            _ => None,
        })
    }

    /// Rows per entity of the step's source schema before it ran; `None` if it did not run.
    pub fn rows_before(&self) -> Option<&[(String, u64)]> {
        self.rows_before.as_deref()
    }

    /// Rows per entity of the step's target schema after it ran; `None` unless it succeeded.
    pub fn rows_after(&self) -> Option<&[(String, u64)]> {
        self.rows_after.as_deref()
    }

    /// The rows the step wrote, as the history table records them; `None` unless it succeeded.
    pub fn rows_written(&self) -> Option<u64> {
        self.rows_written
    }

    /// The problems found in this step.
    pub fn problems(&self) -> &[DryRunProblem] {
        &self.problems
    }
}

/// How a step of a dry run went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StepOutcome {
    /// The step ran on the copy without error.
    Succeeded,
    /// The step failed; see its problems.
    Failed,
    /// An earlier step failed; the actions listed are the planned ones.
    NotRun,
}

/// One thing a step runs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DryRunAction {
    /// A SQL statement.
    Sql(String),
    /// A hook of a custom stage, e.g. "`will_migrate` hook #1" (its own
    /// statements, made through a `ModelContext`, are not listed).
    Hook(String),
    /// A transform of a custom stage, streaming the old rows of an entity
    /// into the new entity's table.
    Transform {
        /// The old entity.
        entity: String,
        /// The rows it wrote; `None` if it did not finish.
        rows: Option<u64>,
    },
}

impl fmt::Display for DryRunAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DryRunAction::Sql(sql) => write!(f, "{sql};"),
            DryRunAction::Hook(label) => write!(f, "-- run {label}"),
            DryRunAction::Transform { entity, rows } => {
                write!(f, "-- run transform of `{entity}`")?;
                match rows {
                    Some(rows) => write!(f, " ({rows} rows written)"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// Something that would make the migration fail, or lose data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DryRunProblem {
    /// An entity would have fewer rows after the step than it had before
    /// (than its transform wrote, for an entity a custom stage transforms),
    /// though no removal and no `transform_or_drop` deletes them: a cascade
    /// from a removed entity, a hook, or a rename without `original_name`.
    RowsLost {
        /// The entity (target name).
        entity: String,
        /// The rows it should keep.
        expected: u64,
        /// The rows it would have.
        after: u64,
    },
    /// Records would lose the value of an attribute that the newer schema
    /// keeps (or renames): it was set before the step and is NULL after.
    BecameNull {
        /// The entity (target name).
        entity: String,
        /// The attribute (target name).
        attribute: String,
        /// How many records would lose their value.
        records: u64,
    },
    /// The values of an attribute the newer schema no longer has and does
    /// not declare removed would be deleted.
    ValuesLost {
        /// The entity (source name).
        entity: String,
        /// The attribute (source name).
        attribute: String,
        /// How many records have a value there.
        records: u64,
    },
    /// Records share a value of an attribute that becomes unique.
    Duplicate {
        /// The entity (target name).
        entity: String,
        /// The attribute that becomes unique.
        attribute: String,
        /// One shared value, as SQL text (e.g. `'same'`).
        value: String,
        /// One record with that value.
        row: i64,
        /// How many records have that value.
        records: u64,
    },
    /// Records have NULL where an attribute becomes required.
    Null {
        /// The entity (target name).
        entity: String,
        /// The attribute that becomes required.
        attribute: String,
        /// One such record.
        row: i64,
        /// How many records are NULL there.
        records: u64,
    },
    /// Records share the values of a compound constraint that becomes unique.
    DuplicateTogether {
        /// The entity (target name).
        entity: String,
        /// The constraint's attributes, in order.
        attributes: Vec<String>,
        /// The shared values, as SQL text (e.g. `(1, 'same')`).
        values: String,
        /// The ids of the records that share them, ascending.
        rows: Vec<i64>,
    },
    /// Records hold a variant that the enum of a `StoredEnum` attribute no
    /// longer has (removed or renamed).
    RemovedVariant {
        /// The entity (target name).
        entity: String,
        /// The attribute (target name).
        attribute: String,
        /// The removed variant held by the record with the lowest id, as SQL
        /// text (e.g. `'Draft'`).
        value: String,
        /// The ids of the records holding it, ascending.
        rows: Vec<i64>,
        /// How many records hold any removed variant of the attribute.
        records: u64,
    },
    /// Any other failure (a hook's error, a SQL error, schema drift), as the migration would report it.
    Failed {
        /// The error's message.
        message: String,
    },
}

impl DryRunProblem {
    /// Whether the problem is data the migration would lose (rather than
    /// data it would fail on).
    pub fn loses_data(&self) -> bool {
        matches!(
            self,
            DryRunProblem::RowsLost { .. }
                | DryRunProblem::BecameNull { .. }
                | DryRunProblem::ValuesLost { .. }
        )
    }
}

fn records(n: u64) -> &'static str {
    if n == 1 { "record" } else { "records" }
}

impl fmt::Display for DryRunProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DryRunProblem::RowsLost {
                entity,
                expected,
                after,
            } => write!(
                f,
                "`{entity}` would lose {} of its {expected} {} ({after} left), though the plan \
                 deletes none on purpose: give a renamed entity its `original_name`, or find \
                 the hook or cascade that deletes them",
                expected - after,
                records(*expected)
            ),
            DryRunProblem::BecameNull {
                entity,
                attribute,
                records: n,
            } => write!(
                f,
                "`{entity}.{attribute}` would become NULL in {n} {} that had a value: check \
                 the transform or hook that writes it",
                records(*n)
            ),
            DryRunProblem::ValuesLost {
                entity,
                attribute,
                records: n,
            } => write!(
                f,
                "the values of `{entity}.{attribute}` in {n} {} would be deleted, though the \
                 plan does not declare it removed: give a renamed attribute its \
                 `original_name`",
                records(*n)
            ),
            DryRunProblem::Duplicate {
                entity,
                attribute,
                value,
                row,
                records,
            } => write!(
                f,
                "`{entity}.{attribute}` becomes unique but {records} records have the value {value} (e.g. record {row})"
            ),
            DryRunProblem::Null {
                entity,
                attribute,
                row,
                records,
            } => {
                let have = if *records == 1 {
                    "record has"
                } else {
                    "records have"
                };
                write!(
                    f,
                    "`{entity}.{attribute}` becomes required but {records} {have} NULL (e.g. record {row})"
                )
            }
            DryRunProblem::RemovedVariant {
                entity,
                attribute,
                value,
                rows,
                records,
            } => {
                let ids: Vec<String> = rows.iter().map(i64::to_string).collect();
                write!(
                    f,
                    "`{entity}.{attribute}` no longer has the variant {value} but records {} hold it \
                     ({records} records hold a removed variant)",
                    ids.join(", ")
                )
            }
            DryRunProblem::DuplicateTogether {
                entity,
                attributes,
                values,
                rows,
            } => {
                let members: Vec<String> = attributes.iter().map(|a| format!("`{a}`")).collect();
                let ids: Vec<String> = rows.iter().map(i64::to_string).collect();
                write!(
                    f,
                    "`{entity}` becomes unique on ({}) but {} records have the values {values} (records {})",
                    members.join(", "),
                    rows.len(),
                    ids.join(", ")
                )
            }
            DryRunProblem::Failed { message } => f.write_str(message),
        }
    }
}

fn write_counts(f: &mut fmt::Formatter<'_>, counts: &[(String, u64)]) -> fmt::Result {
    if counts.is_empty() {
        return f.write_str("no entities");
    }
    for (k, (entity, rows)) in counts.iter().enumerate() {
        let separator = if k == 0 { "" } else { ", " };
        write!(f, "{separator}{entity} {rows}")?;
    }
    Ok(())
}

impl fmt::Display for DryRunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        if self.new_store {
            return write!(
                f,
                "dry run of `{path}`: no store yet; opening it would create one at {}",
                self.migration_path.end()
            );
        }
        writeln!(f, "dry run of `{path}`: {}", self.migration_path)?;
        write!(f, "rows at {}: ", self.migration_path.start())?;
        write_counts(f, &self.rows_before)?;
        writeln!(f)?;
        let total = self.steps.len();
        for (index, step) in self.steps.iter().enumerate() {
            let kind = step.step.kind();
            let outcome = match step.outcome {
                StepOutcome::Succeeded => "ok",
                StepOutcome::Failed => "failed",
                StepOutcome::NotRun => "not run (planned actions)",
            };
            writeln!(f)?;
            writeln!(
                f,
                "step {} of {total}: {} -> {}, {kind}: {outcome}",
                index + 1,
                step.step.from(),
                step.step.to()
            )?;
            for action in &step.actions {
                writeln!(f, "  {action}")?;
            }
            if let Some(before) = &step.rows_before {
                f.write_str("  rows before: ")?;
                write_counts(f, before)?;
                writeln!(f)?;
            }
            if let Some(after) = &step.rows_after {
                f.write_str("  rows after: ")?;
                write_counts(f, after)?;
                writeln!(f)?;
            }
            if let Some(rows) = step.rows_written {
                writeln!(f, "  rows written: {rows}")?;
            }
            for problem in &step.problems {
                writeln!(f, "  problem: {problem}")?;
            }
        }
        writeln!(f)?;
        match (&self.rows_after, self.steps.is_empty()) {
            (Some(_), true) => write!(f, "the store is up to date; nothing to migrate"),
            (Some(after), false) if self.loses_data() => {
                write!(
                    f,
                    "the migration would run but lose data (see the problems above); rows at {}: ",
                    self.migration_path.end()
                )?;
                write_counts(f, after)
            }
            (Some(after), false) => {
                write!(
                    f,
                    "the migration would succeed, writing {} rows; rows at {}: ",
                    self.rows_written(),
                    self.migration_path.end()
                )?;
                write_counts(f, after)
            }
            (None, _) => write!(f, "the migration would fail; the store was not changed"),
        }
    }
}
