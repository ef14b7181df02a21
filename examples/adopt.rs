//! An app that stored its notes with hand-written SQL adopts staged: its
//! next release declares the existing tables as schema 1.0.0, adopts the
//! user's database at that version and ships 2.0.0 in the same open.
//!
//! `cargo run --example adopt`

use staged::prelude::*;
use staged::rusqlite::Connection;

/// The tables the app created by hand, declared as they are.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    /// A row of the `notes` table.
    #[model(name = "notes")]
    pub struct Note {
        /// The app's own key (`UNIQUE` in the table).
        #[attribute(unique)]
        pub uuid: String,
        /// The text.
        pub body: String,
        /// A `BOOLEAN` column.
        pub pinned: bool,
    }
}

/// The first release made with staged: notes get an optional title.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    /// A note.
    #[model(name = "notes")]
    pub struct Note {
        /// The app's own key.
        #[attribute(unique)]
        pub uuid: String,
        /// The text.
        pub body: String,
        /// Pinned to the top.
        pub pinned: bool,
        /// New: an optional title.
        pub title: Option<String>,
    }
}

fn main() -> staged::Result<()> {
    let dir = tempfile::tempdir().map_err(staged::Error::hook)?;
    let path = dir.path().join("notes.db");

    // What the old release did on a user's device, with rusqlite and hand-written SQL.
    {
        let conn = Connection::open(&path)?;
        conn.execute_batch(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,
                                 body TEXT NOT NULL, pinned BOOLEAN NOT NULL DEFAULT 0);
             INSERT INTO notes VALUES (1, 'a', 'Buy milk', 1), (7, 'b', 'Call Ann', 0);",
        )?;
    }

    // The new release: 1.0.0 describes the hand-made tables, 2.0.0 is what it ships.
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build()?;
    let container = ModelContainer::builder(plan)
        .adopt::<v1::Schema>() // a database staged did not create: take it over at 1.0.0
        .open(&path)?; // checked, stamped at 1.0.0 and migrated to 2.0.0 in one transaction
    println!("{:?}", container.open_outcome()); // Adopted { version: 1.0.0 }
    assert_eq!(container.store_version(), Version::new(2, 0, 0));

    let mut ctx = container.context();
    let notes = ctx.fetch_all::<v2::Note>()?;
    // The `INTEGER PRIMARY KEY` became the record id: 1 and 7, kept.
    let ids: Vec<i64> = notes.iter().map(|n| n.id().raw()).collect();
    assert_eq!(ids, [1, 7]);
    assert_eq!(
        (
            notes[0].body.as_str(),
            notes[0].pinned,
            notes[0].title.as_deref()
        ),
        ("Buy milk", true, None)
    );
    // New notes continue after the adopted ids.
    let id = ctx.insert(v2::Note {
        uuid: "c".into(),
        body: "New".into(),
        pinned: false,
        title: None,
    })?;
    assert_eq!(id.raw(), 8);
    println!(
        "adopted {} notes; the next one got id {}",
        notes.len(),
        id.raw()
    );
    Ok(())
}
