//! Value types of other crates as real columns (features `uuid`, `chrono`,
//! `time`, `url`, `rust_decimal`): written as fixed-width text another
//! reader of the file can read, read back equal, filtered, sorted, indexed
//! and made unique; a change to or from another type needs a custom stage.
//! Every case uses a store file. `value_types_props.rs` compares SQL order
//! with Rust order on random values.

mod common;

use std::str::FromStr as _;

use chrono::{DateTime, Datelike as _, NaiveDate, NaiveDateTime, TimeZone as _, Utc};
use common::plans;
use common::sql::{self, t};
use common::store::TempStore;
use rust_decimal::Decimal;
use staged::prelude::*;
use staged::rusqlite::types::Value;
use url::Url;
use uuid::Uuid;

#[versioned_schema(version = "1.0.0")]
mod v1 {
    use super::*;

    #[model(index(due, created))]
    #[derive(Debug, Clone)]
    pub struct Entry {
        #[attribute(unique)]
        pub uid: Uuid,
        #[attribute(index)]
        pub created: DateTime<Utc>,
        pub local: NaiveDateTime,
        pub due: Option<NaiveDate>,
        pub seen: time::OffsetDateTime,
        pub wall: Option<time::PrimitiveDateTime>,
        pub day: time::Date,
        pub link: Option<Url>,
        #[attribute(unique)]
        pub amount: Decimal,
    }
}

#[versioned_schema(version = "1.0.0")]
mod text_ids {
    #[model]
    pub struct Entry {
        #[attribute(unique)]
        pub uid: String,
    }
}

#[versioned_schema(version = "2.0.0")]
mod uuid_ids {
    use super::*;

    #[model]
    pub struct Entry {
        #[attribute(unique)]
        pub uid: Uuid,
    }
}

fn instant(seconds: i64, nanos: u32) -> DateTime<Utc> {
    Utc.timestamp_opt(seconds, nanos).unwrap()
}

fn entry(n: u8, created: DateTime<Utc>, amount: &str) -> v1::Entry {
    let offset = time::UtcOffset::from_hms(2, 0, 0).unwrap();
    let seen = time::OffsetDateTime::from_unix_timestamp_nanos(1_714_554_000_250_000_000)
        .unwrap()
        .to_offset(offset);
    v1::Entry {
        uid: Uuid::from_u128(u128::from(n) << 120 | 0xabc),
        created,
        local: created.naive_utc(),
        due: NaiveDate::from_ymd_opt(2024, 5, u32::from(n)),
        seen,
        wall: Some(time::PrimitiveDateTime::new(
            time::Date::from_calendar_date(2024, time::Month::May, 1).unwrap(),
            time::Time::from_hms_nano(9, 0, 0, 5).unwrap(),
        )),
        day: time::Date::from_calendar_date(1999, time::Month::December, 31).unwrap(),
        link: Some(Url::parse("https://example.com/a b?q=1").unwrap()),
        amount: Decimal::from_str(amount).unwrap(),
    }
}

#[test]
fn values_are_stored_as_readable_text_and_read_back_equal() {
    let store = TempStore::new();
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    let written = entry(1, instant(1_714_554_000, 500_000_000), "-12.50");
    ctx.insert(written.clone()).unwrap();
    let read = ctx.fetch_all::<v1::Entry>().unwrap();
    let read = &read[0];
    assert_eq!(read.uid, written.uid);
    assert_eq!(read.created, written.created);
    assert_eq!(read.local, written.local);
    assert_eq!(read.due, written.due);
    assert_eq!(read.seen, written.seen, "the same instant");
    assert_eq!(
        read.seen.offset(),
        time::UtcOffset::UTC,
        "the offset is not kept"
    );
    assert_eq!(read.wall, written.wall);
    assert_eq!(read.day, written.day);
    assert_eq!(read.link, written.link);
    assert_eq!(read.amount, written.amount);
    assert_eq!(read.amount.to_string(), "-12.5", "the scale is not kept");
    drop(ctx);
    drop(container);
    let conn = store.conn();
    let columns = sql::columns(&conn, "Entry");
    assert!(
        columns.iter().skip(1).all(|(_, ty, _)| ty == "TEXT"),
        "{columns:?}"
    );
    let row = &sql::rows(&conn, "Entry")[0];
    assert_eq!(
        row[1..],
        [
            t("01000000-0000-0000-0000-000000000abc"),
            t("2024-05-01T09:00:00.500000000Z"),
            t("2024-05-01T09:00:00.500000000"),
            t("2024-05-01"),
            t("2024-05-01T09:00:00.250000000Z"),
            t("2024-05-01T09:00:00.000000005"),
            t("1999-12-31"),
            t("https://example.com/a%20b?q=1"),
            t("-99999999999999999999999999987.4999999999999999999999999999"),
        ]
    );
    // SQLite's own date functions read the stored text.
    let unix: i64 = conn
        .query_row("SELECT unixepoch(created) FROM Entry", [], |r| r.get(0))
        .unwrap();
    assert_eq!(unix, 1_714_554_000);
}

#[test]
fn value_types_are_filtered_sorted_and_indexed() {
    let store = TempStore::new();
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    let base = 1_714_554_000;
    // 09:00:00.500 sorts after 09:00:00 (as JSON text it did not).
    for (n, created, amount) in [
        (1, instant(base, 500_000_000), "10"),
        (2, instant(base, 0), "-2.5"),
        (3, instant(base - 86_400, 999_999_999), "-10"),
        (4, instant(base + 1, 0), "0.001"),
    ] {
        ctx.insert(entry(n, created, amount)).unwrap();
    }
    let fields = v1::Entry::fields();
    let order = |ctx: &mut ModelContext<v1::Schema>, descriptor| -> Vec<u32> {
        ctx.fetch(descriptor)
            .unwrap()
            .iter()
            .map(|e: &Record<v1::Entry>| e.due.unwrap().day0() + 1)
            .collect()
    };
    let by_created = FetchDescriptor::<v1::Entry>::new().sort(fields.created.asc());
    assert_eq!(order(&mut ctx, by_created), [3, 2, 1, 4]);
    let by_amount = FetchDescriptor::<v1::Entry>::new().sort(fields.amount.desc());
    assert_eq!(order(&mut ctx, by_amount), [1, 4, 2, 3]);
    let later = FetchDescriptor::<v1::Entry>::new()
        .filter(fields.created.gt(instant(base, 0)))
        .sort(fields.created.asc());
    assert_eq!(order(&mut ctx, later), [1, 4]);
    let negative = FetchDescriptor::<v1::Entry>::new()
        .filter(fields.amount.lt(Decimal::ZERO))
        .sort(fields.amount.asc());
    assert_eq!(order(&mut ctx, negative), [3, 2]);
    let one = FetchDescriptor::<v1::Entry>::new()
        .filter(fields.uid.eq(Uuid::from_u128(2 << 120 | 0xabc)));
    assert_eq!(order(&mut ctx, one), [2]);
    let due = FetchDescriptor::<v1::Entry>::new()
        .filter(fields.due.le(NaiveDate::from_ymd_opt(2024, 5, 2)));
    assert_eq!(order(&mut ctx, due).len(), 2);
    // A date no column holds compares as the date would.
    let far = Utc.with_ymd_and_hms(12_000, 1, 1, 0, 0, 0).unwrap();
    let before_far = FetchDescriptor::<v1::Entry>::new().filter(fields.created.lt(far));
    assert_eq!(order(&mut ctx, before_far).len(), 4);
    let early = Utc.with_ymd_and_hms(-5, 1, 1, 0, 0, 0).unwrap();
    let after_early = FetchDescriptor::<v1::Entry>::new().filter(fields.created.gt(early));
    assert_eq!(order(&mut ctx, after_early).len(), 4);
    drop(ctx);
    drop(container);
    let conn = store.conn();
    let indexes = sql::indexes(&conn, "Entry");
    let first_columns: Vec<&str> = indexes.iter().map(|(_, _, c)| c.as_str()).collect();
    for expected in ["uid", "created", "amount", "due"] {
        assert!(
            first_columns.contains(&expected),
            "{expected} in {indexes:?}"
        );
    }
    // SQLite sorts by the index: the stored order is the order of values.
    let plan: String = conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT _id FROM Entry ORDER BY created",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(
        plan.contains("INDEX _staged_index_5_Entry_created"),
        "{plan}"
    );
}

#[test]
fn unique_value_types_refuse_equal_values() {
    let store = TempStore::new();
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    ctx.insert(entry(1, instant(0, 0), "1.5")).unwrap();
    // `1.50` equals `1.5`: the same stored text, refused by the unique index.
    let error = ctx.insert(entry(2, instant(0, 0), "1.50")).unwrap_err();
    assert!(error.to_string().contains("amount"), "{error}");
    let error = ctx.insert(entry(1, instant(0, 0), "2")).unwrap_err();
    assert!(error.to_string().contains("uid"), "{error}");
    assert_eq!(ctx.count::<v1::Entry>().unwrap(), 1);
}

#[test]
fn a_year_no_column_holds_is_an_encode_error_naming_the_attribute() {
    let store = TempStore::new();
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    let far = Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap();
    let error = ctx.insert(entry(1, far, "1")).unwrap_err();
    let staged::Error::Encode {
        entity, attribute, ..
    } = &error
    else {
        panic!("unexpected error: {error}");
    };
    assert_eq!((entity.as_str(), attribute.as_str()), ("Entry", "created"));
    assert!(error.to_string().contains("year 10000"), "{error}");
    drop(ctx);
    drop(container);
    assert_eq!(sql::rows(&store.conn(), "Entry"), Vec::<Vec<Value>>::new());
}

#[test]
fn text_the_type_cannot_read_is_a_decode_error_naming_the_record() {
    let store = TempStore::new();
    let container = plans::open_single::<v1::Schema>(store.path());
    let id = container
        .context()
        .insert(entry(1, instant(0, 0), "1"))
        .unwrap();
    store
        .conn()
        .execute("UPDATE Entry SET created = '2024-05-01 09:00'", [])
        .unwrap();
    let error = container.context().fetch_all::<v1::Entry>().unwrap_err();
    let staged::Error::Decode {
        entity,
        attribute,
        id: named,
        ..
    } = &error
    else {
        panic!("unexpected error: {error}");
    };
    assert_eq!(
        (entity.as_str(), attribute.as_str(), *named),
        ("Entry", "created", id.raw())
    );
}

#[test]
fn string_to_uuid_needs_a_custom_stage_naming_the_attribute() {
    let inference = staged::infer_step(
        text_ids::Schema::descriptor(),
        uuid_ids::Schema::descriptor(),
    )
    .unwrap();
    assert!(!inference.is_lightweight());
    let error = SchemaMigrationPlan::builder()
        .schema::<text_ids::Schema>()
        .schema::<uuid_ids::Schema>()
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("change type of `Entry.uid` from `text` to `uuid`"),
        "{error}"
    );
    assert!(error.contains("transform"), "{error}");
}

#[test]
fn string_to_uuid_migrates_with_a_transform() {
    let store = TempStore::new();
    let id = Uuid::from_u128(0x1234);
    {
        let container = plans::open_single::<text_ids::Schema>(store.path());
        container
            .context()
            .insert(text_ids::Entry {
                uid: id.to_string().to_uppercase(),
            })
            .unwrap();
    }
    let stage = MigrationStage::custom::<text_ids::Schema, uuid_ids::Schema>().transform(
        |old: text_ids::Entry| -> staged::Result<uuid_ids::Entry> {
            Ok(uuid_ids::Entry {
                uid: Uuid::parse_str(&old.uid).map_err(staged::Error::hook)?,
            })
        },
    );
    let plan = plans::two_with_stage::<text_ids::Schema, uuid_ids::Schema>(stage);
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let read = container.context().fetch_all::<uuid_ids::Entry>().unwrap();
    assert_eq!(read[0].uid, id);
    drop(read);
    drop(container);
    assert_eq!(
        sql::rows(&store.conn(), "Entry")[0][1],
        t("00000000-0000-0000-0000-000000001234")
    );
}

#[test]
fn a_leap_second_is_second_60_and_sorts_between_its_neighbours() {
    let store = TempStore::new();
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
        .unwrap()
        .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
        .unwrap()
        .and_utc();
    let before = instant(leap.timestamp(), 999_999_999);
    let after = instant(leap.timestamp() + 1, 0);
    for (n, created) in [(1, after), (2, leap), (3, before)] {
        ctx.insert(entry(n, created, &n.to_string())).unwrap();
    }
    let fields = v1::Entry::fields();
    let read: Vec<DateTime<Utc>> = ctx
        .fetch(FetchDescriptor::<v1::Entry>::new().sort(fields.created.asc()))
        .unwrap()
        .iter()
        .map(|e| e.created)
        .collect();
    assert_eq!(read, [before, leap, after]);
    drop(ctx);
    drop(container);
    let stored: String = store
        .conn()
        .query_row(
            "SELECT created FROM Entry WHERE amount LIKE '%2.%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, "2016-12-31T23:59:60.500000000Z");
}
