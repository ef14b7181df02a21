//! NewPipe's database versions 6 to 9 (`AppDatabase/6.json` … `9.json`);
//! the same conventions as `schemas_early`.

use staged::prelude::*;

/// Version 6: playlists gain a required `is_thumbnail_permanent`, false for
/// existing rows (`search_history` lists `id` last: column order is not part
/// of a schema).
#[versioned_schema(version = "6.0.0")]
pub mod v6 {
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
        #[attribute(default = false)]
        pub is_thumbnail_permanent: bool,
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

/// Version 7: a playlist's thumbnail is the id of one of its streams
/// (`thumbnail_stream_id`, -1 for none) instead of a URL.
#[versioned_schema(version = "7.0.0")]
pub mod v7 {
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
        pub is_thumbnail_permanent: bool,
        pub thumbnail_stream_id: i64,
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

/// Version 8: the shape of version 7; searches are trimmed and deduplicated
/// (a data-only version).
#[versioned_schema(version = "8.0.0", hash_modifier = "trimmed-searches")]
pub mod v8 {
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
        pub is_thumbnail_permanent: bool,
        pub thumbnail_stream_id: i64,
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

/// Version 9: local and remote playlists gain a `display_index`, -1 for
/// existing rows, and lose their index on `name`.
#[versioned_schema(version = "9.0.0")]
pub mod v9 {
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
        pub name: Option<String>,
        pub is_thumbnail_permanent: bool,
        pub thumbnail_stream_id: i64,
        #[attribute(default = -1)]
        pub display_index: i64,
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
        pub name: Option<String>,
        pub url: Option<String>,
        pub thumbnail_url: Option<String>,
        pub uploader: Option<String>,
        #[attribute(default = -1)]
        pub display_index: i64,
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
