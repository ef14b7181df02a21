//! Rows a NewPipe user could have, written through each version's typed
//! context. The same rows at every version, in the form that version takes:
//! version 2 has a stream without a URL and NULL stream columns (which
//! version 3 drops or fills), playlists whose thumbnail URL is the thumbnail
//! of one of their streams, of none, or of a stream they do not hold (which
//! version 7 turns into a stream id), and searches that differ only by
//! spaces (which version 8 merges).

use staged::prelude::*;

use super::{v2, v3, v4, v5, v6, v7, v8, v9};

/// A subscription: service, URL, name, avatar, subscribers, description,
/// notification mode (version 5 on).
type SubscriptionRow = (
    i64,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<i64>,
    Option<&'static str>,
    i64,
);

const SUBSCRIPTIONS: [SubscriptionRow; 3] = [
    (
        0,
        "https://www.youtube.com/channel/UCsXVk37bltHxD1rDPwtNM8Q",
        "Kurzgesagt – In a Nutshell",
        Some("https://yt3.ggpht.com/kurzgesagt=s88"),
        Some(21_700_000),
        Some("Videos explaining things with optimistic nihilism."),
        1,
    ),
    (
        0,
        "https://www.youtube.com/channel/UCYO_jab_esuFRV4b17AJtAw",
        "3Blue1Brown",
        None,
        Some(6_400_000),
        None,
        0,
    ),
    (
        1,
        "https://soundcloud.com/lofi-girl",
        "Lofi Girl",
        Some("https://i1.sndcdn.com/avatars-lofi-large.jpg"),
        None,
        Some(""),
        0,
    ),
];

/// A stream as version 2 may hold it (NULLs included).
pub struct StreamRow {
    service_id: i64,
    url: Option<&'static str>,
    title: Option<&'static str>,
    stream_type: Option<&'static str>,
    duration: Option<i64>,
    uploader: Option<&'static str>,
    uploader_url: Option<&'static str>,
    thumbnail_url: Option<&'static str>,
    view_count: Option<i64>,
    upload_date: Option<(&'static str, i64, bool)>,
}

const RICK_THUMB: &str = "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg";
const EGG_THUMB: &str = "https://i.ytimg.com/vi/spUNpyF58BY/hqdefault.jpg";
const RADIO_THUMB: &str = "https://i.ytimg.com/vi/jfKfPfyJRdk/hqdefault_live.jpg";

/// The streams; the last has no URL, so only version 2 can hold it.
const STREAMS: [StreamRow; 6] = [
    StreamRow {
        service_id: 0,
        url: Some(concat!("https://www.youtube.com/watch?v=", "dQw4w9WgXcQ")),
        title: Some("Never Gonna Give You Up"),
        stream_type: Some("VIDEO_STREAM"),
        duration: Some(213),
        uploader: Some("Rick Astley"),
        uploader_url: Some("https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw"),
        thumbnail_url: Some(RICK_THUMB),
        view_count: Some(1_500_000_000),
        upload_date: Some(("15 years ago", 1_256_083_200_000, true)),
    },
    StreamRow {
        service_id: 0,
        url: Some(concat!("https://www.youtube.com/watch?v=", "spUNpyF58BY")),
        title: Some("The Egg - A Short Story"),
        stream_type: Some("VIDEO_STREAM"),
        duration: Some(475),
        uploader: Some("Kurzgesagt – In a Nutshell"),
        uploader_url: None,
        thumbnail_url: Some(EGG_THUMB),
        view_count: Some(45_000_000),
        upload_date: Some(("2019-03-01", 1_551_398_400_000, false)),
    },
    StreamRow {
        service_id: 0,
        url: Some(concat!("https://www.youtube.com/watch?v=", "WUvTyaaNkzM")),
        title: Some("The essence of calculus"),
        stream_type: Some("VIDEO_STREAM"),
        duration: Some(1027),
        uploader: Some("3Blue1Brown"),
        uploader_url: None,
        thumbnail_url: None,
        view_count: None,
        upload_date: None,
    },
    StreamRow {
        service_id: 1,
        url: Some("https://soundcloud.com/lofi-girl/snowman"),
        title: None,
        stream_type: Some("AUDIO_STREAM"),
        duration: None,
        uploader: None,
        uploader_url: None,
        thumbnail_url: None,
        view_count: None,
        upload_date: None,
    },
    StreamRow {
        service_id: 0,
        url: Some(concat!("https://www.youtube.com/watch?v=", "jfKfPfyJRdk")),
        title: Some("lofi hip hop radio 📚 beats to relax/study to"),
        stream_type: Some("LIVE_STREAM"),
        duration: Some(0),
        uploader: Some("Lofi Girl"),
        uploader_url: None,
        thumbnail_url: Some(RADIO_THUMB),
        view_count: Some(80_000),
        upload_date: None,
    },
    StreamRow {
        service_id: 0,
        url: None,
        title: Some("a stream whose URL was never stored"),
        stream_type: None,
        duration: Some(60),
        uploader: None,
        uploader_url: None,
        thumbnail_url: None,
        view_count: None,
        upload_date: None,
    },
];

/// The streams every version can hold (all but the last).
const KEPT_STREAMS: usize = STREAMS.len() - 1;

/// Watch history: stream, access date, repeat count.
const HISTORY: [(usize, i64, i64); 5] = [
    (0, 1_700_000_000_000, 3),
    (0, 1_700_100_000_000, 1),
    (1, 1_700_000_500_000, 2),
    (3, 1_700_150_000_000, 1),
    (4, 1_700_200_000_000, 1),
];

/// Playback positions: stream, progress in milliseconds.
const STATES: [(usize, i64); 3] = [(0, 120_000), (1, 475_000), (2, 5_000)];

/// A playlist: name, thumbnail URL (up to version 6), whether the thumbnail
/// was chosen by the user (version 6 on), the stream whose thumbnail it is
/// (version 7 on), display index (version 9).
type PlaylistRow = (
    Option<&'static str>,
    Option<&'static str>,
    bool,
    Option<usize>,
    i64,
);

const PLAYLISTS: [PlaylistRow; 5] = [
    (Some("Favourites"), Some(EGG_THUMB), false, Some(1), 2),
    (
        Some("Watch later"),
        Some("https://i.ytimg.com/vi/gone/hqdefault.jpg"),
        true,
        None,
        0,
    ),
    (None, None, false, None, 1),
    (Some("Rick, twice"), Some(RICK_THUMB), false, Some(0), 3),
    (Some("Music"), Some(RADIO_THUMB), false, None, 4),
];

/// Playlist entries: playlist, stream, position.
const ENTRIES: [(usize, usize, i64); 6] = [
    (0, 0, 0),
    (0, 1, 1),
    (1, 2, 0),
    (3, 0, 0),
    (3, 0, 1),
    (4, 3, 0),
];

/// A remote playlist: service, name, URL, thumbnail, uploader, stream count,
/// display index (version 9).
type RemoteRow = (
    i64,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    Option<i64>,
    i64,
);

const REMOTES: [RemoteRow; 2] = [
    (
        0,
        Some("Kurzgesagt – Videos"),
        Some("https://www.youtube.com/playlist?list=PLFs4vir_WsTwEd-nJgVJCZPNL3HALHHpF"),
        Some("https://i.ytimg.com/vi/spUNpyF58BY/hqdefault.jpg"),
        Some("Kurzgesagt – In a Nutshell"),
        Some(150),
        1,
    ),
    (1, None, None, None, None, None, 0),
];

/// Searches: date, service, text. Version 8 keeps the first of " rust " and
/// "rust" on service 0, and of the two NULL searches; SQLite's `trim` does
/// not remove the tab of "\tlofi".
const SEARCHES: [(Option<i64>, i64, Option<&str>); 8] = [
    (Some(1_690_000_000_000), 0, Some("rust")),
    (Some(1_690_000_001_000), 0, Some(" rust ")),
    (Some(1_690_000_002_000), 1, Some("rust")),
    (Some(1_690_000_003_000), 0, Some("lofi  ")),
    (None, 0, Some("\tlofi")),
    (Some(1_690_000_005_000), 0, None),
    (Some(1_690_000_006_000), 0, None),
    (Some(1_690_000_007_000), 0, Some("kurzgesagt egg")),
];

/// Feed entries (stream, subscription), groups (name, icon, order), group
/// members (group, subscription) and feed updates (subscription, date).
const FEED: [(usize, usize); 3] = [(1, 0), (2, 1), (3, 2)];
const GROUPS: [(&str, i64, i64); 2] = [("Science", 5, 0), ("Music", 12, 1)];
const MEMBERS: [(usize, usize); 3] = [(0, 0), (0, 1), (1, 2)];
const UPDATES: [(usize, Option<i64>); 2] = [(0, Some(1_700_300_000_000)), (2, None)];

fn text(value: Option<&str>) -> Option<String> {
    value.map(str::to_owned)
}

/// The id of the stream a playlist's thumbnail shows, -1 for none.
fn stream_id(stream: Option<usize>, streams: &[PersistentId]) -> i64 {
    stream.map_or(-1, |i| streams[i].raw())
}

/// A seed function for one version: the models whose shape changes across
/// versions are built by the given expressions (each reads the row it names),
/// the others the same way at every version.
macro_rules! seed_version {
    (
        $name:ident, $v:ident,
        subscription |$s:ident| $subscription:expr,
        streams $count:expr, |$st:ident| $stream:expr,
        playlist |$p:ident, $streams:ident| $playlist:expr,
        remote |$r:ident| $remote:expr
        $(, feeds $feeds:ident)?
    ) => {
        /// Seeds a store at this version.
        pub fn $name(ctx: &mut ModelContext<$v::Schema>) -> staged::Result<()> {
            use $v::*;
            let mut subscriptions = Vec::new();
            for $s in &SUBSCRIPTIONS {
                subscriptions.push(ctx.insert($subscription)?);
            }
            for (creation_date, service_id, search) in SEARCHES {
                let search = text(search);
                ctx.insert(SearchHistory { creation_date, service_id, search })?;
            }
            let mut $streams = Vec::new();
            for $st in &STREAMS[..$count] {
                $streams.push(ctx.insert($stream)?);
            }
            for (stream, access_date, repeat_count) in HISTORY {
                let stream = Ref::new($streams[stream]);
                ctx.insert(StreamHistory { stream, access_date, repeat_count })?;
            }
            for (stream, progress_time) in STATES {
                let stream = Ref::new($streams[stream]);
                ctx.insert(StreamState { stream, progress_time })?;
            }
            let mut playlists = Vec::new();
            for $p in &PLAYLISTS {
                playlists.push(ctx.insert($playlist)?);
            }
            for (playlist, stream, index) in ENTRIES {
                let playlist = Ref::new(playlists[playlist]);
                let stream = Ref::new($streams[stream]);
                ctx.insert(PlaylistStreamJoin { playlist, stream, index })?;
            }
            for $r in &REMOTES {
                ctx.insert($remote)?;
            }
            $(
                let _: &str = stringify!($feeds);
                for (stream, subscription) in FEED {
                    let stream = Ref::new($streams[stream]);
                    let subscription = Ref::new(subscriptions[subscription]);
                    ctx.insert(Feed { stream, subscription })?;
                }
                let mut groups = Vec::new();
                for (name, icon, sort_order) in GROUPS {
                    let name = name.to_owned();
                    groups.push(ctx.insert(FeedGroup { name, icon, sort_order })?);
                }
                for (group, subscription) in MEMBERS {
                    let group = Ref::new(groups[group]);
                    let subscription = Ref::new(subscriptions[subscription]);
                    ctx.insert(FeedGroupSubscriptionJoin { group, subscription })?;
                }
                for (subscription, last_updated) in UPDATES {
                    let subscription = Ref::new(subscriptions[subscription]);
                    ctx.insert(FeedLastUpdated { subscription, last_updated })?;
                }
            )?
            Ok(())
        }
    };
}

/// A subscription of version `$v`, with the fields added after version 2.
macro_rules! subscription {
    ($v:ident, $s:ident $(, $field:ident: $value:expr)*) => {
        $v::Subscription {
            service_id: $s.0,
            url: Some($s.1.into()),
            name: Some($s.2.into()),
            avatar_url: text($s.3),
            subscriber_count: $s.4,
            description: text($s.5),
            $($field: $value,)*
        }
    };
}

/// A stream of version 3 or later, with the fields added after version 3.
macro_rules! stream {
    ($v:ident, $st:ident $(, $field:ident: $value:expr)*) => {
        $v::Stream {
            service_id: $st.service_id,
            url: $st.url.unwrap_or_default().into(),
            title: $st.title.unwrap_or_default().into(),
            stream_type: $st.stream_type.unwrap_or("VIDEO_STREAM").into(),
            duration: $st.duration.unwrap_or_default(),
            uploader: $st.uploader.unwrap_or_default().into(),
            thumbnail_url: text($st.thumbnail_url),
            view_count: $st.view_count,
            textual_upload_date: $st.upload_date.map(|d| d.0.into()),
            upload_date: $st.upload_date.map(|d| d.1),
            is_upload_date_approximation: $st.upload_date.map(|d| d.2),
            $($field: $value,)*
        }
    };
}

/// A remote playlist of version `$v`, with the fields added after version 2.
macro_rules! remote {
    ($v:ident, $r:ident $(, $field:ident: $value:expr)*) => {
        $v::RemotePlaylist {
            service_id: $r.0,
            name: text($r.1),
            url: text($r.2),
            thumbnail_url: text($r.3),
            uploader: text($r.4),
            stream_count: $r.5,
            $($field: $value,)*
        }
    };
}

seed_version!(seed_v2, v2,
    subscription |s| subscription!(v2, s),
    streams STREAMS.len(), |st| v2::Stream {
        service_id: st.service_id,
        url: text(st.url),
        title: text(st.title),
        stream_type: text(st.stream_type),
        duration: st.duration,
        uploader: text(st.uploader),
        thumbnail_url: text(st.thumbnail_url),
    },
    playlist |p, streams| v2::Playlist { name: text(p.0), thumbnail_url: text(p.1) },
    remote |r| remote!(v2, r)
);

seed_version!(seed_v3, v3,
    subscription |s| subscription!(v3, s),
    streams KEPT_STREAMS, |st| stream!(v3, st),
    playlist |p, streams| v3::Playlist { name: text(p.0), thumbnail_url: text(p.1) },
    remote |r| remote!(v3, r),
    feeds yes
);

seed_version!(seed_v4, v4,
    subscription |s| subscription!(v4, s),
    streams KEPT_STREAMS, |st| stream!(v4, st, uploader_url: text(st.uploader_url)),
    playlist |p, streams| v4::Playlist { name: text(p.0), thumbnail_url: text(p.1) },
    remote |r| remote!(v4, r),
    feeds yes
);

seed_version!(seed_v5, v5,
    subscription |s| subscription!(v5, s, notification_mode: s.6),
    streams KEPT_STREAMS, |st| stream!(v5, st, uploader_url: text(st.uploader_url)),
    playlist |p, streams| v5::Playlist { name: text(p.0), thumbnail_url: text(p.1) },
    remote |r| remote!(v5, r),
    feeds yes
);

seed_version!(seed_v6, v6,
    subscription |s| subscription!(v6, s, notification_mode: s.6),
    streams KEPT_STREAMS, |st| stream!(v6, st, uploader_url: text(st.uploader_url)),
    playlist |p, streams| v6::Playlist {
        name: text(p.0),
        thumbnail_url: text(p.1),
        is_thumbnail_permanent: p.2,
    },
    remote |r| remote!(v6, r),
    feeds yes
);

seed_version!(seed_v7, v7,
    subscription |s| subscription!(v7, s, notification_mode: s.6),
    streams KEPT_STREAMS, |st| stream!(v7, st, uploader_url: text(st.uploader_url)),
    playlist |p, streams| v7::Playlist {
        name: text(p.0),
        is_thumbnail_permanent: p.2,
        thumbnail_stream_id: stream_id(p.3, &streams),
    },
    remote |r| remote!(v7, r),
    feeds yes
);

seed_version!(seed_v8, v8,
    subscription |s| subscription!(v8, s, notification_mode: s.6),
    streams KEPT_STREAMS, |st| stream!(v8, st, uploader_url: text(st.uploader_url)),
    playlist |p, streams| v8::Playlist {
        name: text(p.0),
        is_thumbnail_permanent: p.2,
        thumbnail_stream_id: stream_id(p.3, &streams),
    },
    remote |r| remote!(v8, r),
    feeds yes
);

seed_version!(seed_v9, v9,
    subscription |s| subscription!(v9, s, notification_mode: s.6),
    streams KEPT_STREAMS, |st| stream!(v9, st, uploader_url: text(st.uploader_url)),
    playlist |p, streams| v9::Playlist {
        name: text(p.0),
        is_thumbnail_permanent: p.2,
        thumbnail_stream_id: stream_id(p.3, &streams),
        display_index: p.4,
    },
    remote |r| remote!(v9, r, display_index: r.6),
    feeds yes
);
