//! The code `#[versioned_schema]` generates for relationships is lint-clean:
//! documented schemas with every kind of relationship under strict lints, which
//! `cargo clippy --all-targets -- -D warnings` must accept.

#![deny(
    warnings,
    missing_docs,
    missing_debug_implementations,
    unused,
    unused_qualifications,
    unused_results,
    unreachable_pub,
    rust_2018_idioms,
    clippy::all,
    clippy::pedantic
)]
#![forbid(unsafe_code)]

use staged::prelude::*;

/// Every kind of relationship and delete rule.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use staged::prelude::*;

    /// A writer.
    #[model]
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Author {
        /// Name.
        pub name: String,
        /// Books, deleted with their author.
        #[relationship(inverse = "author", delete_rule = "cascade")]
        pub books: ToMany<Book>,
    }

    /// A book.
    #[model]
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Book {
        /// Title.
        pub title: String,
        /// The author.
        #[relationship(inverse = "books")]
        pub author: Ref<Author>,
        /// A translator, cleared when deleted.
        #[relationship(delete_rule = "nullify")]
        pub translator: Option<Ref<Author>>,
        /// A note that may dangle.
        #[relationship(delete_rule = "no_action")]
        pub sequel_of: Option<Ref<Book>>,
        /// Shelves.
        #[relationship(inverse = "books")]
        pub shelves: ToMany<Shelf>,
    }

    /// A shelf.
    #[model]
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Shelf {
        /// Name.
        pub name: String,
        /// Books on it.
        #[relationship(inverse = "shelves")]
        pub books: ToMany<Book>,
    }

    /// A loan: its book cannot be deleted.
    #[model]
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Loan {
        /// The book.
        #[relationship(delete_rule = "deny")]
        pub book: Ref<Book>,
    }
}

/// Version 2: renames and a transform.
#[versioned_schema(version = "2.0.0", previous = v1)]
pub mod v2 {
    use staged::prelude::*;

    /// A writer.
    #[model]
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Author {
        /// Name.
        pub name: String,
        /// Books.
        #[relationship(inverse = "writer", delete_rule = "cascade")]
        pub books: ToMany<Book>,
    }

    /// A book.
    #[model]
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Book {
        /// Title.
        pub title: String,
        /// The writer.
        #[relationship(inverse = "books", original_name = "author")]
        pub writer: Ref<Author>,
        /// A translator.
        pub translator: Option<Ref<Author>>,
        /// A book it follows.
        #[relationship(delete_rule = "no_action")]
        pub sequel_of: Option<Ref<Book>>,
        /// Shelves.
        #[relationship(inverse = "books", original_name = "shelves")]
        pub racks: ToMany<Shelf>,
        /// Pages.
        pub pages: i64,
    }

    /// A shelf.
    #[model]
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Shelf {
        /// Name.
        pub name: String,
        /// Books on it.
        #[relationship(inverse = "racks")]
        pub books: ToMany<Book>,
    }

    /// A loan.
    #[model]
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Loan {
        /// The book.
        #[relationship(delete_rule = "deny")]
        pub book: Ref<Book>,
    }

    #[transform]
    fn book(old: super::v1::Book) -> staged::Result<Book> {
        let pages = i64::try_from(old.title.len()).map_err(staged::Error::hook)?;
        Ok(Book {
            pages,
            title: old.title,
            writer: old.author.cast(),
            translator: old.translator.map(Ref::cast),
            sequel_of: old.sequel_of.map(Ref::cast),
            racks: ToMany::new(),
        })
    }
}

#[test]
fn relationship_schemas_compile_under_strict_lints() -> staged::Result<()> {
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .stage(v2::stage())
        .build()?;
    let mut ctx = ModelContainer::in_memory(plan)?.context();
    let ann = ctx.insert(v2::Author {
        name: "Ann".to_owned(),
        books: ToMany::new(),
    })?;
    let book = ctx.insert(v2::Book {
        title: "A".to_owned(),
        writer: Ref::new(ann),
        translator: None,
        sequel_of: None,
        racks: ToMany::new(),
        pages: 1,
    })?;
    let found =
        ctx.fetch(FetchDescriptor::new().filter(v2::Book::fields().writer.refers_to(ann)))?;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id(), book);
    Ok(())
}
