//! What the drift check (`verify::drift`, run after migrations)
//! reports: each kind of difference between a store's tables and a schema,
//! one store file per case, tampered with through a raw connection.

mod common;

use common::store::TempStore;
use common::{plans, sql};
use staged::MigrationError;
use staged::prelude::*;
use staged::rusqlite::Connection;
use staged_runtime::__internals::verify;

/// Authors, books (a to-one with a delete rule, tags) and tags (a unique
/// label, an indexed rank, a many-to-many to books).
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use staged::prelude::*;

    /// A writer.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Author {
        /// Full name.
        pub name: String,
    }

    /// A book.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Book {
        /// Title.
        pub title: String,
        /// Optional subtitle.
        pub subtitle: Option<String>,
        /// Deleting the author deletes the book.
        #[relationship(delete_rule = "cascade")]
        pub author: Ref<Author>,
        /// Tags.
        #[relationship(inverse = "books")]
        pub tags: ToMany<Tag>,
    }

    /// A tag.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Tag {
        /// Label, unique.
        #[attribute(unique)]
        pub label: String,
        /// Rank, indexed.
        #[attribute(index)]
        pub rank: i64,
        /// Tagged books.
        #[relationship(inverse = "tags")]
        pub books: ToMany<Book>,
    }
}

/// Version 2: `Author` gains an optional `born`.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    use staged::prelude::*;

    /// A writer.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Author {
        /// Full name.
        pub name: String,
        /// Year of birth.
        pub born: Option<i64>,
    }

    /// A book.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Book {
        /// Title.
        pub title: String,
        /// Optional subtitle.
        pub subtitle: Option<String>,
        /// Deleting the author deletes the book.
        #[relationship(delete_rule = "cascade")]
        pub author: Ref<Author>,
        /// Tags.
        #[relationship(inverse = "books")]
        pub tags: ToMany<Tag>,
    }

    /// A tag.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Tag {
        /// Label, unique.
        #[attribute(unique)]
        pub label: String,
        /// Rank, indexed.
        #[attribute(index)]
        pub rank: i64,
        /// Tagged books.
        #[relationship(inverse = "tags")]
        pub books: ToMany<Book>,
    }
}

/// 3.0.0: `Book.subtitle` required (empty by default), which rebuilds `Book`.
#[versioned_schema(version = "3.0.0")]
pub mod v3 {
    use staged::prelude::*;

    /// An author.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Author {
        /// The name.
        pub name: String,
        /// The year of birth.
        pub born: Option<i64>,
    }

    /// A book.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Book {
        /// The title.
        pub title: String,
        /// The subtitle, now required.
        #[attribute(default = "")]
        pub subtitle: String,
        /// Who wrote it.
        #[relationship(delete_rule = "cascade")]
        pub author: Ref<Author>,
        /// Its tags.
        #[relationship(inverse = "books")]
        pub tags: ToMany<Tag>,
    }

    /// A tag.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Tag {
        /// The label.
        #[attribute(unique)]
        pub label: String,
        /// The rank.
        #[attribute(index)]
        pub rank: i64,
        /// The tagged books.
        #[relationship(inverse = "tags")]
        pub books: ToMany<Book>,
    }
}

/// A schema without relationships: no foreign keys.
#[versioned_schema(version = "1.0.0")]
pub mod flat {
    /// A note.
    #[model]
    pub struct Note {
        /// Text.
        pub text: String,
    }
}

fn descriptor() -> &'static staged::schema::SchemaDescriptor {
    <v1::Schema as VersionedSchema>::descriptor()
}

/// The join table of `Book.tags`.
fn join_table() -> String {
    descriptor().join_tables()[0].name.clone()
}

/// Replaces `table` by one created with `create` (which names the table
/// `tmp`), then recreates the indexes staged had made on it.
fn rebuild(conn: &Connection, table: &str, create: &str) {
    let indexes: Vec<String> = conn
        .prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL")
        .unwrap()
        .query_map([table], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    conn.execute_batch(&format!(
        "{create}; DROP TABLE \"{table}\"; ALTER TABLE tmp RENAME TO \"{table}\";"
    ))
    .unwrap();
    for index in indexes {
        conn.execute_batch(&index).unwrap();
    }
}

/// Creates a store at 1.0.0, tampers with it, and returns what the drift check reports.
fn drift_after(tamper: impl FnOnce(&Connection)) -> Vec<String> {
    let store = TempStore::new();
    let plan = plans::single::<v1::Schema>();
    drop(ModelContainer::open(store.path(), plan).unwrap());
    let conn = store.conn();
    conn.pragma_update(None, "foreign_keys", false).unwrap();
    tamper(&conn);
    let mut drift = sql::drift(&conn, descriptor());
    drift.sort();
    drift
}

#[test]
fn a_store_as_staged_created_it_has_no_drift() {
    assert_eq!(drift_after(|_| {}), Vec::<String>::new());
}

#[test]
fn tables_missing_or_unexpected_are_reported() {
    // SQLite's own tables (`sqlite_stat1` of `ANALYZE`, `sqlite_sequence`
    // of `AUTOINCREMENT`) and views are not tables of the schema.
    assert_eq!(
        drift_after(|c| {
            c.execute_batch(
                "ANALYZE; CREATE TABLE t (a INTEGER PRIMARY KEY AUTOINCREMENT); DROP TABLE t; \
                 CREATE VIEW names AS SELECT name FROM Author",
            )
            .unwrap();
            let own: i64 = c
                .query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE name IN ('sqlite_stat1', 'sqlite_sequence')",
                    [],
                    |row| row.get(0),
                )
                .unwrap();
            assert_eq!(own, 2);
        }),
        Vec::<String>::new()
    );
    assert_eq!(
        drift_after(|c| c.execute_batch("CREATE TABLE Extra (x)").unwrap()),
        ["unexpected table `Extra`"]
    );
    assert_eq!(
        drift_after(|c| c.execute_batch("DROP TABLE Author").unwrap()),
        ["missing table `Author`"]
    );
    let join = join_table();
    assert_eq!(
        drift_after(|c| c.execute_batch(&format!("DROP TABLE \"{join}\"")).unwrap()),
        [format!("missing join table `{join}` of `Book.tags`")]
    );
}

#[test]
fn columns_missing_unexpected_retyped_or_with_other_nullability_are_reported() {
    assert_eq!(
        drift_after(|c| c
            .execute_batch("ALTER TABLE Author ADD COLUMN age INTEGER")
            .unwrap()),
        ["`Author`: unexpected column `age`"]
    );
    assert_eq!(
        drift_after(|c| c
            .execute_batch("ALTER TABLE Book DROP COLUMN title")
            .unwrap()),
        ["`Book`: missing column `title`"]
    );
    assert_eq!(
        drift_after(|c| rebuild(
            c,
            "Author",
            "CREATE TABLE tmp (_id INTEGER PRIMARY KEY, name BLOB NOT NULL)"
        )),
        ["`Author.name`: column type is BLOB, expected TEXT"]
    );
    assert_eq!(
        drift_after(|c| rebuild(
            c,
            "Author",
            "CREATE TABLE tmp (_id INTEGER PRIMARY KEY, name TEXT)"
        )),
        ["`Author.name`: column is nullable, expected NOT NULL"]
    );
    assert_eq!(
        drift_after(|c| {
            let sql = sql::table_sql(c, "Book")
                .replacen("\"subtitle\" TEXT", "\"subtitle\" TEXT NOT NULL", 1)
                .replacen("\"Book\"", "tmp", 1);
            rebuild(c, "Book", &sql);
        }),
        ["`Book.subtitle`: column is NOT NULL, expected nullable"]
    );
    assert_eq!(
        drift_after(|c| rebuild(
            c,
            "Author",
            "CREATE TABLE tmp (_id INT PRIMARY KEY, name TEXT NOT NULL)"
        )),
        // `INT PRIMARY KEY` is not an alias of the rowid: SQLite makes a
        // constraint index for it.
        [
            "`Author`: `_id` is not the INTEGER PRIMARY KEY",
            "`Author`: unexpected constraint index `sqlite_autoindex_Author_1`",
        ]
    );
    // Column names compare without regard to case, as SQLite does.
    assert_eq!(
        drift_after(|c| c
            .execute_batch("ALTER TABLE Author RENAME COLUMN name TO NAME")
            .unwrap()),
        Vec::<String>::new()
    );
}

#[test]
fn indexes_and_constraints_missing_or_unexpected_are_reported() {
    let unique = staged_runtime::__internals::sql::unique_index_name("Tag", "label");
    let plain = staged_runtime::__internals::sql::plain_index_name("Tag", "rank");
    assert_eq!(
        drift_after(|c| c
            .execute_batch(&format!("DROP INDEX \"{unique}\""))
            .unwrap()),
        [format!(
            "`Tag.label`: missing unique index `{}`",
            unique.to_lowercase()
        )]
    );
    assert_eq!(
        drift_after(|c| c.execute_batch(&format!("DROP INDEX \"{plain}\"")).unwrap()),
        [format!(
            "`Tag.rank`: missing index `{}`",
            plain.to_lowercase()
        )]
    );
    assert_eq!(
        drift_after(|c| c
            .execute_batch("CREATE INDEX extra ON Author (name)")
            .unwrap()),
        ["`Author.name`: unexpected index `extra`"]
    );
    // The plain index made unique: one missing, one unexpected.
    assert_eq!(
        drift_after(|c| c
            .execute_batch(&format!(
                "DROP INDEX \"{plain}\"; CREATE UNIQUE INDEX \"{plain}\" ON Tag (rank)"
            ))
            .unwrap()),
        [
            format!("`Tag.rank`: missing index `{}`", plain.to_lowercase()),
            format!("`Tag.rank`: unexpected index `{}`", plain.to_lowercase()),
        ]
    );
    // Every column of an index is compared, in order.
    assert_eq!(
        drift_after(|c| c
            .execute_batch(&format!(
                "DROP INDEX \"{plain}\"; CREATE INDEX \"{plain}\" ON Tag (label, rank)"
            ))
            .unwrap()),
        [
            format!(
                "`Tag.label, rank`: unexpected index `{}`",
                plain.to_lowercase()
            ),
            format!("`Tag.rank`: missing index `{}`", plain.to_lowercase()),
        ]
    );
    assert_eq!(
        drift_after(|c| {
            let sql = sql::table_sql(c, "Tag")
                .replacen(
                    "\"label\" TEXT NOT NULL",
                    "\"label\" TEXT NOT NULL UNIQUE",
                    1,
                )
                .replacen("\"Tag\"", "tmp", 1);
            rebuild(c, "Tag", &sql);
        }),
        ["`Tag`: unexpected constraint index `sqlite_autoindex_Tag_1`"]
    );
}

#[test]
fn foreign_keys_missing_unexpected_or_with_another_action_are_reported() {
    assert_eq!(
        drift_after(|c| {
            let sql = sql::table_sql(c, "Book")
                .replacen("ON DELETE CASCADE", "ON DELETE SET NULL", 1)
                .replacen("\"Book\"", "tmp", 1);
            rebuild(c, "Book", &sql);
        }),
        [
            "`Book.author`: missing foreign key to `author` ON DELETE CASCADE",
            "`Book.author`: unexpected foreign key to `author` ON DELETE SET NULL",
        ]
    );
    assert_eq!(
        drift_after(|c| rebuild(
            c,
            "Author",
            "CREATE TABLE tmp (_id INTEGER PRIMARY KEY, name TEXT NOT NULL REFERENCES Tag (_id) ON DELETE CASCADE)"
        )),
        ["`Author.name`: unexpected foreign key to `tag` ON DELETE CASCADE"]
    );
    let join = join_table();
    assert_eq!(
        drift_after(|c| {
            let sql = sql::table_sql(c, &join)
                .replacen("ON DELETE CASCADE", "", 1)
                .replacen(&format!("\"{join}\""), "tmp", 1);
            rebuild(c, &join, &sql);
        }),
        [
            format!("`{join}.source`: missing foreign key to `book` ON DELETE CASCADE"),
            format!("`{join}.source`: unexpected foreign key to `book` ON DELETE NO ACTION"),
        ]
    );
}

/// Migrates a 1.0.0 store (one author, one book) to 2.0.0 with a
/// `did_migrate` hook that runs `sql`; returns the error and the store, whose
/// bytes are checked to be unchanged.
fn migrate_with_hook_running(sql: &'static str) -> (staged::Error, TempStore) {
    let store = TempStore::new();
    let plan = plans::single::<v1::Schema>();
    {
        let container = ModelContainer::open(store.path(), plan).unwrap();
        let mut ctx = container.context();
        let author = ctx
            .insert(v1::Author {
                name: "Ann".to_owned(),
            })
            .unwrap();
        ctx.insert(v1::Book {
            title: "First".to_owned(),
            subtitle: None,
            author: Ref::new(author),
            tags: ToMany::new(),
        })
        .unwrap();
    }
    let before = store.bytes();
    // Foreign keys are not enforced during a migration: a hook can leave a
    // reference pointing at nothing, and only the check before commit sees it.
    let stage = MigrationStage::custom::<v1::Schema, v2::Schema>().did_migrate(
        move |ctx: &mut ModelContext<v2::Schema>| {
            ctx.connection().execute(sql, [])?;
            Ok(())
        },
    );
    let plan = plans::two_with_stage::<v1::Schema, v2::Schema>(stage);
    let error = ModelContainer::open(store.path(), plan).expect_err("a dangling reference");
    assert!(store.bytes() == before, "the store is unchanged");
    (error, store)
}

/// The references listed by a [`MigrationError::DanglingReferences`].
fn dangling(error: &staged::Error) -> Vec<String> {
    match error.as_migration() {
        Some(MigrationError::DanglingReferences {
            version,
            references,
            more,
            ..
        }) => {
            assert_eq!(*version, <v2::Schema as VersionedSchema>::VERSION);
            assert!(!more);
            references.iter().map(ToString::to_string).collect()
        }
        other => panic!("expected MigrationError::DanglingReferences, got {other:?}"),
    }
}

#[test]
fn a_migration_leaving_a_dangling_reference_fails_and_leaves_the_store_as_it_was() {
    let (error, store) =
        migrate_with_hook_running("INSERT INTO Book (title, author) VALUES ('Orphan', 999)");
    assert_eq!(
        dangling(&error),
        ["`Book` record 2 refers through `author` to `Author` record 999, which does not exist"]
    );
    assert_eq!(
        error.to_string(),
        format!(
            "cannot migrate `{}` to 2.0.0: after the last step, `Book` record 2 refers through `author` to \
             `Author` record 999, which does not exist; the migration was rolled back and the store is \
             unchanged: make the stage's hooks and transforms keep every reference pointing at a record of \
             the new store (set it to an existing record, clear an optional one, or delete the record that \
             refers)",
            store.path().display()
        )
    );
}

#[test]
fn a_migration_leaving_a_dangling_link_names_the_join_table() {
    let join = join_table();
    let sql: &'static str = Box::leak(
        format!("INSERT INTO \"{join}\" (source, target) VALUES (1, 999)").into_boxed_str(),
    );
    let (error, _store) = migrate_with_hook_running(sql);
    assert_eq!(
        dangling(&error),
        [format!(
            "a link in `{join}` refers through `target` to a `Tag` record that does not exist"
        )]
    );
}

#[test]
fn only_schemas_with_references_or_many_to_manys_declare_foreign_keys() {
    assert!(verify::declares_foreign_keys(descriptor()));
    assert!(!verify::declares_foreign_keys(
        <flat::Schema as VersionedSchema>::descriptor()
    ));
}

/// A 1.0.0 store with one book whose author was deleted while foreign keys
/// were off: a reference that already points at nothing.
fn store_with_an_old_dangling_reference() -> TempStore {
    let store = TempStore::new();
    {
        let container = ModelContainer::open(store.path(), plans::single::<v1::Schema>()).unwrap();
        let mut ctx = container.context();
        let author = ctx
            .insert(v1::Author {
                name: "Ann".to_owned(),
            })
            .unwrap();
        ctx.insert(v1::Book {
            title: "First".to_owned(),
            subtitle: None,
            author: Ref::new(author),
            tags: ToMany::new(),
        })
        .unwrap();
    }
    let conn = Connection::open(store.path()).unwrap();
    conn.execute_batch(r#"PRAGMA foreign_keys = OFF; DELETE FROM "Author";"#)
        .unwrap();
    store
}

#[test]
fn a_step_that_keeps_every_row_does_not_read_every_reference_again() {
    // 2.0.0 only adds `Author.born`: every row keeps its id and references,
    // so the runner does not read the tables holding references (which
    // grows with the store) and the reference is left as it was found.
    let store = store_with_an_old_dangling_reference();
    let container =
        ModelContainer::open(store.path(), plans::two::<v1::Schema, v2::Schema>()).unwrap();
    assert_eq!(container.store_version(), Version::new(2, 0, 0));
    drop(container);
    let books: i64 = store
        .conn()
        .query_row(
            r#"SELECT count(*) FROM "Book" WHERE "author" = 1"#,
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(books, 1);
}

#[test]
fn a_step_that_rewrites_rows_reads_every_reference() {
    // 3.0.0 rebuilds `Book`: its references are checked, and the old one
    // that points at nothing stops the migration.
    let store = store_with_an_old_dangling_reference();
    let before = store.bytes();
    let error = ModelContainer::open(store.path(), plans::two::<v1::Schema, v3::Schema>())
        .expect_err("a dangling reference");
    match error.as_migration() {
        Some(MigrationError::DanglingReferences { references, .. }) => assert_eq!(
            references
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["`Book` record 1 refers through `author` to `Author` record 1, which does not exist"]
        ),
        other => panic!("expected MigrationError::DanglingReferences, got {other:?}"),
    }
    assert!(store.bytes() == before, "the store is unchanged");
}
