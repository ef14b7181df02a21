//! The default check before a migration, with real files: the free-page list
//! is walked from the file header (a damaged list is refused whatever the
//! step reads), the tables a step rewrites are checked, the tables it leaves
//! alone are not read, and a step running hooks, or a store with frames in
//! its WAL, gets the whole-file `PRAGMA quick_check`. Damage the check finds
//! is reported as SQLite's `PRAGMA quick_check` of the whole file reports
//! it, which the check runs only then.

mod common;

use common::store::TempStore;
use staged::prelude::*;
use staged::{Error, StoreError, rusqlite};

#[versioned_schema(version = "1.0.0")]
mod v1 {
    /// A note.
    #[model]
    pub struct Note {
        /// Title.
        pub title: String,
        /// Removed by `v2_drop`.
        pub legacy: Option<String>,
    }

    /// Rows deleted before the migration, leaving free pages behind.
    #[model]
    pub struct Scratch {
        /// Filler.
        pub text: String,
    }

    /// A table no step of these plans reads.
    #[model]
    pub struct Archive {
        /// Filler.
        pub text: String,
    }
}

/// `Note.pinned` added: no rows read.
#[versioned_schema(version = "2.0.0")]
mod v2_add {
    /// A note.
    #[model]
    pub struct Note {
        /// Title.
        pub title: String,
        /// Kept.
        pub legacy: Option<String>,
        /// New and optional.
        pub pinned: Option<bool>,
    }

    /// Rows deleted before the migration, leaving free pages behind.
    #[model]
    pub struct Scratch {
        /// Filler.
        pub text: String,
    }

    /// A table no step of these plans reads.
    #[model]
    pub struct Archive {
        /// Filler.
        pub text: String,
    }
}

/// `Note.legacy` removed: every row of `Note` rewritten by `DROP COLUMN`.
#[versioned_schema(version = "2.0.0")]
mod v2_drop {
    /// A note.
    #[model(removed(legacy))]
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

    /// A table no step of these plans reads.
    #[model]
    pub struct Archive {
        /// Filler.
        pub text: String,
    }
}

fn add_plan() -> SchemaMigrationPlan<v2_add::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2_add::Schema>()
        .build()
        .unwrap()
}

fn drop_plan() -> SchemaMigrationPlan<v2_drop::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2_drop::Schema>()
        .build()
        .unwrap()
}

/// The same change as [`add_plan`], in a custom stage with a hook.
fn add_plan_with_hook() -> SchemaMigrationPlan<v2_add::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2_add::Schema>()
        .stage(
            MigrationStage::custom::<v1::Schema, v2_add::Schema>()
                .did_migrate(|_: &mut ModelContext<v2_add::Schema>| Ok(())),
        )
        .build()
        .unwrap()
}

/// A 1.0.0 store: 300 notes, 300 archived rows, and the free pages of 2000
/// deleted scratch rows (one trunk page and its leaves).
fn old_store() -> TempStore {
    let store = TempStore::new();
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .unwrap();
    let mut ctx = ModelContainer::open(store.path(), plan).unwrap().context();
    ctx.transaction(|ctx| {
        for n in 0..300 {
            ctx.insert(v1::Note {
                title: format!("note {n}"),
                legacy: Some("old".repeat(10)),
            })?;
            ctx.insert(v1::Archive {
                text: format!("archived {n} {}", "a".repeat(40)),
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

fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap())
}

fn page_size(bytes: &[u8]) -> usize {
    usize::from(u16::from_be_bytes([bytes[16], bytes[17]]))
}

/// The byte offset of page `page` (numbered from 1).
fn offset(bytes: &[u8], page: u32) -> usize {
    (usize::try_from(page).unwrap() - 1) * page_size(bytes)
}

/// Changes the file's bytes with `damage`, then returns the error of opening
/// it with `plan`, checking that the open changed no byte.
fn refused<S: VersionedSchema>(
    store: &TempStore,
    plan: SchemaMigrationPlan<S>,
    damage: impl FnOnce(&mut Vec<u8>),
) -> String {
    let mut bytes = store.bytes();
    damage(&mut bytes);
    std::fs::write(store.path(), &bytes).unwrap();
    let error = ModelContainer::open(store.path(), plan).unwrap_err();
    assert!(store.bytes() == bytes, "the store was changed: {error}");
    match error {
        Error::Store(StoreError::Corrupt { path, detail }) => {
            assert_eq!(path, store.path());
            detail
        }
        other => panic!("expected StoreError::Corrupt, got {other:?}"),
    }
}

/// Checks that `detail` is SQLite's report of the whole file, which the
/// check runs once it has found damage, and that the report names `fault`.
fn reported(detail: &str, fault: &str) {
    assert!(detail.starts_with("*** in database main ***\n"), "{detail}");
    assert!(detail.contains(fault), "{detail}");
}

/// The first page of `table`'s leaves, from SQLite's `dbstat` table.
fn leaf_page_of(store: &TempStore, table: &str) -> u32 {
    rusqlite::Connection::open(store.path())
        .unwrap()
        .query_row(
            "SELECT pageno FROM dbstat WHERE name = ?1 AND pagetype = 'leaf' ORDER BY pageno LIMIT 1",
            [table],
            |r| r.get(0),
        )
        .unwrap()
}

/// Makes the first leaf entry of the free-page list's first trunk name
/// `page`.
fn list_as_free(bytes: &mut [u8], page: u32) {
    let at = offset(bytes, be32(bytes, 32));
    bytes[at + 8..at + 12].copy_from_slice(&page.to_be_bytes());
}

/// Overwrites page `page` after its 8-byte header (cell pointers, cells).
fn scramble(bytes: &mut [u8], page: u32) {
    let start = offset(bytes, page);
    let end = start + page_size(bytes);
    for (k, byte) in bytes[start + 8..end].iter_mut().enumerate() {
        *byte = (k * 7 % 251) as u8;
    }
}

#[test]
fn the_store_has_one_trunk_page_with_leaves() {
    let bytes = old_store().bytes();
    let trunk = be32(&bytes, 32);
    assert!(trunk > 1);
    let at = offset(&bytes, trunk);
    assert_eq!(be32(&bytes, at), 0, "a single trunk");
    assert_eq!(
        be32(&bytes, at + 4) + 1,
        be32(&bytes, 36),
        "its leaves and itself"
    );
}

#[test]
fn a_trunk_page_pointer_out_of_range_is_refused() {
    // The header's first trunk, then the trunk's pointer to the next one.
    let store = old_store();
    let detail = refused(&store, add_plan(), |bytes| {
        let beyond = u32::try_from(bytes.len() / page_size(bytes)).unwrap() + 100;
        bytes[32..36].copy_from_slice(&beyond.to_be_bytes());
    });
    reported(&detail, "Freelist: invalid page number");

    let store = old_store();
    let detail = refused(&store, add_plan(), |bytes| {
        let at = offset(bytes, be32(bytes, 32));
        bytes[at..at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
    });
    reported(&detail, "Freelist: invalid page number 4294967295");
}

#[test]
fn a_leaf_page_out_of_range_is_refused() {
    let store = old_store();
    let detail = refused(&store, add_plan(), |bytes| {
        let at = offset(bytes, be32(bytes, 32));
        bytes[at + 8..at + 12].copy_from_slice(&1u32.to_be_bytes());
    });
    reported(&detail, "2nd reference to page 1\n");
}

#[test]
fn a_free_page_count_that_does_not_match_the_header_is_refused() {
    for delta in [1i64, -1] {
        let store = old_store();
        let detail = refused(&store, add_plan(), |bytes| {
            let count = i64::from(be32(bytes, 36)) + delta;
            bytes[36..40].copy_from_slice(&u32::try_from(count).unwrap().to_be_bytes());
        });
        reported(&detail, "Freelist: size is ");
    }
}

#[test]
fn a_trunk_that_lists_more_leaves_than_a_page_holds_is_refused() {
    let store = old_store();
    let detail = refused(&store, add_plan(), |bytes| {
        let at = offset(bytes, be32(bytes, 32));
        bytes[at + 4..at + 8].copy_from_slice(&100_000u32.to_be_bytes());
    });
    reported(&detail, "Freelist: freelist leaf count too big");
}

#[test]
fn a_cycle_of_trunk_pages_is_refused() {
    // The trunk names itself as the next trunk; the header's count is raised
    // so that the count alone would let the walk go round once more.
    let store = old_store();
    let detail = refused(&store, add_plan(), |bytes| {
        let trunk = be32(bytes, 32);
        let at = offset(bytes, trunk);
        bytes[at..at + 4].copy_from_slice(&trunk.to_be_bytes());
        let count = be32(bytes, 36) * 3;
        bytes[36..40].copy_from_slice(&count.to_be_bytes());
    });
    reported(&detail, "Freelist: 2nd reference to page");
}

#[test]
fn a_page_listed_twice_is_refused() {
    let store = old_store();
    let detail = refused(&store, add_plan(), |bytes| {
        let at = offset(bytes, be32(bytes, 32));
        let first = be32(bytes, at + 8);
        bytes[at + 12..at + 16].copy_from_slice(&first.to_be_bytes());
    });
    reported(&detail, "Freelist: 2nd reference to page");
}

#[test]
fn a_free_page_that_is_a_root_page_is_refused() {
    let store = old_store();
    let root: u32 = rusqlite::Connection::open(store.path())
        .unwrap()
        .query_row(
            "SELECT rootpage FROM sqlite_schema WHERE name = 'Archive'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let detail = refused(&store, add_plan(), |bytes| list_as_free(bytes, root));
    reported(&detail, &format!("2nd reference to page {root}\n"));
}

#[test]
fn damage_in_a_table_the_step_rewrites_is_refused() {
    let store = old_store();
    let page = leaf_page_of(&store, "Note");
    let detail = refused(&store, drop_plan(), |bytes| scramble(bytes, page));
    reported(&detail, &format!(" page {page} "));
}

#[test]
fn damage_in_a_table_the_step_does_not_read_is_left_as_it_is() {
    let store = old_store();
    let page = leaf_page_of(&store, "Archive");
    let mut bytes = store.bytes();
    scramble(&mut bytes, page);
    std::fs::write(store.path(), &bytes).unwrap();
    let damaged = bytes[offset(&bytes, page)..][..page_size(&bytes)].to_vec();

    let container = ModelContainer::open(store.path(), add_plan()).unwrap();
    assert_eq!(container.store_version(), Version::new(2, 0, 0));
    assert_eq!(container.context().count::<v2_add::Note>().unwrap(), 300);
    drop(container);
    let bytes = store.bytes();
    assert!(
        bytes[offset(&bytes, page)..][..page_size(&bytes)] == damaged[..],
        "the damaged page was neither read nor written"
    );
}

#[test]
fn a_step_with_hooks_checks_the_whole_file() {
    let store = old_store();
    let page = leaf_page_of(&store, "Archive");
    let detail = refused(&store, add_plan_with_hook(), |bytes| scramble(bytes, page));
    assert!(!detail.is_empty() && detail != "ok", "{detail}");
}

#[test]
fn a_store_with_frames_in_its_wal_is_checked_whole() {
    let store = old_store();
    let page = leaf_page_of(&store, "Archive");
    let mut bytes = store.bytes();
    scramble(&mut bytes, page);
    std::fs::write(store.path(), &bytes).unwrap();
    // Another connection puts the store in WAL mode and leaves a write in
    // the WAL (no checkpoint while it stays open).
    let other = rusqlite::Connection::open(store.path()).unwrap();
    let mode: String = other
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    other.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    other
        .execute("INSERT INTO Scratch (text) VALUES ('in the WAL')", [])
        .unwrap();
    let wal = store.dir().join("store.sqlite-wal");
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);
    let (bytes, wal_bytes) = (store.bytes(), std::fs::read(&wal).unwrap());

    let error = ModelContainer::open(store.path(), add_plan()).unwrap_err();
    assert!(
        matches!(error, Error::Store(StoreError::Corrupt { .. })),
        "{error:?}"
    );
    assert!(store.bytes() == bytes && std::fs::read(&wal).unwrap() == wal_bytes);
}

#[test]
fn a_page_of_a_table_the_step_rewrites_that_is_also_free_is_refused() {
    // The free list's first leaf names a leaf of `Note`, which `DROP COLUMN`
    // rewrites: the walk of `Note`'s tree finds the page taken twice.
    let store = old_store();
    let page = leaf_page_of(&store, "Note");
    let detail = refused(&store, drop_plan(), |bytes| list_as_free(bytes, page));
    reported(&detail, &format!("2nd reference to page {page}\n"));
}

#[test]
fn a_malformed_record_in_a_table_the_step_rewrites_stops_the_step() {
    // The walk reads the tree, not the rows' values: a record whose header
    // claims more bytes than the row holds passes it, and `DROP COLUMN`
    // stops on it, changing nothing.
    let store = old_store();
    let page = leaf_page_of(&store, "Note");
    let detail = refused(&store, drop_plan(), |bytes| {
        let at = offset(bytes, page);
        let cell = at + usize::from(u16::from_be_bytes([bytes[at + 8], bytes[at + 9]]));
        // One-byte varints here: the payload's size, the rowid, then the
        // record's header size.
        assert!(bytes[cell] < 0x80 && bytes[cell + 1] < 0x80 && bytes[cell + 2] < 0x80);
        bytes[cell + 2] = 0x7f;
    });
    assert!(detail.contains("malformed"), "{detail}");
}
