//! NewPipe's database versions 2 to 5 (`AppDatabase/2.json` … `5.json`), as
//! close as the schema language allows. Every table keeps its name
//! (`#[model(name = "…")]`) and every column its name; the differences are
//! listed in `docs/newpipe.md`:
//!
//! - the `INTEGER PRIMARY KEY AUTOINCREMENT` column (`uid`, or `id` in
//!   `search_history`) is staged's own `_id`, so the model does not declare it;
//! - a composite primary key is a compound `unique(…)`, and its table gets an
//!   `_id` column too;
//! - a foreign key to a `uid` is a `Ref` with `delete_rule = "cascade"`
//!   (`ON DELETE CASCADE`); `ON UPDATE CASCADE` and `DEFERRABLE INITIALLY
//!   DEFERRED` have no counterpart;
//! - a single-column primary key that is also a foreign key (`stream_state`,
//!   `feed_last_updated`) is a `Ref` without `unique`: a to-one cannot be
//!   unique on its own.

use staged::prelude::*;

/// Version 2: subscriptions, search history, streams and their history and
/// state, local and remote playlists.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    use staged::prelude::*;

    #[model(name = "subscriptions", unique(service_id, url))]
    pub struct Subscription {
        pub service_id: i64,
        pub url: Option<String>,
        pub name: Option<String>,
        pub avatar_url: Option<String>,
        pub subscriber_count: Option<i64>,
        pub description: Option<String>,
    }

    #[model(name = "search_history")]
    pub struct SearchHistory {
        pub creation_date: Option<i64>,
        pub service_id: i64,
        #[attribute(index)]
        pub search: Option<String>,
    }

    #[model(name = "streams", unique(service_id, url))]
    pub struct Stream {
        pub service_id: i64,
        pub url: Option<String>,
        pub title: Option<String>,
        pub stream_type: Option<String>,
        pub duration: Option<i64>,
        pub uploader: Option<String>,
        pub thumbnail_url: Option<String>,
    }

    #[model(name = "stream_history", unique(stream, access_date))]
    pub struct StreamHistory {
        #[attribute(name = "stream_id")]
        #[relationship(delete_rule = "cascade")]
        pub stream: Ref<Stream>,
        pub access_date: i64,
        pub repeat_count: i64,
    }

    #[model(name = "stream_state")]
    pub struct StreamState {
        #[attribute(name = "stream_id")]
        #[relationship(delete_rule = "cascade")]
        pub stream: Ref<Stream>,
        pub progress_time: i64,
    }

    #[model(name = "playlists")]
    pub struct Playlist {
        #[attribute(index)]
        pub name: Option<String>,
        pub thumbnail_url: Option<String>,
    }

    #[model(name = "playlist_stream_join", unique(playlist, index))]
    pub struct PlaylistStreamJoin {
        #[attribute(name = "playlist_id")]
        #[relationship(delete_rule = "cascade")]
        pub playlist: Ref<Playlist>,
        #[attribute(name = "stream_id")]
        #[relationship(delete_rule = "cascade")]
        pub stream: Ref<Stream>,
        #[attribute(name = "join_index")]
        pub index: i64,
    }

    #[model(name = "remote_playlists", unique(service_id, url))]
    pub struct RemotePlaylist {
        pub service_id: i64,
        #[attribute(index)]
        pub name: Option<String>,
        pub url: Option<String>,
        pub thumbnail_url: Option<String>,
        pub uploader: Option<String>,
        pub stream_count: Option<i64>,
    }
}

/// Version 3: the stream columns become required (NULL URLs dropped, other
/// NULLs filled) and gain upload dates and view counts; the feed tables.
#[versioned_schema(version = "3.0.0")]
pub mod v3 {
    use staged::prelude::*;

    #[model(name = "subscriptions", unique(service_id, url))]
    pub struct Subscription {
        pub service_id: i64,
        pub url: Option<String>,
        pub name: Option<String>,
        pub avatar_url: Option<String>,
        pub subscriber_count: Option<i64>,
        pub description: Option<String>,
    }

    #[model(name = "search_history")]
    pub struct SearchHistory {
        pub creation_date: Option<i64>,
        pub service_id: i64,
        #[attribute(index)]
        pub search: Option<String>,
    }

    #[model(name = "streams", unique(service_id, url))]
    pub struct Stream {
        pub service_id: i64,
        pub url: String,
        pub title: String,
        pub stream_type: String,
        pub duration: i64,
        pub uploader: String,
        pub thumbnail_url: Option<String>,
        pub view_count: Option<i64>,
        pub textual_upload_date: Option<String>,
        pub upload_date: Option<i64>,
        pub is_upload_date_approximation: Option<bool>,
    }

    #[model(name = "stream_history", unique(stream, access_date))]
    pub struct StreamHistory {
        #[attribute(name = "stream_id")]
        #[relationship(delete_rule = "cascade")]
        pub stream: Ref<Stream>,
        pub access_date: i64,
        pub repeat_count: i64,
    }

    #[model(name = "stream_state")]
    pub struct StreamState {
        #[attribute(name = "stream_id")]
        #[relationship(delete_rule = "cascade")]
        pub stream: Ref<Stream>,
        pub progress_time: i64,
    }

    #[model(name = "playlists")]
    pub struct Playlist {
        #[attribute(index)]
        pub name: Option<String>,
        pub thumbnail_url: Option<String>,
    }

    #[model(name = "playlist_stream_join", unique(playlist, index))]
    pub struct PlaylistStreamJoin {
        #[attribute(name = "playlist_id")]
        #[relationship(delete_rule = "cascade")]
        pub playlist: Ref<Playlist>,
        #[attribute(name = "stream_id")]
        #[relationship(delete_rule = "cascade")]
        pub stream: Ref<Stream>,
        #[attribute(name = "join_index")]
        pub index: i64,
    }

    #[model(name = "remote_playlists", unique(service_id, url))]
    pub struct RemotePlaylist {
        pub service_id: i64,
        #[attribute(index)]
        pub name: Option<String>,
        pub url: Option<String>,
        pub thumbnail_url: Option<String>,
        pub uploader: Option<String>,
        pub stream_count: Option<i64>,
    }

    #[model(name = "feed", unique(stream, subscription))]
    pub struct Feed {
        #[attribute(name = "stream_id")]
        #[relationship(delete_rule = "cascade")]
        pub stream: Ref<Stream>,
        #[attribute(name = "subscription_id")]
        #[relationship(delete_rule = "cascade")]
        pub subscription: Ref<Subscription>,
    }

    #[model(name = "feed_group")]
    pub struct FeedGroup {
        pub name: String,
        #[attribute(name = "icon_id")]
        pub icon: i64,
        #[attribute(index)]
        pub sort_order: i64,
    }

    #[model(name = "feed_group_subscription_join", unique(group, subscription))]
    pub struct FeedGroupSubscriptionJoin {
        #[attribute(name = "group_id")]
        #[relationship(delete_rule = "cascade")]
        pub group: Ref<FeedGroup>,
        #[attribute(name = "subscription_id")]
        #[relationship(delete_rule = "cascade")]
        pub subscription: Ref<Subscription>,
    }

    #[model(name = "feed_last_updated")]
    pub struct FeedLastUpdated {
        #[attribute(name = "subscription_id")]
        #[relationship(delete_rule = "cascade")]
        pub subscription: Ref<Subscription>,
        pub last_updated: Option<i64>,
    }
}

/// Version 4: streams gain an optional `uploader_url`.
#[versioned_schema(version = "4.0.0")]
pub mod v4 {
    use staged::prelude::*;

    #[model(name = "subscriptions", unique(service_id, url))]
    pub struct Subscription {
        pub service_id: i64,
        pub url: Option<String>,
        pub name: Option<String>,
        pub avatar_url: Option<String>,
        pub subscriber_count: Option<i64>,
        pub description: Option<String>,
    }

    #[model(name = "search_history")]
    pub struct SearchHistory {
        pub creation_date: Option<i64>,
        pub service_id: i64,
        #[attribute(index)]
        pub search: Option<String>,
    }

    #[model(name = "streams", unique(service_id, url))]
    pub struct Stream {
        pub service_id: i64,
        pub url: String,
        pub title: String,
        pub stream_type: String,
        pub duration: i64,
        pub uploader: String,
        pub uploader_url: Option<String>,
        pub thumbnail_url: Option<String>,
        pub view_count: Option<i64>,
        pub textual_upload_date: Option<String>,
        pub upload_date: Option<i64>,
        pub is_upload_date_approximation: Option<bool>,
    }

    #[model(name = "stream_history", unique(stream, access_date))]
    pub struct StreamHistory {
        #[attribute(name = "stream_id")]
        #[relationship(delete_rule = "cascade")]
        pub stream: Ref<Stream>,
        pub access_date: i64,
        pub repeat_count: i64,
    }

    #[model(name = "stream_state")]
    pub struct StreamState {
        #[attribute(name = "stream_id")]
        #[relationship(delete_rule = "cascade")]
        pub stream: Ref<Stream>,
        pub progress_time: i64,
    }

    #[model(name = "playlists")]
    pub struct Playlist {
        #[attribute(index)]
        pub name: Option<String>,
        pub thumbnail_url: Option<String>,
    }

    #[model(name = "playlist_stream_join", unique(playlist, index))]
    pub struct PlaylistStreamJoin {
        #[attribute(name = "playlist_id")]
        #[relationship(delete_rule = "cascade")]
        pub playlist: Ref<Playlist>,
        #[attribute(name = "stream_id")]
        #[relationship(delete_rule = "cascade")]
        pub stream: Ref<Stream>,
        #[attribute(name = "join_index")]
        pub index: i64,
    }

    #[model(name = "remote_playlists", unique(service_id, url))]
    pub struct RemotePlaylist {
        pub service_id: i64,
        #[attribute(index)]
        pub name: Option<String>,
        pub url: Option<String>,
        pub thumbnail_url: Option<String>,
        pub uploader: Option<String>,
        pub stream_count: Option<i64>,
    }

    #[model(name = "feed", unique(stream, subscription))]
    pub struct Feed {
        #[attribute(name = "stream_id")]
        #[relationship(delete_rule = "cascade")]
        pub stream: Ref<Stream>,
        #[attribute(name = "subscription_id")]
        #[relationship(delete_rule = "cascade")]
        pub subscription: Ref<Subscription>,
    }

    #[model(name = "feed_group")]
    pub struct FeedGroup {
        pub name: String,
        #[attribute(name = "icon_id")]
        pub icon: i64,
        #[attribute(index)]
        pub sort_order: i64,
    }

    #[model(name = "feed_group_subscription_join", unique(group, subscription))]
    pub struct FeedGroupSubscriptionJoin {
        #[attribute(name = "group_id")]
        #[relationship(delete_rule = "cascade")]
        pub group: Ref<FeedGroup>,
        #[attribute(name = "subscription_id")]
        #[relationship(delete_rule = "cascade")]
        pub subscription: Ref<Subscription>,
    }

    #[model(name = "feed_last_updated")]
    pub struct FeedLastUpdated {
        #[attribute(name = "subscription_id")]
        #[relationship(delete_rule = "cascade")]
        pub subscription: Ref<Subscription>,
        pub last_updated: Option<i64>,
    }
}

/// Version 5: subscriptions gain a required `notification_mode`, 0 for
/// existing rows.
#[versioned_schema(version = "5.0.0")]
pub mod v5 {
    use staged::prelude::*;

    #[model(name = "subscriptions", unique(service_id, url))]
    pub struct Subscription {
        pub service_id: i64,
        pub url: Option<String>,
        pub name: Option<String>,
        pub avatar_url: Option<String>,
        pub subscriber_count: Option<i64>,
        pub description: Option<String>,
        #[attribute(default = 0)]
        pub notification_mode: i64,
    }

    #[model(name = "search_history")]
    pub struct SearchHistory {
        pub creation_date: Option<i64>,
        pub service_id: i64,
        #[attribute(index)]
        pub search: Option<String>,
    }

    #[model(name = "streams", unique(service_id, url))]
    pub struct Stream {
        pub service_id: i64,
        pub url: String,
        pub title: String,
        pub stream_type: String,
        pub duration: i64,
        pub uploader: String,
        pub uploader_url: Option<String>,
        pub thumbnail_url: Option<String>,
        pub view_count: Option<i64>,
        pub textual_upload_date: Option<String>,
        pub upload_date: Option<i64>,
        pub is_upload_date_approximation: Option<bool>,
    }

    #[model(name = "stream_history", unique(stream, access_date))]
    pub struct StreamHistory {
        #[attribute(name = "stream_id")]
        #[relationship(delete_rule = "cascade")]
        pub stream: Ref<Stream>,
        pub access_date: i64,
        pub repeat_count: i64,
    }

    #[model(name = "stream_state")]
    pub struct StreamState {
        #[attribute(name = "stream_id")]
        #[relationship(delete_rule = "cascade")]
        pub stream: Ref<Stream>,
        pub progress_time: i64,
    }

    #[model(name = "playlists")]
    pub struct Playlist {
        #[attribute(index)]
        pub name: Option<String>,
        pub thumbnail_url: Option<String>,
    }

    #[model(name = "playlist_stream_join", unique(playlist, index))]
    pub struct PlaylistStreamJoin {
        #[attribute(name = "playlist_id")]
        #[relationship(delete_rule = "cascade")]
        pub playlist: Ref<Playlist>,
        #[attribute(name = "stream_id")]
        #[relationship(delete_rule = "cascade")]
        pub stream: Ref<Stream>,
        #[attribute(name = "join_index")]
        pub index: i64,
    }

    #[model(name = "remote_playlists", unique(service_id, url))]
    pub struct RemotePlaylist {
        pub service_id: i64,
        #[attribute(index)]
        pub name: Option<String>,
        pub url: Option<String>,
        pub thumbnail_url: Option<String>,
        pub uploader: Option<String>,
        pub stream_count: Option<i64>,
    }

    #[model(name = "feed", unique(stream, subscription))]
    pub struct Feed {
        #[attribute(name = "stream_id")]
        #[relationship(delete_rule = "cascade")]
        pub stream: Ref<Stream>,
        #[attribute(name = "subscription_id")]
        #[relationship(delete_rule = "cascade")]
        pub subscription: Ref<Subscription>,
    }

    #[model(name = "feed_group")]
    pub struct FeedGroup {
        pub name: String,
        #[attribute(name = "icon_id")]
        pub icon: i64,
        #[attribute(index)]
        pub sort_order: i64,
    }

    #[model(name = "feed_group_subscription_join", unique(group, subscription))]
    pub struct FeedGroupSubscriptionJoin {
        #[attribute(name = "group_id")]
        #[relationship(delete_rule = "cascade")]
        pub group: Ref<FeedGroup>,
        #[attribute(name = "subscription_id")]
        #[relationship(delete_rule = "cascade")]
        pub subscription: Ref<Subscription>,
    }

    #[model(name = "feed_last_updated")]
    pub struct FeedLastUpdated {
        #[attribute(name = "subscription_id")]
        #[relationship(delete_rule = "cascade")]
        pub subscription: Ref<Subscription>,
        pub last_updated: Option<i64>,
    }
}
