//! Every baseline does the same work as staged: on copies of the same small
//! store, both leave the same rows (ids included) and the same columns, so
//! the benchmarks compare like with like.

use std::path::Path;

use staged::prelude::*;
use staged::rusqlite::{Connection, types::Value};
use staged_bench::fixture::{self, Fixture};
use staged_bench::schemas::{events, items, skip};
use staged_bench::{baseline, native, open_with, versions};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A table's rows, each as `(column, value)` pairs.
type Rows = Vec<Vec<(String, Value)>>;

const ROWS: usize = 1_000;

/// Every row of `table`, in id order, as `(column, value)` pairs sorted by column.
fn dump(path: &Path, table: &str) -> Result<Rows, Box<dyn std::error::Error>> {
    let conn = Connection::open(path)?;
    let mut statement = conn.prepare(&format!("SELECT * FROM \"{table}\" ORDER BY \"_id\""))?;
    let names: Vec<String> = statement.column_names().map(str::to_owned).collect();
    let rows = statement
        .query_map([], |row| {
            let mut pairs: Vec<(String, Value)> = names
                .iter()
                .enumerate()
                .map(|(i, n)| Ok((n.clone(), row.get::<_, Value>(i)?)))
                .collect::<Result<_, staged::rusqlite::Error>>()?;
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(pairs)
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The names of the indexes on `table`, sorted.
fn indexes(path: &Path, table: &str) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let conn = Connection::open(path)?;
    let mut statement = conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?1 ORDER BY name",
    )?;
    let names = statement
        .query_map([table], |row| row.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(names)
}

#[test]
fn lightweight_baselines_match_staged() -> TestResult {
    let fixture = Fixture::build("items", |path| fixture::items_v1(path, ROWS))?;
    let ours = fixture.fresh_copy();
    assert_eq!(
        open_with(&ours, items::lightweight_plan()?)?,
        Version::new(2, 0, 0)
    );
    let expected = dump(&ours, "Item")?;
    assert_eq!(expected.len(), ROWS);
    let columns: Vec<&str> = expected[0].iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        columns,
        ["_id", "name", "notes", "priority", "score", "uid"]
    );
    assert_eq!(
        expected[0][4].1,
        Value::Integer(0),
        "score takes its default"
    );
    assert_eq!(
        expected[0][1].1,
        Value::Text("item number 1".into()),
        "title kept as name"
    );
    for run in [baseline::lightweight_alter, baseline::lightweight_rebuild] {
        let theirs = tempfile::NamedTempFile::new()?;
        std::fs::copy(fixture.seeded(), theirs.path())?;
        run(theirs.path())?;
        assert_eq!(dump(theirs.path(), "Item")?, expected);
        assert_eq!(indexes(theirs.path(), "Item")?, indexes(&ours, "Item")?);
    }
    Ok(())
}

#[test]
fn add_column_baseline_matches_staged() -> TestResult {
    let fixture = Fixture::build("items", |path| fixture::items_v1(path, ROWS))?;
    let ours = fixture.fresh_copy();
    open_with(&ours, items::add_column_plan()?)?;
    let theirs = tempfile::NamedTempFile::new()?;
    std::fs::copy(fixture.seeded(), theirs.path())?;
    baseline::add_column(theirs.path())?;
    let expected = dump(&ours, "Item")?;
    assert!(
        expected
            .iter()
            .all(|row| row.iter().any(|(n, v)| n == "due" && *v == Value::Null))
    );
    assert_eq!(dump(theirs.path(), "Item")?, expected);
    Ok(())
}

#[test]
fn skip_baselines_match_staged() -> TestResult {
    let fixture = Fixture::build("docs", |path| fixture::docs_v1(path, ROWS))?;
    let one_step = fixture.fresh_copy();
    open_with(&one_step, skip::plan_to_5()?)?;
    let expected = dump(&one_step, "Doc")?;
    assert_eq!(expected.len(), ROWS);
    let columns: Vec<&str> = expected[0].iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        columns,
        ["_id", "heading", "pinned", "priority", "text", "uid"]
    );

    let step_by_step = tempfile::NamedTempFile::new()?;
    std::fs::copy(fixture.seeded(), step_by_step.path())?;
    open_with(step_by_step.path(), skip::plan_to_2()?)?;
    open_with(step_by_step.path(), skip::plan_to_3()?)?;
    open_with(step_by_step.path(), skip::plan_to_4()?)?;
    open_with(step_by_step.path(), skip::plan_to_5()?)?;
    assert_eq!(dump(step_by_step.path(), "Doc")?, expected);

    let sql = tempfile::NamedTempFile::new()?;
    std::fs::copy(fixture.seeded(), sql.path())?;
    baseline::skip_step_by_step(sql.path())?;
    assert_eq!(dump(sql.path(), "Doc")?, expected);
    Ok(())
}

#[test]
fn transform_baselines_match_staged() -> TestResult {
    let fixture = Fixture::build("events", |path| fixture::events_v1(path, ROWS))?;
    let ours = fixture.fresh_copy();
    open_with(&ours, events::transform_plan()?)?;
    let expected = dump(&ours, "Event")?;
    assert_eq!(expected.len(), ROWS);

    let theirs = tempfile::NamedTempFile::new()?;
    std::fs::copy(fixture.seeded(), theirs.path())?;
    baseline::transform_loop(theirs.path())?;
    assert_eq!(dump(theirs.path(), "Event")?, expected);

    let dir = tempfile::tempdir()?;
    let db = dir.path().join("native.redb");
    native::seed(&db, ROWS).map_err(|e| e.to_string())?;
    native::migrate(&db).map_err(|e| e.to_string())?;
    let migrated = native::read_all_v2(&db).map_err(|e| e.to_string())?;
    assert_eq!(migrated.len(), ROWS);
    for (event, row) in migrated.iter().zip(&expected) {
        let field = |name: &str| row.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        assert_eq!(field("_id"), Some(Value::Integer(event.id as i64)));
        assert_eq!(field("name"), Some(Value::Text(event.name.clone())));
        assert_eq!(field("hour"), Some(Value::Integer(event.hour)));
        assert_eq!(
            field("minute_of_hour"),
            Some(Value::Integer(event.minute_of_hour))
        );
        assert_eq!(field("payload"), Some(Value::Text(event.payload.clone())));
    }
    Ok(())
}

#[test]
fn open_baseline_reads_the_version_staged_opens() -> TestResult {
    let fixture = Fixture::build("current", |path| fixture::events_v2(path, ROWS))?;
    let container = ModelContainer::open(fixture.seeded(), events::current_plan()?)?;
    assert_eq!(
        container.context().count::<events::v2::Event>()?,
        ROWS as u64
    );
    let (_, version) = baseline::open_and_query(fixture.seeded())?;
    assert_eq!(version, "2.0.0");
    Ok(())
}

#[test]
fn two_hundred_version_plan_builds_and_plans() -> TestResult {
    let plan = versions::plan()?;
    assert_eq!(plan.schemas().len(), 200);
    let path = plan.migration_path(Version::new(1, 0, 0))?;
    // A version with a custom stage is never skipped: its stage is taken,
    // and lightweight runs join the stages: 1 -> 20 -[custom]-> 25 -> 40 …
    let mut expected = "1.0.0".to_owned();
    for k in (20..200).step_by(20) {
        expected.push_str(&format!(" -[inferred]-> {k}.0.0 -[custom]-> {}.0.0", k + 5));
    }
    expected.push_str(" -[inferred]-> 200.0.0");
    assert_eq!(path.to_string(), expected);
    assert_eq!(path.steps().len(), 19);
    Ok(())
}
