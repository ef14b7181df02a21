//! Encryption at rest (feature `sqlcipher`): stores created, opened,
//! migrated, dry-run and prepackaged under a key; a wrong key, a missing
//! key and a plaintext store given a key are typed errors that change
//! nothing; a plaintext store is encrypted into a copy that replaces it.
//!
//! ```text
//! cargo test -p staged --features sqlcipher --test encryption
//! ```
//!
//! Without the feature only the first test runs: a file that looks
//! encrypted is refused with a message about encryption.

mod common;

use staged::prelude::*;
use staged::{Error, StoreError};

use common::schemas::notes;
use common::store::{TempStore, open_fails_with};

/// What an encrypted store looks like from outside: whole pages, no header.
#[test]
fn a_file_that_looks_encrypted_is_refused_naming_encryption() {
    let store = TempStore::new();
    let mut rng = fastrand::Rng::with_seed(7);
    let pages: Vec<u8> = std::iter::repeat_with(|| rng.u8(..))
        .take(2 * 4096)
        .collect();
    std::fs::write(store.path(), &pages).unwrap();
    let error = open_fails_with(&store, || ModelContainer::open(store.path(), notes::plan()));
    assert!(
        matches!(&error, Error::Store(StoreError::Encrypted { path }) if path == store.path()),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("is encrypted, or is not a SQLite database")
            && message.contains("`ModelContainerBuilder::encryption_key`")
            && message.contains("`sqlcipher` feature"),
        "{message}"
    );
}

#[cfg(feature = "sqlcipher")]
mod sqlcipher {
    use std::path::Path;

    use staged::prelude::*;
    use staged::{
        EncryptionKey, Error, ModelContainerBuilder, OpenOutcome, Recreate, StoreError, StoreGroup,
        encrypt_store,
    };

    use crate::common::files::{listing, read_bytes};
    use crate::common::schemas::notes::{self, note, v1};
    use crate::common::store::{TempStore, open_fails_with};

    /// 1.0.0 with a new optional attribute.
    #[versioned_schema(version = "2.0.0")]
    pub mod v2 {
        #[model]
        pub struct Note {
            #[attribute(unique)]
            pub uid: String,
            pub title: String,
            pub body: Option<String>,
            #[attribute(index, default = 0)]
            pub priority: i64,
            pub done: bool,
            pub rating: Option<f64>,
            pub color: Option<String>,
        }

        #[model]
        pub struct Tag {
            #[attribute(unique)]
            pub name: String,
        }
    }

    fn plan_v2() -> SchemaMigrationPlan<v2::Schema> {
        SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .schema::<v2::Schema>()
            .build()
            .unwrap()
    }

    fn key() -> EncryptionKey {
        EncryptionKey::passphrase("correct horse battery staple")
    }

    /// A title that must never appear in an encrypted file's bytes.
    const SECRET: &str = "Meet the informant at dawn";

    fn with_key(key: EncryptionKey) -> ModelContainerBuilder<v1::Schema> {
        ModelContainer::builder(notes::plan()).encryption_key(key)
    }

    /// Creates an encrypted 1.0.0 store at `path` holding one secret note.
    fn encrypted_store(path: &Path) {
        let container = with_key(key()).open(path).unwrap();
        assert_eq!(container.open_outcome(), OpenOutcome::Created);
        container.context().insert(note("n1", SECRET)).unwrap();
    }

    /// No SQLite header, and no secret anywhere in the bytes.
    fn assert_encrypted(path: &Path) {
        let bytes = read_bytes(path);
        assert_ne!(
            &bytes[..16],
            b"SQLite format 3\0",
            "the header is encrypted"
        );
        assert!(
            !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
            "the plaintext appears in the file"
        );
    }

    #[test]
    fn a_new_store_is_encrypted_and_reopens_with_its_key() {
        let store = TempStore::new();
        encrypted_store(store.path());
        assert_eq!(listing(store.dir()), ["store.sqlite"]);
        assert_encrypted(store.path());

        let container = with_key(key()).open(store.path()).unwrap();
        assert_eq!(container.open_outcome(), OpenOutcome::UpToDate);
        // Outside a transaction a read runs on a read connection of the pool.
        let notes = container.context().fetch_all::<v1::Note>().unwrap();
        assert_eq!(notes[0].title, SECRET);
        let in_transaction = container
            .context()
            .transaction(|ctx| ctx.count::<v1::Note>())
            .unwrap();
        assert_eq!(in_transaction, 1);
    }

    #[test]
    fn a_raw_key_opens_what_it_created_and_debug_hides_keys() {
        let store = TempStore::new();
        let raw = EncryptionKey::raw([0x5a; 32]);
        drop(with_key(raw.clone()).open(store.path()).unwrap());
        assert_encrypted(store.path());
        assert!(with_key(raw.clone()).open(store.path()).is_ok());
        assert_eq!(format!("{raw:?}"), "EncryptionKey(raw, hidden)");
        assert_eq!(format!("{:?}", key()), "EncryptionKey(passphrase, hidden)");
    }

    #[test]
    fn a_wrong_key_is_a_typed_error_that_changes_nothing() {
        let store = TempStore::new();
        encrypted_store(store.path());
        let error = open_fails_with(&store, || {
            with_key(EncryptionKey::passphrase("wrong")).open(store.path())
        });
        assert!(
            matches!(&error, Error::Store(StoreError::WrongKey { path }) if path == store.path()),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!(
                "`{}` cannot be decrypted with the encryption key given (the key is wrong, or the file \
                 is not an encrypted store); nothing was changed: open it with the key it was \
                 encrypted with",
                store.path().display()
            )
        );
    }

    #[test]
    fn a_wrong_or_missing_key_never_makes_a_cache_store_recreated() {
        let store = TempStore::new();
        encrypted_store(store.path());
        for key in [Some(EncryptionKey::passphrase("wrong")), None] {
            let missing = key.is_none();
            let error = open_fails_with(&store, || {
                let builder = ModelContainer::builder(notes::plan())
                    .recreate_when(Recreate::Corrupt)
                    .recreate_when(Recreate::UnknownChecksum);
                match key {
                    Some(key) => builder.encryption_key(key).open(store.path()),
                    None => builder.open(store.path()),
                }
            });
            assert!(
                matches!(
                    (&error, missing),
                    (Error::Store(StoreError::WrongKey { .. }), false)
                        | (Error::Store(StoreError::Encrypted { .. }), true)
                ),
                "{error:?}"
            );
        }
    }

    #[test]
    fn an_encrypted_store_without_a_key_is_refused() {
        let store = TempStore::new();
        encrypted_store(store.path());
        let error = open_fails_with(&store, || ModelContainer::open(store.path(), notes::plan()));
        assert!(
            matches!(&error, Error::Store(StoreError::Encrypted { .. })),
            "{error:?}"
        );
        let dry = ModelContainer::builder(notes::plan()).dry_run(store.path());
        assert!(matches!(
            dry,
            Err(Error::Store(StoreError::Encrypted { .. }))
        ));
        assert!(matches!(
            staged::inspect_store(store.path()),
            Err(Error::Store(StoreError::Encrypted { .. }))
        ));
    }

    #[test]
    fn a_plaintext_store_given_a_key_is_refused_unless_asked_to_encrypt() {
        let store = TempStore::new();
        notes::open(store.path())
            .context()
            .insert(note("n1", SECRET))
            .unwrap();
        let error = open_fails_with(&store, || with_key(key()).open(store.path()));
        assert!(
            matches!(&error, Error::Store(StoreError::NotEncrypted { .. })),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .contains("`ModelContainerBuilder::encrypt_plaintext`"),
            "{error}"
        );
    }

    #[test]
    fn encrypt_plaintext_encrypts_an_old_store_then_migrates_it() {
        let store = TempStore::new();
        {
            let container = notes::open(store.path());
            let mut ctx = container.context();
            ctx.insert(note("n1", SECRET)).unwrap();
            ctx.insert(note("n2", "second")).unwrap();
        }
        let container = ModelContainer::builder(plan_v2())
            .encryption_key(key())
            .encrypt_plaintext()
            .open(store.path())
            .unwrap();
        assert_eq!(
            container.open_outcome(),
            OpenOutcome::Migrated {
                from: Version::new(1, 0, 0)
            }
        );
        let notes = container.context().fetch_all::<v2::Note>().unwrap();
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0].title, SECRET);
        drop(container);
        assert_eq!(listing(store.dir()), ["store.sqlite"]);
        assert_encrypted(store.path());
        let raw = staged::rusqlite::Connection::open(store.path()).unwrap();
        raw.pragma_update(None, "key", "correct horse battery staple")
            .unwrap();
        let id: i64 = raw
            .pragma_query_value(None, "application_id", |row| row.get(0))
            .unwrap();
        assert_eq!(id, 0x5354_4744, "the copy keeps staged's application id");
        drop(raw);

        // Encrypted now: the option does nothing more, and no key is an error.
        let again = ModelContainer::builder(plan_v2())
            .encryption_key(key())
            .encrypt_plaintext()
            .open(store.path())
            .unwrap();
        assert_eq!(again.open_outcome(), OpenOutcome::UpToDate);
        drop(again);
        assert!(matches!(
            ModelContainer::open(store.path(), plan_v2()),
            Err(Error::Store(StoreError::Encrypted { .. }))
        ));
    }

    /// The schema cookie the encrypted store at `path` recorded, and its own.
    fn cookies(path: &Path) -> (Option<i64>, i64) {
        let raw = staged::rusqlite::Connection::open(path).unwrap();
        raw.pragma_update(None, "key", "correct horse battery staple")
            .unwrap();
        let recorded = raw
            .query_row("SELECT schema_cookie FROM _staged_metadata", [], |r| {
                r.get(0)
            })
            .unwrap();
        let actual: i64 = raw
            .pragma_query_value(None, "schema_version", |r| r.get(0))
            .unwrap();
        // The revision of staged's tables is in the high 32 bits.
        (recorded, (1 << 32) | actual)
    }

    #[test]
    fn an_encrypted_copy_forgets_the_schema_cookie_until_its_next_migration() {
        // The copy's schema is created anew, so its cookie counts other
        // changes than the plaintext store's: the next migration compares
        // every table, then records the copy's own.
        let store = TempStore::new();
        drop(notes::open(store.path()));
        encrypt_store(store.path(), &key()).unwrap();
        assert_eq!(cookies(store.path()).0, None);
        let container = ModelContainer::builder(plan_v2())
            .encryption_key(key())
            .open(store.path())
            .unwrap();
        assert_eq!(container.store_version(), Version::new(2, 0, 0));
        drop(container);
        let (recorded, actual) = cookies(store.path());
        assert_eq!(recorded, Some(actual));
    }

    #[test]
    fn encrypting_a_store_open_elsewhere_changes_nothing() {
        let store = TempStore::new();
        let elsewhere = notes::open(store.path());
        elsewhere.context().insert(note("n1", SECRET)).unwrap();
        let before = read_bytes(store.path());
        let files = listing(store.dir());
        let error = encrypt_store(store.path(), &key()).unwrap_err();
        assert!(
            matches!(&error, Error::Store(StoreError::OpenElsewhere { path }) if path == store.path()),
            "{error:?}"
        );
        assert_eq!(read_bytes(store.path()), before);
        assert_eq!(listing(store.dir()), files, "the encrypted copy is removed");
        // The other connection still works on the plaintext store.
        assert_eq!(elsewhere.context().count::<v1::Note>().unwrap(), 1);
    }

    #[test]
    fn encrypt_store_with_another_key_than_the_store_has_is_a_wrong_key() {
        let store = TempStore::new();
        encrypted_store(store.path());
        let before = read_bytes(store.path());
        assert!(
            encrypt_store(store.path(), &key()).is_ok(),
            "already encrypted"
        );
        let error = encrypt_store(store.path(), &EncryptionKey::passphrase("other")).unwrap_err();
        assert!(
            matches!(error, Error::Store(StoreError::WrongKey { .. })),
            "{error:?}"
        );
        assert_eq!(read_bytes(store.path()), before);
        assert_eq!(listing(store.dir()), ["store.sqlite"]);
    }

    #[test]
    fn an_encrypted_store_migrates_and_its_dry_run_copy_is_encrypted() {
        let store = TempStore::new();
        encrypted_store(store.path());
        let before = read_bytes(store.path());
        let builder = ModelContainer::builder(plan_v2()).encryption_key(key());
        let report = builder.dry_run(store.path()).unwrap();
        assert!(report.would_succeed(), "{report}");
        assert_eq!(read_bytes(store.path()), before);
        assert_eq!(listing(store.dir()), ["store.sqlite"]);

        let container = builder.open(store.path()).unwrap();
        assert_eq!(
            container.open_outcome(),
            OpenOutcome::Migrated {
                from: Version::new(1, 0, 0)
            }
        );
        let notes = container.context().fetch_all::<v2::Note>().unwrap();
        assert_eq!((notes[0].title.as_str(), &notes[0].color), (SECRET, &None));
        drop(container);
        assert_encrypted(store.path());
    }

    #[test]
    fn a_plaintext_bundle_becomes_an_encrypted_store_and_stays_as_it_was() {
        let bundle = TempStore::named("seed.sqlite");
        notes::open(bundle.path())
            .context()
            .insert(note("n1", SECRET))
            .unwrap();
        let bundled = read_bytes(bundle.path());
        let store = TempStore::new();
        let container = ModelContainer::builder(plan_v2())
            .encryption_key(key())
            .prepackaged_file(bundle.path())
            .open(store.path())
            .unwrap();
        assert_eq!(
            container.open_outcome(),
            OpenOutcome::Prepackaged {
                from: Version::new(1, 0, 0)
            }
        );
        assert_eq!(container.context().count::<v2::Note>().unwrap(), 1);
        drop(container);
        assert_eq!(read_bytes(bundle.path()), bundled);
        assert_eq!(listing(store.dir()), ["store.sqlite"]);
        assert_encrypted(store.path());
    }

    #[test]
    fn a_store_group_opens_encrypted_stores() {
        let one = TempStore::named("one.sqlite");
        let two = TempStore::named("two.sqlite");
        encrypted_store(one.path());
        encrypted_store(two.path());
        let mut group = StoreGroup::builder();
        let first = group.store_with(
            one.path(),
            ModelContainer::builder(plan_v2()).encryption_key(key()),
        );
        let second = group.store_with(
            two.path(),
            ModelContainer::builder(plan_v2()).encryption_key(EncryptionKey::passphrase("no")),
        );
        let before = read_bytes(one.path());
        let error = group.open().unwrap_err();
        assert!(
            format!("{error}").contains("cannot be decrypted"),
            "{error}"
        );
        assert_eq!(read_bytes(one.path()), before, "all or nothing");
        let _ = (first, second);

        let mut group = StoreGroup::builder();
        let first = group.store_with(
            one.path(),
            ModelContainer::builder(plan_v2()).encryption_key(key()),
        );
        group.store_with(
            two.path(),
            ModelContainer::builder(plan_v2()).encryption_key(key()),
        );
        let opened = group.open().unwrap();
        let container = opened.container(first);
        assert_eq!(container.store_version(), Version::new(2, 0, 0));
        assert_eq!(container.context().count::<v2::Note>().unwrap(), 1);
    }
}
