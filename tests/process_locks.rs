//! staged reads a store file itself (its header before SQLite opens it, its
//! pages in the check before a migration); on POSIX systems closing any
//! descriptor of a file drops every lock the process holds on it, SQLite's
//! included, so those reads go through one descriptor per file that stays
//! open while a container has the file open. Observed from another process:
//! while a container of this process is inside a write transaction, another
//! process cannot begin one, however many other containers of this process
//! open, read or migrate the same file meanwhile.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::store::TempStore;
use staged::JournalMode;
use staged::prelude::*;
use staged::rusqlite::Connection;

/// The store's only version.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    /// A note.
    #[model]
    pub struct Note {
        /// The title.
        pub title: String,
    }
}

fn plan() -> SchemaMigrationPlan<v1::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .unwrap()
}

/// Set in the child process to the store's path.
const CHILD: &str = "STAGED_PROCESS_LOCKS_CHILD";

/// The other process of the test below: tries to begin a write
/// transaction on the store, and fails the test if it can. Run as a test on
/// its own, it does nothing.
#[test]
fn child_cannot_write() {
    let Some(path) = std::env::var_os(CHILD) else {
        return;
    };
    let conn = Connection::open(PathBuf::from(path)).unwrap();
    conn.busy_timeout(Duration::ZERO).unwrap();
    let begun = conn.execute_batch("BEGIN IMMEDIATE");
    assert!(
        begun
            .as_ref()
            .is_err_and(|e| e.to_string().contains("locked")),
        "another process is writing the store, yet: {begun:?}"
    );
}

/// Runs [`child_cannot_write`] in a process of its own on `path`.
fn another_process_cannot_write(path: &Path) {
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_cannot_write", "--quiet"])
        .env(CHILD, path)
        .status()
        .unwrap();
    assert!(status.success(), "this process lost its lock on the store");
}

#[test]
fn other_containers_opening_the_file_keep_a_write_transactions_lock() {
    let store = TempStore::new();
    let open_v1 = || {
        ModelContainer::builder(plan())
            .journal_mode(JournalMode::Rollback)
            .open(store.path())
            .unwrap()
    };
    let first = open_v1();
    first
        .context()
        .transaction(|ctx| {
            ctx.insert(v1::Note {
                title: "written".into(),
            })?;
            // This process holds the write lock.
            another_process_cannot_write(store.path());
            // Another container of this process reads the header and opens.
            let second = open_v1();
            drop(second);
            another_process_cannot_write(store.path());
            Ok(())
        })
        .unwrap();
    assert_eq!(first.context().count::<v1::Note>().unwrap(), 1);
}
