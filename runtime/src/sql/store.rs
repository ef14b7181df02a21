//! The tables staged owns in a store (metadata and history), what
//! `inspect` reads, and the statements that check a store: integrity,
//! the schema SQLite reports (for drift), and dangling foreign keys.

use super::{HISTORY_TABLE, METADATA_TABLE, quote_ident};

/// `CREATE TABLE` of staged's own tables: the metadata (one row: version,
/// checksum, created and updated times in Unix milliseconds, and the schema
/// cookie when the store's tables were last known to be its version's) and
/// the history (one row per applied migration step).
pub fn create_own_tables() -> String {
    format!(
        "CREATE TABLE {meta} (
             id INTEGER PRIMARY KEY CHECK (id = 1),
             version TEXT NOT NULL,
             checksum TEXT NOT NULL,
             created_at INTEGER NOT NULL,
             updated_at INTEGER NOT NULL,
             {SCHEMA_COOKIE_COLUMN} INTEGER
         ) STRICT;
         CREATE TABLE {history} (
             seq INTEGER PRIMARY KEY,
             from_version TEXT NOT NULL,
             to_version TEXT NOT NULL,
             kind TEXT NOT NULL,
             started_at INTEGER NOT NULL,
             duration_ms INTEGER NOT NULL,
             rows_touched INTEGER NOT NULL
         ) STRICT;",
        meta = quote_ident(METADATA_TABLE),
        history = quote_ident(HISTORY_TABLE),
    )
}

/// The metadata column holding SQLite's schema cookie (`PRAGMA
/// schema_version`, which every change to the schema moves) as it was when
/// the store's tables were last known to be those of its version: when the
/// store was created, or when a migration stamped it; the revision of the
/// tables staged makes is in its high 32 bits. `NULL` when unknown (an
/// adopted database). Stores created before the column existed get it at
/// their next migration.
pub const SCHEMA_COOKIE_COLUMN: &str = "schema_cookie";

/// SQLite's schema cookie of the main database.
pub const SCHEMA_COOKIE: &str = "PRAGMA schema_version";

/// `INSERT` of the metadata row: version `?1`, checksum `?2`, created and
/// updated at `?3`, schema cookie `?4`.
pub fn insert_metadata() -> String {
    format!(
        "INSERT INTO {} (id, version, checksum, created_at, updated_at, {SCHEMA_COOKIE_COLUMN}) \
         VALUES (1, ?1, ?2, ?3, ?3, ?4)",
        quote_ident(METADATA_TABLE)
    )
}

/// `SELECT` of the store's version and checksum.
pub fn select_metadata() -> String {
    format!(
        "SELECT version, checksum FROM {} WHERE id = 1",
        quote_ident(METADATA_TABLE)
    )
}

/// `SELECT` of the schema cookie the metadata recorded (a store created
/// before the column existed has none: "no such column").
pub fn select_schema_cookie() -> String {
    format!(
        "SELECT {SCHEMA_COOKIE_COLUMN} FROM {} WHERE id = 1",
        quote_ident(METADATA_TABLE)
    )
}

/// `ALTER TABLE` adding the schema cookie column to the metadata of a store
/// created before it existed.
pub fn add_schema_cookie_column() -> String {
    format!(
        "ALTER TABLE {} ADD COLUMN {SCHEMA_COOKIE_COLUMN} INTEGER",
        quote_ident(METADATA_TABLE)
    )
}

/// `UPDATE` of the metadata row to version `?1`, checksum `?2`, updated at
/// `?3`, schema cookie `?4`.
pub fn stamp_metadata() -> String {
    format!(
        "UPDATE {} SET version = ?1, checksum = ?2, updated_at = ?3, {SCHEMA_COOKIE_COLUMN} = ?4 \
         WHERE id = 1",
        quote_ident(METADATA_TABLE)
    )
}

/// `UPDATE` of the schema cookie of the metadata in `database` (`main` or
/// an attached database) to `?1`.
pub fn set_schema_cookie(database: &str) -> String {
    format!(
        "UPDATE {}.{} SET {SCHEMA_COOKIE_COLUMN} = ?1",
        quote_ident(database),
        quote_ident(METADATA_TABLE)
    )
}

/// `INSERT` of a history row: from version `?1` to `?2`, the step's kind
/// `?3`, started at `?4`, lasting `?5` ms, having written `?6` rows.
pub fn insert_history() -> String {
    format!(
        "INSERT INTO {} (from_version, to_version, kind, started_at, duration_ms, rows_touched) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        quote_ident(HISTORY_TABLE)
    )
}

/// A Unix-milliseconds column as UTC `YYYY-MM-DD HH:MM:SS`.
fn utc(column: &str) -> String {
    format!("strftime('%Y-%m-%d %H:%M:%S', {column} / 1000, 'unixepoch')")
}

/// `SELECT` of the store's creation and update times, in Unix milliseconds
/// and as UTC text.
pub fn select_times() -> String {
    format!(
        "SELECT created_at, updated_at, {}, {} FROM {} WHERE id = 1",
        utc("created_at"),
        utc("updated_at"),
        quote_ident(METADATA_TABLE)
    )
}

/// `SELECT` of every history row, oldest first: versions, kind, start,
/// duration, rows, and the start as UTC text.
pub fn select_history() -> String {
    format!(
        "SELECT from_version, to_version, kind, started_at, duration_ms, rows_touched, {} FROM {} ORDER BY seq",
        utc("started_at"),
        quote_ident(HISTORY_TABLE)
    )
}

/// `SELECT` of the names of the entity tables, sorted (neither SQLite's
/// own tables nor the `_staged_` ones).
pub const SELECT_ENTITY_TABLES: &str = "SELECT name FROM sqlite_schema WHERE type = 'table' AND \
     name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_staged\\_%' ESCAPE '\\' ORDER BY name";

/// `SELECT` of the names of the join tables, sorted.
pub const SELECT_JOIN_TABLES: &str = "SELECT name FROM sqlite_schema WHERE type = 'table' AND \
     name LIKE '\\_staged\\_join\\_%' ESCAPE '\\' ORDER BY name";

/// Checks that every page and record is well formed, reporting at most 3
/// problems (cheaper than `integrity_check`, which also compares indexes
/// with their tables).
pub const QUICK_CHECK: &str = "PRAGMA quick_check(3)";

/// The name, table, type and root page of every table and index that has
/// pages.
pub const SELECT_ROOT_PAGES: &str =
    "SELECT name, tbl_name, type, rootpage FROM sqlite_schema WHERE rootpage > 0";

/// Checks the whole database, indexes against their tables included.
pub const INTEGRITY_CHECK: &str = "PRAGMA integrity_check";

/// The tables and views of the main database (name in column 1, type in
/// column 2), SQLite's own included.
pub const TABLE_LIST: &str = "PRAGMA main.table_list";

/// The columns of `table`: name (1), declared type (2), `NOT NULL` (3),
/// primary key (5).
pub fn table_info(table: &str) -> String {
    format!("PRAGMA table_info({})", quote_ident(table))
}

/// The indexes of `table`: name (1), unique (2), origin (3: `c` when made by
/// `CREATE INDEX`).
pub fn index_list(table: &str) -> String {
    format!("PRAGMA index_list({})", quote_ident(table))
}

/// The columns of `index`: name in column 2.
pub fn index_info(index: &str) -> String {
    format!("PRAGMA index_info({})", quote_ident(index))
}

/// The foreign keys of `table`: referenced table (2), column (3), `ON
/// DELETE` action (6).
pub fn foreign_key_list(table: &str) -> String {
    format!("PRAGMA foreign_key_list({})", quote_ident(table))
}

/// Every reference to a missing record: the referring table, its row's
/// rowid (NULL for a `WITHOUT ROWID` join table), the referenced table and
/// the referring column.
pub const FOREIGN_KEY_CHECK: &str = "SELECT c.\"table\", c.rowid, c.parent, l.\"from\" \
     FROM pragma_foreign_key_check AS c \
     JOIN pragma_foreign_key_list(c.\"table\") AS l ON l.id = c.fkid";

/// `SELECT` of `column` of the row of `table` whose rowid is `?1`.
pub fn select_by_rowid(table: &str, column: &str) -> String {
    format!(
        "SELECT {} FROM {} WHERE rowid = ?1",
        quote_ident(column),
        quote_ident(table)
    )
}
