//! SQL order equals Rust order for every value type: random values are
//! written to a store file, read back with `ORDER BY` and compared with
//! Rust's `sort`; a filter `lt(pivot)` matches as many records as Rust's `<`
//! (sub-second times, offsets, negative decimals).

mod common;

use std::fmt::Debug;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use common::plans;
use common::store::TempStore;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rust_decimal::Decimal;
use staged::prelude::*;
use staged::{BelongsTo, ColumnValue, Field, Model};
use url::Url;
use uuid::Uuid;

#[versioned_schema(version = "1.0.0")]
mod v1 {
    use super::*;

    #[model]
    pub struct Ids {
        pub value: Uuid,
    }
    #[model]
    pub struct Instants {
        #[attribute(index)]
        pub value: DateTime<Utc>,
    }
    #[model]
    pub struct Locals {
        pub value: NaiveDateTime,
    }
    #[model]
    pub struct Days {
        pub value: NaiveDate,
    }
    #[model]
    pub struct Offsets {
        pub value: time::OffsetDateTime,
    }
    #[model]
    pub struct Primitives {
        pub value: time::PrimitiveDateTime,
    }
    #[model]
    pub struct Dates {
        pub value: time::Date,
    }
    #[model]
    pub struct Links {
        pub value: Url,
    }
    #[model]
    pub struct Amounts {
        #[attribute(index)]
        pub value: Decimal,
    }
}

/// Unix seconds of 0000-01-01T00:00:00Z and of 9999-12-31T23:59:59Z.
const FIRST_SECOND: i64 = -62_167_219_200;
const LAST_SECOND: i64 = 253_402_300_799;

/// Instants over the whole range, and many within a few seconds of each
/// other so that sub-second digits decide the order.
fn unix_nanos() -> impl Strategy<Value = (i64, u32)> + Clone {
    let wide = (FIRST_SECOND..=LAST_SECOND, 0u32..1_000_000_000);
    let close = (1_714_554_000i64..1_714_554_003, 0u32..1_000_000_000);
    prop_oneof![wide, close]
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> + Clone {
    unix_nanos().prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap())
}

fn offset_date_time() -> impl Strategy<Value = time::OffsetDateTime> + Clone {
    // A day from the ends, so that every offset stays within years 0..=9999 in UTC.
    let seconds = (FIRST_SECOND + 86_400)..(LAST_SECOND - 86_400);
    let close = 1_714_554_000i64..1_714_554_003;
    (
        prop_oneof![seconds, close],
        0i64..1_000_000_000,
        -86_399i32..86_400,
    )
        .prop_map(|(s, n, offset)| {
            let utc = time::OffsetDateTime::from_unix_timestamp_nanos(
                i128::from(s) * 1_000_000_000 + i128::from(n),
            )
            .unwrap();
            utc.to_offset(time::UtcOffset::from_whole_seconds(offset).unwrap())
        })
}

fn primitive() -> impl Strategy<Value = time::PrimitiveDateTime> + Clone {
    unix_nanos().prop_map(|(s, n)| {
        let utc = time::OffsetDateTime::from_unix_timestamp_nanos(
            i128::from(s) * 1_000_000_000 + i128::from(n),
        )
        .unwrap();
        time::PrimitiveDateTime::new(utc.date(), utc.time())
    })
}

fn url() -> impl Strategy<Value = Url> + Clone {
    "(https?|ftp)://[a-z0-9]{1,4}(\\.[a-z]{1,3})?(:[0-9]{1,4})?(/[a-zA-Z0-9._~%-]{0,4}){0,3}(\\?[a-z=&]{0,5})?"
        .prop_filter_map("a URL", |text| Url::parse(&text).ok())
}

fn decimal() -> impl Strategy<Value = Decimal> + Clone {
    let max = (1i128 << 96) - 1;
    let wide = (-max..=max, 0u32..=28);
    let small = (-2_000i128..=2_000, 0u32..=4);
    prop_oneof![wide, small].prop_map(|(m, scale)| Decimal::from_i128_with_scale(m, scale))
}

/// Writes `values` as the only records of `M`, then compares the order of
/// `ORDER BY value` and the matches of `value < pivot` with Rust's.
fn check_order<M, T>(
    store: &TempStore,
    strategy: impl Strategy<Value = (Vec<T>, T)>,
    make: fn(T) -> M,
    get: fn(&M) -> T,
    field: Field<M, T>,
) where
    M: Model + BelongsTo<v1::Schema>,
    T: ColumnValue + Ord + Clone + Debug,
{
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut runner = TestRunner::new(Config {
        cases: 48,
        ..Config::default()
    });
    runner
        .run(&strategy, |(values, pivot)| {
            let mut ctx = container.context();
            ctx.delete_matching(field.lt(pivot.clone()).or(field.ge(pivot.clone())))
                .unwrap();
            ctx.insert_all(values.iter().cloned().map(make)).unwrap();
            let stored: Vec<T> = ctx
                .fetch(FetchDescriptor::<M>::new().sort(field.asc()))
                .unwrap()
                .iter()
                .map(|record| get(record))
                .collect();
            let mut sorted = values.clone();
            sorted.sort();
            prop_assert_eq!(&stored, &sorted);
            let below = ctx
                .count_matching(FetchDescriptor::<M>::new().filter(field.lt(pivot.clone())))
                .unwrap();
            let rust_below = values.iter().filter(|v| **v < pivot).count() as u64;
            prop_assert_eq!(below, rust_below);
            Ok(())
        })
        .unwrap();
}

fn values<T: Debug + Clone>(
    one: impl Strategy<Value = T> + Clone,
) -> impl Strategy<Value = (Vec<T>, T)> + Clone {
    (proptest::collection::vec(one.clone(), 0..24), one)
}

#[test]
fn uuid_order() {
    let store = TempStore::new();
    let uuid = any::<u128>().prop_map(Uuid::from_u128);
    check_order(
        &store,
        values(uuid),
        |value| v1::Ids { value },
        |m| m.value,
        v1::Ids::fields().value,
    );
}

#[test]
fn chrono_date_time_utc_order() {
    let store = TempStore::new();
    check_order(
        &store,
        values(instant()),
        |value| v1::Instants { value },
        |m| m.value,
        v1::Instants::fields().value,
    );
}

#[test]
fn chrono_naive_date_time_and_date_order() {
    let store = TempStore::new();
    check_order(
        &store,
        values(instant().prop_map(|i| i.naive_utc())),
        |value| v1::Locals { value },
        |m| m.value,
        v1::Locals::fields().value,
    );
    check_order(
        &store,
        values(instant().prop_map(|i| i.date_naive())),
        |value| v1::Days { value },
        |m| m.value,
        v1::Days::fields().value,
    );
}

#[test]
fn time_offset_date_time_order() {
    let store = TempStore::new();
    check_order(
        &store,
        values(offset_date_time()),
        |value| v1::Offsets { value },
        |m| m.value,
        v1::Offsets::fields().value,
    );
}

#[test]
fn time_primitive_date_time_and_date_order() {
    let store = TempStore::new();
    check_order(
        &store,
        values(primitive()),
        |value| v1::Primitives { value },
        |m| m.value,
        v1::Primitives::fields().value,
    );
    check_order(
        &store,
        values(primitive().prop_map(|p| p.date())),
        |value| v1::Dates { value },
        |m| m.value,
        v1::Dates::fields().value,
    );
}

#[test]
fn url_order() {
    let store = TempStore::new();
    check_order(
        &store,
        values(url()),
        |value| v1::Links { value },
        |m| m.value.clone(),
        v1::Links::fields().value,
    );
}

#[test]
fn decimal_order() {
    let store = TempStore::new();
    check_order(
        &store,
        values(decimal()),
        |value| v1::Amounts { value },
        |m| m.value,
        v1::Amounts::fields().value,
    );
}
