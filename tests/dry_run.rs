//! Dry run: the path, SQL, row counts and data problems, with the file untouched.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::files::listing;
use common::plans;
use common::store::TempStore;
use staged::prelude::*;
use staged::{DryRunAction, DryRunProblem, StepOutcome};

#[versioned_schema(version = "1.0.0")]
mod v1 {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub notes: Option<String>,
    }

    #[model]
    pub struct Scratch {
        pub junk: String,
    }
}

/// `title` becomes unique.
#[versioned_schema(version = "2.0.0")]
mod v2 {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(unique)]
        pub title: String,
        pub notes: Option<String>,
    }

    #[model]
    pub struct Scratch {
        pub junk: String,
    }
}

/// Adds `priority`, removes `Scratch`.
#[versioned_schema(version = "3.0.0", removed(Scratch))]
mod v3 {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(unique)]
        pub title: String,
        pub notes: Option<String>,
        #[attribute(default = 0)]
        pub priority: i64,
    }
}

/// `notes` becomes required without a default: a hook must fill it.
#[versioned_schema(version = "2.0.0")]
mod v2_required {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub notes: String,
    }

    #[model]
    pub struct Scratch {
        pub junk: String,
    }
}

/// A v1 store with these titles (and notes on every other record).
fn seed(path: &Path, titles: &[&str]) {
    let container = plans::open_single::<v1::Schema>(path);
    let mut ctx = container.context();
    for (i, title) in titles.iter().enumerate() {
        ctx.insert(v1::Reminder {
            uid: format!("u{i}"),
            title: (*title).to_owned(),
            notes: (i % 2 == 0).then(|| format!("note {i}")),
        })
        .unwrap();
    }
    ctx.insert(v1::Scratch { junk: "x".into() }).unwrap();
}

/// The store's bytes, after checking that it is the only file in its directory
/// (no journal, WAL or shared-memory file next to it).
fn store_bytes(store: &TempStore) -> Vec<u8> {
    assert_eq!(
        listing(store.dir()),
        ["store.sqlite"],
        "files next to the store"
    );
    store.bytes()
}

fn counts(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    pairs.iter().map(|(e, n)| ((*e).to_owned(), *n)).collect()
}

/// The lines of a report's text, `{path}` standing for the store's path.
fn report_text(store: &TempStore, lines: &[&str]) -> String {
    lines
        .join("\n")
        .replace("{path}", &store.path().display().to_string())
}

/// What the custom step 2.0.0 -> 3.0.0 of [`plan_1_to_3`] does, in order.
fn step_2_actions() -> [DryRunAction; 3] {
    [
        DryRunAction::Sql(r#"DROP TABLE "Scratch""#.into()),
        DryRunAction::Sql(
            r#"ALTER TABLE "Reminder" ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 0"#.into(),
        ),
        DryRunAction::Hook("`did_migrate` hook #1".into()),
    ]
}

fn plan_1_to_3(did_migrate: Arc<AtomicUsize>) -> SchemaMigrationPlan<v3::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .stage(
            MigrationStage::custom::<v2::Schema, v3::Schema>().did_migrate(
                move |_: &mut ModelContext<v3::Schema>| {
                    did_migrate.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                },
            ),
        )
        .build()
        .unwrap()
}

#[test]
fn a_duplicate_under_a_new_unique_is_reported_and_the_file_is_unchanged() {
    let store = TempStore::new();
    seed(store.path(), &["standup", "same", "gym", "same"]);
    let before = store_bytes(&store);
    let hook_runs = Arc::new(AtomicUsize::new(0));

    let report = ModelContainer::builder(plan_1_to_3(hook_runs.clone()))
        .dry_run(store.path())
        .unwrap();

    assert_eq!(
        store_bytes(&store),
        before,
        "the file is byte-for-byte unchanged"
    );
    assert!(!report.would_succeed());
    assert_eq!(
        report.migration_path().to_string(),
        "1.0.0 -[inferred]-> 2.0.0 -[custom]-> 3.0.0"
    );
    assert_eq!(report.store_version(), Version::new(1, 0, 0));
    assert_eq!(
        report.rows_before(),
        counts(&[("Reminder", 4), ("Scratch", 1)])
    );
    assert_eq!(report.rows_after(), None);
    let problems: Vec<&DryRunProblem> = report.problems().collect();
    assert_eq!(
        problems,
        [&DryRunProblem::Duplicate {
            entity: "Reminder".into(),
            attribute: "title".into(),
            value: "'same'".into(),
            row: 2,
            records: 2,
        }]
    );

    let [first, second] = report.steps() else {
        panic!("two steps: {report}");
    };
    assert_eq!(first.outcome(), StepOutcome::Failed);
    assert_eq!(
        first.sql().collect::<Vec<_>>(),
        [r#"CREATE UNIQUE INDEX "_staged_unique_8_Reminder_title" ON "Reminder" ("title")"#]
    );
    assert_eq!(
        first.rows_before(),
        Some(counts(&[("Reminder", 4), ("Scratch", 1)]).as_slice())
    );
    assert_eq!(first.rows_after(), None);
    assert_eq!(second.outcome(), StepOutcome::NotRun);
    assert!(second.step().is_custom());
    assert_eq!(second.actions(), step_2_actions(), "{report}");
    assert_eq!(hook_runs.load(Ordering::SeqCst), 0, "step 2 never ran");

    assert_eq!(
        report.to_string(),
        report_text(
            &store,
            &[
                "dry run of `{path}`: 1.0.0 -[inferred]-> 2.0.0 -[custom]-> 3.0.0",
                "rows at 1.0.0: Reminder 4, Scratch 1",
                "",
                "step 1 of 2: 1.0.0 -> 2.0.0, inferred: failed",
                r#"  CREATE UNIQUE INDEX "_staged_unique_8_Reminder_title" ON "Reminder" ("title");"#,
                "  rows before: Reminder 4, Scratch 1",
                "  problem: `Reminder.title` becomes unique but 2 records have the value 'same' (e.g. record 2)",
                "",
                "step 2 of 2: 2.0.0 -> 3.0.0, custom: not run (planned actions)",
                r#"  DROP TABLE "Scratch";"#,
                r#"  ALTER TABLE "Reminder" ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 0;"#,
                "  -- run `did_migrate` hook #1",
                "",
                "the migration would fail; the store was not changed",
            ]
        )
    );

    // Opening for real fails on the same value.
    let error = ModelContainer::open(store.path(), plan_1_to_3(hook_runs)).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "cannot migrate `{}` from 1.0.0 to 2.0.0: `Reminder.title` becomes unique but several records \
             have the value 'same' (e.g. record 2); fix the data first (e.g. in a `will_migrate` hook of a \
             custom stage) or relax the schema",
            store.path().display()
        )
    );
}

#[test]
fn a_clean_dry_run_reports_sql_and_row_counts() {
    let store = TempStore::new();
    seed(store.path(), &["a", "b", "c"]);
    let before = store_bytes(&store);
    let hook_runs = Arc::new(AtomicUsize::new(0));

    let report = ModelContainer::builder(plan_1_to_3(hook_runs.clone()))
        .dry_run(store.path())
        .unwrap();

    assert_eq!(store_bytes(&store), before);
    assert!(report.would_succeed(), "{report}");
    assert_eq!(report.problems().count(), 0);
    assert_eq!(
        hook_runs.load(Ordering::SeqCst),
        1,
        "hooks run on the in-memory copy"
    );
    assert_eq!(
        report.rows_after(),
        Some(counts(&[("Reminder", 3)]).as_slice())
    );
    let [first, second] = report.steps() else {
        panic!("two steps: {report}");
    };
    assert_eq!(first.outcome(), StepOutcome::Succeeded);
    assert_eq!(
        first.rows_after(),
        Some(counts(&[("Reminder", 3), ("Scratch", 1)]).as_slice())
    );
    assert_eq!(
        first.sql().collect::<Vec<_>>(),
        [r#"CREATE UNIQUE INDEX "_staged_unique_8_Reminder_title" ON "Reminder" ("title")"#]
    );
    assert_eq!(first.rows_written(), Some(0), "an index rewrites no rows");
    assert_eq!(second.outcome(), StepOutcome::Succeeded);
    assert_eq!(second.actions(), step_2_actions());
    assert_eq!(
        second.rows_before(),
        Some(counts(&[("Reminder", 3), ("Scratch", 1)]).as_slice())
    );
    assert_eq!(
        second.rows_after(),
        Some(counts(&[("Reminder", 3)]).as_slice())
    );
    assert_eq!(
        report.to_string(),
        report_text(
            &store,
            &[
                "dry run of `{path}`: 1.0.0 -[inferred]-> 2.0.0 -[custom]-> 3.0.0",
                "rows at 1.0.0: Reminder 3, Scratch 1",
                "",
                "step 1 of 2: 1.0.0 -> 2.0.0, inferred: ok",
                r#"  CREATE UNIQUE INDEX "_staged_unique_8_Reminder_title" ON "Reminder" ("title");"#,
                "  rows before: Reminder 3, Scratch 1",
                "  rows after: Reminder 3, Scratch 1",
                "  rows written: 0",
                "",
                "step 2 of 2: 2.0.0 -> 3.0.0, custom: ok",
                r#"  DROP TABLE "Scratch";"#,
                r#"  ALTER TABLE "Reminder" ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 0;"#,
                "  -- run `did_migrate` hook #1",
                "  rows before: Reminder 3, Scratch 1",
                "  rows after: Reminder 3",
                "  rows written: 0",
                "",
                "the migration would succeed, writing 0 rows; rows at 3.0.0: Reminder 3",
            ]
        )
    );

    // The real migration matches the report.
    let container = ModelContainer::open(store.path(), plan_1_to_3(hook_runs)).unwrap();
    assert_eq!(container.context().count::<v3::Reminder>().unwrap(), 3);
}

#[test]
fn nulls_under_a_new_required_attribute_are_reported_after_hooks_ran() {
    let store = TempStore::new();
    seed(store.path(), &["a", "b", "c", "d", "e"]);
    let before = store_bytes(&store);
    // The hook fills only the first record's missing notes: records 4 (u3) stays NULL.
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2_required::Schema>()
        .stage(
            MigrationStage::custom::<v1::Schema, v2_required::Schema>().will_migrate(
                |ctx: &mut ModelContext<v1::Schema>| {
                    let mut first = ctx
                        .fetch(
                            FetchDescriptor::new().filter(v1::Reminder::fields().notes.is_null()),
                        )?
                        .into_iter()
                        .next()
                        .expect("a record without notes");
                    first.notes = Some("filled".into());
                    ctx.update(&first)
                },
            ),
        )
        .build()
        .unwrap();

    let report = ModelContainer::builder(plan).dry_run(store.path()).unwrap();

    assert_eq!(store_bytes(&store), before);
    assert!(!report.would_succeed());
    let problems: Vec<&DryRunProblem> = report.problems().collect();
    assert_eq!(
        problems,
        [&DryRunProblem::Null {
            entity: "Reminder".into(),
            attribute: "notes".into(),
            row: 4,
            records: 1,
        }],
        "{report}"
    );
    let step = &report.steps()[0];
    assert_eq!(
        step.actions()[0],
        DryRunAction::Hook("`will_migrate` hook #1".into())
    );
    assert!(report.to_string().contains(
        "problem: `Reminder.notes` becomes required but 1 record has NULL (e.g. record 4)"
    ));
}

#[test]
fn an_up_to_date_store_and_a_missing_store() {
    let store = TempStore::new();
    seed(store.path(), &["a", "b"]);
    let before = store_bytes(&store);
    let plan = plans::single::<v1::Schema>();
    let builder = ModelContainer::builder(plan);
    let report = builder.dry_run(store.path()).unwrap();
    assert_eq!(store_bytes(&store), before);
    assert!(report.would_succeed());
    assert!(report.steps().is_empty());
    assert_eq!(report.migration_path().to_string(), "1.0.0");
    assert_eq!(report.rows_after(), Some(report.rows_before()));
    assert_eq!(
        report.rows_before(),
        counts(&[("Reminder", 2), ("Scratch", 1)])
    );
    assert_eq!(
        report.to_string(),
        report_text(
            &store,
            &[
                "dry run of `{path}`: 1.0.0",
                "rows at 1.0.0: Reminder 2, Scratch 1",
                "",
                "the store is up to date; nothing to migrate",
            ]
        )
    );

    let missing = store.dir().join("missing.sqlite");
    let report = builder.dry_run(&missing).unwrap();
    assert!(report.is_new_store());
    assert!(report.would_succeed());
    assert!(!missing.exists(), "a dry run creates nothing");
    assert_eq!(
        report.to_string(),
        format!(
            "dry run of `{}`: no store yet; opening it would create one at 1.0.0",
            missing.display()
        )
    );
}
