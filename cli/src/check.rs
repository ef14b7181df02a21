//! `staged check`: the plan rules a folder of snapshots can be checked against.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use staged_runtime::schema::Version;
use staged_runtime::schema::snapshot::{self, Snapshot};

use crate::{InputError, Outcome};

#[derive(Serialize)]
struct Report {
    dir: PathBuf,
    versions: Vec<Version>,
    steps: Vec<Step>,
    problems: Vec<String>,
}

/// Two consecutive versions.
#[derive(Serialize)]
struct Step {
    from: Version,
    to: Version,
    /// Whether a lightweight stage can apply the step; otherwise the plan
    /// needs a custom stage between these versions (or over them).
    lightweight: bool,
    /// The changes a lightweight stage cannot apply.
    blocking: Vec<Blocking>,
}

#[derive(Serialize)]
struct Blocking {
    change: String,
    class: &'static str,
    fix: Option<String>,
}

pub(crate) fn run(dir: &Path) -> Result<Outcome, InputError> {
    if !dir.is_dir() {
        return Err(InputError(format!(
            "`{}` is not a folder; pass the folder of schema snapshots (e.g. `schemas/`)",
            dir.display()
        )));
    }
    let mut problems = Vec::new();
    let mut snapshots: Vec<(PathBuf, Snapshot)> = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| InputError(format!("cannot read `{}`: {e}", dir.display())))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "json") && path.is_file())
        .collect();
    paths.sort();
    for path in paths {
        match snapshot::read(&path) {
            Ok(snapshot) => {
                problems.extend(
                    snapshot::file_problems(&path, &snapshot)
                        .iter()
                        .map(ToString::to_string),
                );
                snapshots.push((path, snapshot));
            }
            Err(error) => problems.push(error.to_string()),
        }
    }
    if snapshots.is_empty() && problems.is_empty() {
        problems.push(format!(
            "`{}` holds no schema snapshots (`<version>.json`); write them with \
             `staged::testing::assert_schema_snapshots`",
            dir.display()
        ));
    }
    snapshots.sort_by_key(|(_, s)| s.version());
    for (i, (path, a)) in snapshots.iter().enumerate() {
        for (other, b) in &snapshots[i + 1..] {
            if a.version() == b.version() {
                problems.push(format!(
                    "`{}` and `{}` both record schema {}; keep one",
                    path.display(),
                    other.display(),
                    a.version()
                ));
            } else if a.descriptor().checksum() == b.descriptor().checksum() {
                problems.push(format!(
                    "schemas {} and {} have the same checksum: a store at either could not be \
                     told apart; a new version must change the schema, or be left out",
                    a.version(),
                    b.version()
                ));
            }
        }
    }
    let mut steps = Vec::new();
    for pair in snapshots.windows(2) {
        let (from, to) = (pair[0].1.descriptor(), pair[1].1.descriptor());
        if from.version() == to.version() {
            continue;
        }
        match staged_runtime::infer_step(from, to) {
            Err(error) => problems.push(error.to_string()),
            Ok(inference) => {
                let blocking: Vec<Blocking> = inference
                    .changes()
                    .iter()
                    .filter(|c| !c.class().is_inferable())
                    .map(|c| Blocking {
                        change: c.to_string(),
                        class: c.class().name(),
                        fix: c.fix(),
                    })
                    .collect();
                steps.push(Step {
                    from: from.version(),
                    to: to.version(),
                    lightweight: blocking.is_empty(),
                    blocking,
                });
            }
        }
    }
    let report = Report {
        dir: dir.to_owned(),
        versions: snapshots.iter().map(|(_, s)| s.version()).collect(),
        steps,
        problems,
    };
    let text = text(&report);
    let passed = report.problems.is_empty();
    Ok(Outcome::new(&report, text, passed))
}

fn text(report: &Report) -> String {
    let mut out = String::new();
    let versions: Vec<String> = report.versions.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        out,
        "{} snapshots in `{}`: {}",
        versions.len(),
        report.dir.display(),
        versions.join(", ")
    );
    if !report.steps.is_empty() {
        let _ = writeln!(out, "\nsteps");
    }
    for step in &report.steps {
        if step.lightweight {
            let _ = writeln!(out, "  {} -> {}  inferred", step.from, step.to);
        } else {
            let _ = writeln!(
                out,
                "  {} -> {}  cannot be inferred: the plan needs a custom stage here, or these fixes",
                step.from, step.to
            );
            for blocking in &step.blocking {
                let _ = writeln!(out, "      {}  {}", blocking.class, blocking.change);
                if let Some(fix) = &blocking.fix {
                    let _ = writeln!(
                        out,
                        "      {:width$}  fix: {fix}",
                        "",
                        width = blocking.class.len()
                    );
                }
            }
        }
    }
    if report.problems.is_empty() {
        let _ = writeln!(out, "\nok: no problems");
    } else {
        let _ = writeln!(out, "\nproblems ({})", report.problems.len());
        for problem in &report.problems {
            let _ = writeln!(out, "  - {problem}");
        }
    }
    out
}
