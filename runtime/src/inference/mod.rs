//! Inference of lightweight migrations: map two schemas onto each other,
//! list and classify the changes, lower them to SQL, and compose steps.
//!
//! ```text
//! map_step(v1, v2) ─┐
//!                   ├─ compose ─> SchemaMapping v1 -> v3 ─┬─ changes() -> Vec<Change> (classified)
//! map_step(v2, v3) ─┘                                     └─ lower()   -> Vec<Statement> (SQL)
//! ```

mod change;
mod diff;
mod lower;
mod mapping;

pub use change::{Change, ChangeClass, is_widening};
pub use diff::changes;
pub use lower::{
    Purpose, Statement, TableAction, index_statements, lower, lower_except, table_action,
};
pub use mapping::{EntityMapping, LinkSource, SchemaMapping, ValueSource, compose, map_step};

#[cfg(test)]
mod tests;
