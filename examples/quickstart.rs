//! Quickstart: creates a store in a file, inserts, fetches, reopens, and prints what it did.
//!
//! Run with `cargo run --example quickstart`.

use serde::{Deserialize, Serialize};
use staged::prelude::*;

/// How a reminder is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Style {
    /// The default look.
    Plain,
    /// Highlighted with a color.
    Colored(String),
}

/// Version 1.0.0 of the data model.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use super::*;

    /// Something to remember.
    #[model]
    #[derive(Debug, Clone)]
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
        /// Higher is more urgent.
        #[attribute(default = 0, index)]
        pub priority: i64,
    }
}

fn main() -> staged::Result<()> {
    // A temporary directory, removed when `dir` is dropped: at the end, or
    // as soon as a `?` below returns an error.
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("reminders.sqlite");

    let plan = || {
        SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .build()
    };

    {
        let container = ModelContainer::open(&path, plan()?)?;
        println!(
            "created {} at version {}",
            path.display(),
            container.store_version()
        );
        let mut ctx = container.context();
        for (i, title) in ["buy milk", "call mom", "file taxes"]
            .into_iter()
            .enumerate()
        {
            let id = ctx.insert(v1::Reminder {
                uid: format!("r{i}"),
                title: title.to_owned(),
                notes: (i == 1).then(|| "sunday".to_owned()),
                style: if i == 2 {
                    Style::Colored("red".into())
                } else {
                    Style::Plain
                },
                priority: i as i64,
            })?;
            println!("inserted {title:?} as record {id}");
        }
    }

    let container = ModelContainer::open(&path, plan()?)?;
    println!(
        "reopened {} at version {}",
        path.display(),
        container.store_version()
    );
    let mut ctx = container.context();
    let urgent = ctx.fetch(
        FetchDescriptor::new()
            .filter(v1::Reminder::fields().priority.ge(1))
            .sort(v1::Reminder::fields().priority.desc()),
    )?;
    println!(
        "{} reminders stored, {} with priority >= 1:",
        ctx.count::<v1::Reminder>()?,
        urgent.len()
    );
    for reminder in &urgent {
        println!(
            "  #{} {} (priority {}, style {:?})",
            reminder.id(),
            reminder.title,
            reminder.priority,
            reminder.style
        );
    }
    Ok(())
}
