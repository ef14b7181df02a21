//! Each planned step of a migration lowered once: what the check before
//! the migration, the runner and the reference check after it all read.

use crate::inference::{self, SchemaMapping, Statement};
use crate::plan::SchemaMigrationPlan;
use crate::planner::PlannedStep;
use crate::schema::VersionedSchema;
use crate::stage::ErasedCustom;

/// A planned step as every part of a migration reads it: the composed
/// mapping between its schemas and, for an inferred step, its statements,
/// lowered once for the check before the migration, the runner and the
/// reference check after it.
pub(super) struct Lowered<'a> {
    pub(super) mapping: SchemaMapping,
    pub(super) work: Work<'a>,
}

/// What a step runs.
pub(super) enum Work<'a> {
    /// An inferred step's statements.
    Inferred(Vec<Statement>),
    /// A custom stage (the runner lowers what its transforms leave to
    /// inference, around its hooks).
    Custom(&'a ErasedCustom),
}

impl<'a> Lowered<'a> {
    /// `step` of `plan`, its mapping composed and, when inferred, lowered.
    pub(super) fn new<S: VersionedSchema>(
        plan: &'a SchemaMigrationPlan<S>,
        step: &PlannedStep,
    ) -> Self {
        let mapping = plan.mapping(step.from, step.to);
        let work = match step.stage.and_then(|k| plan.stages()[k].custom_part()) {
            Some(custom) => Work::Custom(custom),
            None => {
                let schemas = plan.schemas();
                let (source, target) = (&schemas[step.from], &schemas[step.to]);
                Work::Inferred(inference::lower(
                    source.descriptor(),
                    target.descriptor(),
                    &mapping,
                ))
            }
        };
        Lowered { mapping, work }
    }

    /// An inferred step's statements; `None` for a custom step.
    pub(super) fn statements(&self) -> Option<&[Statement]> {
        match &self.work {
            Work::Inferred(statements) => Some(statements),
            Work::Custom(_) => None,
        }
    }
}
