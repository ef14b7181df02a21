//! The check of an old store before it is migrated
//! (`ModelContainerBuilder::check_before_migrating`), with real files: on by
//! default, it refuses a store whose list of free pages is damaged even when
//! the step reads no rows; off, a step that only adds a column migrates
//! without reading the store.

mod common;

use common::files::page_size;
use common::store::{TempStore, open_fails};
use common::{plans, sql};
use staged::prelude::*;
use staged::{Error, StoreError};

#[versioned_schema(version = "1.0.0")]
mod v1 {
    /// A note.
    #[model]
    pub struct Note {
        /// Title.
        pub title: String,
    }

    /// Rows deleted before the migration, leaving free pages behind.
    #[model]
    pub struct Scratch {
        /// Filler.
        pub text: String,
    }
}

/// `Note.pinned` added: a step that reads no rows.
#[versioned_schema(version = "2.0.0")]
mod v2 {
    /// A note.
    #[model]
    pub struct Note {
        /// Title.
        pub title: String,
        /// New and optional.
        pub pinned: Option<bool>,
    }

    /// Rows deleted before the migration, leaving free pages behind.
    #[model]
    pub struct Scratch {
        /// Filler.
        pub text: String,
    }
}

fn plan() -> SchemaMigrationPlan<v2::Schema> {
    plans::two::<v1::Schema, v2::Schema>()
}

/// A 1.0.0 store with 100 notes and a few hundred free pages.
fn old_store() -> TempStore {
    let store = TempStore::new();
    let mut ctx = plans::open_single::<v1::Schema>(store.path()).context();
    ctx.transaction(|ctx| {
        for n in 0..100 {
            ctx.insert(v1::Note {
                title: format!("note {n}"),
            })?;
        }
        for _ in 0..2000 {
            ctx.insert(v1::Scratch {
                text: "x".repeat(500),
            })?;
        }
        Ok(())
    })
    .unwrap();
    ctx.connection().execute("DELETE FROM Scratch", []).unwrap();
    store
}

/// Makes the first entry of the free-page list name page 2, a page in use:
/// a write that took that "free" page would overwrite live data.
fn damage_free_list(store: &TempStore) {
    let mut bytes = store.bytes();
    let page_size = page_size(&bytes);
    let trunk = u32::from_be_bytes(bytes[32..36].try_into().unwrap());
    assert!(trunk > 0, "the store has free pages");
    let start = (usize::try_from(trunk).unwrap() - 1) * page_size;
    bytes[start + 8..start + 12].copy_from_slice(&2u32.to_be_bytes());
    std::fs::write(store.path(), bytes).unwrap();
}

#[test]
fn a_damaged_free_page_list_is_refused_before_a_step_that_reads_no_rows() {
    let store = old_store();
    damage_free_list(&store);

    let error = open_fails(&store, plan());
    match &error {
        Error::Store(StoreError::Corrupt { path, detail }) => {
            assert_eq!(path, store.path());
            // SQLite's integrity check finds page 2 both used and listed as free.
            assert!(
                detail.starts_with("*** in database main ***\n2nd reference to page 2\n"),
                "{detail}"
            );
            assert_eq!(
                error.to_string(),
                format!(
                    "store `{}` is damaged ({detail}); staged does not repair stores and changed \
                     nothing: restore the file from a backup, or delete it to start with an empty store",
                    store.path().display()
                )
            );
        }
        other => panic!("expected StoreError::Corrupt, got {other:?}"),
    }
}

#[test]
fn without_the_check_a_step_that_reads_no_rows_migrates_in_place() {
    let store = old_store();
    let container = ModelContainer::builder(plan())
        .check_before_migrating(false)
        .open(store.path())
        .unwrap();
    assert_eq!(container.store_version(), Version::new(2, 0, 0));
    let mut ctx = container.context();
    assert_eq!(ctx.count::<v2::Note>().unwrap(), 100);
    let first = ctx.fetch_all::<v2::Note>().unwrap().remove(0);
    assert_eq!((first.title.as_str(), first.pinned), ("note 0", None));
    assert_eq!(sql::integrity(&ctx.connection()), "ok");
}

#[test]
fn the_check_is_on_by_default_and_a_healthy_store_migrates() {
    let store = old_store();
    let container = ModelContainer::open(store.path(), plan()).unwrap();
    assert_eq!(container.store_version(), Version::new(2, 0, 0));
    assert_eq!(container.context().count::<v2::Note>().unwrap(), 100);
}
