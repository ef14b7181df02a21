//! Inference of lightweight migrations: map two schemas onto each other,
//! list and classify the changes, lower them to SQL, and compose steps.
//!
//! ```text
//! map_step(v1, v2) ─┐
//!                   ├─ compose ─> SchemaMapping v1 -> v3 ─┬─ changes() -> Vec<Change> (classified)
//! map_step(v2, v3) ─┘                                     └─ lower()   -> Vec<Statement> (SQL)
//! ```

mod diff;
mod lower;
pub(crate) mod mapping;

pub use diff::changes;
pub use lower::{Purpose, Statement, index_statements, lower, lower_except};
#[cfg(not(feature = "internals"))]
pub(crate) use mapping::LinkSource;
pub use mapping::{SchemaMapping, compose, map_step};
// Only the workspace's own tests reach these, through `__internals`.
#[cfg(feature = "internals")]
pub use {
    crate::change::is_widening,
    lower::{TableAction, table_action},
    mapping::{EntityMapping, LinkSource, ValueSource},
};

#[cfg(test)]
mod tests;

use crate::change::Change;
use crate::error::Result;
use crate::schema::SchemaDescriptor;

/// What staged infers for a lightweight step between two schemas: every
/// change, classified, and the SQL the step runs when every change is
/// inferable. This is what `staged diff` and `staged check` show.
#[derive(Debug, Clone)]
pub struct StepInference {
    changes: Vec<Change>,
    sql: Vec<String>,
}

impl StepInference {
    /// The changes from the older schema to the newer, each classified.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// Whether a lightweight stage can apply every change.
    pub fn is_lightweight(&self) -> bool {
        self.changes.iter().all(|c| c.class().is_inferable())
    }

    /// The statements of the lightweight step, in order; empty when the
    /// step is not lightweight (a custom stage decides what runs).
    pub fn sql(&self) -> &[String] {
        &self.sql
    }
}

/// Infers the lightweight step from schema `from` to schema `to`.
///
/// Fails with a [`PlanError`](crate::PlanError) when the two schemas cannot
/// be mapped onto each other (e.g. two entities claim the same original name).
pub fn infer_step(from: &SchemaDescriptor, to: &SchemaDescriptor) -> Result<StepInference> {
    let mapping = map_step(from, to)?;
    let changes = changes(from, to, &mapping);
    let sql = if changes.iter().all(|c| c.class().is_inferable()) {
        lower(from, to, &mapping)
            .into_iter()
            .map(|statement| statement.sql)
            .collect()
    } else {
        Vec::new()
    };
    Ok(StepInference { changes, sql })
}
