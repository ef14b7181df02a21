//! A store used from async code: tokio tasks share one container and run
//! staged's calls, which block (file I/O, waiting for the writer), with
//! `tokio::task::spawn_blocking`, so the runtime's worker threads never
//! block. A long write transaction on one task does not hold up another
//! task's reads: they read the last committed state (WAL).
//!
//! Run with `cargo run --example async_tasks`.

use std::time::{Duration, Instant};

use staged::prelude::*;

/// Version 1.0.0 of the data model.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    /// Something to do.
    #[model]
    pub struct Task {
        /// A stable id from the app.
        #[attribute(unique)]
        pub uid: String,
        /// What to do.
        pub title: String,
    }
}

/// The titles of every task, read on a blocking thread.
async fn titles(container: &ModelContainer<v1::Schema>) -> staged::Result<Vec<String>> {
    let container = container.clone();
    tokio::task::spawn_blocking(move || {
        let tasks = container
            .context()
            .fetch(FetchDescriptor::new().sort(v1::Task::fields().uid.asc()))?;
        Ok(tasks.into_iter().map(|t| t.into_inner().title).collect())
    })
    .await
    .expect("the read did not panic")
}

#[tokio::main]
async fn main() -> staged::Result<()> {
    // A temporary directory, removed when `dir` is dropped: at the end, or
    // as soon as a `?` below returns an error.
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("tasks.sqlite");

    // Opening may create or migrate the store: blocking work too.
    let container = tokio::task::spawn_blocking(move || {
        let plan = SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .build()?;
        ModelContainer::builder(plan)
            .on_create(|ctx| {
                ctx.insert(v1::Task {
                    uid: "0-welcome".into(),
                    title: "Read the welcome note".into(),
                })?;
                Ok(())
            })
            .open(path)
    })
    .await
    .expect("the open did not panic")?;
    println!("opened the store: {:?}", container.open_outcome());

    // A background sync: one transaction of 100 tasks, holding the store's
    // writer for about half a second.
    let sync = {
        let container = container.clone();
        tokio::task::spawn_blocking(move || {
            container.context().transaction(|ctx| {
                for i in 1..=100 {
                    ctx.insert(v1::Task {
                        uid: format!("{i}-synced"),
                        title: format!("Synced task {i}"),
                    })?;
                    std::thread::sleep(Duration::from_millis(5));
                }
                Ok(())
            })
        })
    };

    // Meanwhile the UI reads: it does not wait for the sync, and sees what
    // was committed before it.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let clock = Instant::now();
    let during = titles(&container).await?;
    println!(
        "a read during the sync took {:.1?} and saw {} task(s): {during:?}",
        clock.elapsed(),
        during.len()
    );

    sync.await.expect("the sync did not panic")?;
    let after = titles(&container).await?;
    println!("after the sync committed: {} tasks", after.len());
    assert_eq!(after.len(), 101);
    Ok(())
}
