//! Encryption at rest (feature `sqlcipher`): the key every connection to an
//! encrypted store is given before anything reads the file, and the
//! encryption of a plaintext store into a copy that replaces it.
//!
//! Without the feature no key can be made (`ModelContainerBuilder` has no
//! `encryption_key`), so every key below is `None` and nothing here runs.
#![cfg_attr(not(feature = "sqlcipher"), allow(dead_code))]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, ErrorCode, params};

use super::connection::{self, BUSY_TIMEOUT, FileState};
use crate::error::{Error, Result, StoreError};
use crate::sql::{self, APPLICATION_ID};

/// The key of a store encrypted with SQLCipher (feature `sqlcipher`): a
/// passphrase (SQLCipher derives the key from it with PBKDF2, which takes
/// a noticeable moment on every connection) or 32 raw key bytes (no
/// derivation). Give it to
/// [`ModelContainerBuilder::encryption_key`](crate::ModelContainerBuilder::encryption_key).
///
/// Its `Debug` output never shows the key. The container keeps a copy for
/// as long as it is open: read connections are opened when needed.
#[derive(Clone)]
pub struct EncryptionKey {
    secret: Secret,
}

#[derive(Clone)]
enum Secret {
    Passphrase(String),
    Raw([u8; 32]),
}

impl EncryptionKey {
    /// A key derived from `passphrase` (SQLCipher's `PRAGMA key = 'passphrase'`).
    pub fn passphrase(passphrase: impl Into<String>) -> Self {
        EncryptionKey {
            secret: Secret::Passphrase(passphrase.into()),
        }
    }

    /// A raw 256-bit key, used as it is (SQLCipher's `PRAGMA key = "x'…'"`),
    /// e.g. one kept in the platform's keychain.
    pub fn raw(key: [u8; 32]) -> Self {
        EncryptionKey {
            secret: Secret::Raw(key),
        }
    }

    /// What SQLCipher is given: the passphrase, or `x'<64 hex digits>'`.
    fn material(&self) -> String {
        match &self.secret {
            Secret::Passphrase(passphrase) => passphrase.clone(),
            Secret::Raw(bytes) => {
                let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
                format!("x'{hex}'")
            }
        }
    }
}

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.secret {
            Secret::Passphrase(_) => "passphrase",
            Secret::Raw(_) => "raw",
        };
        write!(f, "EncryptionKey({kind}, hidden)")
    }
}

/// Gives `conn`, just opened on `path`, its key (if any) before anything
/// reads the file, then reads the header: a key that does not decrypt the
/// file is [`StoreError::WrongKey`], and a database another application
/// made is [`StoreError::ForeignDatabase`].
pub(crate) fn unlock(conn: &Connection, path: &Path, key: Option<&EncryptionKey>) -> Result<()> {
    let Some(key) = key else {
        return Ok(());
    };
    conn.pragma_update(None, "key", key.material())?;
    let read = |pragma: &str| conn.pragma_query_value(None, pragma, |row| row.get::<_, i64>(0));
    match read("application_id") {
        Ok(id) if id as u32 == APPLICATION_ID => Ok(()),
        // An empty database: a new store, not created yet.
        Ok(0) if read("page_count")? == 0 => Ok(()),
        Ok(id) => Err(StoreError::ForeignDatabase {
            path: path.to_owned(),
            application_id: id as u32,
        }
        .into()),
        Err(error) if error.sqlite_error_code() == Some(ErrorCode::NotADatabase) => {
            Err(StoreError::WrongKey {
                path: path.to_owned(),
            }
            .into())
        }
        Err(error) => Err(error.into()),
    }
}

/// Encrypts the plaintext store at `path` with `key` (feature `sqlcipher`):
/// SQLCipher's `sqlcipher_export` copies it into a new encrypted file beside
/// it, which then replaces it by a rename. A store already encrypted with
/// `key` is left as it is.
///
/// On success the path holds only the encrypted store: the plaintext file
/// is gone from the directory (its blocks are freed, not overwritten: a
/// plaintext copy may survive on the disk until they are reused). On
/// failure the store is left as it was and the encrypted copy is removed.
/// No other connection may have the store open meanwhile (one in WAL mode
/// that does is [`StoreError::OpenElsewhere`]): encrypt at launch, before
/// opening it, or let
/// [`ModelContainerBuilder::encrypt_plaintext`](crate::ModelContainerBuilder::encrypt_plaintext)
/// do it.
///
/// Fails with a [`StoreError`] naming the file when there is no store at
/// `path`, when it is not a staged store, or when it is encrypted with
/// another key ([`StoreError::WrongKey`]).
pub fn encrypt_store(path: impl AsRef<Path>, key: &EncryptionKey) -> Result<()> {
    let path = path.as_ref();
    encrypt(path, key).map_err(|error| connection::classify(error, path, BUSY_TIMEOUT))
}

fn encrypt(path: &Path, key: &EncryptionKey) -> Result<()> {
    match connection::sniff(path)? {
        FileState::Staged => {}
        FileState::Encrypted => {
            let conn = connection::open(path, BUSY_TIMEOUT, Some(key))?;
            return super::read_metadata(&conn, path).map(drop);
        }
        FileState::New => {
            return Err(io_error(
                path,
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no store here (the file does not exist or is empty)",
                ),
            ));
        }
        FileState::Foreign { application_id } => {
            return Err(StoreError::ForeignDatabase {
                path: path.to_owned(),
                application_id,
            }
            .into());
        }
    }
    let copy = EncryptedCopy::next_to(path);
    let conn = connection::open(path, BUSY_TIMEOUT, None)?;
    super::read_metadata(&conn, path)?;
    export(&conn, &copy.path, key)?;
    File::open(&copy.path)
        .and_then(|file| file.sync_all())
        .map_err(|source| io_error(path, source))?;
    // The last connection to a store in WAL mode folds the `-wal` file into
    // the store and deletes it; one that remains belongs to another
    // connection, which would go on writing the replaced plaintext file.
    drop(conn);
    if beside(path, "-wal").exists() {
        return Err(StoreError::OpenElsewhere {
            path: path.to_owned(),
        }
        .into());
    }
    copy.replace(path)
}

/// Exports the store behind `conn` into the new file `target`, encrypted
/// with `key`, under the store's write lock. The copy's schema is the
/// store's, created anew: its schema cookie is another file's count, so the
/// copy's metadata forgets the recorded one (a store from before the column
/// has none to forget).
fn export(conn: &Connection, target: &Path, key: &EncryptionKey) -> Result<()> {
    let target = target.to_str().ok_or_else(|| {
        io_error(
            target,
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the store's path is not UTF-8, which SQLite's ATTACH needs",
            ),
        )
    })?;
    conn.execute(sql::ATTACH_ENCRYPTED, params![target, key.material()])?;
    let exported = (|| -> Result<()> {
        conn.execute_batch(sql::BEGIN_IMMEDIATE)?;
        let copied = conn
            .query_row(sql::EXPORT_ENCRYPTED, [], |_| Ok(()))
            .and_then(|()| copy_header_fields(conn))
            .and_then(|()| {
                let forget = &sql::set_schema_cookie(sql::ENCRYPTED_SCHEMA);
                match conn.execute(forget, [rusqlite::types::Null]) {
                    Err(e) if sql::is_missing_column(&e, sql::SCHEMA_COOKIE_COLUMN) => Ok(()),
                    done => done.map(drop),
                }
            })
            .and_then(|()| conn.execute_batch(sql::COMMIT));
        if copied.is_err() {
            let _ = conn.execute_batch(sql::ROLLBACK);
        }
        Ok(copied?)
    })();
    let detached = conn.execute_batch(sql::DETACH_ENCRYPTED);
    exported?;
    Ok(detached?)
}

/// `sqlcipher_export` copies the schema and the rows but not every field
/// of the header: `application_id` (which marks a staged store) and
/// `user_version` are copied here.
fn copy_header_fields(conn: &Connection) -> rusqlite::Result<()> {
    for pragma in ["application_id", "user_version"] {
        let value: i64 = conn.pragma_query_value(None, pragma, |row| row.get(0))?;
        conn.pragma_update(Some(sql::ENCRYPTED_SCHEMA), pragma, value)?;
    }
    Ok(())
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    StoreError::io(path, source).into()
}

/// `path` with `suffix` appended (`-wal`, `-journal`).
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The encrypted copy of a store, in a hidden file beside it; removed (with
/// its journal) when dropped, unless it replaced the store.
struct EncryptedCopy {
    path: PathBuf,
}

impl EncryptedCopy {
    fn next_to(path: &Path) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        EncryptedCopy {
            path: path.with_file_name(format!(
                ".{name}.encrypting-{}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            )),
        }
    }

    /// Renames the copy over `path` (atomic: `path` holds the plaintext
    /// store or the encrypted one, never neither) and makes the rename durable.
    fn replace(self, path: &Path) -> Result<()> {
        std::fs::rename(&self.path, path).map_err(|source| io_error(path, source))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // Not every platform can open a directory.
            if let Ok(dir) = File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for EncryptedCopy {
    fn drop(&mut self) {
        // After `replace`, the name is gone.
        for suffix in ["-journal", ""] {
            let _ = std::fs::remove_file(beside(&self.path, suffix));
        }
    }
}
