//! What a snapshot check reports: its problems and its errors.

use std::fmt;
use std::path::PathBuf;

use super::{Checksum, SHIPPED_FILE, SchemaDifference, Shipped, Version, file_name};

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
    /// In [`SnapshotMode::Overwrite`](super::SnapshotMode::Overwrite), a shipped version no longer matches
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
    /// A version has no snapshot ([`SnapshotMode::Verify`](super::SnapshotMode::Verify) only).
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
