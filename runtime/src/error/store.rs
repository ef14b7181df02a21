//! [`StoreError`]: a file that cannot be opened as a store.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{AdoptionMismatch, Error};
use crate::schema::Version;

/// A file that cannot be opened as a store. The file is never modified.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file is not a SQLite database.
    #[error(
        "`{}` is not a SQLite database (its header is not `SQLite format 3`); \
         pass the path of a store staged created, or a path that does not exist yet to create one",
        path.display()
    )]
    NotADatabase {
        /// The file.
        path: PathBuf,
    },

    /// The file has no `SQLite format 3` header but is a whole number of
    /// pages long, as a store encrypted with SQLCipher is, and no
    /// [`encryption_key`](crate::ModelContainerBuilder::encryption_key) was
    /// given (or staged was built without its `sqlcipher` feature).
    #[error(
        "`{}` is encrypted, or is not a SQLite database (its header is not `SQLite format 3`, and its \
         size is a whole number of pages, as an encrypted store's is); nothing was changed: open it \
         with its key (`ModelContainerBuilder::encryption_key`, in a build with staged's `sqlcipher` \
         feature), or pass the path of a store staged created",
        path.display()
    )]
    Encrypted {
        /// The file.
        path: PathBuf,
    },

    /// The key given with
    /// [`encryption_key`](crate::ModelContainerBuilder::encryption_key)
    /// does not decrypt the file (or the file is not an encrypted store).
    #[error(
        "`{}` cannot be decrypted with the encryption key given (the key is wrong, or the file is \
         not an encrypted store); nothing was changed: open it with the key it was encrypted with",
        path.display()
    )]
    WrongKey {
        /// The file.
        path: PathBuf,
    },

    /// An [`encryption_key`](crate::ModelContainerBuilder::encryption_key)
    /// was given, but the store is not encrypted.
    #[error(
        "store `{}` is not encrypted, but an encryption key was given; nothing was changed: encrypt \
         it while opening it with `ModelContainerBuilder::encrypt_plaintext` (or `staged::encrypt_store`), \
         or open it without a key",
        path.display()
    )]
    NotEncrypted {
        /// The store file.
        path: PathBuf,
    },

    /// A store to be replaced by its encrypted copy is open in another
    /// connection (its `-wal` file is still there once staged closed its own).
    #[error(
        "store `{}` is open in another connection (its `-wal` file remains), so it cannot be replaced \
         by its encrypted copy; nothing was changed: encrypt it before anything else opens it",
        path.display()
    )]
    OpenElsewhere {
        /// The store file.
        path: PathBuf,
    },

    /// The file is a SQLite database that staged did not create.
    #[error(
        "`{}` is a SQLite database that staged did not create (application_id {application_id:#010x}, \
         expected {expected:#010x}); staged only opens its own stores: choose another path, \
         or copy the data into a new store yourself",
        path.display(),
        expected = crate::sql::APPLICATION_ID
    )]
    ForeignDatabase {
        /// The file.
        path: PathBuf,
        /// The `PRAGMA application_id` found in the file.
        application_id: u32,
    },

    /// The file carries staged's application id but not its metadata.
    #[error(
        "`{}` is marked as a staged store but has no readable metadata table `{}`; \
         the file is damaged: restore it from a backup",
        path.display(),
        crate::sql::METADATA_TABLE
    )]
    MissingMetadata {
        /// The file.
        path: PathBuf,
    },

    /// The file could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// SQLite could not open the file.
    #[error("cannot open `{}` with SQLite: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },

    /// Another connection (usually another process migrating the store) held
    /// the store's lock for longer than the busy timeout.
    #[error(
        "store `{}` is locked by another connection (another process may be migrating it) and stayed \
         locked for the busy timeout of {} ms; nothing was changed: open it again later, or raise \
         `ModelContainerBuilder::busy_timeout`",
        path.display(),
        timeout.as_millis()
    )]
    Busy {
        /// The store file.
        path: PathBuf,
        /// How long the connection waited.
        timeout: Duration,
    },

    /// SQLite found the file damaged: a corrupt header or page, or a file
    /// shorter than its header says.
    #[error(
        "store `{}` is damaged ({detail}); staged does not repair stores and changed nothing: \
         restore the file from a backup, or delete it to start with an empty store",
        path.display()
    )]
    Corrupt {
        /// The store file.
        path: PathBuf,
        /// What SQLite reported (the first lines of `PRAGMA quick_check`, or its
        /// error), or what is wrong with the file's list of free pages.
        detail: String,
    },

    /// The file, or the directory SQLite keeps its journal in, cannot be written.
    #[error(
        "store `{}` cannot be written: the file or its directory is read-only (SQLite writes a journal \
         file next to the store); nothing was changed: make both writable by the app, or copy the store \
         to a writable directory",
        path.display()
    )]
    ReadOnly {
        /// The store file.
        path: PathBuf,
    },

    /// The disk (or the database's page limit) ran out of space.
    #[error(
        "store `{}` ran out of space (the disk is full or the database reached its page limit); the \
         migration was rolled back and nothing was changed: free space (a migration may need as much again \
         as the store's size) and open it again",
        path.display()
    )]
    DiskFull {
        /// The store file.
        path: PathBuf,
    },

    /// A database staged did not create, opened with
    /// [`adopt`](crate::ModelContainerBuilder::adopt), whose tables do not
    /// match the adopted schema.
    #[error(
        "`{}` cannot be adopted as schema {version}: {} difference(s) between its tables and the \
         schema:\n  - {}\nnothing was changed: make schema {version} describe the database as it is, \
         or change the database first",
        path.display(),
        mismatches.len(),
        mismatches.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  - ")
    )]
    AdoptionMismatch {
        /// The database file.
        path: PathBuf,
        /// The adopted schema's version.
        version: Version,
        /// Every difference found.
        mismatches: Vec<AdoptionMismatch>,
    },

    /// A file checked for adoption is already a staged store.
    #[error(
        "`{}` is already a staged store: open it with its plan (`adopt` is only for databases \
         staged did not create)",
        path.display()
    )]
    AlreadyAStore {
        /// The file.
        path: PathBuf,
    },

    /// The bundled store a new store is created from cannot be used.
    #[error(
        "cannot create store `{}` from the bundled store {bundled}: {source}; nothing was created \
         at `{}` and the bundled store was not changed: bundle a store that staged created at a \
         version of this plan (closed, so that it has no `-wal` file beside it)",
        path.display(),
        path.display()
    )]
    Prepackaged {
        /// The store that was to be created.
        path: PathBuf,
        /// The bundled store: its file, or `bytes` when it was given as bytes.
        bundled: String,
        /// What is wrong with it.
        #[source]
        source: Box<Error>,
    },

    /// [`adopt`](crate::ModelContainerBuilder::adopt) names a schema the
    /// plan does not hold (or holds with another checksum), or one older
    /// than the plan's oldest supported version.
    #[error(
        "cannot adopt `{}` as schema {version}: the plan has no such schema, or retired it (its \
         oldest supported version is {oldest_supported}); nothing was changed: adopt with a schema \
         of the plan, no older than {oldest_supported}",
        path.display()
    )]
    AdoptedSchemaNotInPlan {
        /// The database file.
        path: PathBuf,
        /// The adopted schema's version.
        version: Version,
        /// The plan's oldest supported version.
        oldest_supported: Version,
    },
}

impl StoreError {
    /// [`StoreError::Io`]: reading or writing the file at `path` failed with
    /// `source`.
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.to_owned(),
            source,
        }
    }
}
