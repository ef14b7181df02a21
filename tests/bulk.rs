//! `ModelContext::upsert`, `delete_matching` and `insert_all`, on store
//! files: the rows before and after each call.

mod common;

use common::plans;
use common::sql::{self, i, t};
use common::store::TempStore;
use staged::prelude::*;
use staged::rusqlite::types::Value;

#[versioned_schema(version = "1.0.0")]
mod v1 {
    use staged::prelude::*;

    #[model]
    pub struct Folder {
        #[attribute(unique)]
        pub name: String,
        #[relationship(inverse = "folder")]
        pub notes: ToMany<Note>,
        #[relationship(inverse = "folder")]
        pub pins: ToMany<Pin>,
    }

    #[model(unique(folder, title))]
    pub struct Note {
        #[attribute(unique)]
        pub uid: Option<String>,
        pub title: String,
        pub body: String,
        #[relationship(delete_rule = "cascade")]
        pub folder: Ref<Folder>,
    }

    /// A pin keeps its folder from being deleted.
    #[model]
    pub struct Pin {
        #[relationship(delete_rule = "deny")]
        pub folder: Option<Ref<Folder>>,
    }
}

fn folder(name: &str) -> v1::Folder {
    v1::Folder {
        name: name.into(),
        notes: ToMany::default(),
        pins: ToMany::default(),
    }
}

fn note(uid: Option<&str>, title: &str, body: &str, folder: PersistentId) -> v1::Note {
    v1::Note {
        uid: uid.map(str::to_owned),
        title: title.into(),
        body: body.into(),
        folder: Ref::new(folder),
    }
}

fn null() -> Value {
    Value::Null
}

#[test]
fn upsert_updates_the_record_with_the_same_unique_values_or_inserts() {
    let store = TempStore::new();
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    let inbox = ctx.upsert(folder("inbox")).unwrap();
    assert_eq!(
        ctx.upsert(folder("inbox")).unwrap(),
        inbox,
        "the single unique attribute matches"
    );
    let work = ctx.upsert(folder("work")).unwrap();

    let a = ctx.upsert(note(Some("u1"), "plan", "v1", inbox)).unwrap();
    // Same uid: the record is updated, every value taken from the model.
    assert_eq!(
        ctx.upsert(note(Some("u1"), "plan", "v2", inbox)).unwrap(),
        a
    );
    // No uid, same (folder, title): the compound constraint matches.
    assert_eq!(ctx.upsert(note(None, "plan", "v3", inbox)).unwrap(), a);
    // The same title in another folder is another record.
    let b = ctx.upsert(note(None, "plan", "w1", work)).unwrap();
    assert_ne!(a, b);
    // A uid that matches nothing and a new (folder, title): inserted.
    let c = ctx.upsert(note(Some("u3"), "todo", "x", inbox)).unwrap();
    // The uid of `c` with the (folder, title) of `a`: `c` is found first (by uid),
    // and taking `a`'s pair would duplicate it.
    let error = ctx
        .upsert(note(Some("u3"), "plan", "y", inbox))
        .unwrap_err();
    assert!(
        matches!(&error, staged::Error::UniqueViolation { attribute, .. } if attribute == "folder, title"),
        "{error}"
    );
    drop(ctx);
    drop(container);

    let conn = store.conn();
    assert_eq!(
        sql::rows(&conn, "Folder"),
        vec![
            vec![i(inbox.raw()), t("inbox")],
            vec![i(work.raw()), t("work")]
        ]
    );
    // An upsert that updates uses up an id, as SQLite's own upserts do on a
    // table whose ids are never reused: ids stay unique and increasing.
    assert_eq!((inbox.raw(), work.raw()), (1, 3));
    assert_eq!(
        sql::rows(&conn, "Note"),
        vec![
            vec![i(a.raw()), null(), t("plan"), t("v3"), i(inbox.raw())],
            vec![i(b.raw()), null(), t("plan"), t("w1"), i(work.raw())],
            vec![i(c.raw()), t("u3"), t("todo"), t("x"), i(inbox.raw())],
        ]
    );
}

#[test]
fn upsert_returns_the_new_id_when_it_equals_the_last_one_inserted_elsewhere() {
    let store = TempStore::new();
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    // Folder 1, then Note 1: the connection's last inserted id is 1 before
    // and after the note's insert, which then reads as an update would.
    let inbox = ctx.upsert(folder("inbox")).unwrap();
    let first = ctx.upsert(note(Some("u1"), "plan", "v1", inbox)).unwrap();
    assert_eq!((inbox.raw(), first.raw()), (1, 1));
    let second = ctx.upsert(note(None, "todo", "v1", inbox)).unwrap();
    assert_eq!(second.raw(), 2);
    assert_eq!(ctx.upsert(note(None, "todo", "v2", inbox)).unwrap(), second);
    drop(ctx);
    drop(container);
    assert_eq!(
        sql::rows(&store.conn(), "Note"),
        vec![
            vec![i(1), t("u1"), t("plan"), t("v1"), i(1)],
            vec![i(2), null(), t("todo"), t("v2"), i(1)],
        ]
    );
}

#[test]
fn delete_matching_applies_delete_rules_and_counts_or_deletes_nothing() {
    let store = TempStore::new();
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    let ids = ctx
        .insert_all(["a1", "a2", "b1", "keep"].map(folder))
        .unwrap();
    for (k, &id) in ids.iter().enumerate() {
        ctx.insert(note(None, "n", &k.to_string(), id)).unwrap();
    }
    ctx.insert(v1::Pin {
        folder: Some(Ref::new(ids[2])),
    })
    .unwrap();

    let fields = v1::Folder::fields();
    // `b1` is pinned (deny): nothing is deleted.
    let error = ctx
        .delete_matching(fields.name.starts_with("a").or(fields.name.eq("b1")))
        .unwrap_err();
    assert!(
        matches!(error, staged::Error::DeleteDenied { .. }),
        "{error}"
    );
    assert_eq!(ctx.count::<v1::Folder>().unwrap(), 4);
    assert_eq!(ctx.count::<v1::Note>().unwrap(), 4);

    let deleted = ctx.delete_matching(fields.name.starts_with("a")).unwrap();
    assert_eq!(deleted, 2);
    assert_eq!(ctx.delete_matching(fields.name.eq("nothing")).unwrap(), 0);
    drop(ctx);
    drop(container);

    let conn = store.conn();
    assert_eq!(
        sql::rows(&conn, "Folder"),
        vec![vec![i(3), t("b1")], vec![i(4), t("keep")]]
    );
    // Their notes went with them (cascade).
    assert_eq!(sql::ids(&conn, "Note"), vec![3, 4]);
}

#[test]
fn insert_all_returns_ids_in_order_and_keeps_nothing_on_a_failure() {
    let store = TempStore::new();
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    let ids = ctx.insert_all(["a", "b", "c"].map(folder)).unwrap();
    assert_eq!(ids.iter().map(|id| id.raw()).collect::<Vec<_>>(), [1, 2, 3]);
    let error = ctx.insert_all(["d", "a", "e"].map(folder)).unwrap_err();
    assert!(
        matches!(error, staged::Error::UniqueViolation { .. }),
        "{error}"
    );
    assert_eq!(ctx.insert_all(Vec::<v1::Folder>::new()).unwrap(), vec![]);
    drop(ctx);
    drop(container);
    let conn = store.conn();
    assert_eq!(
        sql::rows(&conn, "Folder"),
        vec![vec![i(1), t("a")], vec![i(2), t("b")], vec![i(3), t("c")]]
    );
}

/// A one-to-one: the state of a stream, at most one per stream.
#[versioned_schema(version = "1.0.0")]
mod one_to_one {
    use staged::prelude::*;

    #[model]
    pub struct Stream {
        pub url: String,
    }

    #[model(unique(stream))]
    pub struct StreamState {
        pub stream: Ref<Stream>,
        pub position: i64,
    }
}

#[test]
fn a_to_one_unique_on_its_own_is_a_one_to_one_that_upsert_matches() {
    use one_to_one::{Stream, StreamState};
    let store = TempStore::new();
    let container = plans::open_single::<one_to_one::Schema>(store.path());
    let mut ctx = container.context();
    let stream = ctx.insert(Stream { url: "a".into() }).unwrap();
    let state = |position| StreamState {
        stream: Ref::new(stream),
        position,
    };
    let first = ctx.upsert(state(10)).unwrap();
    assert_eq!(ctx.upsert(state(42)).unwrap(), first);
    let error = ctx.insert(state(7)).unwrap_err();
    assert!(
        matches!(&error, staged::Error::UniqueViolation { attribute, .. } if attribute == "stream"),
        "{error}"
    );
    drop(ctx);
    drop(container);
    assert_eq!(
        sql::rows(&store.conn(), "StreamState"),
        vec![vec![i(first.raw()), i(stream.raw()), i(42)]]
    );
}
