//! Lightweight migrations inferred from two schemas, on real files.

mod common;

use common::store::TempStore;
use common::{plans, sql};
use staged::prelude::*;
use staged::{ChangeClass, MigrationError, PlanError};

#[versioned_schema(version = "1.0.0")]
mod v1 {
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub notes: Option<String>,
        pub flagged: Option<bool>,
        pub legacy: i32,
        #[attribute(index)]
        pub list: String,
    }

    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Tag {
        pub label: String,
    }

    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Scratch {
        pub junk: String,
    }
}

/// Every inferable change at once.
#[versioned_schema(version = "2.0.0", removed(Scratch))]
mod v2 {
    #[model(removed(legacy))]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(original_name = "title")]
        pub name: String,
        pub notes: Option<String>,
        #[attribute(default = false)]
        pub flagged: bool,
        #[attribute(default = 3)]
        pub priority: i64,
        pub due: Option<i64>,
        #[attribute(unique)]
        pub list: String,
    }

    #[model(original_name = "Tag")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Label {
        #[attribute(index)]
        pub label: String,
    }

    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Folder {
        pub name: String,
    }
}

#[versioned_schema(version = "3.0.0")]
mod v3 {
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(original_name = "name")]
        pub label: String,
        pub notes: Option<String>,
        pub flagged: bool,
        pub priority: i64,
        pub due: Option<i64>,
        pub list: String,
    }

    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Label {
        #[attribute(index)]
        pub label: String,
    }

    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Folder {
        pub name: String,
    }
}

fn seed(path: &std::path::Path) {
    let container = plans::open_single::<v1::Schema>(path);
    let mut ctx = container.context();
    for i in 0..5 {
        ctx.insert(v1::Reminder {
            uid: format!("u{i}"),
            title: format!("title {i}"),
            notes: (i % 2 == 0).then(|| format!("note {i}")),
            flagged: match i % 3 {
                0 => None,
                1 => Some(true),
                _ => Some(false),
            },
            legacy: i,
            list: format!("list {i}"),
        })
        .unwrap();
    }
    ctx.insert(v1::Tag {
        label: "home".into(),
    })
    .unwrap();
    ctx.insert(v1::Scratch { junk: "x".into() }).unwrap();
}

#[test]
fn one_step_applies_every_inferable_change_and_keeps_data() {
    let store = TempStore::new();
    seed(store.path());
    let plan = plans::two::<v1::Schema, v2::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    assert_eq!(container.store_version(), Version::new(2, 0, 0));
    let mut ctx = container.context();
    let reminders = ctx.fetch_all::<v2::Reminder>().unwrap();
    assert_eq!(reminders.len(), 5);
    for (i, r) in reminders.iter().enumerate() {
        let i = i as i64;
        assert_eq!(r.id().raw(), i + 1, "ids are preserved");
        assert_eq!(r.uid, format!("u{i}"));
        assert_eq!(
            r.name,
            format!("title {i}"),
            "renamed attribute keeps its values"
        );
        assert_eq!(r.notes, (i % 2 == 0).then(|| format!("note {i}")));
        assert_eq!(
            r.flagged,
            i % 3 == 1,
            "NULLs become the default, values are kept"
        );
        assert_eq!(r.priority, 3, "new required attribute gets its default");
        assert_eq!(r.due, None, "new optional attribute is NULL");
    }
    let labels = ctx.fetch_all::<v2::Label>().unwrap();
    assert_eq!(labels.len(), 1);
    assert_eq!(labels[0].label, "home", "renamed entity keeps its rows");
    assert_eq!(ctx.count::<v2::Folder>().unwrap(), 0);
    // The new unique constraint is enforced.
    let error = ctx
        .insert(v2::Reminder {
            uid: "new".into(),
            name: "n".into(),
            notes: None,
            flagged: false,
            priority: 0,
            due: None,
            list: "list 1".into(),
        })
        .unwrap_err();
    assert!(
        matches!(error, staged::Error::UniqueViolation { ref entity, ref attribute } if entity == "Reminder" && attribute == "list"),
        "{error:?}"
    );
    drop(ctx);
    drop(container);
    assert_eq!(
        sql::tables(&store.conn()),
        [
            "Folder",
            "Label",
            "Reminder",
            "_staged_history",
            "_staged_metadata",
            "sqlite_sequence"
        ]
    );
    assert_eq!(
        sql::history(&store.conn()),
        [("1.0.0".into(), "2.0.0".into(), "inferred".into(), 5)]
    );
}

#[test]
fn three_version_chain_follows_renames() {
    let store = TempStore::new();
    seed(store.path());
    let plan = plans::three::<v1::Schema, v2::Schema, v3::Schema>();
    // Both lightweight steps compose into one.
    let path = plan.migration_path(Version::new(1, 0, 0)).unwrap();
    assert_eq!(path.to_string(), "1.0.0 -[inferred]-> 3.0.0");
    let [step] = path.steps() else {
        panic!("expected one composed step: {path}");
    };
    assert_eq!(
        (step.from(), step.to(), step.is_custom()),
        (Version::new(1, 0, 0), Version::new(3, 0, 0), false)
    );
    let container = ModelContainer::open(store.path(), plan).unwrap();
    assert_eq!(container.store_version(), Version::new(3, 0, 0));
    let mut ctx = container.context();
    let labels: Vec<String> = ctx
        .fetch_all::<v3::Reminder>()
        .unwrap()
        .into_iter()
        .map(|r| r.label.clone())
        .collect();
    assert_eq!(
        labels,
        ["title 0", "title 1", "title 2", "title 3", "title 4"]
    );
    let kept = ctx.fetch_all::<v3::Reminder>().unwrap();
    assert!(kept[1].flagged);
    assert_eq!(kept[4].priority, 3);
    drop(ctx);
    drop(container);
    assert_eq!(
        sql::history(&store.conn()),
        [("1.0.0".into(), "3.0.0".into(), "inferred".into(), 5)]
    );
}

#[test]
fn reopening_a_migrated_store_does_nothing() {
    let store = TempStore::new();
    seed(store.path());
    let plan = || plans::two::<v1::Schema, v2::Schema>();
    drop(ModelContainer::open(store.path(), plan()).unwrap());
    let before = store.bytes();
    drop(ModelContainer::open(store.path(), plan()).unwrap());
    assert_eq!(store.bytes(), before);
    assert_eq!(sql::history(&store.conn()).len(), 1);
}

#[versioned_schema(version = "2.0.0")]
mod v2_unique_title {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(unique)]
        pub title: String,
        pub notes: Option<String>,
        pub flagged: Option<bool>,
        pub legacy: i32,
        #[attribute(index)]
        pub list: String,
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

#[test]
fn duplicates_under_a_new_unique_fail_and_leave_the_store_unchanged() {
    let store = TempStore::new();
    {
        let container = plans::open_single::<v1::Schema>(store.path());
        let mut ctx = container.context();
        for uid in ["a", "b", "c"] {
            ctx.insert(v1::Reminder {
                uid: uid.into(),
                title: "same".into(),
                notes: None,
                flagged: None,
                legacy: 0,
                list: uid.into(),
            })
            .unwrap();
        }
    }
    let before = store.bytes();
    let plan = plans::two::<v1::Schema, v2_unique_title::Schema>();
    let error = ModelContainer::open(store.path(), plan).unwrap_err();
    let Some(MigrationError::ConstraintViolation {
        entity,
        attribute,
        row,
        value,
        ..
    }) = error.as_migration()
    else {
        panic!("unexpected error: {error}");
    };
    assert_eq!((entity.as_str(), attribute.as_str()), ("Reminder", "title"));
    assert_eq!(*row, Some(1));
    assert_eq!(value.as_deref(), Some("'same'"));
    assert_eq!(
        error.to_string(),
        format!(
            "cannot migrate `{}` from 1.0.0 to 2.0.0: `Reminder.title` becomes unique but several records \
             have the value 'same' (e.g. record 1); fix the data first (e.g. in a `will_migrate` hook of a \
             custom stage) or relax the schema",
            store.path().display()
        )
    );
    assert_eq!(store.bytes(), before, "the store is left exactly as it was");
}

#[versioned_schema(version = "2.0.0")]
mod v2_required_without_default {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub notes: String,
        pub flagged: Option<bool>,
        pub legacy: i32,
        #[attribute(index)]
        pub list: String,
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

#[versioned_schema(version = "2.0.0")]
mod v2_narrowed {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub notes: Option<String>,
        pub flagged: Option<bool>,
        pub legacy: i8,
        #[attribute(index)]
        pub list: String,
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

#[test]
fn non_inferable_changes_fail_build_with_the_fix() {
    let error = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2_required_without_default::Schema>()
        .build()
        .unwrap_err();
    let Some(PlanError::NotInferable {
        entity,
        attribute,
        class,
        ..
    }) = error.as_plan()
    else {
        panic!("unexpected error: {error}");
    };
    assert_eq!(
        (entity.as_str(), attribute.as_deref(), *class),
        ("Reminder", Some("notes"), ChangeClass::NeedsDefault)
    );
    assert_eq!(
        error.to_string(),
        "cannot infer the migration from 1.0.0 to 2.0.0: make `Reminder.notes` required (it has no default \
         for existing NULLs) (needs-default); add `#[attribute(default = …)]` to `Reminder.notes`, or use a custom stage that fills the values"
    );

    let error = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2_narrowed::Schema>()
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot infer the migration from 1.0.0 to 2.0.0: change type of `Reminder.legacy` from `i32` to `i8` \
         (needs-custom); use a custom stage (`MigrationStage::custom`) with a `transform` for `Reminder`"
    );
}
