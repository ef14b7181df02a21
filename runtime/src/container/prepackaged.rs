//! A new store created from a bundled one: copied into a temporary file
//! next to the store's path, checked, migrated, then moved into place.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::builder::{Bundled, ModelContainerBuilder};
use crate::context::Writer;
use crate::error::{Error, Result, StoreError};
use crate::migrate::Migration;
use crate::schema::{Version, VersionedSchema};
use crate::store::{self, FileState, connection};

impl Bundled {
    /// How messages name the bundled store.
    fn name(&self) -> String {
        match self {
            Bundled::File(path) => format!("`{}`", path.display()),
            Bundled::Bytes(bytes) => format!("given as {} bytes", bytes.len()),
        }
    }
}

/// Creates the store at `path` (no file, or an empty one) from `bundled`,
/// migrated to the plan's latest version; returns the bundled store's
/// version, or `None` when another process created a store at `path`
/// meanwhile (it is left alone). Nothing is left behind on failure.
pub(super) fn install<S: VersionedSchema>(
    builder: &ModelContainerBuilder<S>,
    bundled: &Bundled,
    path: &Path,
) -> Result<Option<Version>> {
    let name = bundled.name();
    let prepackaged = |source: Error| -> Error {
        StoreError::Prepackaged {
            path: path.to_owned(),
            bundled: name.clone(),
            source: Box::new(source),
        }
        .into()
    };
    let io = |source: std::io::Error| -> Error { StoreError::io(path, source).into() };
    let (temporary, mut file) = Temporary::create(path).map_err(io)?;
    match bundled {
        Bundled::File(source) => {
            let copied =
                File::open(source).and_then(|mut from| std::io::copy(&mut from, &mut file));
            copied
                .map_err(|source_error| prepackaged(StoreError::io(source, source_error).into()))?;
        }
        Bundled::Bytes(bytes) => file.write_all(bytes).map_err(io)?,
    }
    file.sync_all().map_err(io)?;
    drop(file);
    let shown = match bundled {
        Bundled::File(source) => source.clone(),
        Bundled::Bytes(_) => PathBuf::from("<bundled bytes>"),
    };
    let version = prepare(builder, &temporary.path, &shown).map_err(prepackaged)?;
    if temporary.place(path).map_err(io)? {
        Ok(Some(version))
    } else {
        Ok(None)
    }
}

/// Checks the copy at `copy` (a staged store at a version of the plan, with
/// its checksum, whose `integrity_check` passes) and migrates it to the
/// latest version; errors name `shown`, the bundled store.
fn prepare<S: VersionedSchema>(
    builder: &ModelContainerBuilder<S>,
    copy: &Path,
    shown: &Path,
) -> Result<Version> {
    let timeout = builder.busy_timeout;
    let key = builder.key.as_ref();
    let checked = (|| -> Result<Version> {
        let plaintext = match store::sniff(copy) {
            Ok(FileState::Staged) => true,
            Ok(FileState::Encrypted) if key.is_some() => false,
            Ok(FileState::Encrypted) => {
                return Err(StoreError::Encrypted {
                    path: shown.to_owned(),
                }
                .into());
            }
            Ok(FileState::Foreign { application_id }) => {
                return Err(StoreError::ForeignDatabase {
                    path: shown.to_owned(),
                    application_id,
                }
                .into());
            }
            Ok(FileState::New) | Err(_) => {
                return Err(StoreError::NotADatabase {
                    path: shown.to_owned(),
                }
                .into());
            }
        };
        let conn = connection::open(copy, timeout, key.filter(|_| !plaintext))?;
        connection::integrity_check(&conn, shown)?;
        let version = builder.plan.store_version(&conn, shown)?;
        if version != S::VERSION {
            let conn = Writer::shared(conn);
            Migration::new(&builder.plan, shown, version)?
                .observer(builder.observer.clone())
                .check_before(false)
                .busy_timeout(timeout)
                .begin(&conn)?
                .commit()?;
        } else {
            drop(conn);
        }
        if let Some(key) = key.filter(|_| plaintext) {
            // A plaintext bundle for an encrypted store: encrypt the copy.
            store::encrypt_store(copy, key)?;
        }
        Ok(version)
    })();
    checked.map_err(|error| connection::classify(error, shown, timeout))
}

/// A temporary file next to a store's path, removed (with its journal
/// files) when dropped unless it was moved into place.
struct Temporary {
    path: PathBuf,
}

impl Temporary {
    /// Creates a new, empty temporary file in `path`'s directory.
    fn create(path: &Path) -> std::io::Result<(Temporary, File)> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let temporary = path.with_file_name(format!(
            ".{name}.staged-{}-{}.tmp",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)?;
        let temporary = Temporary { path: temporary };
        Ok((temporary, file))
    }

    /// Moves the file to `path` unless a store appeared there meanwhile
    /// (then `false`, and the file is removed): a hard link never replaces
    /// a file; an empty file at `path` (which stands for no store) is
    /// replaced by a rename. File systems without hard links get a rename
    /// once `path` is checked to hold no store.
    fn place(self, path: &Path) -> std::io::Result<bool> {
        let holds_store = || std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
        match std::fs::hard_link(&self.path, path) {
            Ok(()) => {}
            Err(_) if holds_store() => return Ok(false),
            Err(_) => std::fs::rename(&self.path, path)?,
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // Make the new name durable; not every platform can open a directory.
            if let Ok(dir) = File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(true)
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        // After `place`, the name is gone (renamed) or a second link.
        for suffix in ["-wal", "-shm", "-journal", ""] {
            let mut file = self.path.as_os_str().to_owned();
            file.push(suffix);
            let _ = std::fs::remove_file(file);
        }
    }
}
