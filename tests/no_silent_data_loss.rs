//! No silent data loss: every removal is written down (`removed(…)`), a
//! forgotten rename fails `build()` proposing `original_name` (never a
//! default), a schema module's hooks always run, a version may change only
//! data (`hash_modifier`), and `build()` lists every problem at once. Each
//! case runs on a real store file with rows, before and after.

mod common;

use common::plans;
use common::store::{TempStore, open_fails};
use staged::prelude::*;
use staged::{Checksum, MigrationError, MigrationStage, PlanError};

/// The `PlanError` of a plan that must not build.
fn plan_error<S: VersionedSchema>(plan: staged::Result<SchemaMigrationPlan<S>>) -> PlanError {
    match plan {
        Ok(_) => panic!("the plan must not build"),
        Err(error) => error
            .as_plan()
            .unwrap_or_else(|| panic!("a plan error, got {error}"))
            .clone(),
    }
}

fn two<A: VersionedSchema, B: VersionedSchema>() -> staged::Result<SchemaMigrationPlan<B>> {
    SchemaMigrationPlan::builder()
        .schema::<A>()
        .schema::<B>()
        .build()
}

/// The one `UndeclaredRemovals` of an error, as its removals' fixes.
fn removal_fixes(error: &PlanError) -> Vec<String> {
    let removals: Vec<_> = error
        .problems()
        .iter()
        .filter_map(|p| match p {
            PlanError::UndeclaredRemovals { removals, .. } => Some(removals.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert!(!removals.is_empty(), "undeclared removals: {error}");
    removals.into_iter().map(|r| r.fix).collect()
}

// ---------------------------------------------------------------------------
// An entity renamed without `original_name`: Tag -> Label, 2 rows.
// ---------------------------------------------------------------------------

#[versioned_schema(version = "1.0.0")]
mod tags_v1 {
    #[model]
    pub struct Tag {
        pub label: String,
        pub color: Option<String>,
    }
}

#[versioned_schema(version = "2.0.0")]
mod tags_v2_forgotten {
    #[model]
    pub struct Label {
        pub label: String,
        pub color: Option<String>,
    }
}

#[versioned_schema(version = "2.0.0")]
mod tags_v2_renamed {
    #[model(original_name = "Tag")]
    pub struct Label {
        pub label: String,
        pub color: Option<String>,
    }
}

#[versioned_schema(version = "2.0.0", removed(Tag))]
mod tags_v2_deleted {
    #[model]
    pub struct Label {
        pub label: String,
        pub color: Option<String>,
    }
}

fn seed_tags(store: &TempStore) {
    let container = plans::open_single::<tags_v1::Schema>(store.path());
    let mut ctx = container.context();
    ctx.insert(tags_v1::Tag {
        label: "home".into(),
        color: Some("red".into()),
    })
    .unwrap();
    ctx.insert(tags_v1::Tag {
        label: "work".into(),
        color: None,
    })
    .unwrap();
}

#[test]
fn an_entity_renamed_without_original_name_fails_build_proposing_it() {
    let store = TempStore::new();
    seed_tags(&store);
    let error = plan_error(two::<tags_v1::Schema, tags_v2_forgotten::Schema>());
    assert!(
        matches!(&error, PlanError::UndeclaredRemovals { removals, .. } if removals.len() == 1),
        "{error}"
    );
    let message = error.to_string();
    assert!(
        message.contains("schema 2.0.0 deletes data of schema 1.0.0 that no `removed(…)` names"),
        "{message}"
    );
    assert!(
        message.contains("remove entity `Tag`")
            && message.contains("add `#[model(original_name = \"Tag\")]` to `Label`"),
        "{message}"
    );
    assert!(!message.contains("default"), "{message}");

    // The fix keeps both rows and their values.
    let plan = plans::two::<tags_v1::Schema, tags_v2_renamed::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    let labels: Vec<(String, Option<String>)> = ctx
        .fetch_all::<tags_v2_renamed::Label>()
        .unwrap()
        .into_iter()
        .map(|r| (r.label.clone(), r.color.clone()))
        .collect();
    assert_eq!(
        labels,
        [
            ("home".to_owned(), Some("red".to_owned())),
            ("work".to_owned(), None)
        ]
    );
}

#[test]
fn an_entity_named_in_removed_is_deleted_on_purpose() {
    let store = TempStore::new();
    seed_tags(&store);
    let plan = plans::two::<tags_v1::Schema, tags_v2_deleted::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    assert_eq!(ctx.count::<tags_v2_deleted::Label>().unwrap(), 0);
    let tables = common::sql::user_tables(&store.conn());
    assert!(!tables.iter().any(|t| t == "Tag"), "{tables:?}");
}

// ---------------------------------------------------------------------------
// An optional attribute renamed without `original_name`: color -> colour.
// ---------------------------------------------------------------------------

#[versioned_schema(version = "2.0.0")]
mod colour_forgotten {
    #[model]
    pub struct Tag {
        pub label: String,
        pub colour: Option<String>,
    }
}

#[versioned_schema(version = "2.0.0")]
mod colour_renamed {
    #[model]
    pub struct Tag {
        pub label: String,
        #[attribute(original_name = "color")]
        pub colour: Option<String>,
    }
}

#[test]
fn an_optional_attribute_renamed_without_original_name_fails_build_proposing_it() {
    let store = TempStore::new();
    seed_tags(&store);
    let error = plan_error(two::<tags_v1::Schema, colour_forgotten::Schema>());
    assert_eq!(
        removal_fixes(&error),
        [
            "if it was renamed, add `#[attribute(original_name = \"color\")]` to `Tag.colour` (its values are kept)"
        ]
    );

    let plan = plans::two::<tags_v1::Schema, colour_renamed::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    let colours: Vec<Option<String>> = ctx
        .fetch_all::<colour_renamed::Tag>()
        .unwrap()
        .into_iter()
        .map(|r| r.colour.clone())
        .collect();
    assert_eq!(colours, [Some("red".to_owned()), None]);
}

// ---------------------------------------------------------------------------
// A required attribute renamed without `original_name`: body -> content.
// The old fix ("add a default") replaced every body with the default.
// ---------------------------------------------------------------------------

#[versioned_schema(version = "1.0.0")]
mod notes_v1 {
    #[model]
    pub struct Note {
        pub title: String,
        pub body: String,
    }

    #[model]
    pub struct Folder {
        pub name: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod notes_v2_forgotten {
    #[model]
    pub struct Note {
        pub title: String,
        pub content: String,
    }

    #[model]
    pub struct Notebook {
        pub name: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod notes_v2_fixed {
    #[model]
    pub struct Note {
        pub title: String,
        #[attribute(original_name = "body")]
        pub content: String,
    }

    #[model(original_name = "Folder")]
    pub struct Notebook {
        pub name: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod notes_v2_deleted_body {
    #[model(removed(body))]
    pub struct Note {
        pub title: String,
    }

    #[model(original_name = "Folder")]
    pub struct Notebook {
        pub name: String,
    }
}

fn seed_notes(store: &TempStore) {
    let container = plans::open_single::<notes_v1::Schema>(store.path());
    let mut ctx = container.context();
    for (title, body) in [("a", "first body"), ("b", "second body")] {
        ctx.insert(notes_v1::Note {
            title: title.into(),
            body: body.into(),
        })
        .unwrap();
    }
    ctx.insert(notes_v1::Folder {
        name: "inbox".into(),
    })
    .unwrap();
}

#[test]
fn forgotten_renames_fail_build_with_original_name_never_a_default_or_a_transform() {
    let store = TempStore::new();
    seed_notes(&store);
    let error = plan_error(two::<notes_v1::Schema, notes_v2_forgotten::Schema>());
    // One error: the two removals, each with its rename; the new required
    // attribute is not reported on its own with "add a default".
    assert!(
        matches!(&error, PlanError::UndeclaredRemovals { removals, .. } if removals.len() == 2),
        "{error}"
    );
    assert_eq!(
        removal_fixes(&error),
        [
            "if it was renamed, add `#[model(original_name = \"Folder\")]` to `Notebook` (its rows are kept)",
            "if it was renamed, add `#[attribute(original_name = \"body\")]` to `Note.content` (its values are kept)",
        ]
    );
    let message = error.to_string();
    assert!(!message.contains("default"), "{message}");
    assert!(!message.contains("transform"), "{message}");

    let plan = plans::two::<notes_v1::Schema, notes_v2_fixed::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    let contents: Vec<String> = ctx
        .fetch_all::<notes_v2_fixed::Note>()
        .unwrap()
        .into_iter()
        .map(|r| r.content.clone())
        .collect();
    assert_eq!(contents, ["first body", "second body"]);
    assert_eq!(ctx.count::<notes_v2_fixed::Notebook>().unwrap(), 1);
}

#[test]
fn an_attribute_named_in_removed_is_deleted_on_purpose() {
    let store = TempStore::new();
    seed_notes(&store);
    let plan = plans::two::<notes_v1::Schema, notes_v2_deleted_body::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    let titles: Vec<String> = ctx
        .fetch_all::<notes_v2_deleted_body::Note>()
        .unwrap()
        .into_iter()
        .map(|r| r.title.clone())
        .collect();
    assert_eq!(titles, ["a", "b"]);
}

#[versioned_schema(version = "2.0.0", removed(Tags))]
mod unknown_removed {
    #[model(removed(bdy))]
    pub struct Note {
        pub title: String,
    }

    #[model(original_name = "Folder")]
    pub struct Notebook {
        pub name: String,
    }
}

#[test]
fn a_removed_name_that_the_previous_version_does_not_have_fails_build() {
    let error = plan_error(two::<notes_v1::Schema, unknown_removed::Schema>());
    let problems = error.problems();
    assert!(problems.contains(&PlanError::UnknownRemoved {
        from: Version::new(1, 0, 0),
        to: Version::new(2, 0, 0),
        entity: None,
        name: "Tags".into(),
    }));
    assert!(problems.contains(&PlanError::UnknownRemoved {
        from: Version::new(1, 0, 0),
        to: Version::new(2, 0, 0),
        entity: Some("Note".into()),
        name: "bdy".into(),
    }));
    let message = error.to_string();
    assert!(
        message.contains("schema 2.0.0: `removed(bdy)` on `Note` names nothing of schema 1.0.0"),
        "{message}"
    );
    // `body` itself is still removed without consent.
    assert!(
        message.contains("remove attribute `Note.body`"),
        "{message}"
    );
}

#[test]
fn removals_in_an_entity_a_custom_stage_transforms_need_no_consent() {
    fn note(old: notes_v1::Note) -> staged::Result<notes_v2_forgotten::Note> {
        Ok(notes_v2_forgotten::Note {
            title: old.title,
            content: old.body.to_uppercase(),
        })
    }
    let store = TempStore::new();
    seed_notes(&store);
    // `Folder` is not transformed: its removal still needs consent.
    let error = plan_error(
        SchemaMigrationPlan::builder()
            .schema::<notes_v1::Schema>()
            .schema::<notes_v2_forgotten::Schema>()
            .stage(
                MigrationStage::custom::<notes_v1::Schema, notes_v2_forgotten::Schema>()
                    .transform(note),
            )
            .build(),
    );
    assert_eq!(
        removal_fixes(&error),
        [
            "if it was renamed, add `#[model(original_name = \"Folder\")]` to `Notebook` (its rows are kept)"
        ]
    );
}

// ---------------------------------------------------------------------------
// A schema module's hooks are never skipped.
// ---------------------------------------------------------------------------

#[versioned_schema(version = "1.0.0")]
mod styled_v1 {
    #[model]
    pub struct Reminder {
        pub title: String,
        #[attribute(json)]
        pub style: Vec<String>,
    }
}

#[versioned_schema(version = "2.0.0", previous = styled_v1)]
mod styled_v2 {
    #[model(removed(style))]
    pub struct Reminder {
        pub title: String,
        pub first_style: Option<String>,
    }

    #[transform]
    fn reminder(old: super::styled_v1::Reminder) -> staged::Result<Reminder> {
        Ok(Reminder {
            title: old.title,
            first_style: old.style.into_iter().next(),
        })
    }
}

fn seed_reminders(store: &TempStore) {
    let container = plans::open_single::<styled_v1::Schema>(store.path());
    let mut ctx = container.context();
    ctx.insert(styled_v1::Reminder {
        title: "gym".into(),
        style: vec!["bold".into(), "red".into()],
    })
    .unwrap();
    ctx.insert(styled_v1::Reminder {
        title: "taxes".into(),
        style: Vec::new(),
    })
    .unwrap();
}

fn first_styles(ctx: &mut ModelContext<styled_v2::Schema>) -> Vec<Option<String>> {
    ctx.fetch_all::<styled_v2::Reminder>()
        .unwrap()
        .into_iter()
        .map(|r| r.first_style.clone())
        .collect()
}

#[test]
fn a_module_stage_runs_when_the_plan_does_not_name_it() {
    let store = TempStore::new();
    seed_reminders(&store);
    let plan = two::<styled_v1::Schema, styled_v2::Schema>().unwrap();
    assert!(
        plan.migration_path(Version::new(1, 0, 0))
            .unwrap()
            .to_string()
            .contains("custom")
    );
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    assert_eq!(first_styles(&mut ctx), [Some("bold".to_owned()), None]);
}

#[test]
fn a_module_stage_named_by_the_plan_runs_once() {
    let store = TempStore::new();
    seed_reminders(&store);
    let plan = plans::two_with_stage::<styled_v1::Schema, styled_v2::Schema>(styled_v2::stage());
    assert_eq!(plan.stages().len(), 1);
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    assert_eq!(first_styles(&mut ctx), [Some("bold".to_owned()), None]);
}

#[test]
fn another_stage_for_the_gap_of_a_module_with_hooks_fails_build() {
    let error = plan_error(
        SchemaMigrationPlan::builder()
            .schema::<styled_v1::Schema>()
            .schema::<styled_v2::Schema>()
            .stage(
                MigrationStage::custom::<styled_v1::Schema, styled_v2::Schema>().transform(
                    |old: styled_v1::Reminder| {
                        Ok(styled_v2::Reminder {
                            title: old.title,
                            first_style: None,
                        })
                    },
                ),
            )
            .build(),
    );
    assert_eq!(
        error,
        PlanError::ModuleStageReplaced {
            from: Version::new(1, 0, 0),
            to: Version::new(2, 0, 0),
            stage: "styled_v2::stage()".into(),
        }
    );
    assert!(
        error
            .to_string()
            .contains("add `.stage(styled_v2::stage())` in its place")
    );
}

// ---------------------------------------------------------------------------
// A version that changes only data: `hash_modifier`.
// ---------------------------------------------------------------------------

#[versioned_schema(version = "1.0.0")]
mod counts_v1 {
    #[model]
    pub struct Counter {
        pub name: String,
        pub count: i64,
    }
}

#[versioned_schema(version = "1.1.0")]
mod counts_same {
    #[model]
    pub struct Counter {
        pub name: String,
        pub count: i64,
    }
}

#[versioned_schema(version = "1.1.0", hash_modifier = "recount")]
mod counts_recount {
    #[model]
    pub struct Counter {
        pub name: String,
        pub count: i64,
    }
}

fn recount(old: counts_v1::Counter) -> staged::Result<counts_recount::Counter> {
    Ok(counts_recount::Counter {
        name: old.name,
        count: old.count * 10,
    })
}

fn recount_plan() -> SchemaMigrationPlan<counts_recount::Schema> {
    plans::two_with_stage::<counts_v1::Schema, counts_recount::Schema>(
        MigrationStage::custom::<counts_v1::Schema, counts_recount::Schema>().transform(recount),
    )
}

#[test]
fn a_data_only_version_with_a_hash_modifier_runs_its_custom_stage() {
    // Without a modifier the two versions cannot be told apart.
    let error = plan_error(two::<counts_v1::Schema, counts_same::Schema>());
    assert!(
        matches!(error, PlanError::DuplicateChecksum { .. }),
        "{error}"
    );
    assert_ne!(
        counts_v1::Schema::checksum(),
        counts_recount::Schema::checksum()
    );
    assert_eq!(
        counts_v1::Schema::checksum(),
        counts_same::Schema::checksum(),
        "a schema without a modifier keeps its checksum"
    );

    let store = TempStore::new();
    {
        let container = plans::open_single::<counts_v1::Schema>(store.path());
        let mut ctx = container.context();
        ctx.insert(counts_v1::Counter {
            name: "a".into(),
            count: 3,
        })
        .unwrap();
    }
    for _ in 0..2 {
        // Opened twice: the rewrite runs once.
        let container = ModelContainer::open(store.path(), recount_plan()).unwrap();
        let mut ctx = container.context();
        let counts: Vec<i64> = ctx
            .fetch_all::<counts_recount::Counter>()
            .unwrap()
            .into_iter()
            .map(|r| r.count)
            .collect();
        assert_eq!(counts, [30]);
    }
}

// ---------------------------------------------------------------------------
// `build()` reports every problem at once; messages that said the wrong thing.
// ---------------------------------------------------------------------------

#[versioned_schema(version = "2.0.0")]
mod three_problems {
    #[model]
    pub struct Note {
        pub title: i64,
        pub body: String,
        pub words: i64,
    }

    #[model]
    pub struct Folder {
        pub name: String,
        pub rank: i64,
    }
}

#[test]
fn build_lists_every_problem_each_with_its_fix() {
    let error = plan_error(two::<notes_v1::Schema, three_problems::Schema>());
    let PlanError::Problems(problems) = &error else {
        panic!("several problems: {error}");
    };
    assert_eq!(problems.len(), 3, "{error}");
    assert!(
        problems
            .iter()
            .all(|p| matches!(p, PlanError::NotInferable { fix, .. } if !fix.is_empty()))
    );
    let message = error.to_string();
    assert!(message.starts_with("the plan has 3 problems:"), "{message}");
    for change in [
        "change type of `Note.title` from `text` to `i64`",
        "add required attribute `Note.words`",
        "add required attribute `Folder.rank`",
    ] {
        assert!(message.contains(change), "{change}: {message}");
    }
}

#[versioned_schema(version = "2.0.0")]
mod folders_ranked {
    #[model]
    pub struct Note {
        pub title: String,
        pub body: String,
    }

    #[model]
    pub struct Folder {
        pub name: String,
        pub rank: i64,
    }
}

#[test]
fn a_custom_stage_with_only_a_will_migrate_hook_is_told_it_needs_a_transform() {
    fn noop(_: &mut ModelContext<notes_v1::Schema>) -> staged::Result<()> {
        Ok(())
    }
    let error = plan_error(
        SchemaMigrationPlan::builder()
            .schema::<notes_v1::Schema>()
            .schema::<folders_ranked::Schema>()
            .stage(
                MigrationStage::custom::<notes_v1::Schema, folders_ranked::Schema>()
                    .will_migrate(noop),
            )
            .build(),
    );
    let message = error.to_string();
    assert!(
        message.contains("give this custom stage a `transform` for `Folder` that sets it"),
        "{message}"
    );
    assert!(!message.contains("or use a custom stage"), "{message}");
}

#[versioned_schema(version = "1.0.0")]
mod defaults_v1 {
    #[model]
    pub struct Item {
        #[attribute(default = 0)]
        pub count: i64,
    }
}

#[versioned_schema(version = "2.0.0")]
mod defaults_v2 {
    #[model]
    pub struct Item {
        pub count: i64,
    }
}

#[test]
fn removing_a_default_says_existing_values_are_kept() {
    let store = TempStore::new();
    {
        let container = plans::open_single::<defaults_v1::Schema>(store.path());
        container
            .context()
            .insert(defaults_v1::Item { count: 7 })
            .unwrap();
    }
    let plan = plans::two::<defaults_v1::Schema, defaults_v2::Schema>();
    let changes: Vec<String> = plan
        .changes_after(Version::new(1, 0, 0))
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        changes,
        ["remove the default 0 of `Item.count` (existing values are kept)"]
    );
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let counts: Vec<i64> = container
        .context()
        .fetch_all::<defaults_v2::Item>()
        .unwrap()
        .into_iter()
        .map(|r| r.count)
        .collect();
    assert_eq!(counts, [7]);
}

#[versioned_schema(version = "2.0.0")]
mod counts_v2 {
    #[model]
    pub struct Counter {
        pub name: String,
        pub count: i64,
        pub note: Option<String>,
    }
}

#[test]
fn a_store_whose_version_left_the_plan_is_not_called_edited() {
    let store = TempStore::new();
    {
        let container = plans::open_single::<counts_same::Schema>(store.path());
        container
            .context()
            .insert(counts_same::Counter {
                name: "a".into(),
                count: 1,
            })
            .unwrap();
    }
    // 1.1.0 lies between the plan's 1.0.0 and 2.0.0, and the plan lost it.
    let error = open_fails(&store, plans::two::<counts_v1::Schema, counts_v2::Schema>());
    assert!(
        matches!(
            error.as_migration(),
            Some(MigrationError::VersionNotInPlan { version, .. }) if *version == Version::new(1, 1, 0)
        ),
        "{error}"
    );
    let message = error.to_string();
    assert!(
        message.contains("which is not in the plan; add the schema of version 1.1.0"),
        "{message}"
    );
    assert!(!message.contains("edited"), "{message}");
}

#[test]
fn a_store_older_than_the_plan_is_too_old_not_edited() {
    let store = TempStore::new();
    seed_notes(&store);
    let error = open_fails(&store, plans::single::<notes_v2_fixed::Schema>());
    assert!(
        matches!(
            error.as_migration(),
            Some(MigrationError::StoreTooOld { store_version, oldest_supported, .. })
                if *store_version == Version::new(1, 0, 0) && *oldest_supported == Version::new(2, 0, 0)
        ),
        "{error}"
    );
    assert!(!error.to_string().contains("edited"), "{error}");
}

#[test]
fn consents_are_not_part_of_the_checksum() {
    use staged::schema::{AttributeDescriptor, AttributeType, EntityDescriptor, SchemaDescriptor};
    let plain = || {
        SchemaDescriptor::from_entities(
            Version::new(2, 0, 0),
            vec![EntityDescriptor::from_parts(
                "Note",
                None,
                vec![AttributeDescriptor::named("title", AttributeType::Text)],
            )],
        )
    };
    let with_consents = SchemaDescriptor::from_entities(
        Version::new(2, 0, 0),
        vec![
            EntityDescriptor::from_parts(
                "Note",
                None,
                vec![AttributeDescriptor::named("title", AttributeType::Text)],
            )
            .with_removed(vec!["body".into()]),
        ],
    )
    .with_removed(vec!["Tag".into()]);
    assert_eq!(plain().checksum(), with_consents.checksum());
    assert_ne!(
        plain().checksum(),
        plain().with_hash_modifier("recount").checksum()
    );
    assert_eq!(
        notes_v2_deleted_body::Schema::checksum(),
        notes_v2_fixed_without_content_checksum(),
    );
}

/// The checksum of `notes_v2_deleted_body` without its `removed(body)`.
fn notes_v2_fixed_without_content_checksum() -> Checksum {
    #[versioned_schema(version = "2.0.0")]
    mod same_shape {
        #[model]
        pub struct Note {
            pub title: String,
        }

        #[model(original_name = "Folder")]
        pub struct Notebook {
            pub name: String,
        }
    }
    same_shape::Schema::checksum()
}

// ---------------------------------------------------------------------------
// Relationships: a many-to-many dropped, a to-one renamed.
// ---------------------------------------------------------------------------

#[versioned_schema(version = "1.0.0")]
mod shelf_v1 {
    use staged::prelude::*;

    #[model]
    pub struct Book {
        pub title: String,
        pub shelf: Option<Ref<Shelf>>,
        #[relationship(inverse = "books")]
        pub tags: ToMany<Tag>,
    }

    #[model]
    pub struct Shelf {
        pub name: String,
    }

    #[model]
    pub struct Tag {
        pub label: String,
        #[relationship(inverse = "tags")]
        pub books: ToMany<Book>,
    }
}

#[versioned_schema(version = "2.0.0")]
mod shelf_v2_forgotten {
    use staged::prelude::*;

    #[model]
    pub struct Book {
        pub title: String,
        pub rack: Option<Ref<Shelf>>,
    }

    #[model]
    pub struct Shelf {
        pub name: String,
    }

    #[model]
    pub struct Tag {
        pub label: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod shelf_v2_declared {
    use staged::prelude::*;

    #[model(removed(tags))]
    pub struct Book {
        pub title: String,
        #[relationship(original_name = "shelf")]
        pub rack: Option<Ref<Shelf>>,
    }

    #[model]
    pub struct Shelf {
        pub name: String,
    }

    #[model(removed(books))]
    pub struct Tag {
        pub label: String,
    }
}

#[test]
fn dropped_relationships_need_consent_and_a_renamed_to_one_is_proposed_original_name() {
    let error = plan_error(two::<shelf_v1::Schema, shelf_v2_forgotten::Schema>());
    let message = error.to_string();
    assert!(
        message.contains(
            "remove relationship `Book.shelf`: if it was renamed, add \
             `#[relationship(original_name = \"shelf\")]` to `Book.rack` (its values are kept)"
        ),
        "{message}"
    );
    assert!(
        message.contains("remove many-to-many `Book.tags`"),
        "{message}"
    );
    assert!(
        message.contains("add `removed(tags)` to `#[model(…)]` of `Book`"),
        "{message}"
    );

    let store = TempStore::new();
    {
        let container = plans::open_single::<shelf_v1::Schema>(store.path());
        let mut ctx = container.context();
        let shelf = ctx.insert(shelf_v1::Shelf { name: "top".into() }).unwrap();
        ctx.insert(shelf_v1::Book {
            title: "Dune".into(),
            shelf: Some(Ref::new(shelf)),
            tags: ToMany::new(),
        })
        .unwrap();
    }
    let plan = plans::two::<shelf_v1::Schema, shelf_v2_declared::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    let books = ctx.fetch_all::<shelf_v2_declared::Book>().unwrap();
    let shelf = ctx.follow(books[0].rack.unwrap()).unwrap().unwrap();
    assert_eq!(shelf.name, "top");
}

#[versioned_schema(version = "2.0.0")]
mod shelf_v2_without_tags {
    use staged::prelude::*;

    #[model(removed(tags))]
    pub struct Book {
        pub title: String,
        pub shelf: Option<Ref<Shelf>>,
    }

    #[model]
    pub struct Shelf {
        pub name: String,
    }
}

#[test]
fn a_removed_entity_is_reported_once_not_with_each_of_its_relationships() {
    let error = plan_error(two::<shelf_v1::Schema, shelf_v2_without_tags::Schema>());
    let PlanError::UndeclaredRemovals { removals, .. } = &error else {
        panic!("undeclared removals: {error}");
    };
    let changes: Vec<&str> = removals.iter().map(|r| r.change.as_str()).collect();
    assert_eq!(changes, ["remove entity `Tag`"]);
}
