//! `MigrationTest::generated`: stores of generated records at every version
//! of a plan, migrated, and checked for lost data on their own.

use serde::{Deserialize, Serialize};
use staged::prelude::*;
use staged::testing::{MigrationTest, TestError};

/// How a reminder is scheduled, stored as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Style {
    Manual { start: i64, minutes: i32 },
    Repeating { rule: String, every: Option<u16> },
    Never,
}

#[versioned_schema(version = "1.0.0")]
mod v1 {
    use super::Style;
    use staged::prelude::*;

    #[model]
    pub struct List {
        #[attribute(unique)]
        pub name: String,
        pub color: Option<String>,
    }

    #[model(unique(list, position))]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub notes: Option<String>,
        pub position: i32,
        pub done: bool,
        pub rating: Option<f32>,
        pub icon: Option<Vec<u8>>,
        #[attribute(json)]
        pub style: Style,
        pub list: Ref<List>,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2 {
    use staged::prelude::*;

    #[model]
    pub struct List {
        #[attribute(unique)]
        pub name: String,
        pub color: Option<String>,
    }

    #[model(unique(list, position))]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        #[attribute(original_name = "title")]
        pub name: String,
        pub notes: Option<String>,
        pub position: i64,
        pub done: bool,
        pub rating: Option<f64>,
        pub icon: Option<Vec<u8>>,
        pub repeats: bool,
        pub list: Ref<List>,
    }
}

/// 1.0.0 -> 2.0.0 by a transform; `forget_notes` makes it lose `notes`.
fn plan(forget_notes: bool) -> SchemaMigrationPlan<v2::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .stage(
            MigrationStage::custom::<v1::Schema, v2::Schema>().transform(
                move |old: v1::Reminder| -> staged::Result<v2::Reminder> {
                    Ok(v2::Reminder {
                        uid: old.uid,
                        name: old.title,
                        notes: if forget_notes { None } else { old.notes },
                        position: old.position.into(),
                        done: old.done,
                        rating: old.rating.map(f64::from),
                        icon: old.icon,
                        repeats: matches!(old.style, Style::Repeating { .. }),
                        list: old.list.cast(),
                    })
                },
            ),
        )
        .build()
        .expect("the plan is valid")
}

#[test]
fn a_transform_that_keeps_every_value_passes() {
    let report = MigrationTest::new(plan(false)).generated(12).run().unwrap();
    assert_eq!(report.generated().len(), 2, "{report}");
    let first = &report.generated()[0];
    assert_eq!(first.from(), Version::new(1, 0, 0));
    assert_eq!(first.cases(), 4);
    assert_eq!(first.records()["List"], 12, "{report}");
    assert_eq!(first.records()["Reminder"], 12, "{report}");
}

#[test]
fn a_transform_that_forgets_a_field_fails_naming_entity_attribute_and_record() {
    let error = MigrationTest::new(plan(true))
        .generated(12)
        .run()
        .unwrap_err();
    let TestError::Generated {
        from,
        failure,
        records,
        ..
    } = &error
    else {
        panic!("expected a generated-data failure, got {error}");
    };
    assert_eq!(*from, Version::new(1, 0, 0));
    let message = error.to_string();
    assert!(
        failure.contains("`Reminder.notes` of record #"),
        "{message}"
    );
    assert!(
        failure.contains("is NULL after the migration to 2.0.0"),
        "{message}"
    );
    // Shrunk: one record of each entity, whose notes is set.
    assert!(records.contains("Reminder (1 records)"), "{message}");
    assert!(records.contains("List (1 records)"), "{message}");
    println!("{message}");
}
