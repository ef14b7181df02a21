//! A many-to-many whose related entity changes between versions, on real
//! store files: its links hold ids of the old related entity, so they cannot
//! be carried into the new join table. `build()` refuses the plan, in a
//! lightweight step and in a custom stage (whose transforms never see links),
//! instead of copying the ids as ids of the other entity.

mod common;

use common::plans;
use common::store::TempStore;
use staged::prelude::*;

/// Books are tagged; genres exist without links.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use staged::prelude::*;

    /// A book.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Book {
        /// Title.
        pub title: String,
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

    /// A genre.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Genre {
        /// Name.
        pub name: String,
    }
}

/// `Book.tags` now relates books to genres.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    use staged::prelude::*;

    /// A book.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Book {
        /// Title.
        pub title: String,
        /// Now genres.
        #[relationship(inverse = "books")]
        pub tags: ToMany<Genre>,
    }

    /// A tag.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Tag {
        /// Label.
        pub label: String,
    }

    /// A genre.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Genre {
        /// Name.
        pub name: String,
        /// Books of the genre.
        #[relationship(inverse = "tags")]
        pub books: ToMany<Book>,
    }
}

/// A store at 1.0.0: "Dune" tagged "sf" (tag 1), and two genres (ids 1, 2).
fn seed(store: &TempStore) -> PersistentId {
    let mut ctx = plans::open_single::<v1::Schema>(store.path()).context();
    for name in ["poetry", "drama"] {
        ctx.insert(v1::Genre { name: name.into() }).unwrap();
    }
    let book = ctx
        .insert(v1::Book {
            title: "Dune".into(),
            tags: ToMany::new(),
        })
        .unwrap();
    let tag = ctx
        .insert(v1::Tag {
            label: "sf".into(),
            books: ToMany::new(),
        })
        .unwrap();
    let record = ctx.get::<v1::Book>(book).unwrap().unwrap();
    ctx.add_related(&record.tags, tag).unwrap();
    book
}

fn assert_refused(result: staged::Result<SchemaMigrationPlan<v2::Schema>>, store: &TempStore) {
    let before = store.bytes();
    match result {
        Err(error) => {
            assert_eq!(
                error.to_string(),
                "cannot infer the migration from 1.0.0 to 2.0.0: change the related entity of many-to-many \
                 `Book.tags` from `Tag` to `Genre` (needs-custom); its links hold ids of `Tag` records: give \
                 the relationship a new name (without `original_name`) so that it starts without links, and \
                 link the `Genre` records in a `did_migrate` hook of a custom stage"
            );
        }
        Ok(plan) => {
            // What a device would get: the tag's id taken as a genre's.
            let container = ModelContainer::open(store.path(), plan).unwrap();
            let mut ctx = container.context();
            let book = &ctx.fetch_all::<v2::Book>().unwrap()[0];
            let genres: Vec<String> = ctx
                .related(&book.tags)
                .unwrap()
                .iter()
                .map(|g| g.name.clone())
                .collect();
            panic!("build() accepted the plan; Dune's genres after migrating: {genres:?}");
        }
    }
    assert_eq!(store.bytes(), before);
}

#[test]
fn a_lightweight_step_changing_a_many_to_many_target_is_refused() {
    let store = TempStore::new();
    seed(&store);
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build();
    assert_refused(plan, &store);
}

#[test]
fn a_custom_stage_transforming_the_owner_does_not_carry_the_links_either() {
    let store = TempStore::new();
    seed(&store);
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .stage(
            MigrationStage::custom::<v1::Schema, v2::Schema>()
                .transform(|old: v1::Book| {
                    Ok(v2::Book {
                        title: old.title,
                        tags: ToMany::new(),
                    })
                })
                .transform(|old: v1::Tag| Ok(v2::Tag { label: old.label }))
                .transform(|old: v1::Genre| {
                    Ok(v2::Genre {
                        name: old.name,
                        books: ToMany::new(),
                    })
                }),
        )
        .build();
    assert_refused(plan, &store);
}
