//! [`PlanError`]: a migration plan that `build()` rejects.

use crate::change::ChangeClass;
use crate::schema::Version;

/// A migration plan that `build()` rejects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// Two schemas of the plan have the same version.
    #[error("version {version} is added to the plan twice; give every schema its own version")]
    DuplicateVersion {
        /// The repeated version.
        version: Version,
    },

    /// Two schemas of the plan have the same shape.
    #[error(
        "schemas {first} and {second} have the same checksum (identical entities and attributes); \
         a new version must change the schema, otherwise keep the old version"
    )]
    DuplicateChecksum {
        /// The older version.
        first: Version,
        /// The newer version.
        second: Version,
    },

    /// A stage names a schema that was not added to the plan.
    #[error(
        "the stage {from} -> {to} names schema {missing}, which is not in the plan; add it with `.schema::<…>()`"
    )]
    StageSchemaNotInPlan {
        /// The stage's source version.
        from: Version,
        /// The stage's target version.
        to: Version,
        /// The version not in the plan.
        missing: Version,
    },

    /// Two stages join the same pair of versions.
    #[error("two stages migrate from {from} to {to}; keep one (put all its hooks in it)")]
    DuplicateStage {
        /// The source version.
        from: Version,
        /// The target version.
        to: Version,
    },

    /// A lightweight stage jumps over versions.
    #[error(
        "the lightweight stage {from} -> {to} skips versions; lightweight stages join consecutive versions \
         (staged composes runs of them by itself), use a custom stage to jump"
    )]
    LightweightNotConsecutive {
        /// The source version.
        from: Version,
        /// The target version.
        to: Version,
    },

    /// Two transforms of one custom stage read or write the same entity.
    #[error(
        "the custom stage {from} -> {to} has two transforms for entity `{entity}`; merge them into one"
    )]
    DuplicateTransform {
        /// The stage's source version.
        from: Version,
        /// The stage's target version.
        to: Version,
        /// The entity.
        entity: String,
    },

    /// An `original_name` names nothing in the previous version.
    #[error(
        "schema {to}: `{}` has `original_name = \"{original_name}\"`, but schema {from} has no {} named \
         `{original_name}`; `original_name` is the name in the immediately preceding version",
        match attribute { Some(a) => format!("{entity}.{a}"), None => entity.clone() },
        if attribute.is_some() { "attribute" } else { "entity" }
    )]
    UnknownOriginalName {
        /// The previous version.
        from: Version,
        /// The version declaring the `original_name`.
        to: Version,
        /// The entity (new name).
        entity: String,
        /// The attribute (new name), when the rename is an attribute's.
        attribute: Option<String>,
        /// The name that was not found.
        original_name: String,
    },

    /// Two entities or attributes of one version claim the same predecessor.
    #[error(
        "schema {to}: `{first}` and `{second}` both take their data from `{original_name}` of schema {from}; \
         only one can (add `original_name` to one of them only, or rename the other)"
    )]
    AmbiguousOriginal {
        /// The previous version.
        from: Version,
        /// The later version.
        to: Version,
        /// The contested name in `from`.
        original_name: String,
        /// The first claimant.
        first: String,
        /// The second claimant.
        second: String,
    },

    /// A change between two versions that no SQL alone can apply.
    #[error("cannot infer the migration from {from} to {to}: {change} ({class}); {fix}")]
    NotInferable {
        /// The older version.
        from: Version,
        /// The newer version.
        to: Version,
        /// The entity.
        entity: String,
        /// The attribute, if the change is about one.
        attribute: Option<String>,
        /// The change, as text.
        change: String,
        /// Why SQL alone cannot apply it: [`ChangeClass::NeedsDefault`],
        /// [`ChangeClass::NeedsCustomStage`] or
        /// [`ChangeClass::NotWithTransform`] (displayed as its name).
        class: ChangeClass,
        /// What to do about it.
        fix: String,
    },

    /// A version deletes data of the previous one that no `removed(…)`
    /// names: every such removal of the gap, each with its fix.
    #[error(
        "schema {to} deletes data of schema {from} that no `removed(…)` names:{}",
        removals.iter().map(|r| format!("\n  - {r}")).collect::<String>()
    )]
    UndeclaredRemovals {
        /// The older version.
        from: Version,
        /// The newer version.
        to: Version,
        /// Every undeclared removal of the gap.
        removals: Vec<UndeclaredRemoval>,
    },

    /// A `removed(…)` names nothing of the previous version.
    #[error(
        "schema {to}: `removed({name})` on {} names nothing of schema {from}; `removed(…)` names {} of the \
         immediately preceding version that this one deletes: remove `{name}` from it (or fix the spelling)",
        match entity { Some(e) => format!("`{e}`"), None => "the schema".to_owned() },
        if entity.is_some() { format!("attributes and relationships of `{}`", entity.as_deref().unwrap_or_default()) } else { "entities".to_owned() }
    )]
    UnknownRemoved {
        /// The previous version.
        from: Version,
        /// The version declaring the `removed(…)`.
        to: Version,
        /// The entity whose `#[model(removed(…))]` it is; `None` for
        /// `#[versioned_schema(removed(…))]`.
        entity: Option<String>,
        /// The name not found.
        name: String,
    },

    /// The newer schema module of a gap declares hooks (so it generates
    /// `vN::stage()`, which the plan always runs), and the plan declares
    /// another stage for the same gap.
    #[error(
        "schema {to} declares migration hooks, so the plan runs its stage `{stage}` from {from}, but the plan \
         declares another stage from {from} to {to}; remove that stage (and put its hooks in the module), \
         or add `.stage({stage})` in its place"
    )]
    ModuleStageReplaced {
        /// The older version.
        from: Version,
        /// The newer version, whose module declares hooks.
        to: Version,
        /// The module's stage, as the plan names it: `v2::stage()`.
        stage: String,
    },

    /// `oldest_supported` names a version that is not a schema of the plan.
    #[error(
        "`oldest_supported({version})` names a version that is not in the plan; name one of the \
         plan's schemas (the oldest the app still opens), or add that schema with `.schema::<…>()`"
    )]
    OldestSupportedNotInPlan {
        /// The version named.
        version: Version,
    },

    /// Several problems at once: every problem `build()` found, in order.
    #[error(
        "the plan has {} problems:{}",
        .0.len(),
        .0.iter().map(|p| format!("\n- {}", p.to_string().replace('\n', "\n  "))).collect::<String>()
    )]
    Problems(Vec<PlanError>),
}

impl PlanError {
    /// The problems this error stands for: the list of a
    /// [`PlanError::Problems`], or this error alone.
    pub fn problems(&self) -> &[PlanError] {
        match self {
            PlanError::Problems(problems) => problems,
            other => std::slice::from_ref(other),
        }
    }
}

/// A removal between two versions that no `removed(…)` names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UndeclaredRemoval {
    /// The entity: its name in the newer version, or in the older one when
    /// the entity itself is removed.
    pub entity: String,
    /// The attribute or relationship (old name); `None` when the entity is removed.
    pub name: Option<String>,
    /// The change, as text.
    pub change: String,
    /// What to do about it; never a fix that loses data by itself.
    pub fix: String,
}

impl std::fmt::Display for UndeclaredRemoval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.change, self.fix)
    }
}
