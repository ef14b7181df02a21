//! The old models of a custom stage's `migrate` hook, on real store files:
//! they read the old rows of transformed entities, and a write through them
//! must not land in the new table that has the entity's name.

mod common;

use common::plans;
use common::store::TempStore;
use staged::prelude::*;

/// Notes with a title.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    /// A note.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Note {
        /// Title.
        pub title: String,
    }
}

/// Notes with a word count, made by a transform.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    /// A note with a word count filled by the transform.
    #[model]
    #[derive(Debug, Clone)]
    pub struct Note {
        /// Title, upper-cased by the transform.
        pub title: String,
        /// Words of the title.
        pub words: i64,
    }
}

fn seed(store: &TempStore) -> PersistentId {
    let mut ctx = plans::open_single::<v1::Schema>(store.path()).context();
    ctx.insert(v1::Note {
        title: "two words".into(),
    })
    .unwrap()
}

fn stage() -> staged::CustomStage<v1::Schema, v2::Schema> {
    MigrationStage::custom::<v1::Schema, v2::Schema>().transform(|old: v1::Note| {
        Ok(v2::Note {
            words: old.title.split_whitespace().count() as i64,
            title: old.title.to_uppercase(),
        })
    })
}

fn open(
    store: &TempStore,
    stage: staged::CustomStage<v1::Schema, v2::Schema>,
) -> Result<ModelContainer<v2::Schema>, staged::Error> {
    let plan = plans::two_with_stage::<v1::Schema, v2::Schema>(stage);
    ModelContainer::open(store.path(), plan)
}

#[test]
fn writes_through_the_old_models_are_refused_and_leave_the_store_unchanged() {
    type Write = fn(&mut ModelContext<v1::Schema>, PersistentId) -> staged::Result<()>;
    let writes: [(&str, Write); 4] = [
        ("update", |old, id| {
            let mut note = old.get::<v1::Note>(id)?.expect("the old row");
            note.title = "changed through the old model".into();
            old.update(&note)
        }),
        ("set", |old, id| {
            old.set(
                id,
                v1::Note::fields().title,
                "set through the old model".to_owned(),
            )
        }),
        ("delete", |old, id| old.delete::<v1::Note>(id)),
        ("insert", |old, _| {
            old.insert(v1::Note {
                title: "inserted through the old model".into(),
            })
            .map(|_| ())
        }),
    ];
    for (name, write) in writes {
        let store = TempStore::new();
        let id = seed(&store);
        let before = store.bytes();
        let error = open(
            &store,
            stage().migrate(move |old, _new| {
                // Reads see the old rows.
                assert_eq!(
                    old.get::<v1::Note>(id)?.expect("old row").title,
                    "two words"
                );
                write(old, id)
            }),
        )
        .err()
        .unwrap_or_else(|| panic!("{name} through the old models succeeded"));
        assert_eq!(
            error.to_string(),
            format!(
                "cannot migrate `{}`: `migrate` hook #1 of stage 1.0.0 -> 2.0.0 failed: cannot write `Note` \
                 through the old models of a `migrate` hook: its old rows are read-only there; write the new \
                 records through the hook's new context",
                store.path().display()
            ),
            "{name}"
        );
        assert_eq!(store.bytes(), before, "{name} left the store changed");
    }
}

#[test]
fn the_new_table_keeps_what_the_transform_wrote() {
    let store = TempStore::new();
    let id = seed(&store);
    let container = open(
        &store,
        stage().migrate(move |old, new| {
            let note = old.get::<v1::Note>(id)?.expect("old row");
            let mut fresh = new.get::<v2::Note>(id)?.expect("new row");
            fresh.words += note.title.len() as i64;
            new.update(&fresh)
        }),
    )
    .unwrap();
    let note = container.context().get::<v2::Note>(id).unwrap().unwrap();
    assert_eq!((note.title.as_str(), note.words), ("TWO WORDS", 2 + 9));
}
