//! The README's walkthrough: an app whose store was created by release
//! 1.0.0 is updated to 3.0.0, through a lightweight stage (1.0.0 -> 2.0.0)
//! and a custom one (2.0.0 -> 3.0.0). It leaves the store and the schema
//! snapshots in `target/walkthrough/` for the `staged` command to look at;
//! a run that fails removes that folder.
//!
//! Run with `cargo run --example walkthrough`.

mod app;

use std::path::Path;

use app::{plan, v1, v3};
use staged::prelude::*;
use staged::schema::snapshot::{self, SnapshotMode};

/// Removes a folder when dropped, unless the run got to its end: a run that
/// fails (an error returned by `?`, or a panic) leaves nothing behind.
struct RemovedUnlessDone<'a> {
    dir: &'a Path,
    done: bool,
}

impl Drop for RemovedUnlessDone<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(self.dir);
        }
    }
}

fn main() -> staged::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/walkthrough");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    // Declared before the containers, so dropped after them (files closed).
    let mut output = RemovedUnlessDone {
        dir: &dir,
        done: false,
    };
    let path = dir.join("reminders.sqlite");

    // Release 1.0.0 creates the store on a user's device.
    {
        let plan_1_0 = SchemaMigrationPlan::builder()
            .schema::<v1::Schema>()
            .build()?;
        let container = ModelContainer::open(&path, plan_1_0)?;
        let mut ctx = container.context();
        for (uid, title, done) in [("r1", "Buy milk", true), ("r2", "Call Sam", false)] {
            ctx.insert(v1::Reminder {
                uid: uid.into(),
                title: title.into(),
                done,
            })?;
        }
        println!(
            "release 1.0.0 created {} with {} reminders",
            path.display(),
            ctx.count::<v1::Reminder>()?
        );
    }

    // Release 3.0.0 opens the same file: the store is migrated on open.
    let plan = plan()?;
    let route = plan.migration_path(Version::new(1, 0, 0))?;
    let container = ModelContainer::open(&path, plan)?;
    println!(
        "release 3.0.0 migrated it along {route} to {}",
        container.store_version()
    );
    let mut ctx = container.context();
    for reminder in ctx.fetch(FetchDescriptor::new().sort(v3::Reminder::fields().uid.asc()))? {
        println!(
            "  #{} {:?}: status {:?}, priority {}, notes {:?}",
            reminder.id(),
            reminder.name,
            reminder.status,
            reminder.priority,
            reminder.notes
        );
    }

    // The snapshots a test would write (see tests/walkthrough.rs).
    let schemas = dir.join("schemas");
    let report = snapshot::check(
        container.plan().schemas().iter().map(|s| s.descriptor()),
        &schemas,
        SnapshotMode::WriteNew,
    )
    .map_err(staged::Error::hook)?;
    println!(
        "wrote {} schema snapshots to {}",
        report.written.len(),
        schemas.display()
    );
    println!("\ntry the staged command on them:");
    println!(
        "  cargo run -p staged-cli -- inspect {} --schemas {}",
        path.display(),
        schemas.display()
    );
    println!(
        "  cargo run -p staged-cli -- diff {0}/1.0.0.json {0}/2.0.0.json",
        schemas.display()
    );
    println!("  cargo run -p staged-cli -- check {}", schemas.display());
    output.done = true;
    Ok(())
}
