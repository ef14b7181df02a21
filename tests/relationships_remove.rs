//! Removing a to-one relationship in a lightweight step, with real store
//! files. Its column is dropped in place (`DROP COLUMN`), with or without a
//! foreign key: staged declares foreign keys on the column itself
//! (`REFERENCES`), which SQLite drops with the column (a table-level
//! `FOREIGN KEY` clause would make `DROP COLUMN` fail). The other rows,
//! columns and references survive.

mod common;

use common::store::TempStore;
use common::{plans, sql};
use staged::prelude::*;

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
    #[model(removed(vet))]
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
    #[model(removed(owner))]
    pub struct Pet {
        /// Name.
        pub name: String,
    }
}

/// A store at 1.0.0 with two people and two pets; returns the pets' ids.
fn seed(store: &TempStore) -> [PersistentId; 2] {
    let mut ctx = plans::open_single::<v1::Schema>(store.path()).context();
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

/// `PRAGMA integrity_check` and the number of foreign key violations.
fn integrity_and_foreign_keys(store: &TempStore) -> (String, usize) {
    let conn = store.conn();
    (sql::integrity(&conn), sql::foreign_key_violations(&conn))
}

#[test]
fn removing_a_to_one_without_foreign_key_drops_its_column_in_place() {
    let store = TempStore::new();
    let [rex, tom] = seed(&store);
    let plan = plans::two::<v1::Schema, v2::Schema>();
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
        sql::table_sql(&store.conn(), "Pet"),
        r#"CREATE TABLE "Pet" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "name" TEXT NOT NULL, "owner" INTEGER REFERENCES "Person" ("_id") ON DELETE SET NULL)"#
    );
    assert_eq!(integrity_and_foreign_keys(&store), ("ok".to_owned(), 0));
}

#[test]
fn removing_a_to_one_with_a_foreign_key_drops_its_column_and_index_in_place() {
    let store = TempStore::new();
    let [rex, tom] = seed(&store);
    let plan = plans::three::<v1::Schema, v2::Schema, v3::Schema>();
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
        sql::table_sql(&store.conn(), "Pet"),
        r#"CREATE TABLE "Pet" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "name" TEXT NOT NULL)"#
    );
    let conn = store.conn();
    assert_eq!(sql::index_names(&conn, "Pet"), Vec::<String>::new());
    assert_eq!(
        sql::history(&conn),
        [("1.0.0".into(), "3.0.0".into(), "inferred".into(), 0)],
        "one step, no row was copied"
    );
    assert_eq!(integrity_and_foreign_keys(&store), ("ok".to_owned(), 0));
}
