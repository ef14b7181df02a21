//! NewPipe's database history (versions 2 to 9 of
//! `org.schabi.newpipe.database.AppDatabase`, TeamNewPipe/NewPipe on GitHub)
//! declared with staged, NewPipe's own SQL to compare it with, and the rows
//! both are seeded with. `docs/newpipe.md` lists what could not be declared
//! exactly.

pub mod compare;
pub mod room;
pub mod schemas_early;
pub mod schemas_late;
pub mod seed;
pub mod stages;

pub use schemas_early::{v2, v3, v4, v5};
pub use schemas_late::{v6, v7, v8, v9};
