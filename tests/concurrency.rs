//! Contexts of one container used from several threads: a transaction never
//! includes, commits or rolls back another context's writes.
//!
//! `STAGED_STRESS=1 cargo test --release --test concurrency -- --nocapture`
//! runs the stress test large (8 threads x 2,000 transactions) and prints
//! its figures.

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use staged::prelude::*;
use staged::{Error, rusqlite};

/// One entity: a key per write, and which thread wrote it.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    /// A row written by one thread.
    #[model]
    pub struct Entry {
        /// Unique per write: `thread-transaction-row`.
        #[attribute(unique)]
        pub key: String,
        /// The thread that wrote it.
        pub writer: i64,
    }
}

use v1::Entry;

fn open(dir: &tempfile::TempDir) -> ModelContainer<v1::Schema> {
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .unwrap();
    ModelContainer::open(dir.path().join("store.sqlite"), plan).unwrap()
}

fn entry(key: &str, writer: i64) -> Entry {
    Entry {
        key: key.to_owned(),
        writer,
    }
}

/// Every key in the store, read through a fresh connection (what any other
/// process would see once the writes are committed).
fn committed_keys(dir: &tempfile::TempDir) -> BTreeSet<String> {
    let conn = rusqlite::Connection::open(dir.path().join("store.sqlite")).unwrap();
    let mut statement = conn.prepare(r#"SELECT "key" FROM "Entry""#).unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// Thread A opens a transaction, inserts, waits, and fails; thread B inserts
/// meanwhile. B's insert must survive A's rollback: it used to run inside A's
/// transaction (one connection, locked per call) and was lost with it.
#[test]
fn lost_write_across_threads() {
    let dir = tempfile::tempdir().unwrap();
    let container = open(&dir);
    let (inside, a_is_inside) = mpsc::channel();
    let a = {
        let mut ctx = container.context();
        thread::spawn(move || {
            ctx.transaction(|ctx| -> staged::Result<()> {
                ctx.insert(entry("a", 1))?;
                inside.send(()).unwrap();
                thread::sleep(Duration::from_millis(300));
                Err(Error::hook("thread A gives up"))
            })
        })
    };
    a_is_inside.recv().unwrap();
    let mut ctx = container.context();
    let started = Instant::now();
    let b = ctx.insert(entry("b", 2));
    // B waited for A's transaction to end instead of joining it.
    assert!(started.elapsed() >= Duration::from_millis(100));
    b.unwrap();
    let a = a.join().unwrap();
    assert_eq!(a.unwrap_err().to_string(), "thread A gives up");

    assert_eq!(committed_keys(&dir), BTreeSet::from(["b".to_owned()]));
    let entries = ctx.fetch_all::<Entry>().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!((entries[0].key.as_str(), entries[0].writer), ("b", 2));
}

/// A transaction that commits while another thread's transaction rolls
/// back: each keeps exactly its own writes.
#[test]
fn concurrent_transactions_commit_and_roll_back_their_own_writes() {
    let dir = tempfile::tempdir().unwrap();
    let container = open(&dir);
    let start = Arc::new(Barrier::new(2));
    let spawn = |writer: i64, fail: bool| {
        let mut ctx = container.context();
        let start = Arc::clone(&start);
        thread::spawn(move || {
            start.wait();
            ctx.transaction(|ctx| -> staged::Result<()> {
                for k in 0..50 {
                    ctx.insert(entry(&format!("{writer}-{k}"), writer))?;
                    thread::yield_now();
                }
                if fail {
                    Err(Error::hook("rolled back"))
                } else {
                    Ok(())
                }
            })
        })
    };
    let keep = spawn(1, false);
    let drop = spawn(2, true);
    keep.join().unwrap().unwrap();
    assert!(drop.join().unwrap().is_err());
    let expected: BTreeSet<String> = (0..50).map(|k| format!("1-{k}")).collect();
    assert_eq!(committed_keys(&dir), expected);
}

/// Nested transactions of one context are savepoints of their own: an inner
/// rollback undoes only the inner writes.
#[test]
fn nested_transactions_roll_back_only_their_own_writes() {
    let dir = tempfile::tempdir().unwrap();
    let container = open(&dir);
    let mut ctx = container.context();
    ctx.transaction(|ctx| -> staged::Result<()> {
        ctx.insert(entry("outer", 1))?;
        let inner = ctx.transaction(|ctx| -> staged::Result<()> {
            ctx.insert(entry("inner", 1))?;
            ctx.transaction(|ctx| {
                ctx.insert(entry("innermost", 1))?;
                Ok(())
            })?;
            Err(Error::hook("undo inner"))
        });
        assert!(inner.is_err());
        ctx.insert(entry("after", 1))?;
        Ok(())
    })
    .unwrap();
    assert_eq!(
        committed_keys(&dir),
        BTreeSet::from(["after".to_owned(), "outer".to_owned()])
    );
}

/// On the thread of an open transaction, another context cannot wait for the
/// writer (it would wait forever): its calls fail and name the fix.
#[test]
fn another_context_on_the_transaction_thread_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let container = open(&dir);
    let mut ctx = container.context();
    let mut other = container.context();
    ctx.transaction(|ctx| -> staged::Result<()> {
        ctx.insert(entry("mine", 1))?;
        let refused = other.insert(entry("other", 2)).unwrap_err();
        assert!(matches!(refused, Error::WriterHeldOnThisThread));
        assert_eq!(
            refused.to_string(),
            "another context on this thread is inside a transaction and holds the store's writer; \
             use that context (the one passed to the transaction's closure) until the transaction ends"
        );
        // Reads need no writer: they see the last committed state.
        assert_eq!(other.count::<Entry>()?, 0);
        Ok(())
    })
    .unwrap();
    // Once the transaction ended, the other context works again.
    other.insert(entry("other", 2)).unwrap();
    assert_eq!(
        committed_keys(&dir),
        BTreeSet::from(["mine".to_owned(), "other".to_owned()])
    );
}

/// The contexts of a container can be created and used on any thread, and a
/// container can be cloned and sent to other threads.
#[test]
fn containers_and_contexts_move_between_threads() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    fn assert_send<T: Send + 'static>() {}
    assert_send_sync::<ModelContainer<v1::Schema>>();
    assert_send::<ModelContext<v1::Schema>>();

    let dir = tempfile::tempdir().unwrap();
    let container = open(&dir);
    let handles: Vec<_> = (0..4)
        .map(|writer| {
            let container = container.clone();
            thread::spawn(move || {
                container
                    .context()
                    .insert(entry(&format!("w{writer}"), writer))
                    .unwrap();
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(container.context().count::<Entry>().unwrap(), 4);
}

/// Figures of one stress run.
#[derive(Debug, Default)]
struct Stress {
    committed: usize,
    rolled_back: usize,
    rows: usize,
}

/// N threads x M transactions of random sizes, a random third of them
/// rolled back (some by an error, some by a panic): the store holds exactly
/// the rows of the committed ones, 0 lost and 0 extra.
fn stress(threads: usize, transactions: usize, seed: u64) -> Stress {
    let dir = tempfile::tempdir().unwrap();
    let container = open(&dir);
    let start = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let mut ctx = container.context();
            let start = Arc::clone(&start);
            thread::spawn(move || {
                let mut rng = fastrand::Rng::with_seed(seed + t as u64);
                let mut expected = BTreeSet::new();
                let mut stress = Stress::default();
                start.wait();
                for m in 0..transactions {
                    let size = rng.usize(1..=8);
                    let outcome = rng.u8(0..6);
                    let keys: Vec<String> = (0..size).map(|k| format!("{t}-{m}-{k}")).collect();
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        ctx.transaction(|ctx| -> staged::Result<()> {
                            for key in &keys {
                                ctx.insert(entry(key, t as i64))?;
                            }
                            match outcome {
                                0 => Err(Error::hook("rolled back")),
                                1 => panic!("a panicking transaction"),
                                _ => Ok(()),
                            }
                        })
                    }));
                    match result {
                        Ok(Ok(())) => {
                            stress.committed += 1;
                            stress.rows += keys.len();
                            expected.extend(keys);
                        }
                        Ok(Err(_)) | Err(_) => stress.rolled_back += 1,
                    }
                    // A single call between transactions.
                    if rng.bool() {
                        ctx.count::<Entry>().unwrap();
                    }
                }
                (expected, stress)
            })
        })
        .collect();
    let mut expected = BTreeSet::new();
    let mut total = Stress::default();
    for handle in handles {
        let (keys, stress) = handle.join().unwrap();
        expected.extend(keys);
        total.committed += stress.committed;
        total.rolled_back += stress.rolled_back;
        total.rows += stress.rows;
    }
    let actual = committed_keys(&dir);
    let lost: Vec<_> = expected.difference(&actual).take(5).collect();
    let extra: Vec<_> = actual.difference(&expected).take(5).collect();
    assert!(
        lost.is_empty() && extra.is_empty(),
        "lost {lost:?}, extra {extra:?}"
    );
    assert_eq!(actual.len(), total.rows);
    total
}

#[test]
fn stress_threads_committed_set_is_exact() {
    let large = std::env::var_os("STAGED_STRESS").is_some();
    let (threads, transactions) = if large { (8, 2_000) } else { (4, 60) };
    // Panicking transactions print their message; keep the output readable.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let started = Instant::now();
    let figures = stress(threads, transactions, 7);
    std::panic::set_hook(hook);
    println!(
        "{threads} threads x {transactions} transactions: {} committed ({} rows), {} rolled back, \
         0 lost, 0 extra, in {:.2?}",
        figures.committed,
        figures.rows,
        figures.rolled_back,
        started.elapsed()
    );
    assert_eq!(
        figures.committed + figures.rolled_back,
        threads * transactions
    );
    assert!(figures.rolled_back > 0 && figures.committed > 0);
}

/// A read outside a transaction never waits for a writer: it reads the last
/// committed state from a read connection while another thread's
/// transaction is open (WAL, the default journal mode).
#[test]
fn readers_do_not_wait_for_an_open_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let container = open(&dir);
    container.context().insert(entry("committed", 0)).unwrap();
    let (inside, writer_is_inside) = mpsc::channel();
    let (read_done, reader_finished) = mpsc::channel::<()>();
    let writer = {
        let mut ctx = container.context();
        thread::spawn(move || {
            ctx.transaction(|ctx| -> staged::Result<bool> {
                ctx.insert(entry("uncommitted", 1))?;
                inside.send(()).unwrap();
                // Hold the writer until the reader is done: a reader that
                // waited for the writer would make this time out.
                Ok(reader_finished
                    .recv_timeout(Duration::from_secs(10))
                    .is_ok())
            })
        })
    };
    writer_is_inside.recv().unwrap();
    let mut ctx = container.context();
    let seen: Vec<String> = ctx
        .fetch_all::<Entry>()
        .unwrap()
        .iter()
        .map(|e| e.key.clone())
        .collect();
    let counted = ctx.count::<Entry>().unwrap();
    read_done.send(()).unwrap();
    assert!(
        writer.join().unwrap().unwrap(),
        "the reader waited for the writer's transaction"
    );
    assert_eq!(seen, ["committed"]);
    assert_eq!(counted, 1);
    // Once committed, every reader sees it.
    assert_eq!(ctx.count::<Entry>().unwrap(), 2);
}

/// Inside a transaction, reads see the transaction's own writes.
#[test]
fn reads_inside_a_transaction_see_its_writes() {
    let dir = tempfile::tempdir().unwrap();
    let container = open(&dir);
    let mut ctx = container.context();
    ctx.transaction(|ctx| -> staged::Result<()> {
        ctx.insert(entry("mine", 1))?;
        assert_eq!(ctx.count::<Entry>()?, 1);
        assert_eq!(ctx.fetch_all::<Entry>()?[0].key, "mine");
        Ok(())
    })
    .unwrap();
}
