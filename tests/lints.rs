//! The code `#[versioned_schema]` generates is lint-clean: this file declares
//! documented schemas using every option under strict lints, and
//! `cargo clippy --all-targets -- -D warnings` must accept it.

#![deny(
    warnings,
    missing_docs,
    missing_debug_implementations,
    unused,
    unused_qualifications,
    unused_results,
    unreachable_pub,
    rust_2018_idioms,
    clippy::all,
    clippy::pedantic
)]
#![forbid(unsafe_code)]

use serde::{Deserialize, Serialize};
use staged::prelude::*;

/// How a reminder is shown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub enum Style {
    /// The default look.
    #[default]
    Plain,
    /// Highlighted with a color.
    Colored(String),
}

/// The first version: every stored type, and every attribute option but
/// renames.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use super::Style;

    /// Something to remember.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Reminder {
        /// A stable id from the app.
        #[attribute(unique)]
        pub uid: String,
        /// What to remember.
        pub title: String,
        /// Optional details.
        pub notes: Option<String>,
        /// How to show it.
        #[attribute(json)]
        pub style: Style,
        /// Labels, if any.
        #[attribute(json)]
        pub labels: Option<Vec<String>>,
        /// Higher is more urgent.
        #[attribute(index, default = 0)]
        pub priority: i64,
        /// Whether it is done.
        #[attribute(default = false)]
        pub done: bool,
        /// A small signed number.
        #[attribute(default = -1)]
        pub offset: i8,
        /// A signed number.
        #[attribute(default = -300)]
        pub delta: i16,
        /// Another signed number.
        pub minutes: i32,
        /// Times shown.
        #[attribute(default = 255)]
        pub shown: u8,
        /// Times snoozed.
        pub snoozes: u16,
        /// Seconds spent.
        pub seconds: u32,
        /// A weight.
        #[attribute(default = 0.5)]
        pub weight: f32,
        /// A score.
        #[attribute(default = 1)]
        pub score: f64,
        /// Attached bytes.
        pub attachment: Vec<u8>,
        /// Optional bytes.
        pub thumbnail: Option<Vec<u8>>,
        /// A field named by a keyword.
        #[attribute(default = "note")]
        pub r#type: String,
        /// Settings as JSON, with a JSON default.
        #[attribute(json, default = "{\"sound\": true}")]
        pub settings: serde_json::Value,
        /// Not stored: `Default` on load.
        #[transient]
        pub cache: Vec<String>,
    }

    /// A list of reminders, stored under another entity name.
    #[model(name = "List")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct ReminderList {
        /// The list's name.
        #[attribute(unique, index)]
        pub name: String,
    }
}

/// The second version: renamed entities and attributes.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    /// Something to do, formerly a reminder.
    #[model(
        original_name = "Reminder",
        removed(
            notes, style, labels, done, offset, delta, minutes, shown, snoozes, seconds, weight,
            score, attachment, thumbnail, r#type, settings
        )
    )]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Task {
        /// A stable id from the app.
        #[attribute(unique)]
        pub uid: String,
        /// What to do, formerly its title.
        #[attribute(original_name = "title")]
        pub name: String,
        /// Higher is more urgent.
        #[attribute(index, default = 0)]
        pub priority: i64,
    }

    /// A list of tasks.
    #[model(name = "TaskList", original_name = "List")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct List {
        /// The list's name.
        #[attribute(unique)]
        pub name: String,
    }
}

fn reminder(uid: &str, priority: i64) -> v1::Reminder {
    v1::Reminder {
        uid: uid.to_owned(),
        title: format!("reminder {uid}"),
        notes: None,
        style: Style::Colored("red".to_owned()),
        labels: Some(vec!["home".to_owned()]),
        priority,
        done: false,
        offset: -1,
        delta: -300,
        minutes: 5,
        shown: 1,
        snoozes: 2,
        seconds: 3,
        weight: 0.5,
        score: 1.0,
        attachment: vec![1, 2, 3],
        thumbnail: None,
        r#type: "note".to_owned(),
        settings: serde_json::json!({ "sound": true }),
        cache: vec!["not stored".to_owned()],
    }
}

#[test]
fn schemas_work_under_strict_lints() -> staged::Result<()> {
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()?;
    let container = ModelContainer::in_memory(plan)?;
    let mut ctx = container.context();
    let id = ctx.insert(reminder("a", 1))?;
    let _ = ctx.insert(reminder("b", 3))?;
    let _ = ctx.insert(v1::ReminderList {
        name: "home".to_owned(),
    })?;

    let fields = v1::Reminder::fields();
    let urgent = ctx.fetch(
        FetchDescriptor::new()
            .filter(fields.priority.ge(2).and(fields.notes.is_null()))
            .sort(fields.priority.desc()),
    )?;
    assert_eq!(urgent.len(), 1);
    assert_eq!(urgent[0].uid, "b");

    let stored = ctx.get::<v1::Reminder>(id)?.expect("inserted");
    assert_eq!(stored.id(), id);
    assert!(
        stored.cache.is_empty(),
        "transient fields load as `Default`"
    );
    assert_eq!(stored.r#type, "note");
    assert_eq!(ctx.count::<v1::ReminderList>()?, 1);

    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build()?;
    assert_eq!(plan.latest_version(), Version::new(2, 0, 0));
    assert_eq!(v2::Task::fields().name.name(), "name");
    assert_eq!(v2::List::fields().name.name(), "name");
    Ok(())
}
