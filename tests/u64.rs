//! `u64` attributes: stored as SQLite INTEGER, so values from 0 to
//! `i64::MAX` are stored exactly and sort, filter and index as numbers; a
//! larger value is refused with `Error::Encode` naming the attribute, and
//! nothing is written. Widening `u32` to `u64`, and `u64` to `i64`, is
//! inferable. Every case uses a store file.

mod common;

use common::plans;
use common::sql::{self, i};
use common::store::TempStore;
use staged::prelude::*;
use staged::rusqlite::types::Value;

#[versioned_schema(version = "1.0.0")]
mod v1 {
    #[model]
    pub struct Counter {
        #[attribute(unique)]
        pub hits: u64,
        pub limit: Option<u64>,
        pub small: u32,
    }
}

#[versioned_schema(version = "2.0.0")]
mod v2 {
    #[model]
    pub struct Counter {
        #[attribute(unique)]
        pub hits: i64,
        pub limit: Option<u64>,
        pub small: u64,
    }
}

fn counter(hits: u64, limit: Option<u64>) -> v1::Counter {
    v1::Counter {
        hits,
        limit,
        small: u32::MAX,
    }
}

#[test]
fn values_up_to_i64_max_are_stored_exactly_and_sort_as_numbers() {
    let store = TempStore::new();
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    let max = i64::MAX as u64;
    for hits in [max, 0, 1 << 40, 7] {
        ctx.insert(counter(hits, Some(hits))).unwrap();
    }
    let fields = v1::Counter::fields();
    let sorted: Vec<u64> = ctx
        .fetch(
            FetchDescriptor::<v1::Counter>::new()
                .filter(fields.hits.gt(6u64))
                .sort(fields.hits.asc()),
        )
        .unwrap()
        .iter()
        .map(|c| c.hits)
        .collect();
    assert_eq!(sorted, [7, 1 << 40, max]);
    drop(ctx);
    drop(container);
    let conn = store.conn();
    let typeof_hits: Vec<String> = conn
        .prepare("SELECT typeof(hits) FROM Counter")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(typeof_hits, ["integer"; 4]);
    assert_eq!(sql::rows(&conn, "Counter")[0][1], i(i64::MAX));
}

#[test]
fn a_value_above_i64_max_is_an_encode_error_naming_the_attribute() {
    let store = TempStore::new();
    let container = plans::open_single::<v1::Schema>(store.path());
    let mut ctx = container.context();
    for (hits, limit, attribute) in [(u64::MAX, None, "hits"), (1, Some(1u64 << 63), "limit")] {
        let error = ctx.insert(counter(hits, limit)).unwrap_err();
        let staged::Error::Encode {
            entity,
            attribute: named,
            ..
        } = &error
        else {
            panic!("unexpected error: {error}");
        };
        assert_eq!((entity.as_str(), named.as_str()), ("Counter", attribute));
        assert!(
            error.to_string().contains("9223372036854775807"),
            "the message gives the largest storable value: {error}"
        );
    }
    assert_eq!(ctx.count::<v1::Counter>().unwrap(), 0);
    // A filter may compare with any `u64`: every stored value is below one
    // above `i64::MAX`.
    ctx.insert(counter(5, None)).unwrap();
    let fields = v1::Counter::fields();
    let count = |ctx: &mut ModelContext<v1::Schema>, predicate| {
        ctx.count_matching(FetchDescriptor::<v1::Counter>::new().filter(predicate))
            .unwrap()
    };
    assert_eq!(count(&mut ctx, fields.hits.lt(u64::MAX)), 1);
    assert_eq!(count(&mut ctx, fields.hits.ne(u64::MAX)), 1);
    assert_eq!(count(&mut ctx, fields.hits.eq(u64::MAX)), 0);
    assert_eq!(count(&mut ctx, fields.hits.ge(u64::MAX)), 0);
    let all: Vec<_> = ctx.fetch_all::<v1::Counter>().unwrap();
    for record in all {
        ctx.delete::<v1::Counter>(record.id()).unwrap();
    }
    drop(ctx);
    drop(container);
    assert_eq!(
        sql::rows(&store.conn(), "Counter"),
        Vec::<Vec<Value>>::new()
    );
}

#[test]
fn u32_to_u64_and_u64_to_i64_are_inferred_and_keep_every_value() {
    let store = TempStore::new();
    {
        let container = plans::open_single::<v1::Schema>(store.path());
        let mut ctx = container.context();
        ctx.insert(counter(i64::MAX as u64, None)).unwrap();
        ctx.insert(counter(3, Some(4))).unwrap();
    }
    let before = sql::rows(&store.conn(), "Counter");
    let plan = plans::two::<v1::Schema, v2::Schema>();
    assert_eq!(
        plan.migration_path(Version::new(1, 0, 0))
            .unwrap()
            .to_string(),
        "1.0.0 -[inferred]-> 2.0.0"
    );
    let container = ModelContainer::open(store.path(), plan).unwrap();
    let read: Vec<(i64, Option<u64>, u64)> = container
        .context()
        .fetch_all::<v2::Counter>()
        .unwrap()
        .iter()
        .map(|c| (c.hits, c.limit, c.small))
        .collect();
    assert_eq!(
        read,
        [
            (i64::MAX, None, u64::from(u32::MAX)),
            (3, Some(4), u64::from(u32::MAX))
        ]
    );
    drop(container);
    assert_eq!(sql::rows(&store.conn(), "Counter"), before);
    // The reverse, i64 -> u64, could meet negative values: a custom stage.
    let inference = staged::infer_step(v2::Schema::descriptor(), v1::Schema::descriptor()).unwrap();
    assert!(!inference.is_lightweight());
}
