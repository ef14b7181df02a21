//! [`OldRecords`]: what a transform may read of the old schema.

use std::marker::PhantomData;

use rusqlite::{Connection, params_from_iter};

use super::TableMap;
use crate::error::Result;
use crate::model::{BelongsTo, Model, PersistentId, Record};
use crate::query::FetchDescriptor;
use crate::schema::{EntityDescriptor, VersionedSchema};
use crate::sql;

/// Read-only access to the records of the old schema `A`, given to a
/// transform added with
/// [`CustomStage::transform_record`](crate::CustomStage::transform_record):
/// another record of the entity being transformed, or of any other entity
/// of `A` (a parent, a lookup table), as it was before the stage.
///
/// It reads through the migration's own connection, inside its
/// transaction, and has no method that writes.
pub struct OldRecords<'c, A> {
    conn: &'c Connection,
    tables: &'c TableMap,
    _schema: PhantomData<fn() -> A>,
}

impl<'c, A: VersionedSchema> OldRecords<'c, A> {
    /// Reads `A`'s records on `conn`, an entity named in `tables` from the
    /// table given there (the old rows of a transformed entity).
    pub(crate) fn new(conn: &'c Connection, tables: &'c TableMap) -> Self {
        OldRecords {
            conn,
            tables,
            _schema: PhantomData,
        }
    }

    fn table<'e>(&'e self, entity: &'e EntityDescriptor) -> &'e str {
        self.tables
            .get(entity.name())
            .map_or(entity.name(), String::as_str)
    }

    /// The record of `M` with `id`, or `None`.
    pub fn get<M: BelongsTo<A>>(&self, id: PersistentId) -> Result<Option<Record<M>>> {
        let sql = sql::select_by_id(M::entity(), self.table(M::entity()));
        let mut records = self.query::<M>(&sql, &[rusqlite::types::Value::Integer(id.raw())])?;
        Ok(records.pop())
    }

    /// The records of `M` that `descriptor` selects, in its order.
    pub fn fetch<M: BelongsTo<A>>(&self, descriptor: FetchDescriptor<M>) -> Result<Vec<Record<M>>> {
        let (filter, params) = descriptor.where_clause();
        let tail = format!("{filter}{}", descriptor.order_clause());
        let sql = sql::select_from_with(M::entity(), self.table(M::entity()), &tail);
        self.query::<M>(&sql, params)
    }

    /// Every record of `M`, in id order.
    pub fn fetch_all<M: BelongsTo<A>>(&self) -> Result<Vec<Record<M>>> {
        self.fetch(FetchDescriptor::new())
    }

    /// The number of records of `M` that match `descriptor`'s filter.
    pub fn count_matching<M: BelongsTo<A>>(&self, descriptor: FetchDescriptor<M>) -> Result<u64> {
        let (filter, params) = descriptor.where_clause();
        let sql = sql::count(self.table(M::entity()), &filter);
        let mut statement = self.conn.prepare_cached(&sql)?;
        let count: i64 = statement.query_row(params_from_iter(params), |row| row.get(0))?;
        Ok(count.unsigned_abs())
    }

    fn query<M: Model>(
        &self,
        sql: &str,
        params: &[rusqlite::types::Value],
    ) -> Result<Vec<Record<M>>> {
        super::read_records(self.conn, sql, params)
    }
}

impl<A> std::fmt::Debug for OldRecords<'_, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OldRecords")
            .field("tables", &self.tables)
            .finish()
    }
}
