//! [`TestError`]: why a migration test failed.

use std::fmt;

use crate::error::Error;
use crate::schema::Version;

/// Why a [`MigrationTest`](super::MigrationTest) failed, naming the version
/// the store started at. Its `Debug` output is its message (which includes the cause), so
/// `.unwrap()` and `?` in a test print something readable.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum TestError {
    /// A seed or a test store names a schema the plan does not list.
    #[error(
        "schema {version} is not in the plan under test (or has another checksum than the plan's {version}); \
         add it with `.schema::<…>()`, or seed only versions of the plan"
    )]
    NotInPlan {
        /// The schema's version.
        version: Version,
    },

    /// No temporary directory could be created for a store.
    #[error("cannot create a temporary directory for a test store: {source}")]
    TempDir {
        /// The I/O error.
        source: std::io::Error,
    },

    /// A store could not be created at a version.
    #[error("cannot create a test store at {version}: {source}")]
    Create {
        /// The version.
        version: Version,
        /// The cause (boxed to keep `Result`s small).
        source: Box<Error>,
    },

    /// A seed returned an error or panicked.
    #[error("seeding the test store at {version} failed: {source}")]
    Seed {
        /// The version of the seeded store.
        version: Version,
        /// The seed's error.
        source: Box<Error>,
    },

    /// The migration failed.
    #[error("migrating a test store from {from} to {to} failed: {source}")]
    Migrate {
        /// The version the store started at.
        from: Version,
        /// The plan's latest version.
        to: Version,
        /// The migration's error.
        source: Box<Error>,
    },

    /// The migration succeeded but the store does not match the target schema.
    #[error(
        "after migrating a test store from {from} to {to}, the store does not match schema {to}:\n  - {}",
        problems.join("\n  - ")
    )]
    Invalid {
        /// The version the store started at.
        from: Version,
        /// The target version.
        to: Version,
        /// One line per difference.
        problems: Vec<String>,
    },

    /// [`MigrationTest::generated`](super::MigrationTest::generated) cannot
    /// generate records of a version: an attribute has no generator (a json
    /// attribute whose serde shape could not be traced, without default).
    #[error("cannot generate records for a test store at {version}: {reason}")]
    Generate {
        /// The version of the store.
        version: Version,
        /// Why, naming the entity and attribute.
        reason: String,
    },

    /// A store of generated records lost data in its migration (a record
    /// gone, a value changed), failed to migrate, or failed a check; with
    /// the smallest failing store found.
    #[error(
        "a store of generated records at {from} failed its migration to {to}: {failure}\n\
         the smallest failing store found, as written at {from}:\n{records}"
    )]
    Generated {
        /// The version the store started at.
        from: Version,
        /// The plan's latest version.
        to: Version,
        /// What went wrong, naming entity, attribute and record.
        failure: String,
        /// The records (and links) of the store, one per line.
        records: String,
    },

    /// A check returned an error or panicked.
    #[error("the check of the test store migrated from {from} failed: {source}")]
    Check {
        /// The version the store started at.
        from: Version,
        /// The check's error.
        source: Box<Error>,
    },
}

impl fmt::Debug for TestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The message already includes its cause.
        write!(f, "{self}")
    }
}
