//! The walk on real files: healthy stores of every shape pass, and each
//! kind of damage is refused with its page named.

use proptest::prelude::*;
use rusqlite::Connection;

use super::super::freelist;
use super::cell::{local_payload, take_bytes, varint};
use super::*;
use crate::sql;

/// What a random store is made of.
#[derive(Debug, Clone)]
enum Op {
    /// A row of `payload` bytes into the rowid table, the `WITHOUT ROWID`
    /// table, or both.
    Insert { payload: usize, both: bool },
    /// Deletes the rows whose id is `n` modulo `of`.
    Delete { n: u8, of: u8 },
    /// Gives the rows whose id is `n` modulo 3 `payload` bytes.
    Update { n: u8, payload: usize },
}

fn op() -> impl Strategy<Value = Op> {
    // Most rows small, some a few pages long (overflow chains).
    let payload = prop_oneof![4 => 0usize..300, 1 => 300usize..20_000];
    prop_oneof![
        8 => (payload.clone(), any::<bool>())
            .prop_map(|(payload, both)| Op::Insert { payload, both }),
        1 => (0u8..5, 2u8..6).prop_map(|(n, of)| Op::Delete { n: n % of, of }),
        1 => (0u8..3, payload).prop_map(|(n, payload)| Op::Update { n, payload }),
    ]
}

/// A store built by `ops` in `dir`, with 1024-byte pages (deep trees from
/// few rows).
fn store(dir: &std::path::Path, ops: &[Op]) -> std::path::PathBuf {
    store_with(dir, ops, 1024)
}

/// A store built by `ops` in `dir`, with pages of `page_size` bytes.
fn store_with(dir: &std::path::Path, ops: &[Op], page_size: u32) -> std::path::PathBuf {
    let path = dir.join("store.sqlite");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA page_size = {page_size};
         CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT, v BLOB);
         CREATE INDEX t_k ON t (k);
         CREATE TABLE w (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID;"
    ))
    .unwrap();
    // Enough tables that the schema's tree grows past page 1, and rows
    // without a tree.
    for k in 0..12 {
        conn.execute_batch(&format!(
            "CREATE TABLE pad_{k} (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r);"
        ))
        .unwrap();
    }
    conn.execute_batch(
        "CREATE VIEW keys AS SELECT k FROM t;
         CREATE TRIGGER t_v AFTER DELETE ON t BEGIN SELECT 1; END;",
    )
    .unwrap();
    for (i, op) in ops.iter().enumerate() {
        match *op {
            Op::Insert { payload, both } => {
                let key = format!("{:0width$}", i * 7919 % 1000, width = payload % 40 + 1);
                let blob = vec![i as u8; payload];
                conn.execute("INSERT INTO t (k, v) VALUES (?1, ?2)", (&key, &blob))
                    .unwrap();
                if both {
                    conn.execute(
                        "INSERT OR REPLACE INTO w (k, v) VALUES (?1, ?2)",
                        (&key, &blob),
                    )
                    .unwrap();
                }
            }
            Op::Delete { n, of } => {
                conn.execute("DELETE FROM t WHERE id % ?2 = ?1", (n, of))
                    .unwrap();
                conn.execute("DELETE FROM w WHERE length(k) % ?2 = ?1", (n, of))
                    .unwrap();
            }
            Op::Update { n, payload } => {
                conn.execute(
                    "UPDATE t SET v = zeroblob(?2) WHERE id % 3 = ?1",
                    (n, payload as i64),
                )
                .unwrap();
            }
        }
    }
    path
}

/// Walks every tree of the store at `path`, the schema's (page 1) first.
fn walk_all(path: &std::path::Path) -> Option<String> {
    let conn = Connection::open(path).unwrap();
    let mut roots: Vec<(String, u32)> = vec![("sqlite_schema".into(), 1)];
    roots.extend(
        conn.prepare("SELECT name, rootpage FROM sqlite_schema WHERE rootpage > 0")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .map(Result::unwrap),
    );
    let file = HeldFile::open(path).unwrap().unwrap();
    let (geometry, start) = freelist::header(path, &file).unwrap().unwrap();
    let free = freelist::read(&file, &geometry).unwrap().unwrap();
    let mut walk = Walk::new(&file, &geometry, &free, start);
    roots
        .iter()
        .find_map(|(name, root)| walk.tree(name, *root).unwrap())
}

/// A tree: its name, its table, whether it is the table's own, its root page.
type TreeRoot = (String, String, bool, u32);

/// Every tree but the schema's, as SQLite reads its rows.
fn sql_roots(path: &std::path::Path) -> Vec<TreeRoot> {
    let conn = Connection::open(path).unwrap();
    let mut statement = conn.prepare(sql::SELECT_ROOT_PAGES).unwrap();
    statement
        .query_map([], |row| {
            let kind: String = row.get(2)?;
            Ok((row.get(0)?, row.get(1)?, kind == "table", row.get(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Every tree but the schema's, as the walk reads the schema's rows from
/// the pages (`None` when it cannot), or the damage it found.
fn walk_roots(path: &std::path::Path) -> Result<Option<Vec<TreeRoot>>, String> {
    let file = HeldFile::open(path).unwrap().unwrap();
    let (geometry, start) = freelist::header(path, &file).unwrap().unwrap();
    let free = freelist::read(&file, &geometry).unwrap().unwrap();
    let roots = Walk::new(&file, &geometry, &free, start)
        .schema()
        .unwrap()?;
    Ok(roots.map(|roots| {
        roots
            .into_iter()
            .map(|r| (r.name, r.table, r.is_table, r.page))
            .collect()
    }))
}

/// A store with a deep rowid tree, overflow chains and free pages.
fn damaged(damage: impl FnOnce(&Connection, &mut Vec<u8>)) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut ops: Vec<Op> = (0..300)
        .map(|i| Op::Insert {
            payload: if i % 10 == 0 { 5000 } else { 100 },
            both: false,
        })
        .collect();
    ops.push(Op::Delete { n: 1, of: 4 });
    let path = store(dir.path(), &ops);
    let mut bytes = std::fs::read(&path).unwrap();
    damage(&Connection::open(&path).unwrap(), &mut bytes);
    std::fs::write(&path, &bytes).unwrap();
    walk_all(&path)
}

/// The pages of tree `name` of one kind with at least `cells` cells,
/// from SQLite's `dbstat` table.
fn pages_of(conn: &Connection, name: &str, kind: &str, cells: u32) -> Vec<u32> {
    conn.prepare(
        "SELECT pageno FROM dbstat WHERE name = ?1 AND pagetype = ?2 AND ncell >= ?3 ORDER BY pageno",
    )
    .unwrap()
    .query_map((name, kind, cells), |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn at(page: u32) -> usize {
    (page as usize - 1) * 1024
}

fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap())
}

#[test]
fn a_healthy_store_with_overflow_chains_passes() {
    let detail = damaged(|conn, _| {
        assert_eq!(
            pages_of(conn, "sqlite_schema", "internal", 1),
            [1],
            "the schema's tree goes past page 1, whose header follows the file's"
        );
        assert!(!pages_of(conn, "t", "overflow", 0).is_empty());
    });
    assert_eq!(detail, None);
}

/// Lists leaf `k` of tree `name` as the free list's first leaf page too,
/// and checks that the walk of `name` refuses it.
fn a_leaf_also_free_is_refused(name: &str, k: usize) {
    let mut leaf = 0;
    let detail = damaged(|conn, bytes| {
        leaf = pages_of(conn, name, "leaf", 0)[k];
        let trunk = at(be32(bytes, 32));
        bytes[trunk + 8..trunk + 12].copy_from_slice(&leaf.to_be_bytes());
    });
    assert_eq!(
        detail,
        Some(format!(
            "tree of `{name}`, page {leaf}: page {leaf} is also on the free-page list"
        ))
    );
}

#[test]
fn a_page_of_the_schema_that_is_also_free_is_refused() {
    a_leaf_also_free_is_refused("sqlite_schema", 0);
}

#[test]
fn a_page_of_a_tree_that_is_also_free_is_refused() {
    a_leaf_also_free_is_refused("t", 1);
}

#[test]
fn a_child_reached_twice_is_refused() {
    let mut child = 0;
    let detail = damaged(|conn, bytes| {
        // In the index, whose keys have no order the walk checks.
        let interior = at(pages_of(conn, "t_k", "internal", 1)[0]);
        // The right-most child becomes the first cell's left child.
        let first_cell = usize::from(u16::from_be_bytes([
            bytes[interior + 12],
            bytes[interior + 13],
        ]));
        child = be32(bytes, interior + first_cell);
        bytes[interior + 8..interior + 12].copy_from_slice(&child.to_be_bytes());
    });
    let detail = detail.unwrap();
    assert!(
        detail.ends_with(&format!("page {child} is reached twice")),
        "{detail}"
    );
}

#[test]
fn rowids_out_of_order_are_refused() {
    let detail = damaged(|conn, bytes| {
        // The first two cells of a leaf swap places.
        let leaf = at(pages_of(conn, "t", "leaf", 2)[0]);
        let pointers = leaf + 8;
        let (a, b) = (pointers, pointers + 2);
        let first = [bytes[a], bytes[a + 1]];
        bytes.copy_within(b..b + 2, a);
        bytes[b..b + 2].copy_from_slice(&first);
    })
    .unwrap();
    assert!(
        detail.contains("cell 1: rowid") && detail.ends_with("out of order"),
        "{detail}"
    );
}

#[test]
fn two_cells_on_the_same_bytes_are_refused() {
    let detail = damaged(|conn, bytes| {
        let leaf = at(pages_of(conn, "t", "leaf", 2)[0]);
        bytes.copy_within(leaf + 8..leaf + 10, leaf + 10);
    })
    .unwrap();
    assert!(
        detail.ends_with(": cell 1 overlaps another cell"),
        "{detail}"
    );
}

#[test]
fn taken_bytes_across_words() {
    let mut used = vec![0u64; 3];
    assert!(take_bytes(&mut used, 10, 140));
    assert_eq!(used, [!0 << 10, !0, (1 << 12) - 1]);
    assert!(take_bytes(&mut used, 0, 10) && take_bytes(&mut used, 140, 150));
    assert!(!take_bytes(&mut used, 149, 151), "byte 149 is taken");
    assert!(!take_bytes(&mut used, 63, 65));
}

#[test]
fn an_overflow_chain_of_the_wrong_length_is_refused() {
    let detail = damaged(|conn, bytes| {
        // Every overflow page that goes on ends the chain instead.
        for page in pages_of(conn, "t", "overflow", 0) {
            if be32(bytes, at(page)) != 0 {
                bytes[at(page)..at(page) + 4].copy_from_slice(&[0; 4]);
            }
        }
    })
    .unwrap();
    assert!(
        detail.starts_with("tree of `t`, page ") && detail.ends_with(" pages short"),
        "{detail}"
    );
}

#[test]
fn a_scrambled_page_is_refused() {
    let detail = damaged(|conn, bytes| {
        let leaf = at(pages_of(conn, "t", "leaf", 0)[3]);
        for (k, byte) in bytes[leaf + 8..leaf + 1024].iter_mut().enumerate() {
            *byte = (k * 7 % 251) as u8;
        }
    })
    .unwrap();
    assert!(
        detail.contains("cell 0 starts outside the cell area"),
        "{detail}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// No healthy store is refused: whatever rows, overflow chains, free
    /// pages and tree shapes inserts, updates and deletes leave, SQLite's
    /// own check passes and so does the walk.
    #[test]
    fn a_healthy_store_passes(ops in proptest::collection::vec(op(), 1..400)) {
        let dir = tempfile::tempdir().unwrap();
        let path = store(dir.path(), &ops);
        let check: String = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA quick_check", [], |row| row.get(0))
            .unwrap();
        prop_assert_eq!(check, "ok");
        prop_assert_eq!(walk_all(&path), None);
        prop_assert_eq!(walk_roots(&path), Ok(Some(sql_roots(&path))));
    }
}

/// The walk starts from the bytes read with the header (16 KiB): whole
/// pages of any size in it are read from it, a page larger than it is read
/// again, and a file shorter than it is read whole.
#[test]
fn the_first_read_serves_every_page_size_and_a_file_shorter_than_it() {
    let rows: Vec<Op> = (0..60)
        .map(|i| Op::Insert {
            payload: i * 97 % 3000,
            both: i % 2 == 0,
        })
        .collect();
    for page_size in [512, 4096, 65_536] {
        for ops in [&[][..], &rows[..]] {
            let dir = tempfile::tempdir().unwrap();
            let path = store_with(dir.path(), ops, page_size);
            let length = std::fs::metadata(&path).unwrap().len();
            let case = format!("{page_size}-byte pages, {length} bytes");
            assert_eq!(walk_all(&path), None, "{case}");
            assert_eq!(walk_roots(&path), Ok(Some(sql_roots(&path))), "{case}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let short = store_with(dir.path(), &[], 512);
    assert!(std::fs::metadata(&short).unwrap().len() < 16 * 1024);
}

#[test]
fn varints_of_one_to_nine_bytes() {
    assert_eq!(varint(&[0x05]), Some((5, 1)));
    assert_eq!(varint(&[0x81, 0x00]), Some((128, 2)));
    assert_eq!(varint(&[0xff; 9]), Some((u64::MAX, 9)));
    assert_eq!(varint(&[0x81]), None, "cut short");
}

#[test]
fn local_payload_follows_the_file_format() {
    // 4096-byte pages: a table leaf keeps up to 4061 bytes, an index 1002.
    assert_eq!(local_payload(4061, true, 4096), 4061);
    assert_eq!(local_payload(1002, false, 4096), 1002);
    // Beyond: min + (P - min) % (U - 4) when that fits, else min (489).
    assert_eq!(local_payload(5000, true, 4096), 489 + (5000 - 489) % 4092);
    assert_eq!(local_payload(4062, true, 4096), 489);
}

#[test]
fn schema_rows_read_from_the_pages_are_sqlite_s() {
    let dir = tempfile::tempdir().unwrap();
    let path = store(dir.path(), &[]);
    let roots = walk_roots(&path).unwrap().expect("every row read");
    assert_eq!(roots, sql_roots(&path));
    assert!(
        roots
            .iter()
            .any(|r| (r.0.as_str(), r.1.as_str(), r.2) == ("t_k", "t", false)),
        "{roots:?}"
    );
    assert!(
        !roots.iter().any(|r| r.0 == "keys" || r.0 == "t_v"),
        "no tree"
    );
}

#[test]
fn schema_rows_the_page_does_not_hold_are_left_to_sqlite() {
    // A name longer than a 1024-byte page keeps: the row overflows.
    let dir = tempfile::tempdir().unwrap();
    let path = store(dir.path(), &[]);
    let long = "n".repeat(2000);
    Connection::open(&path)
        .unwrap()
        .execute_batch(&format!("CREATE TABLE {long} (a)"))
        .unwrap();
    assert_eq!(walk_roots(&path), Ok(None));

    // Text in UTF-16.
    let path = dir.path().join("utf16.sqlite");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA encoding = 'UTF-16le'; CREATE TABLE t (a);")
        .unwrap();
    drop(conn);
    assert_eq!(walk_roots(&path), Ok(None));
}

#[test]
fn records_decode_integers_of_every_width_and_text() {
    // Header of 8 bytes: serial types 1, 2, 3, 4, 5, 6 (integers of 1, 2, 3,
    // 4, 6, 8 bytes), 8 and 9 (0 and 1), then text of 2 bytes (17).
    let mut payload = vec![10, 1, 2, 3, 4, 5, 6, 8, 9, 17];
    payload.extend([0xff]);
    payload.extend([0x01, 0x00]);
    payload.extend([0xff, 0xff, 0xfe]);
    payload.extend([0x7f, 0xff, 0xff, 0xff]);
    payload.extend([0x80, 0, 0, 0, 0, 0]);
    payload.extend([0, 0, 0, 0, 0, 0, 0, 42]);
    payload.extend(b"hi");
    let values = cell::record(&payload, 9).unwrap();
    use cell::Value::{Integer, Text};
    assert_eq!(
        values,
        [
            Integer(-1),
            Integer(256),
            Integer(-2),
            Integer(i64::from(i32::MAX)),
            Integer(-(1 << 47)),
            Integer(42),
            Integer(0),
            Integer(1),
            Text(b"hi"),
        ]
    );
    assert_eq!(cell::record(&payload, 10), None, "nine columns only");
    assert_eq!(
        cell::record(&payload[..payload.len() - 1], 9),
        None,
        "cut short"
    );
}
