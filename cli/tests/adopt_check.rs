//! `staged adopt-check`: a database staged did not create, compared with the
//! snapshot of the schema that would adopt it.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use staged::prelude::*;
use staged::rusqlite::Connection;
use staged::schema::snapshot;
use staged::{Error, StoreError};
use tempfile::TempDir;

#[versioned_schema(version = "1.0.0")]
mod v1 {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub notes: Option<String>,
    }
}

/// A folder with `app.db`, made by hand with `sql`, and `1.0.0.json`.
struct Fixture {
    dir: TempDir,
}

impl Fixture {
    fn new(sql: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let fixture = Fixture { dir };
        Connection::open(fixture.database())
            .unwrap()
            .execute_batch(sql)
            .unwrap();
        std::fs::write(
            fixture.snapshot(),
            snapshot::to_json(v1::Schema::descriptor()),
        )
        .unwrap();
        fixture
    }

    fn database(&self) -> PathBuf {
        self.dir.path().join("app.db")
    }

    fn snapshot(&self) -> PathBuf {
        self.dir.path().join("1.0.0.json")
    }

    /// Runs `staged adopt-check <db> <snapshot> [extra]`: exit code, stdout, stderr.
    fn run(&self, extra: &[&str]) -> (i32, String, String) {
        let output = Command::cargo_bin("staged")
            .unwrap()
            .arg("adopt-check")
            .arg(self.database())
            .arg(self.snapshot())
            .args(extra)
            .output()
            .unwrap();
        (
            output.status.code().expect("exited"),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    }
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_matching_database_is_adoptable() {
    let fixture = Fixture::new(
        "CREATE TABLE reminder (id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, \
         title TEXT NOT NULL, notes TEXT); INSERT INTO reminder VALUES (4, 'r', 'Milk', NULL);",
    );
    let before = bytes(&fixture.database());
    let (code, out, err) = fixture.run(&[]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        format!(
            "{} as schema 1.0.0 ({})\n\nadoptable: the tables match schema 1.0.0; `adopt` rebuilds \
             them as staged's, keeping every id\n",
            fixture.database().display(),
            fixture.snapshot().display()
        )
    );
    assert_eq!(bytes(&fixture.database()), before);
}

#[test]
fn every_mismatch_is_listed_with_exit_code_1() {
    let fixture = Fixture::new(
        "CREATE TABLE reminder (id INTEGER PRIMARY KEY, uid TEXT NOT NULL, title INTEGER NOT NULL, \
         extra TEXT); CREATE TABLE log (line TEXT);",
    );
    let before = bytes(&fixture.database());
    let (code, out, err) = fixture.run(&[]);
    assert_eq!((code, err.as_str()), (1, ""));
    let lines: Vec<&str> = out.lines().skip(2).collect();
    assert_eq!(
        lines,
        [
            "mismatches (4)",
            "  unexpected table `log`: declare a model for it in the adopted schema (a later version can \
             remove it on purpose), or move its data out of the database first",
            "  `Reminder`: unexpected column `extra`: declare an attribute for it in the adopted schema",
            "  `Reminder.title`: column type is `INTEGER`, the attribute is stored as TEXT: give the \
             attribute a type stored as `INTEGER` in the adopted schema (a later version can change it \
             in a custom stage)",
            "  `Reminder`: missing column `notes`: add the column, or remove the attribute from the \
             adopted schema",
        ]
    );
    assert_eq!(bytes(&fixture.database()), before);
}

#[test]
fn json_lists_the_same_mismatches() {
    let fixture = Fixture::new("CREATE TABLE reminder (uid TEXT NOT NULL, title TEXT NOT NULL);");
    let (code, out, _) = fixture.run(&["--json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["version"], "1.0.0");
    assert_eq!(json["adoptable"], false);
    assert_eq!(
        json["mismatches"],
        serde_json::json!([
            "`Reminder`: missing column `notes`: add the column, or remove the attribute from the adopted schema"
        ])
    );
}

#[test]
fn a_staged_store_or_a_missing_file_cannot_be_read_with_exit_code_3() {
    let fixture = Fixture::new("SELECT 1;");
    std::fs::remove_file(fixture.database()).unwrap();
    let (code, _, err) = fixture.run(&[]);
    assert_eq!(code, 3);
    assert!(err.contains("no database here"), "{err}");
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .unwrap();
    drop(ModelContainer::open(fixture.database(), plan).unwrap());
    let (code, _, err) = fixture.run(&[]);
    assert_eq!(code, 3);
    assert!(err.contains("is already a staged store"), "{err}");
}

#[test]
fn the_list_is_the_one_adopt_fails_with() {
    // A table no model declares, duplicates in a unique column, and a
    // nullable column for a required attribute.
    let fixture = Fixture::new(
        "CREATE TABLE reminder (id INTEGER PRIMARY KEY, uid TEXT NOT NULL, title TEXT, notes TEXT); \
         INSERT INTO reminder VALUES (1, 'r', 'Milk', NULL), (2, 'r', 'Eggs', 7); \
         CREATE TABLE log (line TEXT);",
    );
    let (code, out, _) = fixture.run(&["--json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let listed: Vec<String> = serde_json::from_value(json["mismatches"].clone()).unwrap();
    assert_eq!(listed.len(), 3, "{listed:#?}");
    assert!(
        listed[0].starts_with("unexpected table `log`"),
        "{listed:#?}"
    );
    assert!(listed[1].contains("2 row(s) share a value"), "{listed:#?}");
    assert!(listed[2].contains("column is nullable"), "{listed:#?}");

    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .unwrap();
    let before = bytes(&fixture.database());
    let error = ModelContainer::builder(plan)
        .adopt::<v1::Schema>()
        .open(fixture.database())
        .unwrap_err();
    let Error::Store(StoreError::AdoptionMismatch { mismatches, .. }) = error else {
        panic!("expected an adoption mismatch, got {error:?}");
    };
    let from_adopt: Vec<String> = mismatches.iter().map(ToString::to_string).collect();
    assert_eq!(listed, from_adopt);
    assert_eq!(bytes(&fixture.database()), before);
}
