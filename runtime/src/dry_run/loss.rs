//! The data a step that succeeded on the copy would lose: rows an entity no
//! longer has, and values that became NULL, unless the developer asked for
//! it (a removal declared as such, a `transform_or_drop` that dropped rows).

use super::DryRunProblem;
use super::recorder::EntityValues;
use crate::inference::SchemaMapping;
use crate::inference::mapping::ValueSource;

/// What the developer declared about a step: the deletions that are wanted.
pub(super) struct Consent<'a> {
    /// Per entity a transform writes (its target name), the rows it wrote:
    /// the rows a `transform_or_drop` did not write were dropped on purpose.
    pub(super) transformed: &'a [(String, Option<u64>)],
}

impl Consent<'_> {
    /// Whether the step deletes `attribute` of `entity` (the whole entity
    /// when `attribute` is `None`) on purpose; names are the source
    /// schema's.
    ///
    /// Until the newer schema can declare its removals, everything the
    /// newer schema no longer has counts as removed on purpose: only the
    /// data that vanishes from an entity or attribute that still exists is
    /// reported.
    pub(super) fn declared_removed(&self, entity: &str, attribute: Option<&str>) -> bool {
        let _ = (entity, attribute);
        true
    }

    /// The rows a target entity is expected to keep: those its transform
    /// wrote, or all of its source's.
    fn expected_rows(&self, entity: &str, source_rows: u64) -> u64 {
        match self.transformed.iter().find(|(name, _)| name == entity) {
            Some((_, Some(written))) => *written,
            _ => source_rows,
        }
    }
}

/// The losses of a step that went from `before` (per source entity) to
/// `after` (per target entity) following `mapping`.
pub(super) fn losses(
    mapping: &SchemaMapping,
    consent: &Consent<'_>,
    before: &[EntityValues],
    after: &[EntityValues],
) -> Vec<DryRunProblem> {
    let mut problems = Vec::new();
    let find = |all: &'_ [EntityValues], name: &str| -> Option<EntityValues> {
        all.iter().find(|v| v.entity == name).cloned()
    };
    for old in before {
        let kept = mapping
            .entities
            .iter()
            .any(|m| m.source.as_deref() == Some(old.entity.as_str()));
        if !kept && old.rows > 0 && !consent.declared_removed(&old.entity, None) {
            problems.push(DryRunProblem::RowsLost {
                entity: old.entity.clone(),
                expected: old.rows,
                after: 0,
            });
        }
    }
    for entity in &mapping.entities {
        let Some(source) = entity.source.as_deref() else {
            continue;
        };
        let (Some(old), Some(new)) = (find(before, source), find(after, &entity.target)) else {
            continue;
        };
        let expected = consent.expected_rows(&entity.target, old.rows);
        if new.rows < expected {
            problems.push(DryRunProblem::RowsLost {
                entity: entity.target.clone(),
                expected,
                after: new.rows,
            });
        }
        // Values of rows that are gone are counted as rows, not as NULLs.
        let rows_gone = old.rows.saturating_sub(new.rows);
        for (attribute, value_source) in &entity.attributes {
            let ValueSource::Column(column) = value_source else {
                continue;
            };
            let (Some(was), Some(is)) = (old.values_of(column), new.values_of(attribute)) else {
                continue;
            };
            let nulled = was.saturating_sub(is + rows_gone);
            if nulled > 0 {
                problems.push(DryRunProblem::BecameNull {
                    entity: entity.target.clone(),
                    attribute: attribute.clone(),
                    records: nulled,
                });
            }
        }
        for attribute in &old.values {
            let mapped = entity
                .attributes
                .iter()
                .any(|(_, s)| matches!(s, ValueSource::Column(c) | ValueSource::Coalesce(c, _) if *c == attribute.0));
            if !mapped && attribute.1 > 0 && !consent.declared_removed(source, Some(&attribute.0)) {
                problems.push(DryRunProblem::ValuesLost {
                    entity: source.to_owned(),
                    attribute: attribute.0.clone(),
                    records: attribute.1,
                });
            }
        }
    }
    problems
}
