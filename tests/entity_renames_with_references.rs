//! Entity renames in one lightweight step together with the to-ones that
//! refer to them, on real store files: the foreign keys of rebuilt tables
//! must name the entity the target schema names, whatever order the
//! entities are declared in.

mod common;

use common::TempStore;
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
    let v1_plan = || {
        SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .build()
            .unwrap()
    };
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
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build()
        .unwrap();
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
        let plan = SchemaMigrationPlan::builder()
            .schema::<c1::Schema>()
            .build()
            .unwrap();
        let mut ctx = ModelContainer::open(store.path(), plan).unwrap().context();
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
    let plan = SchemaMigrationPlan::builder()
        .schema::<c1::Schema>()
        .schema::<c2::Schema>()
        .stage(c2::stage())
        .build()
        .unwrap();
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
