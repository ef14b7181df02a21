//! `STAGED_SNAPSHOTS=overwrite` rewrites only versions that have not shipped:
//! every version but the latest is shipped, and so is any version the
//! snapshot folder's `shipped.txt` lists.

mod common;

use std::path::PathBuf;

use common::files::{listing, read_bytes};
use common::store::TempStore;
use staged::prelude::*;
use staged::schema::SchemaDescriptor;
use staged::schema::snapshot::{
    self, SHIPPED_FILE, Shipped, SnapshotError, SnapshotMode, SnapshotProblem,
};

/// 1.0.0 as it shipped.
#[versioned_schema(version = "1.0.0")]
mod v1 {
    #[model]
    pub struct Reminder {
        pub title: String,
        pub notes: Option<String>,
    }
}

/// 1.0.0 after someone made `notes` required in place.
#[versioned_schema(version = "1.0.0")]
mod v1_edited {
    #[model]
    pub struct Reminder {
        pub title: String,
        pub notes: String,
    }
}

/// 2.0.0 as first recorded.
#[versioned_schema(version = "2.0.0")]
mod v2 {
    #[model]
    pub struct Reminder {
        pub title: String,
        pub notes: Option<String>,
        #[attribute(default = 0)]
        pub priority: i64,
    }
}

/// 2.0.0 still in development: one more attribute.
#[versioned_schema(version = "2.0.0")]
mod v2_next {
    #[model]
    pub struct Reminder {
        pub title: String,
        pub notes: Option<String>,
        #[attribute(default = 0)]
        pub priority: i64,
        pub flagged: Option<bool>,
    }
}

fn schemas_dir() -> (TempStore, PathBuf) {
    let store = TempStore::new();
    let dir = store.dir().join("schemas");
    (store, dir)
}

fn record(dir: &std::path::Path, schemas: &[&'static SchemaDescriptor]) {
    snapshot::check(schemas.iter().copied(), dir, SnapshotMode::WriteNew).unwrap();
}

fn problems(error: SnapshotError) -> Vec<SnapshotProblem> {
    match error {
        SnapshotError::Problems(problems) => problems,
        other => panic!("expected snapshot problems, got {other}"),
    }
}

#[test]
fn overwrite_rewrites_the_latest_version_and_keeps_the_shipped_ones() {
    let (_store, dir) = schemas_dir();
    record(&dir, &[v1::Schema::descriptor(), v2::Schema::descriptor()]);
    let v1_bytes = read_bytes(&dir.join("1.0.0.json"));
    let report = snapshot::check(
        [v1::Schema::descriptor(), v2_next::Schema::descriptor()],
        &dir,
        SnapshotMode::Overwrite,
    )
    .unwrap();
    assert_eq!(report.written, [dir.join("2.0.0.json")]);
    assert_eq!(report.kept, [Version::new(1, 0, 0)]);
    assert_eq!(report.verified, [Version::new(1, 0, 0)]);
    assert_eq!(read_bytes(&dir.join("1.0.0.json")), v1_bytes);
    let read = snapshot::read(&dir.join("2.0.0.json")).unwrap();
    assert_eq!(read.descriptor(), v2_next::Schema::descriptor());
}

#[test]
fn overwrite_refuses_to_hide_an_edit_of_a_version_that_is_not_the_latest() {
    let (_store, dir) = schemas_dir();
    record(&dir, &[v1::Schema::descriptor(), v2::Schema::descriptor()]);
    let before = [
        read_bytes(&dir.join("1.0.0.json")),
        read_bytes(&dir.join("2.0.0.json")),
    ];
    let error = snapshot::check(
        [
            v1_edited::Schema::descriptor(),
            v2_next::Schema::descriptor(),
        ],
        &dir,
        SnapshotMode::Overwrite,
    )
    .unwrap_err();
    let problems = problems(error);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(matches!(
        &problems[0],
        SnapshotProblem::ShippedEdited { version, reason: Shipped::NotLatest, .. }
            if *version == Version::new(1, 0, 0)
    ));
    assert_eq!(
        problems[0].to_string(),
        format!(
            "`STAGED_SNAPSHOTS=overwrite` keeps the snapshot of schema 1.0.0, which shipped (it is not \
             the latest version of the plan), and you edited the schema: attribute `Reminder.notes` \
             changed from optional to required (snapshot `{}`). Stores at 1.0.0 on devices no longer match it and would \
             not open: restore the shipped definition and make the change in a new schema version. If \
             1.0.0 never shipped, delete its snapshot (and its line in `shipped.txt`) to record it again",
            dir.join("1.0.0.json").display()
        )
    );
    // Nothing was written, not even the unshipped 2.0.0.
    assert_eq!(
        [
            read_bytes(&dir.join("1.0.0.json")),
            read_bytes(&dir.join("2.0.0.json"))
        ],
        before
    );
    assert_eq!(listing(&dir), ["1.0.0.json", "2.0.0.json"]);
}

#[test]
fn a_version_listed_in_shipped_txt_is_kept_even_when_it_is_the_latest() {
    let (_store, dir) = schemas_dir();
    record(&dir, &[v1::Schema::descriptor(), v2::Schema::descriptor()]);
    std::fs::write(
        dir.join(SHIPPED_FILE),
        "# released versions\n1.0.0\n2.0.0  # store release 12\n\n",
    )
    .unwrap();
    let before = read_bytes(&dir.join("2.0.0.json"));
    let error = snapshot::check(
        [v1::Schema::descriptor(), v2_next::Schema::descriptor()],
        &dir,
        SnapshotMode::Overwrite,
    )
    .unwrap_err();
    let problems = problems(error);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(matches!(
        &problems[0],
        SnapshotProblem::ShippedEdited { version, reason: Shipped::Listed, .. }
            if *version == Version::new(2, 0, 0)
    ));
    assert!(
        problems[0]
            .to_string()
            .contains("which shipped (`shipped.txt` lists it)"),
        "{}",
        problems[0]
    );
    assert_eq!(read_bytes(&dir.join("2.0.0.json")), before);

    // Unchanged shipped versions pass and are reported as kept.
    let report = snapshot::check(
        [v1::Schema::descriptor(), v2::Schema::descriptor()],
        &dir,
        SnapshotMode::Overwrite,
    )
    .unwrap();
    assert_eq!(report.written, Vec::<PathBuf>::new());
    assert_eq!(report.kept, [Version::new(1, 0, 0), Version::new(2, 0, 0)]);
}

#[test]
fn a_missing_snapshot_of_a_shipped_version_is_still_written() {
    let (_store, dir) = schemas_dir();
    record(&dir, &[v1::Schema::descriptor()]);
    std::fs::remove_file(dir.join("1.0.0.json")).unwrap();
    let report = snapshot::check(
        [v1::Schema::descriptor(), v2::Schema::descriptor()],
        &dir,
        SnapshotMode::Overwrite,
    )
    .unwrap();
    assert_eq!(
        report.written,
        [dir.join("1.0.0.json"), dir.join("2.0.0.json")]
    );
    assert_eq!(report.kept, Vec::<Version>::new());
}

#[test]
fn a_line_of_shipped_txt_that_is_not_a_version_is_an_error() {
    let (_store, dir) = schemas_dir();
    record(&dir, &[v1::Schema::descriptor()]);
    std::fs::write(dir.join(SHIPPED_FILE), "1.0.0\nversion two\n").unwrap();
    let error =
        snapshot::check([v1::Schema::descriptor()], &dir, SnapshotMode::WriteNew).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "line 2 of `{}` is `version two`, not a version; list one shipped version a line \
             (`1.0.0`), `#` starts a comment",
            dir.join(SHIPPED_FILE).display()
        )
    );
    assert_eq!(
        snapshot::read_shipped(&dir).unwrap_err().to_string(),
        error.to_string()
    );
}
