//! The SQLite store: file checks, the tables staged owns, and store creation.
//!
//! A store is a SQLite file marked with `PRAGMA application_id` =
//! [`APPLICATION_ID`](crate::sql::APPLICATION_ID), holding one table per entity plus two tables staged owns:
//! `_staged_metadata` (one row: version, checksum, created and updated times,
//! in Unix milliseconds, and the schema cookie recorded with the version:
//! see `RecordedCookie`) and
//! `_staged_history` (one row per applied migration step).

pub(crate) mod adopt;
pub(crate) mod connection;
pub(crate) mod encryption;
mod held;
mod inspect;
pub(crate) mod integrity;
pub(crate) mod verify;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, Result, StoreError};
use crate::schema::{Checksum, EntityDescriptor, SchemaDescriptor, Version};
use crate::sql::{self, APPLICATION_ID};

pub use connection::JournalMode;
pub(crate) use connection::{FileState, inspect_file, sniff, sniff_held};
pub(crate) use held::HeldFile;

pub use adopt::adoption_mismatches;
pub use encryption::{EncryptionKey, encrypt_store};
pub use inspect::{EntitySummary, HistoryEntry, JoinTableSummary, StoreSummary, inspect};

/// The metadata row of a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Metadata {
    pub version: Version,
    pub checksum: Checksum,
}

/// The schema cookie a store's metadata recorded with its version: SQLite's
/// `PRAGMA schema_version` when the store's tables were last known to be
/// its version's, as staged at [`TABLE_LAYOUT`] makes them. While the
/// store's cookie is still that value, nothing has changed its schema since
/// (every `CREATE`, `ALTER` and `DROP` moves it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordedCookie {
    /// A store created before the metadata had the column.
    NoColumn,
    /// Not known (an adopted database, an encrypted copy).
    Unknown,
    /// The value recorded ([`cookie_to_record`]).
    At(i64),
}

/// The revision of the tables staged makes: their `CREATE` statements, the
/// names of their indexes, the statements inference lowers. A recorded
/// cookie vouches for tables made at this revision only: a release that
/// changes how staged makes tables bumps it, and a store stamped before is
/// compared with its schema at its next migration.
pub(crate) const TABLE_LAYOUT: i64 = 1;

/// The value the metadata records for the schema of the database behind
/// `conn` as it is now: [`TABLE_LAYOUT`] in the high 32 bits, SQLite's
/// 32-bit schema cookie (`PRAGMA schema_version`) in the low.
pub(crate) fn cookie_to_record(conn: &Connection) -> rusqlite::Result<i64> {
    let cookie: i64 = conn.query_row(sql::SCHEMA_COOKIE, [], |row| row.get(0))?;
    Ok((TABLE_LAYOUT << 32) | (cookie & 0xffff_ffff))
}

impl RecordedCookie {
    /// The schema cookie the metadata of the store behind `conn` recorded.
    /// Read only when a migration needs it, so that opening an up-to-date
    /// store reads no more than its version and checksum, whatever release
    /// created it.
    pub(crate) fn read(conn: &Connection) -> rusqlite::Result<Self> {
        match conn.query_row(&sql::select_schema_cookie(), [], |row| {
            row.get::<_, Option<i64>>(0)
        }) {
            Ok(Some(recorded)) => Ok(RecordedCookie::At(recorded)),
            Ok(None) => Ok(RecordedCookie::Unknown),
            Err(error) if sql::is_missing_column(&error, sql::SCHEMA_COOKIE_COLUMN) => {
                Ok(RecordedCookie::NoColumn)
            }
            Err(error) => Err(error),
        }
    }

    /// Whether the store's schema is exactly the one recorded with its
    /// version, at this [`TABLE_LAYOUT`]: its schema cookie (read inside the
    /// caller's transaction) is the recorded one.
    pub(crate) fn vouches(self, conn: &Connection) -> rusqlite::Result<bool> {
        match self {
            RecordedCookie::At(recorded) => Ok(cookie_to_record(conn)? == recorded),
            RecordedCookie::NoColumn | RecordedCookie::Unknown => Ok(false),
        }
    }
}

/// A store's metadata as read through a connection, with the connection's
/// data version of the file just after (see [`data_version`]).
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub metadata: Metadata,
    pub data_version: u32,
}

/// Reads the metadata row ([`read_metadata`]) and notes the data version
/// of the file it was read from.
pub(crate) fn read_seen(conn: &Connection, path: &Path) -> Result<Seen> {
    let metadata = read_metadata(conn, path)?;
    Ok(Seen {
        metadata,
        data_version: data_version(conn)?,
    })
}

/// The data version of the main database of `conn` (without parsing a
/// statement): it changes whenever the file changes, through `conn` or
/// through a transaction another connection or process committed, as seen
/// when `conn` last started a transaction. Equal values around a wait for
/// the write lock mean nothing was written meanwhile.
pub(crate) fn data_version(conn: &Connection) -> rusqlite::Result<u32> {
    let mut version = 0;
    conn.file_control(
        Some(rusqlite::MAIN_DB),
        rusqlite::FileControl::DataVersion(&mut version),
    )?;
    Ok(version)
}

/// Reads the metadata row; a missing or malformed row is [`StoreError::MissingMetadata`].
pub(crate) fn read_metadata(conn: &Connection, path: &Path) -> Result<Metadata> {
    let missing = || {
        Error::from(StoreError::MissingMetadata {
            path: path.to_owned(),
        })
    };
    let row: Option<(String, String)> = conn
        .query_row(&sql::select_metadata(), [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
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

/// Stamps the store at `version` (whose schema has `checksum`), inside the
/// caller's transaction, once its tables are known to be that version's,
/// recording its schema cookie (after adding the column to a store from
/// before it existed).
pub(crate) fn stamp(conn: &Connection, (version, checksum): (Version, Checksum)) -> Result<()> {
    let (version, checksum) = (version.to_string(), checksum.to_string());
    let write = || {
        conn.execute(
            &sql::stamp_metadata(),
            params![version, checksum, now_millis(), cookie_to_record(conn)?],
        )
    };
    match write() {
        Err(error) if sql::is_missing_column(&error, sql::SCHEMA_COOKIE_COLUMN) => {
            conn.execute(&sql::add_schema_cookie_column(), [])?;
            write()?;
        }
        written => {
            written?;
        }
    }
    Ok(())
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
        let mut statement = conn.prepare(sql::QUICK_CHECK)?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0));
        match rows.and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>()) {
            Ok(lines) => lines,
            Err(error) if connection::is_damage(&error) => return Err(corrupt(error.to_string())),
            Err(error) => return Err(error.into()),
        }
    };
    if lines.len() == 1 && lines[0] == "ok" {
        Ok(())
    } else {
        Err(corrupt(lines.join("; ")))
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Creates a new store at `descriptor`'s version in an empty database, in one
/// transaction (test stores; the container creates its stores with
/// [`create_in`] inside a transaction that also seeds them).
#[cfg(feature = "testing")]
pub(crate) fn create(conn: &mut Connection, descriptor: &SchemaDescriptor) -> Result<()> {
    let tx = conn.transaction()?;
    create_in(&tx, descriptor)?;
    tx.commit()?;
    Ok(())
}

/// Creates a new store's tables and metadata inside the caller's transaction.
pub(crate) fn create_in(tx: &Connection, descriptor: &SchemaDescriptor) -> Result<()> {
    create_metadata_tables(tx)?;
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
    // The tables are the descriptor's: record the cookie with its version.
    write_metadata_row(tx, descriptor, Some(cookie_to_record(tx)?))
}

/// Marks the database as a store (its application id) and creates the
/// tables staged owns, inside the caller's transaction.
pub(crate) fn create_metadata_tables(tx: &Connection) -> Result<()> {
    tx.pragma_update(None, "application_id", APPLICATION_ID as i32)?;
    tx.execute_batch(&sql::create_own_tables())?;
    Ok(())
}

/// Writes the metadata row of a store created (or adopted) at
/// `descriptor`'s version, with the [`cookie_to_record`] its tables are
/// known to be that version's at (`None`: not known).
pub(crate) fn write_metadata_row(
    tx: &Connection,
    descriptor: &SchemaDescriptor,
    cookie: Option<i64>,
) -> Result<()> {
    let now = now_millis();
    tx.execute(
        &sql::insert_metadata(),
        params![
            descriptor.version().to_string(),
            descriptor.checksum().to_string(),
            now,
            cookie
        ],
    )?;
    Ok(())
}

/// Maps a failed insert or update of `entity` to a typed error.
pub(crate) fn write_error(entity: &EntityDescriptor, error: rusqlite::Error) -> Error {
    if error.sqlite_error().map(|e| e.extended_code)
        == Some(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY)
    {
        return Error::ReferenceNotFound {
            entity: entity.name().to_owned(),
        };
    }
    constraint_error(error)
}

/// Maps a SQLite constraint error on `entity` to a typed error naming the attribute.
pub(crate) fn constraint_error(error: rusqlite::Error) -> Error {
    if let rusqlite::Error::SqliteFailure(failure, Some(message)) = &error {
        // SQLite reports e.g. "UNIQUE constraint failed: Reminder.uid", and
        // "…: Note.folder, Note.title" for a compound unique constraint.
        let target = |constraint| {
            let mut entity = None;
            let mut attributes = Vec::new();
            for column in sql::failed_columns(message, constraint)?.split(", ") {
                let (table, attribute) = column.rsplit_once('.')?;
                entity.get_or_insert(table);
                attributes.push(attribute);
            }
            Some((entity?.to_owned(), attributes.join(", ")))
        };
        match failure.extended_code {
            rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => {
                if let Some((entity, attribute)) = target(sql::Failed::Unique) {
                    return Error::UniqueViolation { entity, attribute };
                }
            }
            rusqlite::ffi::SQLITE_CONSTRAINT_NOTNULL => {
                if let Some((entity, attribute)) = target(sql::Failed::NotNull) {
                    return Error::NotNullViolation { entity, attribute };
                }
            }
            _ => {}
        }
    }
    Error::Sqlite(error)
}
