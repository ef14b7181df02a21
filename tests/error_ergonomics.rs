//! What a person sees of an error: `Debug` is the message (what
//! `fn main() -> staged::Result<()>` prints), and `?` works in hooks and
//! transforms on common error types.

use staged::prelude::*;
use staged::{Error, PlanError};

/// The first release.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    /// A reminder.
    #[model]
    pub struct Reminder {
        /// Its title.
        pub title: String,
    }
}

/// The second release: a required attribute without a default.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    /// A reminder.
    #[model]
    pub struct Reminder {
        /// Its title.
        pub title: String,
        /// Its priority, new and required.
        pub priority: i64,
    }
}

#[test]
fn debug_prints_the_message_and_alternate_debug_adds_the_fields() {
    let error = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build()
        .unwrap_err();
    assert!(matches!(
        error.as_plan(),
        Some(PlanError::NotInferable { .. })
    ));
    let message = error.to_string();
    assert!(message.contains("Reminder.priority"), "{message}");
    // `fn main() -> staged::Result<()>` prints `Error: {:?}`.
    assert_eq!(format!("{error:?}"), message);
    let detailed = format!("{error:#?}");
    assert!(detailed.starts_with(&message), "{detailed}");
    assert!(detailed.contains("NotInferable"), "{detailed}");
}

/// A transform that parses and reads files with `?` and no `map_err`.
fn priority_of(title: &str) -> staged::Result<i64> {
    let digits: String = title.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        // A missing file is an I/O error: `?` makes it a hook error.
        std::fs::read_to_string("/nonexistent/staged/priorities")?;
    }
    Ok(digits.parse::<i64>()?)
}

#[test]
fn question_mark_converts_common_errors_in_transforms() {
    let plan = || {
        SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .schema::<v2::Schema>()
            .stage(
                MigrationStage::custom::<v1::Schema, v2::Schema>().transform(
                    |old: v1::Reminder| -> staged::Result<v2::Reminder> {
                        Ok(v2::Reminder {
                            priority: priority_of(&old.title)?,
                            title: old.title,
                        })
                    },
                ),
            )
            .build()
            .unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    {
        let v1_plan = SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .build()
            .unwrap();
        let mut ctx = ModelContainer::open(&path, v1_plan).unwrap().context();
        ctx.insert(v1::Reminder {
            title: "call mum".into(),
        })
        .unwrap();
    }
    let error = ModelContainer::open(&path, plan()).unwrap_err();
    let mut chain = vec![error.to_string()];
    let mut source = std::error::Error::source(&error);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    let chain = chain.join(" / ");
    assert!(chain.contains("transform of `Reminder`"), "{chain}");
    assert!(chain.contains("No such file or directory"), "{chain}");

    // Messages convert too.
    let from_str: Error = "no network".into();
    assert!(matches!(from_str, Error::Hook(_)));
    assert_eq!(from_str.to_string(), "no network");
    let parse: Error = "x".parse::<i64>().unwrap_err().into();
    assert_eq!(parse.to_string(), "invalid digit found in string");
}
