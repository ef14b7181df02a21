//! Deletes inside migration hooks, on real store files: foreign keys are
//! not enforced while a migration runs, so `ModelContext::delete` must apply
//! the delete rules itself there, as it does outside a migration.

mod common;

use common::plans;
use common::store::TempStore;
use staged::prelude::*;

/// Authors write books (cascade) and edit them (nullify); books carry tags.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use staged::prelude::*;

    /// A writer.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Author {
        /// Name.
        pub name: String,
    }

    /// A book.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Book {
        /// Title.
        pub title: String,
        /// Deleting the author deletes the book.
        #[relationship(delete_rule = "cascade")]
        pub author: Ref<Author>,
        /// Deleting the editor clears the field.
        pub editor: Option<Ref<Author>>,
        /// Tags.
        #[relationship(inverse = "books")]
        pub tags: ToMany<Tag>,
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

/// Same models, one attribute more: the stage's hooks clean up old data.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    use staged::prelude::*;

    /// A writer.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Author {
        /// Name.
        pub name: String,
    }

    /// A book.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Book {
        /// Title.
        pub title: String,
        /// Deleting the author deletes the book.
        #[relationship(delete_rule = "cascade")]
        pub author: Ref<Author>,
        /// Deleting the editor clears the field.
        pub editor: Option<Ref<Author>>,
        /// Tags.
        #[relationship(inverse = "books")]
        pub tags: ToMany<Tag>,
        /// New.
        #[attribute(default = 0)]
        pub pages: i64,
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

struct Seeded {
    ann: PersistentId,
    bob: PersistentId,
    by_ann: PersistentId,
    by_bob: PersistentId,
    tag: PersistentId,
}

fn seed(store: &TempStore) -> Seeded {
    let mut ctx = plans::open_single::<v1::Schema>(store.path()).context();
    let ann = ctx.insert(v1::Author { name: "Ann".into() }).unwrap();
    let bob = ctx.insert(v1::Author { name: "Bob".into() }).unwrap();
    let by_ann = ctx
        .insert(v1::Book {
            title: "Ann's".into(),
            author: Ref::new(ann),
            editor: None,
            tags: ToMany::new(),
        })
        .unwrap();
    let by_bob = ctx
        .insert(v1::Book {
            title: "Bob's".into(),
            author: Ref::new(bob),
            editor: Some(Ref::new(ann)),
            tags: ToMany::new(),
        })
        .unwrap();
    let tag = ctx
        .insert(v1::Tag {
            label: "sf".into(),
            books: ToMany::new(),
        })
        .unwrap();
    for book in [by_ann, by_bob] {
        let book = ctx.get::<v1::Book>(book).unwrap().unwrap();
        ctx.add_related(&book.tags, tag).unwrap();
    }
    Seeded {
        ann,
        bob,
        by_ann,
        by_bob,
        tag,
    }
}

fn check(store: &TempStore, stage: MigrationStage, seeded: &Seeded) {
    let plan = plans::two_with_stage::<v1::Schema, v2::Schema>(stage);
    let container = ModelContainer::open(store.path(), plan).expect("the migration succeeds");
    let mut ctx = container.context();
    assert!(ctx.get::<v2::Author>(seeded.ann).unwrap().is_none());
    let authors: Vec<(PersistentId, String)> = ctx
        .fetch_all::<v2::Author>()
        .unwrap()
        .iter()
        .map(|a| (a.id(), a.name.clone()))
        .collect();
    assert_eq!(authors, [(seeded.bob, "Bob".to_owned())]);
    // Cascade: Ann's book is gone with her.
    assert!(ctx.get::<v2::Book>(seeded.by_ann).unwrap().is_none());
    let books: Vec<PersistentId> = ctx
        .fetch_all::<v2::Book>()
        .unwrap()
        .iter()
        .map(|b| b.id())
        .collect();
    assert_eq!(books, [seeded.by_bob]);
    // Nullify: Bob's book lost its editor.
    let bobs = ctx.get::<v2::Book>(seeded.by_bob).unwrap().unwrap();
    assert_eq!(bobs.editor, None);
    // Join table: only the link of the remaining book is left.
    let tag = ctx.get::<v2::Tag>(seeded.tag).unwrap().unwrap();
    let linked: Vec<PersistentId> = ctx
        .related(&tag.books)
        .unwrap()
        .iter()
        .map(|b| b.id())
        .collect();
    assert_eq!(linked, [seeded.by_bob]);
}

#[test]
fn delete_in_will_migrate_applies_the_delete_rules() {
    let store = TempStore::new();
    let seeded = seed(&store);
    let ann = seeded.ann;
    let stage = MigrationStage::custom::<v1::Schema, v2::Schema>()
        .will_migrate(move |ctx: &mut ModelContext<v1::Schema>| ctx.delete::<v1::Author>(ann));
    check(&store, stage.into(), &seeded);
}

#[test]
fn delete_in_did_migrate_applies_the_delete_rules() {
    let store = TempStore::new();
    let seeded = seed(&store);
    let ann = seeded.ann;
    let stage = MigrationStage::custom::<v1::Schema, v2::Schema>()
        .did_migrate(move |ctx: &mut ModelContext<v2::Schema>| ctx.delete::<v2::Author>(ann));
    check(&store, stage.into(), &seeded);
}
