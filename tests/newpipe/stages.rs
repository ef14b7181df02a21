//! The plan: NewPipe's versions 2 to 9, three custom stages (2 -> 3, 6 -> 7,
//! 7 -> 8) and inferred steps for the rest (3 -> 4 -> 5 -> 6, 8 -> 9).

use std::collections::HashMap;

use staged::prelude::*;

use super::{v2, v3, v6, v7, v8, v9};

/// 2 -> 3: a stream without a URL is dropped (NewPipe: `WHERE url IS NOT
/// NULL`); the other NULLs become `''`, `'VIDEO_STREAM'` or 0, and a NULL
/// thumbnail URL becomes `''` although the column stays nullable. Inference
/// cannot drop rows nor fill an optional column, hence a transform.
fn stream_v3(old: v2::Stream) -> staged::Result<Option<v3::Stream>> {
    let Some(url) = old.url else {
        return Ok(None);
    };
    Ok(Some(v3::Stream {
        service_id: old.service_id,
        url,
        title: old.title.unwrap_or_default(),
        stream_type: old.stream_type.unwrap_or_else(|| "VIDEO_STREAM".into()),
        duration: old.duration.unwrap_or(0),
        uploader: old.uploader.unwrap_or_default(),
        thumbnail_url: Some(old.thumbnail_url.unwrap_or_default()),
        view_count: None,
        textual_upload_date: None,
        upload_date: None,
        is_upload_date_approximation: None,
    }))
}

/// 6 -> 7, first half: the playlist without its thumbnail URL; the stream id
/// is set by [`thumbnail_streams`] (a transform sees only the old row).
fn playlist_v7(old: v6::Playlist) -> staged::Result<v7::Playlist> {
    Ok(v7::Playlist {
        name: old.name,
        is_thumbnail_permanent: old.is_thumbnail_permanent,
        thumbnail_stream_id: -1,
    })
}

/// 6 -> 7, second half: a playlist's thumbnail becomes the id of a stream of
/// the playlist whose thumbnail URL is the playlist's, or -1. NewPipe's
/// `UPDATE` takes any one of several such streams (a bare column in an
/// aggregate); this takes the one at the lowest position.
fn thumbnail_streams(
    old: &mut ModelContext<v6::Schema>,
    new: &mut ModelContext<v7::Schema>,
) -> staged::Result<()> {
    for playlist in old.fetch_all::<v6::Playlist>()? {
        let Some(thumbnail) = &playlist.thumbnail_url else {
            continue;
        };
        let entries = new.fetch(
            FetchDescriptor::new()
                .filter(
                    v7::PlaylistStreamJoin::fields()
                        .playlist
                        .refers_to(playlist.id()),
                )
                .sort(v7::PlaylistStreamJoin::fields().index.asc()),
        )?;
        for entry in entries {
            let stream = new.follow(entry.stream)?;
            if stream.and_then(|s| s.into_inner().thumbnail_url).as_ref() == Some(thumbnail) {
                let field = v7::Playlist::fields().thumbnail_stream_id;
                new.set(playlist.id(), field, entry.stream.id().raw())?;
                break;
            }
        }
    }
    Ok(())
}

/// 7 -> 8 (same shape): searches that are equal once trimmed, on the same
/// service, keep only the oldest (lowest id); every search is trimmed.
/// SQLite's `trim` removes spaces only, so this does too.
fn merge_searches(ctx: &mut ModelContext<v8::Schema>) -> staged::Result<()> {
    let fields = v8::SearchHistory::fields();
    let mut searches = ctx.fetch_all::<v8::SearchHistory>()?;
    searches.sort_by_key(|search| search.id());
    let mut kept: HashMap<(Option<String>, i64), PersistentId> = HashMap::new();
    for search in searches {
        let trimmed = search
            .search
            .as_deref()
            .map(|s| s.trim_matches(' ').to_owned());
        if kept.contains_key(&(trimmed.clone(), search.service_id)) {
            ctx.delete::<v8::SearchHistory>(search.id())?;
            continue;
        }
        kept.insert((trimmed.clone(), search.service_id), search.id());
        if trimmed != search.search {
            ctx.set(search.id(), fields.search, trimmed)?;
        }
    }
    Ok(())
}

/// Every version NewPipe shipped from 2 on, and how to go from each to the next.
pub fn plan() -> staged::Result<SchemaMigrationPlan<v9::Schema>> {
    SchemaMigrationPlan::builder()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .schema::<super::v4::Schema>()
        .schema::<super::v5::Schema>()
        .schema::<v6::Schema>()
        .schema::<v7::Schema>()
        .schema::<v8::Schema>()
        .schema::<v9::Schema>()
        .stage(MigrationStage::custom::<v2::Schema, v3::Schema>().transform_or_drop(stream_v3))
        .stage(
            MigrationStage::custom::<v6::Schema, v7::Schema>()
                .transform(playlist_v7)
                .migrate(thumbnail_streams),
        )
        .stage(MigrationStage::custom::<v7::Schema, v8::Schema>().did_migrate(merge_searches))
        .build()
}
