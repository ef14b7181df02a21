//! Dry run: data a migration would lose is a problem, and the copy it works
//! on is a temporary file beside the store that is always deleted.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};

use common::files::listing;
use common::plans;
use common::store::TempStore;
use staged::prelude::*;
use staged::{CustomStage, DryRunProblem, StepOutcome};

#[versioned_schema(version = "1.0.0")]
mod v1 {
    #[model]
    pub struct Note {
        pub title: String,
        pub colour: Option<String>,
    }
}

/// The same shape, reached through a custom stage.
#[versioned_schema(version = "2.0.0")]
mod v2 {
    #[model]
    pub struct Note {
        pub title: String,
        pub colour: Option<String>,
        pub pinned: Option<bool>,
    }
}

/// Five notes; every one but the last has a colour.
fn seed(path: &Path) {
    let container = plans::open_single::<v1::Schema>(path);
    let mut ctx = container.context();
    for i in 0..5 {
        ctx.insert(v1::Note {
            title: format!("note {i}"),
            colour: (i < 4).then(|| "red".to_owned()),
        })
        .unwrap();
    }
}

fn stage() -> CustomStage<v1::Schema, v2::Schema> {
    MigrationStage::custom::<v1::Schema, v2::Schema>()
}

fn plan(stage: CustomStage<v1::Schema, v2::Schema>) -> SchemaMigrationPlan<v2::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .stage(stage)
        .build()
        .unwrap()
}

/// Dry-runs `plan` on a seeded store and checks that the store's bytes and
/// its folder are as they were.
fn dry_run(plan: SchemaMigrationPlan<v2::Schema>) -> (TempStore, staged::DryRunReport) {
    let store = TempStore::new();
    seed(store.path());
    let before = store.bytes();
    let report = ModelContainer::builder(plan).dry_run(store.path()).unwrap();
    assert_eq!(store.bytes(), before, "the store changed");
    assert_eq!(
        listing(store.dir()),
        ["store.sqlite"],
        "files left beside the store"
    );
    (store, report)
}

#[test]
fn rows_a_hook_deletes_are_lost_data_and_not_a_success() {
    let (_store, report) = dry_run(plan(stage().migrate(
        |_: &mut ModelContext<v1::Schema>, new: &mut ModelContext<v2::Schema>| {
            for note in new.fetch_all::<v2::Note>()?.into_iter().take(2) {
                new.delete::<v2::Note>(note.id())?;
            }
            Ok(())
        },
    )));
    assert!(!report.would_succeed(), "{report}");
    assert!(report.loses_data());
    assert_eq!(report.steps()[0].outcome(), StepOutcome::Succeeded);
    let problems: Vec<&DryRunProblem> = report.problems().collect();
    assert_eq!(
        problems,
        [&DryRunProblem::RowsLost {
            entity: "Note".into(),
            expected: 5,
            after: 3,
        }],
        "{report}"
    );
    let text = report.to_string();
    assert!(
        text.contains(
            "problem: `Note` would lose 2 of its 5 records (3 left), though the plan deletes none \
             on purpose: give a renamed entity its `original_name`, or find the hook or cascade \
             that deletes them"
        ),
        "{text}"
    );
    assert!(
        text.ends_with(
            "the migration would run but lose data (see the problems above); rows at 2.0.0: Note 3"
        ),
        "{text}"
    );
}

#[test]
fn values_a_transform_forgets_become_null_and_are_reported() {
    let (_store, report) = dry_run(plan(stage().transform(|old: v1::Note| {
        Ok(v2::Note {
            title: old.title,
            colour: None,
            pinned: None,
        })
    })));
    assert!(!report.would_succeed(), "{report}");
    let problems: Vec<&DryRunProblem> = report.problems().collect();
    assert_eq!(
        problems,
        [&DryRunProblem::BecameNull {
            entity: "Note".into(),
            attribute: "colour".into(),
            records: 4,
        }],
        "{report}"
    );
    assert!(report.to_string().contains(
        "problem: `Note.colour` would become NULL in 4 records that had a value: check the \
         transform or hook that writes it"
    ));
}

#[test]
fn rows_a_transform_or_drop_drops_are_wanted() {
    let (_store, report) = dry_run(plan(stage().transform_or_drop(|old: v1::Note| {
        Ok(old.colour.map(|colour| v2::Note {
            title: old.title,
            colour: Some(colour),
            pinned: None,
        }))
    })));
    assert!(report.would_succeed(), "{report}");
    assert!(!report.loses_data());
    assert_eq!(
        report.rows_after().unwrap(),
        [("Note".to_owned(), 4)],
        "{report}"
    );
}

#[test]
fn a_faithful_transform_loses_nothing() {
    let (_store, report) = dry_run(plan(stage().transform(|old: v1::Note| {
        Ok(v2::Note {
            title: old.title,
            colour: old.colour,
            pinned: Some(false),
        })
    })));
    assert!(report.would_succeed(), "{report}");
    assert_eq!(report.problems().count(), 0);
}

#[test]
fn the_copy_is_a_hidden_file_beside_the_store_while_the_migration_runs() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = TempStore::new();
    seed(store.path());
    let before = store.bytes();
    let dir = store.dir().to_owned();
    let in_hook = seen.clone();
    let plan = plan(
        stage().will_migrate(move |_: &mut ModelContext<v1::Schema>| {
            *in_hook.lock().unwrap() = listing(&dir);
            Ok(())
        }),
    );
    let report = ModelContainer::builder(plan).dry_run(store.path()).unwrap();
    assert!(report.would_succeed(), "{report}");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[1], "store.sqlite");
    assert!(
        seen[0].starts_with(".store.sqlite.dry-run-"),
        "the copy's name: {seen:?}"
    );
    assert_eq!(store.bytes(), before);
    assert_eq!(listing(store.dir()), ["store.sqlite"]);
}

#[test]
fn the_copy_is_deleted_when_a_hook_fails_or_panics() {
    let failing = plan(stage().will_migrate(|_: &mut ModelContext<v1::Schema>| {
        Err(staged::Error::hook(std::io::Error::other("no")))
    }));
    let (_store, report) = dry_run(failing);
    assert!(!report.would_succeed());
    assert_eq!(report.steps()[0].outcome(), StepOutcome::Failed);

    let panicking =
        plan(stage().will_migrate(|_: &mut ModelContext<v1::Schema>| panic!("a hook that panics")));
    let (_store, report) = dry_run(panicking);
    assert!(!report.would_succeed());
}

#[test]
fn a_store_in_wal_mode_leaves_no_file_behind() {
    let store = TempStore::new();
    seed(store.path());
    {
        let conn = store.conn();
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
    assert_eq!(listing(store.dir()), ["store.sqlite"]);
    let before = store.bytes();
    let report = ModelContainer::builder(plan(stage()))
        .dry_run(store.path())
        .unwrap();
    assert!(report.would_succeed(), "{report}");
    assert_eq!(store.bytes(), before);
    assert_eq!(listing(store.dir()), ["store.sqlite"]);
}
