//! Compound constraints, `#[model(unique(a, b), index(a, b))]`: created with
//! a new store, added and removed by inferred steps (an index never rebuilds
//! the table; a unique constraint fails on duplicate combinations, naming
//! them), enforced on writes, checked for drift, and in the schema's
//! snapshot and checksum. Every case uses a store file.

mod common;

use common::store::TempStore;
use common::{plans, sql};
use staged::prelude::*;
use staged::rusqlite::Connection;
use staged::schema::snapshot::{self, SchemaDifference};
use staged::{ConstraintKind, DryRunProblem, MigrationError};
use staged_runtime::__internals::verify;

/// Folders and notes, without compound constraints.
#[versioned_schema(version = "1.0.0")]
mod v1 {
    use staged::prelude::*;

    #[model]
    pub struct Folder {
        #[attribute(unique)]
        pub name: String,
    }

    #[model]
    pub struct Note {
        pub title: String,
        pub folder: Option<Ref<Folder>>,
        pub status: String,
        pub created: i64,
    }
}

/// A note's title is unique per folder; notes are indexed by status and date.
#[versioned_schema(version = "2.0.0")]
mod v2 {
    use staged::prelude::*;

    #[model]
    pub struct Folder {
        #[attribute(unique)]
        pub name: String,
    }

    #[model(unique(folder, title), index(status, created))]
    pub struct Note {
        pub title: String,
        pub folder: Option<Ref<Folder>>,
        pub status: String,
        pub created: i64,
    }
}

/// The index is gone again, the unique constraint stays.
#[versioned_schema(version = "3.0.0")]
mod v3 {
    use staged::prelude::*;

    #[model]
    pub struct Folder {
        #[attribute(unique)]
        pub name: String,
    }

    #[model(unique(folder, title))]
    pub struct Note {
        pub title: String,
        pub folder: Option<Ref<Folder>>,
        pub status: String,
        pub created: i64,
    }
}

const UNIQUE: &str = "_staged_uniques_4_Note_6_folder_5_title";
const INDEX: &str = "_staged_indexes_4_Note_6_status_7_created";

/// A 1.0.0 store with two folders and `notes` as (title, folder index, created).
fn seed(store: &TempStore, notes: &[(&str, Option<usize>, i64)]) {
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    let folders: Vec<_> = ["inbox", "work"]
        .into_iter()
        .map(|name| ctx.insert(v1::Folder { name: name.into() }).unwrap())
        .collect();
    for &(title, folder, created) in notes {
        ctx.insert(v1::Note {
            title: title.into(),
            folder: folder.map(|k| Ref::new(folders[k])),
            status: "open".into(),
            created,
        })
        .unwrap();
    }
}

/// `(name, unique, columns)` of `table`'s indexes, sorted.
fn indexes(conn: &Connection, table: &str) -> Vec<(String, bool, Vec<String>)> {
    let mut out: Vec<(String, bool, Vec<String>)> = conn
        .prepare(&format!("PRAGMA index_list(\"{table}\")"))
        .unwrap()
        .query_map([], |row| Ok((row.get(1)?, row.get::<_, i64>(2)? != 0)))
        .unwrap()
        .map(|r| {
            let (name, unique): (String, bool) = r.unwrap();
            let columns = conn
                .prepare(&format!("PRAGMA index_info(\"{name}\")"))
                .unwrap()
                .query_map([], |row| row.get(2))
                .unwrap()
                .collect::<Result<Vec<String>, _>>()
                .unwrap();
            (name, unique, columns)
        })
        .collect();
    out.sort();
    out
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn a_new_store_has_the_compound_indexes_and_refuses_a_duplicate_pair() {
    let store = TempStore::new();
    let container = plans::open_single::<v2::Schema>(store.path());
    let mut ctx = container.context();
    let inbox = ctx
        .insert(v2::Folder {
            name: "inbox".into(),
        })
        .unwrap();
    let work = ctx
        .insert(v2::Folder {
            name: "work".into(),
        })
        .unwrap();
    let note = |title: &str, folder| v2::Note {
        title: title.into(),
        folder: Some(Ref::new(folder)),
        status: "open".into(),
        created: 1,
    };
    ctx.insert(note("plan", inbox)).unwrap();
    // The same title in another folder, and no folder at all, are fine.
    ctx.insert(note("plan", work)).unwrap();
    for _ in 0..2 {
        ctx.insert(v2::Note {
            folder: None,
            ..note("plan", inbox)
        })
        .unwrap();
    }
    let error = ctx.insert(note("plan", inbox)).unwrap_err();
    let staged::Error::UniqueViolation { entity, attribute } = &error else {
        panic!("unexpected error: {error}");
    };
    assert_eq!(
        (entity.as_str(), attribute.as_str()),
        ("Note", "folder, title")
    );
    drop(ctx);
    drop(container);

    let conn = store.conn();
    let found = indexes(&conn, "Note");
    assert!(found.contains(&(UNIQUE.to_owned(), true, strings(&["folder", "title"]))));
    assert!(found.contains(&(INDEX.to_owned(), false, strings(&["status", "created"]))));
    assert_eq!(sql::ids(&conn, "Note"), vec![1, 2, 3, 4]);
    assert!(
        verify::drift(&conn, v2::Schema::descriptor())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn adding_them_to_a_store_without_duplicates_keeps_every_row_and_rebuilds_nothing() {
    let store = TempStore::new();
    seed(
        &store,
        &[
            ("plan", Some(0), 3),
            ("plan", Some(1), 2),
            ("todo", Some(0), 1),
            ("plan", None, 0),
            ("plan", None, 0),
        ],
    );
    let before = sql::rows(&store.conn(), "Note");
    let table_before = sql::table_sql(&store.conn(), "Note");

    let report = ModelContainer::builder(plans::two::<v1::Schema, v2::Schema>())
        .dry_run(store.path())
        .unwrap();
    assert!(report.would_succeed());
    let statements: Vec<&str> = report.steps()[0].sql().collect();
    assert_eq!(
        statements,
        vec![
            format!("CREATE UNIQUE INDEX \"{UNIQUE}\" ON \"Note\" (\"folder\", \"title\")"),
            format!("CREATE INDEX \"{INDEX}\" ON \"Note\" (\"status\", \"created\")"),
        ],
        "two indexes, no table rebuilt"
    );

    let container =
        ModelContainer::open(store.path(), plans::two::<v1::Schema, v2::Schema>()).unwrap();
    assert_eq!(container.store_version(), Version::new(2, 0, 0));
    let titles: Vec<String> = container
        .context()
        .fetch_all::<v2::Note>()
        .unwrap()
        .iter()
        .map(|n| n.title.clone())
        .collect();
    assert_eq!(titles, strings(&["plan", "plan", "todo", "plan", "plan"]));
    drop(container);
    let conn = store.conn();
    assert_eq!(sql::rows(&conn, "Note"), before);
    assert_eq!(sql::table_sql(&conn, "Note"), table_before);
    assert_eq!(
        indexes(&conn, "Note").len(),
        3,
        "the to-one's index and the two compound ones"
    );
}

#[test]
fn adding_a_unique_pair_over_duplicates_fails_naming_the_pair_and_its_rows() {
    let store = TempStore::new();
    seed(
        &store,
        &[
            ("plan", Some(0), 1),
            ("todo", Some(0), 1),
            ("plan", Some(0), 2),
            ("plan", Some(1), 3),
            ("plan", Some(0), 4),
        ],
    );
    let before = store.bytes();

    let report = ModelContainer::builder(plans::two::<v1::Schema, v2::Schema>())
        .dry_run(store.path())
        .unwrap();
    assert!(!report.would_succeed());
    let problems: Vec<&DryRunProblem> = report.problems().collect();
    assert_eq!(
        problems,
        vec![&DryRunProblem::DuplicateTogether {
            entity: "Note".into(),
            attributes: strings(&["folder", "title"]),
            values: "(1, 'plan')".into(),
            rows: vec![1, 3, 5],
        }]
    );
    assert_eq!(
        problems[0].to_string(),
        "`Note` becomes unique on (`folder`, `title`) but 3 records have the values (1, 'plan') (records 1, 3, 5)"
    );

    let error =
        ModelContainer::open(store.path(), plans::two::<v1::Schema, v2::Schema>()).unwrap_err();
    let Some(MigrationError::ConstraintViolation {
        entity,
        attribute,
        kind,
        row,
        value,
        records,
        ..
    }) = error.as_migration()
    else {
        panic!("unexpected error: {error}");
    };
    assert_eq!(
        (entity.as_str(), attribute.as_str(), *kind),
        ("Note", "folder, title", ConstraintKind::UniqueTogether)
    );
    assert_eq!(
        (*row, value.as_deref(), records.as_slice()),
        (Some(1), Some("(1, 'plan')"), &[1, 3, 5][..])
    );
    assert_eq!(
        error.to_string(),
        format!(
            "cannot migrate `{}` from 1.0.0 to 2.0.0: `Note` becomes unique on (`folder`, `title`) but several \
             records have the values (1, 'plan') (records 1, 3, 5); fix the data first (e.g. in a `will_migrate` \
             hook of a custom stage) or relax the schema",
            store.path().display()
        )
    );
    assert_eq!(store.bytes(), before, "the store is left exactly as it was");
}

#[test]
fn removing_an_index_drops_it_in_place() {
    let store = TempStore::new();
    seed(&store, &[("plan", Some(0), 1), ("todo", Some(1), 2)]);
    drop(ModelContainer::open(store.path(), plans::two::<v1::Schema, v2::Schema>()).unwrap());
    let before = sql::rows(&store.conn(), "Note");

    let plan = plans::three::<v1::Schema, v2::Schema, v3::Schema>();
    let report = ModelContainer::builder(plans::three::<v1::Schema, v2::Schema, v3::Schema>())
        .dry_run(store.path())
        .unwrap();
    let statements: Vec<&str> = report.steps()[0].sql().collect();
    assert_eq!(statements, vec![format!("DROP INDEX \"{INDEX}\"")]);
    let container = ModelContainer::open(store.path(), plan).unwrap();
    assert_eq!(container.store_version(), Version::new(3, 0, 0));
    drop(container);
    let conn = store.conn();
    assert_eq!(sql::rows(&conn, "Note"), before);
    let names: Vec<String> = indexes(&conn, "Note")
        .into_iter()
        .map(|(n, ..)| n)
        .collect();
    assert!(names.contains(&UNIQUE.to_owned()) && !names.contains(&INDEX.to_owned()));
}

#[test]
fn a_store_going_from_1_to_3_gets_only_the_unique_pair() {
    let store = TempStore::new();
    seed(&store, &[("plan", Some(0), 1)]);
    let container = ModelContainer::open(
        store.path(),
        plans::three::<v1::Schema, v2::Schema, v3::Schema>(),
    )
    .unwrap();
    drop(container);
    let conn = store.conn();
    let compound: Vec<String> = indexes(&conn, "Note")
        .into_iter()
        .filter(|(_, _, columns)| columns.len() > 1)
        .map(|(n, ..)| n)
        .collect();
    assert_eq!(compound, vec![UNIQUE.to_owned()]);
}

#[test]
fn drift_reports_a_missing_or_unexpected_compound_index() {
    let store = TempStore::new();
    drop(plans::open_single::<v2::Schema>(store.path()));
    let conn = store.conn();
    conn.execute_batch(&format!("DROP INDEX \"{UNIQUE}\""))
        .unwrap();
    let drift = sql::drift(&conn, v2::Schema::descriptor());
    assert_eq!(
        drift,
        vec![format!(
            "`Note.folder, title`: missing unique index `{}`",
            UNIQUE.to_lowercase()
        )]
    );
    // A store at 1.0.0 with v2's index has one the schema does not.
    let store = TempStore::new();
    drop(plans::open_single::<v1::Schema>(store.path()));
    let conn = store.conn();
    conn.execute_batch(&format!(
        "CREATE INDEX \"{INDEX}\" ON \"Note\" (\"status\", \"created\")"
    ))
    .unwrap();
    let drift = sql::drift(&conn, v1::Schema::descriptor());
    assert_eq!(
        drift,
        vec![format!(
            "`Note.status, created`: unexpected index `{}`",
            INDEX.to_lowercase()
        )]
    );
}

#[test]
fn constraints_are_part_of_the_canonical_form_and_the_snapshot_diff() {
    let form = staged::schema::canonical_form(v2::Schema::descriptor());
    assert!(
        form.ends_with(
            "index \"Note\" \"status\" \"created\"\nunique \"Note\" \"folder\" \"title\"\n"
        ),
        "{form}"
    );
    let v1_form = staged::schema::canonical_form(v1::Schema::descriptor());
    assert!(!v1_form.contains("unique \"") && !v1_form.contains("index \""));
    assert_ne!(v1::Schema::checksum(), v2::Schema::checksum());

    let differences = snapshot::diff(v2::Schema::descriptor(), v3::Schema::descriptor());
    assert_eq!(
        differences,
        vec![SchemaDifference::ConstraintRemoved {
            entity: "Note".into(),
            attributes: strings(&["status", "created"]),
            unique: false,
        }]
    );
    assert_eq!(
        differences[0].to_string(),
        "index `Note` (status, created) was removed"
    );
    let json = serde_json::to_string(v2::Schema::descriptor()).unwrap();
    let back: staged::SchemaDescriptor = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, v2::Schema::descriptor());
    assert_eq!(back.checksum(), v2::Schema::checksum());
}

#[test]
fn the_inferred_changes_name_the_constraints() {
    let inference = staged::infer_step(v1::Schema::descriptor(), v2::Schema::descriptor()).unwrap();
    let changes: Vec<(String, String)> = inference
        .changes()
        .iter()
        .map(|c| (c.to_string(), c.class().to_string()))
        .collect();
    assert_eq!(
        changes,
        vec![
            (
                "add unique on `Note` (`folder`, `title`)".to_owned(),
                "data-dependent".to_owned()
            ),
            (
                "add index on `Note` (`status`, `created`)".to_owned(),
                "inferable".to_owned()
            ),
        ]
    );
}
