//! Reminders at 1.0.0, whose schedule is a serde enum stored as JSON; the
//! first schema of the custom-stage tests.

use serde::{Deserialize, Serialize};
use staged::prelude::*;

/// When a reminder happens, stored as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Style {
    /// Once, for a while.
    Manual {
        /// Start, in minutes.
        start: i64,
        /// Length, in minutes.
        duration: i64,
    },
    /// By a recurrence rule.
    Repeating {
        /// The rule.
        rule: String,
        /// First start, in minutes.
        start: i64,
    },
}

/// Reminders with a JSON style, and lists whose color may be missing.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use super::Style;

    /// A reminder.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Reminder {
        /// A stable id.
        #[attribute(unique)]
        pub uid: String,
        /// The title.
        pub title: String,
        /// When it happens.
        #[attribute(json)]
        pub style: Style,
    }

    /// A list of reminders.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct List {
        /// The name.
        pub name: String,
        /// A color, if one was picked.
        pub color: Option<String>,
    }
}

/// A reminder happening once, at `start` for `duration` minutes.
pub fn manual(uid: &str, title: &str, start: i64, duration: i64) -> v1::Reminder {
    v1::Reminder {
        uid: uid.to_owned(),
        title: title.to_owned(),
        style: Style::Manual { start, duration },
    }
}

/// A reminder repeating by `rule` from `start`.
pub fn repeating(uid: &str, title: &str, rule: &str, start: i64) -> v1::Reminder {
    v1::Reminder {
        uid: uid.to_owned(),
        title: title.to_owned(),
        style: Style::Repeating {
            rule: rule.to_owned(),
            start,
        },
    }
}

/// A list with this name and color.
pub fn list(name: &str, color: Option<&str>) -> v1::List {
    v1::List {
        name: name.to_owned(),
        color: color.map(str::to_owned),
    }
}
