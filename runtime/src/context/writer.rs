//! The store's writing connection, shared by a container, its contexts and
//! a migration, on which contexts take turns.
//!
//! A context holds the *turn* for each call, and for the whole of a
//! [`transaction`](super::ModelContext::transaction): while one context has
//! it, another context's calls wait (on other threads) or fail (on the same
//! thread, where waiting would never end). So a transaction never includes,
//! commits or rolls back another context's statements. The turn is
//! reentrant for the context holding it (nested transactions, calls inside
//! a transaction).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::{self, ThreadId};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::observe::Notifier;
use crate::error::{Error, Result, StoreError};
use crate::store::encryption::{self, EncryptionKey};
use crate::store::{HeldFile, connection};

/// A writer shared by a container and its contexts.
pub(crate) type SharedConnection = Arc<Writer>;

/// The writing connection and whose turn it is, and the read connections
/// of a store in WAL mode.
pub(crate) struct Writer {
    // Declared (so dropped) before the writer: the last connection to close
    // checkpoints the WAL and removes the `-wal` and `-shm` files, which a
    // read-only connection cannot do.
    readers: OnceLock<Readers>,
    /// The observation thread, once something is observed.
    notifier: OnceLock<Arc<Notifier>>,
    conn: Mutex<Connection>,
    turn: Mutex<Turn>,
    turn_free: Condvar,
    next_context: AtomicU64,
    /// The process's own descriptor of the store file, declared (so
    /// dropped) after the connections: while they are open, closing a
    /// descriptor of the file would drop their locks (see `store::held`).
    held: Mutex<Option<HeldFile>>,
}

/// Who holds the turn, from which thread, how many times over.
#[derive(Default)]
struct Turn {
    owner: Option<(u64, ThreadId)>,
    depth: usize,
}

impl Writer {
    /// Shares `conn` as a store's writer.
    pub(crate) fn shared(conn: Connection) -> SharedConnection {
        Arc::new(Writer {
            conn: Mutex::new(conn),
            turn: Mutex::new(Turn::default()),
            turn_free: Condvar::new(),
            next_context: AtomicU64::new(1),
            readers: OnceLock::new(),
            notifier: OnceLock::new(),
            held: Mutex::new(None),
        })
    }

    /// Holds the file the writing connection reads open until the
    /// connections close, unless the writer holds it already, and returns
    /// it (`None` for a database in memory, which has none).
    pub(crate) fn hold_file(&self) -> Result<Option<HeldFile>> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if held.is_some() {
            return Ok(held.clone());
        }
        let conn = self.lock();
        let Some(path) = conn.path().filter(|path| !path.is_empty()) else {
            return Ok(None);
        };
        let path = Path::new(path);
        *held = HeldFile::open(path).map_err(|source| StoreError::io(path, source))?;
        Ok(held.clone())
    }

    /// Whether the file the writer holds is in WAL mode, as its header says
    /// (bytes 18 and 19, SQLite's read and write versions, are 2 in WAL
    /// mode); `None` when no file is held or its header cannot be read (an
    /// encrypted store's is encrypted).
    pub(crate) fn file_in_wal(&self) -> Option<bool> {
        let held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let mut header = [0u8; 20];
        held.as_ref()?.read_exact_at(&mut header, 0).ok()?;
        (&header[..16] == connection::SQLITE_HEADER).then_some(header[18] == 2 && header[19] == 2)
    }

    /// The connection, for one statement or a short sequence of them, without
    /// taking a turn: for the runner (which runs before any context exists,
    /// and between its hooks' calls) and for store creation.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic in user code while the lock was held leaves the connection
        // usable: SQLite state is transactional, not the mutex's.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// From now on, reads outside a transaction use read connections to the
    /// file at `path` (in WAL mode: they read the last committed state and
    /// never wait for the writer). Set once the store is open and migrated.
    pub(crate) fn attach_readers(
        &self,
        path: &Path,
        busy_timeout: Duration,
        key: Option<EncryptionKey>,
    ) {
        let _ = self.readers.set(Readers {
            path: path.to_owned(),
            busy_timeout,
            key,
            idle: Mutex::new(Vec::new()),
        });
    }

    /// A read connection, when the store has them.
    pub(crate) fn reader(&self) -> Option<Result<Reader<'_>>> {
        let readers = self.readers.get()?;
        Some(readers.take().map(|conn| Reader {
            conn: Some(conn),
            readers,
        }))
    }

    /// The store's observation thread, started on first use.
    pub(crate) fn notifier(&self) -> Arc<Notifier> {
        if let Some(notifier) = self.notifier.get() {
            return Arc::clone(notifier);
        }
        // Under the connection's lock: one thread starts it, with the
        // connection's hooks.
        let mut conn = self.lock();
        Arc::clone(
            self.notifier
                .get_or_init(|| Notifier::start(&mut conn).expect("start the observation thread")),
        )
    }

    /// Notes that `table` was written by the current transaction, for
    /// tables SQLite's update hook does not report (`WITHOUT ROWID` join tables).
    pub(crate) fn note_written(&self, table: &str) {
        if let Some(notifier) = self.notifier.get() {
            notifier.note_written(table);
        }
    }

    /// Forgets what the current transaction wrote: it was rolled back.
    pub(crate) fn forget_written(&self) {
        if let Some(notifier) = self.notifier.get() {
            notifier.forget_written();
        }
    }

    /// A new context's identity.
    pub(crate) fn context_id(&self) -> u64 {
        self.next_context.fetch_add(1, Ordering::Relaxed)
    }

    /// Takes the turn for context `id`, waiting while a context on another
    /// thread holds it; reentrant for `id`.
    ///
    /// Fails with [`Error::WriterHeldOnThisThread`] when another context on
    /// this thread holds it (inside a transaction): waiting would never end.
    pub(crate) fn take_turn(&self, id: u64) -> Result<TurnGuard<'_>> {
        let me = thread::current().id();
        let mut turn = self.turn.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            match turn.owner {
                None => {
                    turn.owner = Some((id, me));
                    break;
                }
                Some((owner, _)) if owner == id => break,
                Some((_, thread)) if thread == me => return Err(Error::WriterHeldOnThisThread),
                Some(_) => {
                    turn = self
                        .turn_free
                        .wait(turn)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
        }
        turn.depth += 1;
        Ok(TurnGuard { writer: self })
    }

    fn release_turn(&self) {
        let mut turn = self.turn.lock().unwrap_or_else(PoisonError::into_inner);
        turn.depth -= 1;
        if turn.depth == 0 {
            // The context is done with the writer: what it wrote is committed
            // unless it left a transaction of its own (raw `BEGIN`) open.
            if let Some(notifier) = self.notifier.get()
                && self.lock().is_autocommit()
            {
                notifier.committed();
            }
            turn.owner = None;
            drop(turn);
            self.turn_free.notify_one();
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if let Some(notifier) = self.notifier.get() {
            notifier.stop();
        }
    }
}

/// A context's turn on the writer; released when dropped.
pub(crate) struct TurnGuard<'a> {
    writer: &'a Writer,
}

impl Drop for TurnGuard<'_> {
    fn drop(&mut self) {
        self.writer.release_turn();
    }
}

/// The connection during one call of a context: the context's turn and the
/// connection's lock, released together (the lock first).
pub(crate) struct Locked<'a> {
    conn: MutexGuard<'a, Connection>,
    _turn: TurnGuard<'a>,
}

impl<'a> Locked<'a> {
    /// Takes context `id`'s turn on `writer`, then its connection.
    pub(crate) fn new(writer: &'a Writer, id: u64) -> Result<Self> {
        let turn = writer.take_turn(id)?;
        Ok(Locked {
            conn: writer.lock(),
            _turn: turn,
        })
    }
}

impl std::ops::Deref for Locked<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl std::ops::DerefMut for Locked<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// How many idle read connections a store keeps open.
const IDLE_READERS: usize = 4;

/// The read connections of a store in WAL mode.
pub(crate) struct Readers {
    path: PathBuf,
    busy_timeout: Duration,
    /// An encrypted store's key, given to each new read connection first.
    key: Option<EncryptionKey>,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    /// An idle connection, or a new one.
    fn take(&self) -> Result<Connection> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        if let Some(conn) = idle {
            return Ok(conn);
        }
        // Read-write but query-only: once a read-only connection has opened
        // the store, SQLite leaves the `-wal` and `-shm` files behind when
        // the last connection closes.
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        encryption::unlock(&conn, &self.path, self.key.as_ref())?;
        conn.busy_timeout(self.busy_timeout)?;
        conn.pragma_update(None, "query_only", true)?;
        Ok(conn)
    }

    fn give_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
    }
}

/// A read connection, back to the pool when dropped.
pub(crate) struct Reader<'a> {
    conn: Option<Connection>,
    readers: &'a Readers,
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.readers.give_back(conn);
        }
    }
}

impl std::ops::Deref for Reader<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("taken only on drop")
    }
}

/// The connection a read runs on: a read connection outside transactions
/// (when the store has them), the writer otherwise (inside a transaction a
/// read must see the transaction's own writes).
pub(crate) enum ReadConnection<'a> {
    Writer(Locked<'a>),
    Reader(Reader<'a>),
}

impl std::ops::Deref for ReadConnection<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            ReadConnection::Writer(locked) => locked,
            ReadConnection::Reader(reader) => reader,
        }
    }
}
