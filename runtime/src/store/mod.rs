//! The SQLite store: file checks, the tables staged owns, and store creation.
//!
//! A store is a SQLite file marked with `PRAGMA application_id` =
//! [`APPLICATION_ID`], holding one table per entity plus two tables staged owns:
//! `_staged_metadata` (one row: version, checksum, created and updated times,
//! in Unix milliseconds) and `_staged_history` (one row per applied migration step).

mod inspect;
pub(crate) mod integrity;
pub mod sql;
pub mod verify;

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, MigrationError, Result, StoreError};
use crate::schema::{Checksum, SchemaDescriptor, Version};

pub use inspect::{EntitySummary, HistoryEntry, JoinTableSummary, StoreSummary, inspect};

/// The `PRAGMA application_id` of every staged store: ASCII `STGD`.
pub const APPLICATION_ID: u32 = 0x5354_4744;

/// The table holding the store's version and checksum.
pub const METADATA_TABLE: &str = "_staged_metadata";

/// The table holding one row per applied migration step.
pub const HISTORY_TABLE: &str = "_staged_history";

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// What a path holds, judged from its bytes before SQLite opens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileState {
    /// No file, or an empty one: a new store is created.
    New,
    /// A SQLite file carrying staged's application id.
    Staged,
}

/// Checks a path's header without letting SQLite write anything.
pub(crate) fn inspect_file(path: &Path) -> Result<FileState> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::New),
        Err(e) => return Err(io(e).into()),
    };
    let mut header = Vec::with_capacity(100);
    file.by_ref()
        .take(100)
        .read_to_end(&mut header)
        .map_err(io)?;
    if header.is_empty() {
        return Ok(FileState::New);
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
        return Err(StoreError::ForeignDatabase {
            path: path.to_owned(),
            application_id,
        }
        .into());
    }
    Ok(FileState::Staged)
}

/// The metadata row of a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Metadata {
    pub version: Version,
    pub checksum: Checksum,
}

/// Reads the metadata row; a missing or malformed row is [`StoreError::MissingMetadata`].
pub(crate) fn read_metadata(conn: &Connection, path: &Path) -> Result<Metadata> {
    let missing = || {
        Error::from(StoreError::MissingMetadata {
            path: path.to_owned(),
        })
    };
    let row: Option<(String, String)> = conn
        .query_row(
            &format!(
                "SELECT version, checksum FROM {} WHERE id = 1",
                sql::quote_ident(METADATA_TABLE)
            ),
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .map_err(|error| match error.sqlite_error_code() {
            // "no such table" and the like: the file has no metadata.
            Some(rusqlite::ErrorCode::Unknown) | None => missing(),
            // Busy, corrupt, I/O…: the caller classifies these.
            Some(_) => Error::Sqlite(error),
        })?;
    let (version, checksum) = row.ok_or_else(missing)?;
    Ok(Metadata {
        version: version.parse().map_err(|_| missing())?,
        checksum: checksum.parse().map_err(|_| missing())?,
    })
}

/// The version in the store's metadata (what the runner reads again once it
/// holds the write lock, to see a migration another connection committed).
pub(crate) fn read_version(conn: &Connection, path: &Path) -> Result<Version> {
    read_metadata(conn, path).map(|metadata| metadata.version)
}

/// Runs `PRAGMA quick_check` (every page and record is well formed; cheaper
/// than `integrity_check`, which also compares indexes with their tables).
pub(crate) fn quick_check(conn: &Connection, path: &Path) -> Result<()> {
    let corrupt = |detail: String| {
        Error::from(StoreError::Corrupt {
            path: path.to_owned(),
            detail,
        })
    };
    let lines: Vec<String> = {
        let mut statement = conn.prepare("PRAGMA quick_check(3)")?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0));
        match rows.and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>()) {
            Ok(lines) => lines,
            Err(error) if is_damage(&error) => return Err(corrupt(error.to_string())),
            Err(error) => return Err(error.into()),
        }
    };
    if lines.len() == 1 && lines[0] == "ok" {
        Ok(())
    } else {
        Err(corrupt(lines.join("; ")))
    }
}

fn is_damage(error: &rusqlite::Error) -> bool {
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

/// Milliseconds since the Unix epoch.
pub(crate) fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Creates a new store at `descriptor`'s version in an empty database, in one transaction.
pub(crate) fn create(conn: &mut Connection, descriptor: &SchemaDescriptor) -> Result<()> {
    let tx = conn.transaction()?;
    tx.pragma_update(None, "application_id", APPLICATION_ID as i32)?;
    tx.execute_batch(&format!(
        "CREATE TABLE {meta} (
             id INTEGER PRIMARY KEY CHECK (id = 1),
             version TEXT NOT NULL,
             checksum TEXT NOT NULL,
             created_at INTEGER NOT NULL,
             updated_at INTEGER NOT NULL
         ) STRICT;
         CREATE TABLE {history} (
             seq INTEGER PRIMARY KEY,
             from_version TEXT NOT NULL,
             to_version TEXT NOT NULL,
             kind TEXT NOT NULL,
             started_at INTEGER NOT NULL,
             duration_ms INTEGER NOT NULL,
             rows_touched INTEGER NOT NULL
         ) STRICT;",
        meta = sql::quote_ident(METADATA_TABLE),
        history = sql::quote_ident(HISTORY_TABLE),
    ))?;
    for entity in descriptor.entities() {
        tx.execute(&sql::create_table(entity.name(), entity), [])?;
        for statement in sql::create_indexes(entity) {
            tx.execute(&statement, [])?;
        }
    }
    for join in descriptor.join_tables() {
        tx.execute(&sql::create_join_table(&join.name, &join), [])?;
        tx.execute(&sql::create_join_index(&join), [])?;
    }
    let now = now_millis();
    tx.execute(
        &format!(
            "INSERT INTO {} (id, version, checksum, created_at, updated_at) VALUES (1, ?1, ?2, ?3, ?3)",
            sql::quote_ident(METADATA_TABLE)
        ),
        params![descriptor.version().to_string(), descriptor.checksum().to_string(), now],
    )?;
    tx.commit()?;
    Ok(())
}

/// Maps a SQLite constraint error on `entity` to a typed error naming the attribute.
pub(crate) fn constraint_error(error: rusqlite::Error) -> Error {
    if let rusqlite::Error::SqliteFailure(failure, Some(message)) = &error {
        // SQLite reports e.g. "UNIQUE constraint failed: Reminder.uid".
        let target = |prefix: &str| {
            message.strip_prefix(prefix).and_then(|rest| {
                let first = rest.split(", ").next()?;
                let (entity, attribute) = first.rsplit_once('.')?;
                Some((entity.to_owned(), attribute.to_owned()))
            })
        };
        match failure.extended_code {
            rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => {
                if let Some((entity, attribute)) = target("UNIQUE constraint failed: ") {
                    return Error::UniqueViolation { entity, attribute };
                }
            }
            rusqlite::ffi::SQLITE_CONSTRAINT_NOTNULL => {
                if let Some((entity, attribute)) = target("NOT NULL constraint failed: ") {
                    return Error::NotNullViolation { entity, attribute };
                }
            }
            _ => {}
        }
    }
    Error::Sqlite(error)
}
