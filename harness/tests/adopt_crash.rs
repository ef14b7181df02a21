//! Crash safety of adoption: the harness adopts a database the app made by
//! hand at 1.0.0 and migrates it along the harness plan to 4.0.0, in one
//! transaction, and is killed with SIGKILL at chosen points and after random
//! delays. After every kill the file must pass `PRAGMA integrity_check` and
//! be either the hand-made database with exactly its rows, or a store at
//! 4.0.0 with exactly the migrated rows (never a store stamped at 1.0.0),
//! and opening it again with `adopt` must end at 4.0.0.

mod support;

use std::ffi::OsStr;
use std::time::Instant;

use staged::{ModelContainer, Version};
use staged_harness::{JournalMode, Pause, Side, check_adopted_store, plan, v1};
use support::{Run, Template};

/// Checks a file after a kill; returns the side it was on, or what is wrong.
fn check_after_kill(
    path: &std::path::Path,
    rows: usize,
    expected: Option<Side>,
) -> Result<Side, String> {
    let side = check_adopted_store(path, rows)?;
    if expected.is_some_and(|e| e != side) {
        return Err(format!("found {side:?}, expected {expected:?}"));
    }
    let container = ModelContainer::builder(plan())
        .adopt::<v1::Schema>()
        .open(path)
        .map_err(|e| format!("reopen failed: {e}"))?;
    if container.store_version() != Version::new(4, 0, 0) {
        return Err(format!("reopened at {}", container.store_version()));
    }
    drop(container);
    match check_adopted_store(path, rows)? {
        Side::New => Ok(side),
        Side::Old => Err("still hand-made after reopening".to_owned()),
    }
}

fn migrate_args<'a>(path: &'a std::path::Path, extra: &[&'a str]) -> Vec<&'a OsStr> {
    let mut args: Vec<&OsStr> = vec!["migrate".as_ref(), path.as_os_str(), "--adopt".as_ref()];
    args.extend(extra.iter().map(|a| OsStr::new(*a)));
    args
}

#[test]
fn killed_adoptions_leave_the_database_hand_made_or_migrated() {
    let rows = 6_000;
    let seed: u64 = std::env::var("STAGED_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    for mode in JournalMode::ALL {
        let template = Template::hand_made(rows, mode);
        let dir = tempfile::tempdir().unwrap();
        let mut failures = Vec::new();
        let mut sides = [0usize; 2];

        let path = template.copy_to(dir.path(), "calibrate.sqlite");
        let clock = Instant::now();
        let (status, lines) = Run::start(migrate_args(&path, &[])).finish();
        let full = clock.elapsed();
        assert!(status.success(), "{lines:?}");
        assert_eq!(check_adopted_store(&path, rows), Ok(Side::New));

        let points = [
            Pause::Start,
            Pause::Step(0),
            Pause::Row {
                step: Some(0),
                rows: rows as u64,
            },
            Pause::Step(1),
            Pause::Step(2),
            Pause::Committed,
        ];
        for (k, point) in points.iter().enumerate() {
            let path = template.copy_to(dir.path(), &format!("point-{k}.sqlite"));
            let point_text = point.to_string();
            let mut run = Run::start(migrate_args(&path, &["--pause", &point_text]));
            let paused = run.wait_for("paused");
            let lines = run.kill();
            if paused.is_none() {
                failures.push(format!("{point}: never paused: {lines:?}"));
                continue;
            }
            let expected = if *point == Pause::Committed {
                Side::New
            } else {
                Side::Old
            };
            match check_after_kill(&path, rows, Some(expected)) {
                Ok(side) => sides[side as usize] += 1,
                Err(problem) => failures.push(format!("{mode:?} kill at {point}: {problem}")),
            }
        }

        let mut rng = fastrand::Rng::with_seed(seed);
        for k in 0..8 {
            let path = template.copy_to(dir.path(), &format!("random-{k}.sqlite"));
            let delay = full.mul_f64(1.1 * rng.f64());
            let run = Run::start(migrate_args(&path, &[]));
            std::thread::sleep(delay);
            run.kill();
            match check_after_kill(&path, rows, None) {
                Ok(side) => sides[side as usize] += 1,
                Err(problem) => failures.push(format!(
                    "{mode:?} kill after {delay:?} (seed {seed}): {problem}"
                )),
            }
        }
        println!(
            "adoption, {mode:?} journal, {rows} items, seed {seed}: {} hand-made and {} migrated \
             after kills, {} failures",
            sides[0],
            sides[1],
            failures.len()
        );
        assert!(failures.is_empty(), "{failures:#?}");
        assert!(
            sides[0] >= 5,
            "the chosen points before the commit leave it hand-made"
        );
    }
}
