//! Adopting tables whose uniqueness spans several columns: a compound
//! primary key or a compound `UNIQUE` index is kept as the adopted schema's
//! `#[model(unique(…))]`; without one it is a mismatch naming that fix.

mod common;

use staged::prelude::*;
use staged::rusqlite::Connection;
use staged::{AdoptionMismatch, Error, StoreError};

use common::store::{TempStore, open_fails_with};

const HAND_MADE: &str = r#"
    CREATE TABLE membership (
        team TEXT NOT NULL, person TEXT NOT NULL, role TEXT NOT NULL,
        PRIMARY KEY (team, person)
    );
    CREATE TABLE seat (row_name TEXT NOT NULL, number INTEGER NOT NULL);
    CREATE UNIQUE INDEX one_seat ON seat (row_name, number);
    INSERT INTO membership VALUES ('core', 'ada', 'lead'), ('core', 'bob', 'dev');
    INSERT INTO seat VALUES ('A', 1), ('A', 2);
"#;

/// The hand-made tables, with their uniqueness declared.
#[versioned_schema(version = "1.0.0")]
pub mod declared {
    /// A person in a team, once per team.
    #[model(name = "membership", unique(team, person))]
    pub struct Membership {
        /// The team.
        pub team: String,
        /// The person.
        pub person: String,
        /// Their role.
        pub role: String,
    }

    /// A seat, once per row and number.
    #[model(name = "seat", unique(number, row_name))]
    pub struct Seat {
        /// The row.
        pub row_name: String,
        /// The number in the row.
        pub number: i64,
    }
}

/// The same tables without their uniqueness.
#[versioned_schema(version = "1.0.0")]
pub mod undeclared {
    /// A person in a team.
    #[model(name = "membership")]
    pub struct Membership {
        /// The team.
        pub team: String,
        /// The person.
        pub person: String,
        /// Their role.
        pub role: String,
    }

    /// A seat.
    #[model(name = "seat")]
    pub struct Seat {
        /// The row.
        pub row_name: String,
        /// The number in the row.
        pub number: i64,
    }
}

fn hand_made(store: &TempStore) {
    Connection::open(store.path())
        .unwrap()
        .execute_batch(HAND_MADE)
        .unwrap();
}

fn plan<S: VersionedSchema>() -> SchemaMigrationPlan<S> {
    SchemaMigrationPlan::builder()
        .schema::<S>()
        .build()
        .unwrap()
}

#[test]
fn a_compound_key_and_a_compound_unique_index_are_kept_as_declared() {
    let store = TempStore::new();
    hand_made(&store);
    let container = ModelContainer::builder(plan::<declared::Schema>())
        .adopt::<declared::Schema>()
        .open(store.path())
        .unwrap();
    let mut ctx = container.context();
    let members: Vec<(i64, String)> = ctx
        .fetch_all::<declared::Membership>()
        .unwrap()
        .iter()
        .map(|m| (m.id().raw(), m.person.clone()))
        .collect();
    assert_eq!(members, [(1, "ada".to_owned()), (2, "bob".to_owned())]);
    // The key's uniqueness is still enforced, now by the declared constraint.
    let again = ctx.insert(declared::Membership {
        team: "core".into(),
        person: "ada".into(),
        role: "dev".into(),
    });
    assert!(again.is_err(), "a second (core, ada) was accepted");
    let seat = ctx.insert(declared::Seat {
        row_name: "A".into(),
        number: 2,
    });
    assert!(seat.is_err(), "a second seat A2 was accepted");
    ctx.insert(declared::Seat {
        row_name: "B".into(),
        number: 2,
    })
    .unwrap();
    assert_eq!(ctx.count::<declared::Seat>().unwrap(), 3);
}

#[test]
fn undeclared_compound_uniqueness_is_a_mismatch_naming_the_model_attribute() {
    let store = TempStore::new();
    hand_made(&store);
    let before = std::fs::read(store.path()).unwrap();
    let error = open_fails_with(&store, || {
        ModelContainer::builder(plan::<undeclared::Schema>())
            .adopt::<undeclared::Schema>()
            .open(store.path())
    });
    let Error::Store(StoreError::AdoptionMismatch { mismatches, .. }) = &error else {
        panic!("expected an adoption mismatch, got {error:?}");
    };
    assert_eq!(
        mismatches,
        &[
            AdoptionMismatch::CompoundPrimaryKey {
                entity: "membership".into(),
                columns: vec!["team".into(), "person".into()],
            },
            AdoptionMismatch::UndeclaredUnique {
                entity: "seat".into(),
                index: "one_seat".into(),
                columns: vec!["row_name".into(), "number".into()],
                partial: false,
            },
        ]
    );
    let message = error.to_string();
    assert!(
        message.contains("add `#[model(unique(team, person))]` to `membership`"),
        "{message}"
    );
    assert!(
        message.contains("declare `#[model(unique(row_name, number))]` on `seat`"),
        "{message}"
    );
    assert_eq!(std::fs::read(store.path()).unwrap(), before);
}
