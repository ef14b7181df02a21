//! Relationships with real store files: to-one storage and delete rules
//! (cascade, nullify, deny, no_action), inverses kept consistent, to-many
//! loading, many-to-many links, and fetches by relationship.

mod common;

use common::store::TempStore;
use common::{plans, sql};
use staged::Error;
use staged::prelude::*;
use staged::schema::canonical_form;

/// A library: every kind of relationship and delete rule.
#[versioned_schema(version = "1.0.0")]
pub mod library {
    use staged::prelude::*;

    /// A writer.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Author {
        /// `name`.
        pub name: String,
        /// Deleting an author deletes their books.
        #[relationship(inverse = "author", delete_rule = "cascade")]
        pub books: ToMany<Book>,
    }

    /// A book, written by one author.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Book {
        /// `title`.
        pub title: String,
        /// `author`.
        #[relationship(inverse = "books")]
        pub author: Ref<Author>,
        /// The editor is cleared when the editor is deleted.
        pub editor: Option<Ref<Editor>>,
        /// `tags`.
        #[relationship(inverse = "books")]
        pub tags: ToMany<Tag>,
    }

    /// An editor; optional on a book.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Editor {
        /// `name`.
        pub name: String,
    }

    /// A tag: many books, many tags.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Tag {
        /// `label`.
        pub label: String,
        /// `books`.
        #[relationship(inverse = "tags")]
        pub books: ToMany<Book>,
    }

    /// A loan refuses to let its book be deleted.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Loan {
        /// `reader`.
        pub reader: String,
        /// `book`.
        #[relationship(delete_rule = "deny")]
        pub book: Ref<Book>,
    }

    /// A note keeps its reference when the book goes.
    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        /// `text`.
        pub text: String,
        /// `book`.
        #[relationship(delete_rule = "no_action")]
        pub book: Option<Ref<Book>>,
    }
}

use library::{Author, Book, Editor, Loan, Note, Tag};

fn open(store: &TempStore) -> ModelContainer<library::Schema> {
    plans::open_single::<library::Schema>(store.path())
}

fn book(title: &str, author: PersistentId) -> Book {
    Book {
        title: title.into(),
        author: Ref::new(author),
        editor: None,
        tags: ToMany::new(),
    }
}

#[test]
fn tables_have_foreign_keys_and_join_tables() {
    let store = TempStore::new();
    drop(open(&store));
    let conn = store.conn();
    assert_eq!(
        sql::table_sql(&conn, "Book"),
        r#"CREATE TABLE "Book" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "title" TEXT NOT NULL, "author" INTEGER NOT NULL REFERENCES "Author" ("_id") ON DELETE CASCADE, "editor" INTEGER REFERENCES "Editor" ("_id") ON DELETE SET NULL)"#
    );
    assert_eq!(
        sql::table_sql(&conn, "_staged_join_4_Book_tags"),
        r#"CREATE TABLE "_staged_join_4_Book_tags" ("source" INTEGER NOT NULL REFERENCES "Book" ("_id") ON DELETE CASCADE, "target" INTEGER NOT NULL REFERENCES "Tag" ("_id") ON DELETE CASCADE, PRIMARY KEY ("source", "target")) STRICT, WITHOUT ROWID"#
    );
    assert_eq!(
        sql::table_sql(&conn, "Note"),
        r#"CREATE TABLE "Note" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "text" TEXT NOT NULL, "book" INTEGER)"#
    );
}

#[test]
fn canonical_form_lists_stored_relationships() {
    let form = canonical_form(<library::Schema as VersionedSchema>::descriptor());
    let expected = [
        r#"entity "Author""#,
        r#"attribute "Author" "name" text required unique=0 index=0 default=none"#,
        r#"entity "Book""#,
        r#"relationship "Book" "author" to-one "Author" required delete=cascade"#,
        r#"relationship "Book" "editor" to-one "Editor" optional delete=nullify"#,
        r#"attribute "Book" "title" text required unique=0 index=0 default=none"#,
        r#"relationship "Book" "tags" many-to-many "Tag" join="_staged_join_4_Book_tags""#,
        r#"entity "Editor""#,
        r#"attribute "Editor" "name" text required unique=0 index=0 default=none"#,
        r#"entity "Loan""#,
        r#"relationship "Loan" "book" to-one "Book" required delete=deny"#,
        r#"attribute "Loan" "reader" text required unique=0 index=0 default=none"#,
        r#"entity "Note""#,
        r#"relationship "Note" "book" to-one "Book" optional delete=no_action"#,
        r#"attribute "Note" "text" text required unique=0 index=0 default=none"#,
        r#"entity "Tag""#,
        r#"attribute "Tag" "label" text required unique=0 index=0 default=none"#,
        r#"relationship "Tag" "books" many-to-many "Book" join="_staged_join_4_Book_tags""#,
    ];
    let mut want = String::from("staged-schema 1\n");
    for line in expected {
        want.push_str(line);
        want.push('\n');
    }
    assert_eq!(form, want);
}

#[test]
fn cascade_nullify_and_inverse() {
    let store = TempStore::new();
    let container = open(&store);
    let mut ctx = container.context();
    let ann = ctx
        .insert(Author {
            name: "Ann".into(),
            books: ToMany::new(),
        })
        .unwrap();
    let bob = ctx
        .insert(Author {
            name: "Bob".into(),
            books: ToMany::new(),
        })
        .unwrap();
    let ed = ctx.insert(Editor { name: "Ed".into() }).unwrap();
    let mut first = book("First", ann);
    first.editor = Some(Ref::new(ed));
    let first = ctx.insert(first).unwrap();
    let second = ctx.insert(book("Second", ann)).unwrap();
    let third = ctx.insert(book("Third", bob)).unwrap();

    let ann_record = ctx.get::<Author>(ann).unwrap().unwrap();
    let ids: Vec<_> = ctx
        .related(&ann_record.books)
        .unwrap()
        .iter()
        .map(|b| b.id())
        .collect();
    assert_eq!(ids, [first, second]);
    let by_ref = ctx
        .fetch(FetchDescriptor::new().filter(Book::fields().author.refers_to(&ann_record)))
        .unwrap();
    assert_eq!(by_ref.len(), 2);

    // Nullify: the editor goes, the book stays without one.
    ctx.delete::<Editor>(ed).unwrap();
    assert_eq!(ctx.get::<Book>(first).unwrap().unwrap().editor, None);

    // Moving a book to another author through the inverse side.
    ctx.add_related(&ann_record.books, third).unwrap();
    let third_record = ctx.get::<Book>(third).unwrap().unwrap();
    assert_eq!(third_record.author, Ref::new(ann));
    assert_eq!(
        ctx.follow(third_record.author).unwrap().unwrap().name,
        "Ann"
    );
    assert!(matches!(
        ctx.remove_related(&ann_record.books, third),
        Err(Error::RequiredInverse { ref entity, ref relationship, ref related, ref inverse })
            if (entity.as_str(), relationship.as_str(), related.as_str(), inverse.as_str())
                == ("Author", "books", "Book", "author")
    ));

    // Cascade: deleting Ann deletes her three books.
    ctx.delete::<Author>(ann).unwrap();
    assert_eq!(ctx.count::<Book>().unwrap(), 0);
    assert_eq!(ctx.count::<Author>().unwrap(), 1);
}

#[test]
fn deny_refuses_naming_both_entities() {
    let store = TempStore::new();
    let container = open(&store);
    let mut ctx = container.context();
    let ann = ctx
        .insert(Author {
            name: "Ann".into(),
            books: ToMany::new(),
        })
        .unwrap();
    let b = ctx.insert(book("Lent", ann)).unwrap();
    let loan = ctx
        .insert(Loan {
            reader: "Cy".into(),
            book: Ref::new(b),
        })
        .unwrap();
    let error = ctx.delete::<Book>(b).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "cannot delete `Book` record {b}: `Loan` record {loan} refers to it through `Loan.book`, whose delete \
             rule is `deny`; delete the `Loan` record or point its `book` elsewhere first"
        )
    );
    // Deleting the author would cascade to the lent book: refused too.
    let error = ctx.delete::<Author>(ann).unwrap_err();
    assert!(
        matches!(
            error,
            Error::DeleteDenied { ref entity, id, ref related, ref relationship, related_id }
                if (entity.as_str(), id, related.as_str(), relationship.as_str(), related_id)
                    == ("Book", b.raw(), "Loan", "book", loan.raw())
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "cannot delete `Book` record {b}: `Loan` record {loan} refers to it through `Loan.book`, whose delete \
             rule is `deny`; delete the `Loan` record or point its `book` elsewhere first"
        )
    );
    assert_eq!(ctx.count::<Book>().unwrap(), 1);
    ctx.delete::<Loan>(loan).unwrap();
    ctx.delete::<Author>(ann).unwrap();
    assert_eq!(ctx.count::<Book>().unwrap(), 0);
}

#[test]
fn no_action_keeps_a_dangling_reference() {
    let store = TempStore::new();
    let container = open(&store);
    let mut ctx = container.context();
    let ann = ctx
        .insert(Author {
            name: "Ann".into(),
            books: ToMany::new(),
        })
        .unwrap();
    let b = ctx.insert(book("Gone", ann)).unwrap();
    let note = ctx
        .insert(Note {
            text: "n".into(),
            book: Some(Ref::new(b)),
        })
        .unwrap();
    ctx.delete::<Book>(b).unwrap();
    let note = ctx.get::<Note>(note).unwrap().unwrap();
    assert_eq!(note.book, Some(Ref::new(b)));
    assert!(ctx.follow(note.book).unwrap().is_none());
}

#[test]
fn many_to_many_add_remove() {
    let store = TempStore::new();
    let container = open(&store);
    let mut ctx = container.context();
    let ann = ctx
        .insert(Author {
            name: "Ann".into(),
            books: ToMany::new(),
        })
        .unwrap();
    let b1 = ctx.insert(book("One", ann)).unwrap();
    let b2 = ctx.insert(book("Two", ann)).unwrap();
    let sf = ctx
        .insert(Tag {
            label: "sf".into(),
            books: ToMany::new(),
        })
        .unwrap();
    let old = ctx
        .insert(Tag {
            label: "old".into(),
            books: ToMany::new(),
        })
        .unwrap();
    let one = ctx.get::<Book>(b1).unwrap().unwrap();
    ctx.add_related(&one.tags, sf).unwrap();
    ctx.add_related(&one.tags, old).unwrap();
    ctx.add_related(&one.tags, old).unwrap();
    let sf_record = ctx.get::<Tag>(sf).unwrap().unwrap();
    ctx.add_related(&sf_record.books, b2).unwrap();
    let labels: Vec<String> = ctx
        .related(&one.tags)
        .unwrap()
        .into_iter()
        .map(|t| t.label.clone())
        .collect();
    assert_eq!(labels, ["sf", "old"]);
    let books: Vec<_> = ctx
        .related(&sf_record.books)
        .unwrap()
        .iter()
        .map(|b| b.id())
        .collect();
    assert_eq!(books, [b1, b2]);
    ctx.remove_related(&sf_record.books, b1).unwrap();
    let labels: Vec<String> = ctx
        .related(&one.tags)
        .unwrap()
        .into_iter()
        .map(|t| t.label.clone())
        .collect();
    assert_eq!(labels, ["old"]);
    // Deleting a tag unlinks it.
    ctx.delete::<Tag>(old).unwrap();
    assert!(ctx.related(&one.tags).unwrap().is_empty());
    assert!(matches!(
        ctx.add_related(&one.tags, PersistentId::from_raw(999)),
        Err(Error::ReferenceNotFound { ref entity }) if entity == "Book"
    ));
}

#[test]
fn references_to_missing_records_and_unstored_handles_are_typed_errors() {
    let store = TempStore::new();
    let container = open(&store);
    let mut ctx = container.context();
    let missing = PersistentId::from_raw(42);
    let error = ctx.insert(book("Orphan", missing)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "a relationship of `Book` refers to a record that does not exist; insert the related record first, or \
         use an id from a fetched record"
    );
    assert_eq!(ctx.count::<Book>().unwrap(), 0);
    let ann = ctx
        .insert(Author {
            name: "Ann".into(),
            books: ToMany::new(),
        })
        .unwrap();
    let b = ctx.insert(book("Real", ann)).unwrap();
    assert!(matches!(
        ctx.set(b, Book::fields().editor, Some(Ref::new(missing))),
        Err(Error::ReferenceNotFound { ref entity }) if entity == "Book"
    ));
    assert_eq!(ctx.get::<Book>(b).unwrap().unwrap().editor, None);
    assert!(matches!(
        ctx.set(missing, Book::fields().title, "x".to_owned()),
        Err(Error::NotFound { ref entity, id: 42 }) if entity == "Book"
    ));
    let built = Author {
        name: "Built".into(),
        books: ToMany::new(),
    };
    let error = ctx.related(&built.books).unwrap_err();
    assert_eq!(
        error.to_string(),
        "this `ToMany<Book>` belongs to a model built in code, not read from the store, so it has no records to \
         load or change; fetch the record first and use its field"
    );
}

#[test]
fn relationships_persist_across_reopening() {
    let store = TempStore::new();
    let (ann, b, sf) = {
        let container = open(&store);
        let mut ctx = container.context();
        let ann = ctx
            .insert(Author {
                name: "Ann".into(),
                books: ToMany::new(),
            })
            .unwrap();
        let b = ctx.insert(book("Kept", ann)).unwrap();
        let sf = ctx
            .insert(Tag {
                label: "sf".into(),
                books: ToMany::new(),
            })
            .unwrap();
        let record = ctx.get::<Book>(b).unwrap().unwrap();
        ctx.add_related(&record.tags, sf).unwrap();
        (ann, b, sf)
    };
    let container = open(&store);
    let mut ctx = container.context();
    let ann = ctx.get::<Author>(ann).unwrap().unwrap();
    assert_eq!(ctx.related(&ann.books).unwrap()[0].id(), b);
    let sf = ctx.get::<Tag>(sf).unwrap().unwrap();
    assert_eq!(ctx.related(&sf.books).unwrap()[0].id(), b);
    // Related records can be filtered and sorted like any fetch.
    ctx.insert(book("Another", ann.id())).unwrap();
    let sorted = ctx
        .related_matching(
            &ann.books,
            FetchDescriptor::new()
                .sort(Book::fields().title.asc())
                .limit(1),
        )
        .unwrap();
    assert_eq!(sorted[0].title, "Another");
}

/// Relationships of a model with itself.
#[versioned_schema(version = "1.0.0")]
pub mod office {
    use staged::prelude::*;

    /// An employee.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Employee {
        /// Name.
        pub name: String,
        /// Their manager; reports go with a deleted manager.
        #[relationship(inverse = "reports", delete_rule = "cascade")]
        pub manager: Option<Ref<Employee>>,
        /// Who reports to them.
        #[relationship(inverse = "manager")]
        pub reports: ToMany<Employee>,
        /// Colleagues they work with (a many-to-many with itself, one-sided).
        pub peers: ToMany<Employee>,
    }
}

#[test]
fn a_model_can_refer_to_itself() {
    use office::Employee;
    let plan = plans::single::<office::Schema>();
    let store = TempStore::new();
    let mut ctx = ModelContainer::open(store.path(), plan).unwrap().context();
    let employee = |name: &str, manager: Option<PersistentId>| Employee {
        name: name.into(),
        manager: manager.map(Ref::new),
        reports: ToMany::new(),
        peers: ToMany::new(),
    };
    let boss = ctx.insert(employee("Boss", None)).unwrap();
    let mid = ctx.insert(employee("Mid", Some(boss))).unwrap();
    let low = ctx.insert(employee("Low", Some(mid))).unwrap();
    let other = ctx.insert(employee("Other", None)).unwrap();
    let record = ctx.get::<Employee>(boss).unwrap().unwrap();
    assert_eq!(ctx.related(&record.reports).unwrap()[0].id(), mid);
    let low_record = ctx.get::<Employee>(low).unwrap().unwrap();
    ctx.add_related(&low_record.peers, other).unwrap();
    assert_eq!(ctx.related(&low_record.peers).unwrap()[0].id(), other);
    // Cascade runs down the chain: Boss, Mid and Low go; Other stays, unlinked.
    ctx.delete::<Employee>(boss).unwrap();
    let left: Vec<_> = ctx
        .fetch_all::<Employee>()
        .unwrap()
        .iter()
        .map(|e| e.id())
        .collect();
    assert_eq!(left, [other]);
    let conn = store.conn();
    let links: i64 = conn
        .query_row(
            "SELECT count(*) FROM \"_staged_join_8_Employee_peers\"",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(links, 0);
}
