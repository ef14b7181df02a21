//! Removing a to-one relationship in a lightweight step, with real store
//! files. Its column is dropped in place (`DROP COLUMN`), with or without a
//! foreign key: staged declares foreign keys on the column itself
//! (`REFERENCES`), which SQLite drops with the column (a table-level
//! `FOREIGN KEY` clause would make `DROP COLUMN` fail). The other rows,
//! columns and references survive.

mod common;

use common::store::TempStore;
use staged::prelude::*;
use staged::rusqlite::Connection;

/// Pets with an owner (a foreign key) and a vet (`no_action`: no foreign key).
#[versioned_schema(version = "1.0.0")]
mod v1 {
    use staged::prelude::*;

    /// A person.
    #[model]
    pub struct Person {
        /// Name.
        pub name: String,
    }

    /// A pet.
    #[model]
    pub struct Pet {
        /// Name.
        pub name: String,
        /// The owner; deleting the owner clears it.
        pub owner: Option<Ref<Person>>,
        /// The vet, not enforced by a foreign key.
        #[relationship(delete_rule = "no_action")]
        pub vet: Option<Ref<Person>>,
    }
}

/// `Pet.vet` removed: its column has no foreign key.
#[versioned_schema(version = "2.0.0")]
mod v2 {
    use staged::prelude::*;

    /// A person.
    #[model]
    pub struct Person {
        /// Name.
        pub name: String,
    }

    /// A pet.
    #[model]
    pub struct Pet {
        /// Name.
        pub name: String,
        /// The owner; deleting the owner clears it.
        pub owner: Option<Ref<Person>>,
    }
}

/// `Pet.owner` removed too: its column is a foreign key.
#[versioned_schema(version = "3.0.0")]
mod v3 {
    /// A person.
    #[model]
    pub struct Person {
        /// Name.
        pub name: String,
    }

    /// A pet.
    #[model]
    pub struct Pet {
        /// Name.
        pub name: String,
    }
}

/// A store at 1.0.0 with two people and two pets; returns the pets' ids.
fn seed(store: &TempStore) -> [PersistentId; 2] {
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .unwrap();
    let mut ctx = ModelContainer::open(store.path(), plan).unwrap().context();
    let ann = ctx.insert(v1::Person { name: "Ann".into() }).unwrap();
    let bob = ctx.insert(v1::Person { name: "Bob".into() }).unwrap();
    let rex = ctx
        .insert(v1::Pet {
            name: "Rex".into(),
            owner: Some(Ref::new(ann)),
            vet: Some(Ref::new(bob)),
        })
        .unwrap();
    let tom = ctx
        .insert(v1::Pet {
            name: "Tom".into(),
            owner: Some(Ref::new(bob)),
            vet: None,
        })
        .unwrap();
    [rex, tom]
}

fn pet_table_sql(store: &TempStore) -> String {
    let conn = Connection::open(store.path()).unwrap();
    conn.query_row(
        "SELECT sql FROM sqlite_schema WHERE name = 'Pet'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

fn integrity_and_foreign_keys(store: &TempStore) -> (String, usize) {
    let conn = Connection::open(store.path()).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    let violations = conn
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |_| Ok(()))
        .unwrap()
        .count();
    (integrity, violations)
}

#[test]
fn removing_a_to_one_without_foreign_key_drops_its_column_in_place() {
    let store = TempStore::new();
    let [rex, tom] = seed(&store);
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build()
        .unwrap();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();

    let rex = ctx.get::<v2::Pet>(rex).unwrap().unwrap();
    let owner = ctx.follow(rex.owner).unwrap().unwrap();
    assert_eq!((rex.name.as_str(), owner.name.as_str()), ("Rex", "Ann"));
    let tom = ctx.get::<v2::Pet>(tom).unwrap().unwrap();
    assert_eq!(ctx.follow(tom.owner).unwrap().unwrap().name, "Bob");
    drop(ctx);
    drop(container);

    // Dropped in place: the table keeps its original definition, minus `vet`.
    assert_eq!(
        pet_table_sql(&store),
        r#"CREATE TABLE "Pet" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "name" TEXT NOT NULL, "owner" INTEGER REFERENCES "Person" ("_id") ON DELETE SET NULL)"#
    );
    assert_eq!(integrity_and_foreign_keys(&store), ("ok".to_owned(), 0));
}

#[test]
fn removing_a_to_one_with_a_foreign_key_drops_its_column_and_index_in_place() {
    let store = TempStore::new();
    let [rex, tom] = seed(&store);
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .build()
        .unwrap();
    let path = plan.migration_path(Version::new(1, 0, 0)).unwrap();
    assert_eq!(path.to_string(), "1.0.0 -[inferred]-> 3.0.0");
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();

    let names: Vec<(PersistentId, String)> = ctx
        .fetch_all::<v3::Pet>()
        .unwrap()
        .into_iter()
        .map(|pet| (pet.id(), pet.name.clone()))
        .collect();
    assert_eq!(names, [(rex, "Rex".to_owned()), (tom, "Tom".to_owned())]);
    assert_eq!(ctx.count::<v3::Person>().unwrap(), 2);
    drop(ctx);
    drop(container);

    assert_eq!(
        pet_table_sql(&store),
        r#"CREATE TABLE "Pet" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "name" TEXT NOT NULL)"#
    );
    let conn = Connection::open(store.path()).unwrap();
    let indexes: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'Pet'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(indexes, Vec::<String>::new());
    let rows_touched: i64 = conn
        .query_row("SELECT sum(rows_touched) FROM _staged_history", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(rows_touched, 0, "no row was copied");
    assert_eq!(integrity_and_foreign_keys(&store), ("ok".to_owned(), 0));
}
