//! A real app's history: NewPipe's database, versions 2 to 9, declared with
//! staged (`tests/newpipe/`). A store seeded at each version is migrated to
//! version 9, and every table is compared, row by row and column by column,
//! with what NewPipe's own migration SQL makes of the same rows on a plain
//! SQLite database. `docs/newpipe.md` has the step table and what the schema
//! language could not say exactly.

mod newpipe;

use newpipe::{compare, room, seed, stages, v2, v7, v9};
use staged::AdoptionMismatch;
use staged::prelude::*;
use staged::testing::MigrationTest;

/// Seeds a store at `V` (NewPipe's `version`), copies its rows into NewPipe's
/// tables of that version, migrates both to version 9 (staged's plan, NewPipe's
/// SQL) and compares every table. Returns the rows per table.
fn migrate_both<V: VersionedSchema>(
    version: u32,
    seed: fn(&mut ModelContext<V>) -> staged::Result<()>,
) -> Vec<(String, usize)> {
    let test = MigrationTest::new(stages::plan().unwrap());
    let store = test.store::<V>().unwrap();
    seed(&mut store.context()).unwrap();
    let newpipe = room::empty_database(version);
    compare::copy_store_into(store.path(), &newpipe, version);

    let migrated = store.migrate().unwrap();
    room::migrate(&newpipe, version, room::LATEST);
    compare::assert_same_rows(migrated.path(), &newpipe)
}

#[test]
fn the_plan_has_three_custom_stages_and_infers_the_rest() {
    let plan = stages::plan().unwrap();
    let paths: Vec<String> = (2..=8)
        .map(|v| {
            plan.migration_path(Version::new(v, 0, 0))
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        paths,
        [
            "2.0.0 -[custom]-> 3.0.0 -[inferred]-> 6.0.0 -[custom]-> 7.0.0 -[custom]-> 8.0.0 -[inferred]-> 9.0.0",
            "3.0.0 -[inferred]-> 6.0.0 -[custom]-> 7.0.0 -[custom]-> 8.0.0 -[inferred]-> 9.0.0",
            "4.0.0 -[inferred]-> 6.0.0 -[custom]-> 7.0.0 -[custom]-> 8.0.0 -[inferred]-> 9.0.0",
            "5.0.0 -[inferred]-> 6.0.0 -[custom]-> 7.0.0 -[custom]-> 8.0.0 -[inferred]-> 9.0.0",
            "6.0.0 -[custom]-> 7.0.0 -[custom]-> 8.0.0 -[inferred]-> 9.0.0",
            "7.0.0 -[custom]-> 8.0.0 -[inferred]-> 9.0.0",
            "8.0.0 -[inferred]-> 9.0.0",
        ]
    );
}

#[test]
fn a_store_from_version_2_ends_as_newpipes_sql_leaves_it() {
    let counts = migrate_both::<v2::Schema>(2, seed::seed_v2);
    // Version 2 has no feed tables: they are created empty.
    let expected = [
        ("feed", 0),
        ("feed_group", 0),
        ("feed_group_subscription_join", 0),
        ("feed_last_updated", 0),
        ("playlist_stream_join", 6),
        ("playlists", 5),
        ("remote_playlists", 2),
        ("search_history", 6), // " rust " and a second NULL search merged
        ("stream_history", 5),
        ("stream_state", 3),
        ("streams", 5), // the stream without a URL dropped
        ("subscriptions", 3),
    ];
    let expected: Vec<(String, usize)> =
        expected.iter().map(|(t, n)| (t.to_string(), *n)).collect();
    assert_eq!(counts, expected);
}

#[test]
fn stores_from_versions_3_to_9_end_as_newpipes_sql_leaves_them() {
    let counts = [
        migrate_both::<newpipe::v3::Schema>(3, seed::seed_v3),
        migrate_both::<newpipe::v4::Schema>(4, seed::seed_v4),
        migrate_both::<newpipe::v5::Schema>(5, seed::seed_v5),
        migrate_both::<newpipe::v6::Schema>(6, seed::seed_v6),
        migrate_both::<v7::Schema>(7, seed::seed_v7),
        migrate_both::<newpipe::v8::Schema>(8, seed::seed_v8),
        migrate_both::<v9::Schema>(9, seed::seed_v9),
    ];
    for (from, counts) in (3..).zip(counts) {
        let searches = if from < 8 { 6 } else { 8 };
        for (table, rows) in counts {
            let expected = match table.as_str() {
                "search_history" => searches,
                "feed" | "feed_group_subscription_join" | "subscriptions" => 3,
                "feed_group" | "feed_last_updated" | "remote_playlists" => 2,
                "stream_state" => 3,
                "playlists" | "streams" | "stream_history" => 5,
                "playlist_stream_join" => 6,
                other => panic!("unexpected table `{other}`"),
            };
            assert_eq!(rows, expected, "`{table}` from version {from}");
        }
    }
}

#[test]
fn playlist_thumbnails_become_stream_ids_and_searches_are_merged() {
    let test = MigrationTest::new(stages::plan().unwrap());
    let store = test.store::<v2::Schema>().unwrap();
    seed::seed_v2(&mut store.context()).unwrap();
    let mut ctx = store.migrate().unwrap().context();

    let thumbnails: Vec<(Option<String>, i64)> = ctx
        .fetch_all::<v9::Playlist>()
        .unwrap()
        .into_iter()
        .map(|p| (p.name.clone(), p.thumbnail_stream_id))
        .collect();
    let streams = ctx.fetch_all::<v9::Stream>().unwrap();
    let id = |title: &str| {
        let stream = streams.iter().find(|s| s.title.starts_with(title));
        stream.unwrap().id().raw()
    };
    let (egg, rick) = (id("The Egg"), id("Never Gonna"));
    assert_eq!(
        thumbnails,
        [
            (Some("Favourites".into()), egg),
            (Some("Watch later".into()), -1), // no stream has its thumbnail
            (None, -1),
            (Some("Rick, twice".into()), rick),
            (Some("Music".into()), -1), // the stream with its thumbnail is not in it
        ]
    );

    let searches: Vec<(i64, Option<String>)> = ctx
        .fetch_all::<v9::SearchHistory>()
        .unwrap()
        .into_iter()
        .map(|s| (s.service_id, s.search.clone()))
        .collect();
    let search = |s: &str| Some(s.to_owned());
    assert_eq!(
        searches,
        [
            (0, search("rust")),
            (1, search("rust")),
            (0, search("lofi")),
            (0, search("\tlofi")),
            (0, None),
            (0, search("kurzgesagt egg")),
        ]
    );
}

#[test]
fn keys_and_indexes_differ_only_where_the_schema_language_cannot_follow() {
    let test = MigrationTest::new(stages::plan().unwrap());
    let store = test.store::<v2::Schema>().unwrap();
    seed::seed_v2(&mut store.context()).unwrap();
    let newpipe = room::empty_database(2);
    compare::copy_store_into(store.path(), &newpipe, 2);
    let migrated = store.migrate().unwrap();
    room::migrate(&newpipe, 2, room::LATEST);

    let (missing, extra) = compare::key_differences(migrated.path(), &newpipe);
    let key = |table: &str, unique: bool, columns: &[&str]| {
        let columns = columns.iter().map(|c| c.to_string()).collect();
        (table.to_owned(), unique, columns)
    };
    // A to-one cannot be unique on its own: the one-to-one primary keys.
    assert_eq!(
        missing,
        [
            key("feed_last_updated", true, &["subscription_id"]),
            key("stream_state", true, &["stream_id"]),
        ]
    );
    // Every to-one is indexed, also where NewPipe's composite key covers it.
    assert_eq!(
        extra,
        [
            key("feed", false, &["stream_id"]),
            key("feed_group_subscription_join", false, &["group_id"]),
            key("feed_last_updated", false, &["subscription_id"]),
            key("playlist_stream_join", false, &["playlist_id"]),
            key("stream_state", false, &["stream_id"]),
        ]
    );
}

/// Where staged and NewPipe part ways on purpose: version 3 drops the streams
/// without a URL. NewPipe's migration runs with foreign keys off and leaves
/// their history pointing at nothing; staged applies the delete rule of
/// `stream_history.stream_id` (`ON DELETE CASCADE`) to the rows a transform
/// drops, so the history goes with its stream.
#[test]
fn the_history_of_a_dropped_stream_goes_with_it_where_newpipe_leaves_it_dangling() {
    let test = MigrationTest::new(stages::plan().unwrap());
    let store = test.store::<v2::Schema>().unwrap();
    let mut ctx = store.context();
    seed::seed_v2(&mut ctx).unwrap();
    let no_url = FetchDescriptor::new().filter(v2::Stream::fields().url.is_null());
    let lost = ctx.fetch::<v2::Stream>(no_url).unwrap()[0].id();
    ctx.insert(v2::StreamHistory {
        stream: Ref::new(lost),
        access_date: 1_700_400_000_000,
        repeat_count: 1,
    })
    .unwrap();
    let newpipe = room::empty_database(2);
    compare::copy_store_into(store.path(), &newpipe, 2);

    let mut ctx = store.migrate().unwrap().context();
    room::migrate(&newpipe, 2, room::LATEST);

    let count = |sql: &str| {
        newpipe
            .query_row(sql, [], |row| row.get::<_, i64>(0))
            .unwrap()
    };
    assert_eq!(count("SELECT count(*) FROM stream_history"), 6);
    let dangling = "SELECT count(*) FROM pragma_foreign_key_check('stream_history')";
    assert_eq!(count(dangling), 1);
    assert_eq!(ctx.count::<v9::StreamHistory>().unwrap(), 5);
    let history = ctx.fetch_all::<v9::StreamHistory>().unwrap();
    assert!(history.iter().all(|h| h.stream.id() != lost));
}

/// NewPipe's own database at version 9 (its tables and Room's
/// `room_master_table`), empty, offered to `adopt::<v9::Schema>()`: what
/// stops an app from taking over its users' databases. The composite primary
/// keys and the one-to-one primary keys are gaps of the schema language; the
/// three `(service_id, url)` unique indexes are declared by `v9`
/// (`#[model(unique(service_id, url))]`), yet adoption does not see them
/// (`docs/newpipe.md`, "Found while doing this").
#[test]
fn adopting_newpipes_own_database_is_refused_for_its_one_to_one_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newpipe.db");
    let newpipe = room::empty_database(room::LATEST);
    newpipe
        .execute_batch(
            "CREATE TABLE IF NOT EXISTS room_master_table (id INTEGER PRIMARY KEY,identity_hash TEXT);
             INSERT OR REPLACE INTO room_master_table (id,identity_hash)
                 VALUES(42, '7591e8039faa74d8c0517dc867af9d3e');",
        )
        .unwrap();
    newpipe
        .execute("VACUUM INTO ?1", [path.to_str().unwrap()])
        .unwrap();
    drop(newpipe);
    let opened = ModelContainer::builder(stages::plan().unwrap())
        .adopt::<v9::Schema>()
        .open(&path);
    let Err(error) = opened else {
        panic!("adoption accepted");
    };
    let staged::Error::Store(staged::StoreError::AdoptionMismatch { mismatches, .. }) = &error
    else {
        panic!("not an adoption mismatch: {error}");
    };
    let mut found: Vec<String> = mismatches
        .iter()
        .map(|mismatch| match mismatch {
            AdoptionMismatch::CompoundPrimaryKey { entity, columns } => {
                format!("{entity}: primary key {columns:?}")
            }
            AdoptionMismatch::IdDeclared { entity, column } => {
                format!("{entity}: {column} would be the record id")
            }
            AdoptionMismatch::UndeclaredUnique {
                entity, columns, ..
            } => format!("{entity}: unique {columns:?} not declared"),
            AdoptionMismatch::UnexpectedTable { table } => format!("{table}: unexpected"),
            other => format!("{other:?}"),
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "feed_last_updated: subscription_id would be the record id",
            "room_master_table: unexpected",
            "stream_state: stream_id would be the record id",
        ]
    );
}
