//! `ModelContext`: inserts, reads, queries, updates, deletes, transactions,
//! the raw connection, constraint errors, and persistence across reopening.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::plans;
use common::schemas::notes::{
    self, note,
    v1::{Note, Tag},
};
use common::store::TempStore;
use staged::prelude::*;
use staged::{Error, Predicate};

type Ctx = ModelContext<notes::v1::Schema>;

/// The fixture notes, in insertion (id) order.
fn fixture() -> Vec<Note> {
    let n = |uid: &str, title: &str, body: Option<&str>, priority, done, rating| Note {
        uid: uid.to_owned(),
        title: title.to_owned(),
        body: body.map(str::to_owned),
        priority,
        done,
        rating,
    };
    vec![
        n("a", "Alpha", Some("first body"), 3, false, Some(4.5)),
        n("b", "Beta", None, 1, true, None),
        n("c", "Gamma ray", Some(""), 3, false, Some(2.0)),
        n(
            "d",
            "alpha lower",
            Some("Alpha inside"),
            0,
            true,
            Some(-1.0),
        ),
        n("e", "Épée 🗡", None, 5, false, None),
        n("f", "50%_off", Some("a\0b"), 2, false, Some(4.5)),
    ]
}

/// An in-memory store holding the fixture notes.
fn seeded() -> (ModelContainer<notes::v1::Schema>, Vec<PersistentId>) {
    let container = ModelContainer::in_memory(notes::plan()).expect("create an in-memory store");
    let mut ctx = container.context();
    let ids = fixture()
        .into_iter()
        .map(|n| ctx.insert(n).expect("insert a fixture note"))
        .collect();
    (container, ids)
}

fn uids(records: &[Record<Note>]) -> Vec<&str> {
    records.iter().map(|r| r.uid.as_str()).collect()
}

/// The uids of the notes matching `predicate`, in id order.
fn matching(ctx: &mut Ctx, predicate: Predicate<Note>) -> Vec<String> {
    ctx.fetch(FetchDescriptor::new().filter(predicate))
        .expect("fetch succeeds")
        .iter()
        .map(|r| r.uid.clone())
        .collect()
}

#[test]
fn insert_then_get_returns_the_model_and_its_id() {
    let (container, ids) = seeded();
    let mut ctx = container.context();
    let raw: Vec<i64> = ids.iter().map(|id| id.raw()).collect();
    assert_eq!(
        raw,
        [1, 2, 3, 4, 5, 6],
        "ids are assigned in insertion order"
    );
    for (id, expected) in ids.iter().zip(fixture()) {
        let record = ctx.get::<Note>(*id).expect("get").expect("present");
        assert_eq!(record.id(), *id);
        assert_eq!(record.into_inner(), expected);
    }
    assert!(
        ctx.get::<Note>(PersistentId::from_raw(99))
            .expect("get")
            .is_none()
    );
    // Ids are per entity: a Tag id is not a Note id.
    let tag = ctx
        .insert(Tag {
            name: "home".to_owned(),
        })
        .expect("insert a tag");
    assert_eq!(tag.raw(), 1);
    let tag_record = ctx.get::<Tag>(tag).expect("get").expect("present");
    assert_eq!(tag_record.name, "home");
    assert_eq!(ctx.get::<Tag>(ids[1]).expect("get"), None);
}

#[test]
fn fetch_all_returns_every_record_in_id_order() {
    let (container, ids) = seeded();
    let mut ctx = container.context();
    let all = ctx.fetch_all::<Note>().expect("fetch_all");
    assert_eq!(all.iter().map(Record::id).collect::<Vec<_>>(), ids);
    assert_eq!(
        all.into_iter().map(Record::into_inner).collect::<Vec<_>>(),
        fixture()
    );
    assert!(ctx.fetch_all::<Tag>().expect("fetch_all").is_empty());
}

#[test]
fn comparison_filters() {
    let (container, _) = seeded();
    let mut ctx = container.context();
    let f = Note::fields();
    assert_eq!(matching(&mut ctx, f.title.eq("Beta")), ["b"]);
    assert_eq!(matching(&mut ctx, f.uid.eq("zzz")), [] as [&str; 0]);
    assert_eq!(matching(&mut ctx, f.priority.ne(3)), ["b", "d", "e", "f"]);
    assert_eq!(matching(&mut ctx, f.priority.lt(2)), ["b", "d"]);
    assert_eq!(matching(&mut ctx, f.priority.le(2)), ["b", "d", "f"]);
    assert_eq!(matching(&mut ctx, f.priority.gt(3)), ["e"]);
    assert_eq!(matching(&mut ctx, f.priority.ge(3)), ["a", "c", "e"]);
    assert_eq!(matching(&mut ctx, f.done.eq(true)), ["b", "d"]);
    // Text compares by bytes: upper case sorts before lower case and accents.
    assert_eq!(matching(&mut ctx, f.title.lt("a")), ["a", "b", "c", "f"]);
    assert_eq!(matching(&mut ctx, f.title.ge("alpha")), ["d", "e"]);
    // Comparisons with an optional attribute skip NULLs.
    assert_eq!(matching(&mut ctx, f.rating.gt(Some(0.0))), ["a", "c", "f"]);
    assert_eq!(matching(&mut ctx, f.rating.le(Some(2.0))), ["c", "d"]);
    assert_eq!(matching(&mut ctx, f.rating.eq(Some(4.5))), ["a", "f"]);
}

#[test]
fn null_filters() {
    let (container, _) = seeded();
    let mut ctx = container.context();
    let f = Note::fields();
    assert_eq!(matching(&mut ctx, f.body.is_null()), ["b", "e"]);
    assert_eq!(
        matching(&mut ctx, f.body.is_not_null()),
        ["a", "c", "d", "f"]
    );
    assert_eq!(matching(&mut ctx, f.rating.is_null()), ["b", "e"]);
    // `eq(None)` means IS NULL and `ne(None)` IS NOT NULL.
    assert_eq!(matching(&mut ctx, f.body.eq(None)), ["b", "e"]);
    assert_eq!(matching(&mut ctx, f.body.ne(None)), ["a", "c", "d", "f"]);
    // An empty string is not NULL.
    assert_eq!(matching(&mut ctx, f.body.eq(Some(String::new()))), ["c"]);
}

#[test]
fn ne_on_an_optional_attribute_matches_none() {
    // `None != Some(x)`, as in Rust: a NULL attribute differs from any value.
    let (container, _) = seeded();
    let mut ctx = container.context();
    let f = Note::fields();
    assert_eq!(
        matching(&mut ctx, f.body.ne(Some("first body".to_owned()))),
        ["b", "c", "d", "e", "f"]
    );
    assert_eq!(
        matching(&mut ctx, f.rating.ne(Some(4.5))),
        ["b", "c", "d", "e"]
    );
}

#[test]
fn text_filters() {
    let (container, _) = seeded();
    let mut ctx = container.context();
    let f = Note::fields();
    assert_eq!(matching(&mut ctx, f.title.contains("lpha")), ["a", "d"]);
    // Case-sensitive.
    assert_eq!(
        matching(&mut ctx, f.title.contains("ALPHA")),
        [] as [&str; 0]
    );
    assert_eq!(matching(&mut ctx, f.title.starts_with("Alpha")), ["a"]);
    assert_eq!(matching(&mut ctx, f.title.starts_with("alpha")), ["d"]);
    assert_eq!(matching(&mut ctx, f.title.starts_with("Épée 🗡")), ["e"]);
    assert_eq!(matching(&mut ctx, f.title.contains("🗡")), ["e"]);
    assert_eq!(
        matching(&mut ctx, f.title.starts_with("ray")),
        [] as [&str; 0]
    );
    assert_eq!(matching(&mut ctx, f.title.contains("ray")), ["c"]);
    // The empty needle matches everything.
    let all = ["a", "b", "c", "d", "e", "f"];
    assert_eq!(matching(&mut ctx, f.title.contains("")), all);
    assert_eq!(matching(&mut ctx, f.title.starts_with("")), all);
    // LIKE wildcards are plain characters.
    assert_eq!(matching(&mut ctx, f.title.contains("%")), ["f"]);
    assert_eq!(matching(&mut ctx, f.title.contains("%_")), ["f"]);
    assert_eq!(
        matching(&mut ctx, f.title.starts_with("_")),
        [] as [&str; 0]
    );
    assert_eq!(
        matching(&mut ctx, f.title.starts_with("%")),
        [] as [&str; 0]
    );
    assert_eq!(matching(&mut ctx, f.title.starts_with("50%_")), ["f"]);
    // A longer needle than the text does not match.
    assert_eq!(
        matching(&mut ctx, f.title.starts_with("Beta and more")),
        [] as [&str; 0]
    );
}

#[test]
fn text_filters_see_past_a_nul_character() {
    let container = ModelContainer::in_memory(notes::plan()).expect("create the store");
    let mut ctx = container.context();
    ctx.insert(note("x", "nul\0x")).expect("insert");
    ctx.insert(note("y", "nul\0y")).expect("insert");
    ctx.insert(note("z", "nul")).expect("insert");
    let f = Note::fields();
    assert_eq!(matching(&mut ctx, f.title.eq("nul\0x")), ["x"]);
    assert_eq!(matching(&mut ctx, f.title.contains("\0y")), ["y"]);
    assert_eq!(matching(&mut ctx, f.title.contains("\0")), ["x", "y"]);
    assert_eq!(matching(&mut ctx, f.title.starts_with("nul\0x")), ["x"]);
    assert_eq!(matching(&mut ctx, f.title.starts_with("nul\0")), ["x", "y"]);
    assert_eq!(
        matching(&mut ctx, f.title.starts_with("nul")),
        ["x", "y", "z"]
    );
}

#[test]
fn combined_filters() {
    let (container, _) = seeded();
    let mut ctx = container.context();
    let f = Note::fields();
    assert_eq!(
        matching(&mut ctx, f.priority.eq(3).and(f.done.eq(false))),
        ["a", "c"]
    );
    assert_eq!(
        matching(&mut ctx, f.priority.eq(0).or(f.priority.eq(5))),
        ["d", "e"]
    );
    assert_eq!(
        matching(&mut ctx, f.done.eq(true).not()),
        ["a", "c", "e", "f"]
    );
    // Precedence: a OR (b AND c), not (a OR b) AND c.
    assert_eq!(
        matching(
            &mut ctx,
            f.uid
                .eq("a")
                .or(f.priority.eq(3).and(f.title.starts_with("G")))
        ),
        ["a", "c"]
    );
    assert_eq!(
        matching(
            &mut ctx,
            f.uid
                .eq("a")
                .or(f.priority.eq(3))
                .and(f.title.starts_with("G"))
        ),
        ["c"]
    );
    assert_eq!(
        matching(&mut ctx, f.priority.ge(1).and(f.priority.le(3)).not()),
        ["d", "e"]
    );
    // Calling `filter` twice keeps both conditions.
    let both = ctx
        .fetch(
            FetchDescriptor::new()
                .filter(f.done.eq(false))
                .filter(f.priority.gt(2)),
        )
        .expect("fetch");
    assert_eq!(uids(&both), ["a", "c", "e"]);
}

#[test]
fn a_filter_and_its_negation_split_the_records() {
    // Every record matches exactly one of `p` and `p.not()`, also when the
    // attribute is NULL (SQL's three-valued logic must not leak through).
    let (container, _) = seeded();
    let mut ctx = container.context();
    let f = Note::fields();
    let predicates = [
        f.body.eq(Some("first body".to_owned())),
        f.body.ne(Some("first body".to_owned())),
        f.rating.gt(Some(3.0)),
        f.rating.lt(Some(3.0)),
        f.rating.eq(None),
        f.body.is_not_null(),
        f.title.contains("a"),
        f.rating.gt(Some(0.0)).or(f.body.eq(Some(String::new()))),
        f.rating.gt(Some(0.0)).and(f.priority.eq(3)),
        f.rating.le(Some(4.5)).not(),
    ];
    let all: Vec<String> = ["a", "b", "c", "d", "e", "f"].map(String::from).into();
    for predicate in predicates {
        let shown = format!("{predicate:?}");
        let yes = matching(&mut ctx, predicate.clone());
        let no = matching(&mut ctx, predicate.not());
        let mut union: Vec<String> = yes.iter().chain(&no).cloned().collect();
        union.sort();
        assert_eq!(union, all, "{shown}: {yes:?} + {no:?}");
    }
}

#[test]
fn sort_by_several_keys_in_both_directions() {
    let (container, _) = seeded();
    let mut ctx = container.context();
    let f = Note::fields();
    let by = |ctx: &mut Ctx, descriptor: FetchDescriptor<Note>| -> Vec<String> {
        ctx.fetch(descriptor)
            .expect("fetch")
            .iter()
            .map(|r| r.uid.clone())
            .collect()
    };
    assert_eq!(
        by(&mut ctx, FetchDescriptor::new().sort(f.priority.asc())),
        ["d", "b", "f", "a", "c", "e"]
    );
    assert_eq!(
        by(&mut ctx, FetchDescriptor::new().sort(f.priority.desc())),
        ["e", "a", "c", "f", "b", "d"],
        "ties keep id order"
    );
    assert_eq!(
        by(
            &mut ctx,
            FetchDescriptor::new()
                .sort(f.priority.desc())
                .sort(f.uid.desc())
        ),
        ["e", "c", "a", "f", "b", "d"]
    );
    assert_eq!(
        by(
            &mut ctx,
            FetchDescriptor::new()
                .sort(f.done.asc())
                .sort(f.title.desc())
        ),
        ["e", "c", "a", "f", "d", "b"]
    );
    // NULLs first ascending, last descending.
    assert_eq!(
        by(&mut ctx, FetchDescriptor::new().sort(f.rating.asc())),
        ["b", "e", "d", "c", "a", "f"]
    );
    assert_eq!(
        by(
            &mut ctx,
            FetchDescriptor::new()
                .sort(f.rating.desc())
                .sort(f.uid.desc())
        ),
        ["f", "a", "c", "d", "e", "b"]
    );
    // Text sorts by bytes.
    assert_eq!(
        by(&mut ctx, FetchDescriptor::new().sort(f.title.asc())),
        ["f", "a", "b", "c", "d", "e"]
    );
}

#[test]
fn limit_and_offset() {
    let (container, _) = seeded();
    let mut ctx = container.context();
    let f = Note::fields();
    let by = |ctx: &mut Ctx, descriptor: FetchDescriptor<Note>| -> Vec<String> {
        ctx.fetch(descriptor)
            .expect("fetch")
            .iter()
            .map(|r| r.uid.clone())
            .collect()
    };
    let sorted = || FetchDescriptor::new().sort(f.priority.desc());
    assert_eq!(by(&mut ctx, sorted().limit(2)), ["e", "a"]);
    assert_eq!(by(&mut ctx, sorted().offset(2)), ["c", "f", "b", "d"]);
    assert_eq!(by(&mut ctx, sorted().offset(2).limit(2)), ["c", "f"]);
    assert_eq!(by(&mut ctx, sorted().limit(0)), [] as [&str; 0]);
    assert_eq!(by(&mut ctx, sorted().limit(100)).len(), 6);
    assert_eq!(by(&mut ctx, sorted().offset(6)), [] as [&str; 0]);
    assert_eq!(by(&mut ctx, sorted().limit(u64::MAX)).len(), 6);
    assert_eq!(by(&mut ctx, sorted().offset(u64::MAX)), [] as [&str; 0]);
    assert_eq!(
        by(
            &mut ctx,
            FetchDescriptor::new()
                .filter(f.done.eq(false))
                .limit(2)
                .offset(1)
        ),
        ["c", "e"]
    );
}

#[test]
fn count_and_count_matching() {
    let (container, ids) = seeded();
    let mut ctx = container.context();
    let f = Note::fields();
    assert_eq!(ctx.count::<Note>().expect("count"), 6);
    assert_eq!(ctx.count::<Tag>().expect("count"), 0);
    assert_eq!(
        ctx.count_matching(FetchDescriptor::new().filter(f.done.eq(true)))
            .expect("count_matching"),
        2
    );
    assert_eq!(
        ctx.count_matching(FetchDescriptor::new().filter(f.uid.eq("none")))
            .expect("count_matching"),
        0
    );
    // Sort, limit and offset do not change the count.
    assert_eq!(
        ctx.count_matching(
            FetchDescriptor::new()
                .filter(f.body.is_not_null())
                .sort(f.title.desc())
                .limit(1)
                .offset(3)
        )
        .expect("count_matching"),
        4
    );
    ctx.delete::<Note>(ids[0]).expect("delete");
    assert_eq!(ctx.count::<Note>().expect("count"), 5);
}

#[test]
fn update_writes_every_field_back() {
    let (container, ids) = seeded();
    let mut ctx = container.context();
    let mut record = ctx.get::<Note>(ids[1]).expect("get").expect("present");
    record.title = "Beta, edited ✏️".to_owned();
    record.body = Some("now with a body".to_owned());
    record.priority = -7;
    record.done = false;
    record.rating = Some(0.25);
    ctx.update(&record).expect("update");
    let stored = ctx.get::<Note>(ids[1]).expect("get").expect("present");
    assert_eq!(stored, record);
    // Back to NULL.
    record.body = None;
    record.rating = None;
    ctx.update(&record).expect("update");
    let stored = ctx.get::<Note>(ids[1]).expect("get").expect("present");
    assert_eq!(stored.body, None);
    assert_eq!(stored.rating, None);
    // Other records are untouched.
    let others: Vec<Note> = ctx
        .fetch_all::<Note>()
        .expect("fetch_all")
        .into_iter()
        .filter(|r| r.id() != ids[1])
        .map(Record::into_inner)
        .collect();
    let mut expected = fixture();
    expected.remove(1);
    assert_eq!(others, expected);
    // Updating a record to its own unique value is not a violation.
    ctx.update(&stored).expect("update with the same uid");
}

#[test]
fn update_after_delete_is_not_found() {
    let (container, ids) = seeded();
    let mut ctx = container.context();
    let record = ctx.get::<Note>(ids[2]).expect("get").expect("present");
    ctx.delete::<Note>(ids[2]).expect("delete");
    let error = ctx.update(&record).expect_err("the record is gone");
    match &error {
        Error::NotFound { entity, id } => {
            assert_eq!(entity, "Note");
            assert_eq!(*id, ids[2].raw());
        }
        other => panic!("expected Error::NotFound, got {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        "no `Note` record has id 3; it was deleted or never inserted"
    );
    assert_eq!(
        ctx.count::<Note>().expect("count"),
        5,
        "update inserted nothing"
    );
    // A record built by hand for an id that never existed.
    let phantom = Record::new(PersistentId::from_raw(1000), note("p", "phantom"));
    assert!(matches!(
        ctx.update(&phantom),
        Err(Error::NotFound { ref entity, id: 1000 }) if entity == "Note"
    ));
}

#[test]
fn ids_of_deleted_records_are_not_reused() {
    let (container, ids) = seeded();
    let mut ctx = container.context();
    let last = *ids.last().expect("fixture is not empty");
    let stale = ctx.get::<Note>(last).expect("get").expect("present");
    ctx.delete::<Note>(last).expect("delete");
    let new = ctx.insert(note("new", "new")).expect("insert");
    assert_ne!(new, last, "a deleted record's id was given to a new record");
    // The stale record must not overwrite the new one.
    assert!(matches!(
        ctx.update(&stale),
        Err(Error::NotFound { ref entity, id }) if entity == "Note" && id == last.raw()
    ));
    assert_eq!(
        ctx.get::<Note>(new).expect("get").expect("present").title,
        "new"
    );
}

#[test]
fn delete_removes_one_record_and_missing_ids_are_not_found() {
    let (container, ids) = seeded();
    let mut ctx = container.context();
    ctx.delete::<Note>(ids[3]).expect("delete");
    assert_eq!(ctx.get::<Note>(ids[3]).expect("get"), None);
    assert_eq!(
        uids(&ctx.fetch_all::<Note>().expect("fetch_all")),
        ["a", "b", "c", "e", "f"]
    );
    for missing in [
        ids[3],
        PersistentId::from_raw(0),
        PersistentId::from_raw(-1),
    ] {
        let error = ctx.delete::<Note>(missing).expect_err("nothing to delete");
        match &error {
            Error::NotFound { entity, id } => {
                assert_eq!(entity, "Note");
                assert_eq!(*id, missing.raw());
            }
            other => panic!("expected Error::NotFound, got {other:?}"),
        }
        assert_eq!(
            error.to_string(),
            format!("no `Note` record has id {missing}; it was deleted or never inserted")
        );
    }
    // A Note id does not delete a Tag.
    let tag = ctx
        .insert(Tag {
            name: "t".to_owned(),
        })
        .expect("insert");
    ctx.delete::<Note>(tag).expect("Note 1 exists");
    assert_eq!(ctx.count::<Tag>().expect("count"), 1);
    assert!(matches!(
        ctx.delete::<Tag>(PersistentId::from_raw(2)),
        Err(Error::NotFound { ref entity, id: 2 }) if entity == "Tag"
    ));
    assert_eq!(ctx.count::<Note>().expect("count"), 4);
}

#[test]
fn unique_violation_on_insert_names_entity_and_attribute() {
    let (container, _) = seeded();
    let mut ctx = container.context();
    let error = ctx
        .insert(note("c", "another c"))
        .expect_err("uid `c` is taken");
    match &error {
        Error::UniqueViolation { entity, attribute } => {
            assert_eq!(entity, "Note");
            assert_eq!(attribute, "uid");
        }
        other => panic!("expected Error::UniqueViolation, got {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        "unique constraint failed: another `Note` record already has this `uid`; \
         use a different value, or fetch and update the existing record"
    );
    assert_eq!(ctx.count::<Note>().expect("count"), 6);
    assert_eq!(
        ctx.count_matching(FetchDescriptor::new().filter(Note::fields().uid.eq("c")))
            .expect("count"),
        1
    );
    // The other entity's unique attribute is named too.
    ctx.insert(Tag {
        name: "x".to_owned(),
    })
    .expect("insert");
    match ctx.insert(Tag {
        name: "x".to_owned(),
    }) {
        Err(Error::UniqueViolation { entity, attribute }) => {
            assert_eq!((entity.as_str(), attribute.as_str()), ("Tag", "name"));
        }
        other => panic!("expected Error::UniqueViolation, got {other:?}"),
    }
    // The context is still usable and uniqueness is case-sensitive.
    ctx.insert(note("C", "upper-case C"))
        .expect("`C` is not `c`");
}

#[test]
fn unique_violation_on_update_names_entity_and_attribute() {
    let (container, ids) = seeded();
    let mut ctx = container.context();
    let mut record = ctx.get::<Note>(ids[0]).expect("get").expect("present");
    record.uid = "b".to_owned();
    record.title = "changed".to_owned();
    let error = ctx.update(&record).expect_err("uid `b` is taken");
    match &error {
        Error::UniqueViolation { entity, attribute } => {
            assert_eq!(entity, "Note");
            assert_eq!(attribute, "uid");
        }
        other => panic!("expected Error::UniqueViolation, got {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        "unique constraint failed: another `Note` record already has this `uid`; \
         use a different value, or fetch and update the existing record"
    );
    // Neither record changed.
    let stored = ctx.get::<Note>(ids[0]).expect("get").expect("present");
    assert_eq!(stored.into_inner(), fixture()[0]);
    let other = ctx.get::<Note>(ids[1]).expect("get").expect("present");
    assert_eq!(other.into_inner(), fixture()[1]);
}

#[test]
fn transaction_commits_on_ok() {
    let store = TempStore::new();
    let container = notes::open(store.path());
    let mut ctx = container.context();
    let ids = ctx
        .transaction(|ctx| {
            let a = ctx.insert(note("a", "A"))?;
            let b = ctx.insert(note("b", "B"))?;
            ctx.delete::<Note>(a)?;
            Ok(vec![a, b])
        })
        .expect("the transaction commits");
    assert_eq!(ids.len(), 2);
    assert!(
        ctx.connection().is_autocommit(),
        "no transaction is left open"
    );
    // Another connection sees the committed rows while the container is open.
    let other = store.conn();
    let titles: Vec<String> = other
        .prepare(r#"SELECT "title" FROM "Note" ORDER BY "_id""#)
        .expect("prepare")
        .query_map([], |row| row.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("read");
    assert_eq!(titles, ["B"]);
}

#[test]
fn transaction_rolls_back_on_err() {
    let (container, _) = seeded();
    let mut ctx = container.context();
    let error = ctx
        .transaction(|ctx| -> staged::Result<()> {
            ctx.insert(note("new", "new"))?;
            let mut first = ctx
                .get::<Note>(PersistentId::from_raw(1))?
                .expect("present");
            first.title = "changed".to_owned();
            ctx.update(&first)?;
            ctx.delete::<Note>(PersistentId::from_raw(2))?;
            ctx.connection()
                .execute(r#"DELETE FROM "Note" WHERE "uid" = 'c'"#, [])?;
            Err(Error::hook("changed my mind"))
        })
        .expect_err("the body failed");
    assert!(matches!(error, Error::Hook(_)), "{error:?}");
    assert_eq!(error.to_string(), "changed my mind");
    assert!(
        ctx.connection().is_autocommit(),
        "no transaction is left open"
    );
    let all: Vec<Note> = ctx
        .fetch_all()
        .expect("fetch_all")
        .into_iter()
        .map(Record::into_inner)
        .collect();
    assert_eq!(all, fixture(), "every write of the body was undone");
}

#[test]
fn transaction_rolls_back_when_a_statement_fails() {
    let (container, _) = seeded();
    let mut ctx = container.context();
    let error = ctx
        .transaction(|ctx| {
            ctx.insert(note("g", "fine"))?;
            ctx.insert(note("a", "duplicate"))
        })
        .expect_err("the second insert fails");
    assert!(
        matches!(&error, Error::UniqueViolation { entity, attribute } if entity == "Note" && attribute == "uid"),
        "{error:?}"
    );
    assert_eq!(ctx.count::<Note>().expect("count"), 6);
    assert!(
        ctx.fetch(FetchDescriptor::new().filter(Note::fields().uid.eq("g")))
            .expect("fetch")
            .is_empty()
    );
}

#[test]
fn transaction_rolls_back_on_panic() {
    let (container, _) = seeded();
    let mut ctx = container.context();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        ctx.transaction(|ctx| -> staged::Result<()> {
            ctx.insert(note("new", "new"))?;
            ctx.delete::<Note>(PersistentId::from_raw(1))?;
            panic!("boom");
        })
    }));
    let payload = outcome.expect_err("the body panicked");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    assert!(
        ctx.connection().is_autocommit(),
        "no transaction is left open"
    );
    let all: Vec<Note> = ctx
        .fetch_all()
        .expect("fetch_all")
        .into_iter()
        .map(Record::into_inner)
        .collect();
    assert_eq!(all, fixture());

    // A panic while the raw connection is borrowed (poisoning its lock) is
    // rolled back too, and the context stays usable.
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        ctx.transaction(|ctx| -> staged::Result<()> {
            ctx.insert(note("new", "new"))?;
            let conn = ctx.connection();
            conn.execute(r#"DELETE FROM "Note""#, [])
                .expect("delete all");
            panic!("boom while holding the connection");
        })
    }));
    let payload = outcome.expect_err("the body panicked");
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"boom while holding the connection")
    );
    assert_eq!(ctx.count::<Note>().expect("count"), 6);
    let id = ctx
        .transaction(|ctx| ctx.insert(note("after", "after the panics")))
        .expect("a later transaction works");
    assert_eq!(
        ctx.get::<Note>(id).expect("get").expect("present").title,
        "after the panics"
    );
}

#[test]
fn transactions_nest() {
    let (container, _) = seeded();
    let mut ctx = container.context();
    ctx.transaction(|ctx| {
        ctx.insert(note("outer", "kept"))?;
        let inner = ctx.transaction(|ctx| -> staged::Result<()> {
            ctx.insert(note("inner", "undone"))?;
            Err(Error::hook("inner fails"))
        });
        let error = inner.expect_err("the inner transaction fails");
        assert!(matches!(error, Error::Hook(_)), "{error:?}");
        assert_eq!(error.to_string(), "inner fails");
        ctx.transaction(|ctx| ctx.insert(note("inner2", "kept too")))?;
        Ok(())
    })
    .expect("the outer transaction commits");
    let f = Note::fields();
    let new = ctx
        .fetch(FetchDescriptor::new().filter(f.priority.eq(0).and(f.done.eq(false))))
        .expect("fetch");
    assert_eq!(uids(&new), ["outer", "inner2"]);

    // An inner success is undone by an outer failure.
    let result = ctx.transaction(|ctx| -> staged::Result<()> {
        ctx.transaction(|ctx| ctx.insert(note("doomed", "inner ok")))?;
        Err(Error::hook("outer fails"))
    });
    let error = result.expect_err("the outer transaction fails");
    assert!(matches!(error, Error::Hook(_)), "{error:?}");
    assert_eq!(error.to_string(), "outer fails");
    assert_eq!(
        ctx.count_matching(FetchDescriptor::new().filter(f.uid.eq("doomed")))
            .expect("count"),
        0
    );
    assert_eq!(ctx.count::<Note>().expect("count"), 8);
}

#[test]
fn connection_is_the_raw_escape_hatch() {
    let (container, ids) = seeded();
    let mut ctx = container.context();
    {
        let conn = ctx.connection();
        let n: i64 = conn
            .query_row(r#"SELECT count(*) FROM "Note" WHERE "done""#, [], |row| {
                row.get(0)
            })
            .expect("query");
        assert_eq!(n, 2);
        conn.execute(
            r#"INSERT INTO "Note" ("uid", "title", "done") VALUES ('raw', 'from SQL', 1)"#,
            [],
        )
        .expect("raw insert");
        conn.execute(
            r#"UPDATE "Note" SET "priority" = 42 WHERE "_id" = ?1"#,
            [ids[0].raw()],
        )
        .expect("raw update");
    }
    let raw = ctx
        .fetch(FetchDescriptor::new().filter(Note::fields().uid.eq("raw")))
        .expect("fetch");
    assert_eq!(raw.len(), 1);
    assert_eq!(
        raw[0].clone().into_inner(),
        Note {
            uid: "raw".to_owned(),
            title: "from SQL".to_owned(),
            body: None,
            priority: 0, // the column default
            done: true,
            rating: None,
        }
    );
    assert_eq!(
        ctx.get::<Note>(ids[0])
            .expect("get")
            .expect("present")
            .priority,
        42
    );
    // Raw SQL inside a failed transaction is undone with everything else.
    let error = ctx
        .transaction(|ctx| -> staged::Result<()> {
            ctx.connection().execute(r#"DELETE FROM "Note""#, [])?;
            Err(Error::hook("undo"))
        })
        .expect_err("the body failed");
    assert_eq!(error.to_string(), "undo");
    assert_eq!(ctx.count::<Note>().expect("count"), 7);
    // Errors from raw SQL come back as rusqlite errors.
    let duplicate = ctx.connection().execute(
        r#"INSERT INTO "Note" ("uid", "title", "done") VALUES ('raw', 'again', 0)"#,
        [],
    );
    let error = duplicate.expect_err("`uid` is unique");
    assert_eq!(
        error.sqlite_error_code(),
        Some(staged::rusqlite::ErrorCode::ConstraintViolation)
    );
    assert_eq!(error.to_string(), "UNIQUE constraint failed: Note.uid");
}

#[test]
fn contexts_of_one_container_share_the_store() {
    let (container, _) = seeded();
    let mut first = container.context();
    let mut second = container.context();
    let id = first
        .insert(note("shared", "seen by both"))
        .expect("insert");
    assert_eq!(
        second.get::<Note>(id).expect("get").expect("present").title,
        "seen by both"
    );
    second.delete::<Note>(id).expect("delete");
    assert_eq!(first.get::<Note>(id).expect("get"), None);
}

#[test]
fn data_persists_across_reopening() {
    let store = TempStore::new();
    let (ids, tag) = {
        let container = notes::open(store.path());
        assert_eq!(container.path(), Some(store.path()));
        let mut ctx = container.context();
        let ids: Vec<PersistentId> = fixture()
            .into_iter()
            .map(|n| ctx.insert(n).expect("insert"))
            .collect();
        ctx.delete::<Note>(ids[1]).expect("delete");
        let mut record = ctx.get::<Note>(ids[2]).expect("get").expect("present");
        record.title = "updated before closing".to_owned();
        ctx.update(&record).expect("update");
        let tag = ctx
            .insert(Tag {
                name: "kept".to_owned(),
            })
            .expect("insert");
        (ids, tag)
    };
    let container = notes::open(store.path());
    assert_eq!(container.store_version(), Version::new(1, 0, 0));
    let mut ctx = container.context();
    let all = ctx.fetch_all::<Note>().expect("fetch_all");
    assert_eq!(
        all.iter().map(Record::id).collect::<Vec<_>>(),
        [ids[0], ids[2], ids[3], ids[4], ids[5]]
    );
    let mut expected = fixture();
    expected[2].title = "updated before closing".to_owned();
    expected.remove(1);
    assert_eq!(
        all.into_iter().map(Record::into_inner).collect::<Vec<_>>(),
        expected
    );
    assert_eq!(
        ctx.get::<Tag>(tag).expect("get").expect("present").name,
        "kept"
    );
    // Uniqueness is still enforced after reopening.
    assert!(matches!(
        ctx.insert(note("a", "again")),
        Err(Error::UniqueViolation { .. })
    ));
    // A third open sees writes made after the second.
    ctx.insert(note("z", "third session")).expect("insert");
    drop(ctx);
    drop(container);
    let container = notes::open(store.path());
    assert_eq!(container.context().count::<Note>().expect("count"), 6);
}

#[test]
fn in_memory_containers_are_private_and_at_the_latest_version() {
    let first = ModelContainer::in_memory(notes::plan()).expect("create");
    let second = ModelContainer::in_memory(notes::plan()).expect("create");
    assert_eq!(first.path(), None);
    assert_eq!(first.store_version(), Version::new(1, 0, 0));
    assert_eq!(
        first.store_version(),
        <notes::v1::Schema as VersionedSchema>::VERSION
    );
    let mut a = first.context();
    let mut b = second.context();
    let id = a.insert(note("m", "memory")).expect("insert");
    assert_eq!(a.count::<Note>().expect("count"), 1);
    assert_eq!(b.count::<Note>().expect("count"), 0, "stores are separate");
    assert_eq!(b.get::<Note>(id).expect("get"), None);
    assert_eq!(
        a.get::<Note>(id).expect("get").expect("present").title,
        "memory"
    );
}

#[test]
fn store_version_of_a_file_store() {
    let store = TempStore::new();
    let created = notes::open(store.path());
    assert_eq!(created.store_version(), Version::new(1, 0, 0));
    assert_eq!(created.store_version().to_string(), "1.0.0");
    drop(created);
    let reopened = notes::open(store.path());
    assert_eq!(reopened.store_version(), Version::new(1, 0, 0));
    assert_eq!(reopened.plan().latest_version(), Version::new(1, 0, 0));
}

/// Models with no stored attribute at all.
#[versioned_schema(version = "1.0.0")]
pub mod markers_v1 {
    /// No fields.
    #[model]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct Marker {}

    /// Only a transient field.
    #[model]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct Scratch {
        /// Not stored.
        #[transient]
        pub note: String,
    }
}

#[test]
fn models_without_stored_attributes() {
    let plan = plans::single::<markers_v1::Schema>();
    let container = ModelContainer::in_memory(plan).expect("create");
    let mut ctx = container.context();
    let first = ctx.insert(markers_v1::Marker {}).expect("insert");
    let second = ctx.insert(markers_v1::Marker {}).expect("insert");
    assert_ne!(first, second);
    assert_eq!(ctx.count::<markers_v1::Marker>().expect("count"), 2);
    let record = ctx
        .get::<markers_v1::Marker>(first)
        .expect("get")
        .expect("present");
    ctx.update(&record).expect("update of an existing record");
    ctx.delete::<markers_v1::Marker>(first).expect("delete");
    assert!(matches!(
        ctx.update(&record),
        Err(Error::NotFound { ref entity, id }) if entity == "Marker" && id == first.raw()
    ));
    let scratch = ctx
        .insert(markers_v1::Scratch {
            note: "dropped".to_owned(),
        })
        .expect("insert");
    let stored = ctx
        .get::<markers_v1::Scratch>(scratch)
        .expect("get")
        .expect("present");
    assert_eq!(stored.note, "");
}

/// An entity whose name contains a dot.
#[versioned_schema(version = "1.0.0")]
pub mod dotted_v1 {
    /// Named `app.Item` in the store.
    #[model(name = "app.Item")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Item {
        /// Unique.
        #[attribute(unique)]
        pub code: String,
    }
}

#[test]
fn unique_violation_names_an_entity_whose_name_has_a_dot() {
    let plan = plans::single::<dotted_v1::Schema>();
    let container = ModelContainer::in_memory(plan).expect("create");
    let mut ctx = container.context();
    let item = || dotted_v1::Item {
        code: "x".to_owned(),
    };
    ctx.insert(item()).expect("insert");
    match ctx.insert(item()) {
        Err(Error::UniqueViolation { entity, attribute }) => {
            assert_eq!((entity.as_str(), attribute.as_str()), ("app.Item", "code"));
        }
        other => panic!("expected Error::UniqueViolation, got {other:?}"),
    }
}
