//! The hand-written baselines of `benches/running_app.rs` do the same work
//! as staged: the same records read, the same rows written, on connections
//! with the same settings.

use std::time::Duration;

use staged::prelude::*;
use staged_bench::running_app::{
    Journal, Writer, open_raw, open_raw_reader, open_staged, raw_fetch_all, raw_insert, raw_page,
    raw_page_bound_limit, staged_fetch_all, staged_insert, staged_page, store, timed_readers,
};
use staged_bench::schemas::items::v1;

type Fields = (i64, String, String, Option<String>, i64, i64);

fn fields(records: &[Record<v1::Item>]) -> Vec<Fields> {
    records
        .iter()
        .map(|r| {
            (
                r.id().raw(),
                r.uid.clone(),
                r.title.clone(),
                r.notes.clone(),
                r.priority,
                r.legacy,
            )
        })
        .collect()
}

#[test]
fn a_hand_written_page_is_the_page_staged_fetches() {
    let (_dir, path) = store(10_000, Journal::WalNormal);
    let container = open_staged(&path, Journal::WalNormal);
    let mut ctx = container.context();
    let conn = open_raw_reader(&path);
    for k in [0, 1, 2, 57, 1_000, 12_345] {
        let page = fields(&staged_page(&mut ctx, k));
        assert_eq!(page.len(), 100, "page {k}");
        assert!(
            page.windows(2).all(|w| w[0].1 < w[1].1),
            "page {k} in uid order"
        );
        assert_eq!(page, fields(&raw_page(&conn, k)), "page {k}");
        assert_eq!(page, fields(&raw_page_bound_limit(&conn, k)), "page {k}");
    }
}

#[test]
fn the_hand_written_decode_loop_reads_every_record_staged_fetches() {
    let (_dir, path) = store(1_000, Journal::WalNormal);
    let container = open_staged(&path, Journal::WalNormal);
    let all = fields(&staged_fetch_all(&mut container.context()));
    assert_eq!(all.len(), 1_000);
    assert_eq!(all, fields(&raw_fetch_all(&open_raw_reader(&path))));
}

#[test]
fn hand_written_connections_have_the_settings_staged_gives_its_writer() {
    let pragmas = |conn: &staged::rusqlite::Connection| -> (String, i64, i64, i64) {
        let get = |name: &str| -> String {
            conn.query_row(&format!("PRAGMA {name}"), [], |row| {
                row.get::<_, staged::rusqlite::types::Value>(0)
                    .map(|v| match v {
                        staged::rusqlite::types::Value::Integer(i) => i.to_string(),
                        staged::rusqlite::types::Value::Text(t) => t,
                        other => format!("{other:?}"),
                    })
            })
            .expect(name)
        };
        (
            get("journal_mode"),
            get("synchronous").parse().expect("a number"),
            get("foreign_keys").parse().expect("a number"),
            get("busy_timeout").parse().expect("a number"),
        )
    };
    for journal in [Journal::WalNormal, Journal::RollbackFull] {
        let (_dir, path) = store(0, journal);
        let staged = {
            let container = open_staged(&path, journal);
            pragmas(&container.context().connection())
        };
        let raw = pragmas(&open_raw(&path, journal));
        let (mode, synchronous) = journal.pragmas();
        assert_eq!(
            staged,
            (mode.to_owned(), synchronous, 1, 5_000),
            "{journal:?}"
        );
        assert_eq!(raw, staged, "{journal:?}");
    }
}

#[test]
fn a_hand_written_insert_writes_the_row_staged_inserts() {
    for journal in [Journal::WalNormal, Journal::RollbackFull] {
        let (_staged_dir, staged_path) = store(0, journal);
        let (_raw_dir, raw_path) = store(0, journal);
        {
            let container = open_staged(&staged_path, journal);
            let mut ctx = container.context();
            let conn = open_raw(&raw_path, journal);
            for i in [3, 1, 4, 7] {
                staged_insert(&mut ctx, i);
                raw_insert(&conn, i);
            }
        }
        let read = |path| fields(&raw_fetch_all(&open_raw_reader(path)));
        let staged = read(&staged_path);
        assert_eq!(staged.len(), 4, "{journal:?}");
        assert_eq!(staged, read(&raw_path), "{journal:?}");
    }
}

#[test]
fn readers_read_while_the_writer_commits() {
    let (_dir, path) = store(10_000, Journal::WalNormal);
    let container = open_staged(&path, Journal::WalNormal);
    let mut writer_ctx = container.context();
    let writer = Writer::start(move |i| staged_insert(&mut writer_ctx, i));
    let took = timed_readers(4, 20, |_| {
        let mut ctx = container.context();
        move |k| assert_eq!(staged_page(&mut ctx, k).len(), 100)
    });
    assert!(took > Duration::ZERO);
    let commits = writer.commits();
    drop(writer);
    assert!(commits >= 1);
    let count = container.context().count::<v1::Item>().expect("count");
    assert!(count > 10_000, "{count}");
}
