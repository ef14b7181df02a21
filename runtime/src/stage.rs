//! [`MigrationStage`]: how to go from one schema version to another.

use std::fmt;

use crate::schema::{Version, VersionedSchema};

/// A step of a [`SchemaMigrationPlan`](crate::SchemaMigrationPlan) between two schema versions.
pub struct MigrationStage {
    from: Version,
    to: Version,
    kind: StageKind,
}

/// What a stage runs.
pub(crate) enum StageKind {
    /// Only the inferred SQL.
    Lightweight,
}

impl MigrationStage {
    /// A stage whose SQL is inferred from the two schemas, which must be
    /// consecutive in the plan. Consecutive schemas without any declared stage
    /// get one implicitly; declaring it documents that the change is meant to
    /// be lightweight, and `build()` fails if it is not.
    pub fn lightweight<A: VersionedSchema, B: VersionedSchema>() -> Self {
        const {
            assert!(
                B::VERSION.is_newer_than(A::VERSION),
                "a stage goes from an older schema to a newer one: `lightweight::<A, B>()` needs B::VERSION > A::VERSION"
            );
        }
        MigrationStage {
            from: A::VERSION,
            to: B::VERSION,
            kind: StageKind::Lightweight,
        }
    }

    /// The version the stage migrates from.
    pub fn from(&self) -> Version {
        self.from
    }

    /// The version the stage migrates to.
    pub fn to(&self) -> Version {
        self.to
    }

    /// Whether the stage runs user code.
    pub fn is_custom(&self) -> bool {
        !matches!(self.kind, StageKind::Lightweight)
    }

    pub(crate) fn kind(&self) -> &StageKind {
        &self.kind
    }
}

impl fmt::Debug for MigrationStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_custom() {
            "custom"
        } else {
            "lightweight"
        };
        write!(f, "MigrationStage({} -[{kind}]-> {})", self.from, self.to)
    }
}
