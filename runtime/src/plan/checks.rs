//! The checks of `build()`: schemas, stages and the gaps between versions,
//! every problem collected.

use std::collections::HashSet;

use crate::change::{Change, ChangeClass};
use crate::error::{PlanError, Result};
use crate::inference::{self, SchemaMapping};
use crate::removal;
use crate::schema::Version;
use crate::stage::{ErasedCustom, MigrationStage, StageKind};

use super::{Gap, PlanSchema};

/// Checks that the schemas' versions increase and their checksums differ.
pub(super) fn check_schemas(schemas: &[PlanSchema], problems: &mut Vec<PlanError>) {
    for pair in schemas.windows(2) {
        if pair[0].version() >= pair[1].version() {
            problems.push(PlanError::DuplicateVersion {
                version: pair[1].version(),
            });
        }
    }
    for (i, a) in schemas.iter().enumerate() {
        if let Some(b) = schemas[i + 1..]
            .iter()
            .find(|b| b.checksum() == a.checksum())
        {
            problems.push(PlanError::DuplicateChecksum {
                first: a.version(),
                second: b.version(),
            });
        }
    }
}

/// Adds the stage of every schema module that declares hooks, unless the
/// plan declares it or does not have the schema it migrates from; another
/// stage for the same gap is a problem.
pub(super) fn module_stages(
    schemas: &[PlanSchema],
    stages: &mut Vec<MigrationStage>,
    problems: &mut Vec<PlanError>,
) {
    for schema in schemas {
        let Some(stage) = (schema.module_stage)().and_then(|s| s.downcast::<MigrationStage>().ok())
        else {
            continue;
        };
        let stage = *stage;
        if !schemas.iter().any(|s| s.version() == stage.from()) {
            // A plan that starts at this schema (older versions dropped) has no gap to run it in.
            continue;
        }
        let name = stage.module().unwrap_or("stage()");
        match stages
            .iter()
            .find(|s| s.from() == stage.from() && s.to() == stage.to())
        {
            Some(declared) if declared.module() == Some(name) => {}
            Some(_) => problems.push(PlanError::ModuleStageReplaced {
                from: stage.from(),
                to: stage.to(),
                stage: name.to_owned(),
            }),
            None => stages.push(stage),
        }
    }
}

/// Checks that every stage joins two schemas of the plan, no two stages the
/// same pair, and every lightweight stage two consecutive versions.
pub(super) fn check_stages(
    schemas: &[PlanSchema],
    stages: &[MigrationStage],
    problems: &mut Vec<PlanError>,
) {
    let index = |version: Version| schemas.iter().position(|s| s.version() == version);
    for (i, stage) in stages.iter().enumerate() {
        let mut in_plan = true;
        for version in [stage.from(), stage.to()] {
            if index(version).is_none() {
                in_plan = false;
                problems.push(PlanError::StageSchemaNotInPlan {
                    from: stage.from(),
                    to: stage.to(),
                    missing: version,
                });
            }
        }
        if stages[..i]
            .iter()
            .any(|other| other.from() == stage.from() && other.to() == stage.to())
        {
            problems.push(PlanError::DuplicateStage {
                from: stage.from(),
                to: stage.to(),
            });
        }
        if let (true, Some(from), Some(to)) = (in_plan, index(stage.from()), index(stage.to()))
            && matches!(stage.kind(), StageKind::Lightweight)
            && to != from + 1
        {
            problems.push(PlanError::LightweightNotConsecutive {
                from: stage.from(),
                to: stage.to(),
            });
        }
    }
}

/// The mapping and changes between each two consecutive schemas, with the
/// problems of each gap: a change SQL alone cannot apply where no custom
/// stage joins the two, and removals no `removed(…)` names. `None` when two
/// schemas cannot be mapped onto each other (the reason is a problem).
pub(super) fn gaps(
    schemas: &[PlanSchema],
    stages: &[MigrationStage],
    problems: &mut Vec<PlanError>,
) -> Result<Option<Vec<Gap>>> {
    let mut gaps = Vec::with_capacity(schemas.len().saturating_sub(1));
    let mut mapped = true;
    for pair in schemas.windows(2) {
        let (older, newer) = (pair[0].descriptor(), pair[1].descriptor());
        let mapping = match inference::map_step(older, newer) {
            Ok(mapping) => mapping,
            Err(error) => {
                mapped = false;
                match error {
                    crate::Error::Plan(error) => problems.push(*error),
                    other => return Err(other),
                }
                continue;
            }
        };
        let changes = inference::changes(older, newer, &mapping);
        let custom = stages
            .iter()
            .find(|s| s.from() == older.version() && s.to() == newer.version())
            .and_then(MigrationStage::custom_part);
        let transformed: removal::Transformed<'_> = custom
            .map(|custom| {
                custom
                    .transforms
                    .iter()
                    .flat_map(|t| [(t.source)().name(), (t.target)().name()])
                    .collect()
            })
            .unwrap_or_default();
        let (removals, paired) = removal::check(older, newer, &mapping, &changes, &transformed);
        problems.extend(removals);
        if custom.is_none() {
            let rest: Vec<Change> = changes
                .iter()
                .filter(|c| !paired.contains(c))
                .cloned()
                .collect();
            not_inferable(older.version(), newer.version(), &rest, None, problems);
        }
        gaps.push(Gap { mapping, changes });
    }
    Ok(mapped.then_some(gaps))
}
pub(super) fn compose_gaps(gaps: &[Gap]) -> SchemaMapping {
    let mut gaps = gaps.iter();
    let first = gaps
        .next()
        .expect("a step spans at least one gap")
        .mapping
        .clone();
    gaps.fold(first, |acc, gap| inference::compose(&acc, &gap.mapping))
}

/// Checks a custom stage: one transform per source and per target entity, and
/// every change outside the transformed entities inferable (an optional
/// attribute made required without default is allowed when a hook can fill it).
pub(super) fn check_custom(
    custom: &ErasedCustom,
    from: &PlanSchema,
    to: &PlanSchema,
    mapping: &SchemaMapping,
    problems: &mut Vec<PlanError>,
) {
    let (from_version, to_version) = (from.version(), to.version());
    let mut sources = HashSet::new();
    let mut targets = HashSet::new();
    for transform in &custom.transforms {
        let (source, target) = ((transform.source)().name(), (transform.target)().name());
        if !sources.insert(source) {
            problems.push(PlanError::DuplicateTransform {
                from: from_version,
                to: to_version,
                entity: source.to_owned(),
            });
        }
        if !targets.insert(target) && source != target {
            problems.push(PlanError::DuplicateTransform {
                from: from_version,
                to: to_version,
                entity: target.to_owned(),
            });
        }
    }
    let changes = inference::changes(from.descriptor(), to.descriptor(), mapping);
    // The links of a to-one turned many-to-many are read from the old table,
    // which a transform of the same entity has already replaced.
    for change in changes.iter().filter(|c| {
        matches!(c, Change::ToOneToManyToMany { entity, .. } if targets.contains(entity.as_str()))
    }) {
        problems.push(PlanError::NotInferable {
            from: from_version,
            to: to_version,
            entity: change.entity().to_owned(),
            attribute: change.attribute().map(str::to_owned),
            change: change.to_string(),
            class: ChangeClass::NotWithTransform,
            fix: format!(
                "make the conversion in its own lightweight version, before or after the one that transforms `{}`",
                change.entity()
            ),
        });
    }
    let has_hooks = !custom.will_migrate.is_empty() || !custom.migrate.is_empty();
    let rest: Vec<Change> = changes
        .into_iter()
        .filter(|change| match change {
            Change::RemoveEntity { entity } => !sources.contains(entity.as_str()),
            other => !targets.contains(other.entity()),
        })
        .filter(|change| {
            !(has_hooks
                && matches!(
                    change,
                    Change::MakeRequired { default: None, .. }
                        | Change::MakeRelationshipRequired { .. }
                ))
        })
        .collect();
    not_inferable(from_version, to_version, &rest, Some(has_hooks), problems);
}

/// Every change that SQL alone cannot apply, as [`PlanError`]s. `custom`:
/// whether the changes are those a custom stage leaves to inference (and
/// whether it has hooks), so the fix does not propose a custom stage.
pub(super) fn not_inferable(
    from: Version,
    to: Version,
    changes: &[Change],
    custom: Option<bool>,
    problems: &mut Vec<PlanError>,
) {
    for change in changes.iter().filter(|c| !c.class().is_inferable()) {
        let fix = match custom {
            Some(has_hooks) => change.fix_in_custom_stage(has_hooks),
            None => change.fix(),
        };
        problems.push(PlanError::NotInferable {
            from,
            to,
            entity: change.entity().to_owned(),
            attribute: change.attribute().map(str::to_owned),
            change: change.to_string(),
            class: change.class(),
            fix: fix.unwrap_or_default(),
        });
    }
}
