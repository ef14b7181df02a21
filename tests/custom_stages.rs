//! Custom stages: hooks, transforms that see both shapes, failure and observers.

use std::sync::{Arc, Mutex};

mod common;

use common::schemas::reminders::{self, Style, v1};
use common::store::TempStore;
use common::{plans, sql};
use staged::prelude::*;
use staged::{
    MigrationError, MigrationObserver, MigrationPath, MigrationStage, MigrationStep, PlanError,
};

mod v2 {
    use staged::prelude::*;

    #[versioned_schema(version = "2.0.0")]
    pub mod schema {
        #[model]
        #[derive(Debug, Clone, PartialEq)]
        pub struct Reminder {
            #[attribute(unique)]
            pub uid: String,
            pub title: String,
            pub recurrence_rule: Option<String>,
            pub start: i64,
            pub due: Option<i64>,
        }

        #[model]
        #[derive(Debug, Clone, PartialEq)]
        pub struct List {
            pub name: String,
            pub color: String,
        }
    }
    pub use schema::*;
}

mod v3 {
    use staged::prelude::*;

    #[versioned_schema(version = "3.0.0")]
    pub mod schema {
        #[model]
        #[derive(Debug, Clone, PartialEq)]
        pub struct Reminder {
            #[attribute(unique)]
            pub uid: String,
            pub title: String,
            pub recurrence_rule: Option<String>,
            pub start: i64,
            pub due: Option<i64>,
            #[attribute(default = false)]
            pub done: bool,
        }

        #[model]
        #[derive(Debug, Clone, PartialEq)]
        pub struct List {
            pub name: String,
            pub color: String,
        }
    }
    pub use schema::*;
}

fn split_style(old: v1::Reminder) -> staged::Result<v2::Reminder> {
    let (recurrence_rule, start, due) = match old.style {
        Style::Manual { start, duration } => (None, start, Some(start + duration)),
        Style::Repeating { rule, start } => (Some(rule), start, None),
    };
    Ok(v2::Reminder {
        uid: old.uid,
        title: old.title,
        recurrence_rule,
        start,
        due,
    })
}

fn fill_colors(ctx: &mut ModelContext<v1::Schema>) -> staged::Result<()> {
    let uncolored = ctx.fetch(FetchDescriptor::new().filter(v1::List::fields().color.is_null()))?;
    for mut list in uncolored {
        list.color = Some("gray".into());
        ctx.update(&list)?;
    }
    Ok(())
}

fn reminders_stage() -> MigrationStage {
    MigrationStage::custom::<v1::Schema, v2::Schema>()
        .will_migrate(fill_colors)
        .transform(split_style)
        .into()
}

fn seed(path: &std::path::Path) {
    let container = plans::open_single::<v1::Schema>(path);
    let mut ctx = container.context();
    ctx.insert(reminders::manual("a", "standup", 100, 15))
        .unwrap();
    let gone = ctx.insert(reminders::manual("gone", "x", 0, 0)).unwrap();
    ctx.insert(reminders::repeating("b", "gym", "FREQ=WEEKLY", 200))
        .unwrap();
    ctx.delete::<v1::Reminder>(gone).unwrap();
    ctx.insert(reminders::manual("c", "taxes", 300, 60))
        .unwrap();
    ctx.insert(reminders::list("home", None)).unwrap();
    ctx.insert(reminders::list("work", Some("blue"))).unwrap();
}

#[test]
fn a_json_style_becomes_three_attributes_in_one_stage_keeping_ids() {
    let store = TempStore::named("reminders.sqlite");
    seed(store.path());
    let plan = plans::two_with_stage::<v1::Schema, v2::Schema>(reminders_stage());
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    let reminders: Vec<(i64, v2::Reminder)> = ctx
        .fetch_all::<v2::Reminder>()
        .unwrap()
        .into_iter()
        .map(|r| (r.id().raw(), r.into_inner()))
        .collect();
    assert_eq!(
        reminders,
        [
            (
                1,
                v2::Reminder {
                    uid: "a".into(),
                    title: "standup".into(),
                    recurrence_rule: None,
                    start: 100,
                    due: Some(115)
                }
            ),
            (
                3,
                v2::Reminder {
                    uid: "b".into(),
                    title: "gym".into(),
                    recurrence_rule: Some("FREQ=WEEKLY".into()),
                    start: 200,
                    due: None
                }
            ),
            (
                4,
                v2::Reminder {
                    uid: "c".into(),
                    title: "taxes".into(),
                    recurrence_rule: None,
                    start: 300,
                    due: Some(360)
                }
            ),
        ]
    );
    let lists: Vec<(String, String)> = ctx
        .fetch_all::<v2::List>()
        .unwrap()
        .into_iter()
        .map(|l| (l.name.clone(), l.color.clone()))
        .collect();
    assert_eq!(
        lists,
        [
            ("home".into(), "gray".into()),
            ("work".into(), "blue".into())
        ]
    );
    // The unique index of the transformed entity is rebuilt.
    let error = ctx
        .insert(v2::Reminder {
            uid: "a".into(),
            title: "dup".into(),
            recurrence_rule: None,
            start: 0,
            due: None,
        })
        .unwrap_err();
    assert!(
        matches!(error, staged::Error::UniqueViolation { ref entity, ref attribute } if entity == "Reminder" && attribute == "uid"),
        "{error}"
    );
    drop(ctx);
    drop(container);
    assert_eq!(
        sql::tables(&store.conn()),
        [
            "List",
            "Reminder",
            "_staged_history",
            "_staged_metadata",
            "sqlite_sequence"
        ],
        "no leftover tables"
    );
}

#[test]
fn without_the_will_migrate_hook_nulls_under_a_required_attribute_fail_naming_the_row() {
    let store = TempStore::named("reminders.sqlite");
    seed(store.path());
    let before = store.bytes();
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .stage(
            MigrationStage::custom::<v1::Schema, v2::Schema>()
                .transform(split_style)
                .did_migrate(|_| Ok(())),
        )
        .build();
    // Without a hook that could fill the NULLs, the plan is rejected.
    let error = plan.unwrap_err();
    assert!(
        matches!(error.as_plan(), Some(PlanError::NotInferable { entity, .. }) if entity == "List"),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "cannot infer the migration from 1.0.0 to 2.0.0: make `List.color` required (it has no default \
         for existing NULLs) (needs-default); add a default to `List.color`, give this custom stage a \
         `transform` for `List` that sets it, or add a `will_migrate` hook that fills the missing values"
    );
    // With a hook that does not fill them, the migration fails at the row.
    let plan = plans::two_with_stage::<v1::Schema, v2::Schema>(
        MigrationStage::custom::<v1::Schema, v2::Schema>()
            .will_migrate(|_| Ok(()))
            .transform(split_style),
    );
    let error = ModelContainer::open(store.path(), plan).unwrap_err();
    let Some(MigrationError::ConstraintViolation {
        entity,
        attribute,
        row,
        ..
    }) = error.as_migration()
    else {
        panic!("unexpected error: {error}");
    };
    assert_eq!(
        (entity.as_str(), attribute.as_str(), *row),
        ("List", "color", Some(1))
    );
    assert_eq!(store.bytes(), before);
}

#[test]
fn errors_and_panics_in_any_hook_roll_everything_back() {
    type Hooked = fn(
        staged::CustomStage<v1::Schema, v2::Schema>,
    ) -> staged::CustomStage<v1::Schema, v2::Schema>;
    // The hook that fails, what it says, and how it is added.
    let cases: [(&str, &str, Hooked); 5] = [
        ("`will_migrate` hook #2", "no network", |s| {
            s.will_migrate(|_| Err(staged::Error::hook("no network")))
        }),
        ("`did_migrate` hook #1", "no network", |s| {
            s.did_migrate(|_| Err(staged::Error::hook("no network")))
        }),
        ("`migrate` hook #1", "panicked: no network", |s| {
            s.migrate(|_, _| panic!("no network"))
        }),
        ("`did_migrate` hook #1", "panicked: no network", |s| {
            s.did_migrate(|_| panic!("no network"))
        }),
        ("`will_migrate` hook #2", "no network", |s| {
            s.will_migrate(|ctx| {
                // Writes made before the failure are rolled back too.
                ctx.insert(v1::List {
                    name: "written by a hook".into(),
                    color: None,
                })?;
                Err(staged::Error::hook("no network"))
            })
        }),
    ];
    for (hook, cause, add) in cases {
        let store = TempStore::named("reminders.sqlite");
        seed(store.path());
        let before = sql::dump(&store.conn());
        let bytes = store.bytes();
        let stage = add(MigrationStage::custom::<v1::Schema, v2::Schema>()
            .will_migrate(fill_colors)
            .transform(split_style));
        let plan = plans::two_with_stage::<v1::Schema, v2::Schema>(stage);
        let error = ModelContainer::open(store.path(), plan).unwrap_err();
        let Some(MigrationError::HookFailed {
            hook: failed,
            from,
            to,
            ..
        }) = error.as_migration()
        else {
            panic!("unexpected error: {error}");
        };
        assert_eq!(
            (failed.as_str(), *from, *to),
            (hook, Version::new(1, 0, 0), Version::new(2, 0, 0))
        );
        assert_eq!(
            error.to_string(),
            format!(
                "cannot migrate `{}`: {hook} of stage 1.0.0 -> 2.0.0 failed: {cause}",
                store.path().display()
            )
        );
        assert_eq!(
            sql::dump(&store.conn()),
            before,
            "{hook}: contents unchanged"
        );
        assert_eq!(store.bytes(), bytes, "{hook}: bytes unchanged");
        // The store still opens at its old version.
        assert_eq!(
            plans::open_single::<v1::Schema>(store.path()).store_version(),
            Version::new(1, 0, 0)
        );
    }
}

#[test]
fn a_failing_transform_names_the_entity() {
    let store = TempStore::named("reminders.sqlite");
    seed(store.path());
    let bytes = store.bytes();
    let plan = plans::two_with_stage::<v1::Schema, v2::Schema>(
        MigrationStage::custom::<v1::Schema, v2::Schema>()
            .will_migrate(fill_colors)
            .transform(|old: v1::Reminder| -> staged::Result<v2::Reminder> {
                if old.uid == "c" {
                    return Err(staged::Error::hook(format!("cannot convert {}", old.uid)));
                }
                split_style(old)
            }),
    );
    let error = ModelContainer::open(store.path(), plan).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "cannot migrate `{}`: transform of `Reminder` of stage 1.0.0 -> 2.0.0 failed: cannot convert c",
            store.path().display()
        )
    );
    assert_eq!(store.bytes(), bytes);
}

#[test]
fn transform_or_drop_drops_rows_and_migrate_sees_both_shapes() {
    let store = TempStore::named("reminders.sqlite");
    seed(store.path());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen_in_hook = Arc::clone(&seen);
    let stage = MigrationStage::custom::<v1::Schema, v2::Schema>()
        .will_migrate(fill_colors)
        .transform_or_drop(|old: v1::Reminder| match old.style {
            Style::Repeating { .. } => Ok(None),
            _ => split_style(old).map(Some),
        })
        .migrate(move |old, new| {
            // Old rows of the transformed entity and new rows side by side.
            let old_titles: Vec<String> = old
                .fetch_all::<v1::Reminder>()?
                .into_iter()
                .map(|r| r.title.clone())
                .collect();
            let new_count = new.count::<v2::Reminder>()?;
            seen_in_hook.lock().unwrap().push((old_titles, new_count));
            Ok(())
        });
    let plan = plans::two_with_stage::<v1::Schema, v2::Schema>(stage);
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let uids: Vec<String> = container
        .context()
        .fetch_all::<v2::Reminder>()
        .unwrap()
        .into_iter()
        .map(|r| r.uid.clone())
        .collect();
    assert_eq!(uids, ["a", "c"]);
    assert_eq!(
        *seen.lock().unwrap(),
        [(
            vec!["standup".to_owned(), "gym".to_owned(), "taxes".to_owned()],
            2
        )]
    );
}

#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl MigrationObserver for Recorder {
    fn will_migrate_store(&self, path: &MigrationPath) {
        self.0.lock().unwrap().push(format!(
            "will migrate {path} ({} steps)",
            path.steps().len()
        ));
    }

    fn will_run_stage(&self, index: usize, total: usize, step: &MigrationStep) {
        let kind = if step.is_custom() {
            "custom"
        } else {
            "inferred"
        };
        self.0.lock().unwrap().push(format!(
            "stage {}/{total} {} -> {} {kind}",
            index + 1,
            step.from(),
            step.to()
        ));
    }

    fn stage_progress(&self, step: &MigrationStep, entity: &str, done: u64, total: u64) {
        self.0
            .lock()
            .unwrap()
            .push(format!("progress {} {entity} {done}/{total}", step.to()));
    }

    fn did_migrate_store(&self, path: &MigrationPath) {
        self.0
            .lock()
            .unwrap()
            .push(format!("did migrate to {}", path.end()));
    }

    fn migration_failed(&self, _: &MigrationPath, error: &staged::Error) {
        self.0.lock().unwrap().push(format!("failed: {error}"));
    }
}

#[test]
fn the_observer_sees_every_event_of_a_two_step_migration_in_order() {
    let store = TempStore::named("reminders.sqlite");
    seed(store.path());
    let recorder = Arc::new(Recorder::default());
    let plan = plans::three_with_stage::<v1::Schema, v2::Schema, v3::Schema>(reminders_stage());
    let container = ModelContainer::builder(plan)
        .observer(Arc::clone(&recorder))
        .open(store.path())
        .unwrap();
    assert_eq!(container.store_version(), Version::new(3, 0, 0));
    assert_eq!(
        *recorder.0.lock().unwrap(),
        [
            "will migrate 1.0.0 -[custom]-> 2.0.0 -[inferred]-> 3.0.0 (2 steps)",
            "stage 1/2 1.0.0 -> 2.0.0 custom",
            "progress 2.0.0 Reminder 3/3",
            "stage 2/2 2.0.0 -> 3.0.0 inferred",
            "did migrate to 3.0.0",
        ]
    );
    let done: Vec<bool> = container
        .context()
        .fetch_all::<v3::Reminder>()
        .unwrap()
        .iter()
        .map(|r| r.done)
        .collect();
    assert_eq!(done, [false, false, false]);
}

#[test]
fn plan_validation_names_the_versions() {
    let error = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .stage(reminders_stage())
        .stage(reminders_stage())
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "two stages migrate from 1.0.0 to 2.0.0; keep one (put all its hooks in it)"
    );

    let error = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v3::Schema>()
        .stage(reminders_stage())
        .build()
        .unwrap_err();
    // The first of every problem of the plan (the gap 1.0.0 -> 3.0.0 has its own).
    assert_eq!(
        error.as_plan().unwrap().problems()[0].to_string(),
        "the stage 1.0.0 -> 2.0.0 names schema 2.0.0, which is not in the plan; add it with `.schema::<…>()`"
    );

    let error = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .stage(
            MigrationStage::custom::<v1::Schema, v2::Schema>()
                .transform(split_style)
                .transform(split_style),
        )
        .build()
        .unwrap_err();
    assert_eq!(
        error.as_plan().unwrap().problems()[0].to_string(),
        "the custom stage 1.0.0 -> 2.0.0 has two transforms for entity `Reminder`; merge them into one"
    );

    // A gap with a non-inferable change and no custom stage names the change.
    let error = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build()
        .unwrap_err();
    let problems: Vec<String> = error
        .as_plan()
        .unwrap()
        .problems()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        problems.contains(
            &"cannot infer the migration from 1.0.0 to 2.0.0: add required attribute `Reminder.start` \
              (existing rows get NULL) (needs-default); add `#[attribute(default = …)]` to `Reminder.start`, \
              or use a custom stage that fills the values"
                .to_owned()
        ),
        "{error}"
    );
}
