//! Checks of a store after a kill, with plain SQLite: integrity, version,
//! tables, history and every row against the expected old or new data.

use std::path::Path;

use staged::rusqlite;

use crate::{new_item, old_item, old_tag};

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
    check_items(path, rows, 3, false)
}

/// [`check_items_store`] for a store encrypted with [`KEY`](crate::KEY)
/// when `encrypted`.
pub fn check_items_store_keyed(path: &Path, rows: usize, encrypted: bool) -> Result<Side, String> {
    check_items(path, rows, 3, encrypted)
}

/// Checks a database the app made by hand (see
/// [`seed_hand_made`](crate::seed_hand_made)) after a killed adoption: either
/// still the hand-made database with exactly the seeded items (the old
/// side), or a store at 4.0.0 with exactly their migrated form and four
/// history rows (adopted, then the three steps). A store stamped at 1.0.0
/// is an error: adoption and migration commit together.
pub fn check_adopted_store(path: &Path, rows: usize) -> Result<Side, String> {
    let conn = rusqlite::Connection::open(path).map_err(|e| format!("open: {e}"))?;
    let id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| format!("application_id: {e}"))?;
    if id != 0 {
        drop(conn);
        return check_items(path, rows, 4, false).and_then(|side| match side {
            Side::New => Ok(Side::New),
            Side::Old => Err("adopted at 1.0.0 but not migrated".to_owned()),
        });
    }
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| format!("integrity_check: {e}"))?;
    if integrity != "ok" {
        return Err(format!("hand-made: integrity_check: {integrity}"));
    }
    let tables = tables(&conn)?;
    if tables != ["Item"] {
        return Err(format!("hand-made: unexpected tables {tables:?}"));
    }
    let sql_error = |e: rusqlite::Error| format!("hand-made: {e}");
    let mut statement = conn
        .prepare("SELECT id, uid, title, qty, note FROM Item ORDER BY id")
        .map_err(sql_error)?;
    let mut read = statement.query([]).map_err(sql_error)?;
    let mut count = 0;
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
            return Err(format!("hand-made: row {got:?}, expected {want:?}"));
        }
        count += 1;
    }
    if count != rows {
        return Err(format!("hand-made: {count} items, expected {rows}"));
    }
    Ok(Side::Old)
}

fn check_items(path: &Path, rows: usize, steps: i64, encrypted: bool) -> Result<Side, String> {
    let conn = crate::open_sqlite(path, encrypted).map_err(|e| format!("open: {e}"))?;
    let (side, version) = check_header(&conn, &["1.0.0", "4.0.0"], steps)?;
    let tables = tables(&conn)?;
    if tables
        != [
            "Item",
            "_staged_history",
            "_staged_metadata",
            "sqlite_sequence",
        ]
    {
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

/// Like [`check_items_store`] for a tag store (one step).
pub fn check_tags_store(path: &Path, rows: usize) -> Result<Side, String> {
    let conn = rusqlite::Connection::open(path).map_err(|e| format!("open: {e}"))?;
    let (side, version) = check_header(&conn, &["1.0.0", "2.0.0"], 1)?;
    let tables = tables(&conn)?;
    if tables
        != [
            "Tag",
            "_staged_history",
            "_staged_metadata",
            "sqlite_sequence",
        ]
    {
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
