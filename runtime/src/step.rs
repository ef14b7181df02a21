//! [`StepKind`]: how a migration step runs, and the one name every report
//! gives it.

use std::fmt;

use serde::Serialize;

/// How a step of a migration runs: a custom stage's hooks and transforms,
/// or SQL that staged infers from the two schemas.
///
/// Displays as `custom` or `inferred`: in a [`MigrationPath`](crate::MigrationPath)
/// (`1.0.0 -[custom]-> 2.0.0 -[inferred]-> 3.0.0`), in the store's history
/// table (and so in [`HistoryEntry`](crate::HistoryEntry)), in a dry run's
/// report and in the `staged` command's output. A lightweight stage
/// ([`MigrationStage::lightweight`](crate::MigrationStage::lightweight))
/// declares that the step between its two versions is inferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum StepKind {
    /// A custom stage runs: its hooks, its transforms, and the inferred SQL
    /// for the entities without a transform.
    Custom,
    /// SQL inferred from the schemas runs (one step may span several versions).
    Inferred,
}

impl StepKind {
    /// `custom` or `inferred`, as displayed and as stored in the history table.
    pub fn name(self) -> &'static str {
        match self {
            StepKind::Custom => "custom",
            StepKind::Inferred => "inferred",
        }
    }

    /// The kind a [`name`](StepKind::name) names.
    pub(crate) fn from_name(name: &str) -> Option<StepKind> {
        [StepKind::Custom, StepKind::Inferred]
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::StepKind;

    #[test]
    fn a_step_kind_reads_back_its_name() {
        for kind in [StepKind::Custom, StepKind::Inferred] {
            assert_eq!(StepKind::from_name(&kind.to_string()), Some(kind));
        }
        assert_eq!(StepKind::Inferred.to_string(), "inferred");
        assert_eq!(StepKind::from_name("lightweight"), None);
    }
}
