//! Observation: a fetch re-delivered after every commit that changed its
//! entity, from any context of the container.
//!
//! The writer's update hook notes which tables a transaction wrote; when a
//! context gives up the writer with nothing left uncommitted, those tables
//! go to the store's *observation thread*, which re-runs every fetch that
//! reads one of them and calls its callback. Commits that arrive while the
//! thread is busy are merged into its next pass (bursts are coalesced).

use std::collections::HashSet;
use std::sync::{Arc, Condvar, Mutex, PoisonError, Weak};
use std::thread;

use rusqlite::Connection;

use super::{ModelContext, Writer};
use crate::error::Result;
use crate::model::{BelongsTo, Record};
use crate::query::FetchDescriptor;
use crate::schema::VersionedSchema;

/// Re-runs one observed fetch and calls its callback.
type Refresh = Box<dyn FnMut() + Send>;

/// The observations of a store and the thread that refreshes them.
pub(crate) struct Notifier {
    state: Mutex<State>,
    wake: Condvar,
    /// Tables written since the writer's last commit, by the update hook.
    written: Arc<Mutex<HashSet<String>>>,
}

#[derive(Default)]
struct State {
    /// Tables of commits not yet handled by the thread.
    committed: HashSet<String>,
    observations: Vec<Entry>,
    next_id: u64,
    stop: bool,
}

struct Entry {
    id: u64,
    /// The tables whose changes affect the fetch.
    tables: Vec<String>,
    /// Not delivered yet: the first pass calls back without a change.
    initial: bool,
    refresh: Arc<Mutex<Refresh>>,
}

impl Notifier {
    /// Starts the observation thread of the store behind `conn` and hooks
    /// the connection so it reports the tables each transaction writes.
    pub(crate) fn start(conn: &mut Connection) -> Result<Arc<Notifier>> {
        let written: Arc<Mutex<HashSet<String>>> = Arc::default();
        let notes = Arc::clone(&written);
        conn.update_hook(Some(move |_, _: &str, table: &str, _| {
            lock(&notes).insert(table.to_owned());
        }))?;
        let forget = Arc::clone(&written);
        conn.rollback_hook(Some(move || lock(&forget).clear()))?;
        let notifier = Arc::new(Notifier {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            written,
        });
        let worker = Arc::downgrade(&notifier);
        thread::Builder::new()
            .name("staged-observation".to_owned())
            .spawn(move || run(&worker))
            .map_err(crate::error::Error::hook)?;
        Ok(notifier)
    }

    /// The writer committed (nothing is left uncommitted on it): hands the
    /// tables it wrote to the thread.
    pub(crate) fn committed(&self) {
        let tables: Vec<String> = lock(&self.written).drain().collect();
        if tables.is_empty() {
            return;
        }
        let mut state = lock(&self.state);
        state.committed.extend(tables);
        drop(state);
        self.wake.notify_one();
    }

    /// Notes a table written by the current transaction.
    pub(crate) fn note_written(&self, table: &str) {
        lock(&self.written).insert(table.to_owned());
    }

    /// Forgets what the current transaction wrote (rolled back to its start).
    pub(crate) fn forget_written(&self) {
        lock(&self.written).clear();
    }

    /// Stops the thread (the store is closing).
    pub(crate) fn stop(&self) {
        lock(&self.state).stop = true;
        self.wake.notify_one();
    }

    fn add(&self, tables: Vec<String>, refresh: Refresh) -> u64 {
        let mut state = lock(&self.state);
        let id = state.next_id;
        state.next_id += 1;
        state.observations.push(Entry {
            id,
            tables,
            initial: true,
            refresh: Arc::new(Mutex::new(refresh)),
        });
        drop(state);
        self.wake.notify_one();
        id
    }

    fn remove(&self, id: u64) {
        lock(&self.state).observations.retain(|e| e.id != id);
    }
}

/// The observation thread: waits for commits, refreshes what they affect.
fn run(notifier: &Weak<Notifier>) {
    loop {
        let Some(notifier) = notifier.upgrade() else {
            return;
        };
        let due: Vec<Arc<Mutex<Refresh>>> = {
            let mut state = lock(&notifier.state);
            loop {
                if state.stop {
                    return;
                }
                let pending =
                    !state.committed.is_empty() || state.observations.iter().any(|e| e.initial);
                if pending {
                    break;
                }
                state = notifier
                    .wake
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            let committed = std::mem::take(&mut state.committed);
            state
                .observations
                .iter_mut()
                .filter(|e| e.initial || e.tables.iter().any(|t| committed.contains(t)))
                .map(|e| {
                    e.initial = false;
                    Arc::clone(&e.refresh)
                })
                .collect()
        };
        // Not holding the notifier while user code runs: a callback may
        // start or drop observations.
        drop(notifier);
        for refresh in due {
            (lock(&refresh))();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An observed fetch; dropping it stops the callbacks. See
/// [`ModelContainer::observe`](crate::ModelContainer::observe).
#[must_use = "dropping the Observation stops it"]
pub struct Observation {
    notifier: Weak<Notifier>,
    id: u64,
}

impl Drop for Observation {
    fn drop(&mut self) {
        if let Some(notifier) = self.notifier.upgrade() {
            notifier.remove(self.id);
        }
    }
}

impl std::fmt::Debug for Observation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observation").field("id", &self.id).finish()
    }
}

/// Observes `descriptor` on the store behind `writer`; see
/// [`ModelContainer::observe`](crate::ModelContainer::observe).
pub(crate) fn observe<S, M, F>(
    writer: &Arc<Writer>,
    descriptor: FetchDescriptor<M>,
    mut callback: F,
) -> Observation
where
    S: VersionedSchema,
    M: BelongsTo<S>,
    F: FnMut(&[Record<M>]) + Send + 'static,
{
    let notifier = writer.notifier();
    let entity = M::entity();
    let mut tables = vec![entity.name().to_owned()];
    tables.extend(
        S::descriptor()
            .join_tables()
            .into_iter()
            .filter(|j| j.owner == entity.name() || j.target == entity.name())
            .map(|j| j.name),
    );
    let store = Arc::downgrade(writer);
    let refresh = move || {
        // The store may be closing: then there is nothing to deliver.
        let Some(writer) = store.upgrade() else {
            return;
        };
        let mut ctx = ModelContext::<S>::new(writer);
        match ctx.fetch(descriptor.clone()) {
            Ok(records) => callback(&records),
            Err(error) => tracing::error!(
                entity = entity.name(),
                %error,
                "an observed fetch failed; its callback is skipped"
            ),
        }
    };
    let id = notifier.add(tables, Box::new(refresh));
    Observation {
        notifier: Arc::downgrade(&notifier),
        id,
    }
}
