//! Adopting a SQLite database staged did not create (`adopt`): a matching
//! database becomes a store at the adopted schema and is migrated in the
//! same transaction; a mismatching one is refused with every mismatch, its
//! bytes unchanged.

mod common;

use staged::prelude::*;
use staged::rusqlite::Connection;
use staged::{AdoptionMismatch, Error, MigrationError, OpenOutcome, StoreError};

use common::sql::{self, t};
use common::store::{TempStore, open_fails_with};

/// The hand-made database's shape, as the app declares it to adopt it.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use staged::prelude::*;

    /// A reminder.
    #[model(name = "reminder")]
    pub struct Reminder {
        /// Unique key.
        #[attribute(unique)]
        pub uid: String,
        /// Its title.
        pub title: String,
        /// Optional notes.
        pub notes: Option<String>,
        /// Whether it is done (a `BOOLEAN` column).
        pub done: bool,
    }

    /// A tag, keyed by its name.
    #[model(name = "tag")]
    pub struct Tag {
        /// The table's `TEXT PRIMARY KEY`.
        #[attribute(unique)]
        pub name: String,
    }

    /// A note on a reminder.
    #[model(name = "comment")]
    pub struct Comment {
        /// Its text.
        pub body: String,
        /// The reminder it belongs to.
        pub reminder: Ref<Reminder>,
    }
}

/// The app's next release, shipped with staged.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    use staged::prelude::*;

    /// A reminder.
    #[model(name = "reminder")]
    pub struct Reminder {
        /// Unique key.
        #[attribute(unique)]
        pub uid: String,
        /// Its title.
        pub title: String,
        /// Optional notes.
        pub notes: Option<String>,
        /// Whether it is done.
        pub done: bool,
        /// New in 2.0.0.
        #[attribute(default = 0)]
        pub priority: i64,
    }

    /// A tag, keyed by its name.
    #[model(name = "tag")]
    pub struct Tag {
        /// Unique name.
        #[attribute(unique)]
        pub name: String,
    }

    /// A note on a reminder.
    #[model(name = "comment")]
    pub struct Comment {
        /// Its text.
        pub body: String,
        /// The reminder it belongs to.
        pub reminder: Ref<Reminder>,
    }
}

/// 2.0.0 with `title` made unique: fails on duplicate titles.
#[versioned_schema(version = "2.0.0")]
pub mod v2_unique_title {
    use staged::prelude::*;

    /// A reminder.
    #[model(name = "reminder")]
    pub struct Reminder {
        /// Unique key.
        #[attribute(unique)]
        pub uid: String,
        /// Now unique.
        #[attribute(unique)]
        pub title: String,
        /// Optional notes.
        pub notes: Option<String>,
        /// Whether it is done.
        pub done: bool,
    }

    /// A tag.
    #[model(name = "tag")]
    pub struct Tag {
        /// Unique name.
        #[attribute(unique)]
        pub name: String,
    }

    /// A note on a reminder.
    #[model(name = "comment")]
    pub struct Comment {
        /// Its text.
        pub body: String,
        /// The reminder it belongs to.
        pub reminder: Ref<Reminder>,
    }
}

/// The tables the app created by hand before it used staged, and its rows:
/// reminders 1, 2 and 5 (3 and 4 were deleted; the table is `AUTOINCREMENT`
/// and had given up to 7), tags keyed by text, comments referring to
/// reminders.
const HAND_MADE: &str = r#"
    CREATE TABLE reminder (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uid TEXT NOT NULL UNIQUE,
        title VARCHAR(200) NOT NULL,
        notes TEXT,
        done BOOLEAN NOT NULL DEFAULT 0
    );
    CREATE INDEX reminder_title ON reminder (title);
    CREATE TABLE tag (name TEXT PRIMARY KEY);
    CREATE TABLE comment (body TEXT NOT NULL, reminder INTEGER NOT NULL REFERENCES reminder (id));
    INSERT INTO reminder (id, uid, title, notes, done) VALUES
        (1, 'r1', 'Buy milk', NULL, 1), (2, 'r2', 'Call Ann', 'after 5', 0), (5, 'r5', 'Pay rent', NULL, 0);
    INSERT INTO reminder (id, uid, title, done) VALUES (7, 'gone', 'deleted', 0);
    DELETE FROM reminder WHERE id = 7;
    INSERT INTO tag VALUES ('home'), ('work');
    INSERT INTO comment (rowid, body, reminder) VALUES (10, 'whole milk', 1), (11, 'landline', 2);
"#;

fn hand_made(store: &TempStore, sql: &str) {
    let conn = Connection::open(store.path()).unwrap();
    conn.execute_batch(sql).unwrap();
}

fn plan_v2() -> SchemaMigrationPlan<v2::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build()
        .unwrap()
}

fn plan_v1() -> SchemaMigrationPlan<v1::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .unwrap()
}

fn mismatches(error: &Error) -> &[AdoptionMismatch] {
    match error {
        Error::Store(StoreError::AdoptionMismatch { mismatches, .. }) => mismatches,
        other => panic!("expected StoreError::AdoptionMismatch, got {other:?}"),
    }
}

#[test]
fn a_hand_made_database_is_adopted_then_migrated_keeping_its_ids() {
    let store = TempStore::new();
    hand_made(&store, HAND_MADE);
    let container = ModelContainer::builder(plan_v2())
        .adopt::<v1::Schema>()
        .open(store.path())
        .unwrap();
    assert_eq!(
        container.open_outcome(),
        OpenOutcome::Adopted {
            version: Version::new(1, 0, 0)
        }
    );
    assert_eq!(container.store_version(), Version::new(2, 0, 0));
    let mut ctx = container.context();
    let reminders = ctx.fetch_all::<v2::Reminder>().unwrap();
    let ids: Vec<i64> = reminders.iter().map(|r| r.id().raw()).collect();
    assert_eq!(ids, [1, 2, 5]);
    assert_eq!(
        (
            reminders[1].title.as_str(),
            reminders[1].notes.as_deref(),
            reminders[1].done,
            reminders[1].priority
        ),
        ("Call Ann", Some("after 5"), false, 0)
    );
    // Rowids became ids, and references still lead to their records.
    let comments = ctx.fetch_all::<v2::Comment>().unwrap();
    assert_eq!(
        comments.iter().map(|c| c.id().raw()).collect::<Vec<_>>(),
        [10, 11]
    );
    let milk = ctx.follow(comments[0].reminder).unwrap().unwrap();
    assert_eq!(milk.title, "Buy milk");
    // Tags got ids in key order; their text key is unique now.
    let tags = ctx.fetch_all::<v2::Tag>().unwrap();
    assert_eq!(tags.len(), 2);
    let duplicate = ctx.insert(v2::Tag {
        name: "home".into(),
    });
    assert!(matches!(duplicate, Err(Error::UniqueViolation { .. })));
    // New records continue after every id the table ever gave (7).
    let new = ctx
        .insert(v2::Reminder {
            uid: "r8".into(),
            title: "New".into(),
            notes: None,
            done: false,
            priority: 1,
        })
        .unwrap();
    assert_eq!(new.raw(), 8);
    drop(ctx);
    drop(container);

    let conn = store.conn();
    assert_eq!(
        sql::history(&conn)
            .into_iter()
            .map(|(from, to, kind, _)| (from, to, kind))
            .collect::<Vec<_>>(),
        [
            ("1.0.0".into(), "1.0.0".into(), "adopted".into()),
            ("1.0.0".into(), "2.0.0".into(), "inferred".into()),
        ]
    );
    assert_eq!(sql::integrity(&conn), "ok");
    assert_eq!(sql::foreign_key_violations(&conn), 0);
    // The hand-made index went with the old table; staged's are there.
    assert!(
        !sql::index_names(&conn, "reminder")
            .iter()
            .any(|name| name == "reminder_title")
    );
    drop(conn);
    // Later launches open it as any store, with or without `adopt`.
    let again = ModelContainer::open(store.path(), plan_v2()).unwrap();
    assert_eq!(again.open_outcome(), OpenOutcome::UpToDate);
    assert_eq!(again.context().count::<v2::Reminder>().unwrap(), 4);
}

#[test]
fn a_database_adopted_at_the_latest_version_is_only_stamped() {
    let store = TempStore::new();
    hand_made(&store, HAND_MADE);
    let container = ModelContainer::builder(plan_v1())
        .adopt::<v1::Schema>()
        .open(store.path())
        .unwrap();
    assert_eq!(
        container.open_outcome(),
        OpenOutcome::Adopted {
            version: Version::new(1, 0, 0)
        }
    );
    assert_eq!(container.context().count::<v1::Reminder>().unwrap(), 3);
    drop(container);
    // Adoption tolerates differences a schema cookie would vouch for: none
    // is recorded, and the next migration compares every table.
    let cookie: Option<i64> = store
        .conn()
        .query_row("SELECT schema_cookie FROM _staged_metadata", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(cookie, None);
    let again = ModelContainer::builder(plan_v1())
        .adopt::<v1::Schema>()
        .open(store.path())
        .unwrap();
    assert_eq!(again.open_outcome(), OpenOutcome::UpToDate);
}

#[test]
fn without_adopt_a_hand_made_database_is_still_foreign() {
    let store = TempStore::new();
    hand_made(&store, HAND_MADE);
    let error = open_fails_with(&store, || ModelContainer::open(store.path(), plan_v2()));
    assert!(matches!(
        error,
        Error::Store(StoreError::ForeignDatabase { .. })
    ));
}

#[test]
fn every_mismatch_is_listed_and_the_file_is_untouched() {
    let store = TempStore::new();
    hand_made(
        &store,
        r#"
        CREATE TABLE reminder (
            id INTEGER PRIMARY KEY, uid TEXT NOT NULL, title TEXT, done BOOLEAN NOT NULL, due INTEGER
        );
        CREATE TABLE tag (name TEXT, color TEXT, PRIMARY KEY (name, color));
        CREATE TABLE settings (key TEXT, value TEXT);
        CREATE TRIGGER touch AFTER UPDATE ON reminder BEGIN SELECT 1; END;
        INSERT INTO reminder VALUES (1, 'a', 'x', 2, NULL), (2, 'a', 'y', 0, NULL);
        "#,
    );
    let error = open_fails_with(&store, || {
        ModelContainer::builder(plan_v2())
            .adopt::<v1::Schema>()
            .open(store.path())
    });
    let reminder = |column: &str| (String::from("reminder"), column.to_owned());
    assert_eq!(
        mismatches(&error),
        [
            AdoptionMismatch::UnexpectedTable {
                table: "settings".into()
            },
            AdoptionMismatch::Trigger {
                table: "reminder".into(),
                trigger: "touch".into()
            },
            AdoptionMismatch::UnexpectedColumn {
                entity: reminder("due").0,
                column: reminder("due").1
            },
            AdoptionMismatch::Duplicates {
                entity: "reminder".into(),
                column: "uid".into(),
                rows: 2,
                example: Some(1)
            },
            AdoptionMismatch::Nullability {
                entity: "reminder".into(),
                column: "title".into(),
                not_null: false
            },
            AdoptionMismatch::MissingColumn {
                entity: "reminder".into(),
                column: "notes".into()
            },
            AdoptionMismatch::Values {
                entity: "reminder".into(),
                column: "done".into(),
                expected: "integers from 0 to 1".into(),
                rows: 1,
                example: Some(1)
            },
            AdoptionMismatch::CompoundPrimaryKey {
                entity: "tag".into(),
                columns: vec!["name".into(), "color".into()]
            },
            AdoptionMismatch::UnexpectedColumn {
                entity: "tag".into(),
                column: "color".into()
            },
            AdoptionMismatch::MissingTable {
                entity: "comment".into()
            },
        ]
    );
    let message = error.to_string();
    assert!(
        message.contains("cannot be adopted as schema 1.0.0: 10 difference(s)"),
        "{message}"
    );
    assert!(
        message.contains("add `#[model(unique(name, color))]` to `tag`"),
        "{message}"
    );
    assert!(
        message.contains("`reminder.title`: column is nullable, the attribute is required"),
        "{message}"
    );
}

#[test]
fn types_ids_and_keys_that_do_not_fit_are_mismatches() {
    let store = TempStore::new();
    hand_made(
        &store,
        r#"
        CREATE TABLE reminder (
            uid INTEGER PRIMARY KEY, title BLOB NOT NULL, notes TEXT, done INTEGER NOT NULL
        );
        CREATE TABLE tag (name TEXT PRIMARY KEY);
        CREATE TABLE comment (body TEXT NOT NULL REFERENCES tag (name), reminder INTEGER NOT NULL);
        CREATE UNIQUE INDEX one_body ON comment (body);
        INSERT INTO tag VALUES ('orphan');
        INSERT INTO comment VALUES ('orphan', 9);
        "#,
    );
    let error = open_fails_with(&store, || {
        ModelContainer::builder(plan_v2())
            .adopt::<v1::Schema>()
            .open(store.path())
    });
    assert_eq!(
        mismatches(&error),
        [
            AdoptionMismatch::IdDeclared {
                entity: "reminder".into(),
                column: "uid".into()
            },
            AdoptionMismatch::WrongType {
                entity: "reminder".into(),
                column: "title".into(),
                declared: "BLOB".into(),
                expected: "TEXT"
            },
            AdoptionMismatch::UndeclaredForeignKey {
                entity: "comment".into(),
                column: "body".into(),
                target: "tag".into()
            },
            AdoptionMismatch::UndeclaredUnique {
                entity: "comment".into(),
                index: "one_body".into(),
                columns: vec!["body".into()],
                partial: false
            },
            AdoptionMismatch::DanglingReferences {
                entity: "comment".into(),
                column: "reminder".into(),
                target: "reminder".into(),
                rows: 1,
                example: Some(1)
            },
        ]
    );
}

#[test]
fn a_migration_failing_after_adoption_leaves_the_database_as_it_was() {
    let store = TempStore::new();
    hand_made(
        &store,
        &format!("{HAND_MADE} UPDATE reminder SET title = 'same';"),
    );
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2_unique_title::Schema>()
        .build()
        .unwrap();
    let error = open_fails_with(&store, || {
        ModelContainer::builder(plan)
            .adopt::<v1::Schema>()
            .open(store.path())
    });
    assert!(
        matches!(
            error.as_migration(),
            Some(MigrationError::ConstraintViolation { attribute, .. }) if attribute == "title"
        ),
        "{error}"
    );
    // Still the hand-made database: no staged tables, the old ids.
    let conn = store.conn();
    assert_eq!(sql::user_tables(&conn), ["comment", "reminder", "tag"]);
    assert_eq!(sql::rows(&conn, "tag"), [vec![t("home")], vec![t("work")]]);
    assert_eq!(
        conn.query_row(
            "SELECT id FROM reminder ORDER BY id DESC LIMIT 1",
            [],
            |row| row.get::<_, i64>(0)
        )
        .unwrap(),
        5
    );
}

#[test]
fn a_schema_outside_the_plan_cannot_adopt() {
    let store = TempStore::new();
    hand_made(&store, HAND_MADE);
    let plan = SchemaMigrationPlan::builder()
        .schema::<v2::Schema>()
        .build()
        .unwrap();
    let error = open_fails_with(&store, || {
        ModelContainer::builder(plan)
            .adopt::<v1::Schema>()
            .open(store.path())
    });
    assert!(matches!(
        error,
        Error::Store(StoreError::AdoptedSchemaNotInPlan { version, oldest_supported, .. })
            if version == Version::new(1, 0, 0) && oldest_supported == Version::new(2, 0, 0)
    ));
}

#[test]
fn the_mismatch_check_reads_without_writing() {
    let store = TempStore::new();
    hand_made(&store, HAND_MADE);
    let before = store.bytes();
    assert_eq!(
        staged::adoption_mismatches(store.path(), v1::Schema::descriptor()).unwrap(),
        []
    );
    let found = staged::adoption_mismatches(store.path(), v2::Schema::descriptor()).unwrap();
    assert_eq!(
        found,
        [AdoptionMismatch::MissingColumn {
            entity: "reminder".into(),
            column: "priority".into()
        }]
    );
    assert_eq!(store.bytes(), before);
    ModelContainer::builder(plan_v1())
        .adopt::<v1::Schema>()
        .open(store.path())
        .unwrap();
    assert!(matches!(
        staged::adoption_mismatches(store.path(), v1::Schema::descriptor()),
        Err(Error::Store(StoreError::AlreadyAStore { .. }))
    ));
}

#[test]
fn a_without_rowid_table_gets_new_ids_in_key_order() {
    let store = TempStore::new();
    hand_made(
        &store,
        r#"
        CREATE TABLE reminder (uid TEXT PRIMARY KEY, title TEXT NOT NULL, notes TEXT, done BOOLEAN NOT NULL)
            WITHOUT ROWID;
        CREATE TABLE tag (name TEXT PRIMARY KEY);
        CREATE TABLE comment (body TEXT NOT NULL, reminder INTEGER NOT NULL);
        INSERT INTO reminder VALUES ('r2', 'Second', NULL, 0), ('r1', 'First', NULL, 1);
        INSERT INTO comment VALUES ('stale', 1);
        "#,
    );
    // Its rows get new ids, so a stored reference to one cannot be kept.
    let error = open_fails_with(&store, || {
        ModelContainer::builder(plan_v2())
            .adopt::<v1::Schema>()
            .open(store.path())
    });
    assert_eq!(
        mismatches(&error),
        [AdoptionMismatch::DanglingReferences {
            entity: "comment".into(),
            column: "reminder".into(),
            target: "reminder".into(),
            rows: 1,
            example: Some(1)
        }]
    );
    store.conn().execute("DELETE FROM comment", []).unwrap();
    let container = ModelContainer::builder(plan_v2())
        .adopt::<v1::Schema>()
        .open(store.path())
        .unwrap();
    let reminders = container.context().fetch_all::<v2::Reminder>().unwrap();
    let got: Vec<(i64, &str)> = reminders
        .iter()
        .map(|r| (r.id().raw(), r.uid.as_str()))
        .collect();
    assert_eq!(got, [(1, "r1"), (2, "r2")]);
}
