//! Read-only stores: a file the app may not write, or a directory it may
//! not create SQLite's journal in, is `StoreError::ReadOnly` naming the
//! file, and the store's bytes stay as they were. Both journal modes.
//!
//! File permissions do not bind root, so when the tests run as root the
//! harness is started as user and group 65534 (`nobody`).

mod support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use staged_harness::JournalMode;
use support::{BIN, Run, Template, listing};

const ROWS: usize = 500;

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Runs the harness's `migrate` on `path` as a user file permissions bind.
fn migrate_unprivileged(path: &Path) -> (bool, Vec<String>) {
    let mut command = Command::new(BIN);
    command.arg("migrate").arg(path);
    let root = std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(0)
        == 0;
    if root {
        command.uid(65534).gid(65534);
    }
    let (status, lines) = Run::spawn(&mut command).finish();
    (status.success(), lines)
}

fn assert_read_only(path: &Path, setup: &str) {
    let dir = path.parent().expect("a directory");
    let bytes = std::fs::read(path).expect("read");
    let files = listing(dir);
    let (success, lines) = migrate_unprivileged(path);
    assert!(!success, "{setup}: {lines:?}");
    let last = lines.last().expect("an error line");
    assert!(
        last.starts_with("store error read-only ")
            && last.contains(&path.display().to_string())
            && last.contains("make both writable"),
        "{setup}: {last}"
    );
    assert!(
        std::fs::read(path).expect("read") == bytes,
        "{setup}: bytes changed"
    );
    assert_eq!(listing(dir), files, "{setup}");
}

#[test]
fn a_read_only_store_file_is_refused_unchanged() {
    for mode in JournalMode::ALL {
        let template = Template::new(ROWS, mode);
        let dir = tempfile::tempdir().unwrap();
        chmod(dir.path(), 0o777);
        let path = template.copy_to(dir.path(), "store.sqlite");
        chmod(&path, 0o444);
        assert_read_only(&path, &format!("{mode:?}, read-only file, old store"));
    }
}

#[test]
fn a_store_in_a_read_only_directory_is_refused_unchanged() {
    for mode in JournalMode::ALL {
        let template = Template::new(ROWS, mode);
        let dir = tempfile::tempdir().unwrap();
        let path = template.copy_to(dir.path(), "store.sqlite");
        chmod(&path, 0o666);
        chmod(dir.path(), 0o555);
        assert_read_only(&path, &format!("{mode:?}, read-only directory, old store"));
        chmod(dir.path(), 0o755);
    }
}
