//! Relationships through migrations, with real store files: renames and
//! additions inferred, references and links surviving custom-stage
//! transforms and composed skip-version steps, delete rules changed in place,
//! and the relationship changes `build()` rejects.

mod common;

use common::store::TempStore;
use common::{plans, sql};
use staged::prelude::*;

/// Version 1: authors write books; books carry tags.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use staged::prelude::*;

    /// A writer.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Author {
        /// Full name, "First Last".
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

/// Version 2: `Book.author` renamed to `writer`, a new optional `editor`.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    use staged::prelude::*;

    /// A writer.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Author {
        /// Full name.
        pub name: String,
        /// Their books.
        #[relationship(inverse = "writer")]
        pub books: ToMany<Book>,
    }

    /// A book.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Book {
        /// Title.
        pub title: String,
        /// Renamed from `author`.
        #[relationship(original_name = "author", delete_rule = "cascade", inverse = "books")]
        pub writer: Ref<Author>,
        /// New: the editor, if any.
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

/// Version 3: authors' names split by a transform ([`split_author`]); books
/// refer to them by id.
#[versioned_schema(version = "3.0.0")]
pub mod v3 {
    use staged::prelude::*;

    /// A writer.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Author {
        /// First name.
        pub first: String,
        /// Last name.
        pub last: String,
        /// Their books.
        #[relationship(inverse = "writer")]
        pub books: ToMany<Book>,
    }

    /// A book.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Book {
        /// Title.
        pub title: String,
        /// The writer.
        #[relationship(delete_rule = "cascade", inverse = "books")]
        pub writer: Ref<Author>,
        /// The editor, if any.
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

fn split_author(old: v2::Author) -> staged::Result<v3::Author> {
    let (first, last) = old.name.split_once(' ').unwrap_or((&old.name, ""));
    Ok(v3::Author {
        first: first.to_owned(),
        last: last.to_owned(),
        books: ToMany::new(),
    })
}

fn plan() -> SchemaMigrationPlan<v3::Schema> {
    plans::three_with_stage::<v1::Schema, v2::Schema, v3::Schema>(
        MigrationStage::custom::<v2::Schema, v3::Schema>().transform(split_author),
    )
}

/// A store at 1.0.0: two authors, three books, two tags.
fn seed(store: &TempStore) -> (Vec<PersistentId>, Vec<PersistentId>) {
    let mut ctx = plans::open_single::<v1::Schema>(store.path()).context();
    // Ids that are not in insertion order of the other table.
    let ann = ctx
        .insert(v1::Author {
            name: "Ann Lee".into(),
        })
        .unwrap();
    let bob = ctx
        .insert(v1::Author {
            name: "Bob Ray".into(),
        })
        .unwrap();
    let mut books = Vec::new();
    for (title, author) in [("Alpha", bob), ("Beta", ann), ("Gamma", bob)] {
        books.push(
            ctx.insert(v1::Book {
                title: title.into(),
                author: Ref::new(author),
                tags: ToMany::new(),
            })
            .unwrap(),
        );
    }
    let sf = ctx
        .insert(v1::Tag {
            label: "sf".into(),
            books: ToMany::new(),
        })
        .unwrap();
    let classic = ctx
        .insert(v1::Tag {
            label: "classic".into(),
            books: ToMany::new(),
        })
        .unwrap();
    let alpha = ctx.get::<v1::Book>(books[0]).unwrap().unwrap();
    ctx.add_related(&alpha.tags, sf).unwrap();
    ctx.add_related(&alpha.tags, classic).unwrap();
    let gamma = ctx.get::<v1::Book>(books[2]).unwrap().unwrap();
    ctx.add_related(&gamma.tags, sf).unwrap();
    (vec![ann, bob], books)
}

#[test]
fn three_versions_rename_add_and_transform_keep_references() {
    let store = TempStore::new();
    let (authors, books) = seed(&store);
    let plan = plan();
    assert_eq!(
        plan.migration_path(Version::new(1, 0, 0))
            .unwrap()
            .to_string(),
        "1.0.0 -[inferred]-> 2.0.0 -[custom]-> 3.0.0"
    );
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();

    let ann = ctx.get::<v3::Author>(authors[0]).unwrap().unwrap();
    assert_eq!((ann.first.as_str(), ann.last.as_str()), ("Ann", "Lee"));
    let titles = |records: Vec<Record<v3::Book>>| -> Vec<String> {
        records.iter().map(|b| b.title.clone()).collect()
    };
    assert_eq!(titles(ctx.related(&ann.books).unwrap()), ["Beta"]);
    let bob = ctx.get::<v3::Author>(authors[1]).unwrap().unwrap();
    assert_eq!(titles(ctx.related(&bob.books).unwrap()), ["Alpha", "Gamma"]);
    for (book, author) in books.iter().zip([authors[1], authors[0], authors[1]]) {
        let book = ctx.get::<v3::Book>(*book).unwrap().unwrap();
        assert_eq!(book.writer, Ref::new(author));
        assert_eq!(book.editor, None);
    }
    // Links of the many-to-many survive both steps.
    let alpha = ctx.get::<v3::Book>(books[0]).unwrap().unwrap();
    let labels: Vec<String> = ctx
        .related(&alpha.tags)
        .unwrap()
        .iter()
        .map(|t| t.label.clone())
        .collect();
    assert_eq!(labels, ["sf", "classic"]);

    // The new relationship works, and the foreign keys still act: deleting
    // Bob cascades to his books and their links.
    ctx.set(
        books[1],
        v3::Book::fields().editor,
        Some(Ref::new(authors[1])),
    )
    .unwrap();
    ctx.delete::<v3::Author>(authors[1]).unwrap();
    let left = ctx.fetch_all::<v3::Book>().unwrap();
    assert_eq!(titles(left.clone()), ["Beta"]);
    assert_eq!(
        left[0].editor, None,
        "nullify is the default of an optional to-one"
    );
    let sf = ctx
        .fetch(FetchDescriptor::new().filter(v3::Tag::fields().label.eq("sf")))
        .unwrap();
    assert!(ctx.related(&sf[0].books).unwrap().is_empty());
}

#[test]
fn lightweight_step_sql_renames_the_column_and_adds_a_foreign_key() {
    use staged_runtime::__internals::inference::{lower, map_step};
    let (from, to) = (
        <v1::Schema as VersionedSchema>::descriptor(),
        <v2::Schema as VersionedSchema>::descriptor(),
    );
    let mapping = map_step(from, to).unwrap();
    let sql: Vec<String> = lower(from, to, &mapping)
        .into_iter()
        .map(|s| s.sql)
        .collect();
    assert_eq!(
        sql,
        [
            r#"DROP INDEX "_staged_index_4_Book_author""#,
            r#"ALTER TABLE "Book" RENAME COLUMN "author" TO "writer""#,
            r#"ALTER TABLE "Book" ADD COLUMN "editor" INTEGER REFERENCES "Author" ("_id") ON DELETE SET NULL"#,
            r#"CREATE INDEX "_staged_index_4_Book_writer" ON "Book" ("writer")"#,
            r#"CREATE INDEX "_staged_index_4_Book_editor" ON "Book" ("editor")"#,
        ]
    );
    let changes: Vec<String> = staged_runtime::__internals::inference::changes(from, to, &mapping)
        .iter()
        .map(|c| format!("{c} [{}]", c.class().name()))
        .collect();
    assert_eq!(
        changes,
        [
            "rename relationship `Book.author` to `writer` [inferable]",
            "add optional to-one `Book.editor` to `Author` [inferable]",
        ]
    );
}

/// The referring side transformed: references are copied with `cast`.
#[versioned_schema(version = "3.0.0", previous = v2)]
pub mod v3_books {
    use staged::prelude::*;

    /// A writer.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Author {
        /// Full name.
        pub name: String,
        /// Their books.
        #[relationship(inverse = "writer")]
        pub books: ToMany<Book>,
    }

    /// A book, its title now upper case, with its title's length.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Book {
        /// Title.
        pub title: String,
        /// Letters in the title.
        pub letters: i64,
        /// The writer.
        #[relationship(delete_rule = "cascade", inverse = "books")]
        pub writer: Ref<Author>,
        /// The editor, if any.
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

    #[transform]
    fn book(old: super::v2::Book) -> staged::Result<Book> {
        Ok(Book {
            title: old.title.to_uppercase(),
            letters: i64::try_from(old.title.len()).map_err(staged::Error::hook)?,
            writer: old.writer.cast(),
            editor: old.editor.map(Ref::cast),
            tags: ToMany::new(),
        })
    }
}

#[test]
fn transforming_the_referring_side_keeps_references_and_links() {
    let store = TempStore::new();
    let (authors, books) = seed(&store);
    let plan =
        plans::three_with_stage::<v1::Schema, v2::Schema, v3_books::Schema>(v3_books::stage());
    let mut ctx = ModelContainer::open(store.path(), plan).unwrap().context();
    let bob = ctx.get::<v3_books::Author>(authors[1]).unwrap().unwrap();
    let titles: Vec<String> = ctx
        .related(&bob.books)
        .unwrap()
        .iter()
        .map(|b| b.title.clone())
        .collect();
    assert_eq!(titles, ["ALPHA", "GAMMA"]);
    let alpha = ctx.get::<v3_books::Book>(books[0]).unwrap().unwrap();
    assert_eq!(ctx.related(&alpha.tags).unwrap().len(), 2);
    ctx.delete::<v3_books::Author>(authors[1]).unwrap();
    assert_eq!(ctx.count::<v3_books::Book>().unwrap(), 1);
}

/// Skip-version chain, all lightweight: `a1 -> a2 -> a3` is one composed step.
#[versioned_schema(version = "1.0.0")]
pub mod a1 {
    use staged::prelude::*;

    /// A person.
    #[model]
    pub struct Person {
        /// Name.
        pub name: String,
    }

    /// A pet, kept when its owner goes.
    #[model]
    pub struct Pet {
        /// Name.
        pub name: String,
        /// The owner.
        pub owner: Option<Ref<Person>>,
        /// Toys.
        pub toys: ToMany<Toy>,
    }

    /// A toy.
    #[model]
    pub struct Toy {
        /// Name.
        pub name: String,
    }
}

/// `Pet.owner` renamed to `keeper`, `Pet.toys` to `things`.
#[versioned_schema(version = "2.0.0")]
pub mod a2 {
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
        /// The keeper.
        #[relationship(original_name = "owner")]
        pub keeper: Option<Ref<Person>>,
        /// Things.
        #[relationship(original_name = "toys")]
        pub things: ToMany<Toy>,
    }

    /// A toy.
    #[model]
    pub struct Toy {
        /// Name.
        pub name: String,
    }
}

/// `Person` renamed to `Human`, `Pet.keeper` now cascades, `Pet.things` renamed again.
#[versioned_schema(version = "3.0.0")]
pub mod a3 {
    use staged::prelude::*;

    /// A human.
    #[model(original_name = "Person")]
    pub struct Human {
        /// Name.
        pub name: String,
    }

    /// A pet.
    #[model]
    pub struct Pet {
        /// Name.
        pub name: String,
        /// The keeper; the pet goes with them now.
        #[relationship(delete_rule = "cascade")]
        pub keeper: Option<Ref<Human>>,
        /// Playthings.
        #[relationship(original_name = "things")]
        pub playthings: ToMany<Toy>,
    }

    /// A toy.
    #[model]
    pub struct Toy {
        /// Name.
        pub name: String,
    }
}

#[test]
fn composed_skip_step_carries_relationship_renames() {
    let store = TempStore::new();
    let (ann, rex, ball) = {
        let mut ctx = plans::open_single::<a1::Schema>(store.path()).context();
        let ann = ctx.insert(a1::Person { name: "Ann".into() }).unwrap();
        let rex = ctx
            .insert(a1::Pet {
                name: "Rex".into(),
                owner: Some(Ref::new(ann)),
                toys: ToMany::new(),
            })
            .unwrap();
        ctx.insert(a1::Pet {
            name: "Stray".into(),
            owner: None,
            toys: ToMany::new(),
        })
        .unwrap();
        let ball = ctx
            .insert(a1::Toy {
                name: "ball".into(),
            })
            .unwrap();
        let rex_record = ctx.get::<a1::Pet>(rex).unwrap().unwrap();
        ctx.add_related(&rex_record.toys, ball).unwrap();
        (ann, rex, ball)
    };
    let plan = plans::three::<a1::Schema, a2::Schema, a3::Schema>();
    assert_eq!(
        plan.migration_path(Version::new(1, 0, 0))
            .unwrap()
            .to_string(),
        "1.0.0 -[inferred]-> 3.0.0"
    );
    let mut ctx = ModelContainer::open(store.path(), plan).unwrap().context();
    let rex = ctx.get::<a3::Pet>(rex).unwrap().unwrap();
    assert_eq!(rex.keeper, Some(Ref::new(ann)));
    let toys = ctx.related(&rex.playthings).unwrap();
    assert_eq!(toys.iter().map(|t| t.id()).collect::<Vec<_>>(), [ball]);
    // The new rule is in the rebuilt foreign key: Ann's pet goes with her.
    ctx.delete::<a3::Human>(ann).unwrap();
    let left: Vec<String> = ctx
        .fetch_all::<a3::Pet>()
        .unwrap()
        .iter()
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(left, ["Stray"]);
}

/// `Pet.keeper` made required, and a new required `Pet.vet`.
#[versioned_schema(version = "2.0.0", previous = a1)]
pub mod b2 {
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
        /// Now required: every pet has an owner.
        #[relationship(delete_rule = "cascade")]
        pub owner: Ref<Person>,
        /// Toys.
        pub toys: ToMany<Toy>,
    }

    /// A toy.
    #[model]
    pub struct Toy {
        /// Name.
        pub name: String,
    }

    #[will_migrate]
    fn adopt_strays(ctx: &mut ModelContext<super::a1::Schema>) -> staged::Result<()> {
        let shelter = ctx.insert(super::a1::Person {
            name: "Shelter".into(),
        })?;
        let strays =
            ctx.fetch(FetchDescriptor::new().filter(super::a1::Pet::fields().owner.is_null()))?;
        for stray in strays {
            ctx.set(
                stray.id(),
                super::a1::Pet::fields().owner,
                Some(Ref::new(shelter)),
            )?;
        }
        Ok(())
    }
}

/// `Pet.owner` now refers to a `Toy`: ids would point at the wrong records.
#[versioned_schema(version = "2.0.0")]
pub mod c2 {
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
        /// Retargeted.
        pub owner: Option<Ref<Toy>>,
        /// Toys.
        pub toys: ToMany<Toy>,
        /// A new required to-one.
        pub vet: Ref<Person>,
    }

    /// A toy.
    #[model]
    pub struct Toy {
        /// Name.
        pub name: String,
    }
}

#[test]
fn optional_to_required_needs_a_hook_that_sets_the_missing_references() {
    // `b2` declares the hook, so a plan that does not name `b2::stage()` runs it too.
    let unnamed = SchemaMigrationPlan::builder()
        .schema::<a1::Schema>()
        .schema::<b2::Schema>()
        .build()
        .unwrap();
    assert_eq!(
        unnamed
            .migration_path(Version::new(1, 0, 0))
            .unwrap()
            .to_string(),
        "1.0.0 -[custom]-> 2.0.0"
    );

    let store = TempStore::new();
    {
        let mut ctx = plans::open_single::<a1::Schema>(store.path()).context();
        let ann = ctx.insert(a1::Person { name: "Ann".into() }).unwrap();
        ctx.insert(a1::Pet {
            name: "Rex".into(),
            owner: Some(Ref::new(ann)),
            toys: ToMany::new(),
        })
        .unwrap();
        ctx.insert(a1::Pet {
            name: "Stray".into(),
            owner: None,
            toys: ToMany::new(),
        })
        .unwrap();
    }
    let plan = plans::two_with_stage::<a1::Schema, b2::Schema>(b2::stage());
    let mut ctx = ModelContainer::open(store.path(), plan).unwrap().context();
    let owners: Vec<String> = ctx
        .fetch_all::<b2::Pet>()
        .unwrap()
        .iter()
        .map(|pet| ctx.follow(pet.owner).unwrap().unwrap().name.clone())
        .collect();
    assert_eq!(owners, ["Ann", "Shelter"]);
}

#[test]
fn retargeting_or_adding_a_required_to_one_is_rejected_by_build() {
    let error = SchemaMigrationPlan::builder()
        .schema::<a1::Schema>()
        .schema::<c2::Schema>()
        .build()
        .unwrap_err();
    // Every problem at once: the retargeted to-one first, then the new required one.
    assert_eq!(error.as_plan().unwrap().problems().len(), 2, "{error}");
    assert_eq!(
        error.as_plan().unwrap().problems()[0].to_string(),
        "cannot infer the migration from 1.0.0 to 2.0.0: change `Pet.owner` from a to-one of `Person` to a to-one \
         of `Toy` (needs-custom); use a custom stage (`MigrationStage::custom`) with a `transform` for `Pet`"
    );
    let changes: Vec<String> = {
        use staged_runtime::__internals::inference::{changes, map_step};
        let (from, to) = (
            <a1::Schema as VersionedSchema>::descriptor(),
            <c2::Schema as VersionedSchema>::descriptor(),
        );
        changes(from, to, &map_step(from, to).unwrap())
            .iter()
            .map(|c| format!("{c} [{}]", c.class().name()))
            .collect()
    };
    assert_eq!(
        changes,
        [
            "change `Pet.owner` from a to-one of `Person` to a to-one of `Toy` [needs-custom]",
            "add required to-one `Pet.vet` to `Person` [needs-default]",
        ]
    );
}

#[test]
fn rows_a_transform_drops_take_the_delete_rules_with_them() {
    let store = TempStore::new();
    let (authors, books) = seed(&store);
    {
        // Ann edits Alpha before the migration to 3.0.0.
        let plan = plans::two::<v1::Schema, v2::Schema>();
        let mut ctx = ModelContainer::open(store.path(), plan).unwrap().context();
        ctx.set(
            books[0],
            v2::Book::fields().editor,
            Some(Ref::new(authors[0])),
        )
        .unwrap();
    }
    let drop_ann = MigrationStage::custom::<v2::Schema, v3::Schema>().transform_or_drop(
        |old: v2::Author| -> staged::Result<Option<v3::Author>> {
            if old.name.starts_with("Ann") {
                return Ok(None);
            }
            let (first, last) = old.name.split_once(' ').unwrap_or((&old.name, ""));
            Ok(Some(v3::Author {
                first: first.into(),
                last: last.into(),
                books: ToMany::new(),
            }))
        },
    );
    let plan = plans::three_with_stage::<v1::Schema, v2::Schema, v3::Schema>(drop_ann);
    let mut ctx = ModelContainer::open(store.path(), plan).unwrap().context();
    // Beta (Ann's) is cascaded away; Alpha loses its editor (nullify); links stay.
    let left = ctx.fetch_all::<v3::Book>().unwrap();
    let titles: Vec<&str> = left.iter().map(|b| b.title.as_str()).collect();
    assert_eq!(titles, ["Alpha", "Gamma"]);
    assert_eq!(left[0].editor, None);
    assert_eq!(ctx.related(&left[0].tags).unwrap().len(), 2);
    assert_eq!(sql::foreign_key_violations(&store.conn()), 0);
}

/// Version 2 of `a1`: a pet may have several owners; the to-one becomes a
/// many-to-many whose links are the old references.
#[versioned_schema(version = "2.0.0")]
pub mod d2 {
    use staged::prelude::*;

    /// A person.
    #[model]
    pub struct Person {
        /// Name.
        pub name: String,
        /// Their pets.
        #[relationship(inverse = "owners")]
        pub pets: ToMany<Pet>,
    }

    /// A pet.
    #[model]
    pub struct Pet {
        /// Name.
        pub name: String,
        /// Was `owner: Option<Ref<Person>>`.
        #[relationship(original_name = "owner", inverse = "pets")]
        pub owners: ToMany<Person>,
        /// Toys.
        pub toys: ToMany<Toy>,
    }

    /// A toy.
    #[model]
    pub struct Toy {
        /// Name.
        pub name: String,
    }
}

#[test]
fn to_one_becomes_many_to_many_keeping_each_reference_as_a_link() {
    let store = TempStore::new();
    let (ann, rex, stray) = {
        let mut ctx = plans::open_single::<a1::Schema>(store.path()).context();
        let ann = ctx.insert(a1::Person { name: "Ann".into() }).unwrap();
        let rex = ctx
            .insert(a1::Pet {
                name: "Rex".into(),
                owner: Some(Ref::new(ann)),
                toys: ToMany::new(),
            })
            .unwrap();
        let stray = ctx
            .insert(a1::Pet {
                name: "Stray".into(),
                owner: None,
                toys: ToMany::new(),
            })
            .unwrap();
        (ann, rex, stray)
    };
    let (from, to) = (
        <a1::Schema as VersionedSchema>::descriptor(),
        <d2::Schema as VersionedSchema>::descriptor(),
    );
    let mapping = staged_runtime::__internals::inference::map_step(from, to).unwrap();
    let changes: Vec<String> = staged_runtime::__internals::inference::changes(from, to, &mapping)
        .iter()
        .map(|c| format!("{c} [{}]", c.class().name()))
        .collect();
    assert_eq!(
        changes,
        [
            "turn to-one `Pet.owner` into many-to-many `Pet.owners` (each reference becomes a link) [inferable]"
        ]
    );
    let sql: Vec<String> = staged_runtime::__internals::inference::lower(from, to, &mapping)
        .into_iter()
        .map(|s| s.sql)
        .collect();
    assert_eq!(
        sql,
        [
            r#"CREATE TABLE "_staged_links_1" AS SELECT "owner" AS "source", "_id" AS "target" FROM "Pet" WHERE "owner" IS NOT NULL"#,
            r#"DROP INDEX "_staged_index_3_Pet_owner""#,
            r#"ALTER TABLE "Pet" DROP COLUMN "owner""#,
            r#"CREATE TABLE "_staged_new_join_1" ("source" INTEGER NOT NULL REFERENCES "Person" ("_id") ON DELETE CASCADE, "target" INTEGER NOT NULL REFERENCES "Pet" ("_id") ON DELETE CASCADE, PRIMARY KEY ("source", "target")) STRICT, WITHOUT ROWID"#,
            r#"INSERT INTO "_staged_new_join_1" ("source", "target") SELECT "source", "target" FROM "_staged_links_1""#,
            r#"DROP TABLE "_staged_links_1""#,
            r#"ALTER TABLE "_staged_new_join_1" RENAME TO "_staged_join_6_Person_pets""#,
            r#"CREATE INDEX "_staged_join_6_Person_pets_target" ON "_staged_join_6_Person_pets" ("target")"#,
        ]
    );

    let plan = plans::two::<a1::Schema, d2::Schema>();
    let mut ctx = ModelContainer::open(store.path(), plan).unwrap().context();
    let rex = ctx.get::<d2::Pet>(rex).unwrap().unwrap();
    let owners: Vec<_> = ctx
        .related(&rex.owners)
        .unwrap()
        .iter()
        .map(|p| p.id())
        .collect();
    assert_eq!(owners, [ann]);
    let stray = ctx.get::<d2::Pet>(stray).unwrap().unwrap();
    assert!(ctx.related(&stray.owners).unwrap().is_empty());
    let ann = ctx.get::<d2::Person>(ann).unwrap().unwrap();
    ctx.add_related(&ann.pets, stray.id()).unwrap();
    assert_eq!(ctx.related(&ann.pets).unwrap().len(), 2);
}

/// `a1` with `Pet.owner` now `deny`: a person with pets cannot go.
#[versioned_schema(version = "2.0.0")]
pub mod e2 {
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
        /// The owner, who cannot be deleted while the pet refers to them.
        #[relationship(delete_rule = "deny")]
        pub owner: Option<Ref<Person>>,
        /// Toys.
        pub toys: ToMany<Toy>,
    }

    /// A toy.
    #[model]
    pub struct Toy {
        /// Name.
        pub name: String,
    }
}

#[test]
fn a_transform_dropping_a_denied_row_fails_naming_both_and_leaves_the_file_unchanged() {
    let store = TempStore::new();
    let (ann, rex) = {
        let mut ctx = plans::open_single::<a1::Schema>(store.path()).context();
        let ann = ctx.insert(a1::Person { name: "Ann".into() }).unwrap();
        let rex = ctx
            .insert(a1::Pet {
                name: "Rex".into(),
                owner: Some(Ref::new(ann)),
                toys: ToMany::new(),
            })
            .unwrap();
        (ann, rex)
    };
    let before = store.bytes();
    let stage = MigrationStage::custom::<a1::Schema, e2::Schema>().transform_or_drop(
        |old: a1::Person| -> staged::Result<Option<e2::Person>> {
            Ok((old.name != "Ann").then_some(e2::Person { name: old.name }))
        },
    );
    let plan = plans::two_with_stage::<a1::Schema, e2::Schema>(stage);
    let error = ModelContainer::open(store.path(), plan).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "cannot migrate `{}`: transform of `Person` of stage 1.0.0 -> 2.0.0 failed: cannot delete `Person` \
             record {ann}: `Pet` record {rex} refers to it through `Pet.owner`, whose delete rule is `deny`; delete \
             the `Pet` record or point its `owner` elsewhere first",
            store.path().display()
        )
    );
    assert_eq!(
        store.bytes(),
        before,
        "a failed migration leaves the file as it was"
    );
}

#[test]
fn dry_run_of_a_relationship_migration_leaves_the_file_and_reports_success() {
    let store = TempStore::new();
    seed(&store);
    let before = store.bytes();
    let report = ModelContainer::builder(plan())
        .dry_run(store.path())
        .unwrap();
    assert!(report.would_succeed(), "{report}");
    assert_eq!(report.steps().len(), 2);
    let after: Vec<(String, u64)> = report.rows_after().unwrap().to_vec();
    assert_eq!(
        after,
        [
            ("Author".to_owned(), 2),
            ("Book".to_owned(), 3),
            ("Tag".to_owned(), 2)
        ]
    );
    assert_eq!(store.bytes(), before);
}

/// `d2` back to a to-one, naming the many-to-many as `original_name`.
#[versioned_schema(version = "3.0.0")]
pub mod d3 {
    use staged::prelude::*;

    /// A person.
    #[model]
    pub struct Person {
        /// Name.
        pub name: String,
        /// Age, if known.
        pub age: Option<i64>,
    }

    /// A pet.
    #[model]
    pub struct Pet {
        /// Name.
        pub name: String,
        /// One owner again.
        #[relationship(original_name = "owners")]
        pub owner: Option<Ref<Person>>,
        /// Toys.
        pub toys: ToMany<Toy>,
    }

    /// A toy.
    #[model]
    pub struct Toy {
        /// Name.
        pub name: String,
    }
}

#[test]
fn many_to_many_back_to_a_to_one_needs_a_custom_stage() {
    let error = SchemaMigrationPlan::builder()
        .schema::<a1::Schema>()
        .schema::<d2::Schema>()
        .schema::<d3::Schema>()
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot infer the migration from 2.0.0 to 3.0.0: turn to-many `Pet.owners` into `Pet.owner` (needs-custom); \
         a record may have several related records: remove `original_name`, read them in a `will_migrate` hook of \
         a custom stage and set `owner` in its transform"
    );
}

/// `a1` with `Pet` renamed to `Animal`: its join table takes the new name.
#[versioned_schema(version = "2.0.0")]
pub mod f2 {
    use staged::prelude::*;

    /// A person.
    #[model]
    pub struct Person {
        /// Name.
        pub name: String,
    }

    /// A pet, renamed.
    #[model(original_name = "Pet")]
    pub struct Animal {
        /// Name.
        pub name: String,
        /// The owner.
        pub owner: Option<Ref<Person>>,
        /// Toys.
        pub toys: ToMany<Toy>,
    }

    /// A toy.
    #[model]
    pub struct Toy {
        /// Name.
        pub name: String,
    }
}

#[test]
fn renaming_an_entity_renames_its_join_tables_keeping_links() {
    let store = TempStore::new();
    let (rex, ball) = {
        let mut ctx = plans::open_single::<a1::Schema>(store.path()).context();
        let rex = ctx
            .insert(a1::Pet {
                name: "Rex".into(),
                owner: None,
                toys: ToMany::new(),
            })
            .unwrap();
        let ball = ctx
            .insert(a1::Toy {
                name: "ball".into(),
            })
            .unwrap();
        let record = ctx.get::<a1::Pet>(rex).unwrap().unwrap();
        ctx.add_related(&record.toys, ball).unwrap();
        (rex, ball)
    };
    let (from, to) = (
        <a1::Schema as VersionedSchema>::descriptor(),
        <f2::Schema as VersionedSchema>::descriptor(),
    );
    let mapping = staged_runtime::__internals::inference::map_step(from, to).unwrap();
    let sql: Vec<String> = staged_runtime::__internals::inference::lower(from, to, &mapping)
        .into_iter()
        .map(|s| s.sql)
        .collect();
    assert_eq!(
        sql,
        [
            r#"DROP INDEX "_staged_index_3_Pet_owner""#,
            r#"ALTER TABLE "Pet" RENAME TO "_staged_tmp_1""#,
            r#"ALTER TABLE "_staged_tmp_1" RENAME TO "Animal""#,
            r#"CREATE TABLE "_staged_new_join_0" ("source" INTEGER NOT NULL REFERENCES "Animal" ("_id") ON DELETE CASCADE, "target" INTEGER NOT NULL REFERENCES "Toy" ("_id") ON DELETE CASCADE, PRIMARY KEY ("source", "target")) STRICT, WITHOUT ROWID"#,
            r#"INSERT INTO "_staged_new_join_0" ("source", "target") SELECT "source", "target" FROM "_staged_join_3_Pet_toys""#,
            r#"DROP TABLE "_staged_join_3_Pet_toys""#,
            r#"ALTER TABLE "_staged_new_join_0" RENAME TO "_staged_join_6_Animal_toys""#,
            r#"CREATE INDEX "_staged_join_6_Animal_toys_target" ON "_staged_join_6_Animal_toys" ("target")"#,
            r#"CREATE INDEX "_staged_index_6_Animal_owner" ON "Animal" ("owner")"#,
        ]
    );
    let plan = plans::two::<a1::Schema, f2::Schema>();
    let mut ctx = ModelContainer::open(store.path(), plan).unwrap().context();
    let rex = ctx.get::<f2::Animal>(rex).unwrap().unwrap();
    assert_eq!(ctx.related(&rex.toys).unwrap()[0].id(), ball);
    ctx.delete::<f2::Toy>(ball).unwrap();
    assert!(ctx.related(&rex.toys).unwrap().is_empty());
}

#[test]
fn a_to_one_becoming_many_to_many_cannot_share_a_stage_with_a_transform_of_its_entity() {
    let stage = MigrationStage::custom::<a1::Schema, d2::Schema>().transform(
        |old: a1::Pet| -> staged::Result<d2::Pet> {
            Ok(d2::Pet {
                name: old.name,
                owners: ToMany::new(),
                toys: ToMany::new(),
            })
        },
    );
    let error = SchemaMigrationPlan::builder()
        .schema::<a1::Schema>()
        .schema::<d2::Schema>()
        .stage(stage)
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot infer the migration from 1.0.0 to 2.0.0: turn to-one `Pet.owner` into many-to-many `Pet.owners` \
         (each reference becomes a link) (not-with-transform); make the conversion in its own lightweight version, \
         before or after the one that transforms `Pet`"
    );
}
