//! Writes of many records, or of a record found by its unique values:
//! [`ModelContext::insert_all`], [`ModelContext::upsert`] and
//! [`ModelContext::delete_matching`].

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use rusqlite::params_from_iter;

use super::ModelContext;
use crate::error::Result;
use crate::model::{BelongsTo, PersistentId};
use crate::query::{FetchDescriptor, Predicate};
use crate::schema::{EntityDescriptor, VersionedSchema};
use crate::sql;

impl<S: VersionedSchema> ModelContext<S> {
    /// Inserts every model, in order, in one transaction, and returns their
    /// new ids in the same order. All or nothing: when one insert fails
    /// (e.g. a unique violation) none of them is kept.
    ///
    /// Faster than [`insert`](Self::insert) in a loop: one statement is
    /// prepared and one turn on the writer taken for all of them.
    pub fn insert_all<M, I>(&mut self, models: I) -> Result<Vec<PersistentId>>
    where
        M: BelongsTo<S>,
        I: IntoIterator<Item = M>,
    {
        let entity = M::entity();
        self.writable(entity)?;
        self.transaction(|ctx| {
            let sql = sql::insert(entity, false);
            let conn = ctx.lock()?;
            let mut statement = conn.prepare_cached(&sql)?;
            let mut ids = Vec::new();
            for model in models {
                model.__bind(&mut statement)?;
                statement
                    .raw_execute()
                    .map_err(|e| crate::store::write_error(entity, e))?;
                ids.push(PersistentId::from_raw(conn.last_insert_rowid()));
            }
            Ok(ids)
        })
    }

    /// Inserts `model`, or updates the record that has the same values in
    /// one of `M`'s unique constraints, and returns the record's id.
    ///
    /// The unique constraints are tried in order: the attributes marked
    /// `#[attribute(unique)]` in declaration order, then the compound
    /// `#[model(unique(…))]` ones; the first that matches a record decides,
    /// and that record takes every value of `model` (its id stays). A
    /// constraint with a `None` in `model` matches nothing (a unique index
    /// lets several records have NULL). When none matches, or `M` has no
    /// unique constraint, `model` is inserted. If the update would give the
    /// record values another record has in a different unique constraint,
    /// it fails with [`Error::UniqueViolation`](crate::Error::UniqueViolation)
    /// and nothing changes.
    ///
    /// An upsert that updates uses up an id (SQLite draws the id before it
    /// finds the collision, and ids are never reused): ids stay unique and
    /// increasing, but are not consecutive.
    ///
    /// The write is one statement, `INSERT … ON CONFLICT … DO UPDATE`; when
    /// it updated, the record's id is read by its unique values. Both take
    /// one turn on the writer: no other context writes in between.
    pub fn upsert<M: BelongsTo<S>>(&mut self, model: M) -> Result<PersistentId> {
        let entity = M::entity();
        self.writable(entity)?;
        let statements = UpsertStatements::of(entity);
        let conn = self.lock()?;
        // An insert sets the connection's last inserted id, an update leaves
        // it: when it has not changed, the statement updated (or inserted a
        // record whose id equals the last one inserted into another table;
        // the lookup below then finds that record all the same).
        let before = conn.last_insert_rowid();
        let mut statement = conn.prepare_cached(&statements.write)?;
        model.__bind(&mut statement)?;
        statement
            .raw_execute()
            .map_err(|e| crate::store::write_error(entity, e))?;
        let after = conn.last_insert_rowid();
        let Some(lookup) = statements.lookup.as_deref().filter(|_| after == before) else {
            return Ok(PersistentId::from_raw(after));
        };
        // The record written now has every value of the model, and they are
        // unique: the first constraint whose values are all set finds it.
        // When none is (every constraint has a NULL), nothing could collide,
        // so the statement inserted, and the id is the last inserted.
        let mut statement = conn.prepare_cached(lookup)?;
        model.__bind(&mut statement)?;
        let mut rows = statement.raw_query();
        let id = match rows.next()? {
            Some(row) => row.get::<_, Option<i64>>(0)?,
            None => None,
        };
        Ok(PersistentId::from_raw(id.unwrap_or(after)))
    }

    /// Deletes every record of `M` that `predicate` matches, applying the
    /// delete rules of the relationships that refer to them (as
    /// [`delete`](Self::delete) does for one), and returns how many were
    /// deleted. All or nothing: when a `deny` rule refuses one of them, it
    /// fails with [`Error::DeleteDenied`](crate::Error::DeleteDenied) and
    /// deletes none.
    pub fn delete_matching<M: BelongsTo<S>>(&mut self, predicate: Predicate<M>) -> Result<u64> {
        let entity = M::entity();
        self.writable(entity)?;
        self.transaction(|ctx| {
            let ids: Vec<i64> = {
                let descriptor = FetchDescriptor::<M>::new().filter(predicate);
                let (filter, params) = descriptor.where_clause();
                let conn = ctx.read()?;
                let mut statement =
                    conn.prepare_cached(&sql::select_ids(entity.name(), &filter))?;
                statement
                    .query_map(params_from_iter(params), |row| row.get(0))?
                    .collect::<rusqlite::Result<_>>()?
            };
            for &id in &ids {
                ctx.delete::<M>(PersistentId::from_raw(id))?;
            }
            Ok(ids.len() as u64)
        })
    }
}

/// The text of the statements [`ModelContext::upsert`] runs for one entity:
/// built on its first upsert, then kept (an entity descriptor is `'static`
/// and never changes, so neither does its SQL).
struct UpsertStatements {
    /// The `INSERT … ON CONFLICT … DO UPDATE`; a plain `INSERT` when the
    /// entity has no unique constraint.
    write: String,
    /// The id of the record that has the model's values in one of the unique
    /// constraints, the first that matches winning; `None` when the entity
    /// has none.
    lookup: Option<String>,
}

impl UpsertStatements {
    fn of(entity: &'static EntityDescriptor) -> &'static UpsertStatements {
        type Cache = Mutex<HashMap<usize, &'static UpsertStatements>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        // Keyed by the descriptor's address: two schemas may each have an
        // entity of one name, with other attributes.
        let key = std::ptr::from_ref(entity) as usize;
        let mut cache = CACHE
            .get_or_init(Cache::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        cache.entry(key).or_insert_with(|| {
            let constraints = unique_constraints(entity);
            let statements = if constraints.is_empty() {
                UpsertStatements {
                    write: sql::insert(entity, false),
                    lookup: None,
                }
            } else {
                UpsertStatements {
                    write: sql::upsert(entity, &constraints),
                    lookup: Some(sql::select_id_by_any_unique(entity, &constraints)),
                }
            };
            // Leaked once per descriptor, which lives as long.
            Box::leak(Box::new(statements))
        })
    }
}

/// The columns of each unique constraint of `entity`, in the order
/// [`ModelContext::upsert`] tries them.
fn unique_constraints(entity: &EntityDescriptor) -> Vec<Vec<&str>> {
    let single = entity
        .attributes()
        .iter()
        .filter(|a| a.is_unique())
        .map(|a| vec![a.name()]);
    let compound = entity
        .constraints()
        .iter()
        .filter(|c| c.is_unique())
        .map(|c| c.attributes().collect());
    single.chain(compound).collect()
}
