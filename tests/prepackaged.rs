//! A new store created from a bundled one (`prepackaged_file`,
//! `prepackaged_bytes`): copied, checked, migrated and moved into place;
//! the bundled store is never changed, and a bad one creates nothing.

mod common;

use staged::prelude::*;
use staged::{Error, MigrationError, OpenOutcome, StoreError};

use common::files::{listing, page_size, read_bytes};
use common::schemas::notes::{self, note, v1};
use common::store::{TempStore, open_fails_with};

/// 1.0.0 with an optional `color` on tags.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    /// A note.
    #[model]
    pub struct Note {
        /// A stable id from the app.
        #[attribute(unique)]
        pub uid: String,
        /// The title.
        pub title: String,
        /// Optional text.
        pub body: Option<String>,
        /// Higher is more important.
        #[attribute(index, default = 0)]
        pub priority: i64,
        /// Whether the note is done.
        pub done: bool,
        /// An optional rating.
        pub rating: Option<f64>,
    }

    /// A tag.
    #[model]
    pub struct Tag {
        /// The tag's unique name.
        #[attribute(unique)]
        pub name: String,
        /// New in 2.0.0.
        pub color: Option<String>,
    }
}

fn plan_v2() -> SchemaMigrationPlan<v2::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build()
        .unwrap()
}

/// A bundled store at 1.0.0 with two notes and a tag, closed.
fn bundle() -> TempStore {
    let bundle = TempStore::named("seed.sqlite");
    let container = notes::open(bundle.path());
    let mut ctx = container.context();
    ctx.insert(note("n1", "Welcome")).unwrap();
    ctx.insert(note("n2", "Try tags")).unwrap();
    ctx.insert(v1::Tag {
        name: "start".into(),
    })
    .unwrap();
    drop(ctx);
    drop(container);
    bundle
}

/// Opens `store` with `open`, expecting a [`StoreError::Prepackaged`]; the
/// store is not created and the bundle is unchanged.
fn refused(
    store: &TempStore,
    bundle: &TempStore,
    open: impl FnOnce() -> staged::Result<ModelContainer<v2::Schema>>,
) -> Error {
    let bundle_before = bundle.bytes();
    let files_before = listing(store.dir());
    let error = open().expect_err("the bundled store is refused");
    assert_eq!(
        listing(store.dir()),
        files_before,
        "nothing was created: {error}"
    );
    assert_eq!(bundle.bytes(), bundle_before, "the bundle was not changed");
    assert!(
        matches!(error, Error::Store(StoreError::Prepackaged { .. })),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&store.path().display().to_string()),
        "{message}"
    );
    error
}

/// The error inside a [`StoreError::Prepackaged`].
fn cause(error: &Error) -> &Error {
    match error {
        Error::Store(StoreError::Prepackaged { source, .. }) => source,
        other => panic!("expected StoreError::Prepackaged, got {other:?}"),
    }
}

#[test]
fn a_new_store_is_created_from_the_bundled_file_and_migrated() {
    let bundle = bundle();
    let before = bundle.bytes();
    let store = TempStore::new();
    let container = ModelContainer::builder(plan_v2())
        .prepackaged_file(bundle.path())
        .on_create(|_| panic!("on_create does not run for a prepackaged store"))
        .open(store.path())
        .unwrap();
    assert_eq!(
        container.open_outcome(),
        OpenOutcome::Prepackaged {
            from: Version::new(1, 0, 0)
        }
    );
    assert_eq!(container.store_version(), Version::new(2, 0, 0));
    let mut ctx = container.context();
    let titles: Vec<String> = ctx
        .fetch_all::<v2::Note>()
        .unwrap()
        .into_iter()
        .map(|n| n.title.clone())
        .collect();
    assert_eq!(titles, ["Welcome", "Try tags"]);
    assert_eq!(ctx.fetch_all::<v2::Tag>().unwrap()[0].color, None);
    ctx.insert(v2::Tag {
        name: "mine".into(),
        color: None,
    })
    .unwrap();
    drop(ctx);
    drop(container);
    assert_eq!(bundle.bytes(), before, "the bundle is only read");
    assert_eq!(
        listing(store.dir()),
        ["store.sqlite"],
        "no temporary file left"
    );
    // The next launch opens the store it created, with the user's data.
    let again = ModelContainer::builder(plan_v2())
        .prepackaged_file(bundle.path())
        .open(store.path())
        .unwrap();
    assert_eq!(again.open_outcome(), OpenOutcome::UpToDate);
    assert_eq!(again.context().count::<v2::Tag>().unwrap(), 2);
}

#[test]
fn bytes_at_the_latest_version_fill_an_empty_file() {
    let bundle = bundle();
    let bytes = bundle.bytes();
    let store = TempStore::new();
    std::fs::write(store.path(), b"").unwrap();
    let container = ModelContainer::builder(notes::plan())
        .prepackaged_bytes(bytes)
        .open(store.path())
        .unwrap();
    assert_eq!(
        container.open_outcome(),
        OpenOutcome::Prepackaged {
            from: Version::new(1, 0, 0)
        }
    );
    assert_eq!(container.context().count::<v1::Note>().unwrap(), 2);
}

#[test]
fn an_existing_store_is_opened_not_replaced() {
    let bundle = bundle();
    let store = TempStore::new();
    ModelContainer::open(store.path(), plan_v2()).unwrap();
    let container = ModelContainer::builder(plan_v2())
        .prepackaged_file(bundle.path())
        .open(store.path())
        .unwrap();
    assert_eq!(container.open_outcome(), OpenOutcome::UpToDate);
    assert_eq!(container.context().count::<v2::Note>().unwrap(), 0);
}

#[test]
fn a_bundle_that_is_not_a_store_creates_nothing() {
    let bundle = TempStore::named("seed.sqlite");
    std::fs::write(bundle.path(), b"not a database, just some text").unwrap();
    let store = TempStore::new();
    let error = refused(&store, &bundle, || {
        ModelContainer::builder(plan_v2())
            .prepackaged_file(bundle.path())
            .open(store.path())
    });
    assert!(
        matches!(cause(&error), Error::Store(StoreError::NotADatabase { path }) if path == bundle.path())
    );
    assert_eq!(
        error.to_string(),
        format!(
            "cannot create store `{store}` from the bundled store `{bundle}`: `{bundle}` is not a SQLite \
             database (its header is not `SQLite format 3`); pass the path of a store staged created, or a \
             path that does not exist yet to create one; nothing was created at `{store}` and the bundled \
             store was not changed: bundle a store that staged created at a version of this plan (closed, \
             so that it has no `-wal` file beside it)",
            store = store.path().display(),
            bundle = bundle.path().display()
        )
    );
    // Missing bundle file: an I/O error naming it.
    let missing = bundle.dir().join("missing.sqlite");
    let error = refused(&store, &bundle, || {
        ModelContainer::builder(plan_v2())
            .prepackaged_file(&missing)
            .open(store.path())
    });
    assert!(matches!(cause(&error), Error::Store(StoreError::Io { path, .. }) if *path == missing));
}

#[test]
fn a_foreign_database_as_bundle_creates_nothing() {
    let bundle = TempStore::named("seed.sqlite");
    staged::rusqlite::Connection::open(bundle.path())
        .unwrap()
        .execute_batch("CREATE TABLE t (x);")
        .unwrap();
    let store = TempStore::new();
    let bytes = bundle.bytes();
    let error = refused(&store, &bundle, || {
        ModelContainer::builder(plan_v2())
            .prepackaged_bytes(bytes)
            .open(store.path())
    });
    assert!(matches!(
        cause(&error),
        Error::Store(StoreError::ForeignDatabase { .. })
    ));
    assert!(
        error.to_string().contains("the bundled store given as "),
        "{error}"
    );
}

#[test]
fn a_bundle_newer_than_the_plan_or_of_an_edited_schema_creates_nothing() {
    let newer = TempStore::named("seed.sqlite");
    ModelContainer::open(newer.path(), plan_v2()).unwrap();
    let store = TempStore::new();
    let error = refused(&store, &newer, || {
        // The app's plan ends at 1.0.0: the bundle is from a newer app.
        ModelContainer::builder(notes::plan())
            .prepackaged_file(newer.path())
            .open(store.path())
            .map(|_| unreachable!("refused"))
    });
    assert!(matches!(
        cause(&error).as_migration(),
        Some(MigrationError::StoreNewer { path, .. }) if path == newer.path()
    ));

    let edited = bundle();
    edited
        .conn()
        .execute(
            "UPDATE _staged_metadata SET checksum = ?1",
            [v2::Schema::checksum().to_string()],
        )
        .unwrap();
    let error = refused(&store, &edited, || {
        ModelContainer::builder(plan_v2())
            .prepackaged_file(edited.path())
            .open(store.path())
    });
    assert!(matches!(
        cause(&error).as_migration(),
        Some(MigrationError::UnknownChecksum { .. })
    ));
}

#[test]
fn a_damaged_bundle_fails_its_integrity_check_and_creates_nothing() {
    let bundle = bundle();
    {
        let container = notes::open(bundle.path());
        let mut ctx = container.context();
        for n in 0..300 {
            ctx.insert(note(&format!("x{n}"), &"long title ".repeat(40)))
                .unwrap();
        }
        ctx.connection()
            .execute("DELETE FROM Note WHERE uid LIKE 'x%'", [])
            .unwrap();
    }
    // The first free-list entry now names page 2, a page in use.
    let mut bytes = read_bytes(bundle.path());
    let size = page_size(&bytes);
    let trunk = u32::from_be_bytes(bytes[32..36].try_into().unwrap());
    assert!(trunk > 0, "the bundle has free pages");
    let start = (usize::try_from(trunk).unwrap() - 1) * size;
    bytes[start + 8..start + 12].copy_from_slice(&2u32.to_be_bytes());
    std::fs::write(bundle.path(), bytes).unwrap();

    let store = TempStore::new();
    let error = refused(&store, &bundle, || {
        ModelContainer::builder(plan_v2())
            .prepackaged_file(bundle.path())
            .open(store.path())
    });
    assert!(
        matches!(cause(&error), Error::Store(StoreError::Corrupt { path, .. }) if path == bundle.path()),
        "{error:?}"
    );
}

#[test]
fn without_the_option_a_failed_open_still_leaves_the_directory_alone() {
    // The prepackaged path cleans up after itself; the plain path is unchanged.
    let store = TempStore::new();
    std::fs::write(store.path(), b"plain text").unwrap();
    let error = open_fails_with(&store, || {
        ModelContainer::builder(plan_v2())
            .prepackaged_file(store.dir().join("unused.sqlite"))
            .open(store.path())
    });
    assert!(matches!(
        error,
        Error::Store(StoreError::NotADatabase { .. })
    ));
}
