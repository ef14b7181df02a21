//! JSON snapshots of shipped schema versions, and the check that they were
//! not edited afterwards.
//!
//! A store on a device is recognised by its schema's [`Checksum`]: editing a
//! version after it shipped (changing a type, adding a field to `v1` instead
//! of making a `v2`) makes every store at that version unopenable
//! ([`MigrationError::UnknownChecksum`](crate::MigrationError::UnknownChecksum)).
//! Snapshots catch that in tests, long before a device does:
//!
//! 1. Keep one file per schema version in a folder of the repository, e.g.
//!    `schemas/1.0.0.json` (pretty JSON, see [`to_json`]), and commit it.
//! 2. A test calls [`check`] (or `staged::testing::assert_schema_snapshots`)
//!    with the plan's schemas: a version without a snapshot gets one written
//!    ([`SnapshotMode::WriteNew`]); a version with a snapshot must still match
//!    it, or the test fails with every difference ("you edited schema 1.0.0
//!    after shipping it: attribute `Reminder.title` changed type from `text`
//!    to `json`"); a snapshot whose version the plan no longer lists fails too
//!    (stores at that version could not be opened any more).
//! 3. While a version is still in development, rewrite its snapshot with
//!    [`SnapshotMode::Overwrite`] (`STAGED_SNAPSHOTS=overwrite cargo test` with
//!    the test helper), or delete the file. Once it ships, never again.
//! 4. Each `json` attribute's entry records the serde shape of its Rust type
//!    (`json_shape`, see [`json_shape`](crate::schema::json_shape)): editing
//!    that type after the version shipped is a difference too
//!    ([`SchemaDifference::JsonShapeChanged`], naming the attribute and each
//!    field, and whether old payloads still decode). The shape is not part of
//!    the checksum. Snapshots written before shapes were recorded have none,
//!    and nothing is compared for them.
//! 5. When a version ships, add it to the folder's [`SHIPPED_FILE`]
//!    (`schemas/shipped.txt`, one version a line, `#` starts a comment).
//!
//! A version has *shipped* when [`SHIPPED_FILE`] lists it or when it is not
//! the latest of the schemas checked (a version that a newer one follows is
//! taken as released: a store may be at it). [`SnapshotMode::Overwrite`]
//! rewrites only the snapshots of versions that have not shipped, so at most
//! the latest one; it compares the others as [`SnapshotMode::WriteNew`] does,
//! lists them in [`SnapshotReport::kept`], and fails with
//! [`SnapshotProblem::ShippedEdited`] when one of them was edited. A version
//! that really never shipped but is not the latest can still be recorded
//! again by deleting its snapshot file.
//!
//! The `staged` command-line tool reads the same files (`staged diff`,
//! `staged check`).

mod diff;
mod difference;
mod shipped;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Checksum, EntityDescriptor, SchemaDescriptor, Version};

pub use diff::diff;
pub use difference::{AttributeChange, RelationshipChange, RelationshipKind, SchemaDifference};
pub use shipped::{SHIPPED_FILE, Shipped, read_shipped};

/// The revision of the snapshot file format, written as `"format"`.
pub const FORMAT: u32 = 1;

#[derive(Serialize)]
struct FileRef<'a> {
    format: u32,
    version: Version,
    checksum: Checksum,
    entities: &'a [EntityDescriptor],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOwned {
    format: u32,
    version: Version,
    checksum: Checksum,
    entities: Vec<EntityDescriptor>,
}

/// A schema read back from a snapshot file.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    descriptor: SchemaDescriptor,
    recorded_checksum: Checksum,
}

impl Snapshot {
    /// The schema the snapshot describes.
    pub fn descriptor(&self) -> &SchemaDescriptor {
        &self.descriptor
    }

    /// The schema's version.
    pub fn version(&self) -> Version {
        self.descriptor.version()
    }

    /// The checksum written in the file (compare with
    /// `descriptor().checksum()` to see whether the file was edited by hand).
    pub fn recorded_checksum(&self) -> Checksum {
        self.recorded_checksum
    }
}

/// A schema as snapshot JSON: `format`, `version`, `checksum` and the
/// entities with their attributes, pretty-printed, ending with a newline.
pub fn to_json(descriptor: &SchemaDescriptor) -> String {
    let file = FileRef {
        format: FORMAT,
        version: descriptor.version(),
        checksum: descriptor.checksum(),
        entities: descriptor.entities(),
    };
    let mut json = serde_json::to_string_pretty(&file).expect("descriptors serialize to JSON");
    json.push('\n');
    json
}

/// Reads snapshot JSON (the output of [`to_json`]).
pub fn from_json(json: &str) -> Result<Snapshot, serde_json::Error> {
    from_bytes(json.as_bytes())
}

/// Reads snapshot JSON from bytes (which need not be UTF-8 text: a binary
/// file is reported as not being JSON).
fn from_bytes(json: &[u8]) -> Result<Snapshot, serde_json::Error> {
    let file: FileOwned = serde_json::from_slice(json)?;
    if file.format != FORMAT {
        return Err(serde::de::Error::custom(format!(
            "snapshot format {} is not supported (this version of staged reads format {FORMAT})",
            file.format
        )));
    }
    Ok(Snapshot {
        descriptor: SchemaDescriptor::from_entities(file.version, file.entities),
        recorded_checksum: file.checksum,
    })
}

/// The file name of a version's snapshot: `1.0.0.json`.
pub fn file_name(version: Version) -> String {
    format!("{version}.json")
}

/// Reads the snapshot file at `path`.
///
/// Fails with [`SnapshotError::Io`] or [`SnapshotError::Parse`], naming the file.
pub fn read(path: &Path) -> Result<Snapshot, SnapshotError> {
    let json = std::fs::read(path).map_err(|source| SnapshotError::Io {
        path: path.to_owned(),
        source,
    })?;
    from_bytes(&json).map_err(|source| SnapshotError::Parse {
        path: path.to_owned(),
        source,
    })
}

/// Reads every `*.json` file of `dir`, sorted by version.
pub fn read_dir(dir: &Path) -> Result<Vec<(PathBuf, Snapshot)>, SnapshotError> {
    let io = |source| SnapshotError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "json") && path.is_file() {
            let snapshot = read(&path)?;
            out.push((path, snapshot));
        }
    }
    out.sort_by_key(|(_, s)| s.version());
    Ok(out)
}

/// What [`check`] does with versions that have no snapshot yet, and with
/// those that have one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotMode {
    /// Compare versions that have a snapshot; write the missing ones.
    WriteNew,
    /// Compare versions that have a snapshot; a missing one is a problem
    /// (for CI, where a snapshot nobody committed would be lost).
    Verify,
    /// Write the snapshot of every version that has not shipped, replacing
    /// existing files; compare the shipped ones as [`SnapshotMode::WriteNew`]
    /// does (see the [module docs](self) for what counts as shipped).
    Overwrite,
}

/// What [`check`] compared and wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotReport {
    /// Versions that matched their snapshot.
    pub verified: Vec<Version>,
    /// Snapshot files written.
    pub written: Vec<PathBuf>,
    /// In [`SnapshotMode::Overwrite`], the shipped versions whose snapshots
    /// were compared and kept instead of rewritten.
    pub kept: Vec<Version>,
}

/// Compares `schemas` (a plan's schema descriptors) with the snapshots in
/// `dir`, creating `dir` if needed; see the [module docs](self).
///
/// Fails with [`SnapshotError::Problems`] listing every edited version (with
/// each difference), every snapshot whose version is not among `schemas`,
/// every snapshot whose recorded checksum does not match its content or whose
/// file name is not its version, and, in [`SnapshotMode::Verify`], every
/// missing snapshot. Nothing is written when there is a problem.
pub fn check<'a>(
    schemas: impl IntoIterator<Item = &'a SchemaDescriptor>,
    dir: &Path,
    mode: SnapshotMode,
) -> Result<SnapshotReport, SnapshotError> {
    check_schemas(schemas.into_iter().collect(), dir, mode, None)
}

/// [`check`] for a plan that retired the versions older than
/// `oldest_supported` (it starts at a baseline): their snapshots are not
/// [`SnapshotProblem::NotInPlan`]; they stay in `dir`, as the record of what
/// shipped, and are still checked for hand edits and file names.
pub fn check_retired<'a>(
    schemas: impl IntoIterator<Item = &'a SchemaDescriptor>,
    dir: &Path,
    mode: SnapshotMode,
    oldest_supported: Version,
) -> Result<SnapshotReport, SnapshotError> {
    check_schemas(
        schemas.into_iter().collect(),
        dir,
        mode,
        Some(oldest_supported),
    )
}

fn check_schemas(
    schemas: Vec<&SchemaDescriptor>,
    dir: &Path,
    mode: SnapshotMode,
    oldest_supported: Option<Version>,
) -> Result<SnapshotReport, SnapshotError> {
    let existing = if dir.exists() {
        read_dir(dir)?
    } else {
        Vec::new()
    };
    let listed = read_shipped(dir)?;
    let latest = schemas.iter().map(|s| s.version()).max();
    let shipped_because = |version: Version| {
        if listed.contains(&version) {
            Some(Shipped::Listed)
        } else if Some(version) != latest {
            Some(Shipped::NotLatest)
        } else {
            None
        }
    };
    let mut problems = Vec::new();
    let mut report = SnapshotReport::default();
    let mut to_write = Vec::new();
    for (path, snapshot) in &existing {
        problems.extend(file_problems(path, snapshot));
        let retired = oldest_supported.is_some_and(|oldest| snapshot.version() < oldest);
        if !retired && !schemas.iter().any(|s| s.version() == snapshot.version()) {
            problems.push(SnapshotProblem::NotInPlan {
                version: snapshot.version(),
                path: path.clone(),
            });
        }
    }
    for schema in schemas {
        let path = dir.join(file_name(schema.version()));
        let snapshot = existing
            .iter()
            .find(|(_, s)| s.version() == schema.version());
        let keep = mode == SnapshotMode::Overwrite
            && snapshot.is_some()
            && shipped_because(schema.version()).is_some();
        if keep {
            report.kept.push(schema.version());
        }
        match (snapshot, mode) {
            (_, SnapshotMode::Overwrite) if !keep => to_write.push((path, schema)),
            (None, SnapshotMode::WriteNew | SnapshotMode::Overwrite) => {
                to_write.push((path, schema));
            }
            (None, SnapshotMode::Verify) => problems.push(SnapshotProblem::Missing {
                version: schema.version(),
                path,
            }),
            (Some((path, snapshot)), _) => {
                let mut differences = diff(snapshot.descriptor(), schema);
                let (shipped, current) =
                    (Checksum::of(snapshot.descriptor()), Checksum::of(schema));
                if shipped != current && differences.iter().all(SchemaDifference::is_rename_hint) {
                    differences.push(SchemaDifference::ChecksumChanged { shipped, current });
                }
                if differences.is_empty() {
                    report.verified.push(schema.version());
                } else if let (true, Some(reason)) = (keep, shipped_because(schema.version())) {
                    problems.push(SnapshotProblem::ShippedEdited {
                        version: schema.version(),
                        path: path.clone(),
                        differences,
                        reason,
                    });
                } else {
                    problems.push(SnapshotProblem::Edited {
                        version: schema.version(),
                        path: path.clone(),
                        differences,
                    });
                }
            }
        }
    }
    if mode == SnapshotMode::Overwrite {
        // Rewriting the unshipped versions: their old files no longer matter;
        // a stray file and every problem of a kept (shipped) one still do.
        problems.retain(|p| {
            matches!(p, SnapshotProblem::NotInPlan { .. }) || report.kept.contains(&p.version())
        });
    }
    if !problems.is_empty() {
        return Err(SnapshotError::Problems(problems));
    }
    if !to_write.is_empty() {
        std::fs::create_dir_all(dir).map_err(|source| SnapshotError::Io {
            path: dir.to_owned(),
            source,
        })?;
    }
    for (path, schema) in to_write {
        std::fs::write(&path, to_json(schema)).map_err(|source| SnapshotError::Io {
            path: path.clone(),
            source,
        })?;
        report.written.push(path);
    }
    Ok(report)
}

/// The problems a snapshot file has on its own: a file name that is not its
/// version, a recorded checksum that does not match its content.
pub fn file_problems(path: &Path, snapshot: &Snapshot) -> Vec<SnapshotProblem> {
    let mut problems = Vec::new();
    let expected = file_name(snapshot.version());
    if path.file_name().and_then(|n| n.to_str()) != Some(expected.as_str()) {
        problems.push(SnapshotProblem::WrongFileName {
            version: snapshot.version(),
            path: path.to_owned(),
        });
    }
    let actual = snapshot.descriptor().checksum();
    if snapshot.recorded_checksum() != actual {
        problems.push(SnapshotProblem::ChecksumMismatch {
            version: snapshot.version(),
            path: path.to_owned(),
            recorded: snapshot.recorded_checksum(),
            actual,
        });
    }
    problems
}

/// One reason a snapshot check failed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SnapshotProblem {
    /// A version no longer matches its snapshot.
    Edited {
        /// The version.
        version: Version,
        /// Its snapshot file.
        path: PathBuf,
        /// Every difference, snapshot -> current.
        differences: Vec<SchemaDifference>,
    },
    /// In [`SnapshotMode::Overwrite`], a shipped version no longer matches
    /// its snapshot, which overwrite does not rewrite.
    ShippedEdited {
        /// The version.
        version: Version,
        /// Its snapshot file.
        path: PathBuf,
        /// Every difference, snapshot -> current.
        differences: Vec<SchemaDifference>,
        /// Why the version counts as shipped.
        reason: Shipped,
    },
    /// A snapshot's version is not among the schemas checked.
    NotInPlan {
        /// The snapshot's version.
        version: Version,
        /// The snapshot file.
        path: PathBuf,
    },
    /// A version has no snapshot ([`SnapshotMode::Verify`] only).
    Missing {
        /// The version.
        version: Version,
        /// Where its snapshot belongs.
        path: PathBuf,
    },
    /// A snapshot file is not named after its version.
    WrongFileName {
        /// The version inside the file.
        version: Version,
        /// The file.
        path: PathBuf,
    },
    /// A snapshot's recorded checksum does not match its content (the file
    /// was edited by hand).
    ChecksumMismatch {
        /// The version inside the file.
        version: Version,
        /// The file.
        path: PathBuf,
        /// The checksum written in the file.
        recorded: Checksum,
        /// The checksum of the schema the file describes.
        actual: Checksum,
    },
}

impl SnapshotProblem {
    /// The version the problem is about.
    pub fn version(&self) -> Version {
        match self {
            SnapshotProblem::Edited { version, .. }
            | SnapshotProblem::ShippedEdited { version, .. }
            | SnapshotProblem::NotInPlan { version, .. }
            | SnapshotProblem::Missing { version, .. }
            | SnapshotProblem::WrongFileName { version, .. }
            | SnapshotProblem::ChecksumMismatch { version, .. } => *version,
        }
    }
}

impl fmt::Display for SnapshotProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotProblem::ShippedEdited {
                version,
                path,
                differences,
                reason,
            } => {
                write!(
                    f,
                    "`STAGED_SNAPSHOTS=overwrite` keeps the snapshot of schema {version}, which \
                     shipped ({reason}), and you edited the schema: "
                )?;
                for (k, difference) in differences.iter().enumerate() {
                    let separator = if k == 0 { "" } else { "; " };
                    write!(f, "{separator}{difference}")?;
                }
                write!(
                    f,
                    " (snapshot `{}`). Stores at {version} on devices no longer match it and \
                     would not open: restore the shipped definition and make the change in a \
                     new schema version. If {version} never shipped, delete its snapshot (and \
                     its line in `{SHIPPED_FILE}`) to record it again",
                    path.display()
                )
            }
            SnapshotProblem::Edited {
                version,
                path,
                differences,
            } => {
                let first = differences.first().map(ToString::to_string);
                write!(
                    f,
                    "you edited schema {version} after shipping it: {}",
                    first.unwrap_or_default()
                )?;
                for difference in differences.iter().skip(1) {
                    write!(f, "; {difference}")?;
                }
                let json_only = differences
                    .iter()
                    .all(|d| matches!(d, SchemaDifference::JsonShapeChanged { .. }));
                if json_only {
                    return write!(
                        f,
                        " (snapshot `{}`). Stores at {version} still open (the shape is not part \
                         of the checksum), but JSON they hold was written with the shipped \
                         shape: restore the shipped type and make the change in a new schema \
                         version with a custom stage that rewrites the values. If {version} \
                         never shipped, record it again with `STAGED_SNAPSHOTS=overwrite` or by \
                         deleting the snapshot",
                        path.display()
                    );
                }
                if differences.iter().all(SchemaDifference::is_rename_hint) {
                    return write!(
                        f,
                        " (snapshot `{}`). Stores at {version} still open, but stores of the \
                         previous version would migrate to {version} differently than with the \
                         shipped app: restore the shipped `original_name`. If {version} never \
                         shipped, record it again with `STAGED_SNAPSHOTS=overwrite` or by \
                         deleting the snapshot",
                        path.display()
                    );
                }
                write!(
                    f,
                    " (snapshot `{}`). Stores at {version} on devices no longer match it and \
                     would not open: restore the shipped definition and make the change in a \
                     new schema version. If {version} never shipped, record it again with \
                     `STAGED_SNAPSHOTS=overwrite` or by deleting the snapshot",
                    path.display()
                )
            }
            SnapshotProblem::NotInPlan { version, path } => write!(
                f,
                "snapshot `{}` records schema {version}, which the plan no longer lists: stores \
                 at {version} could not be opened; add the schema back to the plan, or retire \
                 the versions before the plan's first one with `oldest_supported` (delete the \
                 snapshot only if {version} never shipped)",
                path.display()
            ),
            SnapshotProblem::Missing { version, path } => write!(
                f,
                "schema {version} has no snapshot `{}`; run the tests locally to write it and \
                 commit it",
                path.display()
            ),
            SnapshotProblem::WrongFileName { version, path } => write!(
                f,
                "snapshot `{}` records schema {version}; rename it to `{}`",
                path.display(),
                file_name(*version)
            ),
            SnapshotProblem::ChecksumMismatch {
                version,
                path,
                recorded,
                actual,
            } => write!(
                f,
                "snapshot `{}` of schema {version} records checksum {recorded} but its content \
                 has checksum {actual}: the file was edited by hand; restore it from version \
                 control",
                path.display()
            ),
        }
    }
}

/// Why snapshots could not be read, written or matched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// A file or folder could not be read or written.
    #[error("cannot read or write `{path}`: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not a snapshot.
    #[error(
        "`{path}` is not a schema snapshot: {source}; snapshots are written by \
         `staged::schema::snapshot::to_json`"
    )]
    Parse {
        /// The file.
        path: PathBuf,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// A line of a folder's [`SHIPPED_FILE`] is not a version.
    #[error(
        "line {line} of `{path}` is `{text}`, not a version; list one shipped version a line \
         (`1.0.0`), `#` starts a comment"
    )]
    ShippedList {
        /// The file.
        path: PathBuf,
        /// The line number, from 1.
        line: usize,
        /// The line's content.
        text: String,
    },
    /// The snapshots do not match the schemas.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Problems(Vec<SnapshotProblem>),
}
