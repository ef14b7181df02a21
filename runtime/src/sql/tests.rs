//! The SQL builders' text, statement by statement.

use super::*;
use crate::schema::{AttributeDescriptor, AttributeType, DefaultValue, EntityDescriptor};

fn entity() -> EntityDescriptor {
    EntityDescriptor::from_parts(
        "Reminder",
        None,
        vec![
            AttributeDescriptor::new("uid", AttributeType::Text).with_unique(true),
            AttributeDescriptor::new("notes", AttributeType::Text)
                .with_optional(true)
                .with_index(true),
            AttributeDescriptor::new("priority", AttributeType::I64)
                .with_default(DefaultValue::Integer(0)),
        ],
    )
}

#[test]
fn quotes_identifiers_and_text() {
    assert_eq!(quote_ident(r#"we"ird"#), r#""we""ird""#);
    assert_eq!(quote_text("it's"), "'it''s'");
    assert_eq!(default_literal(&DefaultValue::Real(1.0)), "1.0");
    assert_eq!(default_literal(&DefaultValue::Bool(true)), "1");
    assert_eq!(default_literal(&DefaultValue::text("a'b")), "'a''b'");
}

#[test]
fn table_sql() {
    assert_eq!(
        create_table("Reminder", &entity()),
        r#"CREATE TABLE "Reminder" ("_id" INTEGER PRIMARY KEY AUTOINCREMENT, "uid" TEXT NOT NULL, "notes" TEXT, "priority" INTEGER NOT NULL DEFAULT 0)"#
    );
    assert_eq!(
        create_indexes(&entity()),
        [
            r#"CREATE UNIQUE INDEX "_staged_unique_8_Reminder_uid" ON "Reminder" ("uid")"#,
            r#"CREATE INDEX "_staged_index_8_Reminder_notes" ON "Reminder" ("notes")"#,
        ]
    );
}

#[test]
fn sequence_sql() {
    assert_eq!(
        seed_sequence("_staged_new_0", "Re'minder"),
        r#"INSERT INTO sqlite_sequence (name, seq) SELECT '_staged_new_0', max(coalesce((SELECT max(seq) FROM sqlite_sequence WHERE name = 'Re''minder' COLLATE NOCASE), 0), coalesce((SELECT max("_id") FROM "Re'minder"), 0))"#
    );
}

#[test]
fn row_sql() {
    assert_eq!(
        insert(&entity(), false),
        r#"INSERT INTO "Reminder" ("uid", "notes", "priority") VALUES (?1, ?2, ?3)"#
    );
    assert_eq!(
        insert(&entity(), true),
        r#"INSERT INTO "Reminder" ("_id", "uid", "notes", "priority") VALUES (?1, ?2, ?3, ?4)"#
    );
    assert_eq!(
        select_from(&entity(), "Reminder"),
        r#"SELECT "_id", "uid", "notes", "priority" FROM "Reminder""#
    );
    assert_eq!(
        update(&entity()),
        r#"UPDATE "Reminder" SET "uid" = ?1, "notes" = ?2, "priority" = ?3 WHERE "_id" = ?4"#
    );
}

#[test]
fn upsert_tries_each_unique_constraint_in_order_and_sets_the_other_columns() {
    assert_eq!(
        upsert(&entity(), &[vec!["uid"], vec!["notes", "priority"]]),
        concat!(
            r#"INSERT INTO "Reminder" ("uid", "notes", "priority") VALUES (?1, ?2, ?3)"#,
            r#" ON CONFLICT ("uid") DO UPDATE SET "notes" = excluded."notes", "priority" = excluded."priority""#,
            r#" ON CONFLICT ("notes", "priority") DO UPDATE SET "uid" = excluded."uid""#,
        )
    );
    assert_eq!(
        upsert(&entity(), &[vec!["uid", "notes", "priority"]]),
        r#"INSERT INTO "Reminder" ("uid", "notes", "priority") VALUES (?1, ?2, ?3) ON CONFLICT ("uid", "notes", "priority") DO NOTHING"#,
        "a constraint on every column leaves nothing to update"
    );
}

#[test]
fn an_entity_without_attributes_is_inserted_and_updated() {
    let empty = EntityDescriptor::from_parts("Marker", None, Vec::new());
    assert_eq!(
        insert(&empty, false),
        r#"INSERT INTO "Marker" DEFAULT VALUES"#
    );
    assert_eq!(
        update(&empty),
        r#"UPDATE "Marker" SET "_id" = "_id" WHERE "_id" = ?1"#
    );
}

#[test]
fn constraint_messages_name_their_columns() {
    assert_eq!(
        failed_columns("UNIQUE constraint failed: Reminder.uid", Failed::Unique),
        Some("Reminder.uid")
    );
    let rebuilt = rebuilt_table(0);
    assert_eq!(
        failed_columns(
            &format!("NOT NULL constraint failed: {rebuilt}.title"),
            Failed::NotNull
        )
        .and_then(|columns| columns.strip_prefix(&format!("{rebuilt}."))),
        Some("title")
    );
    assert_eq!(
        failed_columns("UNIQUE constraint failed: Reminder.uid", Failed::NotNull),
        None
    );
}

#[test]
fn reads_sqlite_s_missing_column_message_back() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (a)").unwrap();
    let error = conn.prepare("SELECT a, b FROM t").unwrap_err();
    assert!(is_missing_column(&error, "b"));
    assert!(!is_missing_column(&error, "a"));
    let error = conn.prepare("SELECT a FROM missing").unwrap_err();
    assert!(!is_missing_column(&error, "a"));
}

#[test]
fn metadata_statements_name_the_schema_cookie() {
    assert_eq!(
        select_schema_cookie(),
        r#"SELECT schema_cookie FROM "_staged_metadata" WHERE id = 1"#
    );
    assert_eq!(
        stamp_metadata(),
        r#"UPDATE "_staged_metadata" SET version = ?1, checksum = ?2, updated_at = ?3, schema_cookie = ?4 WHERE id = 1"#
    );
    assert_eq!(
        add_schema_cookie_column(),
        r#"ALTER TABLE "_staged_metadata" ADD COLUMN schema_cookie INTEGER"#
    );
}
