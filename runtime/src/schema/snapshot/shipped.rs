//! Which versions have shipped: the snapshot folder's list of them, and
//! the rule that every version but the latest has.

use std::fmt;
use std::path::Path;

use super::SnapshotError;
use crate::schema::Version;

/// The file of a snapshot folder that lists the versions that shipped, one a
/// line (`1.0.0`); blank lines and text after `#` are ignored. See the
/// [snapshot module docs](super).
pub const SHIPPED_FILE: &str = "shipped.txt";

/// Why a version counts as shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Shipped {
    /// The snapshot folder's [`SHIPPED_FILE`] lists it.
    Listed,
    /// A newer version of the plan follows it.
    NotLatest,
}

impl fmt::Display for Shipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shipped::Listed => write!(f, "`{SHIPPED_FILE}` lists it"),
            Shipped::NotLatest => f.write_str("it is not the latest version of the plan"),
        }
    }
}

/// The versions the snapshot folder `dir` lists as shipped in its
/// [`SHIPPED_FILE`] (none when there is no such file).
///
/// Fails with [`SnapshotError::Io`] when the file cannot be read, and with
/// [`SnapshotError::ShippedList`] on a line that is not a version.
pub fn read_shipped(dir: &Path) -> Result<Vec<Version>, SnapshotError> {
    let path = dir.join(SHIPPED_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(SnapshotError::Io { path, source }),
    };
    let mut versions = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let content = line.split('#').next().unwrap_or_default().trim();
        if content.is_empty() {
            continue;
        }
        match content.parse::<Version>() {
            Ok(version) => versions.push(version),
            Err(_) => {
                return Err(SnapshotError::ShippedList {
                    path,
                    line: index + 1,
                    text: content.to_owned(),
                });
            }
        }
    }
    Ok(versions)
}
