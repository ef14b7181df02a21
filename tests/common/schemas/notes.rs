//! A small notes app at 1.0.0, with helpers to open a store of it.

use std::path::Path;

use staged::prelude::*;

/// A small notes app, version 1.0.0.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    /// A note.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        /// A stable id from the app.
        #[attribute(unique)]
        pub uid: String,
        /// The title.
        pub title: String,
        /// Optional text.
        pub body: Option<String>,
        /// Higher is more important.
        #[attribute(index, default = 0)]
        pub priority: i64,
        /// Whether the note is done.
        pub done: bool,
        /// An optional rating.
        pub rating: Option<f64>,
    }

    /// A tag that notes can carry.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Tag {
        /// The tag's unique name.
        #[attribute(unique)]
        pub name: String,
    }
}

/// The plan with only [`v1`].
pub fn plan() -> SchemaMigrationPlan<v1::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .expect("a plan with one schema is valid")
}

/// A note with this uid and title and every other field empty or zero.
pub fn note(uid: &str, title: &str) -> v1::Note {
    v1::Note {
        uid: uid.to_owned(),
        title: title.to_owned(),
        body: None,
        priority: 0,
        done: false,
        rating: None,
    }
}

/// Opens (or creates) the notes store at `path`, panicking on failure.
pub fn open(path: &Path) -> ModelContainer<v1::Schema> {
    ModelContainer::open(path, plan())
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()))
}
