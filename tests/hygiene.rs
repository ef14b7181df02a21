//! The code `#[versioned_schema]` generates names everything by absolute
//! path: user code that shadows `Option`, `Result`, `Some`, `None`, `Ok`,
//! `Err`, `core`, `std`, `Vec`, `String`, `Box`, `Default` and the primitive
//! types it names, next to the schema modules and inside them, still compiles
//! and works.
//!
//! The user's own code here spells the real items by absolute path too.

#![allow(dead_code, non_camel_case_types)]

use staged::prelude::*;

// Shadows next to the schema modules. `v1` sees them through `use super::*`.
struct Option;
struct Result;
struct Some;
struct None;
struct Ok;
struct Err;
struct Vec;
struct String;
struct Box;
trait Default {}
mod core {}
mod std {}
struct usize;
struct i64;

/// A json attribute's type, declared where nothing is shadowed.
mod shapes {
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub enum Shape {
        Circle(f64),
        Square { side: f64 },
    }
}

/// Every kind of field and relationship, under shadows imported by a glob.
#[versioned_schema(version = "1.0.0")]
mod v1 {
    use super::*;
    use staged::prelude::{Ref, ToMany};

    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        #[attribute(unique)]
        pub uid: ::std::string::String,
        #[attribute(index, default = "untitled")]
        pub title: ::std::string::String,
        pub body: ::core::option::Option<::std::string::String>,
        pub bytes: ::std::vec::Vec<u8>,
        pub stars: ::core::option::Option<u8>,
        #[attribute(default = 1.5)]
        pub weight: f64,
        #[attribute(json)]
        pub shape: shapes::Shape,
        #[attribute(json)]
        pub shapes: ::core::option::Option<::std::vec::Vec<shapes::Shape>>,
        #[transient]
        pub cache: ::std::vec::Vec<::std::string::String>,
        #[relationship(inverse = "notes")]
        pub folder: Ref<Folder>,
        pub pinned_in: ::core::option::Option<Ref<Folder>>,
        #[relationship(inverse = "notes")]
        pub tags: ToMany<Tag>,
    }

    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Folder {
        pub name: ::std::string::String,
        #[relationship(inverse = "folder", delete_rule = "cascade")]
        pub notes: ToMany<Note>,
    }

    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Tag {
        pub label: ::std::string::String,
        #[relationship(inverse = "tags")]
        pub notes: ToMany<Note>,
    }
}

/// A custom stage from `v1`, under shadows declared in the module itself.
#[versioned_schema(version = "2.0.0", previous = v1, removed(Tag))]
mod v2 {
    use staged::prelude::{ModelContext, Ref, ToMany};

    pub struct Option;
    pub struct Result;
    pub struct Some;
    pub struct None;
    pub struct Ok;
    pub struct Err;
    pub struct Vec;
    pub struct String;
    pub struct Box;
    // `Default` in the type and the macro namespaces: `#[derive(Default)]`
    // here would derive `Serialize`.
    #[allow(unused_imports)]
    pub use ::serde::Serialize as Default;
    pub mod core {}
    pub mod std {}

    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Note {
        #[attribute(unique)]
        pub uid: ::std::string::String,
        #[attribute(original_name = "title")]
        pub heading: ::std::string::String,
        #[attribute(default = 0)]
        pub words: i64,
        #[transient]
        pub cache: ::std::vec::Vec<::std::string::String>,
        pub folder: Ref<Folder>,
    }

    #[model]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Folder {
        pub name: ::std::string::String,
        #[relationship(inverse = "folder")]
        pub notes: ToMany<Note>,
    }

    #[will_migrate]
    fn prepare(_: &mut ModelContext<super::v1::Schema>) -> staged::Result<()> {
        ::core::result::Result::Ok(())
    }

    #[transform]
    fn note(old: super::v1::Note) -> staged::Result<::core::option::Option<Note>> {
        let words = old.title.split_whitespace().count();
        ::core::result::Result::Ok(::core::option::Option::Some(Note {
            uid: old.uid,
            heading: old.title,
            words: i64::try_from(words).map_err(staged::Error::hook)?,
            cache: ::std::vec::Vec::new(),
            folder: Ref::new(old.folder.id()),
        }))
    }

    #[migrate]
    fn both(
        _: &mut ModelContext<super::v1::Schema>,
        _: &mut ModelContext<Schema>,
    ) -> staged::Result<()> {
        ::core::result::Result::Ok(())
    }

    #[did_migrate]
    fn check(ctx: &mut ModelContext<Schema>) -> staged::Result<()> {
        ::core::assert_eq!(ctx.count::<Folder>()?, 1);
        ::core::result::Result::Ok(())
    }
}

/// What `Schema` derives, whatever `Default` names where it is declared.
fn derives<S>()
where
    S: ::core::fmt::Debug
        + ::core::clone::Clone
        + ::core::marker::Copy
        + ::core::default::Default
        + ::core::cmp::PartialEq
        + ::core::cmp::Eq
        + ::core::hash::Hash,
{
}

#[test]
fn schemas_derive_the_real_traits() {
    derives::<v1::Schema>();
    derives::<v2::Schema>();
    let _: v2::NoteFields = ::core::clone::Clone::clone(&v2::Note::fields());
}

fn plan_v1() -> SchemaMigrationPlan<v1::Schema> {
    SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()
        .expect("plan")
}

fn seed(ctx: &mut ModelContext<v1::Schema>) -> v1::Note {
    let folder = ctx
        .insert(v1::Folder {
            name: "inbox".into(),
            notes: ToMany::new(),
        })
        .expect("insert folder");
    let note = v1::Note {
        uid: "a".into(),
        title: "hello shadowed world".into(),
        body: ::core::option::Option::Some("body".into()),
        bytes: ::std::vec![1, 2, 3],
        stars: ::core::option::Option::None,
        weight: 2.5,
        shape: shapes::Shape::Square { side: 2.0 },
        shapes: ::core::option::Option::Some(::std::vec![shapes::Shape::Circle(1.0)]),
        cache: ::std::vec::Vec::new(),
        folder: Ref::new(folder),
        pinned_in: ::core::option::Option::Some(Ref::new(folder)),
        tags: ToMany::new(),
    };
    let id = ctx.insert(note.clone()).expect("insert note");
    let tag = ctx
        .insert(v1::Tag {
            label: "greeting".into(),
            notes: ToMany::new(),
        })
        .expect("insert tag");
    let stored = ctx.get::<v1::Note>(id).expect("get").expect("the note");
    ctx.add_related(&stored.tags, tag).expect("link");
    note
}

#[test]
fn shadowed_names_round_trip_in_memory() {
    let container = ModelContainer::in_memory(plan_v1()).expect("open");
    let mut ctx = container.context();
    let note = seed(&mut ctx);
    let notes = ctx.fetch_all::<v1::Note>().expect("fetch");
    ::core::assert_eq!(notes.len(), 1);
    let fetched = &notes[0];
    ::core::assert_eq!(fetched.uid, note.uid);
    ::core::assert_eq!(fetched.title, note.title);
    ::core::assert_eq!(fetched.body, note.body);
    ::core::assert_eq!(fetched.bytes, note.bytes);
    ::core::assert_eq!(fetched.stars, note.stars);
    ::core::assert_eq!(fetched.weight, note.weight);
    ::core::assert_eq!(fetched.shape, note.shape);
    ::core::assert_eq!(fetched.shapes, note.shapes);
    ::core::assert_eq!(fetched.folder, note.folder);
    ::core::assert_eq!(fetched.pinned_in, note.pinned_in);
    let tags = ctx.related(&fetched.tags).expect("tags");
    ::core::assert_eq!(tags.len(), 1);
    ::core::assert_eq!(tags[0].label, "greeting");
    let folder = ctx.follow(fetched.folder).expect("follow").expect("folder");
    ::core::assert_eq!(ctx.related(&folder.notes).expect("notes").len(), 1);
    let found = ctx
        .fetch(FetchDescriptor::new().filter(v1::Note::fields().title.eq("hello shadowed world")))
        .expect("fetch by title");
    ::core::assert_eq!(found.len(), 1);
}

#[test]
fn shadowed_names_migrate_through_the_generated_stage() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("hygiene.sqlite");
    {
        let container = ModelContainer::open(&path, plan_v1()).expect("open v1");
        let _ = seed(&mut container.context());
    }
    let stage = v2::stage();
    ::core::assert!(stage.is_custom());
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .stage(stage)
        .build()
        .expect("plan");
    let container = ModelContainer::open(&path, plan).expect("migrate");
    let mut ctx = container.context();
    let notes = ctx.fetch_all::<v2::Note>().expect("fetch");
    ::core::assert_eq!(notes.len(), 1);
    ::core::assert_eq!(notes[0].heading, "hello shadowed world");
    ::core::assert_eq!(notes[0].words, 3);
    ::core::assert!(notes[0].cache.is_empty());
    let folder = ctx
        .follow(notes[0].folder)
        .expect("follow")
        .expect("folder");
    ::core::assert_eq!(folder.name, "inbox");

    let fresh = ModelContainer::in_memory(
        SchemaMigrationPlan::builder()
            .schema::<v2::Schema>()
            .build()
            .expect("plan"),
    )
    .expect("open v2");
    let mut ctx = fresh.context();
    let folder = ctx
        .insert(v2::Folder {
            name: "work".into(),
            notes: ToMany::new(),
        })
        .expect("insert folder");
    let id = ctx
        .insert(v2::Note {
            uid: "b".into(),
            heading: "standup".into(),
            words: 1,
            cache: ::std::vec!["not stored".into()],
            folder: Ref::new(folder),
        })
        .expect("insert note");
    let note = ctx.get::<v2::Note>(id).expect("get").expect("the note");
    ::core::assert_eq!(note.heading, "standup");
    ::core::assert!(
        note.cache.is_empty(),
        "transient fields load as their default"
    );
}
