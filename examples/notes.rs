//! A notes app over three releases, with its ids and times as real columns
//! (staged's features `uuid` and `chrono`, which this crate's own
//! dev-dependencies turn on):
//!
//! - 1.0.0: folders and their notes. A note has the `Uuid` the app's server
//!   knows it by, a `DateTime<Utc>` creation time, and a title unique within
//!   its folder (`#[model(unique(folder, title))]`);
//! - 1.0.0 -> 2.0.0 (inferred): `pinned` is added, with a default;
//! - 2.0.0 -> 3.0.0 (custom): `done: bool` becomes a `status`, a
//!   `#[derive(StoredEnum)]` (`Open`, `Done` or `Archived`, stored as their
//!   names), in a `#[transform]`.
//!
//! Each release syncs notes from the server with `upsert`, matched on the
//! uid; release 3.0.0 lists the notes created since a time, newest first.
//!
//! Run with `cargo run --example notes`.

use std::path::Path;

use chrono::{DateTime, TimeDelta, TimeZone as _, Utc};
use staged::prelude::*;
use uuid::Uuid;

/// The first release.
#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    use staged::prelude::*;

    /// A folder of notes.
    #[model]
    pub struct Folder {
        /// Its name, unique.
        #[attribute(unique)]
        pub name: String,
        /// Its notes; a folder that still has notes cannot be deleted.
        #[relationship(inverse = "folder")]
        pub notes: ToMany<Note>,
    }

    /// A note: its title is unique within its folder.
    #[model(unique(folder, title))]
    pub struct Note {
        /// The id the server knows the note by.
        #[attribute(unique)]
        pub uid: uuid::Uuid,
        /// The title.
        pub title: String,
        /// Whether it is done.
        pub done: bool,
        /// When it was created.
        #[attribute(index)]
        pub created: chrono::DateTime<chrono::Utc>,
        /// Its folder.
        pub folder: Ref<Folder>,
    }
}

/// The second release: notes can be pinned. SQL alone adds the column, so
/// the step is inferred.
#[versioned_schema(version = "2.0.0")]
pub mod v2 {
    use staged::prelude::*;

    /// A folder of notes.
    #[model]
    pub struct Folder {
        /// Its name, unique.
        #[attribute(unique)]
        pub name: String,
        /// Its notes.
        #[relationship(inverse = "folder")]
        pub notes: ToMany<Note>,
    }

    /// A note: its title is unique within its folder.
    #[model(unique(folder, title))]
    pub struct Note {
        /// The id the server knows the note by.
        #[attribute(unique)]
        pub uid: uuid::Uuid,
        /// The title.
        pub title: String,
        /// Whether it is done.
        pub done: bool,
        /// When it was created.
        #[attribute(index)]
        pub created: chrono::DateTime<chrono::Utc>,
        /// Its folder.
        pub folder: Ref<Folder>,
        /// New: shown first; existing notes are not pinned.
        #[attribute(default = false)]
        pub pinned: bool,
    }
}

/// A note's status in release 3.0.0, stored as the variant's name.
#[derive(StoredEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// To do.
    Open,
    /// Done.
    Done,
    /// Put away.
    Archived,
}

/// The third release: `done` becomes a status with a third value,
/// `Archived`. SQL cannot guess that, so a transform converts each note.
#[versioned_schema(version = "3.0.0", previous = v2)]
pub mod v3 {
    use super::{Status, v2};
    use staged::prelude::*;

    /// A folder of notes.
    #[model]
    pub struct Folder {
        /// Its name, unique.
        #[attribute(unique)]
        pub name: String,
        /// Its notes.
        #[relationship(inverse = "folder")]
        pub notes: ToMany<Note>,
    }

    /// A note: its title is unique within its folder.
    #[model(unique(folder, title))]
    #[derive(Debug, Clone)]
    pub struct Note {
        /// The id the server knows the note by.
        #[attribute(unique)]
        pub uid: uuid::Uuid,
        /// The title.
        pub title: String,
        /// Open, done or archived.
        #[attribute(index)]
        pub status: Status,
        /// When it was created.
        #[attribute(index)]
        pub created: chrono::DateTime<chrono::Utc>,
        /// Its folder.
        pub folder: Ref<Folder>,
        /// Shown first.
        pub pinned: bool,
    }

    /// One old note becomes one new note, with the same id and folder.
    #[transform]
    fn note(old: v2::Note) -> staged::Result<Note> {
        Ok(Note {
            uid: old.uid,
            title: old.title,
            status: if old.done { Status::Done } else { Status::Open },
            created: old.created,
            folder: old.folder.cast(),
            pinned: old.pinned,
        })
    }
}

const PLAN_UID: Uuid = Uuid::from_u128(0x67e5_5044_10b1_426f_9247_bb68_0e5f_e0c8);
const BANK_UID: Uuid = Uuid::from_u128(0x1f0c_2a6e_8d4b_4c1a_9e3f_5b7d_2c8a_6e41);
const REPORT_UID: Uuid = Uuid::from_u128(0xa3d9_71b2_4e58_4f06_b1c7_0d2e_9f84_3a5c);
const GROCERIES_UID: Uuid = Uuid::from_u128(0x5c2e_8f41_b9a7_4d33_8e16_c4f0_7a92_d1b8);

/// 1 May 2024 at `hour`:`minute` UTC, plus `millis`.
fn at(hour: u32, minute: u32, millis: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, hour, minute, 0)
        .single()
        .expect("a valid time")
        + TimeDelta::milliseconds(millis)
}

fn main() -> staged::Result<()> {
    // The app's data folder; here a temporary one, removed when `dir` is
    // dropped: at the end, and also when a `?` returns an error or a step
    // panics.
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("notes.sqlite");
    release_1(&path)?;
    release_2(&path)?;
    release_3(&path)?;
    Ok(())
}

/// What release 1.0.0 did: create the store, two folders and three notes.
fn release_1(path: &Path) -> staged::Result<()> {
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .build()?;
    let mut ctx = ModelContainer::open(path, plan)?.context();
    println!("1.0.0 created {}", path.display());
    let folder = |name: &str| v1::Folder {
        name: name.into(),
        notes: ToMany::new(),
    };
    // A folder is found by its unique name, or created.
    let inbox_id = ctx.upsert(folder("Inbox"))?;
    let work = Ref::new(ctx.upsert(folder("Work"))?);
    assert_eq!(ctx.upsert(folder("Inbox"))?, inbox_id);
    let inbox = Ref::new(inbox_id);
    let note = |uid, title: &str, created, folder| v1::Note {
        uid,
        title: title.into(),
        done: false,
        created,
        folder,
    };
    ctx.insert_all([
        note(PLAN_UID, "Plan the week", at(9, 0, 500), inbox),
        note(BANK_UID, "Call the bank", at(9, 0, 0), inbox),
        note(REPORT_UID, "Quarterly report", at(10, 15, 0), work),
    ])?;
    println!("  2 folders, 3 notes");

    // `unique(folder, title)`: the same title again in the same folder is
    // refused, in another folder it is fine.
    let copy = |n, folder| note(Uuid::from_u128(n), "Plan the week", at(11, 0, 0), folder);
    match ctx.insert(copy(1, inbox)) {
        Err(error) => println!("  a second \"Plan the week\" in Inbox is refused: {error}"),
        Ok(_) => panic!("a duplicate title in one folder was stored"),
    }
    let other = ctx.insert(copy(2, work))?;
    ctx.delete::<v1::Note>(other)?;
    println!("  \"Plan the week\" in Work is another note (added, then deleted)");
    Ok(())
}

/// Release 2.0.0 opens the store (the inferred step adds `pinned`), then
/// syncs two notes from the server: one it has, one it does not.
fn release_2(path: &Path) -> staged::Result<()> {
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .build()?;
    let route = plan.migration_path(Version::new(1, 0, 0))?;
    let container = ModelContainer::open(path, plan)?;
    println!("2.0.0 migrated along {route}");
    let mut ctx = container.context();
    let fields = v2::Folder::fields();
    let inbox = ctx
        .fetch(FetchDescriptor::new().filter(fields.name.eq("Inbox")))?
        .pop()
        .expect("the inbox");
    let bank = ctx
        .fetch(FetchDescriptor::new().filter(v2::Note::fields().uid.eq(BANK_UID)))?
        .pop()
        .expect("the bank note");
    assert!(!bank.pinned, "existing notes are not pinned");

    // From the server: the bank note, now done and pinned; a new note.
    let from_server = [
        v2::Note {
            uid: BANK_UID,
            title: "Call the bank".into(),
            done: true,
            created: bank.created,
            folder: Ref::from(&inbox),
            pinned: true,
        },
        v2::Note {
            uid: GROCERIES_UID,
            title: "Groceries".into(),
            done: false,
            created: at(8, 30, 0),
            folder: Ref::from(&inbox),
            pinned: false,
        },
    ];
    for note in from_server {
        let title = note.title.clone();
        let id = ctx.upsert(note)?;
        let what = if id == bank.id() { "updated" } else { "added" };
        println!("  synced {title:?}: {what} (note #{id})");
    }
    println!("  {} notes", ctx.count::<v2::Note>()?);
    Ok(())
}

/// Release 3.0.0 opens the store (the transform turns `done` into a
/// status), lists the notes created since 9:00 newest first, and archives
/// one through the server's sync.
fn release_3(path: &Path) -> staged::Result<()> {
    let plan = SchemaMigrationPlan::builder()
        .schema::<v1::Schema>()
        .schema::<v2::Schema>()
        .schema::<v3::Schema>()
        .stage(v3::stage())
        .build()?;
    let route = plan.migration_path(Version::new(2, 0, 0))?;
    let container = ModelContainer::open(path, plan)?;
    println!("3.0.0 migrated along {route}");
    let mut ctx = container.context();

    // A filter and a sort on the time: 09:00:00 sorts before 09:00:00.500.
    let fields = v3::Note::fields();
    let since_nine = ctx.fetch(
        FetchDescriptor::new()
            .filter(fields.created.ge(at(9, 0, 0)))
            .sort(fields.created.desc()),
    )?;
    println!("  notes created since 09:00, newest first:");
    for note in &since_nine {
        let folder = ctx.follow(note.folder)?.expect("its folder");
        println!(
            "    {} {:?} in {}: {:?}{}",
            note.created.format("%H:%M:%S%.3f"),
            note.title,
            folder.name,
            note.status,
            if note.pinned { ", pinned" } else { "" }
        );
    }
    let titles: Vec<&str> = since_nine.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Quarterly report", "Plan the week", "Call the bank"]
    );

    // The server archived the report.
    let mut report = ctx
        .fetch(FetchDescriptor::new().filter(fields.uid.eq(REPORT_UID)))?
        .pop()
        .expect("the report");
    let id = report.id();
    report.status = Status::Archived;
    let note = v3::Note::clone(&report);
    assert_eq!(ctx.upsert(note)?, id);
    let archived = ctx.count_matching(
        FetchDescriptor::<v3::Note>::new().filter(fields.status.eq(Status::Archived)),
    )?;
    println!("  synced \"Quarterly report\": archived ({archived} archived note)");
    Ok(())
}
