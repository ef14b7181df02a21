//! `staged inspect`: what a store holds.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;
use staged_runtime::schema::snapshot;
use staged_runtime::{StoreSummary, inspect_store};

use crate::{InputError, Outcome};

/// The store's summary and, with `--schemas`, how it compares with its snapshot.
#[derive(Serialize)]
struct Report {
    #[serde(flatten)]
    store: StoreSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    snapshot: Option<SnapshotMatch>,
}

/// How the store's checksum compares with the snapshot of its version.
#[derive(Serialize)]
struct SnapshotMatch {
    /// The snapshot file looked for.
    path: String,
    /// `matches`, `differs` or `missing`.
    status: &'static str,
}

pub(crate) fn run(path: &Path, schemas: Option<&Path>) -> Result<Outcome, InputError> {
    let summary = inspect_store(path)?;
    let snapshot = match schemas {
        None => None,
        Some(dir) => {
            let file = dir.join(snapshot::file_name(summary.version));
            let status = if file.exists() {
                let snapshot = snapshot::read(&file)?;
                if snapshot.descriptor().checksum() == summary.checksum {
                    "matches"
                } else {
                    "differs"
                }
            } else {
                "missing"
            };
            Some(SnapshotMatch {
                path: file.display().to_string(),
                status,
            })
        }
    };
    let passed = snapshot.as_ref().is_none_or(|s| s.status != "differs");
    let report = Report {
        store: summary,
        snapshot,
    };
    let text = text(&report);
    Ok(Outcome::new(&report, text, passed))
}

fn text(report: &Report) -> String {
    let s = &report.store;
    let mut out = String::new();
    let _ = writeln!(out, "store     {}", s.path.display());
    let _ = writeln!(out, "version   {}", s.version);
    let _ = writeln!(out, "checksum  {}", s.checksum);
    let _ = writeln!(out, "created   {} UTC", s.created);
    let _ = writeln!(out, "updated   {} UTC", s.updated);
    if let Some(snapshot) = &report.snapshot {
        let line = match snapshot.status {
            "matches" => format!("matches `{}`", snapshot.path),
            "differs" => format!(
                "DIFFERS from `{}`: the store was made by another definition of {}; \
                 the app cannot open it unless its plan has that exact schema",
                snapshot.path, s.version
            ),
            _ => format!("no snapshot `{}`", snapshot.path),
        };
        let _ = writeln!(out, "snapshot  {line}");
    }
    let _ = writeln!(out, "\nhistory ({} steps)", s.history.len());
    if s.history.is_empty() {
        let _ = writeln!(out, "  (none: created at {})", s.version);
    }
    for step in &s.history {
        let _ = writeln!(
            out,
            "  {} -[{}]-> {}  at {} UTC, {} ms, {} rows",
            step.from, step.kind, step.to, step.started, step.duration_ms, step.rows_touched
        );
    }
    let _ = writeln!(out, "\nentities ({})", s.entities.len());
    let width = s.entities.iter().map(|e| e.name.len()).max().unwrap_or(0);
    for entity in &s.entities {
        let _ = writeln!(out, "  {:width$}  {} rows", entity.name, entity.rows);
    }
    if !s.join_tables.is_empty() {
        let _ = writeln!(out, "\njoin tables ({})", s.join_tables.len());
        let owners: Vec<String> = s
            .join_tables
            .iter()
            .map(|join| match (&join.entity, &join.relationship) {
                (Some(entity), Some(relationship)) => format!("{entity}.{relationship}"),
                _ => "?".to_owned(),
            })
            .collect();
        let width = owners.iter().map(String::len).max().unwrap_or(0);
        for (owner, join) in owners.iter().zip(&s.join_tables) {
            let _ = writeln!(
                out,
                "  {owner:width$}  {} links  `{}`",
                join.links, join.name
            );
        }
    }
    out
}
