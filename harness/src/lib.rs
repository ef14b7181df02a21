//! Process-level tests of staged: the schemas, plans, seed data and checks
//! shared by the `staged-harness` binary (which migrates a store and can
//! pause at a chosen point of the migration) and the tests that drive it
//! (SIGKILL fault injection, concurrent opens, read-only files).
//!
//! The pause points are reached through the public [`MigrationObserver`](staged::MigrationObserver):
//! the library has no test-only code.

use std::path::Path;

use staged::prelude::*;
use staged::rusqlite;

mod check;
mod printer;

pub use check::{
    Side, check_adopted_store, check_header, check_items_store, check_items_store_keyed,
    check_tags_store, tables,
};
pub use printer::{Pause, Printer, error_kind};

/// The store as an old app wrote it.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    /// An item of an inventory.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Item {
        /// Stable id from the app.
        #[attribute(unique)]
        pub uid: String,
        /// The title.
        pub title: String,
        /// How many.
        pub qty: i64,
        /// A note on some items.
        pub note: Option<String>,
    }
}

/// 1.0.0 -> 2.0.0 is custom: a computed `score`.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    /// An item of an inventory.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Item {
        /// Stable id from the app.
        #[attribute(unique)]
        pub uid: String,
        /// The title.
        pub title: String,
        /// How many.
        pub qty: i64,
        /// A note on some items.
        pub note: Option<String>,
        /// `qty * 3` plus the title's length.
        pub score: i64,
    }
}

/// 2.0.0 -> 3.0.0 is inferred: a rename, a removed attribute (a table
/// rebuild), an index and a new optional attribute.
#[versioned_schema(version = "3.0.0")]
pub mod v3 {
    /// An item of an inventory.
    #[model(removed(note))]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Item {
        /// Stable id from the app.
        #[attribute(unique)]
        pub uid: String,
        /// The title, renamed.
        #[attribute(original_name = "title")]
        pub name: String,
        /// How many.
        #[attribute(index)]
        pub qty: i64,
        /// `qty * 3` plus the title's length.
        pub score: i64,
        /// A tag, new and empty.
        pub tag: Option<String>,
    }
}

/// 3.0.0 -> 4.0.0 is custom again: a required `label` and a filled `tag`.
#[versioned_schema(version = "4.0.0")]
pub mod v4 {
    /// An item of an inventory.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Item {
        /// Stable id from the app.
        #[attribute(unique)]
        pub uid: String,
        /// The title, renamed.
        pub name: String,
        /// How many.
        #[attribute(index)]
        pub qty: i64,
        /// `qty * 3` plus the title's length.
        pub score: i64,
        /// `t` and the score modulo 7.
        pub tag: Option<String>,
        /// The name, `#` and the score.
        pub label: String,
    }
}

/// The app's plan: `1.0.0 -[custom]-> 2.0.0 -[inferred]-> 3.0.0 -[custom]-> 4.0.0`.
pub fn plan() -> SchemaMigrationPlan<v4::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .schema::<v4::Schema>()
        .stage(
            MigrationStage::custom::<v1::Schema, v2::Schema>().transform(|old: v1::Item| {
                let score = score(old.qty, &old.title);
                Ok(v2::Item {
                    uid: old.uid,
                    title: old.title,
                    qty: old.qty,
                    note: old.note,
                    score,
                })
            }),
        )
        .stage(
            MigrationStage::custom::<v3::Schema, v4::Schema>().transform(|old: v3::Item| {
                Ok(v4::Item {
                    label: format!("{}#{}", old.name, old.score),
                    tag: Some(format!("t{}", old.score % 7)),
                    uid: old.uid,
                    name: old.name,
                    qty: old.qty,
                    score: old.score,
                })
            }),
        )
        .build()
        .expect("the harness plan is valid")
}

/// The plan of an app that only knows 1.0.0.
pub fn old_plan() -> SchemaMigrationPlan<v1::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .expect("a one-schema plan is valid")
}

fn score(qty: i64, title: &str) -> i64 {
    qty * 3 + title.len() as i64
}

/// Item `i` (0-based; its id is `i + 1`) of a seeded 1.0.0 store.
pub fn old_item(i: usize) -> v1::Item {
    v1::Item {
        uid: format!("item-{i:07}"),
        title: format!("title {i} {}", "x".repeat(i % 17)),
        qty: (i % 1000) as i64,
        note: i.is_multiple_of(4).then(|| format!("note {i}")),
    }
}

/// Item `i` once migrated to 4.0.0.
pub fn new_item(i: usize) -> v4::Item {
    let old = old_item(i);
    let score = score(old.qty, &old.title);
    v4::Item {
        label: format!("{}#{score}", old.title),
        tag: Some(format!("t{}", score % 7)),
        uid: old.uid,
        name: old.title,
        qty: old.qty,
        score,
    }
}

/// The second store of a group, as an old app wrote it.
#[versioned_schema(version = "1.0.0")]
pub mod tags_v1 {
    /// A tag.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Tag {
        /// The tag's name.
        #[attribute(unique)]
        pub name: String,
        /// How often it is used.
        pub uses: i64,
    }
}

/// The second store of a group, migrated by a custom stage: a `weight`.
#[versioned_schema(version = "2.0.0")]
pub mod tags_v2 {
    /// A tag.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Tag {
        /// The tag's name.
        #[attribute(unique)]
        pub name: String,
        /// How often it is used.
        pub uses: i64,
        /// Twice the uses plus the name's length.
        pub weight: i64,
    }
}

/// The tag store's plan: `1.0.0 -[custom]-> 2.0.0`.
pub fn tags_plan() -> SchemaMigrationPlan<tags_v2::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<tags_v1::Schema>()
        .schema::<tags_v2::Schema>()
        .stage(
            MigrationStage::custom::<tags_v1::Schema, tags_v2::Schema>().transform(
                |old: tags_v1::Tag| {
                    let weight = old.uses * 2 + old.name.len() as i64;
                    Ok(tags_v2::Tag {
                        name: old.name,
                        uses: old.uses,
                        weight,
                    })
                },
            ),
        )
        .build()
        .expect("the tags plan is valid")
}

/// Tag `i` of a seeded 1.0.0 tag store.
pub fn old_tag(i: usize) -> tags_v1::Tag {
    tags_v1::Tag {
        name: format!("tag-{i}-{}", "y".repeat(i % 5)),
        uses: (i % 97) as i64,
    }
}

/// Creates a 1.0.0 tag store at `path` holding tags `0..rows`, in `mode`.
pub fn seed_tags(path: &Path, rows: usize, mode: JournalMode) -> staged::Result<()> {
    {
        let plan = SchemaMigrationPlan::builder()
            .schema::<tags_v1::Schema>()
            .build()?;
        let container = ModelContainer::open(path, plan)?;
        let mut ctx = container.context();
        ctx.transaction(|ctx| {
            for i in 0..rows {
                ctx.insert(old_tag(i))?;
            }
            Ok(())
        })?;
    }
    set_journal_mode(path, mode)
}

/// SQLite's journal mode for a store: set once, kept in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JournalMode {
    /// The default rollback journal (`journal_mode = DELETE`).
    Rollback,
    /// Write-ahead logging (`journal_mode = WAL`).
    Wal,
}

impl JournalMode {
    /// Both modes.
    pub const ALL: [JournalMode; 2] = [JournalMode::Rollback, JournalMode::Wal];

    /// The `PRAGMA journal_mode` value, also the harness's `--journal` value.
    pub fn pragma(self) -> &'static str {
        match self {
            JournalMode::Rollback => "delete",
            JournalMode::Wal => "wal",
        }
    }

    /// The mode to open the store in, so that a store tested in one mode
    /// stays in it (`open` switches a store to the builder's mode, WAL by
    /// default, once it is open and migrated).
    pub fn staged(self) -> staged::JournalMode {
        match self {
            JournalMode::Rollback => staged::JournalMode::Rollback,
            JournalMode::Wal => staged::JournalMode::Wal,
        }
    }
}

impl std::str::FromStr for JournalMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        JournalMode::ALL
            .into_iter()
            .find(|mode| mode.pragma() == s)
            .ok_or_else(|| format!("unknown journal mode `{s}`: expected delete or wal"))
    }
}

/// Creates a 1.0.0 store at `path` holding items `0..rows`, in `mode`.
pub fn seed(path: &Path, rows: usize, mode: JournalMode) -> staged::Result<()> {
    {
        let container = ModelContainer::open(path, old_plan())?;
        let mut ctx = container.context();
        ctx.transaction(|ctx| {
            for i in 0..rows {
                ctx.insert(old_item(i))?;
            }
            Ok(())
        })?;
    }
    set_journal_mode(path, mode)
}

/// The raw 256-bit key of the encrypted stores the harness migrates
/// (`--encrypted`, feature `sqlcipher`): no key derivation on each open.
pub const KEY: [u8; 32] = [0x2a; 32];

/// A plain SQLite connection to `path`, given [`KEY`] first when `encrypted`.
pub fn open_sqlite(path: &Path, encrypted: bool) -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    if encrypted {
        let hex: String = KEY.iter().map(|b| format!("{b:02X}")).collect();
        conn.pragma_update(None, "key", format!("x'{hex}'"))?;
    }
    Ok(conn)
}

/// The container builder of `plan`, with [`KEY`] when `encrypted`; an
/// encrypted store needs the `sqlcipher` feature.
pub fn builder<S: VersionedSchema>(
    plan: SchemaMigrationPlan<S>,
    encrypted: bool,
) -> staged::ModelContainerBuilder<S> {
    let builder = ModelContainer::builder(plan);
    #[cfg(feature = "sqlcipher")]
    if encrypted {
        return builder.encryption_key(staged::EncryptionKey::raw(KEY));
    }
    assert!(!encrypted, "encrypted stores need the `sqlcipher` feature");
    builder
}

/// Creates a 1.0.0 store at `path` encrypted with [`KEY`], holding items
/// `0..rows`, in `mode`.
pub fn seed_encrypted(path: &Path, rows: usize, mode: JournalMode) -> staged::Result<()> {
    {
        let container = builder(old_plan(), true)
            .journal_mode(mode.staged())
            .open(path)?;
        let mut ctx = container.context();
        ctx.transaction(|ctx| {
            for i in 0..rows {
                ctx.insert(old_item(i))?;
            }
            Ok(())
        })?;
    }
    let conn = open_sqlite(path, true)?;
    let mode_now: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    assert_eq!(
        mode_now,
        mode.pragma(),
        "journal mode of {}",
        path.display()
    );
    Ok(())
}

/// The journal mode recorded in the store at `path`.
pub fn journal_mode_of(path: &Path) -> Result<String, String> {
    journal_mode_of_keyed(path, false)
}

/// [`journal_mode_of`] a store encrypted with [`KEY`] when `encrypted`.
pub fn journal_mode_of_keyed(path: &Path, encrypted: bool) -> Result<String, String> {
    let conn = open_sqlite(path, encrypted).map_err(|e| format!("open: {e}"))?;
    conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .map_err(|e| format!("journal mode: {e}"))
}

/// Creates at `path` the database an app made by hand before it used
/// staged, with the 1.0.0 items `0..rows` (ids `1..=rows`), in `mode`:
/// what [`v1`] adopts.
pub fn seed_hand_made(path: &Path, rows: usize, mode: JournalMode) -> staged::Result<()> {
    {
        let mut conn = rusqlite::Connection::open(path)?;
        let tx = conn.transaction()?;
        tx.execute_batch(
            "CREATE TABLE Item (id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, \
             title TEXT NOT NULL, qty INTEGER NOT NULL, note TEXT)",
        )?;
        {
            let mut insert = tx.prepare("INSERT INTO Item VALUES (?1, ?2, ?3, ?4, ?5)")?;
            for i in 0..rows {
                let item = old_item(i);
                insert.execute(rusqlite::params![
                    i as i64 + 1,
                    item.uid,
                    item.title,
                    item.qty,
                    item.note
                ])?;
            }
        }
        tx.commit()?;
    }
    set_journal_mode(path, mode)
}

/// Switches the store at `path` to `mode` (recorded in the file).
pub fn set_journal_mode(path: &Path, mode: JournalMode) -> staged::Result<()> {
    let conn = rusqlite::Connection::open(path)?;
    let set: String = conn.query_row(
        &format!("PRAGMA journal_mode = {}", mode.pragma()),
        [],
        |r| r.get(0),
    )?;
    assert_eq!(set, mode.pragma(), "journal mode of {}", path.display());
    Ok(())
}
