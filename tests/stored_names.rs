//! Stored names, `#[attribute(name = "…")]`: a snake_case field stored in a
//! camelCase column (attributes and relationships), read, written, filtered
//! and sorted through the column, part of compound constraints, and renamed
//! by `original_name`, which names the column the previous version stored
//! (its stored name, not its field). Every case uses a store file.

mod common;

use common::store::TempStore;
use common::{plans, sql};
use staged::prelude::*;
use staged::rusqlite::Connection;
use staged_runtime::__internals::verify;

/// 1.0.0: columns named after the fields.
#[versioned_schema(version = "1.0.0")]
mod v1 {
    use staged::prelude::*;

    #[model]
    pub struct Folder {
        pub title: String,
        #[relationship(inverse = "folder")]
        pub notes: ToMany<Note>,
    }

    #[model]
    pub struct Note {
        pub title: String,
        pub created_at: i64,
        pub folder: Option<Ref<Folder>>,
    }
}

/// 2.0.0: the columns take camelCase names; the fields keep theirs, and
/// `original_name` names the columns of 1.0.0.
#[versioned_schema(version = "2.0.0")]
mod v2 {
    use staged::prelude::*;

    #[model]
    pub struct Folder {
        pub title: String,
        #[relationship(inverse = "folder")]
        pub notes: ToMany<Note>,
    }

    #[model(unique(folder, title))]
    pub struct Note {
        pub title: String,
        #[attribute(name = "createdAt", original_name = "created_at")]
        pub created_at: i64,
        #[attribute(name = "folderId")]
        #[relationship(original_name = "folder")]
        pub folder: Option<Ref<Folder>>,
    }
}

/// 3.0.0: a stored name changes again; `original_name` names 2.0.0's column.
#[versioned_schema(version = "3.0.0")]
mod v3 {
    use staged::prelude::*;

    #[model]
    pub struct Folder {
        pub title: String,
        #[relationship(inverse = "folder")]
        pub notes: ToMany<Note>,
    }

    #[model(unique(folder, title))]
    pub struct Note {
        pub title: String,
        #[attribute(name = "created", original_name = "createdAt")]
        pub created_at: i64,
        #[attribute(name = "folderId")]
        pub folder: Option<Ref<Folder>>,
    }
}

fn columns(conn: &Connection, table: &str) -> Vec<String> {
    sql::columns(conn, table)
        .into_iter()
        .map(|(name, ..)| name)
        .collect()
}

#[test]
fn fields_are_stored_under_their_names_and_read_written_filtered_and_sorted() {
    let store = TempStore::new();
    let container = plans::open_single::<v2::Schema>(store.path());
    let mut ctx = container.context();
    let inbox = ctx
        .insert(v2::Folder {
            title: "inbox".into(),
            notes: ToMany::default(),
        })
        .unwrap();
    for (title, created_at) in [("b", 2), ("a", 1), ("c", 3)] {
        ctx.insert(v2::Note {
            title: title.into(),
            created_at,
            folder: Some(Ref::new(inbox)),
        })
        .unwrap();
    }
    let fields = v2::Note::fields();
    assert_eq!(fields.created_at.name(), "createdAt");
    let recent = ctx
        .fetch(
            FetchDescriptor::<v2::Note>::new()
                .filter(fields.created_at.ge(2))
                .sort(fields.created_at.desc()),
        )
        .unwrap();
    let titles: Vec<&str> = recent.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(titles, ["c", "b"]);
    let folder = ctx.get::<v2::Folder>(inbox).unwrap().unwrap();
    assert_eq!(
        ctx.related(&folder.notes).unwrap().len(),
        3,
        "the inverse is found by its field"
    );
    let error = ctx
        .insert(v2::Note {
            title: "a".into(),
            created_at: 9,
            folder: Some(Ref::new(inbox)),
        })
        .unwrap_err();
    assert!(matches!(
        &error,
        staged::Error::UniqueViolation { attribute, .. } if attribute == "folderId, title"
    ));
    drop(ctx);
    drop(container);

    let conn = store.conn();
    assert_eq!(
        columns(&conn, "Note"),
        ["_id", "title", "createdAt", "folderId"]
    );
    assert!(
        verify::drift(&conn, v2::Schema::descriptor())
            .unwrap()
            .is_empty()
    );
    let note = v2::Schema::descriptor().entity("Note").unwrap();
    let constraint: Vec<&str> = note.constraints()[0].attributes().collect();
    assert_eq!(
        constraint,
        ["folderId", "title"],
        "constraints name columns"
    );
}

#[test]
fn original_name_names_the_previous_column_and_every_value_is_kept() {
    let store = TempStore::new();
    {
        let container = plans::open_single::<v1::Schema>(store.path());
        let mut ctx = container.context();
        let inbox = ctx
            .insert(v1::Folder {
                title: "inbox".into(),
                notes: ToMany::default(),
            })
            .unwrap();
        ctx.insert(v1::Note {
            title: "a".into(),
            created_at: 7,
            folder: Some(Ref::new(inbox)),
        })
        .unwrap();
        ctx.insert(v1::Note {
            title: "b".into(),
            created_at: 8,
            folder: None,
        })
        .unwrap();
    }
    let before = sql::rows(&store.conn(), "Note");

    let plan = plans::two::<v1::Schema, v2::Schema>();
    drop(ModelContainer::open(store.path(), plan).unwrap());
    let conn = store.conn();
    assert_eq!(
        columns(&conn, "Note"),
        ["_id", "title", "createdAt", "folderId"]
    );
    assert_eq!(
        sql::rows(&conn, "Note"),
        before,
        "renamed in place, values kept"
    );
    drop(conn);

    let plan = plans::three::<v1::Schema, v2::Schema, v3::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let notes = container.context().fetch_all::<v3::Note>().unwrap();
    let read: Vec<(&str, i64, bool)> = notes
        .iter()
        .map(|n| (n.title.as_str(), n.created_at, n.folder.is_some()))
        .collect();
    assert_eq!(read, [("a", 7, true), ("b", 8, false)]);
    drop(notes);
    drop(container);
    let conn = store.conn();
    assert_eq!(
        columns(&conn, "Note"),
        ["_id", "title", "created", "folderId"]
    );
    assert_eq!(sql::rows(&conn, "Note"), before);
}

#[test]
fn a_stored_name_is_the_attribute_name_of_the_descriptor_and_checksum() {
    let note = v3::Schema::descriptor().entity("Note").unwrap();
    let names: Vec<&str> = note.attributes().iter().map(|a| a.name()).collect();
    assert_eq!(names, ["title", "created", "folderId"]);
    assert_eq!(
        note.attribute("created").unwrap().original_name(),
        Some("createdAt")
    );
    let form = staged::schema::canonical_form(v3::Schema::descriptor());
    assert!(
        form.contains("attribute \"Note\" \"created\" i64"),
        "{form}"
    );
    assert!(
        form.contains("relationship \"Note\" \"folderId\" to-one \"Folder\""),
        "{form}"
    );
}
