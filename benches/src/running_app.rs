//! A store in a running app: reads while another thread writes, single-row
//! commits, and the fetch of a whole table, through staged and through
//! hand-written rusqlite on the same kind of store.
//!
//! Every store is an `Item` store created by staged (so both sides read and
//! write the same tables and indexes). The rusqlite side opens its own
//! connections with the settings staged gives its own (journal mode,
//! `synchronous`, busy timeout, foreign keys), so each comparison is like
//! for like; `benches/tests/running_app.rs` checks that.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use staged::JournalMode;
use staged::prelude::*;
use staged::rusqlite::{Connection, OpenFlags, params};
use tempfile::TempDir;

use crate::inserts::{item, plan};
use crate::schemas::items::v1;

/// Rows in the store the reader threads read.
pub const READ_STORE_ROWS: usize = 10_000;

/// Records one fetch of the readers returns: a page of a list.
pub const PAGE: u64 = 100;

/// How a store journals and syncs its commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Journal {
    /// staged's default: WAL with `synchronous = NORMAL`.
    WalNormal,
    /// The behaviour before WAL: the rollback journal with `synchronous = FULL`.
    RollbackFull,
}

impl Journal {
    /// The name benchmarks print.
    pub fn name(self) -> &'static str {
        match self {
            Journal::WalNormal => "wal_normal",
            Journal::RollbackFull => "rollback_full",
        }
    }

    /// The builder option that gives a staged store this journal.
    pub fn staged(self) -> JournalMode {
        match self {
            Journal::WalNormal => JournalMode::Wal,
            Journal::RollbackFull => JournalMode::Rollback,
        }
    }

    /// `PRAGMA journal_mode` and `PRAGMA synchronous`, as SQLite reports them.
    pub fn pragmas(self) -> (&'static str, i64) {
        match self {
            Journal::WalNormal => ("wal", 1),
            Journal::RollbackFull => ("delete", 2),
        }
    }
}

/// A store of `rows` items (`inserts::item(0..rows)`), created by staged in
/// `journal`, closed.
pub fn store(rows: usize, journal: Journal) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("items.sqlite");
    let container = open_staged(&path, journal);
    container
        .context()
        .transaction(|ctx| {
            for i in 0..rows {
                ctx.insert(item(i))?;
            }
            Ok(())
        })
        .expect("seed the store");
    drop(container);
    (dir, path)
}

/// Opens the store at `path` through staged in `journal`.
pub fn open_staged(path: &Path, journal: Journal) -> ModelContainer<v1::Schema> {
    ModelContainer::builder(plan())
        .journal_mode(journal.staged())
        .open(path)
        .expect("open the store")
}

/// Opens the store at `path` as a hand-written app would, with the settings
/// staged gives its writer: `journal`'s mode and `synchronous`, a 5 s busy
/// timeout, foreign keys on.
pub fn open_raw(path: &Path, journal: Journal) -> Connection {
    let conn = Connection::open(path).expect("open");
    conn.busy_timeout(Duration::from_secs(5))
        .expect("busy timeout");
    let (mode, synchronous) = journal.pragmas();
    let set: String = conn
        .pragma_update_and_check(None, "journal_mode", mode, |row| row.get(0))
        .expect("journal mode");
    assert_eq!(set, mode);
    conn.pragma_update(None, "synchronous", synchronous)
        .expect("synchronous");
    conn.pragma_update(None, "foreign_keys", true)
        .expect("foreign keys");
    conn
}

/// A connection for reads, as staged's read connections are: read-write
/// but `query_only`, a 5 s busy timeout.
pub fn open_raw_reader(path: &Path) -> Connection {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("open a reader");
    conn.busy_timeout(Duration::from_secs(5))
        .expect("busy timeout");
    conn.pragma_update(None, "query_only", true)
        .expect("query only");
    conn
}

/// The uid of the first record of the `k`-th page a reader fetches.
fn page_start(k: u64) -> String {
    let first = (k * 7919) % (READ_STORE_ROWS as u64 - PAGE);
    item(first as usize).uid
}

/// The `k`-th page through `ModelContext::fetch`: `PAGE` items from a uid on,
/// in uid order (the unique index).
pub fn staged_page(ctx: &mut ModelContext<v1::Schema>, k: u64) -> Vec<Record<v1::Item>> {
    let fields = v1::Item::fields();
    ctx.fetch(
        FetchDescriptor::new()
            .filter(fields.uid.ge(page_start(k)))
            .sort(fields.uid.asc())
            .limit(PAGE),
    )
    .expect("fetch a page")
}

/// The SELECT staged runs for [`staged_page`] and [`staged_fetch_all`] (its
/// columns in its order), without a clause.
const SELECT: &str = r#"SELECT "_id", "uid", "title", "notes", "priority", "legacy" FROM "Item""#;

fn read_item(row: &staged::rusqlite::Row<'_>) -> staged::rusqlite::Result<Record<v1::Item>> {
    Ok(Record::new(
        PersistentId::from_raw(row.get(0)?),
        v1::Item {
            uid: row.get(1)?,
            title: row.get(2)?,
            notes: row.get(3)?,
            priority: row.get(4)?,
            legacy: row.get(5)?,
        },
    ))
}

/// The `k`-th page, hand-written: the statement staged runs (its limit
/// written into the SQL: a bound `LIMIT ?` makes SQLite prepare the
/// statement again at every execution, see BENCHMARKS.md), prepared once
/// per connection, rows decoded into the same records.
pub fn raw_page(conn: &Connection, k: u64) -> Vec<Record<v1::Item>> {
    let mut statement = conn
        .prepare_cached(&format!(
            r#"{SELECT} WHERE "uid" >= ?1 ORDER BY "uid" ASC, "_id" LIMIT {PAGE} OFFSET 0"#
        ))
        .expect("prepare");
    statement
        .query_map(params![page_start(k)], read_item)
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("read a page")
}

/// The `k`-th page, hand-written with its limit bound as a parameter
/// (`LIMIT ?2`): SQLite then prepares the statement again at every
/// execution (the limit's value may change the plan). Not a baseline; shows
/// the cost of that choice.
pub fn raw_page_bound_limit(conn: &Connection, k: u64) -> Vec<Record<v1::Item>> {
    let mut statement = conn
        .prepare_cached(&format!(
            r#"{SELECT} WHERE "uid" >= ?1 ORDER BY "uid" ASC, "_id" LIMIT ?2"#
        ))
        .expect("prepare");
    statement
        .query_map(params![page_start(k), PAGE as i64], read_item)
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("read a page")
}

/// Every item through `ModelContext::fetch` (outside a transaction: on a
/// read connection in WAL mode).
pub fn staged_fetch_all(ctx: &mut ModelContext<v1::Schema>) -> Vec<Record<v1::Item>> {
    ctx.fetch(FetchDescriptor::new()).expect("fetch every item")
}

/// Every item, hand-written: a cached prepared `SELECT`, each row decoded
/// into the same record.
pub fn raw_fetch_all(conn: &Connection) -> Vec<Record<v1::Item>> {
    let mut statement = conn.prepare_cached(SELECT).expect("prepare");
    statement
        .query_map([], read_item)
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("read every item")
}

/// The insert a hand-written app prepares once.
pub const INSERT: &str = r#"INSERT INTO "Item" ("uid", "title", "notes", "priority", "legacy")
                            VALUES (?1, ?2, ?3, ?4, ?5)"#;

/// One item inserted in its own transaction (autocommit), hand-written.
pub fn raw_insert(conn: &Connection, i: usize) {
    let item = item(i);
    conn.prepare_cached(INSERT)
        .expect("prepare")
        .execute(params![
            item.uid,
            item.title,
            item.notes,
            item.priority,
            item.legacy
        ])
        .expect("insert");
}

/// One item inserted in its own transaction: `ModelContext::insert` outside
/// a transaction.
pub fn staged_insert(ctx: &mut ModelContext<v1::Schema>, i: usize) {
    ctx.insert(item(i)).expect("insert");
}

/// A thread committing one insert after another until dropped; ids start
/// past the store's rows.
pub struct Writer {
    stop: Arc<AtomicBool>,
    commits: Arc<AtomicU64>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Writer {
    /// Starts a writer inserting through `insert` (given a row number), and
    /// returns once its first commit is done.
    pub fn start(mut insert: impl FnMut(usize) + Send + 'static) -> Writer {
        let stop = Arc::new(AtomicBool::new(false));
        let commits = Arc::new(AtomicU64::new(0));
        let thread = {
            let (stop, commits) = (Arc::clone(&stop), Arc::clone(&commits));
            thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    insert(next_writer_row());
                    commits.fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        while commits.load(Ordering::Relaxed) == 0 {
            thread::yield_now();
        }
        Writer {
            stop,
            commits,
            thread: Some(thread),
        }
    }

    /// Commits so far.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.join().expect("the writer thread");
        }
    }
}

/// Row numbers of writers: unique across every writer of a process, past
/// any seeded store.
fn next_writer_row() -> usize {
    static NEXT: AtomicU64 = AtomicU64::new(100_000_000);
    NEXT.fetch_add(1, Ordering::Relaxed) as usize
}

/// Runs `threads` reader threads, all released at once: thread `t` calls
/// the reader `make_reader(t)` made for it with `fetches` page numbers
/// (`t`, `t + threads`, …). Returns the time until the last one finished.
pub fn timed_readers<R>(threads: usize, fetches: u64, make_reader: impl Fn(usize) -> R) -> Duration
where
    R: FnMut(u64) + Send,
{
    let barrier = Barrier::new(threads + 1);
    thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let mut read = make_reader(t);
                let barrier = &barrier;
                scope.spawn(move || {
                    barrier.wait();
                    for k in 0..fetches {
                        read(k * threads as u64 + t as u64);
                    }
                })
            })
            .collect();
        barrier.wait();
        let clock = Instant::now();
        for handle in handles {
            handle.join().expect("a reader thread");
        }
        clock.elapsed()
    })
}

/// Reader threads in the concurrent-reads benchmark.
pub const READER_THREADS: usize = 4;

/// Pages each reader thread fetches per iteration.
pub const FETCHES_PER_THREAD: u64 = 50;

/// Rows fetched by the whole-table fetch benchmark.
pub const FETCH_ALL_ROWS: usize = 100_000;

/// One line of the ratio table: the ratio of two median times.
#[derive(Debug, Clone, PartialEq)]
pub struct Ratio {
    /// What is compared.
    pub what: &'static str,
    /// The numerator's median time, in seconds.
    pub ours: f64,
    /// The denominator's median time, in seconds.
    pub baseline: f64,
    /// The goal, as text.
    pub goal: &'static str,
}

/// The ratios of the benchmarks of this module measured since `since`.
pub fn ratios(dir: &Path, since: std::time::SystemTime) -> Vec<Ratio> {
    let m = |group: &str, function: &str, rows: Option<usize>| {
        crate::report::median(dir, since, group, function, rows)
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
    let reads = |f| m("concurrent_reads", f, None);
    let commit = |f| m("single_commit", f, None);
    time(
        "4 readers' time while a writer commits / alone, staged (throughput ratio = 1 / this)",
        reads("staged_with_writer"),
        reads("staged_alone"),
        "<= 1.25 (throughput >= 0.8x)",
    );
    time(
        "4 readers' time while a writer commits / alone, hand-written rusqlite",
        reads("rusqlite_with_writer"),
        reads("rusqlite_alone"),
        "(reference)",
    );
    time(
        "4 readers alone, staged / hand-written rusqlite",
        reads("staged_alone"),
        reads("rusqlite_alone"),
        "(reference)",
    );
    time(
        "4 readers with a writer, staged / hand-written rusqlite",
        reads("staged_with_writer"),
        reads("rusqlite_with_writer"),
        "(reference)",
    );
    time(
        "single-row commit, WAL + NORMAL: staged / hand-written rusqlite",
        commit("staged_wal_normal"),
        commit("rusqlite_wal_normal"),
        "<= 1.2",
    );
    time(
        "single-row commit, rollback journal + FULL: staged / hand-written rusqlite",
        commit("staged_rollback_full"),
        commit("rusqlite_rollback_full"),
        "(reference)",
    );
    time(
        "single-row commit, staged: WAL + NORMAL / rollback + FULL (commits per second = 1 / this)",
        commit("staged_wal_normal"),
        commit("staged_rollback_full"),
        "<= 0.1 (>= 10x commits per second)",
    );
    time(
        "fetch of 100k rows: staged / hand-written rusqlite decode loop",
        m("fetch_all", "staged", Some(FETCH_ALL_ROWS)),
        m("fetch_all", "rusqlite", Some(FETCH_ALL_ROWS)),
        "<= 1.2",
    );
    out
}

fn seconds(t: f64) -> String {
    if t >= 1.0 {
        format!("{t:.2} s")
    } else if t >= 1e-3 {
        format!("{:.2} ms", t * 1e3)
    } else {
        format!("{:.1} µs", t * 1e6)
    }
}

/// The table as markdown.
pub fn markdown(ratios: &[Ratio]) -> String {
    let mut out = String::from(
        "| comparison | numerator | denominator | ratio | goal |\n|---|---:|---:|---:|---|\n",
    );
    for r in ratios {
        out.push_str(&format!(
            "| {} | {} | {} | {:.3} | {} |\n",
            r.what,
            seconds(r.ours),
            seconds(r.baseline),
            r.ours / r.baseline,
            r.goal
        ));
    }
    out
}
