//! The hand-written baselines of `benches/data_models.rs` do the same work
//! as staged: the same records read, the same rows written (in the same
//! stored forms), the same ids returned.

use std::collections::BTreeMap;

use staged::prelude::*;
use staged::rusqlite::Connection;
use staged_bench::data_models::{
    STORED_ROWS, UPSERT_ROWS, fetch_store, note, open_staged, raw_fetch_all, raw_upsert_all,
    raw_upsert_all_returning, staged_fetch_all, staged_upsert_all, upsert_fixture, upserts, v1,
};
use staged_bench::running_app::{Journal, open_raw, open_raw_reader};

fn records(records: Vec<Record<v1::Note>>) -> Vec<(i64, v1::Note)> {
    records
        .into_iter()
        .map(|r| (r.id().raw(), v1::Note::clone(&r)))
        .collect()
}

/// Every row of `Note` as SQLite holds it: the stored text of each column.
fn rows(path: &std::path::Path) -> Vec<(i64, String, String, String, String)> {
    let conn = Connection::open(path).expect("open");
    let mut statement = conn
        .prepare(r#"SELECT "_id", "uid", "title", "status", "created" FROM "Note" ORDER BY "_id""#)
        .expect("prepare");
    statement
        .query_map([], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("read")
}

#[test]
fn the_hand_written_decode_loop_reads_every_record_staged_fetches() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("notes.sqlite");
    fetch_store(&path, 1_000).expect("seed");
    let container = open_staged(&path);
    let staged = records(staged_fetch_all(&mut container.context()));
    assert_eq!(staged.len(), 1_000);
    assert_eq!(staged[7].1, note(7, 0));
    assert!(
        staged
            .iter()
            .any(|(_, n)| n.created.timestamp_subsec_nanos() % 1_000 != 0),
        "times with nanoseconds"
    );
    assert_eq!(staged, records(raw_fetch_all(&open_raw_reader(&path))));
}

/// The rows of `path` by uid: `(id, title, status, created)`.
fn by_uid(path: &std::path::Path) -> BTreeMap<String, (i64, String, String, String)> {
    rows(path)
        .into_iter()
        .map(|(id, uid, title, status, created)| (uid, (id, title, status, created)))
        .collect()
}

/// The id each of `upserts()` has in `rows`.
fn ids_of_upserts(rows: &BTreeMap<String, (i64, String, String, String)>) -> Vec<PersistentId> {
    upserts()
        .iter()
        .map(|note| PersistentId::from_raw(rows[&note.uid.to_string()].0))
        .collect()
}

#[test]
fn a_hand_written_upsert_writes_the_rows_staged_upserts() {
    let fixture = upsert_fixture();
    let before = by_uid(fixture.seeded());
    assert_eq!(before.len(), STORED_ROWS);

    let staged_path = fixture.fresh_copy();
    let staged_ids = {
        let container = open_staged(&staged_path);
        staged_upsert_all(&mut container.context(), upserts())
    };
    let staged = by_uid(&staged_path);
    assert_eq!(staged.len(), UPSERT_ROWS);
    assert_eq!(staged_ids, ids_of_upserts(&staged));
    // The stored notes kept their ids and took the edits; the others were added.
    for (uid, (id, title, ..)) in &before {
        assert_eq!(staged[uid].0, *id);
        assert_ne!(staged[uid].1, *title);
        assert!(staged[uid].1.ends_with(", edit 1"), "{title}");
    }

    let raw_path = fixture.fresh_copy();
    raw_upsert_all(&mut open_raw(&raw_path, Journal::WalNormal), upserts());
    let raw = by_uid(&raw_path);
    // The same rows, ids included: both take a new `AUTOINCREMENT` id for
    // every `INSERT … ON CONFLICT`, also when it then updates, so the notes
    // added have gaps in their ids.
    assert_eq!(raw, staged);
    let last_id = |rows: &BTreeMap<_, (i64, _, _, _)>| rows.values().map(|row| row.0).max();
    assert_eq!(last_id(&staged), Some((STORED_ROWS + UPSERT_ROWS) as i64));

    let returning_path = fixture.fresh_copy();
    let returned = raw_upsert_all_returning(
        &mut open_raw(&returning_path, Journal::WalNormal),
        upserts(),
    );
    let returning = by_uid(&returning_path);
    assert_eq!(returning, raw);
    assert_eq!(returned, ids_of_upserts(&returning));
}
