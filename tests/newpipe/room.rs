//! What NewPipe itself does, replayed on a plain SQLite database: the
//! tables of its version 2 (the `createSql` and index statements of
//! `app/schemas/org.schabi.newpipe.database.AppDatabase/2.json`, with
//! `${TABLE_NAME}` filled in) and the SQL of its migrations 2 -> 3 … 8 -> 9
//! (`app/src/main/java/org/schabi/newpipe/database/Migrations.kt`),
//! statement for statement. Room runs migrations with foreign keys off, and so
//! does [`migrate`].

use staged::rusqlite::Connection;

/// The tables and indexes of version 2.
pub const VERSION_2: &str = "
    CREATE TABLE `subscriptions` (`uid` INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, `service_id` INTEGER NOT NULL, `url` TEXT, `name` TEXT, `avatar_url` TEXT, `subscriber_count` INTEGER, `description` TEXT);
    CREATE UNIQUE INDEX `index_subscriptions_service_id_url` ON `subscriptions` (`service_id`, `url`);
    CREATE TABLE `search_history` (`id` INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, `creation_date` INTEGER, `service_id` INTEGER NOT NULL, `search` TEXT);
    CREATE INDEX `index_search_history_search` ON `search_history` (`search`);
    CREATE TABLE `streams` (`uid` INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, `service_id` INTEGER NOT NULL, `url` TEXT, `title` TEXT, `stream_type` TEXT, `duration` INTEGER, `uploader` TEXT, `thumbnail_url` TEXT);
    CREATE UNIQUE INDEX `index_streams_service_id_url` ON `streams` (`service_id`, `url`);
    CREATE TABLE `stream_history` (`stream_id` INTEGER NOT NULL, `access_date` INTEGER NOT NULL, `repeat_count` INTEGER NOT NULL, PRIMARY KEY(`stream_id`, `access_date`), FOREIGN KEY(`stream_id`) REFERENCES `streams`(`uid`) ON UPDATE CASCADE ON DELETE CASCADE );
    CREATE INDEX `index_stream_history_stream_id` ON `stream_history` (`stream_id`);
    CREATE TABLE `stream_state` (`stream_id` INTEGER NOT NULL, `progress_time` INTEGER NOT NULL, PRIMARY KEY(`stream_id`), FOREIGN KEY(`stream_id`) REFERENCES `streams`(`uid`) ON UPDATE CASCADE ON DELETE CASCADE );
    CREATE TABLE `playlists` (`uid` INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, `name` TEXT, `thumbnail_url` TEXT);
    CREATE INDEX `index_playlists_name` ON `playlists` (`name`);
    CREATE TABLE `playlist_stream_join` (`playlist_id` INTEGER NOT NULL, `stream_id` INTEGER NOT NULL, `join_index` INTEGER NOT NULL, PRIMARY KEY(`playlist_id`, `join_index`), FOREIGN KEY(`playlist_id`) REFERENCES `playlists`(`uid`) ON UPDATE CASCADE ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, FOREIGN KEY(`stream_id`) REFERENCES `streams`(`uid`) ON UPDATE CASCADE ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED);
    CREATE UNIQUE INDEX `index_playlist_stream_join_playlist_id_join_index` ON `playlist_stream_join` (`playlist_id`, `join_index`);
    CREATE INDEX `index_playlist_stream_join_stream_id` ON `playlist_stream_join` (`stream_id`);
    CREATE TABLE `remote_playlists` (`uid` INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, `service_id` INTEGER NOT NULL, `name` TEXT, `url` TEXT, `thumbnail_url` TEXT, `uploader` TEXT, `stream_count` INTEGER);
    CREATE INDEX `index_remote_playlists_name` ON `remote_playlists` (`name`);
    CREATE UNIQUE INDEX `index_remote_playlists_service_id_url` ON `remote_playlists` (`service_id`, `url`);
";

/// `MIGRATION_2_3`: streams rebuilt with required columns (rows without a URL
/// dropped, other NULLs filled) and four new columns; the feed tables.
const MIGRATION_2_3: &str = "
    CREATE TABLE IF NOT EXISTS streams_new (uid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        service_id INTEGER NOT NULL, url TEXT NOT NULL, title TEXT NOT NULL,
        stream_type TEXT NOT NULL, duration INTEGER NOT NULL,
        uploader TEXT NOT NULL, thumbnail_url TEXT, view_count INTEGER,
        textual_upload_date TEXT, upload_date INTEGER,
        is_upload_date_approximation INTEGER);
    INSERT INTO streams_new (uid, service_id, url, title, stream_type,
        duration, uploader, thumbnail_url, view_count, textual_upload_date,
        upload_date, is_upload_date_approximation)
        SELECT uid, service_id, url, ifnull(title, ''),
        ifnull(stream_type, 'VIDEO_STREAM'), ifnull(duration, 0),
        ifnull(uploader, ''), ifnull(thumbnail_url, ''), NULL, NULL, NULL, NULL
        FROM streams WHERE url IS NOT NULL;
    DROP TABLE streams;
    ALTER TABLE streams_new RENAME TO streams;
    CREATE UNIQUE INDEX index_streams_service_id_url ON streams (service_id, url);
    CREATE TABLE IF NOT EXISTS feed (stream_id INTEGER NOT NULL, subscription_id INTEGER NOT NULL,
        PRIMARY KEY(stream_id, subscription_id),
        FOREIGN KEY(stream_id) REFERENCES streams(uid)
            ON UPDATE CASCADE ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        FOREIGN KEY(subscription_id) REFERENCES subscriptions(uid)
            ON UPDATE CASCADE ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED);
    CREATE INDEX index_feed_subscription_id ON feed (subscription_id);
    CREATE TABLE IF NOT EXISTS feed_group (uid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        name TEXT NOT NULL, icon_id INTEGER NOT NULL, sort_order INTEGER NOT NULL);
    CREATE INDEX index_feed_group_sort_order ON feed_group (sort_order);
    CREATE TABLE IF NOT EXISTS feed_group_subscription_join (group_id INTEGER NOT NULL,
        subscription_id INTEGER NOT NULL, PRIMARY KEY(group_id, subscription_id),
        FOREIGN KEY(group_id) REFERENCES feed_group(uid)
            ON UPDATE CASCADE ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        FOREIGN KEY(subscription_id) REFERENCES subscriptions(uid)
            ON UPDATE CASCADE ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED);
    CREATE INDEX index_feed_group_subscription_join_subscription_id
        ON feed_group_subscription_join (subscription_id);
    CREATE TABLE IF NOT EXISTS feed_last_updated (subscription_id INTEGER NOT NULL,
        last_updated INTEGER, PRIMARY KEY(subscription_id),
        FOREIGN KEY(subscription_id) REFERENCES subscriptions(uid)
            ON UPDATE CASCADE ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED);
";

/// `MIGRATION_3_4`.
const MIGRATION_3_4: &str = "ALTER TABLE streams ADD COLUMN uploader_url TEXT;";

/// `MIGRATION_4_5`.
const MIGRATION_4_5: &str =
    "ALTER TABLE `subscriptions` ADD COLUMN `notification_mode` INTEGER NOT NULL DEFAULT 0;";

/// `MIGRATION_5_6`.
const MIGRATION_5_6: &str =
    "ALTER TABLE `playlists` ADD COLUMN `is_thumbnail_permanent` INTEGER NOT NULL DEFAULT 0;";

/// `MIGRATION_6_7`: the thumbnail URL becomes the id of a stream of the
/// playlist that has that thumbnail, or -1.
const MIGRATION_6_7: &str = "
    ALTER TABLE `playlists` ADD COLUMN `thumbnail_stream_id` INTEGER NOT NULL DEFAULT -1;
    UPDATE playlists SET thumbnail_stream_id = (
        SELECT CASE WHEN COUNT(*) != 0 then stream_uid ELSE -1 END
        FROM (
            SELECT p.uid AS playlist_uid, s.uid AS stream_uid
            FROM playlists p
            LEFT JOIN playlist_stream_join ps ON p.uid = ps.playlist_id
            LEFT JOIN streams s ON s.uid = ps.stream_id
            WHERE s.thumbnail_url = p.thumbnail_url) AS temporary_table
        WHERE playlist_uid = playlists.uid);
    CREATE TABLE IF NOT EXISTS `playlists_new`(uid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        name TEXT, is_thumbnail_permanent INTEGER NOT NULL,
        thumbnail_stream_id INTEGER NOT NULL);
    INSERT INTO playlists_new
        SELECT uid, name, is_thumbnail_permanent, thumbnail_stream_id FROM playlists;
    DROP TABLE playlists;
    ALTER TABLE playlists_new RENAME TO playlists;
    CREATE INDEX IF NOT EXISTS `index_playlists_name` ON `playlists` (`name`);
";

/// `MIGRATION_7_8`: searches deduplicated by trimmed text and service, the
/// oldest kept, then trimmed.
const MIGRATION_7_8: &str = "
    DELETE FROM search_history WHERE id NOT IN (SELECT id FROM (SELECT
        MIN(id) as id FROM search_history GROUP BY trim(search), service_id ) tmp);
    UPDATE search_history SET search = trim(search);
";

/// `MIGRATION_8_9`: `display_index` (-1) on local and remote playlists, whose
/// tables are rebuilt without their index on `name`.
const MIGRATION_8_9: &str = "
    CREATE TABLE `playlists_tmp` (`uid` INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        `name` TEXT, `is_thumbnail_permanent` INTEGER NOT NULL,
        `thumbnail_stream_id` INTEGER NOT NULL, `display_index` INTEGER NOT NULL);
    INSERT INTO `playlists_tmp` (`uid`, `name`, `is_thumbnail_permanent`,
        `thumbnail_stream_id`, `display_index`)
        SELECT `uid`, `name`, `is_thumbnail_permanent`, `thumbnail_stream_id`, -1
        FROM `playlists`;
    DROP TABLE `playlists`;
    ALTER TABLE `playlists_tmp` RENAME TO `playlists`;
    CREATE TABLE `remote_playlists_tmp` (`uid` INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        `service_id` INTEGER NOT NULL, `name` TEXT, `url` TEXT,
        `thumbnail_url` TEXT, `uploader` TEXT, `display_index` INTEGER NOT NULL,
        `stream_count` INTEGER);
    INSERT INTO `remote_playlists_tmp` (`uid`, `service_id`, `name`, `url`,
        `thumbnail_url`, `uploader`, `display_index`, `stream_count`)
        SELECT `uid`, `service_id`, `name`, `url`, `thumbnail_url`, `uploader`,
        -1, `stream_count` FROM `remote_playlists`;
    DROP TABLE `remote_playlists`;
    ALTER TABLE `remote_playlists_tmp` RENAME TO `remote_playlists`;
    CREATE UNIQUE INDEX `index_remote_playlists_service_id_url`
        ON `remote_playlists` (`service_id`, `url`);
";

/// Each migration with the version it starts from.
const MIGRATIONS: [(u32, &str); 7] = [
    (2, MIGRATION_2_3),
    (3, MIGRATION_3_4),
    (4, MIGRATION_4_5),
    (5, MIGRATION_5_6),
    (6, MIGRATION_6_7),
    (7, MIGRATION_7_8),
    (8, MIGRATION_8_9),
];

/// NewPipe's latest database version.
pub const LATEST: u32 = 9;

/// The column Room's `INTEGER PRIMARY KEY AUTOINCREMENT` has in `table`
/// (staged's `_id`), if it has one.
pub fn id_column(table: &str) -> Option<&'static str> {
    match table {
        "search_history" => Some("id"),
        "subscriptions" | "streams" | "playlists" | "remote_playlists" | "feed_group" => {
            Some("uid")
        }
        _ => None,
    }
}

/// An empty database with NewPipe's tables of `version`, as an app that was
/// installed at version 2 has them at `version`: version 2's tables, then the
/// migrations up to `version`.
pub fn empty_database(version: u32) -> Connection {
    let conn = Connection::open_in_memory().expect("an in-memory database");
    conn.execute_batch(VERSION_2)
        .expect("the tables of version 2 are created");
    migrate(&conn, 2, version);
    conn
}

/// Runs NewPipe's migrations from `from` to `to` on `conn`, each in its own
/// transaction with foreign keys off, as Room does.
pub fn migrate(conn: &Connection, from: u32, to: u32) {
    conn.execute_batch("PRAGMA foreign_keys = OFF")
        .expect("foreign keys off");
    for (start, sql) in MIGRATIONS {
        if start >= from && start < to {
            conn.execute_batch(&format!("BEGIN; {sql} COMMIT;"))
                .unwrap_or_else(|e| {
                    panic!("NewPipe's migration {start} -> {} failed: {e}", start + 1)
                });
        }
    }
}
