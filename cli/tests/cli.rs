//! The `staged` binary on real store files and snapshot folders.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use staged::prelude::*;
use staged::schema::snapshot;
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

#[versioned_schema(version = "2.0.0")]
mod v2 {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(original_name = "title")]
        pub name: String,
        pub notes: Option<String>,
        #[attribute(default = 0)]
        pub priority: i64,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

/// 2.0.0 with `priority` turned into text: not inferable from 2.0.0.
#[versioned_schema(version = "3.0.0")]
mod v3 {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub name: String,
        pub notes: Option<String>,
        pub priority: String,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

/// A temporary folder with a store at 1.0.0 holding three reminders,
/// migrated to 2.0.0, and the snapshots of 1.0.0, 2.0.0 and 3.0.0.
struct Fixture {
    dir: TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let fixture = Fixture { dir };
        {
            let plan = SchemaMigrationPlan::builder()
                .schema::<v1::Schema>()
                .build()
                .unwrap();
            let mut ctx = ModelContainer::open(fixture.store(), plan)
                .unwrap()
                .context();
            for (uid, title) in [("r1", "Milk"), ("r2", "Bread"), ("r3", "Eggs")] {
                ctx.insert(v1::Reminder {
                    uid: uid.into(),
                    title: title.into(),
                    notes: None,
                })
                .unwrap();
            }
        }
        let plan = SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .schema::<v2::Schema>()
            .build()
            .unwrap();
        ModelContainer::open(fixture.store(), plan).unwrap();
        std::fs::create_dir(fixture.schemas()).unwrap();
        for descriptor in [
            v1::Schema::descriptor(),
            v2::Schema::descriptor(),
            v3::Schema::descriptor(),
        ] {
            std::fs::write(
                fixture
                    .schemas()
                    .join(snapshot::file_name(descriptor.version())),
                snapshot::to_json(descriptor),
            )
            .unwrap();
        }
        fixture
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("app.sqlite")
    }

    fn schemas(&self) -> PathBuf {
        self.dir.path().join("schemas")
    }

    fn snapshot(&self, version: &str) -> PathBuf {
        self.schemas().join(format!("{version}.json"))
    }
}

fn staged() -> Command {
    Command::cargo_bin("staged").unwrap()
}

fn run(args: &[&str]) -> (i32, String, String) {
    let output = staged().args(args).output().unwrap();
    (
        output.status.code().expect("exited"),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn inspect_shows_version_checksum_history_and_row_counts_without_changing_the_store() {
    let fixture = Fixture::new();
    let before = std::fs::read(fixture.store()).unwrap();
    let (code, out, err) = run(&["inspect", s(&fixture.store())]);
    assert_eq!((code, err.as_str()), (0, ""));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("store     {}", fixture.store().display()));
    assert_eq!(lines[1], "version   2.0.0");
    assert_eq!(lines[2], format!("checksum  {}", v2::Schema::checksum()));
    assert!(lines[3].starts_with("created   20") && lines[3].ends_with(" UTC"));
    assert_eq!(lines[6], "history (1 steps)");
    assert!(
        lines[7].starts_with("  1.0.0 -[inferred]-> 2.0.0  at "),
        "{}",
        lines[7]
    );
    assert!(lines[7].ends_with(" rows"), "{}", lines[7]);
    assert_eq!(
        &lines[8..],
        [
            "",
            "entities (2)",
            "  Reminder  3 rows",
            "  Tag       0 rows"
        ]
    );
    assert_eq!(std::fs::read(fixture.store()).unwrap(), before);
}

#[test]
fn inspect_json_is_machine_readable() {
    let fixture = Fixture::new();
    let (code, out, _) = run(&["inspect", s(&fixture.store()), "--json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["version"], "2.0.0");
    assert_eq!(json["checksum"], v2::Schema::checksum().to_string());
    assert_eq!(json["history"][0]["from"], "1.0.0");
    assert_eq!(json["history"][0]["to"], "2.0.0");
    assert_eq!(json["history"][0]["kind"], "inferred");
    assert_eq!(
        json["entities"],
        serde_json::json!([{"name": "Reminder", "rows": 3}, {"name": "Tag", "rows": 0}])
    );
    assert!(json.get("snapshot").is_none());
}

#[test]
fn inspect_compares_the_store_with_its_snapshot() {
    let fixture = Fixture::new();
    let (code, out, _) = run(&[
        "inspect",
        s(&fixture.store()),
        "--schemas",
        s(&fixture.schemas()),
    ]);
    assert_eq!(code, 0);
    assert!(out.contains(&format!(
        "snapshot  matches `{}`",
        fixture.snapshot("2.0.0").display()
    )));
    // The snapshot of 2.0.0 replaced by another schema of the same version.
    std::fs::write(
        fixture.snapshot("2.0.0"),
        snapshot::to_json(&staged::SchemaDescriptor::from_entities(
            Version::new(2, 0, 0),
            v3::Schema::descriptor().entities().to_vec(),
        )),
    )
    .unwrap();
    let (code, out, _) = run(&[
        "inspect",
        s(&fixture.store()),
        "--schemas",
        s(&fixture.schemas()),
        "--json",
    ]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["snapshot"]["status"], "differs");
}

#[test]
fn inspect_refuses_what_is_not_a_store_with_exit_code_3() {
    let fixture = Fixture::new();
    let missing = fixture.dir.path().join("missing.sqlite");
    let (code, out, err) = run(&["inspect", s(&missing)]);
    assert_eq!((code, out.as_str()), (3, ""));
    assert_eq!(
        err,
        format!(
            "error: cannot read `{}`: no store here (the file does not exist or is empty)\n",
            missing.display()
        )
    );
    assert!(!missing.exists(), "inspect creates nothing");

    let text = fixture.dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "not a database at all, just a long enough text file ".repeat(4),
    )
    .unwrap();
    let (code, _, err) = run(&["inspect", s(&text)]);
    assert_eq!(code, 3);
    assert!(
        err.starts_with(&format!(
            "error: `{}` is not a SQLite database",
            text.display()
        )),
        "{err}"
    );

    let (code, out, _) = run(&["inspect", s(&text), "--json"]);
    assert_eq!(code, 3);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("is not a SQLite database")
    );
}

#[test]
fn diff_lists_classified_changes_and_the_sql_of_an_inferred_step() {
    let fixture = Fixture::new();
    let (code, out, err) = run(&[
        "diff",
        s(&fixture.snapshot("1.0.0")),
        s(&fixture.snapshot("2.0.0")),
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        "1.0.0 -> 2.0.0\n\
         \n\
         changes (3)\n  \
           inferable     rename attribute `Reminder.title` to `name`\n  \
           uses-default  add required attribute `Reminder.priority` (existing rows get 0)\n  \
           inferable     add entity `Tag`\n\
         \n\
         SQL of an inferred step (3 statements)\n  \
           ALTER TABLE \"Reminder\" RENAME COLUMN \"title\" TO \"name\";\n  \
           ALTER TABLE \"Reminder\" ADD COLUMN \"priority\" INTEGER NOT NULL DEFAULT 0;\n  \
           CREATE TABLE \"Tag\" (\"_id\" INTEGER PRIMARY KEY AUTOINCREMENT, \"label\" TEXT NOT NULL);\n"
    );
}

#[test]
fn diff_exits_1_when_a_change_needs_a_custom_stage() {
    let fixture = Fixture::new();
    let (code, out, _) = run(&[
        "diff",
        s(&fixture.snapshot("2.0.0")),
        s(&fixture.snapshot("3.0.0")),
        "--json",
    ]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["from"], "2.0.0");
    assert_eq!(json["lightweight"], false);
    assert_eq!(json["sql"], serde_json::json!([]));
    let blocking: Vec<&serde_json::Value> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["inferable"] == false)
        .collect();
    assert_eq!(blocking.len(), 1);
    assert_eq!(blocking[0]["class"], "needs-custom");
    assert_eq!(blocking[0]["entity"], "Reminder");
    assert_eq!(blocking[0]["attribute"], "priority");
    assert_eq!(
        blocking[0]["fix"],
        "use a custom stage (`MigrationStage::custom`) with a `transform` for `Reminder`"
    );

    let (code, out, _) = run(&[
        "diff",
        s(&fixture.snapshot("2.0.0")),
        s(&fixture.snapshot("3.0.0")),
    ]);
    assert_eq!(code, 1);
    assert!(
        out.ends_with("\nno inferred step: 1 change(s) need a default or a custom stage\n"),
        "{out}"
    );
}

#[test]
fn diff_rejects_snapshots_in_the_wrong_order_or_unreadable() {
    let fixture = Fixture::new();
    let (code, _, err) = run(&[
        "diff",
        s(&fixture.snapshot("2.0.0")),
        s(&fixture.snapshot("1.0.0")),
    ]);
    assert_eq!(code, 3);
    assert_eq!(
        err,
        format!(
            "error: `{}` (2.0.0) is not older than `{}` (1.0.0); pass the older snapshot first\n",
            fixture.snapshot("2.0.0").display(),
            fixture.snapshot("1.0.0").display()
        )
    );
    let store = fixture.store();
    let (code, _, err) = run(&["diff", s(&store), s(&fixture.snapshot("1.0.0"))]);
    assert_eq!(code, 3);
    assert!(
        err.starts_with(&format!(
            "error: `{}` is not a schema snapshot: expected value at line 1 column 1; \
             snapshots are written by `staged::schema::snapshot::to_json`",
            store.display()
        )),
        "{err}"
    );
    let missing = fixture.schemas().join("9.0.0.json");
    let (code, _, err) = run(&["diff", s(&missing), s(&fixture.snapshot("1.0.0"))]);
    assert_eq!(code, 3);
    assert!(
        err.starts_with(&format!(
            "error: cannot read or write `{}`: ",
            missing.display()
        )),
        "{err}"
    );
}

#[test]
fn check_lists_each_step_and_passes_a_consistent_folder() {
    let fixture = Fixture::new();
    let (code, out, err) = run(&["check", s(&fixture.schemas())]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        format!(
            "3 snapshots in `{}`: 1.0.0, 2.0.0, 3.0.0\n\
             \n\
             steps\n  \
               1.0.0 -> 2.0.0  inferred\n  \
               2.0.0 -> 3.0.0  cannot be inferred: the plan needs a custom stage here, or these fixes\n      \
                   needs-custom  change type of `Reminder.priority` from `i64` to `text`\n                    \
                 fix: use a custom stage (`MigrationStage::custom`) with a `transform` for `Reminder`\n\
             \n\
             ok: no problems\n",
            fixture.schemas().display()
        )
    );
    let (code, out, _) = run(&["check", s(&fixture.schemas()), "--json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["versions"],
        serde_json::json!(["1.0.0", "2.0.0", "3.0.0"])
    );
    assert_eq!(json["steps"][0]["lightweight"], true);
    assert_eq!(json["steps"][1]["lightweight"], false);
    assert_eq!(json["problems"], serde_json::json!([]));
}

#[test]
fn check_exits_1_on_a_hand_edited_snapshot_and_a_duplicate_checksum() {
    let fixture = Fixture::new();
    let edited = std::fs::read_to_string(fixture.snapshot("1.0.0"))
        .unwrap()
        .replace("\"notes\"", "\"memo\"");
    std::fs::write(fixture.snapshot("1.0.0"), edited).unwrap();
    // 4.0.0: the same shape as 3.0.0.
    std::fs::write(
        fixture.snapshot("4.0.0"),
        snapshot::to_json(&staged::SchemaDescriptor::from_entities(
            Version::new(4, 0, 0),
            v3::Schema::descriptor().entities().to_vec(),
        )),
    )
    .unwrap();
    let (code, out, _) = run(&["check", s(&fixture.schemas()), "--json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let problems: Vec<&str> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with(&format!(
        "snapshot `{}` of schema 1.0.0 records checksum {}",
        fixture.snapshot("1.0.0").display(),
        v1::Schema::checksum()
    )));
    assert_eq!(
        problems[1],
        "schemas 3.0.0 and 4.0.0 have the same checksum: a store at either could not be told apart; \
         a new version must change the schema, or be left out"
    );
}

#[test]
fn check_reports_unreadable_snapshots_and_a_missing_folder() {
    let fixture = Fixture::new();
    std::fs::write(fixture.schemas().join("5.0.0.json"), "{}").unwrap();
    let (code, out, _) = run(&["check", s(&fixture.schemas())]);
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!(
            "  - `{}` is not a schema snapshot: missing field `format`",
            fixture.schemas().join("5.0.0.json").display()
        )),
        "{out}"
    );

    let missing = fixture.dir.path().join("nowhere");
    let (code, _, err) = run(&["check", s(&missing)]);
    assert_eq!(code, 3);
    assert_eq!(
        err,
        format!(
            "error: `{}` is not a folder; pass the folder of schema snapshots (e.g. `schemas/`)\n",
            missing.display()
        )
    );
}

#[test]
fn bad_usage_exits_2_with_help() {
    let (code, _, err) = run(&["inspect"]);
    assert_eq!(code, 2);
    assert!(err.contains("<STORE>"), "{err}");
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Exit codes: 0 success; 1 a problem was found"),
        "{out}"
    );
}

#[test]
fn inspect_a_store_created_at_its_version_shows_no_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.sqlite");
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build()
        .unwrap();
    let container = ModelContainer::open(&path, plan).unwrap();
    container
        .context()
        .insert(v2::Tag {
            label: "home".into(),
        })
        .unwrap();
    drop(container);
    let (code, out, _) = run(&["inspect", s(&path)]);
    assert_eq!(code, 0);
    assert!(
        out.contains("\nhistory (0 steps)\n  (none: created at 2.0.0)\n\nentities (2)\n  Reminder  0 rows\n  Tag       1 rows\n"),
        "{out}"
    );
}

/// A library at 1.0.0: books with an optional author.
#[versioned_schema(version = "1.0.0")]
mod library_v1 {
    use staged::prelude::*;

    #[model]
    pub struct Author {
        pub name: String,
    }

    #[model]
    pub struct Book {
        pub title: String,
        pub author: Option<Ref<Author>>,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

/// 2.0.0: deleting an author deletes their books; books and tags are many-to-many.
#[versioned_schema(version = "2.0.0")]
mod library_v2 {
    use staged::prelude::*;

    #[model]
    pub struct Author {
        pub name: String,
    }

    #[model]
    pub struct Book {
        pub title: String,
        #[relationship(delete_rule = "cascade")]
        pub author: Option<Ref<Author>>,
        #[relationship(inverse = "books")]
        pub tags: ToMany<Tag>,
    }

    #[model]
    pub struct Tag {
        pub label: String,
        #[relationship(inverse = "tags")]
        pub books: ToMany<Book>,
    }
}

/// 3.0.0: `Book.author` refers to a new `Writer` instead: not inferable.
#[versioned_schema(version = "3.0.0")]
mod library_v3 {
    use staged::prelude::*;

    #[model]
    pub struct Author {
        pub name: String,
    }

    #[model]
    pub struct Writer {
        pub name: String,
    }

    #[model]
    pub struct Book {
        pub title: String,
        #[relationship(delete_rule = "cascade")]
        pub author: Option<Ref<Writer>>,
        #[relationship(inverse = "books")]
        pub tags: ToMany<Tag>,
    }

    #[model]
    pub struct Tag {
        pub label: String,
        #[relationship(inverse = "tags")]
        pub books: ToMany<Book>,
    }
}

/// A temporary folder with the library's snapshots written by
/// `snapshot::check`, and a store at 2.0.0 with two books linked to a tag.
struct Library {
    dir: TempDir,
}

impl Library {
    fn new() -> Self {
        let library = Library {
            dir: tempfile::tempdir().unwrap(),
        };
        snapshot::check(
            [
                library_v1::Schema::descriptor(),
                library_v2::Schema::descriptor(),
                library_v3::Schema::descriptor(),
            ],
            &library.schemas(),
            snapshot::SnapshotMode::WriteNew,
        )
        .unwrap();
        let plan = SchemaMigrationPlan::builder()
            .schema::<library_v1::Schema>()
            .schema::<library_v2::Schema>()
            .build()
            .unwrap();
        let container = ModelContainer::open(library.store(), plan).unwrap();
        let mut ctx = container.context();
        let ann = ctx
            .insert(library_v2::Author { name: "Ann".into() })
            .unwrap();
        let sf = ctx
            .insert(library_v2::Tag {
                label: "sf".into(),
                books: ToMany::new(),
            })
            .unwrap();
        for title in ["Dune", "Solaris"] {
            let book = ctx
                .insert(library_v2::Book {
                    title: title.into(),
                    author: Some(Ref::new(ann)),
                    tags: ToMany::new(),
                })
                .unwrap();
            let book = ctx.get::<library_v2::Book>(book).unwrap().unwrap();
            ctx.add_related(&book.tags, sf).unwrap();
        }
        library
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("library.sqlite")
    }

    fn schemas(&self) -> PathBuf {
        self.dir.path().join("schemas")
    }

    fn snapshot(&self, version: &str) -> PathBuf {
        self.schemas().join(format!("{version}.json"))
    }
}

#[test]
fn diff_shows_relationship_changes_with_their_class_and_sql() {
    let library = Library::new();
    let (code, out, err) = run(&[
        "diff",
        s(&library.snapshot("1.0.0")),
        s(&library.snapshot("2.0.0")),
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    let (changes, sql) = out.split_once("\nSQL of an inferred step (").unwrap();
    assert_eq!(
        changes,
        "1.0.0 -> 2.0.0\n\
         \n\
         changes (3)\n  \
           inferable  add many-to-many `Book.tags` with `Tag`\n  \
           inferable  change delete rule of `Book.author` from `nullify` to `cascade`\n  \
           inferable  add many-to-many `Tag.books` with `Book`\n"
    );
    // The rebuilt `Book` cascades, and one join table stores both sides.
    assert!(
        sql.contains("\"author\" INTEGER REFERENCES \"Author\" (\"_id\") ON DELETE CASCADE);\n"),
        "{sql}"
    );
    assert_eq!(sql.matches("RENAME TO \"_staged_join_").count(), 1, "{sql}");
    assert!(
        sql.contains(" RENAME TO \"_staged_join_4_Book_tags\";\n"),
        "{sql}"
    );

    let (code, out, _) = run(&[
        "diff",
        s(&library.snapshot("1.0.0")),
        s(&library.snapshot("2.0.0")),
        "--json",
    ]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["lightweight"], true);
    assert_eq!(
        json["changes"][1],
        serde_json::json!({
            "change": "change delete rule of `Book.author` from `nullify` to `cascade`",
            "entity": "Book",
            "attribute": "author",
            "class": "inferable",
            "inferable": true,
        })
    );
}

#[test]
fn diff_exits_1_when_a_to_one_is_pointed_at_another_entity() {
    let library = Library::new();
    let (code, out, err) = run(&[
        "diff",
        s(&library.snapshot("2.0.0")),
        s(&library.snapshot("3.0.0")),
    ]);
    assert_eq!((code, err.as_str()), (1, ""));
    assert_eq!(
        out,
        "2.0.0 -> 3.0.0\n\
         \n\
         changes (2)\n  \
           inferable     add entity `Writer`\n  \
           needs-custom  change `Book.author` from a to-one of `Author` to a to-one of `Writer`\n                \
           fix: use a custom stage (`MigrationStage::custom`) with a `transform` for `Book`\n\
         \n\
         no inferred step: 1 change(s) need a default or a custom stage\n"
    );
    let (code, out, _) = run(&[
        "diff",
        s(&library.snapshot("2.0.0")),
        s(&library.snapshot("3.0.0")),
        "--json",
    ]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["lightweight"], false);
    assert_eq!(json["sql"], serde_json::json!([]));
    assert_eq!(json["changes"][1]["class"], "needs-custom");
    assert_eq!(json["changes"][1]["entity"], "Book");
    assert_eq!(json["changes"][1]["attribute"], "author");
}

#[test]
fn check_names_the_step_that_retargets_a_to_one() {
    let library = Library::new();
    let (code, out, err) = run(&["check", s(&library.schemas())]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        format!(
            "3 snapshots in `{}`: 1.0.0, 2.0.0, 3.0.0\n\
             \n\
             steps\n  \
               1.0.0 -> 2.0.0  inferred\n  \
               2.0.0 -> 3.0.0  cannot be inferred: the plan needs a custom stage here, or these fixes\n      \
                   needs-custom  change `Book.author` from a to-one of `Author` to a to-one of `Writer`\n                    \
                 fix: use a custom stage (`MigrationStage::custom`) with a `transform` for `Book`\n\
             \n\
             ok: no problems\n",
            library.schemas().display()
        )
    );
}

#[test]
fn inspect_lists_join_tables_with_their_links() {
    let library = Library::new();
    let before = std::fs::read(library.store()).unwrap();
    let (code, out, err) = run(&[
        "inspect",
        s(&library.store()),
        "--schemas",
        s(&library.schemas()),
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[1], "version   2.0.0");
    assert_eq!(
        &lines[5..],
        [
            format!(
                "snapshot  matches `{}`",
                library.snapshot("2.0.0").display()
            )
            .as_str(),
            "",
            "history (0 steps)",
            "  (none: created at 2.0.0)",
            "",
            "entities (3)",
            "  Author  1 rows",
            "  Book    2 rows",
            "  Tag     1 rows",
            "",
            "join tables (1)",
            "  Book.tags  2 links  `_staged_join_4_Book_tags`",
        ]
    );
    let (code, out, _) = run(&["inspect", s(&library.store()), "--json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["join_tables"],
        serde_json::json!([{
            "name": "_staged_join_4_Book_tags",
            "entity": "Book",
            "relationship": "tags",
            "links": 2,
        }])
    );
    assert_eq!(std::fs::read(library.store()).unwrap(), before);
}

#[test]
fn inspect_of_a_store_without_relationships_has_no_join_tables() {
    let fixture = Fixture::new();
    let (code, out, _) = run(&["inspect", s(&fixture.store())]);
    assert_eq!(code, 0);
    assert!(!out.contains("join tables"), "{out}");
    let (_, out, _) = run(&["inspect", s(&fixture.store()), "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["join_tables"], serde_json::json!([]));
}

mod json_v1 {
    #[derive(serde::Serialize, serde::Deserialize)]
    pub struct Style {
        pub bold: bool,
        pub size: i64,
    }
}

mod json_v2 {
    #[derive(serde::Serialize, serde::Deserialize)]
    pub struct Style {
        pub bold: bool,
        pub size: String,
    }
}

#[versioned_schema(version = "1.0.0")]
mod styled_v1 {
    #[model]
    pub struct Note {
        #[attribute(json)]
        pub style: super::json_v1::Style,
    }
}

#[versioned_schema(version = "2.0.0")]
mod styled_v2 {
    #[model]
    pub struct Note {
        #[attribute(json)]
        pub style: super::json_v2::Style,
    }
}

#[test]
fn diff_shows_json_shape_changes_and_whether_old_payloads_decode() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("1.0.0.json"), dir.path().join("2.0.0.json"));
    std::fs::write(&a, snapshot::to_json(styled_v1::Schema::descriptor())).unwrap();
    std::fs::write(&b, snapshot::to_json(styled_v2::Schema::descriptor())).unwrap();
    let (code, out, err) = run(&["diff", s(&a), s(&b)]);
    assert_eq!((code, err.as_str()), (1, ""), "{out}");
    assert_eq!(
        out,
        "1.0.0 -> 2.0.0\n\
         \n\
         changes (0)\n\
         \n\
         JSON shape of `Note.style` changed (old payloads no longer decode: a custom stage must rewrite them)\n  \
           `Style.size` changed from \"I64\" to \"STR\"\n\
         \n\
         SQL of an inferred step (0 statements)\n"
    );
    let (_, json, _) = run(&["diff", "--json", s(&a), s(&b)]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        report["json_shapes"],
        serde_json::json!([{
            "entity": "Note",
            "attribute": "style",
            "changes": ["`Style.size` changed from \"I64\" to \"STR\""],
            "old_payloads_decode": false,
        }])
    );
}

#[versioned_schema(version = "1.0.0")]
mod notes_v1 {
    #[model]
    pub struct Note {
        pub folder: String,
        pub title: String,
        pub status: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod notes_v2 {
    #[model(unique(folder, title), index(status, folder))]
    pub struct Note {
        pub folder: String,
        pub title: String,
        pub status: String,
    }
}

#[test]
fn diff_and_check_show_compound_constraints() {
    let dir = tempfile::tempdir().unwrap();
    let schemas = dir.path().join("schemas");
    snapshot::check(
        [
            notes_v1::Schema::descriptor(),
            notes_v2::Schema::descriptor(),
        ],
        &schemas,
        snapshot::SnapshotMode::WriteNew,
    )
    .unwrap();
    let (code, out, err) = run(&[
        "diff",
        s(&schemas.join("1.0.0.json")),
        s(&schemas.join("2.0.0.json")),
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        "1.0.0 -> 2.0.0\n\
         \n\
         changes (2)\n  \
           data-dependent  add unique on `Note` (`folder`, `title`)\n  \
           inferable       add index on `Note` (`status`, `folder`)\n\
         \n\
         SQL of an inferred step (2 statements)\n  \
           CREATE UNIQUE INDEX \"_staged_uniques_4_Note_6_folder_5_title\" ON \"Note\" (\"folder\", \"title\");\n  \
           CREATE INDEX \"_staged_indexes_4_Note_6_status_6_folder\" ON \"Note\" (\"status\", \"folder\");\n"
    );
    let snapshot = std::fs::read_to_string(schemas.join("2.0.0.json")).unwrap();
    assert!(snapshot.contains("\"constraints\""), "{snapshot}");
    let (code, _, err) = run(&["check", s(&schemas)]);
    assert_eq!((code, err.as_str()), (0, ""));
}
