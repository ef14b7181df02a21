//! Process-level tests of staged: the schemas, plans, seed data and checks
//! shared by the `staged-harness` binary (which migrates a store and can
//! pause at a chosen point of the migration) and the tests that drive it
//! (SIGKILL fault injection, concurrent opens, read-only files).
//!
//! The pause points are reached through the public [`MigrationObserver`]:
//! the library has no test-only code.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Mutex;

use staged::prelude::*;
use staged::{Error, MigrationObserver, MigrationPath, MigrationStep, StoreError, rusqlite};

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
    #[model]
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

/// Like [`check_items_store`] for a tag store (one step).
pub fn check_tags_store(path: &Path, rows: usize) -> Result<Side, String> {
    let conn = rusqlite::Connection::open(path).map_err(|e| format!("open: {e}"))?;
    let (side, version) = check_header(&conn, &["1.0.0", "2.0.0"], 1)?;
    let tables = tables(&conn)?;
    if tables != ["Tag", "_staged_history", "_staged_metadata"] {
        return Err(format!("at {version}: unexpected tables {tables:?}"));
    }
    let sql_error = |e: rusqlite::Error| format!("at {version}: {e}");
    let weight = if side == Side::New { "weight" } else { "NULL" };
    let mut statement = conn
        .prepare(&format!(
            "SELECT _id, name, uses, {weight} FROM Tag ORDER BY _id"
        ))
        .map_err(sql_error)?;
    let mut read = statement.query([]).map_err(sql_error)?;
    let mut count = 0;
    while let Some(row) = read.next().map_err(sql_error)? {
        let got: (i64, String, i64, Option<i64>) = (
            row.get(0).map_err(sql_error)?,
            row.get(1).map_err(sql_error)?,
            row.get(2).map_err(sql_error)?,
            row.get(3).map_err(sql_error)?,
        );
        let tag = old_tag(count);
        let weight = (side == Side::New).then(|| tag.uses * 2 + tag.name.len() as i64);
        let want = (count as i64 + 1, tag.name, tag.uses, weight);
        if got != want {
            return Err(format!("at {version}: row {got:?}, expected {want:?}"));
        }
        count += 1;
    }
    if count != rows {
        return Err(format!("at {version}: {count} tags, expected {rows}"));
    }
    Ok(side)
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

    /// The `PRAGMA journal_mode` value.
    pub fn pragma(self) -> &'static str {
        match self {
            JournalMode::Rollback => "delete",
            JournalMode::Wal => "wal",
        }
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

/// Which side of a migration a store is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// The old version, with exactly the old data.
    Old,
    /// The latest version, with exactly the migrated data.
    New,
}

/// Checks the store at `path` with plain SQLite (which, like any open,
/// recovers a hot journal or a WAL left by a killed process): integrity
/// check `ok`, version 1.0.0 with exactly the seeded items or 4.0.0 with
/// exactly their migrated form, only the expected tables, and one history
/// row per step taken. Returns the side, or what is wrong.
pub fn check_items_store(path: &Path, rows: usize) -> Result<Side, String> {
    let conn = rusqlite::Connection::open(path).map_err(|e| format!("open: {e}"))?;
    let (side, version) = check_header(&conn, &["1.0.0", "4.0.0"], 3)?;
    let tables = tables(&conn)?;
    if tables != ["Item", "_staged_history", "_staged_metadata"] {
        return Err(format!("at {version}: unexpected tables {tables:?}"));
    }
    let sql_error = |e: rusqlite::Error| format!("at {version}: {e}");
    let mut count = 0;
    match side {
        Side::Old => {
            let mut statement = conn
                .prepare("SELECT _id, uid, title, qty, note FROM Item ORDER BY _id")
                .map_err(sql_error)?;
            let mut read = statement.query([]).map_err(sql_error)?;
            while let Some(row) = read.next().map_err(sql_error)? {
                let got: (i64, String, String, i64, Option<String>) = (
                    row.get(0).map_err(sql_error)?,
                    row.get(1).map_err(sql_error)?,
                    row.get(2).map_err(sql_error)?,
                    row.get(3).map_err(sql_error)?,
                    row.get(4).map_err(sql_error)?,
                );
                let item = old_item(count);
                let want = (count as i64 + 1, item.uid, item.title, item.qty, item.note);
                if got != want {
                    return Err(format!("at {version}: row {got:?}, expected {want:?}"));
                }
                count += 1;
            }
        }
        Side::New => {
            let mut statement = conn
                .prepare("SELECT _id, uid, name, qty, score, tag, label FROM Item ORDER BY _id")
                .map_err(sql_error)?;
            let mut read = statement.query([]).map_err(sql_error)?;
            while let Some(row) = read.next().map_err(sql_error)? {
                type Row = (i64, String, String, i64, i64, Option<String>, String);
                let got: Row = (
                    row.get(0).map_err(sql_error)?,
                    row.get(1).map_err(sql_error)?,
                    row.get(2).map_err(sql_error)?,
                    row.get(3).map_err(sql_error)?,
                    row.get(4).map_err(sql_error)?,
                    row.get(5).map_err(sql_error)?,
                    row.get(6).map_err(sql_error)?,
                );
                let item = new_item(count);
                let want: Row = (
                    count as i64 + 1,
                    item.uid,
                    item.name,
                    item.qty,
                    item.score,
                    item.tag,
                    item.label,
                );
                if got != want {
                    return Err(format!("at {version}: row {got:?}, expected {want:?}"));
                }
                count += 1;
            }
        }
    }
    if count != rows {
        return Err(format!("at {version}: {count} items, expected {rows}"));
    }
    Ok(side)
}

/// Integrity check, then the version: the first of `versions` is
/// [`Side::Old`] (no history rows), the second [`Side::New`] (`steps`
/// history rows).
pub fn check_header(
    conn: &rusqlite::Connection,
    versions: &[&str; 2],
    steps: i64,
) -> Result<(Side, String), String> {
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| format!("integrity_check: {e}"))?;
    if integrity != "ok" {
        return Err(format!("integrity_check: {integrity}"));
    }
    let version: String = conn
        .query_row("SELECT version FROM _staged_metadata", [], |r| r.get(0))
        .map_err(|e| format!("metadata: {e}"))?;
    let side = if version == versions[0] {
        Side::Old
    } else if version == versions[1] {
        Side::New
    } else {
        return Err(format!("version {version}, neither {versions:?}"));
    };
    let history: i64 = conn
        .query_row("SELECT count(*) FROM _staged_history", [], |r| r.get(0))
        .map_err(|e| format!("history: {e}"))?;
    let want = if side == Side::Old { 0 } else { steps };
    if history != want {
        return Err(format!(
            "at {version}: {history} history rows, expected {want}"
        ));
    }
    Ok((side, version))
}

/// The store's tables, sorted.
pub fn tables(conn: &rusqlite::Connection) -> Result<Vec<String>, String> {
    let mut statement = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .map_err(|e| e.to_string())?;
    statement
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| e.to_string())
}

/// A point of a migration where the harness stops and waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pause {
    /// Before the migration's transaction begins (`will_migrate_store`).
    Start,
    /// Before step `k` (0-based) runs, inside the transaction.
    Step(usize),
    /// Inside a transform (of step `step`, or of any step), once it has
    /// processed at least `rows` rows.
    Row {
        /// The step whose transform pauses; `None` for the first that gets there.
        step: Option<usize>,
        /// Rows processed (progress is reported every
        /// [`PROGRESS_INTERVAL`](staged::PROGRESS_INTERVAL) rows and at the end).
        rows: u64,
    },
    /// After the store committed (`did_migrate_store`).
    Committed,
}

impl std::str::FromStr for Pause {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let number = |n: &str| n.parse().map_err(|_| format!("bad number in `{s}`"));
        match s.split_once(':') {
            None if s == "start" => Ok(Pause::Start),
            None if s == "committed" => Ok(Pause::Committed),
            Some(("step", k)) => Ok(Pause::Step(number(k)? as usize)),
            Some(("row", rest)) => match rest.split_once(':') {
                None => Ok(Pause::Row {
                    step: None,
                    rows: number(rest)?,
                }),
                Some((k, n)) => Ok(Pause::Row {
                    step: Some(number(k)? as usize),
                    rows: number(n)?,
                }),
            },
            _ => Err(format!(
                "unknown pause point `{s}`: expected start, step:<k>, row:[<k>:]<n> or committed"
            )),
        }
    }
}

impl std::fmt::Display for Pause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pause::Start => f.write_str("start"),
            Pause::Step(k) => write!(f, "step:{k}"),
            Pause::Row { step: None, rows } => write!(f, "row:{rows}"),
            Pause::Row {
                step: Some(k),
                rows,
            } => write!(f, "row:{k}:{rows}"),
            Pause::Committed => f.write_str("committed"),
        }
    }
}

/// Prints every migration event on stdout, one line each, and at its
/// pause point prints `paused <point>` and waits for a line on stdin (a
/// test either kills the process there or lets it go on).
pub struct Printer {
    label: String,
    pause: Option<Pause>,
    paused: Mutex<bool>,
    step: Mutex<usize>,
}

impl Printer {
    /// Events are prefixed with `label` (e.g. the store's name).
    pub fn new(label: &str, pause: Option<Pause>) -> Self {
        Printer {
            label: label.to_owned(),
            pause,
            paused: Mutex::new(false),
            step: Mutex::new(0),
        }
    }

    /// Prints a line now.
    pub fn say(&self, line: &str) {
        let mut out = std::io::stdout().lock();
        // The test reads lines as they come: flush each one.
        let _ = writeln!(out, "{} {line}", self.label);
        let _ = out.flush();
    }

    fn reached(&self, point: &Pause) {
        let hit = match (&self.pause, point) {
            (
                Some(Pause::Row { step, rows: want }),
                Pause::Row {
                    step: Some(current),
                    rows: done,
                },
            ) => step.is_none_or(|k| k == *current) && done >= want,
            (Some(want), point) => want == point,
            (None, _) => false,
        };
        let mut paused = self.paused.lock().unwrap_or_else(|e| e.into_inner());
        if hit && !*paused {
            *paused = true;
            self.say(&format!("paused {point}"));
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
            self.say("resumed");
        }
    }
}

impl MigrationObserver for Printer {
    fn will_migrate_store(&self, path: &MigrationPath) {
        self.say(&format!("will-migrate {path}"));
        self.reached(&Pause::Start);
    }

    fn will_run_stage(&self, index: usize, _total: usize, _step: &MigrationStep) {
        *self.step.lock().unwrap_or_else(|e| e.into_inner()) = index;
        self.say(&format!("step {index}"));
        self.reached(&Pause::Step(index));
    }

    fn stage_progress(&self, _step: &MigrationStep, _entity: &str, done: u64, _total: u64) {
        let step = *self.step.lock().unwrap_or_else(|e| e.into_inner());
        self.reached(&Pause::Row {
            step: Some(step),
            rows: done,
        });
    }

    fn did_migrate_store(&self, _path: &MigrationPath) {
        self.say("committed");
        self.reached(&Pause::Committed);
    }

    fn migration_failed(&self, _path: &MigrationPath, error: &Error) {
        self.say(&format!("failed {error}"));
    }
}

/// A short name for the kind of `error`, printed by the harness so tests
/// can match on it.
pub fn error_kind(error: &Error) -> &'static str {
    match error {
        Error::Store(StoreError::Busy { .. }) => "busy",
        Error::Store(StoreError::ReadOnly { .. }) => "read-only",
        Error::Store(StoreError::Corrupt { .. }) => "corrupt",
        Error::Store(StoreError::DiskFull { .. }) => "disk-full",
        Error::Store(_) => "store",
        Error::Migration(_) => "migration",
        _ => "other",
    }
}
