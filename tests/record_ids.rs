//! Record ids are never given twice in a store: not after the newest record
//! is deleted, and not after any kind of migration (a rebuild, a transform, a
//! transform dropping the newest rows, an entity rename, two entities
//! swapping names, a composed skip step). Every case seeds a real file at v1 where the newest note was
//! deleted while a `no_action` pin still refers to it, migrates it, and
//! checks that a new note gets a fresh id and the pin still dangles.
//!
//! Stores created before entity tables had `AUTOINCREMENT` keep opening and
//! migrating; a table gets the guarantee when a migration rebuilds or
//! transforms it (`legacy_*` tests).

mod common;

use std::path::Path;

use common::store::{TempStore, write_legacy_store};
use common::{plans, sql};
use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
mod v1 {
    use staged::prelude::*;

    #[model]
    pub struct Note {
        pub title: String,
        pub body: Option<String>,
    }

    #[model]
    pub struct Pin {
        pub label: String,
        #[relationship(delete_rule = "no_action")]
        pub note: Option<Ref<Note>>,
    }
}

/// A rebuild: `title` becomes optional.
#[versioned_schema(version = "2.0.0")]
mod v2_rebuild {
    use staged::prelude::*;

    #[model]
    pub struct Note {
        pub title: Option<String>,
        pub body: Option<String>,
    }

    #[model]
    pub struct Pin {
        pub label: String,
        #[relationship(delete_rule = "no_action")]
        pub note: Option<Ref<Note>>,
    }
}

/// In place: a column added.
#[versioned_schema(version = "2.0.0")]
mod v2_alter {
    use staged::prelude::*;

    #[model]
    pub struct Note {
        pub title: String,
        pub body: Option<String>,
        pub due: Option<i64>,
    }

    #[model]
    pub struct Pin {
        pub label: String,
        #[relationship(delete_rule = "no_action")]
        pub note: Option<Ref<Note>>,
    }
}

/// A custom transform: `body` replaced by its length.
#[versioned_schema(version = "2.0.0")]
mod v2_transform {
    use staged::prelude::*;

    #[model]
    pub struct Note {
        pub title: String,
        pub length: i64,
    }

    #[model]
    pub struct Pin {
        pub label: String,
        #[relationship(delete_rule = "no_action")]
        pub note: Option<Ref<Note>>,
    }
}

/// An entity rename, in place.
#[versioned_schema(version = "2.0.0")]
mod v2_rename {
    use staged::prelude::*;

    #[model(original_name = "Note")]
    pub struct Memo {
        pub title: String,
        pub body: Option<String>,
    }

    #[model]
    pub struct Pin {
        pub label: String,
        #[relationship(delete_rule = "no_action")]
        pub note: Option<Ref<Memo>>,
    }
}

/// After `v2_rename`, a rebuild of the renamed entity: with v1 and
/// `v2_rename`, one composed step renames and rebuilds.
#[versioned_schema(version = "3.0.0")]
mod v3_rebuild {
    use staged::prelude::*;

    #[model]
    pub struct Memo {
        pub title: Option<String>,
        pub body: Option<String>,
    }

    #[model]
    pub struct Pin {
        pub label: String,
        #[relationship(delete_rule = "no_action")]
        pub note: Option<Ref<Memo>>,
    }
}

/// The ids of a seeded store: three notes were inserted, the newest deleted,
/// and a pin still refers to it.
struct Seeded {
    kept: [PersistentId; 2],
    deleted: PersistentId,
}

/// Seeds `path` at v1: notes `a`, `b`, `c`, a pin on `c`, then `c` deleted.
fn seed(path: &Path) -> Seeded {
    let container = plans::open_single::<v1::Schema>(path);
    let mut ctx = container.context();
    let mut note = |title: &str| {
        ctx.insert(v1::Note {
            title: title.into(),
            body: Some(format!("{title}{title}")),
        })
        .unwrap()
    };
    let (a, b, c) = (note("a"), note("b"), note("c"));
    ctx.insert(v1::Pin {
        label: "on c".into(),
        note: Some(Ref::new(c)),
    })
    .unwrap();
    ctx.delete::<v1::Note>(c).unwrap();
    Seeded {
        kept: [a, b],
        deleted: c,
    }
}

/// The id the pin refers to.
fn pinned(store: &TempStore) -> Option<i64> {
    store
        .conn()
        .query_row("SELECT note FROM Pin", [], |row| row.get(0))
        .unwrap()
}

#[test]
fn a_new_store_never_gives_a_deleted_id_again_even_after_reopening() {
    let store = TempStore::new();
    let seeded = seed(store.path());
    assert_eq!(
        sql::sequence(&store.conn()),
        [("Note".into(), 3), ("Pin".into(), 1)]
    );
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    let new = ctx
        .insert(v1::Note {
            title: "d".into(),
            body: None,
        })
        .unwrap();
    assert_eq!(new.raw(), seeded.deleted.raw() + 1);
    let pin = ctx.fetch_all::<v1::Pin>().unwrap().remove(0);
    assert_eq!(pin.note, Some(Ref::new(seeded.deleted)));
    assert!(
        ctx.follow(pin.note).unwrap().is_none(),
        "the pin still dangles"
    );
    // Deleting the newest again, then raw SQL through the escape hatch: still fresh.
    ctx.delete::<v1::Note>(new).unwrap();
    ctx.connection()
        .execute("INSERT INTO Note (title) VALUES ('raw')", [])
        .unwrap();
    let raw: i64 = ctx
        .connection()
        .query_row("SELECT max(_id) FROM Note", [], |row| row.get(0))
        .unwrap();
    assert_eq!(raw, new.raw() + 1);
}

#[test]
fn a_rebuild_keeps_the_high_water_mark() {
    let store = TempStore::new();
    let seeded = seed(store.path());
    let plan = plans::two::<v1::Schema, v2_rebuild::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    let new = ctx
        .insert(v2_rebuild::Note {
            title: None,
            body: None,
        })
        .unwrap();
    assert_eq!(
        new.raw(),
        seeded.deleted.raw() + 1,
        "the deleted id stays unused"
    );
    let pin = ctx.fetch_all::<v2_rebuild::Pin>().unwrap().remove(0);
    assert!(
        ctx.follow(pin.note).unwrap().is_none(),
        "the pin still dangles"
    );
    drop(ctx);
    drop(container);
    assert_eq!(
        sql::table_sql(&store.conn(), "Note"),
        r#"CREATE TABLE "Note" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "title" TEXT, "body" TEXT)"#
    );
    // One row per entity table, none for the temporary table.
    assert_eq!(
        sql::sequence(&store.conn()),
        [("Note".into(), 4), ("Pin".into(), 1)]
    );
    assert_eq!(sql::ids(&store.conn(), "Note"), [1, 2, 4]);
    let [a, b] = seeded.kept;
    assert_eq!([a.raw(), b.raw()], [1, 2]);
}

#[test]
fn a_transform_keeps_the_high_water_mark() {
    let store = TempStore::new();
    let seeded = seed(store.path());
    let plan = plans::two_with_stage::<v1::Schema, v2_transform::Schema>(
        MigrationStage::custom::<v1::Schema, v2_transform::Schema>().transform(|old: v1::Note| {
            Ok(v2_transform::Note {
                title: old.title,
                length: old.body.map_or(0, |b| b.len() as i64),
            })
        }),
    );
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    let new = ctx
        .insert(v2_transform::Note {
            title: "d".into(),
            length: 0,
        })
        .unwrap();
    assert_eq!(new.raw(), seeded.deleted.raw() + 1);
    drop(ctx);
    drop(container);
    assert_eq!(
        sql::sequence(&store.conn()),
        [("Note".into(), 4), ("Pin".into(), 1)]
    );
    assert_eq!(pinned(&store), Some(seeded.deleted.raw()));
}

/// The transform drops the newest note (`b`, which a pin now refers to); a
/// `did_migrate` hook and a later insert both get ids above every id the
/// store ever gave.
#[test]
fn a_transform_dropping_the_newest_rows_keeps_their_ids_unused() {
    let store = TempStore::new();
    let seeded = seed(store.path());
    let [a, b] = seeded.kept;
    {
        let container = plans::open_single::<v1::Schema>(store.path());
        container
            .context()
            .set(
                PersistentId::from_raw(1),
                v1::Pin::fields().note,
                Some(Ref::new(b)),
            )
            .unwrap();
    }
    let plan = plans::two_with_stage::<v1::Schema, v2_transform::Schema>(
        MigrationStage::custom::<v1::Schema, v2_transform::Schema>()
            .transform_or_drop(|old: v1::Note| {
                Ok((old.title != "b").then_some(v2_transform::Note {
                    title: old.title,
                    length: 0,
                }))
            })
            .did_migrate(|ctx: &mut ModelContext<v2_transform::Schema>| {
                let id = ctx.insert(v2_transform::Note {
                    title: "from the hook".into(),
                    length: 0,
                })?;
                assert_eq!(id.raw(), 4, "the hook's insert reused an id");
                Ok(())
            }),
    );
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    let new = ctx
        .insert(v2_transform::Note {
            title: "d".into(),
            length: 0,
        })
        .unwrap();
    assert_eq!(new.raw(), 5);
    let pin = ctx.fetch_all::<v2_transform::Pin>().unwrap().remove(0);
    assert_eq!(pin.note, Some(Ref::new(b)));
    assert!(
        ctx.follow(pin.note).unwrap().is_none(),
        "the pin still dangles"
    );
    drop(ctx);
    drop(container);
    assert_eq!(sql::ids(&store.conn(), "Note"), [a.raw(), 4, 5]);
    assert_eq!(
        sql::sequence(&store.conn()),
        [("Note".into(), 5), ("Pin".into(), 1)]
    );
}

#[test]
fn an_entity_rename_keeps_the_high_water_mark() {
    let store = TempStore::new();
    let seeded = seed(store.path());
    let plan = plans::two::<v1::Schema, v2_rename::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    let new = ctx
        .insert(v2_rename::Memo {
            title: "d".into(),
            body: None,
        })
        .unwrap();
    assert_eq!(new.raw(), seeded.deleted.raw() + 1);
    let pin = ctx.fetch_all::<v2_rename::Pin>().unwrap().remove(0);
    assert!(
        ctx.follow(pin.note).unwrap().is_none(),
        "the pin still dangles"
    );
    drop(ctx);
    drop(container);
    assert_eq!(
        sql::sequence(&store.conn()),
        [("Memo".into(), 4), ("Pin".into(), 1)]
    );
}

#[test]
fn a_composed_skip_step_renaming_and_rebuilding_keeps_the_high_water_mark() {
    let store = TempStore::new();
    let seeded = seed(store.path());
    let plan = plans::three::<v1::Schema, v2_rename::Schema, v3_rebuild::Schema>();
    assert_eq!(
        plan.migration_path(Version::new(1, 0, 0))
            .unwrap()
            .to_string(),
        "1.0.0 -[inferred]-> 3.0.0"
    );
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    let new = ctx
        .insert(v3_rebuild::Memo {
            title: None,
            body: None,
        })
        .unwrap();
    assert_eq!(new.raw(), seeded.deleted.raw() + 1);
    drop(ctx);
    drop(container);
    assert_eq!(
        sql::table_sql(&store.conn(), "Memo"),
        r#"CREATE TABLE "Memo" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "title" TEXT, "body" TEXT)"#
    );
    assert_eq!(
        sql::sequence(&store.conn()),
        [("Memo".into(), 4), ("Pin".into(), 1)]
    );
}

#[versioned_schema(version = "1.0.0")]
mod v1_pair {
    #[model]
    pub struct Left {
        pub x: String,
    }

    #[model]
    pub struct Right {
        pub y: String,
    }
}

/// The two entities swap names (both through temporary names), and `Left`
/// is rebuilt too (`x` becomes optional).
#[versioned_schema(version = "2.0.0")]
mod v2_pair {
    #[model(original_name = "Right")]
    pub struct Left {
        pub y: String,
    }

    #[model(original_name = "Left")]
    pub struct Right {
        pub x: Option<String>,
    }
}

#[test]
fn entities_swapping_names_keep_their_own_marks() {
    let store = TempStore::new();
    {
        let container = plans::open_single::<v1_pair::Schema>(store.path());
        let mut ctx = container.context();
        for k in 1..=3 {
            ctx.insert(v1_pair::Left { x: k.to_string() }).unwrap();
        }
        for k in 1..=5 {
            ctx.insert(v1_pair::Right { y: k.to_string() }).unwrap();
        }
        ctx.delete::<v1_pair::Left>(PersistentId::from_raw(3))
            .unwrap();
        ctx.delete::<v1_pair::Right>(PersistentId::from_raw(5))
            .unwrap();
        ctx.delete::<v1_pair::Right>(PersistentId::from_raw(4))
            .unwrap();
    }
    let plan = plans::two::<v1_pair::Schema, v2_pair::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    // `Left` holds the old `Right` rows (mark 5), `Right` the old `Left` rows (mark 3).
    let left = ctx.insert(v2_pair::Left { y: "new".into() }).unwrap();
    let right = ctx.insert(v2_pair::Right { x: None }).unwrap();
    assert_eq!((left.raw(), right.raw()), (6, 4));
    drop(ctx);
    drop(container);
    assert_eq!(
        sql::table_sql(&store.conn(), "Right"),
        r#"CREATE TABLE "Right" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "x" TEXT)"#
    );
    assert_eq!(
        sql::sequence(&store.conn()),
        [("Left".into(), 6), ("Right".into(), 4)]
    );
}

// ---------------------------------------------------------------------------
// Stores created before entity tables had `AUTOINCREMENT`
// ---------------------------------------------------------------------------

/// Writes a store at v1 exactly as staged wrote it before entity tables had
/// `AUTOINCREMENT`: notes 1, 2 and 4 (3 was deleted), and a pin on note 5,
/// the newest note once, deleted since; no `sqlite_sequence`.
fn legacy_store(path: &Path) {
    write_legacy_store::<v1::Schema>(
        path,
        r#"CREATE TABLE "Note" ("_id" INTEGER PRIMARY KEY, "title" TEXT NOT NULL, "body" TEXT);
           CREATE TABLE "Pin" ("_id" INTEGER PRIMARY KEY, "label" TEXT NOT NULL, "note" INTEGER);
           CREATE INDEX "_staged_index_3_Pin_note" ON "Pin" ("note");
           INSERT INTO "Note" VALUES (1, 'a', 'aa'), (2, 'b', NULL), (4, 'd', 'dd');
           INSERT INTO "Pin" VALUES (1, 'on e', 5);"#,
    );
}

#[test]
fn a_legacy_store_matches_its_schema_and_opens_unchanged() {
    let store = TempStore::new();
    legacy_store(store.path());
    {
        let conn = store.conn();
        let drift =
            staged_runtime::__internals::verify::drift(&conn, v1::Schema::descriptor()).unwrap();
        assert!(drift.is_empty(), "{drift:?}");
    }
    let before = store.bytes();
    // In its own journal mode (a legacy store uses the rollback journal; the
    // default would switch it to WAL, which rewrites the header once).
    let container = ModelContainer::builder(plans::single::<v1::Schema>())
        .journal_mode(staged::JournalMode::Rollback)
        .open(store.path())
        .unwrap();
    assert_eq!(container.store_version(), Version::new(1, 0, 0));
    drop(container);
    assert_eq!(store.bytes(), before, "opening rewrites nothing");
    // Untouched legacy tables keep SQLite's `max(_id) + 1`: the guarantee
    // starts with the first rebuild or transform of the table.
    let container = plans::open_single::<v1::Schema>(store.path());
    let new = container
        .context()
        .insert(v1::Note {
            title: "e".into(),
            body: None,
        })
        .unwrap();
    assert_eq!(new.raw(), 5);
    assert!(!sql::has_sequence_table(&store.conn()));
}

#[test]
fn a_legacy_table_changed_in_place_keeps_its_definition() {
    let store = TempStore::new();
    legacy_store(store.path());
    let plan = plans::two::<v1::Schema, v2_alter::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    assert_eq!(container.store_version(), Version::new(2, 0, 0));
    assert_eq!(container.context().count::<v2_alter::Note>().unwrap(), 3);
    drop(container);
    assert_eq!(
        sql::table_sql(&store.conn(), "Note"),
        r#"CREATE TABLE "Note" ("_id" INTEGER PRIMARY KEY, "title" TEXT NOT NULL, "body" TEXT, "due" INTEGER)"#
    );
    assert!(!sql::has_sequence_table(&store.conn()));
}

#[test]
fn a_legacy_table_gets_the_guarantee_from_its_first_rebuild() {
    let store = TempStore::new();
    legacy_store(store.path());
    let plan = plans::two::<v1::Schema, v2_rebuild::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    // The mark is the largest id the table holds.
    ctx.delete::<v2_rebuild::Note>(PersistentId::from_raw(4))
        .unwrap();
    let new = ctx
        .insert(v2_rebuild::Note {
            title: None,
            body: None,
        })
        .unwrap();
    assert_eq!(new.raw(), 5);
    drop(ctx);
    drop(container);
    assert_eq!(
        sql::table_sql(&store.conn(), "Note"),
        r#"CREATE TABLE "Note" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "title" TEXT, "body" TEXT)"#
    );
    // `Pin` was not rebuilt: it stays as it was, with no row.
    assert_eq!(sql::sequence(&store.conn()), [("Note".into(), 5)]);
}

#[test]
fn a_legacy_table_transformed_keeps_the_ids_of_dropped_rows_unused() {
    let store = TempStore::new();
    legacy_store(store.path());
    let plan = plans::two_with_stage::<v1::Schema, v2_transform::Schema>(
        MigrationStage::custom::<v1::Schema, v2_transform::Schema>().transform_or_drop(
            |old: v1::Note| {
                Ok((old.title != "d").then_some(v2_transform::Note {
                    title: old.title,
                    length: 0,
                }))
            },
        ),
    );
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let new = container
        .context()
        .insert(v2_transform::Note {
            title: "e".into(),
            length: 0,
        })
        .unwrap();
    assert_eq!(new.raw(), 5, "id 4 was the newest before the transform");
    drop(container);
    assert_eq!(sql::ids(&store.conn(), "Note"), [1, 2, 5]);
    assert_eq!(sql::sequence(&store.conn()), [("Note".into(), 5)]);
}
