//! Schema snapshots: written for new versions, compared for shipped ones,
//! and a precise failure when a shipped schema was edited.

mod common;

use std::path::{Path, PathBuf};

use common::files::{listing, read_bytes};
use common::plans;
use common::store::TempStore;
use staged::prelude::*;
use staged::schema::SchemaDescriptor;
use staged::schema::snapshot::{
    self, AttributeChange, RelationshipChange, RelationshipKind, SchemaDifference, SnapshotError,
    SnapshotMode, SnapshotProblem,
};
use staged::testing::assert_schema_snapshots;

/// 1.0.0 as it shipped.
#[versioned_schema(version = "1.0.0")]
mod shipped {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub notes: Option<String>,
    }
}

/// 1.0.0 after someone changed `title`'s type in place.
#[versioned_schema(version = "1.0.0")]
mod edited {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: i64,
        pub notes: Option<String>,
    }
}

/// 1.0.0 edited in many ways at once, with fields in another order.
#[versioned_schema(version = "1.0.0")]
mod edited_a_lot {
    #[model]
    pub struct Reminder {
        pub notes: String,
        #[attribute(original_name = "id")]
        pub uid: String,
        #[attribute(index, default = "untitled")]
        pub title: String,
        pub flagged: Option<bool>,
    }

    #[model]
    pub struct Tag {
        pub name: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2 {
    #[model]
    pub struct Reminder {
        #[attribute(unique)]
        pub uid: String,
        pub title: String,
        pub notes: Option<String>,
        #[attribute(default = 0)]
        pub priority: i64,
    }
}

fn plan() -> SchemaMigrationPlan<v2::Schema> {
    plans::two::<shipped::Schema, v2::Schema>()
}

fn descriptors(schemas: &[&'static SchemaDescriptor]) -> Vec<&'static SchemaDescriptor> {
    schemas.to_vec()
}

fn problems(error: SnapshotError) -> Vec<SnapshotProblem> {
    match error {
        SnapshotError::Problems(problems) => problems,
        other => panic!("expected snapshot problems, got {other}"),
    }
}

/// A `schemas` folder, not created yet, in a new temporary directory that
/// goes when the returned guard drops.
fn schemas_dir() -> (TempStore, PathBuf) {
    let store = TempStore::new();
    let dir = store.dir().join("schemas");
    (store, dir)
}

#[test]
fn first_run_writes_a_snapshot_per_version_and_second_run_verifies_them() {
    let (_store, dir) = schemas_dir();
    let report = assert_schema_snapshots(&plan(), &dir);
    assert_eq!(report.verified, []);
    assert_eq!(
        report.written,
        [dir.join("1.0.0.json"), dir.join("2.0.0.json")]
    );
    assert_eq!(listing(&dir), ["1.0.0.json", "2.0.0.json"]);
    let json = std::fs::read_to_string(dir.join("1.0.0.json")).unwrap();
    assert_eq!(json, snapshot::to_json(shipped::Schema::descriptor()));
    assert!(json.starts_with(&format!(
        "{{\n  \"format\": 1,\n  \"version\": \"1.0.0\",\n  \"checksum\": \"{}\",\n  \"entities\": [\n",
        shipped::Schema::checksum()
    )));

    let before = read_bytes(&dir.join("1.0.0.json"));
    let report = assert_schema_snapshots(&plan(), &dir);
    assert_eq!(
        report.verified,
        [Version::new(1, 0, 0), Version::new(2, 0, 0)]
    );
    assert_eq!(report.written, Vec::<PathBuf>::new());
    assert_eq!(read_bytes(&dir.join("1.0.0.json")), before);
}

#[test]
fn a_snapshot_reads_back_as_the_same_schema() {
    let json = snapshot::to_json(edited_a_lot::Schema::descriptor());
    let read = snapshot::from_json(&json).unwrap();
    assert_eq!(read.descriptor(), edited_a_lot::Schema::descriptor());
    assert_eq!(
        read.descriptor().checksum(),
        edited_a_lot::Schema::checksum()
    );
    assert_eq!(read.recorded_checksum(), edited_a_lot::Schema::checksum());
    assert_eq!(read.version(), Version::new(1, 0, 0));
}

#[test]
#[should_panic(
    expected = "you edited schema 1.0.0 after shipping it: attribute `Reminder.title` changed type from `text` to `i64`"
)]
fn the_test_helper_fails_a_test_that_edited_a_shipped_schema() {
    let (_store, dir) = schemas_dir();
    let shipped_plan = plans::single::<shipped::Schema>();
    assert_schema_snapshots(&shipped_plan, &dir);
    // A later commit edits 1.0.0 in place instead of adding a version.
    let edited_plan = plans::single::<edited::Schema>();
    assert_schema_snapshots(&edited_plan, &dir);
}

#[test]
fn an_edited_shipped_schema_is_reported_with_the_file_and_what_to_do() {
    let (_store, dir) = schemas_dir();
    snapshot::check(
        descriptors(&[shipped::Schema::descriptor()]),
        &dir,
        SnapshotMode::WriteNew,
    )
    .unwrap();
    let before = read_bytes(&dir.join("1.0.0.json"));
    let error = snapshot::check(
        descriptors(&[edited::Schema::descriptor(), v2::Schema::descriptor()]),
        &dir,
        SnapshotMode::WriteNew,
    )
    .unwrap_err();
    let path = dir.join("1.0.0.json");
    assert_eq!(
        error.to_string(),
        format!(
            "you edited schema 1.0.0 after shipping it: attribute `Reminder.title` changed type from `text` to `i64` \
             (snapshot `{}`). Stores at 1.0.0 on devices no longer match it and would not open: restore the shipped \
             definition and make the change in a new schema version. If 1.0.0 never shipped, record it again with \
             `STAGED_SNAPSHOTS=overwrite` or by deleting the snapshot",
            path.display()
        )
    );
    assert_eq!(
        problems(error),
        [SnapshotProblem::Edited {
            version: Version::new(1, 0, 0),
            path: path.clone(),
            differences: vec![SchemaDifference::AttributeChanged {
                entity: "Reminder".into(),
                attribute: "title".into(),
                change: AttributeChange::Type {
                    from: "text",
                    to: "i64"
                },
            }],
        }]
    );
    // Nothing was written: not 2.0.0's snapshot, not a new 1.0.0.
    assert_eq!(listing(&dir), ["1.0.0.json"]);
    assert_eq!(read_bytes(&path), before);
}

#[test]
fn every_difference_is_listed_and_declaration_order_does_not_count() {
    let differences = snapshot::diff(
        shipped::Schema::descriptor(),
        edited_a_lot::Schema::descriptor(),
    );
    let lines: Vec<String> = differences.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "entity `Tag` was added",
            "attribute `Reminder.flagged` was added",
            "attribute `Reminder.notes` changed from optional to required",
            "attribute `Reminder.title` gained an index",
            "attribute `Reminder.title` changed default from no default to `\"untitled\"`",
            "attribute `Reminder.uid` is no longer unique",
            "attribute `Reminder.uid` changed `original_name` from none to `id`",
        ]
    );
    assert_eq!(
        snapshot::diff(
            edited_a_lot::Schema::descriptor(),
            shipped::Schema::descriptor()
        )
        .iter()
        .map(ToString::to_string)
        .take(2)
        .collect::<Vec<_>>(),
        [
            "entity `Tag` was removed",
            "attribute `Reminder.flagged` was removed"
        ]
    );
    assert_eq!(
        snapshot::diff(shipped::Schema::descriptor(), shipped::Schema::descriptor()),
        []
    );
}

#[test]
fn a_snapshot_of_a_version_the_plan_dropped_fails_the_check() {
    let (_store, dir) = schemas_dir();
    assert_schema_snapshots(&plan(), &dir);
    let error = snapshot::check(
        descriptors(&[v2::Schema::descriptor()]),
        &dir,
        SnapshotMode::WriteNew,
    )
    .unwrap_err();
    assert_eq!(
        problems(error),
        [SnapshotProblem::NotInPlan {
            version: Version::new(1, 0, 0),
            path: dir.join("1.0.0.json"),
        }]
    );
}

#[test]
fn verify_mode_reports_missing_snapshots_and_writes_nothing() {
    let (_store, dir) = schemas_dir();
    snapshot::check(
        descriptors(&[shipped::Schema::descriptor()]),
        &dir,
        SnapshotMode::WriteNew,
    )
    .unwrap();
    let error = snapshot::check(
        descriptors(&[shipped::Schema::descriptor(), v2::Schema::descriptor()]),
        &dir,
        SnapshotMode::Verify,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "schema 2.0.0 has no snapshot `{}`; run the tests locally to write it and commit it",
            dir.join("2.0.0.json").display()
        )
    );
    assert_eq!(listing(&dir), ["1.0.0.json"]);
}

#[test]
fn overwrite_mode_records_an_unshipped_version_again() {
    let (_store, dir) = schemas_dir();
    snapshot::check(
        descriptors(&[shipped::Schema::descriptor()]),
        &dir,
        SnapshotMode::WriteNew,
    )
    .unwrap();
    let report = snapshot::check(
        descriptors(&[edited::Schema::descriptor()]),
        &dir,
        SnapshotMode::Overwrite,
    )
    .unwrap();
    assert_eq!(report.written, [dir.join("1.0.0.json")]);
    let read = snapshot::read(&dir.join("1.0.0.json")).unwrap();
    assert_eq!(read.descriptor(), edited::Schema::descriptor());
}

#[test]
fn a_hand_edited_or_misnamed_snapshot_file_is_reported() {
    let (_store, dir) = schemas_dir();
    std::fs::create_dir_all(&dir).unwrap();
    // The content of 1.0.0 edited by hand, keeping the recorded checksum.
    let json = snapshot::to_json(shipped::Schema::descriptor()).replace("\"text\"", "\"json\"");
    std::fs::write(dir.join("1.0.0.json"), json).unwrap();
    std::fs::write(
        dir.join("two.json"),
        snapshot::to_json(v2::Schema::descriptor()),
    )
    .unwrap();
    let error = snapshot::check(
        descriptors(&[shipped::Schema::descriptor(), v2::Schema::descriptor()]),
        &dir,
        SnapshotMode::WriteNew,
    )
    .unwrap_err();
    let problems = problems(error);
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(matches!(
        &problems[0],
        SnapshotProblem::ChecksumMismatch { version, path, recorded, actual }
            if *version == Version::new(1, 0, 0)
                && *path == dir.join("1.0.0.json")
                && *recorded == shipped::Schema::checksum()
                && actual != recorded
    ));
    assert_eq!(
        problems[1].to_string(),
        format!(
            "snapshot `{}` records schema 2.0.0; rename it to `2.0.0.json`",
            dir.join("two.json").display()
        )
    );
    assert!(matches!(
        &problems[2],
        SnapshotProblem::Edited { version, path, .. }
            if *version == Version::new(1, 0, 0) && *path == dir.join("1.0.0.json")
    ));
    assert_eq!(
        problems[2].to_string(),
        format!(
            "you edited schema 1.0.0 after shipping it: attribute `Reminder.notes` changed type from `json` to \
             `text`; attribute `Reminder.title` changed type from `json` to `text`; attribute `Reminder.uid` \
             changed type from `json` to `text` (snapshot `{}`). Stores at 1.0.0 on devices no longer match it \
             and would not open: restore the shipped definition and make the change in a new schema version. \
             If 1.0.0 never shipped, record it again with `STAGED_SNAPSHOTS=overwrite` or by deleting the \
             snapshot",
            dir.join("1.0.0.json").display()
        )
    );
}

#[test]
fn a_file_that_is_not_a_snapshot_is_named_in_the_error() {
    let (_store, dir) = schemas_dir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("1.0.0.json"), "{\"version\": \"1.0.0\"}").unwrap();
    let error = snapshot::check(
        descriptors(&[shipped::Schema::descriptor()]),
        &dir,
        SnapshotMode::WriteNew,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "`{}` is not a schema snapshot: missing field `format` at line 1 column 20; snapshots are \
             written by `staged::schema::snapshot::to_json`",
            dir.join("1.0.0.json").display()
        )
    );
    let error = snapshot::from_json(
        &snapshot::to_json(v2::Schema::descriptor()).replace("\"format\": 1", "\"format\": 9"),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "snapshot format 9 is not supported (this version of staged reads format 1)"
    );
}

#[test]
fn a_float_default_reads_back_bit_for_bit() {
    // Found by `snapshot_props`: without exact float parsing this value read
    // back one bit off, and the snapshot looked edited by hand.
    let attribute = staged::AttributeDescriptor::named("weight", staged::AttributeType::F64)
        .with_default(staged::DefaultValue::Real(-951482323.7366337));
    let schema = SchemaDescriptor::from_entities(
        Version::new(1, 0, 0),
        vec![staged::EntityDescriptor::from_parts(
            "List",
            None,
            vec![attribute],
        )],
    );
    let read = snapshot::from_json(&snapshot::to_json(&schema)).unwrap();
    assert_eq!(read.descriptor(), &schema);
    assert_eq!(read.descriptor().checksum(), read.recorded_checksum());
}

/// 1.0.0 with relationships, as it shipped.
#[versioned_schema(version = "1.0.0")]
mod library {
    use staged::prelude::*;

    #[model]
    pub struct Author {
        pub name: String,
        #[relationship(inverse = "author", delete_rule = "cascade")]
        pub books: ToMany<Book>,
    }

    #[model]
    pub struct Writer {
        pub name: String,
    }

    #[model]
    pub struct Book {
        pub title: String,
        #[relationship(inverse = "books")]
        pub author: Ref<Author>,
        pub editor: Option<Ref<Author>>,
        #[relationship(inverse = "books")]
        pub tags: ToMany<Tag>,
    }

    #[model]
    pub struct Tag {
        pub label: String,
        #[relationship(inverse = "tags")]
        pub books: ToMany<Book>,
    }
}

/// 1.0.0 after edits that touch only relationships: `Book.author` points
/// at `Writer`, `Book.editor` cascades, `Book.tags` became `Book.topics`,
/// and `Author.books` (a one-to-many, not stored) is gone.
#[versioned_schema(version = "1.0.0")]
mod library_edited {
    use staged::prelude::*;

    #[model]
    pub struct Author {
        pub name: String,
    }

    #[model]
    pub struct Writer {
        pub name: String,
    }

    #[model]
    pub struct Book {
        pub title: String,
        pub author: Ref<Writer>,
        #[relationship(delete_rule = "cascade")]
        pub editor: Option<Ref<Author>>,
        #[relationship(inverse = "books")]
        pub topics: ToMany<Tag>,
    }

    #[model]
    pub struct Tag {
        pub label: String,
        #[relationship(inverse = "topics")]
        pub books: ToMany<Book>,
    }
}

/// 1.0.0 where only a one-to-many (not stored) and a to-one's `inverse`
/// changed: the same store.
#[versioned_schema(version = "1.0.0")]
mod library_same_store {
    use staged::prelude::*;

    #[model]
    pub struct Author {
        pub name: String,
    }

    #[model]
    pub struct Writer {
        pub name: String,
    }

    #[model]
    pub struct Book {
        pub title: String,
        #[relationship(delete_rule = "cascade")]
        pub author: Ref<Author>,
        pub editor: Option<Ref<Author>>,
        #[relationship(inverse = "books")]
        pub tags: ToMany<Tag>,
    }

    #[model]
    pub struct Tag {
        pub label: String,
        #[relationship(inverse = "tags")]
        pub books: ToMany<Book>,
    }
}

#[test]
fn an_edited_relationship_of_a_shipped_schema_fails_the_check_naming_each_change() {
    let (_store, dir) = schemas_dir();
    let shipped_plan = plans::single::<library::Schema>();
    assert_schema_snapshots(&shipped_plan, &dir);
    let path = dir.join("1.0.0.json");
    let before = read_bytes(&path);
    assert_ne!(
        library::Schema::checksum(),
        library_edited::Schema::checksum()
    );

    let error = snapshot::check(
        descriptors(&[library_edited::Schema::descriptor()]),
        &dir,
        SnapshotMode::WriteNew,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "you edited schema 1.0.0 after shipping it: \
             relationship `Book.author` now refers to `Writer` instead of `Author`; \
             delete rule of `Book.author` changed from cascade to deny; \
             delete rule of `Book.editor` changed from nullify to cascade; \
             many-to-many relationship `Book.tags` to `Tag` was removed; \
             many-to-many relationship `Book.topics` to `Tag` was added; \
             join table of `Tag.books` changed from `_staged_join_4_Book_tags` to \
             `_staged_join_4_Book_topics` \
             (snapshot `{}`). Stores at 1.0.0 on devices no longer match it and would not open: \
             restore the shipped definition and make the change in a new schema version. If 1.0.0 \
             never shipped, record it again with `STAGED_SNAPSHOTS=overwrite` or by deleting the \
             snapshot",
            path.display()
        )
    );
    let differences = match &problems(error)[..] {
        [SnapshotProblem::Edited { differences, .. }] => differences.clone(),
        other => panic!("expected one edited version, got {other:?}"),
    };
    assert_eq!(
        differences[..3],
        [
            SchemaDifference::RelationshipChanged {
                entity: "Book".into(),
                relationship: "author".into(),
                change: RelationshipChange::Target {
                    from: "Author".into(),
                    to: "Writer".into()
                },
            },
            SchemaDifference::RelationshipChanged {
                entity: "Book".into(),
                relationship: "author".into(),
                change: RelationshipChange::DeleteRule {
                    from: DeleteRule::Cascade,
                    to: DeleteRule::Deny
                },
            },
            SchemaDifference::RelationshipChanged {
                entity: "Book".into(),
                relationship: "editor".into(),
                change: RelationshipChange::DeleteRule {
                    from: DeleteRule::Nullify,
                    to: DeleteRule::Cascade
                },
            },
        ]
    );
    assert_eq!(
        differences[3],
        SchemaDifference::RelationshipRemoved {
            entity: "Book".into(),
            relationship: "tags".into(),
            kind: RelationshipKind::ManyToMany,
            target: "Tag".into(),
        }
    );
    assert!(differences.iter().all(|d| !d.is_rename_hint()));
    // Nothing was written.
    assert_eq!(read_bytes(&path), before);
}

#[test]
fn relationship_edits_that_are_not_stored_are_not_differences() {
    // The one-to-many `Author.books` and the to-one's `inverse` are not
    // stored: the store is the same, and so is the checksum.
    assert_eq!(
        library::Schema::checksum(),
        library_same_store::Schema::checksum()
    );
    assert_eq!(
        snapshot::diff(
            library::Schema::descriptor(),
            library_same_store::Schema::descriptor()
        ),
        []
    );
    let (_store, dir) = schemas_dir();
    snapshot::check(
        descriptors(&[library::Schema::descriptor()]),
        &dir,
        SnapshotMode::WriteNew,
    )
    .unwrap();
    let report = snapshot::check(
        descriptors(&[library_same_store::Schema::descriptor()]),
        &dir,
        SnapshotMode::Verify,
    )
    .unwrap();
    assert_eq!(report.verified, [Version::new(1, 0, 0)]);
}

/// A schema built in code: `Book` with the given columns and to-many
/// relationships, and `Author` and `Tag` with `tag_books` as to-many.
fn book_schema(
    book_attributes: Vec<staged::AttributeDescriptor>,
    book_many: Vec<staged::RelationshipDescriptor>,
    tag_many: Vec<staged::RelationshipDescriptor>,
) -> SchemaDescriptor {
    use staged::{AttributeDescriptor, AttributeType, EntityDescriptor};
    let name = || vec![AttributeDescriptor::named("name", AttributeType::Text)];
    SchemaDescriptor::from_entities(
        Version::new(1, 0, 0),
        vec![
            EntityDescriptor::from_parts("Author", None, name()),
            EntityDescriptor::from_parts("Book", None, book_attributes).with_to_many(book_many),
            EntityDescriptor::from_parts("Tag", None, name()).with_to_many(tag_many),
        ],
    )
}

#[test]
fn every_relationship_difference_has_its_own_message() {
    use staged::{AttributeDescriptor, AttributeType, Reference, RelationshipDescriptor};
    let to_one = |name: &str, optional: bool, target: &str, rule: DeleteRule| {
        AttributeDescriptor::to_one(name, optional, Reference::to(target, rule))
    };
    let many = |name: &str, target: &str, inverse: Option<&str>| {
        RelationshipDescriptor::build(
            name,
            target,
            staged::ToManyKind::ManyToMany,
            inverse.map(str::to_owned),
        )
    };
    let shipped = book_schema(
        vec![
            to_one("author", false, "Author", DeleteRule::Deny),
            AttributeDescriptor::named("owner", AttributeType::I64),
            to_one("reviewer", true, "Author", DeleteRule::Nullify),
            to_one("series", true, "Tag", DeleteRule::NoAction),
        ],
        vec![
            many("tags", "Tag", Some("books")),
            many("shelves", "Tag", None),
        ],
        vec![many("books", "Book", Some("tags"))],
    );
    let edited = book_schema(
        vec![
            to_one("author", true, "Author", DeleteRule::Deny),
            to_one("owner", true, "Author", DeleteRule::Nullify),
            AttributeDescriptor::named("reviewer", AttributeType::I64).with_optional(true),
            to_one("series", true, "Tag", DeleteRule::NoAction).with_original_name("saga"),
        ],
        vec![
            // `Book.tags` no longer names `Tag.books` back.
            many("tags", "Tag", None),
            many("shelves", "Author", None).with_original_name("racks"),
        ],
        vec![many("books", "Book", Some("tags"))],
    );
    assert_ne!(shipped.checksum(), edited.checksum());
    let lines: Vec<String> = snapshot::diff(&shipped, &edited)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        lines,
        [
            "relationship `Book.author` changed from required to optional",
            "attribute `Book.owner` of type `i64` became a to-one relationship to `Author`",
            "to-one relationship `Book.reviewer` to `Author` became an attribute of type `i64`",
            "relationship `Book.series` changed `original_name` from none to `saga`",
            "relationship `Book.shelves` now refers to `Author` instead of `Tag`",
            "relationship `Book.shelves` changed `original_name` from none to `racks`",
            "join table of `Tag.books` changed from `_staged_join_4_Book_tags` to none",
        ]
    );
    let hints: Vec<bool> = snapshot::diff(&shipped, &edited)
        .iter()
        .map(SchemaDifference::is_rename_hint)
        .collect();
    assert_eq!(hints, [false, false, false, true, false, true, false]);
    let back: Vec<String> = snapshot::diff(&edited, &shipped)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        back[..3],
        [
            "relationship `Book.author` changed from optional to required",
            "to-one relationship `Book.owner` to `Author` became an attribute of type `i64`",
            "attribute `Book.reviewer` of type `i64` became a to-one relationship to `Author`",
        ]
    );
    assert_eq!(
        back[6],
        "join table of `Tag.books` changed from none to `_staged_join_4_Book_tags`"
    );
}

#[test]
fn added_and_removed_to_ones_are_named_as_relationships() {
    use staged::{AttributeDescriptor, AttributeType, Reference};
    let title = || AttributeDescriptor::named("title", AttributeType::Text);
    let shipped = book_schema(vec![title()], vec![], vec![]);
    let edited = book_schema(
        vec![
            title(),
            AttributeDescriptor::to_one(
                "author",
                true,
                Reference::to("Author", DeleteRule::Nullify),
            ),
        ],
        vec![],
        vec![],
    );
    assert_eq!(
        snapshot::diff(&shipped, &edited)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["to-one relationship `Book.author` to `Author` was added"]
    );
    assert_eq!(
        snapshot::diff(&edited, &shipped),
        [SchemaDifference::RelationshipRemoved {
            entity: "Book".into(),
            relationship: "author".into(),
            kind: RelationshipKind::ToOne,
            target: "Author".into(),
        }]
    );
}

#[test]
fn a_snapshot_with_relationships_reads_back_from_its_file_with_the_same_checksum() {
    let (_store, dir) = schemas_dir();
    let report = snapshot::check(
        descriptors(&[library::Schema::descriptor()]),
        &dir,
        SnapshotMode::WriteNew,
    )
    .unwrap();
    assert_eq!(report.written, [dir.join("1.0.0.json")]);
    let read = snapshot::read(&dir.join("1.0.0.json")).unwrap();
    assert_eq!(read.descriptor(), library::Schema::descriptor());
    assert_eq!(read.descriptor().checksum(), library::Schema::checksum());
    assert_eq!(read.recorded_checksum(), library::Schema::checksum());
    assert_eq!(snapshot::file_problems(&dir.join("1.0.0.json"), &read), []);
    let book = read.descriptor().entity("Book").unwrap();
    let author = book.attribute("author").unwrap().reference().unwrap();
    assert_eq!(
        (author.target(), author.delete_rule(), author.inverse()),
        ("Author", DeleteRule::Cascade, Some("books"))
    );
    assert_eq!(
        read.descriptor().join_tables()[0].name,
        "_staged_join_4_Book_tags"
    );
    // The file holds the relationships as JSON, so other tools can read them.
    let json: serde_json::Value =
        serde_json::from_slice(&read_bytes(&dir.join("1.0.0.json"))).unwrap();
    let book = &json["entities"][2];
    assert_eq!(book["name"], "Book");
    assert_eq!(
        book["attributes"][1]["reference"],
        serde_json::json!({"target": "Author", "delete_rule": "cascade", "inverse": "books"})
    );
    assert_eq!(
        book["relationships"][0],
        serde_json::json!({
            "name": "tags", "target": "Tag", "kind": "many_to_many", "inverse": "books",
            "delete_rule": "nullify"
        })
    );
}

#[test]
fn committed_snapshots_from_before_relationships_still_read_unchanged() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas");
    let snapshots = snapshot::read_dir(&dir).unwrap();
    let versions: Vec<String> = snapshots
        .iter()
        .map(|(_, s)| s.version().to_string())
        .collect();
    assert_eq!(versions, ["1.0.0", "2.0.0", "3.0.0"]);
    for (path, read) in &snapshots {
        assert_eq!(
            snapshot::file_problems(path, read),
            [],
            "{}",
            path.display()
        );
        for entity in read.descriptor().entities() {
            assert!(entity.relationships().is_empty());
            assert!(entity.attributes().iter().all(|a| a.reference().is_none()));
        }
        // Written again, a schema without relationships gives the same bytes.
        assert_eq!(
            snapshot::to_json(read.descriptor()).as_bytes(),
            read_bytes(path),
            "{}",
            path.display()
        );
    }
}

#[test]
fn a_changed_rename_hint_alone_says_stores_still_open_but_migrate_differently() {
    use staged::{AttributeDescriptor, AttributeType, RelationshipDescriptor, ToManyKind};
    let title = || AttributeDescriptor::named("title", AttributeType::Text);
    let shelves = || RelationshipDescriptor::build("shelves", "Tag", ToManyKind::ManyToMany, None);
    let shipped = book_schema(vec![title()], vec![shelves()], vec![]);
    let edited = book_schema(
        vec![title()],
        vec![shelves().with_original_name("racks")],
        vec![],
    );
    assert_eq!(shipped.checksum(), edited.checksum());
    let (_store, dir) = schemas_dir();
    snapshot::check([&shipped], &dir, SnapshotMode::WriteNew).unwrap();
    let path = dir.join("1.0.0.json");
    let before = read_bytes(&path);
    let error = snapshot::check([&edited], &dir, SnapshotMode::WriteNew).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "you edited schema 1.0.0 after shipping it: relationship `Book.shelves` changed \
             `original_name` from none to `racks` (snapshot `{}`). Stores at 1.0.0 still open, \
             but stores of the previous version would migrate to 1.0.0 differently than with the \
             shipped app: restore the shipped `original_name`. If 1.0.0 never shipped, record it \
             again with `STAGED_SNAPSHOTS=overwrite` or by deleting the snapshot",
            path.display()
        )
    );
    assert_eq!(read_bytes(&path), before);
}

#[test]
fn a_changed_checksum_never_passes_as_verified() {
    // `0.0 == -0.0`, so the defaults compare equal, but the checksum hashes
    // the value's bits: the check must not call the edited schema verified.
    let with_default = |value: f64| -> &'static SchemaDescriptor {
        let attribute = staged::AttributeDescriptor::named("weight", staged::AttributeType::F64)
            .with_default(staged::DefaultValue::Real(value));
        Box::leak(Box::new(SchemaDescriptor::from_entities(
            Version::new(1, 0, 0),
            vec![staged::EntityDescriptor::from_parts(
                "List",
                None,
                vec![attribute],
            )],
        )))
    };
    let (shipped, edited) = (with_default(0.0), with_default(-0.0));
    assert_ne!(shipped.checksum(), edited.checksum());
    assert_eq!(snapshot::diff(shipped, edited), []);

    let (_store, dir) = schemas_dir();
    snapshot::check(vec![shipped], &dir, SnapshotMode::WriteNew).unwrap();
    let before = read_bytes(&dir.join("1.0.0.json"));
    let error = snapshot::check(vec![edited], &dir, SnapshotMode::WriteNew).unwrap_err();
    assert_eq!(
        problems(error),
        [SnapshotProblem::Edited {
            version: Version::new(1, 0, 0),
            path: dir.join("1.0.0.json"),
            differences: vec![SchemaDifference::ChecksumChanged {
                shipped: shipped.checksum(),
                current: edited.checksum(),
            }],
        }]
    );
    assert_eq!(read_bytes(&dir.join("1.0.0.json")), before);
}
