//! A user's own types as real columns: `#[derive(StoredEnum)]` (a unit-only
//! enum stored as TEXT holding the variant's name) and `StoredValue` (a
//! newtype stored as one column of a stored type). Written as readable
//! values, read back equal, filtered, sorted, indexed and made unique; their
//! identity is part of the schema; removing or renaming a variant is
//! data-dependent. Every case uses a store file.

mod common;

use common::plans;
use common::sql::{self, i, t};
use common::store::TempStore;
use staged::DryRunProblem;
use staged::prelude::*;
use staged::rusqlite::types::Value;

/// A note's status; `Archived` is stored as `archived`.
#[derive(StoredEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Shown.
    Active,
    /// Put away.
    #[stored(name = "archived")]
    Archived,
    /// Not finished.
    Draft,
}

/// An email address, stored as its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl StoredValue for Email {
    type Stored = String;
    const NAME: &'static str = "Email";

    fn to_stored(&self) -> String {
        self.0.clone()
    }

    fn from_stored(stored: String) -> Result<Self, staged::BoxError> {
        if stored.contains('@') {
            Ok(Email(stored))
        } else {
            Err(format!("`{stored}` has no `@`").into())
        }
    }
}

/// An amount in cents, stored as an integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cents(i64);

impl StoredValue for Cents {
    type Stored = i64;
    const NAME: &'static str = "Cents";

    fn to_stored(&self) -> i64 {
        self.0
    }

    fn from_stored(stored: i64) -> Result<Self, staged::BoxError> {
        Ok(Cents(stored))
    }
}

#[versioned_schema(version = "1.0.0")]
mod v1 {
    use super::*;

    #[model(index(status, price))]
    #[derive(Debug, Clone)]
    pub struct Note {
        pub title: String,
        #[attribute(index)]
        pub status: Status,
        pub previous: Option<Status>,
        #[attribute(unique)]
        pub owner: Email,
        pub price: Cents,
        pub tip: Option<Cents>,
    }
}

fn note(title: &str, status: Status, owner: &str, price: i64) -> v1::Note {
    v1::Note {
        title: title.into(),
        status,
        previous: None,
        owner: Email(owner.into()),
        price: Cents(price),
        tip: None,
    }
}

#[test]
fn enums_and_values_are_stored_as_readable_columns_and_read_back_equal() {
    let store = TempStore::new();
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    let mut written = note("a", Status::Archived, "ann@example.com", -250);
    written.previous = Some(Status::Active);
    written.tip = Some(Cents(30));
    ctx.insert(written.clone()).unwrap();
    ctx.insert(note("b", Status::Draft, "bob@example.com", 7))
        .unwrap();
    let read = ctx.fetch_all::<v1::Note>().unwrap();
    assert_eq!(read[0].status, Status::Archived);
    assert_eq!(read[0].previous, Some(Status::Active));
    assert_eq!(read[0].owner, written.owner);
    assert_eq!((read[0].price, read[0].tip), (Cents(-250), Some(Cents(30))));
    assert_eq!((read[1].previous, read[1].tip), (None, None));
    drop(ctx);
    drop(container);
    let conn = store.conn();
    let columns: Vec<(String, String, bool)> = sql::columns(&conn, "Note");
    let types: Vec<&str> = columns.iter().map(|(_, ty, _)| ty.as_str()).collect();
    assert_eq!(
        types,
        [
            "INTEGER", "TEXT", "TEXT", "TEXT", "TEXT", "INTEGER", "INTEGER"
        ]
    );
    assert_eq!(
        sql::rows(&conn, "Note"),
        [
            vec![
                i(1),
                t("a"),
                t("archived"),
                t("Active"),
                t("ann@example.com"),
                i(-250),
                i(30)
            ],
            vec![
                i(2),
                t("b"),
                t("Draft"),
                Value::Null,
                t("bob@example.com"),
                i(7),
                Value::Null
            ],
        ]
    );
}

#[test]
fn enums_and_values_are_filtered_sorted_indexed_and_unique() {
    let store = TempStore::new();
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    for (title, status, owner, price) in [
        ("a", Status::Draft, "a@x", 30),
        ("b", Status::Active, "b@x", -5),
        ("c", Status::Archived, "c@x", 10),
        ("d", Status::Active, "d@x", 20),
    ] {
        ctx.insert(note(title, status, owner, price)).unwrap();
    }
    let fields = v1::Note::fields();
    let titles = |ctx: &mut ModelContext<v1::Schema>, d: FetchDescriptor<v1::Note>| -> String {
        ctx.fetch(d)
            .unwrap()
            .iter()
            .map(|n| n.title.clone())
            .collect()
    };
    let active = FetchDescriptor::new().filter(fields.status.eq(Status::Active));
    assert_eq!(titles(&mut ctx, active), "bd");
    let not_active = FetchDescriptor::new().filter(fields.status.ne(Status::Active));
    assert_eq!(titles(&mut ctx, not_active), "ac");
    // Sorted by the stored text: "Active" < "Draft" < "archived".
    let by_status = FetchDescriptor::new()
        .sort(fields.status.asc())
        .sort(fields.price.desc());
    assert_eq!(titles(&mut ctx, by_status), "dbac");
    let cheap = FetchDescriptor::new()
        .filter(fields.price.lt(Cents(15)))
        .sort(fields.price.asc());
    assert_eq!(titles(&mut ctx, cheap), "bc");
    let by_owner = FetchDescriptor::new().filter(fields.owner.eq(Email("c@x".into())));
    assert_eq!(titles(&mut ctx, by_owner), "c");
    let no_previous = FetchDescriptor::new().filter(fields.previous.is_null());
    assert_eq!(titles(&mut ctx, no_previous), "abcd");
    // The unique index refuses a second record with the same stored value.
    let error = ctx.insert(note("e", Status::Draft, "a@x", 1)).unwrap_err();
    assert!(error.to_string().contains("owner"), "{error}");
    assert_eq!(ctx.count::<v1::Note>().unwrap(), 4);
    drop(ctx);
    drop(container);
    let conn = store.conn();
    let indexes = sql::indexes(&conn, "Note");
    let columns: Vec<(bool, &str)> = indexes
        .iter()
        .map(|(_, unique, column)| (*unique, column.as_str()))
        .collect();
    for expected in [(true, "owner"), (false, "status")] {
        assert!(columns.contains(&expected), "{expected:?} in {indexes:?}");
    }
    let plan: String = conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT _id FROM Note WHERE status = 'Active'",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("INDEX"), "{plan}");
}

#[test]
fn text_that_names_no_variant_is_a_decode_error_naming_the_record_and_the_value() {
    let store = TempStore::new();
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    ctx.insert(note("a", Status::Active, "a@x", 1)).unwrap();
    let id = ctx.insert(note("b", Status::Active, "b@x", 1)).unwrap();
    store
        .conn()
        .execute("UPDATE Note SET status = 'Deleted' WHERE title = 'b'", [])
        .unwrap();
    let error = ctx.fetch_all::<v1::Note>().unwrap_err();
    let staged::Error::Decode {
        entity,
        attribute,
        id: record,
        source,
    } = &error
    else {
        panic!("unexpected error: {error}");
    };
    assert_eq!(
        (entity.as_str(), attribute.as_str(), *record),
        ("Note", "status", id.raw())
    );
    let unknown = source
        .downcast_ref::<staged::UnknownVariant>()
        .expect("the source names the value");
    assert_eq!(
        (unknown.enum_name(), unknown.value()),
        ("Status", "Deleted")
    );
    let message = format!("{error}: {source}");
    assert!(
        message.contains("`Deleted` is not a variant of `Status`"),
        "{message}"
    );
    assert!(message.contains("`archived`"), "{message}");
    // A `StoredValue` that refuses the stored form fails the same way.
    store
        .conn()
        .execute(
            "UPDATE Note SET status = 'Draft', owner = 'nobody' WHERE title = 'b'",
            [],
        )
        .unwrap();
    let error = ctx.fetch_all::<v1::Note>().unwrap_err();
    assert!(
        matches!(&error, staged::Error::Decode { attribute, .. } if attribute == "owner"),
        "{error}"
    );
}

#[test]
fn the_enum_and_value_identities_are_in_the_descriptor_and_the_checksum() {
    let descriptor = <v1::Schema as VersionedSchema>::descriptor();
    let note = descriptor.entity("Note").unwrap();
    let status = note.attribute("status").unwrap();
    assert_eq!(status.ty(), staged::AttributeType::Text);
    let user_type = status.user_type().unwrap();
    assert_eq!(user_type.name(), "Status");
    assert_eq!(
        user_type.variants(),
        Some(vec!["Active", "archived", "Draft"])
    );
    let price = note.attribute("price").unwrap();
    assert_eq!(price.ty(), staged::AttributeType::I64);
    assert_eq!(price.user_type().unwrap().to_string(), "value Cents");
    let form = staged::schema::canonical_form(descriptor);
    assert!(
        form.contains(
            "attribute \"Note\" \"status\" text required unique=0 index=1 default=none \
             enum=\"Status\" variants=[\"Active\",\"Draft\",\"archived\"]\n"
        ),
        "{form}"
    );
    assert!(form.contains("default=none value=\"Email\"\n"), "{form}");
    assert!(
        form.contains("\"title\" text required unique=0 index=0 default=none\n"),
        "{form}"
    );
}

/// The same notes with an enum of their own per version: `Draft` is removed
/// in `removed`, renamed to `pending` in `renamed`, `Pinned` added in
/// `added`.
#[versioned_schema(version = "1.0.0")]
mod e1 {
    use super::*;

    /// The first release's statuses.
    #[derive(StoredEnum, Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Status {
        /// Shown.
        Active,
        /// Not finished.
        Draft,
    }

    #[model]
    #[derive(Debug, Clone)]
    pub struct Note {
        pub title: String,
        pub status: Status,
        pub owner: Email,
    }
}

#[versioned_schema(version = "2.0.0")]
mod added {
    use super::*;

    /// A variant added.
    #[derive(StoredEnum, Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Status {
        /// Shown.
        Active,
        /// Not finished.
        Draft,
        /// Shown first.
        Pinned,
    }

    #[model]
    #[derive(Debug, Clone)]
    pub struct Note {
        pub title: String,
        pub status: Status,
        pub owner: Email,
    }
}

#[versioned_schema(version = "2.0.0")]
mod removed {
    use super::*;

    /// `Draft` removed.
    #[derive(StoredEnum, Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Status {
        /// Shown.
        Active,
    }

    #[model]
    #[derive(Debug, Clone)]
    pub struct Note {
        pub title: String,
        pub status: Status,
        pub owner: Email,
    }
}

#[versioned_schema(version = "2.0.0")]
mod renamed {
    use super::*;

    /// `Draft` renamed: stored as `pending`.
    #[derive(StoredEnum, Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Status {
        /// Shown.
        Active,
        /// Not finished.
        #[stored(name = "pending")]
        Pending,
    }

    #[model]
    #[derive(Debug, Clone)]
    pub struct Note {
        pub title: String,
        pub status: Status,
        pub owner: Email,
    }
}

#[versioned_schema(version = "2.0.0")]
mod retyped {
    #[model]
    #[derive(Debug, Clone)]
    pub struct Note {
        pub title: String,
        pub status: String,
        pub owner: String,
    }
}

/// A store at `e1` with an active note and two drafts; its path's owner.
fn e1_store() -> TempStore {
    let store = TempStore::new();
    let container = plans::open_single::<e1::Schema>(store.path());
    let mut ctx = container.context();
    for (title, status) in [
        ("a", e1::Status::Active),
        ("b", e1::Status::Draft),
        ("c", e1::Status::Draft),
    ] {
        let owner = Email(format!("{title}@x"));
        ctx.insert(e1::Note {
            title: title.into(),
            status,
            owner,
        })
        .unwrap();
    }
    store
}

fn statuses(store: &TempStore) -> Vec<Vec<Value>> {
    sql::rows(&store.conn(), "Note")
        .into_iter()
        .map(|row| vec![row[0].clone(), row[2].clone()])
        .collect()
}

#[test]
fn adding_a_variant_is_inferred_and_keeps_every_value() {
    let store = e1_store();
    let before = sql::rows(&store.conn(), "Note");
    let plan = plans::two::<e1::Schema, added::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let mut ctx = container.context();
    ctx.insert(added::Note {
        title: "d".into(),
        status: added::Status::Pinned,
        owner: Email("d@x".into()),
    })
    .unwrap();
    let read: Vec<added::Status> = ctx
        .fetch_all::<added::Note>()
        .unwrap()
        .iter()
        .map(|n| n.status)
        .collect();
    assert_eq!(
        read,
        [
            added::Status::Active,
            added::Status::Draft,
            added::Status::Draft,
            added::Status::Pinned
        ]
    );
    drop(ctx);
    drop(container);
    let after = sql::rows(&store.conn(), "Note");
    assert_eq!(after[..3], before[..]);
    let history = sql::history(&store.conn());
    assert_eq!(history.last().unwrap().2, "inferred", "{history:?}");
    let change = staged::infer_step(
        <e1::Schema as VersionedSchema>::descriptor(),
        <added::Schema as VersionedSchema>::descriptor(),
    )
    .unwrap();
    let changes: Vec<String> = change.changes().iter().map(|c| c.to_string()).collect();
    assert_eq!(
        changes,
        ["add variant `Pinned` to `Status` of `Note.status`"]
    );
}

#[test]
fn removing_a_variant_that_records_hold_fails_naming_them_and_leaves_the_store() {
    let store = e1_store();
    let before = sql::dump(&store.conn());
    let plan = plans::two::<e1::Schema, removed::Schema>();
    let report = ModelContainer::builder(plan).dry_run(store.path()).unwrap();
    assert!(!report.would_succeed());
    let problems: Vec<&DryRunProblem> = report.problems().collect();
    assert_eq!(
        problems,
        [&DryRunProblem::RemovedVariant {
            entity: "Note".into(),
            attribute: "status".into(),
            value: "'Draft'".into(),
            rows: vec![2, 3],
            records: 2,
        }],
        "{report}"
    );
    assert!(report.to_string().contains("'Draft'"), "{report}");
    let plan = plans::two::<e1::Schema, removed::Schema>();
    let error = ModelContainer::open(store.path(), plan).unwrap_err();
    let Some(staged::MigrationError::ConstraintViolation {
        entity,
        attribute,
        kind,
        value,
        records,
        ..
    }) = error.as_migration()
    else {
        panic!("unexpected error: {error}");
    };
    assert_eq!(
        (entity.as_str(), attribute.as_str(), *kind),
        ("Note", "status", staged::ConstraintKind::RemovedVariant)
    );
    assert_eq!(
        (value.as_deref(), records.as_slice()),
        (Some("'Draft'"), &[2, 3][..])
    );
    let message = error.to_string();
    assert!(message.contains("records 2, 3"), "{message}");
    assert!(message.contains("transform"), "{message}");
    assert_eq!(sql::dump(&store.conn()), before, "the store is untouched");
}

#[test]
fn removing_a_variant_no_record_holds_migrates() {
    let store = e1_store();
    store
        .conn()
        .execute("DELETE FROM Note WHERE status = 'Draft'", [])
        .unwrap();
    let plan = plans::two::<e1::Schema, removed::Schema>();
    let report = ModelContainer::builder(plan).dry_run(store.path()).unwrap();
    assert!(report.would_succeed(), "{report}");
    let plan = plans::two::<e1::Schema, removed::Schema>();
    let container = ModelContainer::open(store.path(), plan).unwrap();
    assert_eq!(container.store_version(), Version::new(2, 0, 0));
    drop(container);
    assert_eq!(statuses(&store), [vec![i(1), t("Active")]]);
}

#[test]
fn a_renamed_variant_migrates_with_a_transform() {
    let store = e1_store();
    assert!(
        ModelContainer::open(store.path(), plans::two::<e1::Schema, renamed::Schema>()).is_err(),
        "inferred, the rename fails on the records holding `Draft`"
    );
    let stage = MigrationStage::custom::<e1::Schema, renamed::Schema>().transform(
        |old: e1::Note| -> staged::Result<renamed::Note> {
            Ok(renamed::Note {
                title: old.title,
                status: match old.status {
                    e1::Status::Active => renamed::Status::Active,
                    e1::Status::Draft => renamed::Status::Pending,
                },
                owner: old.owner,
            })
        },
    );
    let plan = plans::two_with_stage::<e1::Schema, renamed::Schema>(stage);
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let pending = container
        .context()
        .fetch(
            FetchDescriptor::<renamed::Note>::new()
                .filter(renamed::Note::fields().status.eq(renamed::Status::Pending)),
        )
        .unwrap();
    assert_eq!(pending.len(), 2);
    drop(container);
    assert_eq!(
        statuses(&store),
        [
            vec![i(1), t("Active")],
            vec![i(2), t("pending")],
            vec![i(3), t("pending")]
        ]
    );
}

#[test]
fn a_change_between_a_stored_type_and_another_needs_a_transform() {
    let error = SchemaMigrationPlan::builder()
        .schema::<e1::Schema>()
        .schema::<retyped::Schema>()
        .build()
        .unwrap_err()
        .to_string();
    for expected in [
        "change type of `Note.status` from `Status` (an enum stored as text) to `text`",
        "change type of `Note.owner` from `Email` (stored as text) to `text`",
        "converts each `Note.owner` value",
    ] {
        assert!(error.contains(expected), "{expected} in {error}");
    }
}

#[test]
fn snapshots_record_the_variants_and_the_diff_shows_them() {
    use staged::schema::snapshot;
    let shipped = <e1::Schema as VersionedSchema>::descriptor();
    let json = snapshot::to_json(shipped);
    assert!(
        json.contains("\"user_type\"") && json.contains("\"Draft\""),
        "{json}"
    );
    let read = snapshot::from_json(&json).unwrap();
    assert_eq!(read.descriptor().checksum(), shipped.checksum());
    assert_eq!(read.recorded_checksum(), shipped.checksum());
    let differences: Vec<String> = snapshot::diff(
        read.descriptor(),
        <renamed::Schema as VersionedSchema>::descriptor(),
    )
    .iter()
    .map(ToString::to_string)
    .collect();
    assert!(
        differences.iter().any(|d| d
            .contains("from `enum Status { Active, Draft }` to `enum Status { Active, pending }`")),
        "{differences:?}"
    );
}
