//! The event migration of [`crate::schemas::events`] with native_db:
//! versioned `native_model` models and `RwTransaction::migrate`.

use std::path::Path;

use native_db::{Builder, Models, ToKey, native_db};
use native_model::{Model, native_model};
use serde::{Deserialize, Serialize};

use crate::fixture::PAYLOAD;

/// An event before the migration (native_model version 1).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[native_model(id = 1, version = 1)]
#[native_db]
pub struct EventV1 {
    /// The key.
    #[primary_key]
    pub id: u64,
    /// The event's name.
    pub name: String,
    /// Minutes since midnight.
    pub minute: i64,
    /// The payload.
    pub payload: String,
}

/// An event after the migration (native_model version 2, from [`EventV1`]).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[native_model(id = 1, version = 2, from = EventV1)]
#[native_db]
pub struct EventV2 {
    /// The key.
    #[primary_key]
    pub id: u64,
    /// The event's name.
    pub name: String,
    /// The hour.
    pub hour: i64,
    /// The minute within the hour.
    pub minute_of_hour: i64,
    /// The payload.
    pub payload: String,
}

impl From<EventV1> for EventV2 {
    fn from(old: EventV1) -> Self {
        EventV2 {
            id: old.id,
            name: old.name,
            hour: old.minute / 60,
            minute_of_hour: old.minute % 60,
            payload: old.payload,
        }
    }
}

impl From<EventV2> for EventV1 {
    fn from(new: EventV2) -> Self {
        EventV1 {
            id: new.id,
            name: new.name,
            minute: new.hour * 60 + new.minute_of_hour,
            payload: new.payload,
        }
    }
}

/// A native_db error, boxed.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A native_db database at `path` holding `rows` version-1 events, written
/// in one transaction (the same rows as [`crate::fixture::events_v1`]).
pub fn seed(path: &Path, rows: usize) -> Result<(), BoxError> {
    let mut models = Models::new();
    models.define::<EventV1>()?;
    let db = Builder::new().create(&models, path)?;
    let rw = db.rw_transaction()?;
    for i in 1..=rows as u64 {
        rw.insert(EventV1 {
            id: i,
            name: format!("event {i}"),
            minute: (i % 1440) as i64,
            payload: PAYLOAD.to_owned(),
        })?;
    }
    rw.commit()?;
    Ok(())
}

/// Opens the database with both model versions and migrates every event to
/// [`EventV2`] in one transaction, as an app would at launch.
pub fn migrate(path: &Path) -> Result<(), BoxError> {
    let mut models = Models::new();
    models.define::<EventV1>()?;
    models.define::<EventV2>()?;
    let db = Builder::new().open(&models, path)?;
    let rw = db.rw_transaction()?;
    rw.migrate::<EventV2>()?;
    rw.commit()?;
    Ok(())
}

/// Every event of the migrated database, in key order.
pub fn read_all_v2(path: &Path) -> Result<Vec<EventV2>, BoxError> {
    let mut models = Models::new();
    models.define::<EventV1>()?;
    models.define::<EventV2>()?;
    let db = Builder::new().open(&models, path)?;
    let r = db.r_transaction()?;
    let all: Vec<EventV2> = r.scan().primary()?.all()?.collect::<Result<_, _>>()?;
    Ok(all)
}
