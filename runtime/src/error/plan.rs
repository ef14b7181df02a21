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

    /// `oldest_supported` names a version that is not a schema of the plan.
    #[error(
        "`oldest_supported({version})` names a version that is not in the plan; name one of the \
         plan's schemas (the oldest the app still opens), or add that schema with `.schema::<…>()`"
    )]
    OldestSupportedNotInPlan {
        /// The version named.
        version: Version,
    },
}
