//! The reminders scenario: a store written by version 1.0.0 of an app is
//! opened by version 3.0.0, migrating through stages declared inside the
//! schema modules:
//!
//! - 1.0.0 -> 2.0.0 (custom): a JSON `style` becomes three attributes
//!   (`recurrence_rule`, `start`, `due`) in one `#[transform]`, and a
//!   `#[will_migrate]` hook fills the NULL `color`s of lists before `color`
//!   becomes required (it has no default);
//! - 2.0.0 -> 3.0.0 (inferred): `title` is renamed to `name` and a
//!   `priority` with a default is added.
//!
//! Run with `cargo run --example reminders`.

use serde::{Deserialize, Serialize};
use staged::prelude::*;

/// How a reminder was scheduled in 1.0.0.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Style {
    /// A start and a duration in minutes.
    Manual {
        /// Minutes since the epoch.
        start: i64,
        /// How long it lasts.
        minutes: i64,
    },
    /// A recurrence rule.
    Repeating {
        /// An RFC 5545 rule.
        rule: String,
        /// Minutes since the epoch.
        start: i64,
    },
}

/// The first shipped version.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use super::Style;

    /// A reminder.
    #[model]
    pub struct Reminder {
        /// A stable id from the app.
        #[attribute(unique)]
        pub uid: String,
        /// What to remember.
        pub title: String,
        /// How it is scheduled.
        #[attribute(json)]
        pub style: Style,
    }

    /// A list of reminders.
    #[model]
    pub struct List {
        /// The list's name.
        pub name: String,
        /// Its color, if the user picked one.
        pub color: Option<String>,
    }
}

/// The second version: `style` split into three attributes, `color` required.
#[versioned_schema(version = "2.0.0", previous = v1)]
pub mod v2 {
    use super::{Style, v1};
    use staged::prelude::*;

    /// A reminder.
    #[model]
    pub struct Reminder {
        /// A stable id from the app.
        #[attribute(unique)]
        pub uid: String,
        /// What to remember.
        pub title: String,
        /// The recurrence rule of a repeating reminder.
        pub recurrence_rule: Option<String>,
        /// Minutes since the epoch.
        pub start: i64,
        /// When a one-off reminder is due.
        pub due: Option<i64>,
    }

    /// A list of reminders.
    #[model]
    pub struct List {
        /// The list's name.
        pub name: String,
        /// Its color.
        pub color: String,
    }

    /// Lists without a color get gray, so that `color` can become required.
    #[will_migrate]
    fn fill_colors(ctx: &mut ModelContext<v1::Schema>) -> staged::Result<()> {
        for mut list in
            ctx.fetch(FetchDescriptor::new().filter(v1::List::fields().color.is_null()))?
        {
            list.color = Some("gray".into());
            ctx.update(&list)?;
        }
        Ok(())
    }

    /// One old reminder becomes one new reminder, with the same id.
    #[transform]
    fn reminder(old: v1::Reminder) -> staged::Result<Reminder> {
        let (recurrence_rule, start, due) = match old.style {
            Style::Manual { start, minutes } => (None, start, Some(start + minutes)),
            Style::Repeating { rule, start } => (Some(rule), start, None),
        };
        Ok(Reminder {
            uid: old.uid,
            title: old.title,
            recurrence_rule,
            start,
            due,
        })
    }
}

/// The third version: an inferred rename and a new attribute.
#[versioned_schema(version = "3.0.0", previous = v2)]
pub mod v3 {
    /// A reminder.
    #[model]
    pub struct Reminder {
        /// A stable id from the app.
        #[attribute(unique)]
        pub uid: String,
        /// What to remember (was `title`).
        #[attribute(original_name = "title")]
        pub name: String,
        /// The recurrence rule of a repeating reminder.
        pub recurrence_rule: Option<String>,
        /// Minutes since the epoch.
        pub start: i64,
        /// When a one-off reminder is due.
        pub due: Option<i64>,
        /// Higher is more urgent.
        #[attribute(default = 0)]
        pub priority: i64,
    }

    /// A list of reminders.
    #[model]
    pub struct List {
        /// The list's name.
        pub name: String,
        /// Its color.
        pub color: String,
    }
}

fn main() -> staged::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("reminders.sqlite");

    // What version 1.0.0 of the app wrote.
    {
        let plan = SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .build()?;
        let mut ctx = ModelContainer::open(&path, plan)?.context();
        ctx.insert(v1::Reminder {
            uid: "r1".into(),
            title: "Standup".into(),
            style: Style::Manual {
                start: 540,
                minutes: 15,
            },
        })?;
        ctx.insert(v1::Reminder {
            uid: "r2".into(),
            title: "Gym".into(),
            style: Style::Repeating {
                rule: "FREQ=WEEKLY;BYDAY=MO".into(),
                start: 1080,
            },
        })?;
        ctx.insert(v1::List {
            name: "Home".into(),
            color: None,
        })?;
        ctx.insert(v1::List {
            name: "Work".into(),
            color: Some("blue".into()),
        })?;
        println!(
            "version 1.0.0 wrote 2 reminders and 2 lists to {}",
            path.display()
        );
    }

    // Version 3.0.0 of the app opens the same file.
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .stage(v2::stage())
        .stage(v3::stage())
        .build()?;
    println!(
        "migration path: {}",
        plan.migration_path(Version::new(1, 0, 0))?
    );
    let container = ModelContainer::open(&path, plan)?;
    println!("store is now at {}", container.store_version());
    let mut ctx = container.context();
    for reminder in ctx.fetch_all::<v3::Reminder>()? {
        println!(
            "  reminder #{} {:?}: start {}, due {:?}, rule {:?}, priority {}",
            reminder.id(),
            reminder.name,
            reminder.start,
            reminder.due,
            reminder.recurrence_rule,
            reminder.priority
        );
    }
    for list in ctx.fetch_all::<v3::List>()? {
        println!("  list #{} {:?}: {}", list.id(), list.name, list.color);
    }
    Ok(())
}
