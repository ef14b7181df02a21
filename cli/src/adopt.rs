//! `staged adopt-check`: whether a database staged did not create matches a
//! schema snapshot, so that `ModelContainerBuilder::adopt` would take it over.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use staged_runtime::adoption_mismatches;
use staged_runtime::schema::Version;
use staged_runtime::schema::snapshot;

use crate::{InputError, Outcome};

#[derive(Serialize)]
struct Report {
    database: PathBuf,
    snapshot: PathBuf,
    version: Version,
    /// Whether `adopt` would take the database over.
    adoptable: bool,
    /// Every mismatch, one sentence each (the list `adopt` fails with).
    mismatches: Vec<String>,
}

pub(crate) fn run(database: &Path, snapshot_file: &Path) -> Result<Outcome, InputError> {
    let snapshot = snapshot::read(snapshot_file)?;
    let mismatches: Vec<String> = adoption_mismatches(database, snapshot.descriptor())?
        .iter()
        .map(ToString::to_string)
        .collect();
    let report = Report {
        database: database.to_owned(),
        snapshot: snapshot_file.to_owned(),
        version: snapshot.version(),
        adoptable: mismatches.is_empty(),
        mismatches,
    };
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{} as schema {} ({})",
        report.database.display(),
        report.version,
        report.snapshot.display()
    );
    if report.adoptable {
        let _ = writeln!(
            text,
            "\nadoptable: the tables match schema {}; `adopt` rebuilds them as staged's, keeping every id",
            report.version
        );
    } else {
        let _ = writeln!(text, "\nmismatches ({})", report.mismatches.len());
        for mismatch in &report.mismatches {
            let _ = writeln!(text, "  {mismatch}");
        }
    }
    let passed = report.adoptable;
    Ok(Outcome::new(&report, text, passed))
}
