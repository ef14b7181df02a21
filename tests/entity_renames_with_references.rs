//! Entity renames in one lightweight step together with the to-ones that
//! refer to them, on real store files: the foreign keys of rebuilt tables
//! must name the entity the target schema names, whatever order the
//! entities are declared in.

mod common;

use common::plans;
use common::store::TempStore;
use staged::prelude::*;

/// Books are owned by people; robots are listed too.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use staged::prelude::*;

    /// A book, declared before the entities it refers to.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Book {
        /// Title.
        pub title: String,
        /// Deleting the owner deletes the book.
        #[relationship(delete_rule = "cascade")]
        pub owner: Ref<Person>,
    }

    /// A person.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Person {
        /// Name.
        pub name: String,
    }

    /// A robot.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Robot {
        /// Serial number.
        pub serial: String,
    }
}

/// `Person` and `Robot` swap names; books now refer to the entity that was
/// `Person` (named `Robot` here).
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    use staged::prelude::*;

    /// A book.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Book {
        /// Title.
        pub title: String,
        /// The same owners, under the entity's new name.
        #[relationship(delete_rule = "cascade")]
        pub owner: Ref<Robot>,
    }

    /// Was `Robot`.
    #[model(original_name = "Robot")]
    #[derive(Debug, Clone)]
    pub struct Person {
        /// Serial number.
        pub serial: String,
    }

    /// Was `Person`.
    #[model(original_name = "Person")]
    #[derive(Debug, Clone)]
    pub struct Robot {
        /// Name.
        pub name: String,
    }
}

#[test]
fn swapped_entity_names_keep_the_foreign_keys_of_a_rebuilt_table() {
    let store = TempStore::new();
    let v1_plan = || plans::single::<v1::Schema>();
    let (ada, book) = {
        let container = ModelContainer::open(store.path(), v1_plan()).unwrap();
        let mut ctx = container.context();
        let ada = ctx.insert(v1::Person { name: "Ada".into() }).unwrap();
        ctx.insert(v1::Robot {
            serial: "R2".into(),
        })
        .unwrap();
        let book = ctx
            .insert(v1::Book {
                title: "Notes".into(),
                owner: Ref::new(ada),
            })
            .unwrap();
        (ada, book)
    };
    let plan = plans::two::<v1::Schema, v2::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    let owner = ctx.get::<v2::Robot>(ada).unwrap().expect("Ada kept her id");
    assert_eq!(owner.name, "Ada");
    let kept = ctx
        .get::<v2::Book>(book)
        .unwrap()
        .expect("the book is kept");
    assert_eq!(kept.owner.id(), ada);
    // The foreign key names `Robot`: deleting Ada deletes her book.
    ctx.delete::<v2::Robot>(ada).unwrap();
    assert_eq!(ctx.count::<v2::Book>().unwrap(), 0);
    assert_eq!(ctx.count::<v2::Person>().unwrap(), 1);
}

/// The same swap in a custom stage whose transform rebuilds `Book` (its
/// new table is created before the other entities are renamed); tags link
/// books many-to-many.
#[versioned_schema(version = "1.0.0")]
pub mod c1 {
    use staged::prelude::*;

    /// A book.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Book {
        /// Title.
        pub title: String,
        /// Deleting the owner deletes the book.
        #[relationship(delete_rule = "cascade")]
        pub owner: Ref<Person>,
        /// Tags.
        #[relationship(inverse = "books")]
        pub tags: ToMany<Tag>,
    }

    /// A person.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Person {
        /// Name.
        pub name: String,
    }

    /// A robot.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Robot {
        /// Serial number.
        pub serial: String,
    }

    /// A tag.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Tag {
        /// Label.
        pub label: String,
        /// Tagged books.
        #[relationship(inverse = "tags")]
        pub books: ToMany<Book>,
    }
}

/// `Person` and `Robot` swap names; titles are upper-cased by a transform.
#[versioned_schema(version = "2.0.0", previous = c1)]
pub mod c2 {
    use staged::prelude::*;

    /// A book.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Book {
        /// Title, upper-cased.
        pub title: String,
        /// The same owners, under the entity's new name.
        #[relationship(delete_rule = "cascade")]
        pub owner: Ref<Robot>,
        /// Tags.
        #[relationship(inverse = "books")]
        pub tags: ToMany<Tag>,
    }

    /// Was `Robot`.
    #[model(original_name = "Robot")]
    #[derive(Debug, Clone)]
    pub struct Person {
        /// Serial number.
        pub serial: String,
    }

    /// Was `Person`.
    #[model(original_name = "Person")]
    #[derive(Debug, Clone)]
    pub struct Robot {
        /// Name.
        pub name: String,
    }

    /// A tag.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Tag {
        /// Label.
        pub label: String,
        /// Tagged books.
        #[relationship(inverse = "tags")]
        pub books: ToMany<Book>,
    }

    #[transform]
    fn book(old: super::c1::Book) -> staged::Result<Book> {
        Ok(Book {
            title: old.title.to_uppercase(),
            owner: old.owner.cast(),
            tags: ToMany::new(),
        })
    }
}

#[test]
fn swapped_entity_names_keep_the_foreign_keys_of_a_transformed_table() {
    let store = TempStore::new();
    let (ada, book, tag) = {
        let mut ctx = plans::open_single::<c1::Schema>(store.path()).context();
        let ada = ctx.insert(c1::Person { name: "Ada".into() }).unwrap();
        ctx.insert(c1::Robot {
            serial: "R2".into(),
        })
        .unwrap();
        let book = ctx
            .insert(c1::Book {
                title: "Notes".into(),
                owner: Ref::new(ada),
                tags: ToMany::new(),
            })
            .unwrap();
        let tag = ctx
            .insert(c1::Tag {
                label: "math".into(),
                books: ToMany::new(),
            })
            .unwrap();
        let record = ctx.get::<c1::Book>(book).unwrap().unwrap();
        ctx.add_related(&record.tags, tag).unwrap();
        (ada, book, tag)
    };
    let plan = plans::two_with_stage::<c1::Schema, c2::Schema>(c2::stage());
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    let kept = ctx
        .get::<c2::Book>(book)
        .unwrap()
        .expect("the book is kept");
    assert_eq!(kept.title, "NOTES");
    assert_eq!(ctx.follow(kept.owner).unwrap().unwrap().name, "Ada");
    let tagged = ctx.get::<c2::Tag>(tag).unwrap().unwrap();
    let books: Vec<PersistentId> = ctx
        .related(&tagged.books)
        .unwrap()
        .iter()
        .map(|b| b.id())
        .collect();
    assert_eq!(books, [book]);
    // The foreign key names `Robot`: deleting Ada deletes her book and its link.
    ctx.delete::<c2::Robot>(ada).unwrap();
    assert_eq!(ctx.count::<c2::Book>().unwrap(), 0);
    assert_eq!(ctx.count::<c2::Person>().unwrap(), 1);
    let tagged = ctx.get::<c2::Tag>(tag).unwrap().unwrap();
    assert!(ctx.related(&tagged.books).unwrap().is_empty());
}

/// Two entities that both have a many-to-many `m` to `T` swap names: the
/// join table named after the new `E1.m` must hold the links of the entity
/// that is `E1` now (the old `E2`), not keep the old `E1`'s table because
/// its name and sides look the same.
#[test]
fn swapped_owners_of_same_named_many_to_manys_keep_their_own_links() {
    use staged::rusqlite::Connection;
    use staged::schema::{RelationshipDescriptor, ToManyKind, join_table_name};
    use staged::{AttributeDescriptor, AttributeType, EntityDescriptor, SchemaDescriptor};
    use staged_runtime::__internals::inference;
    use staged_runtime::__internals::sql;

    let entity = |name: &str, original: Option<&str>, many: bool| {
        let e = EntityDescriptor::from_parts(
            name,
            original.map(str::to_owned),
            vec![AttributeDescriptor::named("x", AttributeType::I64)],
        );
        if many {
            e.with_to_many(vec![RelationshipDescriptor::build(
                "m",
                "T",
                ToManyKind::ManyToMany,
                None,
            )])
        } else {
            e
        }
    };
    let from = SchemaDescriptor::from_entities(
        Version::new(1, 0, 0),
        vec![
            entity("E1", None, true),
            entity("E2", None, true),
            entity("T", None, false),
        ],
    );
    let to = SchemaDescriptor::from_entities(
        Version::new(2, 0, 0),
        vec![
            entity("E1", Some("E2"), true),
            entity("E2", Some("E1"), true),
            entity("T", None, false),
        ],
    );
    let store = TempStore::new();
    let mut conn = store.conn();
    conn.execute_batch("PRAGMA foreign_keys = OFF; PRAGMA legacy_alter_table = ON")
        .unwrap();
    for e in from.entities() {
        conn.execute(&sql::create_table(e.name(), e), []).unwrap();
        for id in 1..=3 {
            conn.execute(
                &format!("INSERT INTO \"{}\" VALUES (?1, 0)", e.name()),
                [id],
            )
            .unwrap();
        }
    }
    for join in from.join_tables() {
        conn.execute(&sql::create_join_table(&join.name, &join), [])
            .unwrap();
        conn.execute(&sql::create_join_index(&join), []).unwrap();
    }
    // Old E1 links 1 -> 1; old E2 links 2 -> 3.
    let link = |conn: &Connection, owner: &str, source: i64, target: i64| {
        conn.execute(
            &format!(
                "INSERT INTO \"{}\" VALUES (?1, ?2)",
                join_table_name(owner, "m")
            ),
            [source, target],
        )
        .unwrap();
    };
    link(&conn, "E1", 1, 1);
    link(&conn, "E2", 2, 3);
    let mapping = inference::map_step(&from, &to).unwrap();
    let tx = conn.transaction().unwrap();
    for statement in inference::lower(&from, &to, &mapping) {
        tx.execute(&statement.sql, []).unwrap();
    }
    tx.commit().unwrap();
    let links = |owner: &str| -> Vec<(i64, i64)> {
        conn.prepare(&format!(
            "SELECT source, target FROM \"{}\" ORDER BY 1",
            join_table_name(owner, "m")
        ))
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    assert_eq!(links("E1"), [(2, 3)], "E1 is the old E2");
    assert_eq!(links("E2"), [(1, 1)], "E2 is the old E1");
}
