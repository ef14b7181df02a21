//! [`ModelContext`]: typed reads and writes of one schema's models.

use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use rusqlite::{Connection, params_from_iter};

use crate::error::{Error, Result};
use crate::model::{BelongsTo, Model, PersistentId, Record};
use crate::query::FetchDescriptor;
use crate::schema::{ID_COLUMN, VersionedSchema};
use crate::sql;

mod bulk;
mod observe;
mod related;
mod writer;

pub use observe::Observation;
pub(crate) use observe::observe;

use writer::{Locked, ReadConnection};
pub(crate) use writer::{SharedConnection, Writer};

/// Where the old tables of transformed entities are while a `migrate` hook
/// runs: entity name -> table name.
pub(crate) type TableMap = Arc<std::collections::HashMap<String, String>>;

/// Reads and writes the models of schema `S`.
///
/// A context only accepts models of its own schema: passing a model of
/// another version is a compile error. Every call runs immediately against
/// the store (inside the surrounding transaction, if any); use
/// [`transaction`](ModelContext::transaction) to group writes.
pub struct ModelContext<S> {
    conn: SharedConnection,
    /// This context's identity when taking turns on the writer.
    id: u64,
    /// How many transactions of this context are open (nested ones are savepoints of their own).
    depth: usize,
    /// Tables read instead of the entities' own (the old tables of
    /// transformed entities during a custom stage's `migrate` hook).
    tables: Option<TableMap>,
    _schema: PhantomData<fn() -> S>,
}

impl<S: VersionedSchema> ModelContext<S> {
    pub(crate) fn new(conn: SharedConnection) -> Self {
        ModelContext {
            id: conn.context_id(),
            conn,
            depth: 0,
            tables: None,
            _schema: PhantomData,
        }
    }

    /// Reads entities from other tables (by entity name).
    pub(crate) fn with_tables(mut self, tables: TableMap) -> Self {
        self.tables = Some(tables);
        self
    }

    /// The table holding `entity`'s rows for reads.
    fn table<'e>(&'e self, entity: &'e crate::schema::EntityDescriptor) -> &'e str {
        self.tables
            .as_ref()
            .and_then(|t| t.get(entity.name()))
            .map_or(entity.name(), String::as_str)
    }

    /// Refuses a write to `entity` when this context reads its old rows.
    pub(crate) fn writable(&self, entity: &crate::schema::EntityDescriptor) -> Result<()> {
        match &self.tables {
            Some(tables) if tables.contains_key(entity.name()) => Err(Error::ReadOnlyOldRows {
                entity: entity.name().to_owned(),
            }),
            _ => Ok(()),
        }
    }

    /// The writer, for one call: waits for this context's turn (see
    /// [`writer`]), so no other context's statements run in between.
    pub(crate) fn lock(&self) -> Result<Locked<'_>> {
        Locked::new(&self.conn, self.id)
    }

    /// The connection for one read: outside a transaction, a read connection
    /// (the last committed state, without waiting for the writer) when the
    /// store has them; the writer otherwise.
    pub(crate) fn read(&self) -> Result<ReadConnection<'_>> {
        if self.depth == 0
            && self.tables.is_none()
            && let Some(reader) = self.conn.reader()
        {
            return Ok(ReadConnection::Reader(reader?));
        }
        Ok(ReadConnection::Writer(self.lock()?))
    }

    /// Inserts a model and returns its new id.
    pub fn insert<M: BelongsTo<S>>(&mut self, model: M) -> Result<PersistentId> {
        let entity = M::entity();
        self.writable(entity)?;
        let sql = sql::insert(entity, false);
        let conn = self.lock()?;
        let mut statement = conn.prepare_cached(&sql)?;
        model.__bind(&mut statement)?;
        statement
            .raw_execute()
            .map_err(|e| crate::store::write_error(entity, e))?;
        Ok(PersistentId::from_raw(conn.last_insert_rowid()))
    }

    /// The record with this id, if any.
    pub fn get<M: BelongsTo<S>>(&mut self, id: PersistentId) -> Result<Option<Record<M>>> {
        let sql = sql::select_by_id(M::entity(), self.table(M::entity()));
        let mut records = self.query::<M>(&sql, &[rusqlite::types::Value::Integer(id.raw())])?;
        Ok(records.pop())
    }

    /// Every record of `M`, in id order.
    pub fn fetch_all<M: BelongsTo<S>>(&mut self) -> Result<Vec<Record<M>>> {
        self.fetch(FetchDescriptor::new())
    }

    /// The records of `M` that `descriptor` selects, in its order.
    pub fn fetch<M: BelongsTo<S>>(
        &mut self,
        descriptor: FetchDescriptor<M>,
    ) -> Result<Vec<Record<M>>> {
        let (filter, params) = descriptor.where_clause();
        let tail = format!("{filter}{}", descriptor.order_clause());
        let sql = sql::select_from_with(M::entity(), self.table(M::entity()), &tail);
        self.query::<M>(&sql, params)
    }

    /// The number of records of `M`.
    pub fn count<M: BelongsTo<S>>(&mut self) -> Result<u64> {
        self.count_matching(FetchDescriptor::<M>::new())
    }

    /// The number of records of `M` that match `descriptor`'s filter (its
    /// sort, limit and offset are ignored).
    pub fn count_matching<M: BelongsTo<S>>(
        &mut self,
        descriptor: FetchDescriptor<M>,
    ) -> Result<u64> {
        let (filter, params) = descriptor.where_clause();
        let sql = sql::count(self.table(M::entity()), &filter);
        let conn = self.read()?;
        let mut statement = conn.prepare_cached(&sql)?;
        let count: i64 = statement.query_row(params_from_iter(params), |row| row.get(0))?;
        Ok(count.unsigned_abs())
    }

    /// Writes a record's fields back to the store.
    ///
    /// Fails with [`Error::NotFound`] when the record was deleted.
    pub fn update<M: BelongsTo<S>>(&mut self, record: &Record<M>) -> Result<()> {
        let entity = M::entity();
        self.writable(entity)?;
        let sql = sql::update(entity);
        let conn = self.lock()?;
        let mut statement = conn.prepare_cached(&sql)?;
        record.__bind(&mut statement)?;
        statement.raw_bind_parameter(entity.attributes().len() + 1, record.id().raw())?;
        let changed = statement
            .raw_execute()
            .map_err(|e| crate::store::write_error(entity, e))?;
        if changed == 0 {
            return Err(Error::NotFound {
                entity: entity.name().to_owned(),
                id: record.id().raw(),
            });
        }
        Ok(())
    }

    /// Deletes the record of `M` with this id, applying the delete rules of
    /// the relationships that refer to it (see [`DeleteRule`](crate::DeleteRule)).
    ///
    /// Fails with [`Error::NotFound`] when there is no such record, and with
    /// [`Error::DeleteDenied`] (deleting nothing) when a `deny` rule refuses.
    pub fn delete<M: BelongsTo<S>>(&mut self, id: PersistentId) -> Result<()> {
        let entity = M::entity();
        self.writable(entity)?;
        // One turn for the check and the delete: no other context's write
        // can slip in between.
        let conn = self.lock()?;
        crate::delete_rules::check_deny(&conn, S::descriptor(), entity.name(), id.raw())?;
        let sql = sql::delete_where(entity.name(), ID_COLUMN);
        let changed = conn.prepare_cached(&sql)?.execute([id.raw()])?;
        if changed == 0 {
            return Err(Error::NotFound {
                entity: entity.name().to_owned(),
                id: id.raw(),
            });
        }
        // Links in join tables go with the record (`ON DELETE CASCADE`,
        // which SQLite's update hook does not report for them).
        for join in S::descriptor().join_tables() {
            if join.owner == entity.name() || join.target == entity.name() {
                self.conn.note_written(&join.name);
            }
        }
        // A migration runs with foreign keys off (its hooks included): the
        // delete rules are then applied here, or the migration's final
        // foreign key check would fail on what referred to this record.
        let enforced: bool = conn.pragma_query_value(None, "foreign_keys", |row| row.get(0))?;
        if !enforced {
            crate::delete_rules::delete_rules_by_hand(
                &conn,
                S::descriptor(),
                entity.name(),
                id.raw(),
            )?;
        }
        Ok(())
    }

    /// Runs `body` in a transaction (a SQLite savepoint, so it nests): its
    /// writes are kept if it returns `Ok` and undone if it returns `Err` or panics.
    ///
    /// The transaction holds this context's turn on the store's writer from
    /// start to end: another context's writes wait for it (or, from the same
    /// thread, fail with [`Error::WriterHeldOnThisThread`]), so they are never
    /// part of this transaction and never rolled back with it.
    pub fn transaction<T>(&mut self, body: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let writer = Arc::clone(&self.conn);
        let _turn = writer.take_turn(self.id)?;
        let savepoint = sql::savepoint_name(self.depth + 1);
        writer.lock().execute_batch(&sql::savepoint(&savepoint))?;
        self.depth += 1;
        let mut guard = SavepointGuard {
            context: self,
            savepoint: &savepoint,
            done: false,
        };
        let result = body(guard.context);
        guard.done = true;
        guard.context.depth -= 1;
        let conn = writer.lock();
        match result {
            Ok(value) => {
                conn.execute_batch(&sql::release_savepoint(&savepoint))?;
                Ok(value)
            }
            Err(error) => {
                conn.execute_batch(&sql::rollback_savepoint(&savepoint))?;
                if guard.context.depth == 0 {
                    // Nothing of the transaction is left to observe.
                    writer.forget_written();
                }
                Err(error)
            }
        }
    }

    /// The underlying rusqlite connection, inside the current transaction if
    /// any: the escape hatch for SQL staged does not generate. Release the
    /// guard before calling other methods of the context.
    ///
    /// The guard holds this context's turn on the store's writer: other
    /// contexts' calls wait until it is dropped.
    ///
    /// # Panics
    ///
    /// When another context on this thread is inside a transaction (it holds
    /// the writer until the transaction ends, so waiting would never end),
    /// like a `RefCell` borrowed twice; the other methods return
    /// [`Error::WriterHeldOnThisThread`] instead.
    pub fn connection(&mut self) -> ConnectionGuard<'_> {
        match self.lock() {
            Ok(locked) => ConnectionGuard(locked),
            Err(error) => panic!("{error}"),
        }
    }

    pub(crate) fn query<M: Model>(
        &self,
        sql: &str,
        params: &[rusqlite::types::Value],
    ) -> Result<Vec<Record<M>>> {
        let conn = self.read()?;
        let mut statement = conn.prepare_cached(sql)?;
        let mut rows = statement.query(params_from_iter(params))?;
        let mut records = Vec::new();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            records.push(Record::new(
                PersistentId::from_raw(id),
                M::__read(row, 1, id)?,
            ));
        }
        Ok(records)
    }
}

/// Rolls a savepoint back when the body of [`ModelContext::transaction`] panics.
struct SavepointGuard<'a, S: VersionedSchema> {
    context: &'a mut ModelContext<S>,
    savepoint: &'a str,
    done: bool,
}

impl<S: VersionedSchema> Drop for SavepointGuard<'_, S> {
    fn drop(&mut self) {
        if !self.done {
            self.context.depth -= 1;
            let _ = self
                .context
                .conn
                .lock()
                .execute_batch(&sql::rollback_savepoint(self.savepoint));
        }
    }
}

/// Exclusive access to a context's rusqlite connection; see [`ModelContext::connection`].
pub struct ConnectionGuard<'a>(Locked<'a>);

impl Deref for ConnectionGuard<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.0
    }
}

impl DerefMut for ConnectionGuard<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.0
    }
}
