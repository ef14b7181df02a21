//! Connections to a store file: their settings, the look at a file's header
//! before SQLite opens it, the check that a store belongs to a plan, and
//! the errors that say what is wrong with the file rather than the data.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::config::DbConfig;

use crate::error::{Error, MigrationError, Result, StoreError};
use crate::schema::{Checksum, Version};
use crate::sql::APPLICATION_ID;

use super::HeldFile;
use super::Metadata;
use super::encryption::EncryptionKey;

/// How long a connection waits for another connection's lock before failing,
/// unless `ModelContainerBuilder::busy_timeout` says otherwise.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Sets the options of every connection staged opens.
pub(crate) fn configure(conn: &Connection, busy_timeout: Duration) -> Result<()> {
    conn.busy_timeout(busy_timeout)?;
    // `PRAGMA foreign_keys = ON` without parsing a statement (paid on every launch).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_FKEY, true)?;
    Ok(())
}

/// Opens the file at `path` for reading and writing, given its `key` (an
/// encrypted store's) before anything reads it, configured; fails with
/// [`StoreError::ReadOnly`] when SQLite can only read it, and with
/// [`StoreError::WrongKey`] when the key does not decrypt it.
pub(crate) fn open(
    path: &Path,
    busy_timeout: Duration,
    key: Option<&EncryptionKey>,
) -> Result<Connection> {
    let conn = Connection::open(path).map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })?;
    configure(&conn, busy_timeout)?;
    super::encryption::unlock(&conn, path, key)?;
    if conn.is_readonly(rusqlite::MAIN_DB)? {
        // SQLite fell back to reading: the process may not write the file.
        return Err(StoreError::ReadOnly {
            path: path.to_owned(),
        }
        .into());
    }
    Ok(conn)
}

/// The version of a store, once its `metadata` shows a version neither
/// newer than `latest` nor older than `oldest` whose checksum in the plan
/// (`checksum_of`) is the store's; otherwise the store cannot be opened.
pub(crate) fn check_store(
    metadata: Metadata,
    path: &Path,
    (oldest, latest): (Version, Version),
    checksum_of: impl Fn(Version) -> Option<Checksum>,
) -> Result<Version> {
    if metadata.version < oldest {
        return Err(MigrationError::StoreTooOld {
            path: path.to_owned(),
            store_version: metadata.version,
            oldest_supported: oldest,
        }
        .into());
    }
    if metadata.version > latest {
        return Err(MigrationError::StoreNewer {
            path: path.to_owned(),
            store_version: metadata.version,
            latest,
        }
        .into());
    }
    match checksum_of(metadata.version) {
        None => {
            return Err(MigrationError::VersionNotInPlan {
                path: path.to_owned(),
                version: metadata.version,
            }
            .into());
        }
        Some(checksum) if checksum != metadata.checksum => {
            return Err(MigrationError::UnknownChecksum {
                path: path.to_owned(),
                version: metadata.version,
                checksum: metadata.checksum,
            }
            .into());
        }
        Some(_) => {}
    }
    Ok(metadata.version)
}

/// The first 16 bytes of every SQLite database file.
pub(crate) const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// SQLite's smallest page size: every database file is a multiple of it.
const MIN_PAGE_SIZE: u64 = 512;

/// What a path holds, judged from its bytes before SQLite opens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileState {
    /// No file, or an empty one: a new store is created.
    New,
    /// A SQLite file carrying staged's application id.
    Staged,
    /// No SQLite header, but a whole number of pages (at least one of
    /// SQLite's smallest): a store encrypted with SQLCipher, whose header
    /// is encrypted too (or a file that only looks like one).
    Encrypted,
    /// A SQLite file staged did not create (another application id).
    Foreign {
        /// The `PRAGMA application_id` in its header.
        application_id: u32,
    },
}

/// Checks a path's header without letting SQLite write anything; a SQLite
/// file staged did not create is [`StoreError::ForeignDatabase`].
pub(crate) fn inspect_file(path: &Path) -> Result<FileState> {
    match sniff(path)? {
        FileState::Foreign { application_id } => Err(StoreError::ForeignDatabase {
            path: path.to_owned(),
            application_id,
        }
        .into()),
        state => Ok(state),
    }
}

/// What a path holds, from its header, without letting SQLite write anything.
pub(crate) fn sniff(path: &Path) -> Result<FileState> {
    // Through the process's own descriptor of the file, if it holds one:
    // closing another would drop the locks of its open connections.
    let held = HeldFile::open(path).map_err(|source| StoreError::io(path, source))?;
    sniff_held(path, held.as_ref())
}

/// What the file at `path` holds, read through `held`, the process's
/// descriptor of it (`None`: there is no file).
pub(crate) fn sniff_held(path: &Path, held: Option<&HeldFile>) -> Result<FileState> {
    let io = |source| StoreError::io(path, source);
    let Some(held) = held else {
        return Ok(FileState::New);
    };
    let mut header = [0u8; 100];
    let read = held.read_at(&mut header, 0).map_err(io)?;
    let header = &header[..read];
    if header.is_empty() {
        return Ok(FileState::New);
    }
    if header.len() == 100 && &header[..16] != SQLITE_HEADER {
        let length = held.len().map_err(io)?;
        if length % MIN_PAGE_SIZE == 0 {
            return Ok(FileState::Encrypted);
        }
    }
    if header.len() < 100 || &header[..16] != SQLITE_HEADER {
        return Err(StoreError::NotADatabase {
            path: path.to_owned(),
        }
        .into());
    }
    // The application id is the big-endian u32 at offset 68 of the header.
    let application_id = u32::from_be_bytes([header[68], header[69], header[70], header[71]]);
    if application_id != APPLICATION_ID {
        return Ok(FileState::Foreign { application_id });
    }
    Ok(FileState::Staged)
}

/// Runs `PRAGMA integrity_check` (every page, record and index entry);
/// anything but `ok` is [`StoreError::Corrupt`] naming `path`.
pub(crate) fn integrity_check(conn: &Connection, path: &Path) -> Result<()> {
    let corrupt = |detail: String| {
        Error::from(StoreError::Corrupt {
            path: path.to_owned(),
            detail,
        })
    };
    let lines = conn
        .prepare(crate::sql::INTEGRITY_CHECK)
        .and_then(|mut statement| {
            statement
                .query_map([], |row| row.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        });
    match lines {
        Ok(lines) if lines.len() == 1 && lines[0] == "ok" => Ok(()),
        Ok(lines) => Err(corrupt(lines.join("; "))),
        Err(error) if is_damage(&error) => Err(corrupt(error.to_string())),
        Err(error) => Err(error.into()),
    }
}

pub(crate) fn is_damage(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// The SQLite error at the bottom of `error`, looking through the migration
/// errors that wrap one (a failed step, hook or transform).
fn sqlite_error(error: &Error) -> Option<&rusqlite::Error> {
    match error {
        Error::Sqlite(error) => Some(error),
        Error::Migration(migration) => match migration.as_ref() {
            MigrationError::StepFailed { source, .. }
            | MigrationError::HookFailed { source, .. } => sqlite_error(source),
            _ => None,
        },
        _ => None,
    }
}

/// Turns an error about the store at `path` whose cause is the file or its
/// surroundings (locked by another process, damaged, read-only, out of
/// space) into the [`StoreError`] that says so; other errors pass through.
pub(crate) fn classify(error: Error, path: &Path, busy_timeout: Duration) -> Error {
    use rusqlite::ErrorCode as Code;
    let Some(sqlite) = sqlite_error(&error) else {
        return error;
    };
    let path = path.to_owned();
    match sqlite.sqlite_error_code() {
        Some(Code::DatabaseBusy | Code::DatabaseLocked) => StoreError::Busy {
            path,
            timeout: busy_timeout,
        }
        .into(),
        Some(Code::DatabaseCorrupt | Code::NotADatabase) => StoreError::Corrupt {
            path,
            detail: sqlite.to_string(),
        }
        .into(),
        Some(Code::ReadOnly | Code::CannotOpen | Code::PermissionDenied) => {
            StoreError::ReadOnly { path }.into()
        }
        Some(Code::DiskFull) => StoreError::DiskFull { path }.into(),
        _ => error,
    }
}

/// How a store journals its transactions (SQLite's `journal_mode`); set with
/// [`ModelContainerBuilder::journal_mode`](crate::ModelContainerBuilder::journal_mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum JournalMode {
    /// Write-ahead logging (the default): readers read the last committed
    /// state without waiting for the writer, and a commit appends to the
    /// log instead of rewriting pages. The store's directory holds the
    /// `-wal` and `-shm` files next to it while it is open.
    #[default]
    Wal,
    /// SQLite's rollback journal (`DELETE`): readers and the writer wait for
    /// each other; no files beside the store once it is closed. For stores
    /// on file systems without shared memory (some network file systems).
    Rollback,
}

impl JournalMode {
    /// The `PRAGMA journal_mode` value.
    fn pragma(self) -> &'static str {
        match self {
            JournalMode::Wal => "wal",
            JournalMode::Rollback => "delete",
        }
    }
}

/// Sets the journal mode and the matching `synchronous` level on the
/// writer; returns whether the store is in WAL mode now (SQLite keeps the
/// old mode when it cannot switch, e.g. while another process has the store
/// open in WAL mode and this one asks for the rollback journal). `in_wal`
/// is what the file's header says, when it was read: a store already in
/// WAL mode that stays there needs no `PRAGMA journal_mode` (the mode is
/// the file's, and every connection to it uses it).
pub(crate) fn set_journal(
    conn: &Connection,
    mode: JournalMode,
    durable: bool,
    in_wal: Option<bool>,
) -> Result<bool> {
    let wal = match (mode, in_wal) {
        (JournalMode::Wal, Some(true)) => true,
        _ => {
            let now: String =
                conn.pragma_update_and_check(None, "journal_mode", mode.pragma(), |row| {
                    row.get(0)
                })?;
            now.eq_ignore_ascii_case("wal")
        }
    };
    // WAL with NORMAL never corrupts the store; the rollback journal needs FULL for that.
    let synchronous = if wal && !durable { "NORMAL" } else { "FULL" };
    conn.pragma_update(None, "synchronous", synchronous)?;
    Ok(wal)
}
