//! Two processes opening the same old store: exactly one migrates, the other
//! waits for its lock (the busy timeout) and opens the migrated store,
//! reporting no migration to its observer; with
//! a short busy timeout the second open fails with `StoreError::Busy`,
//! changes nothing, and a later open succeeds. Both journal modes.

mod support;

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use staged_harness::{JournalMode, Side, check_items_store};
use support::{Run, Template};

const ROWS: usize = 15_000;

fn migrate(path: &Path, mode: JournalMode, extra: &[&str]) -> Run {
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("migrate"),
        path.as_os_str(),
        OsStr::new("--journal"),
        OsStr::new(mode.pragma()),
    ];
    args.extend(extra.iter().map(OsStr::new));
    Run::start(args)
}

fn ran_steps(lines: &[String]) -> bool {
    lines.iter().any(|l| l.starts_with("store step "))
}

fn done(status: std::process::ExitStatus, lines: &[String]) {
    assert!(status.success(), "{lines:?}");
    assert_eq!(
        lines.last().map(String::as_str),
        Some("store done 4.0.0"),
        "{lines:?}"
    );
}

#[test]
fn two_processes_opening_an_old_store_at_once_migrate_it_once() {
    for mode in JournalMode::ALL {
        let template = Template::new(ROWS, mode);
        let dir = tempfile::tempdir().unwrap();
        for round in 0..3 {
            let path = template.copy_to(dir.path(), &format!("store-{round}.sqlite"));
            let a = migrate(&path, mode, &["--busy-timeout-ms", "60000"]);
            let b = migrate(&path, mode, &["--busy-timeout-ms", "60000"]);
            let (status_a, lines_a) = a.finish();
            let (status_b, lines_b) = b.finish();
            done(status_a, &lines_a);
            done(status_b, &lines_b);
            assert!(
                ran_steps(&lines_a) != ran_steps(&lines_b),
                "{mode:?} round {round}: exactly one process migrates\nA: {lines_a:?}\nB: {lines_b:?}"
            );
            // The one that ran no step reports no migration at all.
            let idle = if ran_steps(&lines_a) {
                &lines_b
            } else {
                &lines_a
            };
            assert_eq!(
                idle,
                &["store opening", "store done 4.0.0"],
                "{mode:?} round {round}"
            );
            // One history row per step: no double migration.
            assert_eq!(check_items_store(&path, ROWS), Ok(Side::New));
        }
    }
}

#[test]
fn a_second_open_waits_for_the_running_migration_then_opens_the_migrated_store() {
    for mode in JournalMode::ALL {
        let template = Template::new(ROWS, mode);
        let dir = tempfile::tempdir().unwrap();
        let path = template.copy_to(dir.path(), "store.sqlite");
        // A holds the store's write lock in the middle of its migration.
        let mut a = migrate(&path, mode, &["--pause", "step:1"]);
        assert!(a.wait_for("paused").is_some());
        let mut b = migrate(&path, mode, &["--busy-timeout-ms", "60000"]);
        assert!(b.wait_for("opening").is_some());
        // Give B time to reach the lock; the outcome is the same either way.
        std::thread::sleep(Duration::from_millis(300));
        assert!(!b.exited(), "{mode:?}: B waits for A");
        a.resume();
        let (status_a, lines_a) = a.finish();
        let (status_b, lines_b) = b.finish();
        done(status_a, &lines_a);
        done(status_b, &lines_b);
        assert!(ran_steps(&lines_a));
        assert_eq!(
            lines_a.first().map(String::as_str),
            Some("store opening"),
            "{lines_a:?}"
        );
        assert!(
            lines_a[1].starts_with("store will-migrate ")
                && lines_a.contains(&"store committed".to_owned()),
            "{mode:?}: A reports its migration: {lines_a:?}"
        );
        // B read the old version, then waited for A's lock; once it holds
        // the lock it finds the store migrated, runs nothing and reports no
        // migration: no will-migrate, no step, no commit.
        assert_eq!(
            lines_b,
            ["store opening", "store done 4.0.0"],
            "{mode:?}: B's events"
        );
        assert_eq!(check_items_store(&path, ROWS), Ok(Side::New));
    }
}

#[test]
fn a_second_open_past_its_busy_timeout_is_busy_and_changes_nothing() {
    for mode in JournalMode::ALL {
        let template = Template::new(ROWS, mode);
        let dir = tempfile::tempdir().unwrap();
        let path = template.copy_to(dir.path(), "store.sqlite");
        let mut a = migrate(&path, mode, &["--pause", "row:0:10000"]);
        assert!(a.wait_for("paused").is_some());
        let (status, lines) = migrate(&path, mode, &["--busy-timeout-ms", "200"]).finish();
        assert!(!status.success());
        let last = lines.last().expect("an error line");
        assert!(
            last.starts_with("store error busy ") && last.contains(&path.display().to_string()),
            "{mode:?}: {last}"
        );
        assert!(
            last.contains("locked by another connection") && last.contains("200 ms"),
            "{last}"
        );
        assert!(!ran_steps(&lines), "{lines:?}");
        // The migration that held the lock goes on and commits.
        a.resume();
        let (status_a, lines_a) = a.finish();
        done(status_a, &lines_a);
        // Opening again later finds the store migrated.
        let (status, lines) = migrate(&path, mode, &["--busy-timeout-ms", "200"]).finish();
        done(status, &lines);
        assert!(!ran_steps(&lines), "{lines:?}");
        assert_eq!(check_items_store(&path, ROWS), Ok(Side::New));
    }
}
