//! `staged::testing`: a four-version plan tested from every version with
//! seeds and checks, single-store tests, and the failures the helper reports.

mod common;

use common::plans;
use common::store::TempStore;
use serde::{Deserialize, Serialize};
use staged::MigrationError;
use staged::prelude::*;
use staged::testing::{MigrationTest, TestError};

/// How a reminder was scheduled in 1.0.0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Style {
    /// A start and a duration in minutes.
    Manual { start: i64, minutes: i64 },
    /// A recurrence rule and a start.
    Repeating { rule: String, start: i64 },
}

#[versioned_schema(version = "1.0.0")]
mod v1 {
    use super::Style;

    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub notes: Option<String>,
        #[attribute(json)]
        pub style: Style,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2 {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub notes: Option<String>,
        pub recurrence_rule: Option<String>,
        pub start: i64,
        pub due: Option<i64>,
    }
}

#[versioned_schema(version = "3.0.0")]
mod v3 {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(original_name = "title")]
        pub name: String,
        pub notes: Option<String>,
        pub recurrence_rule: Option<String>,
        pub start: i64,
        pub due: Option<i64>,
        #[attribute(default = 0)]
        pub priority: i64,
    }
}

#[versioned_schema(version = "4.0.0")]
mod v4 {
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub name: String,
        #[attribute(default = "")]
        pub notes: String,
        pub recurrence_rule: Option<String>,
        pub start: i64,
        pub due: Option<i64>,
        pub priority: i64,
    }

    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Tag {
        #[attribute(unique)]
        pub name: String,
    }
}

/// 1.0.0 -[custom]-> 2.0.0, then 2.0.0 -> 3.0.0 -> 4.0.0 inferred.
fn plan() -> staged::Result<SchemaMigrationPlan<v4::Schema>> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .schema::<v4::Schema>()
        .stage(
            MigrationStage::custom::<v1::Schema, v2::Schema>().transform(
                |old: v1::Reminder| -> staged::Result<v2::Reminder> {
                    let (recurrence_rule, start, due) = match old.style {
                        Style::Manual { start, minutes } => (None, start, Some(start + minutes)),
                        Style::Repeating { rule, start } => (Some(rule), start, None),
                    };
                    Ok(v2::Reminder {
                        uid: old.uid,
                        title: old.title,
                        notes: old.notes,
                        recurrence_rule,
                        start,
                        due,
                    })
                },
            ),
        )
        .build()
}

/// The plan up to 3.0.0 only.
fn plan_to_v3() -> staged::Result<SchemaMigrationPlan<v3::Schema>> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .stage(
            MigrationStage::custom::<v1::Schema, v2::Schema>().transform(
                |old: v1::Reminder| -> staged::Result<v2::Reminder> {
                    Ok(v2::Reminder {
                        uid: old.uid,
                        title: old.title,
                        notes: old.notes,
                        recurrence_rule: None,
                        start: 0,
                        due: None,
                    })
                },
            ),
        )
        .build()
}

fn v1_standup() -> v1::Reminder {
    v1::Reminder {
        uid: "r1".into(),
        title: "Standup".into(),
        notes: None,
        style: Style::Manual {
            start: 540,
            minutes: 15,
        },
    }
}

/// The test a user writes for their own plan: every version, seeded, to the latest.
#[test]
fn every_version_of_a_four_version_plan_migrates_to_the_latest() {
    let report = MigrationTest::new(plan().unwrap())
        .seed(|ctx: &mut ModelContext<v1::Schema>| ctx.insert(v1_standup()).map(drop))
        .seed(|ctx: &mut ModelContext<v2::Schema>| {
            ctx.insert(v2::Reminder {
                uid: "r1".into(),
                title: "Standup".into(),
                notes: None,
                recurrence_rule: None,
                start: 540,
                due: Some(555),
            })
            .map(drop)
        })
        .seed(|ctx: &mut ModelContext<v3::Schema>| {
            ctx.insert(v3::Reminder {
                uid: "r1".into(),
                name: "Standup".into(),
                notes: None,
                recurrence_rule: None,
                start: 540,
                due: Some(555),
                priority: 0,
            })
            .map(drop)
        })
        .seed(|ctx: &mut ModelContext<v4::Schema>| {
            ctx.insert(v4::Reminder {
                uid: "r1".into(),
                name: "Standup".into(),
                notes: String::new(),
                recurrence_rule: None,
                start: 540,
                due: Some(555),
                priority: 0,
            })
            .map(drop)
        })
        .check(|from, ctx: &mut ModelContext<v4::Schema>| {
            let all = ctx.fetch_all::<v4::Reminder>()?;
            assert_eq!(all.len(), 1, "one reminder after migrating from {from}");
            assert_eq!(
                (all[0].name.as_str(), all[0].notes.as_str(), all[0].due),
                ("Standup", "", Some(555))
            );
            Ok(())
        })
        .run()
        .unwrap();

    let paths: Vec<String> = report.runs().iter().map(|r| r.path().to_string()).collect();
    assert_eq!(
        paths,
        [
            "1.0.0 -[custom]-> 2.0.0 -[inferred]-> 4.0.0",
            "2.0.0 -[inferred]-> 4.0.0",
            "3.0.0 -[inferred]-> 4.0.0",
            "4.0.0",
        ]
    );
    for run in report.runs() {
        assert_eq!(run.seeds(), 1);
        assert_eq!(run.rows()["Reminder"], 1);
        assert_eq!(run.rows()["Tag"], 0);
    }
    assert_eq!(
        report.runs()[0].to_string(),
        "1.0.0 -[custom]-> 2.0.0 -[inferred]-> 4.0.0 (1 seeds): Reminder=1 Tag=0"
    );
}

#[test]
fn versions_without_seeds_are_migrated_empty_and_checked() {
    let mut froms = Vec::new();
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let log = seen.clone();
    let report = MigrationTest::new(plan().unwrap())
        .check(move |from, ctx: &mut ModelContext<v4::Schema>| {
            log.borrow_mut().push((from, ctx.count::<v4::Reminder>()?));
            Ok(())
        })
        .run()
        .unwrap();
    for run in report.runs() {
        assert_eq!(run.seeds(), 0);
        froms.push(run.from());
    }
    let versions: Vec<Version> = (1..=4).map(|major| Version::new(major, 0, 0)).collect();
    assert_eq!(froms, versions);
    assert_eq!(
        *seen.borrow(),
        versions.iter().map(|v| (*v, 0)).collect::<Vec<_>>()
    );
}

#[test]
fn one_store_at_one_version_is_seeded_migrated_and_validated() {
    let test = MigrationTest::new(plan().unwrap());
    let store = test.store::<v1::Schema>().unwrap();
    let mut ctx = store.context();
    let id = ctx.insert(v1_standup()).unwrap();
    ctx.insert(v1::Reminder {
        uid: "r2".into(),
        title: "Gym".into(),
        notes: Some("bring shoes".into()),
        style: Style::Repeating {
            rule: "FREQ=WEEKLY".into(),
            start: 1000,
        },
    })
    .unwrap();
    let path = store.path().to_owned();
    assert!(path.exists());

    let migrated = store.migrate().unwrap();
    assert_eq!(migrated.from(), Version::new(1, 0, 0));
    assert_eq!(
        migrated.migration_path().to_string(),
        "1.0.0 -[custom]-> 2.0.0 -[inferred]-> 4.0.0"
    );
    let mut ctx = migrated.context();
    let standup = ctx.get::<v4::Reminder>(id).unwrap().expect("same id");
    assert_eq!((standup.name.as_str(), standup.due), ("Standup", Some(555)));
    let gym = ctx
        .fetch(FetchDescriptor::new().filter(v4::Reminder::fields().uid.eq("r2".to_owned())))
        .unwrap();
    assert_eq!(gym[0].notes, "bring shoes");
    assert_eq!(gym[0].recurrence_rule.as_deref(), Some("FREQ=WEEKLY"));
    assert_eq!(
        migrated
            .row_counts()
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        [("Reminder".to_owned(), 2), ("Tag".to_owned(), 0)]
    );
    // The file on disk is at 4.0.0: a real container opens it without migrating.
    let copy = TempStore::named("copy.sqlite");
    std::fs::copy(migrated.path(), copy.path()).unwrap();
    let container = ModelContainer::open(copy.path(), plan().unwrap()).unwrap();
    assert_eq!(container.store_version(), Version::new(4, 0, 0));
    drop(migrated);
    assert!(!path.exists(), "the temporary directory is removed on drop");
}

#[test]
fn a_store_migrates_to_the_latest_version_of_another_plan() {
    let test = MigrationTest::new(plan().unwrap());
    let store = test.store::<v1::Schema>().unwrap();
    store.context().insert(v1_standup()).unwrap();
    let migrated = store.migrate_with(&plan_to_v3().unwrap()).unwrap();
    assert_eq!(
        migrated.migration_path().to_string(),
        "1.0.0 -[custom]-> 2.0.0 -[inferred]-> 3.0.0"
    );
    let all = migrated.context().fetch_all::<v3::Reminder>().unwrap();
    assert_eq!((all[0].name.as_str(), all[0].priority), ("Standup", 0));
}

#[test]
fn a_seed_for_a_schema_outside_the_plan_is_refused_before_anything_runs() {
    let error = MigrationTest::new(plan_to_v3().unwrap())
        .seed(|_: &mut ModelContext<v4::Schema>| Ok(()))
        .run()
        .unwrap_err();
    assert!(matches!(error, TestError::NotInPlan { version } if version == Version::new(4, 0, 0)));
    assert_eq!(
        error.to_string(),
        "schema 4.0.0 is not in the plan under test (or has another checksum than the plan's 4.0.0); add \
         it with `.schema::<…>()`, or seed only versions of the plan"
    );
    let error = MigrationTest::new(plan_to_v3().unwrap())
        .store::<v4::Schema>()
        .unwrap_err();
    assert!(matches!(error, TestError::NotInPlan { version } if version == Version::new(4, 0, 0)));
    assert_eq!(
        error.to_string(),
        "schema 4.0.0 is not in the plan under test (or has another checksum than the plan's 4.0.0); add \
         it with `.schema::<…>()`, or seed only versions of the plan"
    );
}

#[test]
fn a_failing_migration_names_the_version_the_store_started_at() {
    // Two reminders whose `uid`s differ: fine. A transform that fails on one of them.
    let failing = plans::two_with_stage::<v1::Schema, v2::Schema>(
        MigrationStage::custom::<v1::Schema, v2::Schema>().transform(
            |old: v1::Reminder| -> staged::Result<v2::Reminder> {
                Err(staged::Error::hook(format!("cannot convert `{}`", old.uid)))
            },
        ),
    );
    let error = MigrationTest::new(failing)
        .seed(|ctx: &mut ModelContext<v1::Schema>| ctx.insert(v1_standup()).map(drop))
        .run()
        .unwrap_err();
    let TestError::Migrate { from, to, source } = &error else {
        panic!("expected a migration failure, got {error:?}");
    };
    assert_eq!((*from, *to), (Version::new(1, 0, 0), Version::new(2, 0, 0)));
    let Some(MigrationError::HookFailed { path, hook, .. }) = source.as_migration() else {
        panic!("expected MigrationError::HookFailed, got {source:?}");
    };
    assert_eq!(hook, "transform of `Reminder`");
    assert_eq!(
        error.to_string(),
        format!(
            "migrating a test store from 1.0.0 to 2.0.0 failed: cannot migrate `{}`: transform of \
             `Reminder` of stage 1.0.0 -> 2.0.0 failed: cannot convert `r1`",
            path.display()
        )
    );
}

#[test]
fn a_failing_or_panicking_check_names_the_version() {
    let error = MigrationTest::new(plan().unwrap())
        .check(|from, _: &mut ModelContext<v4::Schema>| {
            if from == Version::new(3, 0, 0) {
                return Err(staged::Error::hook("three is wrong"));
            }
            Ok(())
        })
        .run()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the check of the test store migrated from 3.0.0 failed: three is wrong"
    );

    let error = MigrationTest::new(plan().unwrap())
        .check(|from, ctx: &mut ModelContext<v4::Schema>| {
            assert_eq!(ctx.count::<v4::Tag>()?, 1, "tags after {from}");
            Ok(())
        })
        .run()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the check of the test store migrated from 1.0.0 failed: the check for 1.0.0 panicked: \
         assertion `left == right` failed: tags after 1.0.0\n  left: 0\n right: 1"
    );
}

#[test]
fn a_failing_seed_names_its_version() {
    let error = MigrationTest::new(plan().unwrap())
        .seed(|ctx: &mut ModelContext<v2::Schema>| {
            let reminder = || v2::Reminder {
                uid: "same".into(),
                title: "a".into(),
                notes: None,
                recurrence_rule: None,
                start: 0,
                due: None,
            };
            ctx.insert(reminder())?;
            ctx.insert(reminder()).map(drop)
        })
        .run()
        .unwrap_err();
    let TestError::Seed { version, source } = &error else {
        panic!("expected a seed failure, got {error:?}");
    };
    assert_eq!(*version, Version::new(2, 0, 0));
    assert!(
        matches!(&**source, staged::Error::UniqueViolation { entity, attribute } if entity == "Reminder" && attribute == "uid"),
        "{source:?}"
    );
    assert_eq!(
        error.to_string(),
        "seeding the test store at 2.0.0 failed: unique constraint failed: another `Reminder` record \
         already has this `uid`; use a different value, or fetch and update the existing record"
    );
}

#[test]
fn a_store_that_does_not_match_the_latest_schema_fails_validation() {
    // A seed at the latest version adds a table behind staged's back: no
    // migration runs, and the validation still sees the drift.
    let error = MigrationTest::new(plan().unwrap())
        .seed(|ctx: &mut ModelContext<v4::Schema>| {
            ctx.connection()
                .execute_batch("CREATE TABLE Extra (x INTEGER)")
                .map_err(staged::Error::from)
        })
        .run()
        .unwrap_err();
    let TestError::Invalid { from, problems, .. } = &error else {
        panic!("expected a validation failure, got {error:?}");
    };
    assert_eq!(*from, Version::new(4, 0, 0));
    assert_eq!(problems, &["unexpected table `Extra`".to_owned()]);
    assert_eq!(
        error.to_string(),
        "after migrating a test store from 4.0.0 to 4.0.0, the store does not match schema 4.0.0:\n  - unexpected table `Extra`"
    );
}
