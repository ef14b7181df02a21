//! Models with value types in a running app: the fetch of a whole table of
//! notes with a `Uuid`, a `DateTime<Utc>` and a status column, and an
//! `upsert` of 10 000 notes in one transaction, half of them already stored,
//! each against hand-written rusqlite on the same kind of store.
//!
//! Every store is a `Note` store created by staged, so both sides read and
//! write the same table and unique index, on connections with the same
//! settings (`running_app::open_raw` and `open_raw_reader`). The
//! hand-written side stores the values in the same text forms (README,
//! "Value types") through the crates' own functions: `Uuid::to_string`,
//! `DateTime::to_rfc3339_opts` with nanoseconds and `Z`, and their parsers.
//! `benches/tests/data_models.rs` checks that both sides read the same
//! records and write the same rows.
//!
//! The status is a `String` for now. [`Status`] is the type every function
//! here uses for it; the hand-written side reads and writes it through
//! `FromStr` and `AsRef<str>`, as an app without staged would write for an
//! enum. To measure a `#[derive(StoredEnum)]` status instead, change the
//! alias (and the field `v1::Note::status`, which `#[model]` reads by its
//! written name, so it cannot name the alias while it is a `String`).

use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat};
use staged::JournalMode;
use staged::prelude::*;
use staged::rusqlite::types::Type;
use staged::rusqlite::{self, Connection, Row, params};
use uuid::Uuid;

use crate::fixture::Fixture;
use crate::running_app::Ratio;

/// The status column's type; see the module's documentation.
pub type Status = String;

/// The statuses notes take, in turn.
pub const STATUSES: [&str; 3] = ["open", "done", "archived"];

/// The notes store.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    /// A note of a notes app.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        /// The note's id in the app and on its server: what `upsert` matches on.
        #[attribute(unique)]
        pub uid: uuid::Uuid,
        /// The title.
        pub title: String,
        /// One of `STATUSES`: [`Status`](super::Status), written out (see the
        /// module's documentation).
        pub status: String,
        /// When the note was created, with sub-second precision.
        pub created: chrono::DateTime<chrono::Utc>,
    }
}

/// Rows in the store the whole-table fetch reads.
pub const FETCH_ROWS: usize = 100_000;

/// Notes one upsert transaction writes; the store holds every second one
/// (`STORED_ROWS`) before it.
pub const UPSERT_ROWS: usize = 10_000;

/// Notes in the store the upserts write to: the even-numbered of the
/// `UPSERT_ROWS`.
pub const STORED_ROWS: usize = UPSERT_ROWS / 2;

/// The plan of the notes store.
pub fn plan() -> SchemaMigrationPlan<v1::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .expect("plan")
}

/// The `i`-th note as stored (`edit` 0) or as edited since (`edit` 1): the
/// same uid and creation time, another title and status.
pub fn note(i: usize, edit: usize) -> v1::Note {
    let n = i as u128 + 1;
    // Spread over the whole range, as random (v4) ids are.
    let uid = Uuid::from_u128(n.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835));
    let seconds = 1_714_564_800 + 37 * i as i64;
    let nanos = (i as u32 % 1_000) * 1_000_017;
    let title = match edit {
        0 => format!("note {i}"),
        _ => format!("note {i}, edit {edit}"),
    };
    v1::Note {
        uid,
        title,
        status: status((i + edit) % STATUSES.len()),
        created: DateTime::from_timestamp(seconds, nanos).expect("a time in range"),
    }
}

/// A status's stored text, as the hand-written side writes it.
fn status_text(status: &Status) -> &str {
    status.as_ref()
}

fn status(k: usize) -> Status {
    STATUSES[k].parse().expect("a status")
}

/// The notes of the store the fetch reads: `note(i, 0)` for `i` below `rows`.
pub fn fetch_store(path: &Path, rows: usize) -> Result<(), Box<dyn std::error::Error>> {
    seed(path, (0..rows).map(|i| note(i, 0)))
}

/// The store the upserts write to: the even-numbered notes of
/// `UPSERT_ROWS`, as first stored.
pub fn upsert_store(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    seed(path, (0..UPSERT_ROWS).step_by(2).map(|i| note(i, 0)))
}

fn seed(
    path: &Path,
    notes: impl Iterator<Item = v1::Note>,
) -> Result<(), Box<dyn std::error::Error>> {
    let container = open_staged(path);
    container.context().insert_all(notes)?;
    Ok(())
}

/// The notes one upsert transaction writes: every note of `UPSERT_ROWS`,
/// edited; the odd-numbered ones are new.
pub fn upserts() -> Vec<v1::Note> {
    (0..UPSERT_ROWS).map(|i| note(i, 1)).collect()
}

/// A seeded upsert store, copied for each iteration.
pub fn upsert_fixture() -> Fixture {
    Fixture::build("notes", upsert_store).expect("seed the notes store")
}

/// Opens the store at `path` through staged (WAL + NORMAL, the default).
pub fn open_staged(path: &Path) -> ModelContainer<v1::Schema> {
    ModelContainer::builder(plan())
        .journal_mode(JournalMode::Wal)
        .open(path)
        .expect("open the store")
}

/// Every note through `ModelContext::fetch` (outside a transaction: on a
/// read connection).
pub fn staged_fetch_all(ctx: &mut ModelContext<v1::Schema>) -> Vec<Record<v1::Note>> {
    ctx.fetch(FetchDescriptor::new()).expect("fetch every note")
}

/// The statement staged runs for [`staged_fetch_all`].
const SELECT: &str =
    r#"SELECT "_id", "uid", "title", "status", "created" FROM "Note" ORDER BY "_id""#;

/// Column `i` of `row` as text, without a copy.
fn text<'r>(row: &'r Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    row.get_ref(i)?.as_str().map_err(|e| conversion(i, e))
}

fn conversion(i: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e))
}

fn read_note(row: &Row<'_>) -> rusqlite::Result<Record<v1::Note>> {
    Ok(Record::new(
        PersistentId::from_raw(row.get(0)?),
        v1::Note {
            uid: Uuid::parse_str(text(row, 1)?).map_err(|e| conversion(1, e))?,
            title: row.get(2)?,
            status: Status::from_str(text(row, 3)?).map_err(|e| conversion(3, e))?,
            created: DateTime::parse_from_rfc3339(text(row, 4)?)
                .map_err(|e| conversion(4, e))?
                .to_utc(),
        },
    ))
}

/// Every note, hand-written: a cached prepared `SELECT` of the same columns,
/// each row decoded into the same record (the uid and the time parsed from
/// borrowed text).
pub fn raw_fetch_all(conn: &Connection) -> Vec<Record<v1::Note>> {
    let mut statement = conn.prepare_cached(SELECT).expect("prepare");
    statement
        .query_map([], read_note)
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("read every note")
}

/// Upserts `notes` through `ModelContext::upsert` in one transaction;
/// returns their ids.
pub fn staged_upsert_all(
    ctx: &mut ModelContext<v1::Schema>,
    notes: Vec<v1::Note>,
) -> Vec<PersistentId> {
    ctx.transaction(|ctx| notes.into_iter().map(|note| ctx.upsert(note)).collect())
        .expect("upsert")
}

/// The hand-written upsert: insert, or on the same uid update every other
/// column.
pub const UPSERT: &str = r#"INSERT INTO "Note" ("uid", "title", "status", "created")
    VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT ("uid") DO UPDATE SET
        "title" = excluded."title", "status" = excluded."status", "created" = excluded."created""#;

/// The stored texts of a note's uid and creation time, as a hand-written app
/// makes them.
fn encoded(note: &v1::Note) -> (String, String) {
    (
        note.uid.to_string(),
        note.created.to_rfc3339_opts(SecondsFormat::Nanos, true),
    )
}

/// Upserts `notes`, hand-written: one prepared `INSERT … ON CONFLICT … DO
/// UPDATE` per note in one transaction.
pub fn raw_upsert_all(conn: &mut Connection, notes: Vec<v1::Note>) {
    let tx = conn.transaction().expect("begin");
    {
        let mut statement = tx.prepare_cached(UPSERT).expect("prepare");
        for note in notes {
            let (uid, created) = encoded(&note);
            statement
                .execute(params![uid, note.title, status_text(&note.status), created])
                .expect("upsert");
        }
    }
    tx.commit().expect("commit");
}

/// [`raw_upsert_all`] with `RETURNING "_id"`: the ids `upsert` returns
/// (an update sets no `last_insert_rowid`). A reference, not the baseline.
pub fn raw_upsert_all_returning(conn: &mut Connection, notes: Vec<v1::Note>) -> Vec<PersistentId> {
    let tx = conn.transaction().expect("begin");
    let ids = {
        let mut statement = tx
            .prepare_cached(&format!(r#"{UPSERT} RETURNING "_id""#))
            .expect("prepare");
        notes
            .into_iter()
            .map(|note| {
                let (uid, created) = encoded(&note);
                let id = statement
                    .query_row(
                        params![uid, note.title, status_text(&note.status), created],
                        |row| row.get(0),
                    )
                    .expect("upsert");
                PersistentId::from_raw(id)
            })
            .collect()
    };
    tx.commit().expect("commit");
    ids
}

/// The ratios of this module's benchmarks measured since `since`.
pub fn ratios(dir: &Path, since: std::time::SystemTime) -> Vec<Ratio> {
    let m = |group: &str, function: &str, rows: usize| {
        crate::report::median(dir, since, group, function, Some(rows))
    };
    let mut out = Vec::new();
    let mut time = |what, ours: Option<f64>, baseline: Option<f64>, goal| {
        if let (Some(ours), Some(baseline)) = (ours, baseline) {
            out.push(Ratio {
                what,
                ours,
                baseline,
                goal,
            });
        }
    };
    let fetch = |f| m("value_types_fetch_all", f, FETCH_ROWS);
    let upsert = |f| m("upsert", f, UPSERT_ROWS);
    time(
        "fetch of 100k notes (uuid, datetime, status): staged / hand-written rusqlite decode loop",
        fetch("staged"),
        fetch("rusqlite"),
        "<= 1.2",
    );
    time(
        "upsert of 10k notes in one transaction, half stored: staged / hand-written ON CONFLICT DO UPDATE",
        upsert("staged"),
        upsert("rusqlite"),
        "<= 1.5",
    );
    time(
        "the same, hand-written with RETURNING \"_id\" / without",
        upsert("rusqlite_returning"),
        upsert("rusqlite"),
        "(reference)",
    );
    out
}
