//! `staged diff`: the changes between two snapshots and the SQL of an inferred step.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;
use staged_runtime::schema::{Version, snapshot};

use crate::{InputError, Outcome};

#[derive(Serialize)]
struct Report {
    from: Version,
    to: Version,
    changes: Vec<ChangeReport>,
    /// Whether a lightweight stage can apply every change.
    lightweight: bool,
    /// The statements of the inferred step (empty when a change cannot be inferred).
    sql: Vec<String>,
    /// Why the two schemas cannot be mapped onto each other.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// The json attributes whose type's serde shape changed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    json_shapes: Vec<JsonShapeReport>,
}

#[derive(Serialize)]
struct JsonShapeReport {
    entity: String,
    attribute: String,
    changes: Vec<String>,
    /// Whether JSON written with the older shape still decodes.
    old_payloads_decode: bool,
}

#[derive(Serialize)]
struct ChangeReport {
    change: String,
    entity: String,
    attribute: Option<String>,
    class: &'static str,
    inferable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
}

pub(crate) fn run(from_path: &Path, to_path: &Path) -> Result<Outcome, InputError> {
    let from = snapshot::read(from_path)?;
    let to = snapshot::read(to_path)?;
    if from.version() >= to.version() {
        return Err(InputError(format!(
            "`{}` ({}) is not older than `{}` ({}); pass the older snapshot first",
            from_path.display(),
            from.version(),
            to_path.display(),
            to.version()
        )));
    }
    let (from, to) = (from.descriptor(), to.descriptor());
    let mut report = Report {
        from: from.version(),
        to: to.version(),
        changes: Vec::new(),
        lightweight: false,
        sql: Vec::new(),
        error: None,
        json_shapes: json_shapes(from, to),
    };
    match staged_runtime::infer_step(from, to) {
        Err(error) => report.error = Some(error.to_string()),
        Ok(inference) => {
            report.lightweight = inference.is_lightweight();
            report.changes = inference
                .changes()
                .iter()
                .map(|change| ChangeReport {
                    change: change.to_string(),
                    entity: change.entity().to_owned(),
                    attribute: change.attribute().map(str::to_owned),
                    class: change.class().name(),
                    inferable: change.class().is_inferable(),
                    fix: change.fix(),
                })
                .collect();
            report.sql = inference.sql().to_vec();
        }
    }
    let text = text(&report);
    let passed = report.error.is_none()
        && report.lightweight
        && report.json_shapes.iter().all(|j| j.old_payloads_decode);
    Ok(Outcome::new(&report, text, passed))
}

/// The json attributes of both schemas whose type's serde shape changed.
fn json_shapes(
    from: &staged_runtime::schema::SchemaDescriptor,
    to: &staged_runtime::schema::SchemaDescriptor,
) -> Vec<JsonShapeReport> {
    snapshot::diff(from, to)
        .into_iter()
        .filter_map(|difference| match difference {
            snapshot::SchemaDifference::JsonShapeChanged {
                entity,
                attribute,
                changes,
            } => Some(JsonShapeReport {
                entity,
                attribute,
                old_payloads_decode: changes.iter().all(|c| c.old_payloads_decode),
                changes: changes.iter().map(ToString::to_string).collect(),
            }),
            _ => None,
        })
        .collect()
}

fn text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} -> {}", report.from, report.to);
    if let Some(error) = &report.error {
        let _ = writeln!(out, "\nerror: {error}");
        return out;
    }
    let _ = writeln!(out, "\nchanges ({})", report.changes.len());
    let width = report
        .changes
        .iter()
        .map(|c| c.class.len())
        .max()
        .unwrap_or(0);
    for change in &report.changes {
        let _ = writeln!(out, "  {:width$}  {}", change.class, change.change);
        if let Some(fix) = &change.fix {
            let _ = writeln!(out, "  {:width$}  fix: {fix}", "");
        }
    }
    for shape in &report.json_shapes {
        let decode = if shape.old_payloads_decode {
            "old payloads still decode"
        } else {
            "old payloads no longer decode: a custom stage must rewrite them"
        };
        let _ = writeln!(
            out,
            "\nJSON shape of `{}.{}` changed ({decode})",
            shape.entity, shape.attribute
        );
        for change in &shape.changes {
            let _ = writeln!(out, "  {change}");
        }
    }
    if report.lightweight {
        let _ = writeln!(
            out,
            "\nSQL of an inferred step ({} statements)",
            report.sql.len()
        );
        for sql in &report.sql {
            let _ = writeln!(out, "  {sql};");
        }
    } else {
        let blocking = report.changes.iter().filter(|c| !c.inferable).count();
        let _ = writeln!(
            out,
            "\nno inferred step: {blocking} change(s) need a default or a custom stage"
        );
    }
    out
}
