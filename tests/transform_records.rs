//! Transforms that read more than their own row: the old record with its
//! id, and other records of the old schema (`transform_record`, and a
//! `#[transform]` taking `Record<…>` and `&OldRecords<…>`); a failing
//! transform names the record it failed on.

mod common;

use common::plans;
use common::sql::{self, i, t};
use common::store::{TempStore, open_fails};
use staged::prelude::*;
use staged::{CustomStage, MigrationError};

#[versioned_schema(version = "1.0.0")]
mod v1 {
    use staged::prelude::*;

    #[model]
    pub struct Folder {
        pub name: String,
    }

    #[model]
    pub struct Note {
        pub title: String,
        pub folder: Ref<Folder>,
    }
}

/// Each note carries its folder's name (say, for a search index), and its
/// rank among the notes of its folder.
#[versioned_schema(version = "2.0.0")]
mod v2 {
    use staged::prelude::*;

    #[model]
    pub struct Folder {
        pub label: String,
    }

    #[model]
    pub struct Note {
        pub title: String,
        pub folder: Ref<Folder>,
        pub folder_name: String,
        pub rank: i64,
    }
}

/// The same, declared in the module with a `#[transform]` that reads the
/// old records.
#[versioned_schema(version = "2.0.0", previous = v1)]
mod v2_module {
    use staged::prelude::*;

    #[model]
    pub struct Folder {
        pub label: String,
    }

    #[model]
    pub struct Note {
        pub title: String,
        pub folder: Ref<Folder>,
        pub folder_name: String,
        pub rank: i64,
    }

    #[transform]
    fn folder(old: super::v1::Folder) -> staged::Result<Folder> {
        Ok(Folder { label: old.name })
    }

    #[transform]
    fn note(
        old: Record<super::v1::Note>,
        old_records: &OldRecords<'_, super::v1::Schema>,
    ) -> staged::Result<Note> {
        let new = super::note_with_folder(old, old_records)?;
        Ok(Note {
            title: new.title,
            folder: new.folder.cast(),
            folder_name: new.folder_name,
            rank: new.rank,
        })
    }
}

fn note_with_folder(
    old: Record<v1::Note>,
    old_records: &staged::OldRecords<'_, v1::Schema>,
) -> staged::Result<v2::Note> {
    let folder = old_records
        .get::<v1::Folder>(old.folder.id())?
        .ok_or("a note without its folder")?;
    // Notes of the same folder with a smaller id come first.
    let before = old_records
        .fetch_all::<v1::Note>()?
        .iter()
        .filter(|n| n.folder.id() == old.folder.id() && n.id() < old.id())
        .count();
    let old = old.into_inner();
    Ok(v2::Note {
        title: old.title,
        folder: old.folder.cast(),
        folder_name: folder.into_inner().name,
        rank: before as i64,
    })
}

fn seed(store: &TempStore) {
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    let work = ctx
        .insert(v1::Folder {
            name: "work".into(),
        })
        .unwrap();
    let home = ctx
        .insert(v1::Folder {
            name: "home".into(),
        })
        .unwrap();
    for (title, folder) in [("plan", work), ("milk", home), ("mail", work)] {
        ctx.insert(v1::Note {
            title: title.into(),
            folder: Ref::new(folder),
        })
        .unwrap();
    }
}

fn expected_notes() -> Vec<Vec<staged::rusqlite::types::Value>> {
    vec![
        vec![i(1), t("plan"), i(1), t("work"), i(0)],
        vec![i(2), t("milk"), i(2), t("home"), i(0)],
        vec![i(3), t("mail"), i(1), t("work"), i(1)],
    ]
}

fn stage() -> CustomStage<v1::Schema, v2::Schema> {
    MigrationStage::custom::<v1::Schema, v2::Schema>()
        .transform(|old: v1::Folder| Ok(v2::Folder { label: old.name }))
        .transform_record(
            |old: Record<v1::Note>, old_records: &staged::OldRecords<'_, v1::Schema>| {
                note_with_folder(old, old_records).map(Some)
            },
        )
}

#[test]
fn a_transform_reads_its_record_id_and_other_old_records() {
    let store = TempStore::new();
    seed(&store);
    // The folders are transformed first: the notes' transform reads their
    // old rows, as they were before the stage.
    let plan = plans::two_with_stage::<v1::Schema, v2::Schema>(stage());
    drop(ModelContainer::open(store.path(), plan).unwrap());
    let conn = store.conn();
    assert_eq!(sql::rows(&conn, "Note"), expected_notes());
    assert_eq!(
        sql::rows(&conn, "Folder"),
        vec![vec![i(1), t("work")], vec![i(2), t("home")]]
    );
}

#[test]
fn a_module_transform_takes_the_record_and_the_old_records() {
    let store = TempStore::new();
    seed(&store);
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2_module::Schema>()
        .build()
        .unwrap();
    drop(ModelContainer::open(store.path(), plan).unwrap());
    assert_eq!(sql::rows(&store.conn(), "Note"), expected_notes());
}

#[test]
fn a_failing_transform_names_its_record_and_changes_nothing() {
    for panics in [false, true] {
        let store = TempStore::new();
        seed(&store);
        let stage = MigrationStage::custom::<v1::Schema, v2::Schema>()
            .transform(|old: v1::Folder| Ok(v2::Folder { label: old.name }))
            .transform_record(
                move |old: Record<v1::Note>, old_records: &staged::OldRecords<'_, v1::Schema>| {
                    if old.title == "mail" {
                        if panics {
                            panic!("cannot file {}", old.title);
                        }
                        return Err(staged::Error::hook("cannot file mail"));
                    }
                    note_with_folder(old, old_records).map(Some)
                },
            );
        let plan = plans::two_with_stage::<v1::Schema, v2::Schema>(stage);
        let error = open_fails(&store, plan);
        let Some(MigrationError::HookFailed { hook, record, .. }) = error.as_migration() else {
            panic!("expected HookFailed, got {error:?}");
        };
        assert_eq!((hook.as_str(), *record), ("transform of `Note`", Some(3)));
        let message = error.to_string();
        assert!(
            message.contains(
                "transform of `Note` of stage 1.0.0 -> 2.0.0 failed on the record with id 3: "
            ),
            "{message}"
        );
        assert!(message.contains("cannot file mail"), "{message}");
    }
}
