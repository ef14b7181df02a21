//! The planner on real files: skip-version steps, mixed paths and their history.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};

use common::store::TempStore;
use common::{plans, sql};
use staged::prelude::*;
use staged::{DryRunAction, MigrationError, MigrationObserver, MigrationStep};
use staged_runtime::__internals::inference::{Purpose, compose, lower, map_step};

#[versioned_schema(version = "1.0.0")]
mod v1 {
    #[model]
    pub struct Note {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub body: Option<String>,
        pub legacy: i64,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }

    #[model]
    pub struct Scratch {
        pub junk: String,
    }
}

/// Renames `title`, adds `priority`.
#[versioned_schema(version = "2.0.0")]
mod v2 {
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(original_name = "title")]
        pub name: String,
        pub body: Option<String>,
        pub legacy: i64,
        #[attribute(default = 0)]
        pub priority: i64,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }

    #[model]
    pub struct Scratch {
        pub junk: String,
    }
}

/// Renames `name` again, removes `legacy` (`DROP COLUMN`: each row rewritten in
/// place), renames `Tag`, removes `Scratch`.
#[versioned_schema(version = "3.0.0", removed(Scratch))]
mod v3 {
    #[model(removed(legacy))]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(original_name = "name")]
        pub label: String,
        pub body: Option<String>,
        pub priority: i64,
    }

    #[model(original_name = "Tag")]
    pub struct Label {
        pub label: String,
    }
}

/// Renames `label` once more, adds `due`, indexes `Label.label`, adds `Folder`.
#[versioned_schema(version = "4.0.0")]
mod v4 {
    #[model]
    pub struct Note {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(original_name = "label")]
        pub heading: String,
        pub body: Option<String>,
        pub priority: i64,
        pub due: Option<i64>,
    }

    #[model]
    pub struct Label {
        #[attribute(index)]
        pub label: String,
    }

    #[model]
    pub struct Folder {
        pub name: String,
    }
}

/// Renames `body` and makes it required (a rebuild), adds `pinned`.
#[versioned_schema(version = "5.0.0")]
mod v5 {
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        #[attribute(unique)]
        pub uid: String,
        pub heading: String,
        #[attribute(original_name = "body", default = "")]
        pub text: String,
        pub priority: i64,
        pub due: Option<i64>,
        #[attribute(default = false)]
        pub pinned: bool,
    }

    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Label {
        #[attribute(index)]
        pub label: String,
    }

    #[model]
    pub struct Folder {
        pub name: String,
    }
}

const NOTES: i64 = 50;

fn seed(path: &Path) {
    let container = plans::open_single::<v1::Schema>(path);
    let mut ctx = container.context();
    for i in 0..NOTES {
        ctx.insert(v1::Note {
            uid: format!("n{i}"),
            title: format!("title {i}"),
            body: (i % 3 != 0).then(|| format!("body {i}")),
            legacy: i * 10,
        })
        .unwrap();
    }
    for label in ["home", "work"] {
        ctx.insert(v1::Tag {
            label: label.into(),
        })
        .unwrap();
    }
    ctx.insert(v1::Scratch { junk: "x".into() }).unwrap();
}

fn full_plan() -> SchemaMigrationPlan<v5::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .schema::<v4::Schema>()
        .schema::<v5::Schema>()
        .build()
        .unwrap()
}

/// Every row of the entity tables, as text, table by table.
fn entity_rows(store: &TempStore) -> Vec<String> {
    let conn = store.conn();
    let mut out = Vec::new();
    for table in ["Folder", "Label", "Note"] {
        let mut statement = conn
            .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY _id"))
            .unwrap();
        let columns: Vec<String> = statement.column_names().map(str::to_owned).collect();
        let rows = statement
            .query_map([], |row| {
                let values: Vec<String> = (0..columns.len())
                    .map(|i| format!("{}={:?}", columns[i], row.get_ref(i).unwrap()))
                    .collect();
                Ok(format!("{table}: {}", values.join(", ")))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

fn assert_v5_data(path: &Path) {
    let container = ModelContainer::open(path, full_plan()).unwrap();
    let mut ctx = container.context();
    let notes = ctx.fetch_all::<v5::Note>().unwrap();
    assert_eq!(notes.len() as i64, NOTES);
    for (i, note) in (0..).zip(&notes) {
        assert_eq!(note.id().raw(), i + 1, "ids are preserved");
        let expected = v5::Note {
            uid: format!("n{i}"),
            heading: format!("title {i}"),
            text: if i % 3 != 0 {
                format!("body {i}")
            } else {
                String::new()
            },
            priority: 0,
            due: None,
            pinned: false,
        };
        assert_eq!(**note, expected);
    }
    let labels: Vec<String> = ctx
        .fetch_all::<v5::Label>()
        .unwrap()
        .into_iter()
        .map(|l| l.label.clone())
        .collect();
    assert_eq!(labels, ["home", "work"]);
}

#[test]
fn four_versions_behind_with_lightweight_changes_is_one_step() {
    let store = TempStore::new();
    seed(store.path());
    let plan = full_plan();
    assert_eq!(
        plan.migration_path(Version::new(1, 0, 0))
            .unwrap()
            .to_string(),
        "1.0.0 -[inferred]-> 5.0.0"
    );

    // The composed diff follows the chained renames and rebuilds `Note` once.
    let descriptors = [
        v1::Schema::descriptor(),
        v2::Schema::descriptor(),
        v3::Schema::descriptor(),
        v4::Schema::descriptor(),
        v5::Schema::descriptor(),
    ];
    let mapping = descriptors
        .windows(2)
        .map(|pair| map_step(pair[0], pair[1]).unwrap())
        .reduce(|acc, step| compose(&acc, &step))
        .unwrap();
    let statements = lower(descriptors[0], descriptors[4], &mapping);
    let rebuilt: Vec<&str> = statements
        .iter()
        .filter_map(|s| match &s.purpose {
            Purpose::CopyRows { entity, .. } => Some(entity.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(rebuilt, ["Note"], "only `Note` is rewritten, once");
    let copy = statements
        .iter()
        .find(|s| matches!(s.purpose, Purpose::CopyRows { .. }))
        .unwrap();
    // Renamed columns are read under their 1.0.0 names, NULL bodies become
    // the new default, added columns get theirs.
    assert_eq!(
        copy.sql,
        r#"INSERT INTO "_staged_new_0" ("_id", "uid", "heading", "text", "priority", "due", "pinned") SELECT "_id", "uid", "title", coalesce("body", ''), 0, NULL, 0 FROM "Note""#
    );

    drop(ModelContainer::open(store.path(), plan).unwrap());
    assert_eq!(
        sql::history(&store.conn()),
        [("1.0.0".into(), "5.0.0".into(), "inferred".into(), NOTES)],
        "one physical step, rewriting each note once"
    );
    assert_v5_data(store.path());
    assert_eq!(
        sql::tables(&store.conn()),
        [
            "Folder",
            "Label",
            "Note",
            "_staged_history",
            "_staged_metadata",
            "sqlite_sequence"
        ]
    );
}

#[test]
fn step_by_step_ends_with_the_same_data_but_rewrites_more() {
    let (one, steps) = (TempStore::new(), TempStore::new());
    seed(one.path());
    seed(steps.path());
    drop(ModelContainer::open(one.path(), full_plan()).unwrap());

    let plan = plans::two::<v1::Schema, v2::Schema>();
    drop(ModelContainer::open(steps.path(), plan).unwrap());
    let plan = plans::three::<v1::Schema, v2::Schema, v3::Schema>();
    drop(ModelContainer::open(steps.path(), plan).unwrap());
    let builder = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .schema::<v4::Schema>();
    drop(ModelContainer::open(steps.path(), builder.build().unwrap()).unwrap());
    drop(ModelContainer::open(steps.path(), full_plan()).unwrap());

    let step_history = sql::history(&steps.conn());
    let versions: Vec<(&str, &str)> = step_history
        .iter()
        .map(|(a, b, ..)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(
        versions,
        [
            ("1.0.0", "2.0.0"),
            ("2.0.0", "3.0.0"),
            ("3.0.0", "4.0.0"),
            ("4.0.0", "5.0.0")
        ]
    );
    // Step by step, every note is rewritten twice: in place when 3.0.0 drops
    // `legacy`, and copied when 5.0.0 rebuilds `Note` (the history counts
    // copied rows only). In one step, the rebuild alone does both.
    let (v2, v3) = (v2::Schema::descriptor(), v3::Schema::descriptor());
    let to_3 = lower(v2, v3, &map_step(v2, v3).unwrap());
    assert!(
        to_3.iter()
            .any(|s| s.sql == r#"ALTER TABLE "Note" DROP COLUMN "legacy""#),
        "{to_3:?}"
    );
    let copied: Vec<i64> = step_history.iter().map(|h| h.3).collect();
    assert_eq!(copied, [0, 0, 0, NOTES], "`Note` is rebuilt by 5.0.0 only");
    assert_eq!(
        sql::history(&one.conn()),
        [("1.0.0".into(), "5.0.0".into(), "inferred".into(), NOTES)],
        "and once in one step"
    );
    assert_eq!(entity_rows(&one), entity_rows(&steps));
    assert_v5_data(steps.path());
}

/// Records the steps the observer sees.
#[derive(Default, Clone)]
struct Steps(Arc<Mutex<Vec<MigrationStep>>>);

impl MigrationObserver for Steps {
    fn will_run_stage(&self, _index: usize, _total: usize, step: &MigrationStep) {
        self.0.lock().unwrap().push(*step);
    }
}

fn mixed_plan() -> SchemaMigrationPlan<v5::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .schema::<v4::Schema>()
        .schema::<v5::Schema>()
        .stage(
            MigrationStage::custom::<v2::Schema, v3::Schema>().transform(
                |old: v2::Note| -> staged::Result<v3::Note> {
                    Ok(v3::Note {
                        uid: old.uid,
                        label: old.name,
                        body: old.body,
                        priority: old.legacy,
                    })
                },
            ),
        )
        .build()
        .unwrap()
}

#[test]
fn a_mixed_path_runs_lightweight_custom_lightweight() {
    let store = TempStore::new();
    seed(store.path());
    let plan = mixed_plan();
    let expected = plan.migration_path(Version::new(1, 0, 0)).unwrap();
    assert_eq!(
        expected.to_string(),
        "1.0.0 -[inferred]-> 2.0.0 -[custom]-> 3.0.0 -[inferred]-> 5.0.0"
    );
    assert_eq!(
        plan.migration_path(Version::new(2, 0, 0))
            .unwrap()
            .to_string(),
        "2.0.0 -[custom]-> 3.0.0 -[inferred]-> 5.0.0"
    );
    assert_eq!(
        plan.migration_path(Version::new(4, 0, 0))
            .unwrap()
            .to_string(),
        "4.0.0 -[inferred]-> 5.0.0"
    );
    assert_eq!(
        plan.migration_path(Version::new(5, 0, 0))
            .unwrap()
            .to_string(),
        "5.0.0"
    );

    // The dry run takes the same path and shows the transform.
    let report = ModelContainer::builder(mixed_plan())
        .dry_run(store.path())
        .unwrap();
    assert!(report.would_succeed(), "{report}");
    assert_eq!(report.migration_path(), &expected);
    let custom = &report.steps()[1];
    assert!(custom.step().is_custom());
    let not_sql: Vec<&DryRunAction> = custom
        .actions()
        .iter()
        .filter(|action| !matches!(action, DryRunAction::Sql(_)))
        .collect();
    assert_eq!(
        not_sql,
        [&DryRunAction::Transform {
            entity: "Note".into(),
            rows: Some(NOTES as u64),
        }],
        "{report}"
    );
    assert!(
        custom
            .sql()
            .any(|sql| sql == r#"ALTER TABLE "Note" RENAME TO "_staged_old_0""#),
        "{report}"
    );

    let observer = Steps::default();
    let container = ModelContainer::builder(plan)
        .observer(observer.clone())
        .open(store.path())
        .unwrap();
    assert_eq!(*observer.0.lock().unwrap(), expected.steps());
    let rows: Vec<(String, String, String)> = sql::history(&store.conn())
        .into_iter()
        .map(|(a, b, kind, _)| (a, b, kind))
        .collect();
    let planned: Vec<(String, String, String)> = expected
        .steps()
        .iter()
        .map(|s| {
            let kind = if s.is_custom() { "custom" } else { "inferred" };
            (s.from().to_string(), s.to().to_string(), kind.to_owned())
        })
        .collect();
    assert_eq!(rows, planned);
    let touched: i64 = sql::history(&store.conn()).iter().map(|h| h.3).sum();
    assert_eq!(
        touched as u64,
        report.rows_written(),
        "the dry run counted the same rows"
    );

    let mut ctx = container.context();
    let notes = ctx.fetch_all::<v5::Note>().unwrap();
    assert_eq!(notes.len() as i64, NOTES);
    for (i, note) in (0..).zip(&notes) {
        assert_eq!(
            note.heading,
            format!("title {i}"),
            "renames chain around the custom step"
        );
        assert_eq!(note.priority, i * 10, "the transform ran");
    }
}

#[test]
fn a_version_outside_the_plan_has_no_path() {
    let plan = full_plan();
    for version in [Version::new(9, 9, 9), Version::new(1, 5, 0)] {
        let error = plan.migration_path(version).unwrap_err();
        let Some(MigrationError::NoPath { from, to, .. }) = error.as_migration() else {
            panic!("unexpected error: {error}");
        };
        assert_eq!((*from, *to), (version, Version::new(5, 0, 0)));
        let message = error.to_string();
        assert!(
            message.contains(&version.to_string()) && message.contains("5.0.0"),
            "{message}"
        );
        assert_eq!(
            message,
            format!(
                "no migration from {version} to 5.0.0: version {version} is not a schema of the plan; \
                 add the missing schema or stage to the plan"
            )
        );
    }
}
